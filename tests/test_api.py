# SPDX-License-Identifier: MIT
"""The Python API: load by id and year, evaluate a mapping, read values, unknowns and the trace."""
from __future__ import annotations

import datetime

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
