#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The whole Ibaraki FY2022 policy over synthetic facilities: yoko (traces off, on) vs hand-written.

    python benchmarks/full_policy.py [-n 100000] [--trace-n N] [--seed 7]

Every facility has every fact known (as on a filled-in application), drawn with ~5% of draws on
a rule boundary. Before timing, every facility's public results from yoko must equal the
hand-written version's (benchmarks/handwritten_ibaraki.py) exactly, or the run stops.

Rows (facilities per second, best of --repeats passes; ratios measured in this run):
  hand-written            handwritten_ibaraki.evaluate(facts) -> dict of the public results
  yoko, traces off        evaluate(policy, facts).results -> the same dict: the API's evaluation (as
                          engine.evaluate after its fact check, yoko diff, policy tests, the web API),
                          its results read from the rule values without building the environment
  yoko, public_results    public_results(policy, facts): the generated function returns the public
                          results itself (no Evaluation object)
  yoko, every rule kept   run_rules(policy, facts) -> the environment of every value, then that dict
  yoko, checked           check_facts + the above: what engine.evaluate() does with raw input
  yoko, JSON, no trace    evaluate(policy, facts).to_json(trace=False): results, unknown, needed_facts
  yoko, traces on         evaluate(policy, facts).to_json(trace=True): the above plus a trace entry for
                          every rule
                          (values read, the parts that decided it, citations, source lines)

