# SPDX-License-Identifier: MIT
"""The language corpus (tests/cases/lang/*.yaml): every operator, built-in, unknown and error code."""
from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.lang.builtins import EvalError
from engine.base.diagnostics import YokoError
from engine.evaluation.evaluate import PATHS, evaluate, public_results, reference_values, run_rules
from engine.lang.values import to_json
from langcase import case_facts, load_case, run_case

CASES = Path(__file__).parent / "cases" / "lang"


def _load():
    y = YAML(typ="safe")
    out = []
    for f in sorted(CASES.glob("*.yaml")):
        for case in (y.load(f.read_text(encoding="utf-8")) or {}).get("cases", []):
            out.append(pytest.param(case, id=f"{f.stem}: {case['note']}"))
    return out


ALL = _load()


def _want_json(v):
    import datetime
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_want_json(x) for x in v]
    if isinstance(v, dict):
        return {k: _want_json(x) for k, x in v.items()}
    return v


@pytest.mark.parametrize("case", ALL)
def test_language_case(case):
    if "want_error" in case:
        policy, sink = load_case(case)
        codes = [d.code for d in sink.errors]
        if policy is not None:  # a facts error: the policy loads, the facts do not
            with pytest.raises(YokoError) as info:
                case_facts(case, policy)
            codes = [d.code for d in info.value.diagnostics]
        assert case["want_error"] in codes, f"expected {case['want_error']}, got {codes}"
        return
    if "want_runtime_error" in case:
        with pytest.raises(YokoError) as info:
            run_case(case)
        assert info.value.diagnostics[0].code == case["want_runtime_error"]
        return
    ev, sink = run_case(case)
    assert ev is not None, [f"{d.code}: {d.message}" for d in sink.errors]
    assert to_json(ev.env["result"]) == _want_json(case["want"])
    if "want_needed" in case:
        assert ev.needed_for("result") == sorted(case["want_needed"])


EVALUATED = [c for c in ALL if not {"want_error", "want_runtime_error"} & set(c.values[0])]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", EVALUATED)
def test_every_evaluation_path_agrees_with_the_reference_interpreter(case, path):
    policy, sink = load_case(case)
    assert policy is not None
    facts = case_facts(case, policy)
    try:
        ref = reference_values(policy, facts)
    except EvalError as e:  # every path must then fail the same way
        with pytest.raises(YokoError) as info:
            run_rules(policy, facts, path=path)
        assert info.value.diagnostics[0].code == e.code
        return
    env = run_rules(policy, facts, path=path)
    assert repr({n: env[n] for n in policy.order}) == repr(ref)  # exactly: 2 is not Fraction(2, 1)


@pytest.mark.parametrize("case", EVALUATED)
def test_the_public_results_alone_are_the_reference_interpreters(case):
    """evaluate.public_results, which the generated function answers by itself when it can."""
    policy, _ = load_case(case)
    facts = case_facts(case, policy)
    try:
        ref = reference_values(policy, facts)
    except EvalError as e:
        with pytest.raises(YokoError) as info:
            public_results(policy, facts)
        assert info.value.diagnostics[0].code == e.code
        return
    assert repr(public_results(policy, facts)) == repr({n: ref[n] for n in policy.results})
    assert repr(evaluate(policy, facts).results) == repr({n: ref[n] for n in policy.results})  # the API's


@pytest.mark.parametrize("case", ALL)
def test_a_batch_row_gives_what_a_single_evaluation_gives(case):
    """The corpus as one-row tables through engine.evaluation.batch (the identity mapping)."""
    from engine.evaluation.batch import RowEvaluator, identity_mapping
    policy, _ = load_case(case)
    if policy is None:
        return  # a policy error: no table can be evaluated against it
    row = {name: spec["value"] for name, spec in (case.get("facts") or {}).items() if "value" in spec}
    if "" in row.values():
        return  # in a table an empty cell is unknown: an empty text cannot be written in one
    rec = RowEvaluator(policy, identity_mapping(policy, None))(1, row)
    try:
        ev, _ = run_case(case)
    except YokoError as e:
        assert rec["error"]["code"] == e.diagnostics[0].code
        return
    assert "error" not in rec, rec
    assert rec["results"] == {"result": to_json(ev.env["result"])}
    assert rec["needed_facts"] == (ev.needed_facts if ev.env["result"] is None else [])
