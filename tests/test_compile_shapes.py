# SPDX-License-Identifier: MIT
"""The compiler's specialised shapes agree with the reference interpreter, unknowns and edges included.

engine/compile.py builds special closures for common shapes (name op constant, bounds on both
sides, membership in a list of texts, and/or of 2, 3 or many parts, min/max against a constant,
round_down/round_up in integer arithmetic, if on a name). Each shape is a rule of one invented
policy; random facts (None = unknown) must give the same values both ways.
"""
from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.lang.builtins import EvalError
from engine.evaluation.evaluate import reference_values, run_rules
from engine.lang.values import to_json
from langcase import case_facts, load_case

SHAPES = {
    "between": "lo <= n < hi",
    "between_closed": "lo <= n <= hi",
    "between_open": "lo < n < hi",
    "between_mixed": "lo < n <= hi",
    "const_first": "lo < n",
    "name_const": "n >= 1000",
    "name_ne": "n != 0",
    "eq_text": 's == "b"',
    "in_texts": 's in ["a", "b"]',
    "not_in_texts": 's not in ["a", "c"]',
    "in_ints": "n in [0, 1, 1000]",
    "and2_names": "b1 and b2",
    "or3_names": "b1 or b2 or b3",
    "and5_names": "b1 and b2 and b3 and b1 and b2",
    "and2_mixed": "b1 and n > 3",
    "or3_mixed": "n > 3 or b2 or not b3",
    "and3_mixed": "(b1 or b2) and not b3 and m < hi",
    "or4_mixed": "n < 0 or m < 0 or b1 or b2",
    "not_name": "not b1",
    "min_const": "min(n, 20)",
    "max_const": "max(n, 20)",
    "min_two": "min(n, m)",
    "max_cond": "max(if b1 then n else m, lo)",
    "round_down_third": "round_down(n * 2 / 3, 1000)",
    "round_up_neg": "round_up(-n / 7, 10)",
    "round_down_int": "round_down(n, 3)",
    "round_up_int": "round_up(m, 1000)",
    "cond_names": "if b1 then n else m",
    "cond_else_const": "if b1 then n * 2 else 0",
    "cond_expr": "if n > m then n - m else m - n",
    "mul_const": "n * 133000",
    "sub_const": "m - 1",
    "div": "n / 4",
    "sum_filter": "sum(x for x in xs if x > lo)",
    "any_loop": "any(x >= hi for x in xs)",
    "list_in_loop": "[x * 2 for x in xs if x in [1, 2, 3]]",
    "mul_fraction": "n * 0.8",
    "round_fraction": "round_down(n * 0.8, 1)",
    "change_share": "abs(n - m) > m * 0.2",
    "folded": "n < hi - 1",
    "folded_div": "n * (lo / 3)",
    "in_names": "n in xs",
    "names_cmp": "n < m",
    "abs": "abs(n - m)",
    "field_of_name": "rec.amount > 3",
    "field_known": "rec.amount is known",
    "is_true_name": "b1 is true",
    "is_unknown_name": "b2 is unknown",
    "records_of_names": '[g.k for g in [{k: "a", h: b1}, {k: "b", h: b2}, {k: "c", h: b3}] if g.h is true]',
    "add_days": "add_days(d, 14)",
    "add_days_n": "add_days(d, m)",
    "add_years": "add_years(d, 5)",
    "add_years_n": "add_years(d, m)",
    "min_date": "min(add_days(d, lo - 71), 2023-03-31)",
}


def _case(expr: str) -> dict:
    return {
        "facts": {"n": {"type": "int"}, "m": {"type": "int"}, "b1": {"type": "bool"}, "b2": {"type": "bool"},
                  "b3": {"type": "bool"}, "s": {"type": "enum", "values": ["a", "b", "c"]},
                  "xs": {"type": "list", "items": {"type": "int"}},
                  "d": {"type": "date"},
                  "rec": {"type": "record", "fields": {"amount": {"type": "int"}, "kind": {"type": "text"}}}},
        "params": {"lo": {"value": 100}, "hi": {"value": 2000}},
        "rules": {},
        "expr": expr,
    }


POLICIES = {}


