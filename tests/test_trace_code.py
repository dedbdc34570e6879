# SPDX-License-Identifier: MIT
"""The generated trace function (engine.evaluation.trace_code) against the entry-by-entry trace.

Evaluation.trace_entry is the definition; once a policy has been traced often enough, trace()
switches to the generated function, which must give the same entries, with the same keys in the
same order, on the real policies (random and partly known facilities) and on every case of the
language corpus that evaluates.
"""
from __future__ import annotations

import json

import pytest
from engine.base.diagnostics import YokoError
from engine.evaluation import evaluate as ev_mod
from engine.evaluation.evaluate import Evaluation, _json_plan, _trace_plan, evaluate, run_rules
from engine.evaluation.trace_code import trace_function
from engine.policy.load import load_policy
from langcase import case_facts, load_case
from test_codegen import POLICIES, complete_facilities, on_random_facilities
from test_language_corpus import ALL


def _same_trace(policy, facts) -> None:
    try:
        env = run_rules(policy, facts)
    except YokoError:
        return
    ev = Evaluation(policy, facts, env)
    want = ev.document(trace=True)  # piece by piece, every entry by trace_entry
    if "_trace_fn" not in policy.__dict__:  # what to_json uses once the policy has been traced often
        policy.__dict__["_trace_fn"] = trace_function(policy, _trace_plan(policy), _json_plan(policy))
    got = ev.to_json(trace=True)
    assert json.dumps(got, ensure_ascii=False, default=repr) == json.dumps(want, ensure_ascii=False, default=repr)
    assert got == want
    assert ev.trace() == want["trace"]
    lazy = evaluate(policy, facts)  # from the rule values, before any environment is built
    assert json.dumps(lazy.to_json(trace=True), ensure_ascii=False, default=repr) == \
        json.dumps(want, ensure_ascii=False, default=repr)
    without = ev.document(trace=False)  # and without the trace, by both ways
    assert json.dumps(ev.to_json(trace=False), ensure_ascii=False, default=repr) == \
        json.dumps(without, ensure_ascii=False, default=repr)
    assert json.dumps(evaluate(policy, facts).to_json(trace=False), ensure_ascii=False, default=repr) == \
        json.dumps(without, ensure_ascii=False, default=repr)


@pytest.mark.parametrize("path", POLICIES)
def test_the_generated_trace_equals_the_entry_by_entry_trace_on_random_facilities_of_a_real_policy(path):
    on_random_facilities(path, _same_trace)


@pytest.mark.parametrize("path", POLICIES)
def test_the_generated_trace_equals_the_entry_by_entry_trace_when_every_fact_is_given(path):
    on_random_facilities(path, _same_trace, complete_facilities)


@pytest.mark.parametrize("case", [c for c in ALL if not {"want_error", "want_runtime_error"} & set(c.values[0])])
def test_the_generated_trace_equals_the_entry_by_entry_trace_on_a_language_case(case):
    policy, _ = load_case(case)
    _same_trace(policy, case_facts(case, policy))


def test_a_policy_is_traced_entry_by_entry_until_it_has_been_traced_often(monkeypatch):
    policy = load_policy("policies/ibaraki/2022.yaml")
    built = []
    monkeypatch.setattr(ev_mod.trace_code, "trace_function", lambda p, *plans: built.append(p) or trace_function(p, *plans))
    ev = Evaluation(policy, {}, run_rules(policy, {}))
    first = [ev.trace() for _ in range(ev_mod.TRACES_BEFORE_CODE)]
    assert built == []
    assert ev.trace() == first[0]
    assert built == [policy]
