# SPDX-License-Identifier: MIT
"""yoko diff --prove and yoko check --prove: proofs over every facility with z3, and witnesses
that the ordinary evaluator confirms."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from edits import write_edit

INVENTED = """# invented for tests: a small policy whose rules have a dead branch and a constant condition.
id: provetest
jurisdiction: {code: JP, name: {ja: テスト, en: test}}
fiscal_year: 2030
title: {ja: 証明のテスト, en: Proof test}
applies_from: 2030-04-01
sources:
  rules: {title: {ja: テスト要項, en: Test rules}, abbrev: {ja: 要項, en: Rules}}
facts:
  beds: {type: int, min: 0, max: 500, label: {ja: 病床数, en: Beds}}
  remote: {type: bool, label: {ja: へき地, en: Remote area}}
parameters:
  per_bed: {value: 1000, unit: yen, label: {ja: 1床当たり, en: Per bed}, cite: {source: rules, article: 1}}
rules:
  amount:
    type: int
    unit: yen
    expr: if beds > 600 then 0 else beds * per_bed
    label: {ja: 金額, en: Amount}
    cite: {source: rules, article: 1}
  small:
    type: bool
    expr: beds >= 0 and remote
    label: {ja: 小規模, en: Small}
    cite: {source: rules, article: 2}
