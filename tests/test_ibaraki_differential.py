# SPDX-License-Identifier: MIT
"""The shipped Ibaraki policy on random facilities: the compiled closures and the reference
interpreter agree on every rule, and on the facts each unknown public result still needs.

Facilities draw boundary values (999/1000, 11/12, 24/25, 59/60, 19/20 beds, 960/961 h ...) and drop
each fact with probability 0.15, and an expense field with probability 0.1, so unknowns are common.
A longer run: YOKO_DIFF_FACILITIES=20000 pytest tests/test_ibaraki_differential.py
"""
from __future__ import annotations

import datetime
import os
import random

import pytest

import engine
from engine.evaluation.evaluate import Evaluation, reference_values, run_rules
from engine.lang.interpret import needs
from engine.lang.values import to_json

N = int(os.environ.get("YOKO_DIFF_FACILITIES", "300"))
_INTS = [0, 1, 11, 12, 19, 20, 24, 25, 59, 60, 499, 500, 999, 1000, 1999, 2000, 960, 961, 1860, 1861]


def _value(rng, spec):
    t = spec["type"]
    if t == "bool":
        return rng.random() < 0.5
    if t == "enum":
        return rng.choice(spec["values"])
    if t == "int":
        return rng.choice(_INTS + [rng.randint(0, 3_000_000)])
    if t == "number":
        return rng.choice([900, 960, 961, 1800, 1860, 1861])
    if t == "text":
        return "架空"
    if t == "date":
        return datetime.date(2022, 4, 1) + datetime.timedelta(days=rng.randint(0, 500))
    items = spec["items"]
    if items["type"] == "enum":
        return rng.sample(items["values"], rng.randint(0, len(items["values"])))
    out = []
    for _ in range(rng.randint(0, 4)):
        rec = {k: _value(rng, v) for k, v in items["fields"].items()}
        if rng.random() < 0.1:
            rec.pop(rng.choice(list(rec)))
        out.append(rec)
    return out


def _facilities():
    policy = engine.load("ibaraki", 2022)
    rng = random.Random(2022)
    return [{n: _value(rng, d.spec) for n, d in policy.facts.items() if rng.random() < 0.85} for _ in range(N)]


@pytest.fixture(scope="module")
def policy():
    return engine.load("ibaraki", 2022)


def test_compiled_and_reference_values_agree_on_every_rule(policy):
    for facts in _facilities():
        env = run_rules(policy, facts)
        ref = reference_values(policy, facts)
        assert {n: to_json(env[n]) for n in policy.order} == {n: to_json(v) for n, v in ref.items()}, facts


def test_compiled_and_reference_needed_facts_agree(policy):
    for facts in _facilities():
        env = run_rules(policy, facts)
        memo: dict[str, set] = {}

        def reference_needs(r):
            if r not in memo:
                memo[r] = set() if env[r] is not None else needs(policy.rules[r].node, env, set(policy.facts),
                                                                  reference_needs, rules={n: x.node for n, x in policy.rules.items()})
            return memo[r]

        ev = Evaluation(policy, facts, env)
        assert {n: ev.needed_for(n) for n in policy.results} == \
               {n: sorted(reference_needs(n)) for n in policy.results}, facts
