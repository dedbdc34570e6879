# SPDX-License-Identifier: MIT
"""Inheriting from another prefecture without copying: cite_map, patch, results edits, dropped sources."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.base.diagnostics import YokoError
from engine.policy.load import load_policy

OTHER = "tests/cases/authoring/other-prefecture.yaml"  # invented: see the file's first lines


@pytest.fixture(scope="module")
def other():
    return load_policy(OTHER)


def _child(tmp_path, body: str) -> str:
    """An invented child of Ibaraki FY2022 with `body` added to its head."""
    head = ("# invented for tests\nid: kasoken\nfiscal_year: 2023\nextends: {policy: ibaraki, fiscal_year: 2022}\n"
            "title: {ja: 架空, en: invented}\n")
    path = tmp_path / "child.yaml"
    path.write_text(head + body, encoding="utf-8")
    return str(path)


def _errors(path):
    with pytest.raises(YokoError) as e:
        load_policy(path)
    return [d for d in e.value.diagnostics if d.is_error]


def test_cite_map_re_points_an_inherited_article_and_keeps_its_paragraph(other):
    assert other.rules["cost_share"].spec["cite"] == {"source": "guideline", "article": 7, "paragraph": 2}


def test_cite_map_re_keys_a_dropped_source_to_the_childs_guideline(other):
    cites = other.parameters["transports_min"].spec["cite"]
    assert all(c["source"] == "guideline" and c["article"] == 2 for c in cites)
    assert "notice" not in other.meta["sources"]


def test_the_base_file_is_not_changed_by_a_childs_cite_map(other):
    base = load_policy("policies/ibaraki/2022.yaml")
    assert base.rules["cost_share"].spec["cite"]["article"] == 6


def test_a_patch_changes_only_the_label_of_an_inherited_rule(other):
    rule = other.rules["per_bed_cap"]
    assert rule.spec["label"]["ja"] == "病床数に140千円を乗じて得た額"
    assert rule.text.strip() == "beds_counted * unit_per_bed"
    assert rule.origin.src.path == "policies/ibaraki/2022.yaml"


def test_a_patched_parameter_value_is_used_and_located_in_the_patch(other):
    from engine.evaluation.evaluate import evaluate
    p = other.parameters["unit_per_bed"]
    assert p.value == 140000 and p.location.file == OTHER and p.location.line == 34
    assert other.param_env()["unit_per_bed"] == 140000


def test_a_field_added_to_an_inherited_list_of_records_is_read_by_a_new_rule(other):
    from engine.evaluation.evaluate import evaluate
    fields = other.facts["expenses"].spec["items"]["fields"]
    assert list(fields)[-1] == "asset_forming" and "other_subsidy" in fields
    r = evaluate(other, {"expenses": [
        {"item": "PC", "amount": 300000, "covered_by": "none", "other_subsidy": False, "asset_forming": True},
        {"item": "clerk", "amount": 100000, "covered_by": "none", "other_subsidy": False, "asset_forming": False}]})
    assert r.results["asset_costs"] == 300000


def test_results_add_and_drop_edit_the_inherited_list(other):
    assert other.results[-1] == "asset_costs"
    assert "change_approval_required" not in other.results
    assert "withdrawal_deadline" not in other.results  # dropped rule leaves the list too
    assert other.results[:3] == ["basis", "excluded", "requirements_met"]


def test_show_says_where_every_part_of_an_item_came_from(cli):
    run = cli("show", OTHER, "--rule", "unit_per_bed", "--format", "json")
    assert run.code == 0
    origin = json.loads(run.out)["origin"]
    assert origin["file"] == "policies/ibaraki/2022.yaml" and origin["how"] == "inherited"
    assert {k: (v["file"], v["how"]) for k, v in origin["parts"].items()} == {
        "cite": (OTHER, "cite_map"), "value": (OTHER, "patch"), "label": (OTHER, "patch")}
    run = cli("show", OTHER, "--rule", "per_bed_cap", "--lang", "ja")
    assert f"label: {OTHER}:38（patch で変更）" in run.out


def test_patching_a_missing_item_is_located_with_the_closest_name(tmp_path):
    path = _child(tmp_path, "patch:\n  rules:\n    per_bed_capp:\n      label: {ja: x, en: x}\n")
    [d] = _errors(path)
    assert (d.code, d.location.line, d.suggestion) == ("override_missing", 8, "per_bed_cap")
    assert "per_bed_capp を patch できません" in d.text("ja")


def test_a_patch_may_not_change_an_expression(tmp_path):
    path = _child(tmp_path, "patch:\n  rules:\n    per_bed_cap:\n      expr: 0\n")
    [d] = _errors(path)
    assert d.code == "policy_schema" and d.location.line == 9


def test_adding_a_field_that_exists_is_a_name_clash_at_the_field(tmp_path):
    path = _child(tmp_path, "patch:\n  facts:\n    expenses:\n      fields:\n        amount: {type: int, label: {ja: x, en: x}}\n")
    [d] = _errors(path)
    assert (d.code, d.location.line, d.location.column) == ("name_clash", 10, 9)


def test_fields_on_a_fact_that_is_not_a_record_is_an_error(tmp_path):
    path = _child(tmp_path, "patch:\n  facts:\n    beds_floor_x: {label: {ja: x, en: x}}\n    name:\n"
                            "      fields: {x: {type: int, label: {ja: x, en: x}}}\n")
    codes = sorted(d.code for d in _errors(path))
    assert codes == ["override_missing", "patch_fields"]


def test_dropping_a_source_still_cited_is_one_error_where_it_is_dropped(tmp_path):
    path = _child(tmp_path, "drop:\n  sources: [notice]\n")
    [d] = _errors(path)
    assert (d.code, d.location.line) == ("dropped_still_used", 7)
    assert "transports_min" in d.message and "cite_map" in d.message
    assert "まだ引用しています" in d.text("ja")


def test_a_cite_map_entry_that_matches_nothing_is_a_warning(tmp_path):
    path = _child(tmp_path, "cite_map:\n  - {from: {source: guideline, article: 99}, to: {article: 1}}\n")
    p = load_policy(path)
    assert [(d.code, d.location.line) for d in p.warnings if d.code == "cite_map_unused"] == [("cite_map_unused", 7)]


def test_a_result_dropped_that_the_base_does_not_list_suggests_a_name(tmp_path):
    path = _child(tmp_path, "results: {drop: [grant_amout]}\n")
    [d] = _errors(path)
    assert (d.code, d.suggestion) == ("override_missing", "grant_amount")


def test_a_result_edit_in_a_policy_without_extends_is_a_schema_error(tmp_path):
    text = Path("tests/cases/versions/chains/base.yaml").read_text().replace("results: [bonus, amount]",
                                                                             "results: {add: [bonus]}")
    (tmp_path / "p.yaml").write_text(text)
    assert {d.code for d in _errors(str(tmp_path / "p.yaml"))} == {"policy_schema"}


def test_redefining_a_base_rule_says_the_base_in_japanese_and_points_at_the_child(tmp_path):
    path = _child(tmp_path, "rules:\n  per_bed_cap:\n    expr: 0\n    label: {ja: x, en: x}\n"
                            "    cite: {source: guideline, article: 6}\n")
    [d] = _errors(path)
    assert d.code == "name_clash" and d.location.file == path and d.location.line == 7
    ja = d.text("ja")
    assert "継承元 ibaraki 2022" in ja and "the base" not in ja and "patch:" in ja


def test_a_child_fact_named_like_a_base_rule_is_a_clash_located_in_the_child(tmp_path):
    path = _child(tmp_path, "facts:\n  per_bed_cap: {type: int, label: {ja: x, en: x}}\n")
    clash = [d for d in _errors(path) if d.code == "name_clash"]
    assert clash and all(d.location.file == path for d in clash)
