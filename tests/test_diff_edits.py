# SPDX-License-Identifier: MIT
"""yoko diff on ten invented edits of Ibaraki FY2022 (tests/cases/edits/): the verdict, the exit
status of --exit-code, and the facilities of the example corpus grouped by cause."""
from __future__ import annotations

import json

import pytest

from edits import NAMES, write_edit

CORPUS = "examples/ibaraki-2022"

# edit -> (verdict kind, exit status, [(causes, facility count, {result: Δ total})])
WANT = {
    "transports-threshold-900": ("facilities_change", 1, [
        ([("parameter", "transports_min")], 2, {})]),
    "new-exclusion-with-new-fact": ("facilities_change", 1, [
        ([("expression", "excluded"), ("fact_added", "received_other_prefectural_subsidy")], 13, {})]),
    "unit-per-bed-140000": ("facilities_change", 1, [
        ([("parameter", "unit_per_bed")], 4, {"grant_amount": 1291000})]),
    "rounding-unit-10000": ("facilities_change", 1, [
        ([("parameter", "rounding_unit")], 3, {"grant_amount": -13000})]),
    "reworded-note": ("cosmetic", 0, []),
    "rules-reordered": ("cosmetic", 0, []),
    "equivalent-expression": ("cosmetic", 0, []),
    "ground-4-dropped": ("facilities_change", 1, [
        ([("expression", "any_ground"), ("rule_removed", "ground_4")], 1, {"grant_amount": -1600000})]),
    "deadline-counted-from-next-day": ("facilities_change", 1, [
        ([("expression", "report_due")], 7, {})]),
    "typo-on-new-side": ("error", 2, None),
}


def test_every_invented_edit_has_an_expectation():
    assert sorted(WANT) == NAMES


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edits")
    return {name: str(write_edit(name, folder)) for name in NAMES}


def _diff(cli, edited, name, *extra):
    return cli("diff", "ibaraki/2022", edited[name], "--facilities", CORPUS, "--exit-code", *extra)


@pytest.mark.parametrize("name", sorted(WANT))
def test_each_edit_gets_its_verdict_exit_status_and_groups(cli, edited, name):
    kind, code, groups = WANT[name]
    r = _diff(cli, edited, name, "--format", "json")
    assert r.code == code, r.err
    report = json.loads(r.out)
    assert report["verdict"]["kind"] == kind
    if groups is None:
        assert "behavioural" not in report
        return
    got = [([(c["kind"], c["name"]) for c in g["cause"]], g["count"],
            {n: t["delta"] for n, t in g["totals"].items() if t.get("delta")}) for g in report["behavioural"]["groups"]]
    assert got == groups


def test_a_threshold_edit_is_blamed_on_the_parameter_through_both_grounds(cli, edited):
    report = json.loads(_diff(cli, edited, "transports-threshold-900", "--format", "json").out)
    (group,) = report["behavioural"]["groups"]
    assert group["steps"] == ["basis", "ground_1", "ground_2a"]
    assert [f["name"] for f in group["facilities"]] == ["架空 鹿行地域医療センター (fictional)",
                                                       "架空 県北総合医療センター (fictional)"]
    assert group["facilities"][0]["results"] == {"basis": {"old": ["2a"], "new": ["1"]}}


def test_results_made_unknown_by_a_new_fact_show_a_range_and_the_deciding_fact(cli, edited):
    report = json.loads(_diff(cli, edited, "new-exclusion-with-new-fact", "--format", "json").out)
    (group,) = report["behavioural"]["groups"]
    first = group["facilities"][0]["results"]["grant_amount"]
    assert first["old"] == 3000000 and first["new"] is None
    assert first["new_range"] == {"deciding": ["received_other_prefectural_subsidy"], "exact": True,
                                  "min": 0, "max": 3000000}
    assert group["totals"]["grant_amount"]["new_range"] == {"min": 0, "max": 78493000}
    text = _diff(cli, edited, "new-exclusion-with-new-fact", "--lang", "en").out
    assert "every one of the 13 facilities now needs the new fact received_other_prefectural_subsidy" in text


