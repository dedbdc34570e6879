# SPDX-License-Identifier: MIT
"""Reference periods: one facts file, several periods; each policy year takes its own."""
from __future__ import annotations

import json

import pytest

import engine
from engine.base.diagnostics import YokoError
from engine.policy.periods import period_key

FAC = "tests/cases/versions/facilities"


@pytest.fixture(autouse=True)
def with_2023(monkeypatch):
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")


def evaluate(cli, path, year):
    r = cli("evaluate", path, "--policy", "ibaraki", "--year", str(year), "--format", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def reads(ev, rule):
    return next(t for t in ev["trace"] if t["rule"] == rule)["reads"]


@pytest.mark.parametrize("spec, year, key", [
    ({"period": {"calendar_year": -1}}, 2022, "CY2021"),
    ({"period": {"calendar_year": -1}}, 2023, "CY2022"),
    ({"period": {"fiscal_year": -2}}, 2022, "FY2020"),
    ({"period": {"fiscal_year": 0}}, 2022, "FY2022"),
    ({"period": {"as_of": "the application date"}}, 2022, None),
    ({}, 2022, None),
])
def test_a_period_declaration_names_a_period_relative_to_the_fiscal_year(spec, year, key):
    assert period_key(spec, year) == key


def test_the_same_facility_file_uses_each_years_reference_period(cli):
    fy22 = evaluate(cli, f"{FAC}/transports-cross-2000.yaml", 2022)
    fy23 = evaluate(cli, f"{FAC}/transports-cross-2000.yaml", 2023)
    assert reads(fy22, "ground_1")["ambulance_transports"] == 1450   # CY2021
    assert reads(fy23, "ground_1")["ambulance_transports"] == 2100   # CY2022
    assert (fy22["results"]["basis"], fy23["results"]["basis"]) == (["1"], [])
    assert reads(fy22, "beds_reported")["max_used_beds"] == 180      # FY2020 report (fiscal_year: -2)
    assert reads(fy23, "beds_reported")["max_used_beds"] == 176      # FY2022 report (moved to -1 in 2023)


def test_a_period_the_file_does_not_give_is_unknown_not_another_years_value(cli, tmp_path):
    f = tmp_path / "new-hospital.yaml"
    f.write_text("emergency_tier: secondary\nambulance_transports: {CY2022: 1300}\n")
    fy22 = evaluate(cli, str(f), 2022)
    assert reads(fy22, "ground_1")["ambulance_transports"] is None
    assert "ambulance_transports" in fy22["needed_facts"]
    assert fy22["results"]["eligible"] is None
    fy23 = evaluate(cli, str(f), 2023)
    assert reads(fy23, "ground_1")["ambulance_transports"] == 1300


def test_flat_facts_keep_working():
    p = engine.load("ibaraki", 2022)
    ev = engine.evaluate(p, {"emergency_tier": "secondary", "ambulance_transports": 1500})
    assert ev.values["ground_1"] is True


def test_a_period_mapping_is_checked_like_the_value_it_holds(tmp_path):
    f = tmp_path / "f.yaml"
    f.write_text("ambulance_transports:\n  CY2020: 1\n  CY2021: -5\n")
    with pytest.raises(YokoError) as e:
        engine.evaluation.facts.load_facts_file(str(f), engine.load("ibaraki", 2022))
    d = e.value.diagnostics[0]
    assert (d.code, d.location.line, d.location.column) == ("bad_fact", 3, 11)
    assert "at least 0" in d.message


def test_another_years_bad_value_does_not_matter_to_this_year(tmp_path):
    p = engine.load("ibaraki", 2022)
    facts = engine.evaluation.facts.check_facts({"ambulance_transports": {"CY2021": 1200, "CY2022": "lots"}}, p)
    assert facts["ambulance_transports"] == 1200


@pytest.mark.parametrize("value, words", [
    ({"FY2021": 1200}, "ambulance_transports is for calendar 2021 (CY2021) in policy ibaraki 2022 but is "
                       "given only for FY2021"),
])
def test_a_mapping_of_the_wrong_kind_of_period_is_refused(value, words):
    with pytest.raises(YokoError) as e:
        engine.evaluate(engine.load("ibaraki", 2022), {"ambulance_transports": value})
    assert e.value.diagnostics[0].code == "bad_fact"
    assert words in e.value.diagnostics[0].message


def test_a_fact_without_a_reference_period_cannot_be_given_per_period():
    with pytest.raises(YokoError) as e:
        engine.evaluate(engine.load("ibaraki", 2022), {"acute_mi_treatments": {"CY2021": 70}})
    d = e.value.diagnostics[0]
    assert d.code == "bad_fact"
    assert "declares no reference period" in d.message


def test_a_record_fact_is_not_mistaken_for_periods():
    p = engine.load("ibaraki", 2022)
    facts = engine.evaluation.facts.check_facts({"expenses": [{"item": "x", "amount": 3, "covered_by": "none",
                                                    "other_subsidy": False}]}, p)
    assert facts["expenses"][0]["amount"] == 3
