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

from engine.cli.new_year import shift_date, shift_text

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
    """Put the edited parameter and rule under override:, beside what new-year moved."""
    text = path.read_text("utf-8")
    params, rules = EDITS.split("  rules:\n")
    param_items = params.removeprefix("  parameters:\n")
    assert "  parameters:\n    report_final_date:" in text
    text = text.replace("  parameters:\n    report_final_date:", "  parameters:\n" + param_items + "    report_final_date:")
    path.write_text(text + "  rules:\n" + rules, "utf-8")


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
    assert r.code == 0 and "25 cases, 25 passed" in r.out

    # 5. what changed, for a reviewer
    r = cli("diff", "ibaraki/2022", "ibaraki/2023", "--format", "markdown")
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
    facts = doc["override"]["facts"]
    assert facts["ambulance_transports"]["label"]["ja"].endswith("（令和4年1月〜12月）")
    assert facts["ambulance_transports"]["period"] == {"calendar_year": -1}  # relative: moves by itself
    assert facts["max_used_beds"]["label"]["en"].startswith("Maximum beds in use, FY2021 bed function report")
    assert doc["override"]["parameters"]["report_final_date"]["value"] == datetime.date(2024, 3, 31)
    assert "plans_level_b" not in facts  # 令和6年 in its label is a fixed deadline, not a period


def test_copied_items_keep_the_key_order_and_flow_style_of_the_base(repo, cli):
    cli("new-year", "ibaraki", "2023")
    text = (repo / "policies" / "ibaraki" / "2023.yaml").read_text("utf-8")
    assert ("    ambulance_transports:\n      type: int\n      min: 0\n      unit: cases\n"
            "      period: {calendar_year: -1}\n      label:\n") in text


def test_the_cases_are_copied_with_their_comments_and_facts_files_re_pointed(repo, cli, tmp_path):
    out = tmp_path / "elsewhere" / "2023.yaml"
    cli("new-year", "ibaraki", "2023", "--out", str(out))
    text = out.with_name("2023.tests.yaml").read_text("utf-8")
    assert "grant_amount: 6833000      # 10,250,500 × 2/3 = 6,833,666.67 → 千円未満切捨て" in text
    assert "facts_file: ../examples/ibaraki-2022/ground-1-cost-share-smaller.yaml" in text
    assert text.startswith("# yoko new-year が policies/ibaraki/2022.tests.yaml から写したケース。")


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
])
def test_years_in_a_label_move_forward_and_nothing_else(text, moved):
    assert shift_text(text, 1) == moved


def test_a_date_moves_by_the_calendar_and_29_february_becomes_28_february():
    assert shift_date(datetime.date(2023, 3, 31), 1) == datetime.date(2024, 3, 31)
    assert shift_date(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
