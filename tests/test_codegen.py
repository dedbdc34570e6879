# SPDX-License-Identifier: MIT
"""The generated function of a policy (engine.lang.codegen) against the reference interpreter.

The language corpus runs through every path in tests/test_language_corpus.py; here the real
policies meet random facilities (hypothesis), values are compared exactly (an int is not a
Fraction equal to it), failures must name the same code and place, and the generated code is
checked for what it may contain.
"""
from __future__ import annotations

import ast as py
import datetime
import os
import re
import sys
import traceback

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine.base.diagnostics import YokoError
from engine.evaluation.evaluate import PATHS, evaluate, public_results, run_rules
from engine.evaluation.facts import check_facts
from engine.lang.builtins import EvalError
from engine.lang.codegen import generate, generated
from engine.lang.bounds import settle
from engine.lang.interpret import interpret
from engine.policy.load import load_policy

POLICIES = ["policies/ibaraki/2022.yaml", "policies/national/2020.yaml", "tests/policies/ibaraki-2023.yaml"]
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
EDGES = [0, 1, 11, 12, 19, 20, 21, 24, 25, 59, 60, 499, 500, 501, 960, 961, 999, 1000, 1860, 1861, 1999, 2000]


def reference(policy, facts, names=None) -> tuple:
    """("ok", every rule's value exactly (or those of `names`)) or ("error", code, rule, offset) by
    the reference interpreter."""
    env = policy.param_env()
    env.update(facts)
    sets, specs = {}, {n: f.spec for n, f in policy.facts.items()}
    for name in policy.order:
        try:
            env[name] = interpret(policy.rules[name].node, env)
            if env[name] is None:  # decided means known: every completion agrees (engine.lang.bounds)
                env[name] = settle(policy.rules[name].node, env, sets, name, specs)
        except EvalError as e:
            return "error", e.code, name, e.node.start if e.node is not None else None
    return "ok", repr({n: env[n] for n in names or policy.order})


def fast(policy, facts, path) -> tuple:
    try:
        env = run_rules(policy, facts, path=path)
    except YokoError as e:
        d = e.diagnostics[0]
        return "error", d.code, d.location
    return "ok", repr({n: env[n] for n in policy.order})


def public(policy, facts) -> tuple:
    try:
        results = public_results(policy, facts)
    except YokoError as e:
        d = e.diagnostics[0]
        return "error", d.code, d.location
    assert repr(evaluate(policy, facts).results) == repr(results)  # the API's results, read from the values
    return "ok", repr(results)


def agree(policy, facts) -> None:
    want = reference(policy, facts)
    for path in PATHS:
        got = fast(policy, facts, path)
        assert got[:2] == want[:2], (path, facts)
        if want[0] == "error" and path == "generated":  # the failing place, as the interpreter names it
            rule = policy.rules[want[2]]
            where = rule.locate(want[3]) if want[3] is not None else None
            assert got[2] == (where or rule.location), facts
    got = public(policy, facts)  # the public results alone (from the generated function when it can)
    assert got == (fast(policy, facts, "generated") if want[0] == "error" else reference(policy, facts, policy.results)), facts


def _number(spec, whole: bool):
    lo, hi = spec.get("min", -10 ** 18), spec.get("max", 10 ** 18)
    ints = st.one_of(st.sampled_from([e for e in EDGES if lo <= e <= hi]), st.integers(lo, hi))
    if whole:
        return ints
    return st.one_of(ints, st.sampled_from([0.5, 12.25, 959.5, 1860.125]).filter(lambda x: lo <= x <= hi))


def fact_value(spec: dict):
    """A strategy for a value of a declared fact, as a facts file would give it."""
    t = spec["type"]
    if t == "bool":
        return st.booleans()
    if t == "enum":
        return st.sampled_from(spec["values"])
    if t in ("int", "number"):
        return _number(spec, t == "int")
    if t == "text":
        return st.sampled_from(["架空", "", "x' + 1 #", "\"); import os; ("])
    if t == "date":
        return st.dates(datetime.date(2019, 1, 1), datetime.date(2025, 12, 31)).map(datetime.date.isoformat)
    if t == "record":
        return st.fixed_dictionaries({}, optional={k: fact_value(v) for k, v in spec["fields"].items()})
    items = spec["items"]
    if items["type"] == "enum":
        return st.lists(st.sampled_from(items["values"]), unique=True)
    return st.lists(fact_value(items), max_size=4)


@st.composite
def facilities(draw, policy):
    """Some facts of the policy (each may be absent: unknown), checked like a facts file."""
    raw = draw(st.fixed_dictionaries({}, optional={n: fact_value(d.spec) for n, d in policy.facts.items()}))
    try:
        return check_facts(raw, policy)
    except YokoError:
        assume(False)