def test_a_deadline_edit_shows_the_shift_in_days(cli, edited):
    report = json.loads(_diff(cli, edited, "deadline-counted-from-next-day", "--format", "json").out)
    (group,) = report["behavioural"]["groups"]
    assert group["totals"]["report_due"]["days"] == {"min": 1, "max": 1}
    assert "+1 日" in _diff(cli, edited, "deadline-counted-from-next-day", "--lang", "ja").out


def test_a_reworded_note_shows_the_changed_words(cli, edited):
    text = _diff(cli, edited, "reworded-note", "--lang", "en").out
    assert "A ground that cannot {+yet +}be decided is [-not-]{+left+} [-listed-]{+out of the list+}" in text
    ja = _diff(cli, edited, "reworded-note", "--lang", "ja").out
    assert "判定できない区分は{+一覧に+}含めない（その区分は不明な規則[-として-]{+の中に+}示される）" in ja


def test_reordered_rules_and_an_equivalent_rewrite_are_called_cosmetic(cli, edited):
    first = _diff(cli, edited, "rules-reordered", "--lang", "en").out.splitlines()[1]
    assert first == "Verdict: cosmetic only (reordered): no facility's outcome can change"
    text = _diff(cli, edited, "equivalent-expression", "--lang", "en").out
    assert text.splitlines()[1] == ("Verdict: cosmetic only (equivalent rewrite of an expression): "
                                    "no facility's outcome can change")
    assert "equivalent rewrite (no outcome changes)" in text


def test_a_broken_side_shows_its_errors_and_the_diff_of_what_parsed(cli, edited):
    r = _diff(cli, edited, "typo-on-new-side", "--lang", "en")
    assert r.code == 2
    assert r.out.splitlines()[1] == "Verdict: error: the new policy does not load"
    assert "unknown_name: unknown name has_regional_care_sytem_addon" in r.out
    assert "+ has_regional_care_sytem_addon" in r.out
    assert "unknown_name" in r.err and "Traceback" not in r.err


def test_both_broken_sides_show_both_sides_errors(cli, edited):
    r = cli("diff", edited["typo-on-new-side"], edited["typo-on-new-side"], "--lang", "en")
    assert r.code == 2
    assert "Verdict: error: the old, new policy does not load" in r.out
    assert r.out.count("unknown name has_regional_care_sytem_addon") == 2


def test_without_exit_code_a_behaviour_change_still_exits_zero(cli, edited):
    assert cli("diff", "ibaraki/2022", edited["unit-per-bed-140000"]).code == 0


def test_without_a_corpus_a_rule_change_is_called_unchecked(cli, edited):
    r = cli("diff", "ibaraki/2022", edited["unit-per-bed-140000"], "--exit-code", "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines()[1].startswith("Verdict: rules changed (behaviour not checked")


def test_a_step_that_changed_under_a_result_unknown_on_both_sides_is_flagged(cli, edited, tmp_path):
    (tmp_path / "tier-missing.yaml").write_text(
        "name: 架空 霞ヶ浦南病院 (fictional)\nambulance_transports: 950\nsole_emergency_hospital_in_area: false\n"
        "prefecture_recognized_core_hospital: false\n", encoding="utf-8")
    r = cli("diff", "ibaraki/2022", edited["transports-threshold-900"], "--facilities", str(tmp_path),
            "--format", "json", "--exit-code")
    b = json.loads(r.out)["behavioural"]
    assert b["changed"] == []
    (hidden,) = b["hidden"]
    assert hidden["name"] == "架空 霞ヶ浦南病院 (fictional)"
    assert "eligible" in hidden["results"]
    assert hidden["steps"]["ground_1"] == {"old": False, "new": None}
    assert hidden["steps"]["ground_2a"] == {"old": None, "new": False}
    assert r.code == 1  # the rules changed; the corpus shows no outcome change
