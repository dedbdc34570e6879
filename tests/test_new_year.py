# SPDX-License-Identifier: MIT
"""From FY2022 to a new year with the CLI alone: new-year, edit, check, test, diff, render.

Everything happens in a copy of the repository's policies, schema and examples under tmp_path
(YOKO_POLICY_PATH points there). The FY2023 written here is INVENTED for the test: its rate
per bed and its ground 4 are made-up changes of the kinds staff make every year.
"""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.review.new_year import shift_date, shift_text

ROOT = Path(__file__).resolve().parent.parent

# What a member of staff adds by hand after `yoko new-year`: one parameter and one rule changed.
EDITS = """\
  parameters:
    unit_per_bed:
      value: 140000
      unit: yen
      label: {ja: 1床当たりの額（140千円）, en: Amount per bed (140 thousand yen)}
      cite: {source: guideline, article: 6, paragraph: 2}
  rules:
    ground_4:
      type: bool
      expr: home_care_support in ["enhanced_single", "enhanced_joint"]
      label:
        ja: 在宅医療において特に積極的な役割を担う医療機関（機能強化型の単独型・連携型）
        en: Especially active in home care (enhanced home-care support, single or joint type)
      cite: {source: guideline, article: 2, item: 4}
"""

FILLED = {
    "enacted: TODO": "enacted: 2023-06-01",
    "applies_from: TODO": "applies_from: 2023-04-01",
    "    date: TODO": "    date: 2023-06-01",
    "    number: TODO": "    number: 医人第123号",
}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A policy repository: the shipped FY2022 policy and its cases, the schema and the examples."""
    (tmp_path / "policies" / "ibaraki").mkdir(parents=True)
    for name in ("2022.yaml", "2022.tests.yaml"):
        shutil.copy(ROOT / "policies" / "ibaraki" / name, tmp_path / "policies" / "ibaraki" / name)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "examples" / "ibaraki-2022", tmp_path / "examples" / "ibaraki-2022")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YOKO_POLICY_PATH", str(tmp_path / "policies"))
    return tmp_path


def add_edits(path: Path) -> None:
    """Put the edited parameter and rule under override:, after what new-year moved under patch:, and
    the label of the rule that quotes the amount under patch: (check warns of it otherwise: stale_label)."""
    text = path.read_text("utf-8")
    assert "\npatch:\n" in text and "\noverride:" not in text
    at = text.index("\n  rules:\n", text.index("\npatch:\n")) + len("\n  rules:\n")
    text = text[:at] + PER_BED_LABEL + text[at:]
    path.write_text(text + "override:\n" + EDITS, "utf-8")


PER_BED_LABEL = """\
    per_bed_cap:
      label: {ja: 病床数に140千円を乗じて得た額, en: "Beds times 140,000 yen"}