results: [amount, small]
"""


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edits")
    return lambda name: str(write_edit(name, folder))


def _prove(cli, new, *extra):
    r = cli("diff", "ibaraki/2022", new, "--prove", "--exit-code", "--format", "json", *extra)
    return r.code, json.loads(r.out)


@pytest.mark.parametrize("name", ["rules-reordered", "equivalent-expression"])
def test_cosmetic_and_equivalent_edits_are_proved_equal_for_every_facility(cli, edited, name):
    code, report = _prove(cli, edited(name))
    assert report["proof"]["status"] == "proved_equal"
    assert set(r["status"] for r in report["proof"]["results"].values()) == {"equal"}
    assert code == 0


def _ground_1_as(tmp_path, expr: str) -> str:
    from edits import edited_text
    text = edited_text("equivalent-expression").replace(
        "expr: ambulance_transports < transports_limit and ambulance_transports >= transports_min and special_role",
        f"expr: {expr}")
    path = tmp_path / "ibaraki-2022-ground-1.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_equivalent_rewrite_beyond_the_normal_form_is_proved_by_the_solver(cli, tmp_path):
    # De Morgan holds for Kleene's three values too
    new = _ground_1_as(tmp_path, "special_role and not (ambulance_transports < transports_min "
                                 "or ambulance_transports >= transports_limit)")
    code, report = _prove(cli, new)
    assert report["structural"]["rules"]["changed"][0]["expr"]["equivalent"] is False
    assert report["verdict"]["kind"] == "proved_equal" and code == 0


def test_a_rewrite_equal_when_known_but_not_when_unknown_is_refuted(cli, tmp_path):
    # `special_role is true` is false while the role is unknown, where `special_role` leaves `and` unknown
    # (`if special_role then ... else false` is no longer such a rewrite: when the role is unknown, both
    # branches that can differ leave it unknown too, and where they agree it is known, as `and` is)
    new = _ground_1_as(tmp_path, "special_role is true and transports_min <= ambulance_transports < transports_limit")
    code, report = _prove(cli, new)
    assert report["verdict"]["kind"] == "proved_different" and code == 1
    witnesses = [w for res in report["proof"]["results"].values() for w in res.get("witnesses") or []]
    assert witnesses and all("emergency_tier" not in w["facts"] for w in witnesses)  # special role unknown


def _witnesses(report, result):
    return report["proof"]["results"][result]["witnesses"]


def test_a_threshold_edit_gets_witnesses_that_really_differ_with_the_region_in_words(cli, edited):
    from engine.policy.cache import load_policy_cached
    from engine.review.prove import run_both
    new = edited("transports-threshold-900")
    code, report = _prove(cli, new)
    assert code == 1 and report["proof"]["status"] == "differs"
    old_policy, new_policy = load_policy_cached("policies/ibaraki/2022.yaml"), load_policy_cached(new)
    for name, res in report["proof"]["results"].items():
        for w in res.get("witnesses") or []:
            facts = {k: v for k, v in w["facts"].items()}
            assert run_both(old_policy, new_policy, facts, name) == [w["old"], w["new"]]
    (w, *_) = _witnesses(report, "basis")
    assert {"fact": "ambulance_transports", "lo": 900, "hi": 999} in w["region"]
    text = cli("diff", "ibaraki/2022", new, "--prove", "--lang", "ja").out
    assert "救急用の自動車又は救急医療用ヘリコプターによる搬送件数 900〜999 件" in text


@pytest.mark.parametrize("name, result", [
    ("unit-per-bed-140000", "grant_amount"),
    ("rounding-unit-10000", "grant_amount"),
    ("deadline-counted-from-next-day", "report_due"),
    ("new-exclusion-with-new-fact", "excluded"),
    ("ground-4-dropped", "basis"),
])
def test_each_behavioural_edit_gets_a_witness_the_evaluator_confirms(cli, edited, tmp_path, name, result):
    from engine.policy.cache import load_policy_cached
    from engine.review.prove import run_both
    new = edited(name)
    r = cli("diff", "ibaraki/2022", new, "--prove", "--format", "json", "--witness-dir", str(tmp_path))
    report = json.loads(r.out)
    (w, *_) = _witnesses(report, result)
    assert w["old"] != w["new"]
    # the witness file is a facts file: evaluated by the CLI it gives the reported values
    files = sorted(tmp_path.glob(f"{result}-*.yaml"))
    assert files
    old_facts = load_policy_cached("policies/ibaraki/2022.yaml").facts
    sides = [("new", new)] + ([("old", "policies/ibaraki/2022.yaml")] if set(w["facts"]) <= set(old_facts) else [])
    for side, policy in sides:  # (a witness with a fact only the new policy declares: as yoko diff reads it)
        out = cli("evaluate", str(files[0]), "--policy-file", policy, "--format", "json")
        assert out.code == 0, out.err
        assert json.loads(out.out)["results"][result] == w[side]
    assert run_both(load_policy_cached("policies/ibaraki/2022.yaml"), load_policy_cached(new),
                    w["facts"], result) == [w["old"], w["new"]]


def test_a_deadline_witness_names_the_dates_where_the_two_readings_differ(cli, edited):
    _, report = _prove(cli, edited("deadline-counted-from-next-day"))
    (w, *_) = _witnesses(report, "report_due")
    assert w["region"] == [{"fact": "completion_date", "lo": None, "hi": "2023-03-01", "date": True}]


def test_a_construct_the_translation_does_not_cover_is_not_proved_never_proved(cli):
    r = cli("diff", "national/2020", "national/2020", "--prove", "--format", "json")
    proof = json.loads(r.out)["proof"]
    statuses = {res["status"] for res in proof["results"].values()}
    assert statuses <= {"equal", "not_proved"}
    for res in proof["results"].values():
        if res["status"] == "not_proved":
            assert res["uses"]


def test_check_prove_finds_a_dead_branch_and_a_condition_always_true(cli, tmp_path):
    path = tmp_path / "provetest.yaml"
    path.write_text(INVENTED, encoding="utf-8")
    r = cli("check", "--prove", str(path), "--format", "json")
    findings = json.loads(r.out)["files"][0]["proof"]["findings"]
    got = [(f["kind"], f["rule"], f.get("branch"), f.get("value"), f["expr"]) for f in findings]
    assert got == [("unreachable", "amount", "then", None, "beds > 600"),
                   ("always", "amount", None, False, "beds > 600"),
                   ("always", "small", None, True, "beds >= 0")]


def test_check_prove_proves_the_shipped_properties_and_refutes_a_false_one_with_a_witness(cli, tmp_path):
    r = cli("check", "--prove", "policies/ibaraki/2022.yaml", "--format", "json")
    assert r.code == 0
    props = json.loads(r.out)["files"][0]["proof"]["properties"]
    assert [(p["expr"], p["status"]) for p in props] == [("eligible implies requirements_met", "holds"),
                                                        ("grant_amount <= per_bed_cap", "holds")]
    folder = tmp_path / "ibaraki"
    folder.mkdir()
    (folder / "2022.yaml").write_text(Path("policies/ibaraki/2022.yaml").read_text("utf-8"), "utf-8")
    (folder / "2022.tests.yaml").write_text(
        "cases: []\nalways:\n  - grant_amount <= unit_per_bed * max(max_used_beds, 20)\n", "utf-8")
    r = cli("check", "--prove", str(folder / "2022.yaml"), "--format", "json")
    assert r.code == 2
    (prop,) = json.loads(r.out)["files"][0]["proof"]["properties"]
    assert prop["status"] == "refuted"
    facts = prop["witnesses"][0]["facts"]
    assert facts["max_used_psychiatric_beds"] > max(facts["max_used_beds"], 20)  # psychiatric beds only
