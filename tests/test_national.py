# SPDX-License-Identifier: MIT
"""The national FY2020 programme overview (policies/national/2020.yaml): its examples pinned, and the
answers it gives at their boundaries: application windows, training months, model institutions."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import engine
from engine.evaluation.evaluate import evaluate, reference_values
from engine.evaluation.facts import check_facts
from engine.lang.values import to_json

EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parent.parent / "examples" / "national-2020").glob("*.yaml"))
TASK_SHIFTING = "タスク・シフティング等医療勤務環境改善推進事業（補助金の募集、いきサポ）"
AWARD = "上手な医療のかかり方アワード（応募）"


@pytest.fixture(scope="module")
def policy():
    return engine.load("national", 2020)


def results(policy, **facts) -> dict:
    ev = evaluate(policy, check_facts(facts, policy))
    return {k: to_json(v) for k, v in ev.results.items()}


def _evaluate(cli, name, *extra):
    r = cli("evaluate", f"examples/national-2020/{name}", "--policy", "national", "--year", "2020", *extra)
    assert r.code == 0, r.err
    assert r.err == ""
    return r.out


# --------------------------------------------------------------------------- the policy itself

def test_the_policy_checks_without_errors_or_warnings(cli):
    r = cli("check", "policies/national/2020.yaml", "--strict")
    assert (r.code, r.err) == (0, "")
    assert r.out.strip() == "ok: policies/national/2020.yaml"


def test_there_are_examples_for_each_kind_of_applicant():
    assert len(EXAMPLES) >= 10


def test_every_audience_in_the_programme_table_is_a_kind_of_applicant(policy):
    kinds = set(policy.facts["applicant_kind"].spec["values"])
    for row in policy.parameters["programmes"].value:
        assert set(row["audiences"]) <= kinds, row["id"]
    windows = policy.parameters["application_windows"].value
    ids = {row["id"] for row in policy.parameters["programmes"].value}
    assert {w["programme"] for w in windows} <= ids


def test_every_table_row_names_its_section_of_the_overview(policy):
    for name, p in policy.parameters.items():
        rows = p.value if isinstance(p.value, list) else [p.value]
        for row in rows:
            assert row["section"], (name, row)
        assert p.spec["cite"], name


def test_every_training_prefecture_is_a_prefecture_of_the_fact(policy):
    prefectures = policy.facts["prefecture"].spec["values"]
    assert len(prefectures) == 47
    listed = [r["prefecture"] for r in policy.parameters["top_management_training"].value]
    assert len(listed) == len(set(listed)) == 18
    assert set(listed) <= set(prefectures)


# --------------------------------------------------------------------------- examples, whole outputs

@pytest.mark.parametrize("name", EXAMPLES)
def test_example_memo_in_japanese(cli, snapshot, name):
    assert _evaluate(cli, name) == snapshot


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_memo_in_english(cli, snapshot, name):
    assert _evaluate(cli, name, "--lang", "en") == snapshot


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_results_in_json(cli, snapshot, name):
    assert json.loads(_evaluate(cli, name, "--format", "json", "--no-trace")) == snapshot


def test_example_json_trace_cites_the_overview_for_every_rule(cli, snapshot):
    out = json.loads(_evaluate(cli, "hospital-tokyo-2020-11-15.yaml", "--format", "json"))
    assert all(e["cite"] and all(c["source"] == "overview" and c["section"] for c in e["cite"])
               for e in out["trace"])
    assert out == snapshot


@pytest.mark.parametrize("name", EXAMPLES)
def test_compiled_rules_and_reference_interpreter_agree_on_the_example(policy, name):
    from engine.evaluation.facts import load_facts_file
    facts = load_facts_file(f"examples/national-2020/{name}", policy)
    env = evaluate(policy, facts).env
    assert {n: to_json(env[n]) for n in policy.order} == {n: to_json(v) for n, v in
                                                         reference_values(policy, facts).items()}


# --------------------------------------------------------------------------- audiences

@pytest.mark.parametrize("kind, included, excluded", [
    ("support_centre", "医療勤務環境改善支援センターへの助言事業", "タスク・シフティング等医療勤務環境改善推進事業"),
    ("medical_institution", "地域医療勤務環境改善体制整備事業", "いきサポ"),
    ("medical_association", "タスク・シフティング等医療勤務環境改善推進事業", "地域医療勤務環境改善体制整備事業"),
    ("public", "上手な医療のかかり方についての周知啓発", "医療勤務環境改善普及促進セミナー"),
])
def test_programmes_aimed_at_each_kind_of_applicant(policy, kind, included, excluded):
    mine = results(policy, applicant_kind=kind)["programmes_for_me"]
    assert included in mine
    assert excluded not in mine


def test_the_public_is_aimed_at_by_the_campaign_only(policy):
    assert results(policy, applicant_kind="public")["programmes_for_me"] == ["上手な医療のかかり方についての周知啓発"]


def test_preparations_commissioned_by_the_ministry_are_aimed_at_no_applicant(policy):
    for kind in policy.facts["applicant_kind"].spec["values"]:
        mine = results(policy, applicant_kind=kind)["programmes_for_me"]
        assert "「評価機能」（仮称）の設置準備" not in mine


def test_without_an_applicant_kind_the_programmes_are_unknown_and_the_kind_is_needed(policy):
    ev = evaluate(policy, check_facts({"as_of": datetime.date(2020, 10, 5)}, policy))
    assert ev.results["programmes_for_me"] is None
    assert ev.results["open_for_me"] is None
    assert ev.needed_for("open_for_me") == ["applicant_kind"]
    assert to_json(ev.results["open_on_date"]) == [{"call": TASK_SHIFTING, "closes": "2020-11-30"},
                                                   {"call": AWARD, "closes": "2020-11-30"}]


# --------------------------------------------------------------------------- application windows

@pytest.mark.parametrize("day, open_calls", [
    ("2020-09-22", []),
    ("2020-09-23", [TASK_SHIFTING]),
    ("2020-09-30", [TASK_SHIFTING]),
    ("2020-10-01", [TASK_SHIFTING, AWARD]),
    ("2020-11-30", [TASK_SHIFTING, AWARD]),
    ("2020-12-01", []),
])
def test_calls_open_on_a_date_include_the_first_and_last_days(policy, day, open_calls):
    got = results(policy, as_of=day)["open_on_date"]
    assert [c["call"] for c in got] == open_calls
    assert all(c["closes"] == "2020-11-30" for c in got)


@pytest.mark.parametrize("day, open_calls, later", [
    ("2020-09-22", [], [TASK_SHIFTING]),
    ("2020-09-23", [TASK_SHIFTING], []),
    ("2020-11-30", [TASK_SHIFTING], []),
    ("2020-12-01", [], []),
])
def test_the_task_shifting_call_is_open_to_a_hospital_from_23_september_to_30_november(policy, day, open_calls,
                                                                                       later):
    r = results(policy, applicant_kind="medical_institution", as_of=day)
    assert [c["call"] for c in r["open_for_me"]] == open_calls
    assert [c["call"] for c in r["opens_later_for_me"]] == later


def test_a_hospital_is_told_when_the_call_opens_the_day_before(policy):
    r = results(policy, applicant_kind="medical_institution", as_of="2020-09-22")
    assert r["opens_later_for_me"] == [{"call": TASK_SHIFTING, "opens": "2020-09-23", "closes": "2020-11-30"}]


@pytest.mark.parametrize("day, open_calls", [
    ("2020-09-30", []),
    ("2020-10-01", [AWARD]),
    ("2020-11-30", [AWARD]),
    ("2020-12-01", []),
])
def test_the_award_is_open_to_the_public_from_1_october_to_30_november(policy, day, open_calls):
    r = results(policy, applicant_kind="public", as_of=day)
    assert [c["call"] for c in r["open_for_me"]] == open_calls


def test_no_call_is_open_to_a_support_centre_even_while_calls_are_open(policy):
    r = results(policy, applicant_kind="support_centre", as_of="2020-10-05")
    assert r["open_for_me"] == []
    assert len(r["open_on_date"]) == 2


def test_without_a_date_the_calls_are_unknown_and_the_date_is_needed(policy):
    ev = evaluate(policy, check_facts({"applicant_kind": "medical_institution"}, policy))
    assert ev.results["open_for_me"] is None
    assert ev.needed_for("open_for_me") == ["as_of"]


# --------------------------------------------------------------------------- training months

@pytest.mark.parametrize("prefecture, month", [
    ("北海道", "2020-10"), ("群馬県", "2020-10"),
    ("千葉県", "2020-11"), ("東京都", "2020-11"), ("鳥取県", "2020-11"),
    ("徳島県", "2020-12"), ("沖縄県", "2020-12"),
])
def test_training_month_of_a_prefecture_listed_in_the_first_half(policy, prefecture, month):
    assert results(policy, prefecture=prefecture)["training_month"] == month


@pytest.mark.parametrize("prefecture", ["茨城県", "神奈川県", "岩手県", "福岡県"])
def test_training_of_a_prefecture_not_listed_is_not_fixed_which_is_a_known_answer(policy, prefecture):
    ev = evaluate(policy, check_facts({"prefecture": prefecture}, policy))
    assert ev.results["training_month"] == "not_fixed"
    assert "training_month" not in ev.unknown


def test_training_month_without_a_prefecture_is_unknown(policy):
    ev = evaluate(policy, check_facts({}, policy))
    assert ev.results["training_month"] is None
    assert ev.needed_for("training_month") == ["prefecture"]


def test_every_prefecture_gets_a_month_or_not_fixed(policy):
    answers = {p: results(policy, prefecture=p)["training_month"] for p in policy.facts["prefecture"].spec["values"]}
    assert sum(a == "not_fixed" for a in answers.values()) == 47 - 18
    assert {a for a in answers.values()} == {"2020-10", "2020-11", "2020-12", "not_fixed"}


# --------------------------------------------------------------------------- model institutions

@pytest.mark.parametrize("year, institutions", [
    (2015, []),
    (2016, ["東京女子医科大学", "久留米大学"]),
    (2017, ["広島大学", "佐賀大学"]),
    (2018, ["広島大学", "大分大学"]),
    (2019, ["広島大学", "ウィメンズ・ウェルネス"]),
    (2020, []),
    (2021, []),
])
def test_model_institutions_listed_for_a_fiscal_year(policy, year, institutions):
    assert results(policy, model_year=year)["model_institutions"] == institutions


def test_model_institutions_without_a_year_are_unknown_not_empty(policy):
    ev = evaluate(policy, check_facts({}, policy))
    assert ev.results["model_institutions"] is None
    assert ev.needed_for("model_institutions") == ["model_year"]


# --------------------------------------------------------------------------- Ibaraki's programme

def test_the_programme_ibaraki_implements_is_in_fund_category_6(policy):
    r = results(policy)["fund_programme"]
    assert r["programme"] == "地域医療勤務環境改善体制整備事業"
    assert (r["fund"], r["fund_category"], r["run_by"]) == ("地域医療介護総合確保基金", 6, "都道府県")
    assert "区部" not in r["section"]


def test_the_typo_in_the_fund_category_is_recorded_as_a_defect(policy):
    defects = [n for n in policy.meta["notes"] if n["kind"] == "defect"]
    assert any("事業区部６" in n["text"]["ja"] and "事業区分6" in n["text"]["ja"] for n in defects)


def test_ibaraki_names_this_policy_and_programme_as_the_one_it_implements(policy):
    ibaraki = engine.load("ibaraki", 2022)
    implements = ibaraki.meta["implements"]
    assert (implements["policy"], implements["fiscal_year"]) == (policy.id, policy.fiscal_year)
    names = [p["name"] for p in policy.parameters["programmes"].value if p["id"] == "regional_work_environment"]
    assert implements["programme"].startswith(names[0])