"""


def test_a_new_year_is_drafted_checked_tested_diffed_and_rendered_with_the_cli_alone(repo, cli, snapshot):
    # 1. the draft
    r = cli("new-year", "ibaraki", "2023")
    assert r.code == 0, r.err
    assert r.out == snapshot(name="new-year output")
    draft = repo / "policies" / "ibaraki" / "2023.yaml"
    assert draft.read_text("utf-8") == snapshot(name="the draft")

    # 2. unfilled, it cannot be shipped
    r = cli("check", "policies/ibaraki/2023.yaml")
    assert r.code == 2
    assert r.err.count(": unfilled_todo: ") == 7
    assert r.err == snapshot(name="check of the draft")

    # 3. filled in, with a parameter and a rule changed
    text = draft.read_text("utf-8")
    for start, value in FILLED.items():
        text = "\n".join(value if ln.startswith(start) else ln for ln in text.splitlines()
                         if "    file: TODO" not in ln) + "\n"
    draft.write_text(text, "utf-8")
    add_edits(draft)
    r = cli("check", "policies/ibaraki/2023.yaml")
    assert (r.code, r.out, r.err) == (0, "ok: policies/ibaraki/2023.yaml\n", "")

    # 4. the FY2022 cases show what the changes do; accepted with --update
    r = cli("test", "policies/ibaraki/2023.yaml")
    assert r.code == 1
    assert r.out == snapshot(name="test before update")
    r = cli("test", "--update", "policies/ibaraki/2023.yaml")
    assert r.code == 0, r.out
    r = cli("test", "--coverage", "policies/ibaraki/2023.yaml")
    assert r.code == 0 and "30 cases, 30 passed" in r.out

    # 5. what changed, for a reviewer
    r = cli("diff", "ibaraki/2022", "ibaraki/2023", "--format", "markdown", "--lang", "en")
    assert r.code == 0, r.err
    assert "unit_per_bed" in r.out and "ground_4" in r.out
    assert r.out == snapshot(name="diff")

    # 6. the new year as a document
    r = cli("render", "ibaraki", "--year", "2023")
    assert r.code == 0, r.err
    assert "「1床当たりの額（140千円）」（140,000 円）" in r.out
    assert r.out == snapshot(name="render")


def test_the_draft_extends_the_latest_policy_and_moves_reference_periods_forward(repo, cli):
    cli("new-year", "ibaraki", "2023")
    doc = YAML(typ="safe").load((repo / "policies" / "ibaraki" / "2023.yaml").read_text("utf-8"))
    assert doc["extends"] == {"policy": "ibaraki", "fiscal_year": 2022}
    facts = doc["patch"]["facts"]
    assert facts["ambulance_transports"] == {"label": {
        "ja": "救急用の自動車又は救急医療用ヘリコプターによる搬送件数（令和4年1月〜12月）",
        "en": "Transports by ambulance or emergency helicopter (calendar 2022)"}}  # the period moves by itself
    assert facts["max_used_beds"]["label"]["en"].startswith("Maximum beds in use, FY2021 bed function report")
    assert doc["patch"]["parameters"]["report_final_date"] == {"value": datetime.date(2024, 3, 31)}
    assert "plans_level_b" not in facts  # 令和6年 in its label is a fixed deadline, not the year's own
    assert "has_regional_care_system_addon" not in facts  # "the FY2020 fee revision" is history


def test_years_inside_rule_labels_and_notes_move_without_copying_the_rule(repo, cli):
    cli("new-year", "ibaraki", "2023")
    doc = YAML(typ="safe").load((repo / "policies" / "ibaraki" / "2023.yaml").read_text("utf-8"))
    rules = doc["patch"]["rules"]
    assert rules["beds_reported"]["label"]["ja"] == "算定の基礎となる最大使用病床数（令和3年度病床機能報告）"
    assert "令和6年3月31日" in rules["report_due"]["notes"][0]["text"]["ja"]
    assert "31 March 2024" in rules["report_due"]["notes"][0]["text"]["en"]
    assert set(rules["report_due"]) == {"notes"}  # expression, label and citation stay inherited


def test_the_moved_draft_renders_no_date_of_the_year_before(repo, cli):
    draft = repo / "policies" / "ibaraki" / "2023.yaml"
    cli("new-year", "ibaraki", "2023")
    text = "\n".join(ln for ln in draft.read_text("utf-8").splitlines() if "    file: TODO" not in ln) + "\n"
    for start, value in FILLED.items():
        text = "\n".join(value if ln.startswith(start) else ln for ln in text.splitlines()) + "\n"
    draft.write_text(text, "utf-8")
    r = cli("render", "policies/ibaraki/2023.yaml")
    assert r.code == 0, r.err
    assert "令和5年3月31日" not in r.out and "令和2年度病床機能報告" not in r.out


def test_the_cases_are_copied_with_their_comments_flagged_and_facts_files_re_pointed(repo, cli, tmp_path):
    out = tmp_path / "elsewhere" / "2023.yaml"
    cli("new-year", "ibaraki", "2023", "--out", str(out))
    text = out.with_name("2023.tests.yaml").read_text("utf-8")
    assert "grant_amount: 6833000      # [要確認] 10,250,500 × 2/3 = 6,833,666.67 → 千円未満切捨て" in text
    assert "facts_file: ../examples/ibaraki-2022/ground-1-cost-share-smaller.yaml" in text
    assert text.startswith("# yoko new-year が policies/ibaraki/2022.tests.yaml から写したケース。")


def test_the_cases_carry_their_dates_forward_a_year(repo, cli):
    cli("new-year", "ibaraki", "2023")
    doc = YAML(typ="safe").load((repo / "policies" / "ibaraki" / "2023.tests.yaml").read_text("utf-8"))
    first = doc["cases"][0]
    facts_file = YAML(typ="safe").load((repo / "examples" / "ibaraki-2022" / "ground-1-cost-share-smaller.yaml")
                                       .read_text("utf-8"))
    moved = {k: v.replace(year=v.year + 1) for k, v in facts_file.items() if isinstance(v, datetime.date)}
    assert moved and all(first["facts"][k] == v for k, v in moved.items())  # the file's dates, a year on
    assert first["expect"]["withdrawal_deadline"] == datetime.date(2023, 11, 15)
    # completed 28 February: the 30th day is 29 March in 2023 but 28 March in 2024 (a leap year)
    assert first["facts"]["completion_date"] == datetime.date(2024, 2, 28)
    assert first["expect"]["report_due"].startswith("TODO 期待する日付を確かめる（前年度は 2023-03-29")


def test_an_expected_date_across_29_february_is_left_as_todo(tmp_path):
    from engine.policy.load import load_policy
    from engine.review.new_year import carry_tests
    tests = tmp_path / "2022.tests.yaml"
    tests.write_text("cases:\n  - name: x\n    facts: {completion_date: 2023-02-01}\n"
                     "    expect:\n      report_due: 2023-03-02  # 30th day\n", "utf-8")
    doc = carry_tests(tests, tmp_path / "2023.tests.yaml", load_policy("policies/ibaraki/2022.yaml"), 2023)
    case = doc["cases"][0]
    assert case["facts"]["completion_date"] == datetime.date(2024, 2, 1)
    assert str(case["expect"]["report_due"]).startswith("TODO ")


def test_test_update_flags_the_comment_of_a_value_it_changes(repo, cli):
    tests = repo / "policies" / "ibaraki" / "2022.tests.yaml"
    text = tests.read_text("utf-8").replace("grant_amount: 12635000     # 95床 × 133,000円",
                                            "grant_amount: 1     # 95床 × 133,000円")
    tests.write_text(text, "utf-8")
    r = cli("test", "--update", "policies/ibaraki/2022.yaml")
    assert r.code == 0, r.out
    assert "grant_amount: 12635000 # [要確認] 95床 × 133,000円" in tests.read_text("utf-8")


def test_another_prefecture_starts_from_a_policy_of_another_id(repo, cli):
    r = cli("new-year", "--from", "ibaraki/2022", "miyazaki", "2023")
    assert r.code == 0, r.err
    draft = repo / "policies" / "miyazaki" / "2023.yaml"
    doc = YAML(typ="safe").load(draft.read_text("utf-8"))
    assert (doc["id"], doc["extends"]) == ("miyazaki", {"policy": "ibaraki", "fiscal_year": 2022})
    assert doc["jurisdiction"]["code"].startswith("TODO") and doc["cite_map"] == []
    assert doc["sources"]["guideline"]["title"]["ja"].startswith("TODO")
    assert (repo / "policies" / "miyazaki" / "2023.tests.yaml").exists()
    r = cli("check", str(draft))
    assert r.code == 2 and "unfilled_todo" in r.err and "policy_exists" not in r.err


def test_a_year_that_exists_is_not_overwritten(repo, cli):
    r = cli("new-year", "ibaraki", "R4")
    assert r.code == 2
    assert r.err.startswith("policy_exists: policy ibaraki 2022 already exists: policies/ibaraki/2022.yaml")


def test_an_unknown_id_is_refused_with_a_suggestion(repo, cli):
    r = cli("new-year", "ibarak", "2023")
    assert r.code == 2 and "unknown_policy: no policy with id ibarak" in r.err and "did you mean: ibaraki" in r.err


def test_the_file_is_never_overwritten(repo, cli):
    (repo / "policies" / "ibaraki" / "2023.tests.yaml").write_text("cases: []\n", "utf-8")
    r = cli("new-year", "ibaraki", "2023")
    assert r.code == 2 and "file_exists" in r.err
    assert not (repo / "policies" / "ibaraki" / "2023.yaml").exists()


@pytest.mark.parametrize("text, moved", [
    ("（令和3年1月〜12月）", "（令和4年1月〜12月）"),
    ("令和2年度病床機能報告", "令和3年度病床機能報告"),
    ("令和元年度", "令和2年度"),
    ("(calendar 2021)", "(calendar 2022)"),
    ("FY2020 bed function report", "FY2021 bed function report"),
    ("1,000 to 1,999 transports", "1,000 to 1,999 transports"),  # numbers that are not years stay
    ("133000 yen", "133000 yen"),
    ("令和5年3月31日", "令和6年3月31日"),
    ("2023-03-31", "2024-03-31"),
    ("2024年2月29日", "2025年2月28日"),
    ("R4.11.1", "R5.11.1"),
    ("平成30年度", "令和元年度"),
])
def test_years_in_a_label_move_forward_and_nothing_else(text, moved):
    assert shift_text(text, 1) == moved


def test_a_date_moves_by_the_calendar_and_29_february_becomes_28_february():
    assert shift_date(datetime.date(2023, 3, 31), 1) == datetime.date(2024, 3, 31)
    assert shift_date(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
