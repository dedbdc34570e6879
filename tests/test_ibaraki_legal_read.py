# SPDX-License-Identifier: MIT
"""What an independent legal read of Ibaraki FY2022 found, fixed: every clause accounted for, the
notes it asked for, the reading of Art. 2(2)イ, the labels, and Art. 8(5) counted as 民法 counts."""
from __future__ import annotations

import pytest

import engine
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts
from engine.lang.values import to_json
from engine.policy.sources import find_source
from engine.review.clauses import clause_coverage

IBARAKI = "policies/ibaraki/2022.yaml"


@pytest.fixture(scope="module")
def policy():
    return engine.load_file(IBARAKI)


@pytest.fixture(scope="module")
def coverage(policy):
    return clause_coverage(policy, find_source(IBARAKI))


def _status(cov, cite: dict) -> tuple[str, str]:
    i, why = cov.src.resolve(cite)
    assert i is not None, why
    s = cov.statuses[i]
    return s.status, s.how


@pytest.mark.parametrize("path", [IBARAKI, "policies/national/2020.yaml"])
def test_every_clause_of_a_real_policy_is_computed_stated_or_out_of_scope(path):
    cov = clause_coverage(engine.load_file(path), find_source(path))
    assert [cov.src.clauses[i].key for i in cov.missing] == []
    assert cov.percent == 100.0


@pytest.mark.parametrize("cite, status", [
    ({"article": 3}, ("stated", "direct")),                                   # the funded project
    ({"article": 8, "item": 2}, ("stated", "direct")),                        # approval for changes
    ({"article": 8, "item": 3}, ("stated", "direct")),                        # suspension, abolition
    ({"article": 8, "item": 4}, ("stated", "direct")),                        # reporting difficulties
    ({"article": 8, "item": 5}, ("computed", "direct")),                      # records_kept_until
    ({"article": 8}, ("stated", "parts")),                                    # its chapeau, by its items
    ({"article": 9, "paragraph": 1}, ("stated", "direct")),                   # the governor may investigate
    ({"article": 14, "paragraph": 2}, ("stated", "direct")),                  # the consumption-tax report
    ({"article": 13, "item": 2}, ("stated", "above")),                        # under the not-computed note
    ({"article": 2, "item": 2, "subitem": "イ"}, ("computed", "direct")),
    ({"clause": "付則"}, ("stated", "direct")),
])
def test_the_clauses_the_legal_read_found_unstated_are_now_accounted_for(coverage, cite, status):
    assert _status(coverage, {"source": "guideline", **cite}) == status


def _notes(policy, rule=None):
    return (policy.rules[rule].spec if rule else policy.meta).get("notes") or []


def _cited(note) -> list[dict]:
    c = note.get("cite") or []
    return [c] if isinstance(c, dict) else c


def test_the_not_computed_note_cites_every_article_its_text_names(policy):
    [note] = [n for n in _notes(policy) if "手続・処分・知事の権限" in n["text"]["ja"]]
    named = {(c.get("article"), c.get("paragraph"), c.get("occurrence")) for c in _cited(note)}
    for article in (7, 9, 11, 12, 13, 15, 18, 19):
        assert (article, None, None) in named
    assert (16, 2, None) in named and (17, None, 2) in named


def test_art_16_2_refers_to_a_proviso_that_art_16_1_does_not_have(policy):
    [note] = [n for n in _notes(policy) if n["kind"] == "defect" and "第16条第2項" in n["text"]["ja"]]
    assert _cited(note)[0] == {"source": "guideline", "article": 16, "paragraph": 2, "quote": "前項ただし書きの規定による概算払"}


def test_the_regulation_that_articles_10_14_15_and_17_rely_on_is_named(policy):
    [note] = [n for n in _notes(policy) if "茨城県補助金等交付規則" in n["text"]["ja"]]
    assert "昭和36年茨城県規則第67号" in note["text"]["ja"]
    assert {c.get("article") for c in _cited(note)} == {1, 10, 14, 15, 17}


def test_the_governors_say_over_eligible_costs_is_discretion_on_the_costs(policy):
    kinds = {(n["kind"], c.get("article"), c.get("paragraph")) for n in _notes(policy, "eligible_costs")
             for c in _cited(n)}
    assert ("discretion", 6, 1) in kinds
    assert ("interpretation", 4, 1) in kinds  # each add-on read separately


def test_the_proviso_of_article_2_says_it_does_not_fix_when_the_addon_must_be_held(policy):
    assert any("いつ取得していることが問われるのか" in n["text"]["ja"] for n in _notes(policy, "excluded"))


def _results(policy, **facts) -> dict:
    ev = evaluate(policy, check_facts(facts, policy))
    return {k: to_json(v) for k, v in ev.results.items()} | {"ground_2b": ev.env.get("ground_2b")}


@pytest.mark.parametrize("tier, sole, core, holds", [
    ("none", True, False, False),      # no emergency care: not the "other" emergency hospital's only rival
    ("secondary", True, False, True),
    ("tertiary", True, False, True),
    ("none", False, True, True),       # the prefecture's recognition needs no tier
    ("none", False, False, False),
    (None, True, False, None),         # tier unknown: undecided, never a default
    (None, False, True, True),
])
def test_ground_2b_needs_the_applicant_to_handle_emergencies_for_the_sole_hospital_reason(policy, tier, sole, core,
                                                                                        holds):
    facts = {"ambulance_transports": 0, "sole_emergency_hospital_in_area": sole,
             "prefecture_recognized_core_hospital": core}
    if tier is not None:
        facts["emergency_tier"] = tier
    assert _results(policy, **facts)["ground_2b"] is holds


def test_both_readings_of_the_access_clause_are_recorded(policy):
    texts = [n["text"]["ja"] for n in _notes(policy, "ground_2b")]
    assert any("双方に係る" in t for t in texts)


def test_labels_use_the_sources_words(policy):
    tiers = policy.facts["emergency_tier"].spec["value_labels"]
    assert tiers["none"]["ja"] == "2次・3次救急に該当しない"
    perinatal = policy.facts["perinatal_center"].spec
    assert "母子" not in str(perinatal["value_labels"]) + perinatal["label"]["ja"]
    assert "母子" not in policy.rules["ground_3a_perinatal"].spec["label"]["ja"]
    assert any(n["kind"] == "defect" and "在宅療養診療所" in n["text"]["ja"] for n in _notes(policy, "ground_4"))


@pytest.mark.parametrize("completed, kept_until", [
    ("2023-02-28", "2028-02-29"),   # counting starts 2023-03-01 (民法140); ends the day before 2028-03-01 (143)
    ("2023-03-31", "2028-03-31"),
    ("2022-12-31", "2027-12-31"),
    ("2023-01-20", "2028-01-20"),
])
def test_records_are_kept_five_years_counted_as_the_civil_code_counts(policy, completed, kept_until):
    assert _results(policy, completion_date=completed)["records_kept_until"] == kept_until
