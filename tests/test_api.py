# SPDX-License-Identifier: MIT
"""The Python API: load by id and year, evaluate a mapping, read values, unknowns and the trace."""
from __future__ import annotations

import datetime
import json

import pytest

import engine


def test_load_by_id_and_era_year_gives_the_same_policy():
    assert engine.load("ibaraki", "R4") is engine.load("ibaraki", 2022)


def test_evaluate_a_mapping_gives_values_unknowns_and_needed_facts():
    policy = engine.load("ibaraki", 2022)
    result = engine.evaluate(policy, {"emergency_tier": "secondary", "ambulance_transports": 1500,
                                      "decision_notice_received_on": datetime.date(2022, 10, 20)})
    assert result.results["basis"] == ["1"]
    assert result.results["withdrawal_deadline"] == datetime.date(2022, 11, 3)
    assert result.results["eligible"] is None
    assert "eligible" in result.unknown
    assert "responsible_person_assigned" in result.needed_facts
    assert "ambulance_transports" not in result.needed_facts


def test_trace_entry_cites_the_rule_and_lists_what_it_read():
    policy = engine.load("ibaraki", 2022)
    result = engine.evaluate(policy, {"emergency_tier": "tertiary", "ambulance_transports": 999})
    entry = next(t for t in result.trace() if t["rule"] == "ground_1")
    assert entry["value"] is False
    assert entry["reads"]["ambulance_transports"] == 999
    assert entry["cite"][0]["article"] == 2


def test_bad_facts_raise_our_error_with_a_code():
    policy = engine.load("ibaraki", 2022)
    with pytest.raises(engine.YokoError) as info:
        engine.evaluate(policy, {"emergency_tier": "primary"})
    assert info.value.diagnostics[0].code == "bad_fact"


def test_a_trace_from_the_api_is_the_callers_to_change():
    # the generated trace function (built after some traces in a process) shares unchanging pieces
    # between documents; a caller that annotates its trace must not change the next facility's
    policy = engine.load("ibaraki", 2022)
    facts = {"emergency_tier": "tertiary", "ambulance_transports": 999}
    for _ in range(40):  # past the traces written entry by entry: the generated function writes them now
        engine.evaluate(policy, facts).to_json()
    first = engine.evaluate(policy, facts).trace()
    want = json.dumps(engine.evaluate(policy, facts).trace(), ensure_ascii=False, default=str)  # as text: nothing shared

    def annotate(x):  # change every dict and list of the trace in place, as a caller might
        if isinstance(x, dict):
            for v in list(x.values()):
                annotate(v)
            x["caller's note"] = True
        elif isinstance(x, list):
            for v in list(x):
                annotate(v)
            x.append("caller's note")
    annotate(first)
    assert json.dumps(engine.evaluate(policy, facts).trace(), ensure_ascii=False, default=str) == want
    assert json.dumps(engine.evaluate(policy, facts).to_json()["trace"], ensure_ascii=False, default=str) == want
