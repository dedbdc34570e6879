# SPDX-License-Identifier: MIT
"""The memo of the decided-means-known pass (engine.lang.bounds.settle_all): a rule's set taken
from it is the set settling it afresh gives, and the memo stays small whatever the batch."""
from __future__ import annotations

import random

import pytest

from engine.evaluation.batch import BadCell, load_mapping, row_facts
from engine.evaluation.evaluate import run_rules
from engine.evaluation.tables import read_rows
from engine.lang import bounds
from engine.lang.values import key_of
from engine.policy.cache import load_policy_cached
from engine.policy.registry import find

SLICE = "tests/data/mhlw-r7-slice.csv"
MAP = "examples/mappings/mhlw-r7-ibaraki.yaml"


def facilities(policy):
    """The slice's facilities, and each again with some facts left out (a random but fixed choice)."""
    mapping = load_mapping(MAP, policy)
    mapping.where = None
    pick = random.Random(15)
    for _, row in read_rows(SLICE)[1]:
        try:
            _, facts = row_facts(row, mapping, policy)
        except BadCell:
            continue
        facts = dict(facts)
        yield facts
        yield {k: v for k, v in facts.items() if pick.random() < 0.5}
        yield {**facts, "plan_items_considered": ["a", "b"], "committee_established": pick.random() < 0.5}


def settled(policy, facts, memo):
    """(every rule's value, the sets found for the unknown ones) after run_rules with the memo on or off."""
    seen = {}
    real = bounds.settle_all

    def spy(*a, **k):
        seen["sets"] = real(*a, memo=memo)
        return seen["sets"]
    mp = pytest.MonkeyPatch()
    mp.setattr("engine.evaluation.evaluate.settle_all", spy)
    try:
        env = run_rules(policy, facts)
    finally:
        mp.undo()
    return repr({n: env[n] for n in policy.order}), {n: bounds._set_key(a) for n, a in seen["sets"].items()}


def test_a_set_taken_from_the_memo_is_the_set_settling_afresh_gives():
    policy = load_policy_cached(find("ibaraki", 2022).path)
    bounds._MEMOS.clear()
    cases = list(facilities(policy))
    assert len(cases) > 100
    fresh = [settled(policy, f, memo=False) for f in cases]
    assert not bounds._MEMOS  # memo off: nothing kept
    first = [settled(policy, f, memo=True) for f in cases]   # fills the memo
    again = [settled(policy, f, memo=True) for f in cases]   # reads it
    assert first == fresh and again == fresh
    kept = bounds._memo_of(policy._settle_plan[1])
    assert 0 < len(kept) < len(cases) * len(policy.order) // 4  # rows share patterns: that is the point
    assert any(isinstance(k[0], str) and any(p[0] == "plan_items" for p in k[1:] if isinstance(p, tuple))
               for k in kept)  # a rule reading a list parameter is kept too


def test_values_equal_across_types_are_kept_apart():
    assert key_of(1) != key_of(True) != key_of(1.0)
    from fractions import Fraction
    assert key_of(Fraction(1)) != key_of(1)
    assert key_of([1, [True]]) != key_of([True, [1]])
    assert bounds._set_key(bounds.K(1)) != bounds._set_key(bounds.K(True))
    assert bounds._set_key(bounds.R(0, 1)) != bounds._set_key(bounds.R(Fraction(0), 1))


def test_the_memo_is_emptied_when_full_so_memory_stays_bounded(monkeypatch):
    policy = load_policy_cached(find("ibaraki", 2022).path)
    monkeypatch.setattr(bounds, "MEMO_ENTRIES", 5)
    bounds._MEMOS.clear()
    sizes = []
    for facts in facilities(policy):
        want = settled(policy, facts, memo=False)
        assert settled(policy, facts, memo=True) == want
        sizes.append(len(bounds._memo_of(policy._settle_plan[1])))
    assert max(sizes) <= 5 + 1  # a rule's entry and its set's number are added together
    assert any(b < a for a, b in zip(sizes, sizes[1:]))  # it was emptied, and filled again


def test_a_rule_reading_an_unknown_rule_is_kept_apart_by_what_was_found_for_it():
    from engine.lang.parser import parse
    nodes = {"r1": parse("x + y"), "r2": parse("r1 >= 50")}
    order = [("r1", frozenset({"x", "y"})), ("r2", frozenset({"r1"}))]
    specs = {"x": {"type": "int", "min": 0, "max": 100}, "y": {"type": "int"}}
    got = []
    for y in (60, 0, 60, 0):  # r1 is unknown every time (x is absent); r2 is decided when y >= 50
        env = {"y": y, "r1": None, "r2": None}
        bounds.settle_all(order, nodes, env, specs, lambda n: None)
        got.append(env["r2"])
    assert got == [True, None, True, None]