def _policy(name):
    if name not in POLICIES:
        policy, sink = load_case(_case(SHAPES[name]))
        assert policy is not None, [d.message for d in sink.items]
        POLICIES[name] = policy
    return POLICIES[name]


ints = st.none() | st.sampled_from([-1, 0, 1, 3, 19, 20, 21, 99, 100, 101, 999, 1000, 1999, 2000, 2001]) \
    | st.integers(-10**7, 10**7)
bools = st.none() | st.booleans()
facts = st.fixed_dictionaries({
    "n": ints, "m": ints, "b1": bools, "b2": bools, "b3": bools,
    "s": st.none() | st.sampled_from(["a", "b", "c"]),
    "xs": st.none() | st.lists(st.integers(-5, 2500), max_size=4),
    "d": st.none() | st.sampled_from([datetime.date(2024, 2, 29), datetime.date(2022, 12, 31)]) | st.dates(),
    "rec": st.none() | st.fixed_dictionaries({"amount": st.none() | st.integers(0, 10), "kind": st.just("x")}),
})


@pytest.mark.parametrize("name", sorted(SHAPES))
@settings(max_examples=40, deadline=None)
@given(values=facts)
def test_compiled_shape_agrees_with_the_interpreter(name, values):
    policy = _policy(name)
    checked = {k: v for k, v in values.items() if v is not None}
    try:
        want = reference_values(policy, checked)["result"]
    except EvalError:
        return
    got = run_rules(policy, checked)["result"]
    assert to_json(got) == to_json(want)
    assert type(got) is type(want)


def test_a_loop_variable_named_like_a_parameter_is_not_folded():
    policy, sink = load_case(_case("sum(lo for lo in xs)"))
    if policy is None:  # the checker may refuse the shadowing; then there is nothing to fold
        return
    env = run_rules(policy, case_facts({"facts": {"xs": {"value": [1, 2]}}}, policy))
    assert env["result"] == 3


EDGES = [None, -1, 0, 1, 3, 19, 20, 21, 99, 100, 101, 999, 1000, 1001, 1999, 2000, 2001]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_compiled_shape_agrees_at_every_boundary(name):
    policy = _policy(name)
    for n in EDGES:
        for m, b1, s in ((20, True, "a"), (1000, False, "b"), (None, None, None)):
            checked = {k: v for k, v in {"n": n, "m": m, "b1": b1, "b2": False, "b3": None, "s": s,
                                          "xs": [n or 0, 2000], "d": datetime.date(2024, 2, 29),
                                          "rec": {"amount": n, "kind": "x"}}.items() if v is not None}
            try:
                want = reference_values(policy, checked)["result"]
            except EvalError:
                continue
            got = run_rules(policy, checked)["result"]
            assert (to_json(got), type(got)) == (to_json(want), type(want)), (n, m, b1, s)


def test_trace_answers_agree_with_the_reference_interpreter():
    """Decisive parts, their values and needed facts of every Ibaraki rule, compiled vs interpreted,
    over partly-known facilities (the trace uses the compiled ones)."""
    import random
    import sys

    from engine import load
    from engine.lang import interpret
    from engine.lang.compile import tracer
    from engine.evaluation.facts import check_facts
    sys.path.insert(0, "benchmarks")
    import full_policy

    policy = load("ibaraki", 2022)
    t = tracer(policy)
    rng = random.Random(11)
    compared = 0
    for f in full_policy.generate(40, 11):
        keep = rng.random()
        facts = check_facts({k: v for k, v in f.items() if rng.random() < keep}, policy)
        env = run_rules(policy, facts)
        memo: dict = {}

        def ref_needs(name):
            if name not in memo:
                memo[name] = set()
                if env.get(name) is None:
                    memo[name] = interpret.needs(policy.rules[name].node, env, set(policy.facts), ref_needs,
                                                    rules={n: r.node for n, r in policy.rules.items()})
            return memo[name]
        fast_needs = t.needs.for_row(env)
        for name in policy.order:
            node = policy.rules[name].node
            assert t.why(node, env) == interpret.why(node, env), name
            for part in interpret.why(node, env):
                assert to_json(t.value(part, env)) == to_json(interpret.interpret(part, env))
            assert fast_needs(name) == ref_needs(name), name
            compared += 1
    assert compared == 40 * len(policy.order)