Each output is dropped as soon as it is built (a streaming writer's pattern); --keep keeps them
all until the pass ends, as the script did before (see sink() in main).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import handwritten_ibaraki  # noqa: E402

TIERS = ("none", "secondary", "tertiary")
COVER = ("none", "doctor_clerk", "nursing_assistant")


def _int(rng, lo, hi, edges=()):
    if edges and rng.random() < 0.05:
        return rng.choice(edges)
    return rng.randint(lo, hi)


def _date(rng, start: datetime.date, days: int) -> datetime.date:
    if rng.random() < 0.02:
        return datetime.date(2024, 2, 29)  # five years on has no 29 February
    return start + datetime.timedelta(days=rng.randint(0, days))


def facility(rng, i: int) -> dict:
    items = [x for x in "abcdefg" if rng.random() < 0.97]
    return {
        "name": f"施設{i}",
        "facility_type": rng.choice(("hospital", "clinic")),
        "emergency_tier": rng.choices(TIERS, (30, 50, 20))[0],
        "ambulance_transports": _int(rng, 0, 4000, (0, 999, 1000, 1999, 2000)),
        "off_hours_admissions": _int(rng, 0, 1500, (499, 500, 501)),
        "sole_emergency_hospital_in_area": rng.random() < 0.15,
        "prefecture_recognized_core_hospital": rng.random() < 0.10,
        "perinatal_center": rng.choices(("none", "comprehensive", "regional"), (80, 5, 15))[0],
        "has_acute_ward": rng.random() < 0.7,
        "pediatric_emergency_hospital": rng.random() < 0.05,
        "psychiatric_emergency_facility": rng.random() < 0.2,
        "psychiatric_emergency_admissions": _int(rng, 0, 40, (11, 12, 13)),
        "super_acute_stroke_claims": _int(rng, 0, 80, (24, 25, 26)),
        "acute_mi_treatments": _int(rng, 0, 150, (59, 60, 61)),
        "advanced_cancer_center": rng.random() < 0.05,
        "advanced_transplant_care": rng.random() < 0.02,
        "child_psychiatry_hospital": rng.random() < 0.03,
        "home_care_support": rng.choice(("none", "standard", "enhanced_joint", "enhanced_single")),
        "has_regional_care_system_addon": rng.random() < 0.2,
        "responsible_person_assigned": rng.random() < 0.92,
        "employs_doctors_over_80h": rng.random() < 0.8,
        "agreement_cap_over_960h": rng.random() < 0.8,
        "plans_level_b": rng.random() < 0.3,
        "target_hours_level_b": _int(rng, 1000, 2000, (1859, 1860, 1861)),
        "target_hours_other": _int(rng, 500, 1100, (959, 960, 961)),
        "committee_established": rng.random() < 0.9,
        "plan_created": rng.random() < 0.9,
        "plan_items_considered": items,
        "measures_posted": rng.random() < 0.9,
        "max_used_beds": _int(rng, 0, 900, (0, 19, 20, 21)),
        "max_used_psychiatric_beds": _int(rng, 0, 300, (0, 19, 20, 21)),
        "expenses": [{"item": f"item {k}", "amount": _int(rng, 0, 50_000_000, (0, 1, 2, 3)),
                      "covered_by": rng.choice(COVER), "other_subsidy": rng.random() < 0.1}
                     for k in range(rng.randint(0, 4))],
        "has_doctor_clerk_addon": rng.random() < 0.4,
        "has_nursing_assistant_addon": rng.random() < 0.4,
        "decision_notice_received_on": _date(rng, datetime.date(2022, 10, 7), 120),
        "completion_date": _date(rng, datetime.date(2022, 12, 1), 150),
        "planned_total_cost": _int(rng, 1, 100_000_000, (1, 5, 100)),
        "actual_total_cost": _int(rng, 0, 120_000_000, (0, 4, 6, 120)),
        "decided_amount": _int(rng, 0, 50_000_000, (0, 1, 4, 5)),
    }


def generate(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [facility(rng, i) for i in range(n)]




def machine() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--trace-n", type=int, default=None, help="facilities for the traced row (default: -n)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep every output until the end of its pass (see sink())")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="time passes by the wall clock (default) or by this process's CPU time, "
                         "which leaves out the time spent waiting for a core on a loaded machine")
    a = ap.parse_args(argv)

    import engine
    from engine.evaluation.evaluate import evaluate, public_results, run_rules
    from engine.evaluation.facts import check_facts

    print(f"machine: {machine()}")
    t = time.perf_counter()
    policy = engine.load("ibaraki", 2022)
    print(f"policy: {policy.path}, {len(policy.rules)} rules, {len(policy.results)} public results "
          f"(loaded in {1e3 * (time.perf_counter() - t):.0f} ms)")
    facilities = generate(a.n, a.seed)
    checked = [check_facts(f, policy) for f in facilities]
    results = policy.results

    # Each row hands every output to `out`: by default it is dropped at once, as a writer that
    # streams its rows out does; with --keep every output is kept in a list until the pass ends
    # (the method before 1 December): the cycle collector then walks the kept outputs and all the
    # input facilities again and again, which costs more than building a trace itself.
    def sink():
        if a.keep:
            kept = []
            return kept.append, kept
        return (lambda x: None), None

    def hand(items):
        ev = handwritten_ibaraki.evaluate
        out, kept = sink()
        for f in items:
            out(ev(f))
        return kept

    def off(items):
        out, kept = sink()
        for f in items:
            out(evaluate(policy, f).results)
        return kept

    def public_only(items):
        out, kept = sink()
        for f in items:
            out(public_results(policy, f))
        return kept

    def every_rule(items):
        out, kept = sink()
        for f in items:
            env = run_rules(policy, f)
            out({n: env[n] for n in results})
        return kept

    def closures(items):
        out, kept = sink()
        for f in items:
            env = run_rules(policy, f, path="closures")
            out({n: env[n] for n in results})
        return kept

    def with_check(items):
        out, kept = sink()
        for f in items:
            env = run_rules(policy, check_facts(f, policy))
            out({n: env[n] for n in results})
        return kept

    def json_no_trace(items):
        out, kept = sink()
        for f in items:
            out(evaluate(policy, f).to_json(trace=False))
        return kept

    def traced(items):
        out, kept = sink()
        for f in items:
            out(evaluate(policy, f).to_json(trace=True))
        return kept

    ev = handwritten_ibaraki.evaluate
    want = [ev(f) for f in facilities]
    got = [{n: env[n] for n in results} for env in (run_rules(policy, f) for f in checked)]
    bad = [i for i, (x, y) in enumerate(zip(want, got)) if x != y]
    bad += [i for i, (x, f) in enumerate(zip(got, checked)) if repr(x) != repr(public_results(policy, f))
            or repr(x) != repr(evaluate(policy, f).results)]
    if bad:
        i = bad[0]
        print(f"MISMATCH on {len(bad)} facilities (hand-written, run_rules, public_results or evaluate); first #{i}:\n"
              f"  hand {want[i]}\n  yoko {got[i]}")
        return 1
    eligible = sum(1 for w in want if w["eligible"])
    print(f"{a.n:,} facilities, {eligible:,} eligible; yoko and hand-written agree on every public result")

    sub = checked[: a.trace_n or a.n]
    plan = [("hand-written Python", hand, facilities), ("yoko, traces off", off, checked),
            ("yoko, public_results (no Evaluation object)", public_only, checked),
            ("yoko, traces off, every rule kept (run_rules)", every_rule, checked),
            ("yoko, traces off, closures (the path before)", closures, checked),
            ("yoko, checked facts + traces off", with_check, facilities),
            ("yoko, JSON without trace", json_no_trace, checked),
            (f"yoko, traces on ({len(sub):,} facilities)", traced, sub)]
    print(f"outputs: {'kept until the end of each pass (--keep)' if a.keep else 'dropped one by one, as a streaming writer does'}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    best = {label: float("inf") for label, _, _ in plan}
    clock = time.process_time if a.clock == "cpu" else time.perf_counter
    print(f"clock: {'CPU time of this process' if a.clock == 'cpu' else 'wall'}")
    for _ in range(a.repeats):  # passes interleaved: a change of load falls on every row alike
        for label, fn, items in plan:
            t = clock()
            fn(items)
            best[label] = min(best[label], (clock() - t) / len(items))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = [(label, 1 / best[label]) for label, _, _ in plan]
    base, r_off, r_kept, r_json, r_on = rows[0][1], rows[1][1], rows[3][1], rows[6][1], rows[7][1]
    print(f"\n| {'row':<52} | {'facilities/s':>12} | {'x hand-written':>14} |")
    print(f"|{'-' * 54}|{'-' * 14}|{'-' * 16}|")
    for label, rate in rows:
        print(f"| {label:<52} | {rate:>12,.0f} | {base / rate:>14.1f} |")
    print(f"\ntraces off vs hand-written: {base / r_off:.1f}x (target <= 3x)")
    print(f"traces on vs traces off:    {r_off / r_on:.1f}x (target <= 4x); "
          f"vs every rule kept: {r_kept / r_on:.1f}x; vs the same JSON without its trace: {r_json / r_on:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
