# SPDX-License-Identifier: MIT
"""check warns (stale_label) when a label quotes a year or an amount the policy no longer has."""
from __future__ import annotations

import pytest

from edits import edited_text
from engine.policy.load import load_policy
from engine.review.stale import stale_labels
from test_new_year import FILLED, repo  # noqa: F401  (the fixture: a repository with Ibaraki FY2022)


def test_no_shipped_policy_has_a_stale_label(cli):
    r = cli("check", "policies", "--lang", "en")
    assert r.code == 0
    assert "stale_label" not in r.err


def test_a_parameter_raised_to_140000_under_labels_saying_133_thousand_yen_is_warned_at_each_label():
    text = edited_text("unit-per-bed-140000")
    found = stale_labels(load_policy("policies/ibaraki/2022.yaml", text))
    lines = text.splitlines()
    assert [(d.code, d.severity) for d in found] == [("stale_label", "warning")] * 2
    assert lines[found[0].location.line - 1].startswith("    label: {ja: 1床当たりの額（133千円）")
    assert lines[found[1].location.line - 1].startswith("    label: {ja: 病床数に133千円を乗じて得た額")
    assert found[0].message == ("the label of unit_per_bed says 133千円 but the parameter value is 140,000 yen; "
                                "correct the amount in the label")
    assert found[1].message_ja == ("per_bed_cap の表示名は 133千円 としていますが、パラメータの値は 140,000 円です。"
                                   "表示名の金額を直してください")


def _draft(repo, cli, patch_parameters: str = ""):  # noqa: F811
    """`yoko new-year ibaraki 2023`, its TODOs filled, then edited as a person in a hurry would."""
    cli("new-year", "ibaraki", "2023")
    path = repo / "policies" / "ibaraki" / "2023.yaml"
    text = path.read_text("utf-8")
    text = "\n".join(ln for ln in text.splitlines() if "    file: TODO" not in ln) + "\n"
    for start, value in FILLED.items():
        text = "\n".join(value if ln.startswith(start) else ln for ln in text.splitlines()) + "\n"
    if patch_parameters:
        at = text.index("\n  parameters:\n", text.index("\npatch:\n")) + len("\n  parameters:\n")
        text = text[:at] + patch_parameters + text[at:]
    path.write_text(text, "utf-8")
    return path


def test_a_new_year_draft_whose_parameter_changed_but_not_its_label_is_warned(repo, cli):  # noqa: F811
    path = _draft(repo, cli, "    unit_per_bed:\n      value: 140000\n")
    r = cli("check", str(path), "--lang", "en")
    assert r.code == 0
    warned = [line for line in r.err.splitlines() if "stale_label" in line]
    assert len(warned) == 2 and all(line.startswith(f"{path}:") for line in warned)
    assert "the label of unit_per_bed says 133千円 but the parameter value is 140,000 yen" in warned[0]
    ja = cli("check", str(path), "--lang", "ja")
    assert "unit_per_bed の表示名は 133千円 としていますが、パラメータの値は 140,000 円です" in ja.err


def test_the_warning_goes_once_the_labels_say_the_new_amount(repo, cli):  # noqa: F811
    path = _draft(repo, cli, "    unit_per_bed:\n      value: 140000\n"
                             "      label: {ja: 1床当たりの額（140千円）, en: Amount per bed (140 thousand yen)}\n")
    text = path.read_text("utf-8")
    at = text.index("\n  rules:\n", text.index("\npatch:\n")) + len("\n  rules:\n")
    text = text[:at] + "    per_bed_cap:\n      label: {ja: 病床数に140千円を乗じて得た額, en: \"Beds times 140,000 yen\"}\n" + text[at:]
    path.write_text(text, "utf-8")
    r = cli("check", str(path), "--lang", "en")
    assert "stale_label" not in r.err, r.err


def test_an_inherited_label_naming_last_years_reference_period_is_warned_at_extends():
    p = load_policy("tests/cases/authoring/other-prefecture.yaml")  # invented FY2023 child of Ibaraki FY2022
    found = [(d.location.file, d.location.line, d.message) for d in stale_labels(p)]
    assert found[0] == ("tests/cases/authoring/other-prefecture.yaml", 8,
                        "the label of ambulance_transports says 令和3年 but its reference period is 2022; "
                        "correct the year in the label")
    assert {m.split()[3] for _, _, m in found} == {"ambulance_transports", "off_hours_admissions", "max_used_beds"}


@pytest.mark.parametrize("label", ["（令和4年1月〜12月）", "(calendar 2022)", "（R4）"])
def test_a_label_naming_the_reference_year_in_any_spelling_is_not_warned(label, tmp_path):
    text = (TEMPLATE.replace("LABEL", label))
    assert stale_labels(load_policy(str(tmp_path / "p.yaml"), text)) == []


def test_a_label_naming_another_year_than_the_reference_period_is_warned(tmp_path):
    found = stale_labels(load_policy(str(tmp_path / "p.yaml"), TEMPLATE.replace("LABEL", "（令和3年）")))
    assert [(d.code, d.location.line) for d in found] == [("stale_label", 11)]


TEMPLATE = """\
id: stale  # invented for tests
jurisdiction: {code: JP-99, name: {ja: 架空県, en: Invented Prefecture}}
fiscal_year: 2023
title: {ja: 例, en: Example}
sources: {guideline: {title: {ja: 要項, en: Guideline}, number: null}}
facts:
  transports:
    type: int
    unit: cases
    period: {calendar_year: -1}
    label: {ja: 搬送件数LABEL, en: Transports}
rules:
  many: {type: bool, expr: transports >= 1000, label: {ja: 多い, en: many}, cite: {source: guideline, article: 1}}
results: [many]
"""


def test_a_note_naming_another_year_than_the_reference_period_is_warned_at_the_note(tmp_path):
    noted = TEMPLATE.replace("    label: {ja: 搬送件数LABEL, en: Transports}\n",
                             "    label: {ja: 搬送件数, en: Transports}\n"
                             "    notes:\n      - {kind: note, text: {ja: 令和3年の実績による, en: as reported for 2021}}\n")
    found = stale_labels(load_policy(str(tmp_path / "p.yaml"), noted))
    assert [(d.code, d.location.line) for d in found] == [("stale_label", 13)]
    assert found[0].message == ("a note of transports says 令和3年 but its reference period is 2022; "
                                "correct the year in the note")
    right = noted.replace("令和3年", "令和4年").replace("2021", "2022")
    assert stale_labels(load_policy(str(tmp_path / "p.yaml"), right)) == []
