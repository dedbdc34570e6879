#!/usr/bin/env python3
"""Several engines in ONE process, passes interleaved: the ratios of one run on one machine state.

    python sidebyside.py [--engines "python yoko yoko-closures zen-expr cel-inline"] [-n 100000] [--rounds 5]

Each round times one pass of every engine over the same records, in turn, so that a change in the
machine's load falls on every engine alike; the best pass per engine is reported, with its ratio
to hand-written Python and yoko's ratio to the fastest peer. Every engine's (eligible, amount)
must equal the hand-written baseline's on every record, or the run stops. The load average is
printed before and after.
"""
import argparse
import json
import os
import platform
import sys
import time

import engines
import rules

YOKO = ("yoko", "yoko-closures", "yoko-checked")


def load(path, n):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(n), f)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="python yoko yoko-closures zen-expr cel-inline")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "data", "facilities_100k.jsonl"))
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    names = a.engines.split()
    records = load(a.data, a.n)
    want = [rules.evaluate_py(r) for r in records]
    runs = {}
    for name in names:
        spec = engines.ENGINES[name]
        if spec["input"] != "dict":
            sys.exit(f"{name}: reads JSON lines; this script passes dicts")
        try:
            run = spec["setup"]()
        except ImportError as e:
            print(f"{name}: not installed ({e}); left out", file=sys.stderr)
            continue
        got = run(records)
        bad = [i for i, (g, w) in enumerate(zip(got, want))
               if not (type(g[0]) is bool and type(g[1]) is int and tuple(g) == w)]
        if bad:
            sys.exit(f"{name}: record {bad[0]} gives {got[bad[0]]!r}, want {want[bad[0]]!r}")
        runs[name] = run
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(records):,} records; every engine exact on every record; {a.rounds} interleaved rounds")
    best = {n: float("inf") for n in runs}
    for _ in range(a.rounds):
        for name, run in runs.items():
            t = time.perf_counter()
            run(records)
            best[name] = min(best[name], time.perf_counter() - t)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    base = best.get("python")
    print(f"| {'engine':<16} | {'rec/s':>10} | {'x hand-written':>14} |")
    print(f"|{'-' * 18}|{'-' * 12}|{'-' * 16}|")
    for name, t in best.items():
        ratio = f"{t / base:.2f}" if base else "-"
        print(f"| {name:<16} | {len(records) / t:>10,.0f} | {ratio:>14} |")
    peers = [n for n in best if n not in YOKO and n != "python"]
    if "yoko" in best and peers:
        fastest = min(peers, key=best.get)
        print(f"\nyoko vs hand-written: {best['yoko'] / base:.2f}x (target <= 2.5x, moonshot 2x)" if base else "")
        print(f"fastest peer: {fastest}; yoko is {best[fastest] / best['yoko']:.2f}x faster (target >= 2.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