@st.composite
def complete_facilities(draw, policy):
    """Every fact of the policy given (a filled-in application: the generated function's first
    copy of the rules, and the public results it returns by itself), checked like a facts file."""
    raw = draw(st.fixed_dictionaries({n: fact_value(d.spec) for n, d in policy.facts.items()}))
    try:
        return check_facts(raw, policy)
    except YokoError:
        assume(False)


def on_random_facilities(path: str, check_one, strategy=facilities) -> None:
    """check_one(policy, facts) on random facilities of the policy at `path` (hypothesis)."""
    policy = load_policy(path)

    @SETTINGS
    @given(strategy(policy))
    def check(facts):
        check_one(policy, facts)
    check()


@pytest.mark.parametrize("path", POLICIES)
def test_every_path_gives_the_reference_values_on_random_facilities_of_a_real_policy(path):
    on_random_facilities(path, agree)


@pytest.mark.parametrize("path", POLICIES)
def test_every_path_gives_the_reference_values_when_every_fact_is_given(path):
    on_random_facilities(path, agree, complete_facilities)


def test_the_public_results_come_from_the_generated_function_when_every_fact_is_given():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
    from full_policy import generate as full_facilities  # a filled-in application each
    policy = engine.load("ibaraki", 2022)
    for facts in full_facilities(200, seed=3):
        facts = check_facts(facts, policy)
        direct = generated(policy).fn(facts, True)
        assert type(direct) is dict  # no rule unknown: nothing to settle, no environment built
        assert repr(direct) == reference(policy, facts, policy.results)[1]


def test_every_path_gives_the_reference_values_on_the_differential_facilities_of_ibaraki():
    from test_ibaraki_differential import _facilities
    policy = engine.load("ibaraki", 2022)
    for facts in _facilities():
        agree(policy, facts)


def test_a_failure_in_generated_code_points_at_the_policy_file_and_line(tmp_path):
    path, policy = _policy(tmp_path, "n1 / (n2 - n2)")
    with pytest.raises(EvalError) as info:
        generated(policy).fn({"n1": 3, "n2": 9})
    frames = traceback.extract_tb(info.value.__traceback__)
    (frame,) = [f for f in frames if f.name == "policy_fuzz_2022"]  # then the helpers it called
    line = policy.rules["share"].locate(0).line
    assert (frame.filename, frame.lineno) == (path, line)
    assert frame.line.strip() == "n1 / (n2 - n2)"  # the policy's own line, as a traceback prints it
    with pytest.raises(YokoError) as info:
        run_rules(policy, {"n1": 3, "n2": 9})
    d = info.value.diagnostics[0]
    assert (d.code, d.location.line) == ("division_by_zero", line)


def test_policy_text_reaches_generated_code_only_as_constants(tmp_path):
    hostile = "'); import os; os.system('x'); ('"
    _, policy = _policy(tmp_path, f'if n1 > 1 then "{hostile}" else "no"')
    assert run_rules(policy, {"n1": 3})["share"] == hostile
    tree = generated(policy).module
    kinds = {type(n).__name__ for n in py.walk(tree)}
    assert not kinds & {"Import", "ImportFrom", "Lambda", "ClassDef", "Global", "Nonlocal", "Delete", "With"}
    names = {n.id for n in py.walk(tree) if isinstance(n, py.Name)}
    allowed = re.compile(r"(f|r)_[A-Za-z_][A-Za-z0-9_]*|t\d+|vals\d+|unk\d+|v\d+_[A-Za-z_]\w*|[KN]\d+|_\w+|facts")
    assert all(allowed.fullmatch(n) for n in names), names
    assert hostile in {n.value for n in py.walk(tree) if isinstance(n, py.Constant)}


def test_show_compiled_prints_the_generated_function_as_python(cli):
    r = cli("show", "ibaraki", "--year", "2022", "--compiled")
    assert r.code == 0
    tree = py.parse(r.out)
    (fdef,) = tree.body
    assert fdef.name == "policy_ibaraki_2022"
    assert "r_eligible = " in r.out and "'rule eligible: policies/ibaraki/2022.yaml:" in r.out


def test_generating_twice_gives_the_same_source():
    policy = engine.load("ibaraki", 2022)
    assert generate(policy).source == generate(policy).source


def _policy(tmp_path, expr: str):
    """An invented one-rule policy (test_fuzz's head: facts n1, n2, q, b1, b2, d, xs)."""
    from test_fuzz import POLICY_HEAD
    path = tmp_path / "p.yaml"
    path.write_text(POLICY_HEAD + "  share:\n    expr: |\n      " + expr + "\n    label: {ja: s, en: s}\n"
                    "    cite: {source: g, article: 1}\nresults: [share]\n", encoding="utf-8")
    return str(path), load_policy(str(path))
