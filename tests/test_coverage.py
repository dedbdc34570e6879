# SPDX-License-Identifier: MIT
"""Rule coverage (`yoko test --coverage`): outcomes, branches, deciding operands, `--fail-under`."""
from __future__ import annotations

import textwrap

import pytest

import engine
from engine.review.coverage import measure, render_report

# An invented policy (not a real guideline), small enough to count its goals by hand.
INVENTED = textwrap.dedent("""\
    # yaml-language-server: $schema=../../schemas/policy.schema.json
    # INVENTED for tests of rule coverage; encodes no real document.
    id: invented
    jurisdiction: {code: JP-08, name: {ja: 架空, en: Invented}}
    fiscal_year: 2022
    title: {ja: 架空, en: Invented}
    sources:
      g: {title: {ja: 架空要項, en: Invented guideline}, abbrev: {ja: 要項, en: Guideline}}
    facts:
      a: {type: bool, label: {ja: A, en: A}}
      b: {type: bool, label: {ja: B, en: B}}
      c: {type: bool, label: {ja: C, en: C}}
      n: {type: int, label: {ja: N, en: N}}
      xs: {type: list, items: {type: int}, label: {ja: XS, en: XS}}
    rules:
      all_three:
        expr: a and b and c
        label: {ja: 全部, en: all three}
        cite: {source: g, article: 1}
      either:
        expr: a or (b and c)
        label: {ja: どちらか, en: either}
        cite: {source: g, article: 2}
      amount:
        expr: if a then n else 0
        label: {ja: 額, en: amount}
        cite: {source: g, article: 3, paragraph: 2}
      big_ones:
        expr: count(x for x in xs if x > 10 and a)
        label: {ja: 大きいもの, en: big ones}
        cite: {source: g, article: 4}
    results: [all_three, either, amount, big_ones]
    """)


@pytest.fixture
def invented(tmp_path):
    path = tmp_path / "invented.yaml"
    path.write_text(INVENTED, "utf-8")
    return engine.load_file(path)


def covered(policy, *cases) -> dict[str, list[tuple[str, str, bool]]]:
    cov = measure(policy, [engine.evaluate(policy, facts).env for facts in cases])
    rule_text = {n: r.text for n, r in policy.rules.items()}
    return {name: [(g.kind, rule_text[name][g.node.start:g.node.end], g.hit) for g in goals]
            for name, goals in cov.goals.items()}


def test_an_and_chain_needs_each_operand_false_alone_and_the_rule_true_and_false(invented):
    goals = covered(invented, {"a": True, "b": True, "c": True}, {"a": False, "b": True, "c": True})
    assert goals["all_three"] == [
        ("true", "a and b and c", True), ("false", "a and b and c", True),
        ("alone", "a", True), ("alone", "b", False), ("alone", "c", False),
    ]


def test_n_plus_one_cases_cover_an_n_operand_chain(invented):
    cases = [{"a": True, "b": True, "c": True}, {"a": False, "b": True, "c": True},
             {"a": True, "b": False, "c": True}, {"a": True, "b": True, "c": False}]
    assert all(hit for *_, hit in covered(invented, *cases)["all_three"])


def test_an_operand_false_among_other_false_operands_decides_nothing(invented):
    goals = covered(invented, {"a": False, "b": False, "c": True})
    assert [hit for kind, _, hit in goals["all_three"] if kind == "alone"] == [False, False, False]


def test_unknown_values_satisfy_no_goal(invented):
    goals = covered(invented, {"b": True, "c": True})
    assert not any(hit for *_, hit in goals["all_three"])


def test_a_nested_chain_also_needs_its_all_true_case(invented):
    goals = covered(invented, {"a": False, "b": True, "c": True})
    assert goals["either"] == [
        ("true", "a or (b and c)", True), ("false", "a or (b and c)", False),
        ("alone", "a", False), ("alone", "b and c", True),
        ("all", "b and c", True), ("alone", "b", False), ("alone", "c", False),
    ]


def test_each_branch_of_an_if_is_a_goal(invented):
    assert covered(invented, {"a": True, "n": 5})["amount"] == [
        ("then", "if a then n else 0", True), ("else", "if a then n else 0", False)]
    assert covered(invented, {"a": True}, {"a": False})["amount"] == [
        ("then", "if a then n else 0", True), ("else", "if a then n else 0", True)]


def test_conditions_inside_a_comprehension_count_per_element(invented):
    goals = covered(invented, {"a": True, "xs": [5, 20]})
    assert goals["big_ones"] == [("all", "x > 10 and a", True), ("alone", "x > 10", True), ("alone", "a", False)]


def test_uncovered_goals_are_listed_under_the_citation_of_their_rule(invented, snapshot):
    cov = measure(invented, [engine.evaluate(invented, {"a": True, "b": True, "c": True, "n": 1}).env])
    invented.path = "invented.yaml"  # stable text for the snapshot
    assert render_report(cov, "en") == snapshot
    assert render_report(cov, "ja") == snapshot


def test_coverage_of_the_ibaraki_2022_cases_is_pinned(cli, snapshot):
    r = cli("test", "--coverage", "policies/ibaraki/2022.yaml")
    assert r.code == 0, r.err
    assert r.out == snapshot


def test_coverage_of_the_ibaraki_2022_cases_in_japanese_is_pinned(cli, snapshot):
    r = cli("test", "--coverage", "--lang", "ja", "policies/ibaraki/2022.yaml")
    assert r.out == snapshot


@pytest.mark.parametrize("threshold, code", [(50, 0), (86.9, 0), (87.0, 1), (100, 1)])
def test_fail_under_exits_1_only_below_the_threshold(cli, threshold, code):
    r = cli("test", "--fail-under", str(threshold), "policies/ibaraki/2022.yaml")
    assert r.code == code
    assert ("is below --fail-under" in r.err) is (code == 1)
    assert "rule coverage of policies/ibaraki/2022.yaml by 30 cases: 113/130 goals (86.9%)" in r.out
