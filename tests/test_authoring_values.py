# SPDX-License-Identifier: MIT
"""Values as staff write them: 9/10, 90%, 令和 dates, an empty facts:, display-only facts.

Every policy here is invented for the tests (a copy of tests/cases/versions/chains/base.yaml)."""
from __future__ import annotations

import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from engine.base.diagnostics import YokoError
from engine.policy.load import load_policy

BASE = Path("tests/cases/versions/chains/base.yaml").read_text("utf-8")


def _policy(tmp_path, text: str) -> str:
    path = tmp_path / "p.yaml"
    path.write_text("# invented for tests\n" + text, encoding="utf-8")
    return str(path)


def _with_param(tmp_path, value: str, extra: str = "") -> str:
    """The base with one more parameter, `remote_rate`, written as `value` (line 25)."""
    text = BASE.replace("rules:\n", f"  remote_rate:\n    value: {value}\n{extra}"
                                      "    cite: {source: rules, article: 2}\nrules:\n", 1)
    return _policy(tmp_path, text)


@pytest.mark.parametrize("written, exact", [("9/10", Fraction(9, 10)), ("90%", Fraction(9, 10)),
                                            ('"2/3"', Fraction(2, 3)), ("12.5%", Fraction(1, 8)), ("100%", 1)])
def test_a_fraction_or_percentage_parameter_is_an_exact_number(tmp_path, written, exact):
    p = load_policy(_with_param(tmp_path, written))
    assert p.parameters["remote_rate"].value == exact


def test_a_japanese_era_date_parameter_is_a_date(tmp_path):
    p = load_policy(_with_param(tmp_path, "令和6年4月20日"))
    assert p.parameters["remote_rate"].value == datetime.date(2024, 4, 20)


@pytest.mark.parametrize("written", ["９／１０", "9割", "1,000円", "9/0"])
def test_a_number_spelt_otherwise_is_an_error_at_the_parameter_with_the_spelling_to_use(tmp_path, written):
    path = _with_param(tmp_path, written)
    with pytest.raises(YokoError) as e:
        load_policy(path)
    [d] = [d for d in e.value.diagnostics if d.is_error]
    assert (d.code, d.location.line) == ("bad_parameter", 25)
    assert "9/10, 90% or 0.9" in d.message and "9/10、90%、0.9" in d.text("ja")


def test_a_text_parameter_keeps_its_text(tmp_path):
    p = load_policy(_with_param(tmp_path, "90%", "    type: text\n"))
    assert p.parameters["remote_rate"].value == "90%"


def test_facts_with_only_a_comment_is_empty_not_an_error(tmp_path):
    child = ("id: chaintest\nfiscal_year: 2047\nextends: {policy: chaintest, fiscal_year: 2030}\n"
             "title: {ja: t, en: t}\nfacts:\n  # none this year\nparameters:\n")
    base = tmp_path / "base.yaml"
    base.write_text(BASE, "utf-8")
    path = tmp_path / "child.yaml"
    path.write_text("# invented for tests\n" + child, "utf-8")
    p = load_policy(str(path))
    assert p.fiscal_year == 2047 and "beds" in p.facts


def test_a_display_only_fact_raises_no_unused_warning(tmp_path):
    text = BASE.replace("  remote: {type: bool, label: {ja: へき地, en: Remote area}}\n",
                        "  remote: {type: bool, label: {ja: へき地, en: Remote area}}\n"
                        "  name: {type: text, display_only: true, label: {ja: 施設名, en: Name}}\n")
    p = load_policy(_policy(tmp_path, text))
    assert [d for d in p.warnings if d.code == "unused_fact" and "name" in d.message] == []
    bare = load_policy(_policy(tmp_path, text.replace("display_only: true, ", "")))
    assert [d.code for d in bare.warnings if "name" in d.message] == ["unused_fact"]  # the test can fail
