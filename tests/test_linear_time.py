# SPDX-License-Identifier: MIT
"""Every stage takes time linear in its input: measured as the RATIO of two sizes in one test.

No absolute time is asserted (that belongs in benchmarks/): each stage is timed on an input and
on one four times its size, best of a few runs, and the second may take at most SLACK times
four as long. Linear work gives a ratio near 4; quadratic work gives 16; the double compile
this guards against (issue 12: `cost + cost + ...` compiled its left side twice per level)
gave 2^45 between 15 and 60 terms.
"""
from __future__ import annotations

import time

import pytest

from engine.base.diagnostics import Sink
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts
from engine.lang.compile import Runner
from engine.lang.parser import parse
from engine.policy.load import load_policy
from engine.policy.yamlio import PlainConverter, parse_yaml
from engine.present.memo import render_text
from engine.present.render import render

FACTOR = 4
SLACK = 2.5  # allowed ratio: FACTOR * SLACK = 10 (linear: about 4, quadratic: 16)

HEAD = """\
# invented for tests: a policy whose size is a parameter (tests/test_linear_time.py)
id: linear
jurisdiction: {code: JP-08, name: {ja: テスト県, en: Test}}
fiscal_year: 2022
title: {ja: 線形時間, en: Linear time}
enacted: 2022-04-01
sources:
  g: {title: {ja: 要項, en: Guideline}, number: null, date: 2022-04-01, abbrev: {ja: 要項, en: G}}
facts:
  cost: {type: int, min: 0, unit: yen, label: {ja: 経費, en: Cost}}
  flag: {type: bool, label: {ja: 旗, en: Flag}}
  items:
    type: list
    label: {ja: 品目, en: Items}
    items:
      type: record
      fields: {amount: {type: int, min: 0, unit: yen}, ok: {type: bool}}
rules:
"""


def policy_text(rules: int, terms: int) -> str:
    """`rules` rules, each a sum of `terms` terms reading a fact and the rule before it."""
    out = [HEAD]
    for i in range(rules):
        prev = f"r{i - 1}" if i else "cost"
        expr = " + ".join([prev] + ["cost"] * (terms - 2) + ["sum(x.amount for x in items if x.ok)"])
        out.append(f"  r{i}:\n    expr: if flag then {expr} else {prev}\n"
                   f"    label: {{ja: 規則{i}, en: Rule {i}}}\n    cite: {{source: g, article: 1}}\n")
    out.append(f"results: [r{rules - 1}]\n")
    return "".join(out)


def items(n: int) -> list[dict]:
    return [{"amount": i, "ok": i % 3 != 0} if i % 7 else {"amount": i} for i in range(n)]


def best(fn, repeat: int = 3) -> float:
    """The least time of `repeat` runs of fn, each repeated until it takes a measurable while."""
    times = []
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            spent = time.perf_counter() - start
            if spent > 0.02:
                break
        times.append(spent / n)
    return min(times)


def ratio(make, small: int) -> float:
    """Time of stage(make(small * FACTOR)) over time of stage(make(small))."""
    a, b = make(small), make(small * FACTOR)
    a(), b()  # warm: caches of the parser and the catalogue
    return best(b) / best(a)


def _yaml(text):
    return lambda: PlainConverter("p.yaml", Sink(), text).convert(parse_yaml(text, "p.yaml"))


def _policy(rules, terms):
    return load_policy("linear.yaml", policy_text(rules, terms))


STAGES = {
    "yaml": lambda n: _yaml(policy_text(n, 5)),
    "parse a long chain": lambda n: (lambda e=" + ".join(["cost"] * n): parse(e)),
    "parse many rules": lambda n: (lambda es=[f"a{i} + b * c" for i in range(n)]: [parse(e) for e in es]),
    "check and compile a policy of many rules": lambda n: (lambda t=policy_text(n, 5): load_policy("l.yaml", t)),
    "check and compile long chains": lambda n: (lambda t=policy_text(4, n): load_policy("l.yaml", t)),
    "compile long chains": lambda n: (lambda p=_policy(4, n): Runner(p)),
    "evaluate long chains": lambda n: (lambda p=_policy(4, n), r=[None]: (
        r.__setitem__(0, r[0] or Runner(p)), r[0]({"cost": 5, "flag": True, "items": items(10)}))),
    "evaluate a long list": lambda n: (lambda p=_policy(3, 5), f={"cost": 5, "flag": True, "items": items(n)}:
                                       Runner(p)(f)),
    "check facts of a long list": lambda n: (lambda p=_policy(3, 5), f={"items": items(n)}: check_facts(f, p)),
    "explain long chains": lambda n: (lambda p=_policy(4, n): evaluate(p, {"flag": True}).to_json()),
    "explain a long list with unknowns": lambda n: (
        lambda p=_policy(3, 5), f={"flag": True, "items": items(n)}: evaluate(p, f).to_json()),
    "memo of long chains": lambda n: (lambda p=_policy(4, n): render_text(evaluate(p, {"flag": True}), "en")),
    "render a policy of many rules": lambda n: (lambda p=_policy(n, 5): render(p, "en")),
    "render long chains": lambda n: (lambda p=_policy(4, n): render(p, "en", "html")),
}
SMALL = {"yaml": 15, "parse a long chain": 15, "parse many rules": 50,
         "check and compile a policy of many rules": 10, "check and compile long chains": 15,
         "compile long chains": 15, "evaluate long chains": 15, "evaluate a long list": 250,
         "check facts of a long list": 250, "explain long chains": 15,
         "explain a long list with unknowns": 250, "memo of long chains": 15,
         "render a policy of many rules": 10, "render long chains": 15}


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_time_grows_linearly_with_input_size(stage):
    r = ratio(STAGES[stage], SMALL[stage])
    print(f"{stage}: x{FACTOR} input -> x{r:.1f} time")
    if r >= FACTOR * SLACK:  # one retry: a busy machine can slow the larger run only
        r = min(r, ratio(STAGES[stage], SMALL[stage]))
    assert r < FACTOR * SLACK, f"{stage}: {FACTOR}x the input took {r:.1f}x the time"
