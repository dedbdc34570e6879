# SPDX-License-Identifier: MIT
"""Facts accept the labels yoko prints: enum labels in ja and en and their common spellings, and
yes/no words for booleans, in facts files and table cells, each reported as normalised."""
from __future__ import annotations

import json

import pytest

import engine
from engine.base.diagnostics import YokoError
from engine.evaluation.facts import cell_value
from engine.evaluation.facts import check_facts

IBARAKI = ("ibaraki", 2022)


@pytest.mark.parametrize("written, value", [
    ("2次救急", "secondary"), ("二次救急", "secondary"), ("２次救急", "secondary"), ("2次 救急", "secondary"),
    ("三次救急", "tertiary"), ("3次救急", "tertiary"), ("Secondary", "secondary"), ("TERTIARY", "tertiary"),
    ("secondary", "secondary"),
])
def test_an_enum_fact_accepts_its_labels_and_their_common_spellings(written, value):
    facts = check_facts({"emergency_tier": written}, engine.load(*IBARAKI))
    assert facts["emergency_tier"] == value
    notes = [n.text("ja") for n in facts.notes]
    assert notes == ([] if written == value else [f"emergency_tier: 「{written}」を {value} と読みました"])


@pytest.mark.parametrize("written", ["4次救急", "二次", "救急", "second"])
def test_a_label_that_names_no_value_is_still_refused(written):
    with pytest.raises(YokoError) as info:
        check_facts({"emergency_tier": written}, engine.load(*IBARAKI))
    assert info.value.diagnostics[0].code == "bad_fact"


@pytest.mark.parametrize("written, value", [("はい", True), ("いいえ", False), ("yes", True), ("No", False),
                                            ("あり", True), ("なし", False)])
def test_a_boolean_fact_accepts_yes_and_no_words(written, value):
    facts = check_facts({"pediatric_emergency_hospital": written}, engine.load(*IBARAKI))
    assert facts["pediatric_emergency_hospital"] is value and len(facts.notes) == 1


@pytest.mark.parametrize("cell, value", [("はい", True), ("いいえ", False), ("yes", True), ("なし", False)])
def test_a_boolean_cell_accepts_yes_and_no_words(cell, value):
    assert cell_value(cell, {"type": "bool"}, "b") is value


def test_a_table_of_japanese_labels_evaluates_like_one_of_identifiers(cli, tmp_path):
    words, codes = tmp_path / "words.csv", tmp_path / "codes.csv"
    words.write_text("id,emergency_tier,ambulance_transports\nA,二次救急,1500\nB,3次救急,900\n", encoding="utf-8")
    codes.write_text("id,emergency_tier,ambulance_transports\nA,secondary,1500\nB,tertiary,900\n", encoding="utf-8")
    runs = [cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(p)) for p in (words, codes)]
    assert [json.loads(x)["results"] for x in runs[0].out.splitlines()] == \
           [json.loads(x)["results"] for x in runs[1].out.splitlines()]
