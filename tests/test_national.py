# SPDX-License-Identifier: MIT
"""The national FY2020 programme overview (policies/national/2020.yaml): its data checked against the
source text, its examples pinned, and the answers it gives per section of the overview: audiences and
roles, application windows, events in a month, what is undecided, delivery, who runs a programme,
figures, what the overview does not say, training months, labour advisers, model institutions."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

import engine
from engine.evaluation.evaluate import evaluate, reference_values
from engine.evaluation.facts import check_facts
from engine.lang.values import to_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples" / "national-2020").glob("*.yaml"))
# Whole memos (ja and en) for one example of each kind of applicant and the no-facts case; every
# example's results are pinned in JSON.  (All memos would be some 20,000 lines of snapshot.)
MEMO_EXAMPLES = ["support-centre-hokkaido-2020-10-05.yaml", "hospital-tokyo-2020-11-15.yaml",
                 "medical-association-osaka-2020-10-01.yaml", "public-2021-02-10.yaml", "nothing-known.yaml"]
TASK_SHIFTING = "タスク・シフティング等医療勤務環境改善推進事業（補助金の募集、いきサポ）"
AWARD = "上手な医療のかかり方アワード（応募）"
UNDECIDED = ("検討中", "未定", "調整中", "準備中")


@pytest.fixture(scope="module")
def policy():
    return engine.load("national", 2020)


@pytest.fixture(scope="module")
def source_text() -> str:
    """The overview as one line: the U+2FA7 artefact read as 長 (a recorded defect), no line breaks or spaces."""
    for text in (ROOT / "tests" / "data" / "sources" / "mhlw-r2-programs.txt",  # the copy kept with the tests
                 ROOT.parent / "shared" / "sources" / "mhlw-r2-programs.txt"):
        if text.exists():
            return _flat(text.read_text("utf-8"))
    pytest.fail("the overview's extracted text is in neither tests/data/sources nor shared/sources")


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s.replace("\u2fa7", "長"))


def results(policy, **facts) -> dict:
    ev = evaluate(policy, check_facts(facts, policy))
    return {k: to_json(v) for k, v in ev.results.items()}


def names(policy, **facts) -> list[str]:
    """The Japanese names of the programmes aimed at the applicant."""
    return [p["name"] for p in results(policy, **facts)["programmes_for_me"]]


def rows(policy, name: str) -> list[dict]:
    return policy.parameters[name].value


def _evaluate(cli, name, *extra):
    r = cli("evaluate", f"examples/national-2020/{name}", "--policy", "national", "--year", "2020", *extra)
    assert r.code == 0, r.err
    assert r.err == ""
    return r.out


# --------------------------------------------------------------------------- the policy and its data

def test_the_policy_checks_without_errors_or_warnings(cli):
    r = cli("check", "policies/national/2020.yaml", "--strict")
    assert (r.code, r.err) == (0, "")
    assert r.out.strip() == "ok: policies/national/2020.yaml"


def test_the_policy_tests_pass_and_cover_every_rule(cli):
    r = cli("test", "policies/national/2020.yaml", "--fail-under", "100")
    assert r.code == 0, r.out + r.err
    assert "0 failed, 0 errors" in r.out
    assert "(100.0%)" in r.out


def test_every_row_of_a_table_from_the_overview_names_its_section(policy):
    calendar = {"months", "status_words"}  # the months of the year and the status words in English: no one section
    for name, p in policy.parameters.items():
        assert p.spec["cite"], name
        value = p.value if isinstance(p.value, list) else [p.value]
        if name in calendar or not isinstance(value[0], dict):
            continue
        for row in value:
            assert row["section"], (name, row)


def test_every_section_heading_cited_by_a_row_is_a_heading_of_the_overview(policy, source_text):
    for name, p in policy.parameters.items():
        value = p.value if isinstance(p.value, list) else [p.value]
        for row in value:
            if isinstance(row, dict) and "section" in row:
                for title in re.findall(r"【(.+?)】", row["section"]):
                    title = title.replace("事業区分６", "事業区部６")  # the recorded defect, corrected in the policy
                    assert _flat(title) in source_text, (name, title)


def test_every_quoted_status_appears_verbatim_in_the_overview(policy, source_text):
    for row in rows(policy, "statuses"):
        assert _flat(row["quote"]) in source_text, row["quote"]
        if row["status"] in UNDECIDED:
            assert row["status"] in row["quote"], row


def test_every_figure_as_stated_appears_verbatim_in_the_overview(policy, source_text):
    for row in rows(policy, "figures"):
        assert _flat(row["stated"]) in source_text, row["stated"]
        if row["number"] is not None and row["precision"] in ("exact", "about", "at_least"):
            digits = row["stated"].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            assert str(row["number"]) in digits or row["stated"] == "全都道府県", row


def test_every_activity_is_in_the_overview_s_own_words(policy, source_text):
    got = rows(policy, "activities")
    assert len(got) == 20
    for row in got:
        assert _flat(row["activity"]) in source_text, row["activity"]


def test_every_status_word_of_the_overview_is_listed_as_undecided(policy, source_text):
    """Each 検討中/未定/調整中/準備中 in the text is one row of statuses (10 in all)."""
    in_text = sum(source_text.count(w) for w in UNDECIDED)
    listed = [r for r in rows(policy, "statuses") if r["status"] in UNDECIDED]
    assert len(listed) == in_text == 10


def test_the_programme_fact_labels_are_the_names_in_the_programme_table(policy):
    labels = policy.facts["programme"].spec["value_labels"]
    table = rows(policy, "programmes")
    assert list(labels) == [p["id"] for p in table] == policy.facts["programme"].spec["values"]
    for p in table:
        assert labels[p["id"]] == {"ja": p["name"], "en": p["name_en"]}


def test_every_programme_id_in_a_table_is_a_programme(policy):
    ids = {p["id"] for p in rows(policy, "programmes")}
    for name in ("events", "statuses", "roles", "figures", "application_windows"):
        assert {r["programme"] for r in rows(policy, name)} <= ids, name
    assert {e["programme"] for e in rows(policy, "events")} >= ids - {"regional_work_environment"}


def test_every_audience_and_role_kind_is_a_kind_of_applicant(policy):
    kinds = set(policy.facts["applicant_kind"].spec["values"])
    for row in rows(policy, "programmes"):
        assert set(row["audiences"]) <= kinds, row["id"]
    assert {r["kind"] for r in rows(policy, "roles")} <= kinds | {"other"}


def test_every_application_window_is_an_event_with_the_same_dates(policy):
    calls = {(e["programme"], e["starts"], e["ends"]) for e in rows(policy, "events") if e["status"] == "募集"}
    windows = {(w["programme"], w["opens"], w["closes"]) for w in rows(policy, "application_windows")}
    assert calls == windows


def test_the_month_table_holds_each_month_of_fiscal_2020_from_first_to_last_day(policy):
    months = rows(policy, "months")
    assert [m["month"] for m in months] == policy.facts["month"].spec["values"]
    for m in months:
        assert m["first"].day == 1 and (m["last"] + datetime.timedelta(days=1)).day == 1
        assert m["first"].strftime("%Y-%m") == m["month"] == m["last"].strftime("%Y-%m")


def test_every_event_ends_on_or_after_it_starts_within_a_known_timing(policy):
    timings = set(policy.parameters["month_timings"].value) | {"fiscal_year", "multi_year", "ongoing",
                                                               "not_stated", "not_fixed"}
    for e in rows(policy, "events"):
        assert e["starts"] <= e["ends"], e
        assert e["timing"] in timings, e


def test_every_training_prefecture_is_a_prefecture_of_the_fact(policy):
    prefectures = policy.facts["prefecture"].spec["values"]
    assert len(prefectures) == 47
    listed = [r["prefecture"] for r in rows(policy, "top_management_training")]
    assert len(listed) == len(set(listed)) == 18
    assert set(listed) <= set(prefectures)


# --------------------------------------------------------------------------- examples, whole outputs

def test_examples_cover_each_kind_of_applicant_on_several_dates():
    from ruamel.yaml import YAML  # PyYAML is no dependency of yoko
    seen: dict[str, set] = {}
    for name in EXAMPLES:
        facts = YAML(typ="safe").load((ROOT / "examples" / "national-2020" / name).read_text("utf-8")) or {}
        if "applicant_kind" in facts and "as_of" in facts:
            seen.setdefault(facts["applicant_kind"], set()).add(facts["as_of"])
    assert set(seen) == {"support_centre", "medical_institution", "medical_association", "public"}
    assert all(len(dates) >= 2 for dates in seen.values()), seen


@pytest.mark.parametrize("name", MEMO_EXAMPLES)
def test_example_memo_in_japanese(cli, snapshot, name):
    assert _evaluate(cli, name) == snapshot


@pytest.mark.parametrize("name", MEMO_EXAMPLES)
def test_example_memo_in_english(cli, snapshot, name):
    assert _evaluate(cli, name, "--lang", "en") == snapshot


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_results_in_json(cli, snapshot, name):
    assert json.loads(_evaluate(cli, name, "--format", "json", "--no-trace")) == snapshot


def test_example_json_trace_cites_the_overview_for_every_rule(cli, policy):
    """The trace itself (some 10,000 lines here) is pinned for Ibaraki; here: every rule, each cited."""
    out = json.loads(_evaluate(cli, "hospital-tokyo-2020-11-15.yaml", "--format", "json"))
    assert sorted(e["rule"] for e in out["trace"]) == sorted(policy.rules)
    assert all(e["cite"] and all(c["source"] == "overview" and c["section"] for c in e["cite"])
               for e in out["trace"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_compiled_rules_and_reference_interpreter_agree_on_the_example(policy, name):
    from engine.evaluation.facts import load_facts_file
    facts = load_facts_file(f"examples/national-2020/{name}", policy)
    env = evaluate(policy, facts).env
    assert {n: to_json(env[n]) for n in policy.order} == {n: to_json(v) for n, v in
                                                         reference_values(policy, facts).items()}


# --------------------------------------------------------------------------- audiences and roles

@pytest.mark.parametrize("kind, included, excluded", [
    ("support_centre", "医療勤務環境改善支援センターへの助言事業", "タスク・シフティング等医療勤務環境改善推進事業"),
    ("medical_institution", "地域医療勤務環境改善体制整備事業", "いきサポ"),
    ("medical_association", "タスク・シフティング等医療勤務環境改善推進事業", "地域医療勤務環境改善体制整備事業"),
    ("public", "上手な医療のかかり方についての周知啓発", "医療勤務環境改善普及促進セミナー"),
])
def test_programmes_aimed_at_each_kind_of_applicant(policy, kind, included, excluded):
    mine = names(policy, applicant_kind=kind)
    assert included in mine
    assert excluded not in mine


def test_the_public_is_aimed_at_by_the_campaign_only(policy):
    assert results(policy, applicant_kind="public")["programmes_for_me"] == [
        {"name": "上手な医療のかかり方についての周知啓発", "name_en": "Campaign on using medical care wisely"}]


def test_a_medical_association_runs_the_women_doctors_centre_but_is_not_its_audience(policy):
    r = results(policy, applicant_kind="medical_association")
    assert names(policy, applicant_kind="medical_association") == ["タスク・シフティング等医療勤務環境改善推進事業"]
    assert [(x["programme"], x["body"], x["role"]) for x in r["my_roles"]] == [
        ("女性医師支援センター事業", "日本医師会", "女性医師バンク事業や再就業講習会を実施"),
        ("女性医師支援センター事業", "都道府県医師会等", "病院管理者や医学生、研修医に対する講習会・講演会の開催"),
        ("労働時間等説明会", "都道府県医師会", "共催")]


def test_the_briefings_co_hosted_by_medical_associations_are_for_medical_institutions(policy):
    assert "労働時間等説明会" in names(policy, applicant_kind="medical_institution")
    assert results(policy, programme="working_hours_briefings")["programme_details"]["audiences"] == [
        "medical_institution"]


def test_the_support_centres_advise_on_hours_reduction_plans_but_are_not_their_audience(policy):
    r = results(policy, applicant_kind="support_centre")
    assert "医師労働時間短縮計画の策定支援" not in names(policy, applicant_kind="support_centre")
    assert [x["programme"] for x in r["my_roles"]] == ["医師労働時間短縮計画の策定支援"]


def test_preparations_commissioned_by_the_ministry_are_aimed_at_no_applicant(policy):
    for kind in policy.facts["applicant_kind"].spec["values"]:
        mine = names(policy, applicant_kind=kind)
        assert "「評価機能」（仮称）の設置準備" not in mine
        assert "集中的技能向上水準の適用に向けた準備支援" not in mine


def test_without_an_applicant_kind_the_programmes_are_unknown_and_the_kind_is_needed(policy):
    ev = evaluate(policy, check_facts({"as_of": datetime.date(2020, 10, 5)}, policy))
    for name in ("programmes_for_me", "my_roles", "open_for_me"):
        assert ev.results[name] is None, name
        assert ev.needed_for(name) == ["applicant_kind"], name
    assert [c["call"] for c in to_json(ev.results["open_on_date"])] == [TASK_SHIFTING, AWARD]


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


# --------------------------------------------------------------------------- events in a month

def _events(policy, month, result="events_in_month", **facts):
    return [(e["event"], e["starts"]) for e in results(policy, month=month, **facts)[result]]


def test_the_five_block_seminars_are_online_on_12_14_16_19_and_21_october(policy):
    got = [e for e in results(policy, month="2020-10")["events_in_month"] if e["event"].startswith("ブロック研修会")]
    assert [e["starts"] for e in got] == ["2020-10-12", "2020-10-14", "2020-10-16", "2020-10-19", "2020-10-21"]
    assert {(e["online"], e["status"]) for e in got} == {("online", "予定")}


@pytest.mark.parametrize("month, present, absent", [
    ("2020-08", "全国向けのアドバイザー研修会（約150回線、150人以上参加）", "ブロック研修会（全国5ブロックのうち1日、各4時間程度）"),
    ("2020-09", "これまでの集計を都道府県にフィードバック", "病院等の勤務環境に関するアンケート調査（委託事業）"),
    ("2020-10", "病院等の勤務環境に関するアンケート調査（委託事業）", "病院管理者研修（第1回、地域医療構想に関する研修とセットで受講）"),
    ("2020-11", "「みんなで医療を考える月間」", "オンラインイベント"),
    ("2020-12", "病院管理者研修（第1回、地域医療構想に関する研修とセットで受講）", "「みんなで医療を考える月間」"),
    ("2020-12", "第2回上手な医療のかかり方アワード表彰", "補助金の募集（いきサポ）"),
    ("2021-02", "第2回上手な医療のかかり方アワード表彰", "手引き（令和2年3月版）の更新"),
    ("2021-03", "手引き（令和2年3月版）の更新", "第2回上手な医療のかかり方アワード表彰"),
    ("2021-03", "都道府県別の結果のフィードバック", "これまでの集計を都道府県にフィードバック"),
])
def test_events_fall_in_the_months_the_overview_gives_them(policy, month, present, absent):
    events = [e for e, _ in _events(policy, month)]
    assert present in events
    assert absent not in events


def test_a_call_spanning_months_is_listed_in_each_month_it_touches(policy):
    for month in ("2020-09", "2020-10", "2020-11"):
        assert ("補助金の募集（いきサポ）", "2020-09-23") in _events(policy, month)
    assert ("補助金の募集（いきサポ）", "2020-09-23") not in _events(policy, "2020-12")


def test_events_without_a_month_are_never_listed_in_a_month(policy):
    no_month = {e["event"] for e in results(policy)["events_without_a_month"]}
    assert "医療勤務環境改善支援センターの個別支援" in no_month
    assert "トップマネジメント研修（後半、10数カ所）" in no_month
    assert "労働時間等説明会（都道府県労働局・都道府県医師会の共催）" in no_month
    for month in policy.facts["month"].spec["values"]:
        assert not no_month & {e for e, _ in _events(policy, month)}, month


def test_my_events_in_a_month_are_those_of_the_programmes_aimed_at_me(policy):
    mine = _events(policy, "2020-10", "my_events_in_month", applicant_kind="public")
    assert [e for e, _ in mine] == ["オンラインイベント", "上手な医療のかかり方アワードの募集"]


def test_events_of_a_month_without_the_month_are_unknown_and_the_month_is_needed(policy):
    ev = evaluate(policy, check_facts({"applicant_kind": "public"}, policy))
    assert ev.results["events_in_month"] is None
    assert ev.needed_for("events_in_month") == ["month"]


@pytest.mark.parametrize("day, first, count", [
    ("2020-06-29", "労働基準局から各都道府県労働局への通知（今年度の説明会を翌年度に延期するなど柔軟に対応して差し支えない）", 21),
    ("2020-08-27", "全国向けのアドバイザー研修会（約150回線、150人以上参加）", 20),
    ("2020-08-28", "これまでの集計を都道府県にフィードバック", 19),
    ("2021-03-31", "病院等の勤務環境に関するアンケート調査（委託事業）", 3),
    ("2021-04-01", None, 0),
])
def test_upcoming_events_are_those_not_over_by_the_date_in_date_order(policy, day, first, count):
    got = results(policy, as_of=day)["upcoming_events"]
    assert [g["starts"] for g in got] == sorted(g["starts"] for g in got)
    assert len(got) == count
    assert (got[0]["event"] if got else None) == first


# --------------------------------------------------------------------------- undecided, online, commissioned

def test_what_is_still_undecided_lists_the_ten_items_marked_so(policy):
    got = results(policy)["undecided_items"]
    assert len(got) == 10
    assert {g["status"] for g in got} == set(UNDECIDED)
    assert ("医療機関管理者を対象としたトップマネジメント研修事業", "後半", "未定") in [
        (g["programme"], g["item"], g["status"]) for g in got]


def test_planned_ongoing_and_discussed_items_are_not_undecided(policy):
    got = {g["status"] for g in results(policy)["undecided_items"]}
    assert not got & {"予定", "実施中", "委託予定", "議論中", "延期可", "年度末目処"}


def test_which_programmes_are_online(policy):
    got = {g["name"]: g["online"] for g in results(policy)["online_programmes"]}
    assert got == {"医療勤務環境改善支援センターへの助言事業": "partly_online",
                   "国立保健医療科学院における病院管理者研修会": "online",
                   "医療機関管理者を対象としたトップマネジメント研修事業": "partly_online",
                   "医療勤務環境改善普及促進セミナー": "online",
                   "上手な医療のかかり方についての周知啓発": "partly_online"}


def test_which_programmes_are_commissioned_or_to_be(policy):
    got = {g["name"]: g["commissioned"] for g in results(policy)["commissioned_programmes"]}
    assert got == {"労務管理状況調査のフォローアップ": "commissioned", "医療専門職支援人材確保支援事業": "commissioned",
                   "「評価機能」（仮称）の設置準備": "planned", "集中的技能向上水準の適用に向けた準備支援": "planned",
                   "病院等の勤務環境に関するアンケート調査": "commissioned", "令和2年度年次計画": "commissioned"}


# --------------------------------------------------------------------------- one programme, and what is not said

@pytest.mark.parametrize("programme, bodies", [
    ("women_doctor_centre", ["日本医師会", "都道府県医師会等"]),
    ("labour_management_support", ["都道府県労働局"]),
    ("task_shifting", ["タスク・シフティング等勤務環境改善推進事業事務局（外部機関）", "いきサポ"]),
    ("working_hours_briefings", ["都道府県労働局", "都道府県医師会", "厚生労働省労働基準局"]),
    ("regional_work_environment", ["都道府県"]),
    ("hospital_manager_training", ["国立保健医療科学院"]),
    ("promotion_seminar", []),
])
def test_who_runs_a_programme(policy, programme, bodies):
    assert [r["body"] for r in results(policy, programme=programme)["programme_details"]["run_by"]] == bodies


def test_the_women_doctors_centre_figures_of_fiscal_2019(policy):
    figures = results(policy, programme="women_doctor_centre")["programme_details"]["figures"]
    assert [(f["number"], f["unit"], f["fiscal_year"]) for f in figures] == [
        (259, "件", 2019), (5, "回", 2019), (86, "回", 2019), (310, "人", 2019)]


def test_a_figure_the_text_gives_only_in_words_has_no_number(policy):
    figures = results(policy, programme="top_management_training")["programme_details"]["figures"]
    assert figures == [{"what": "後半の開催箇所数", "what_en": "Places of the second half", "stated": "10数カ所",
                        "number": None, "unit": "カ所", "precision": "ten_odd", "fiscal_year": 2020}]


@pytest.mark.parametrize("programme", ["task_shifting", "regional_work_environment", "evaluation_body",
                                       "women_doctor_centre", "centre_advice"])
def test_a_budget_is_the_known_answer_not_stated(policy, programme):
    ev = evaluate(policy, check_facts({"programme": programme}, policy))
    assert ev.results["programme_budget"] == "not_stated"
    assert "programme_budget" not in ev.unknown
    details = to_json(ev.results["programme_details"])
    assert (details["budget"], details["contact_details"]) == ("not_stated", "not_stated")


def test_without_a_programme_its_budget_and_details_are_unknown_not_not_stated(policy):
    ev = evaluate(policy, check_facts({}, policy))
    for name in ("programme_budget", "programme_details"):
        assert ev.results[name] is None
        assert ev.needed_for(name) == ["programme"]


def test_what_a_subsidy_funds_and_where_to_apply(policy):
    d = results(policy, programme="task_shifting")["programme_details"]
    assert d["funding"] == "national_direct_subsidy"
    assert d["apply_via"].startswith("いきサポ")
    assert results(policy, programme="regional_work_environment")["programme_details"]["apply_via"] == "都道府県（都道府県事業）"


# --------------------------------------------------------------------------- training months

@pytest.mark.parametrize("prefecture, month", [
    ("北海道", "2020-10"), ("群馬県", "2020-10"),
    ("千葉県", "2020-11"), ("東京都", "2020-11"), ("鳥取県", "2020-11"),
    ("徳島県", "2020-12"), ("沖縄県", "2020-12"),
])
def test_training_month_of_a_prefecture_listed_in_the_first_half(policy, prefecture, month):
    assert results(policy, prefecture=prefecture)["training_month"] == month


@pytest.mark.parametrize("prefecture", ["茨城県", "神奈川県", "岩手県", "福岡県"])
def test_a_prefecture_not_listed_is_not_listed_which_is_a_known_answer_not_the_second_half(policy, prefecture):
    ev = evaluate(policy, check_facts({"prefecture": prefecture}, policy))
    assert ev.results["training_month"] == "not_listed"
    assert "training_month" not in ev.unknown
    half = to_json(ev.results["training_second_half"])
    assert (half["places"], half["where"], half["months"], half["format"]) == ("10数カ所", "not_stated", "未定", "検討中")


def test_training_month_without_a_prefecture_is_unknown(policy):
    ev = evaluate(policy, check_facts({}, policy))
    assert ev.results["training_month"] is None
    assert ev.needed_for("training_month") == ["prefecture"]


def test_every_prefecture_gets_a_month_or_not_listed(policy):
    answers = {p: results(policy, prefecture=p)["training_month"] for p in policy.facts["prefecture"].spec["values"]}
    assert sum(a == "not_listed" for a in answers.values()) == 47 - 18
    assert set(answers.values()) == {"2020-10", "2020-11", "2020-12", "not_listed"}


# --------------------------------------------------------------------------- labour advisers

def test_every_prefecture_has_labour_advisers_of_three_kinds(policy):
    r = results(policy)["labour_advisers"]
    assert (r["contracted_by"], r["where"], r["every_prefecture"], r["status"]) == (
        "都道府県労働局毎", "全都道府県", True, "契約締結済み")
    assert [(k["kind"], k["new_this_year"]) for k in r["kinds"]] == [
        ("常駐型専門家", False), ("プッシュ型専門家", True), ("派遣型専門家", True)]


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


def test_the_two_disputed_readings_are_recorded_as_interpretations(policy):
    notes = [n["text"]["en"] for n in policy.meta["notes"] if n["kind"] == "interpretation"]
    assert any("is not thereby its audience" in n for n in notes)
    assert any("NOT read as falling in the second half" in n for n in notes)


def test_ibaraki_names_this_policy_and_programme_as_the_one_it_implements(policy):
    ibaraki = engine.load("ibaraki", 2022)
    implements = ibaraki.meta["implements"]
    assert (implements["policy"], implements["fiscal_year"]) == (policy.id, policy.fiscal_year)
    names = [p["name"] for p in rows(policy, "programmes") if p["id"] == "regional_work_environment"]
    assert implements["programme"].startswith(names[0])


# --------------------------------------------------------------------------- English output

@pytest.mark.parametrize("name", MEMO_EXAMPLES)
def test_the_english_memo_names_programmes_in_english(cli, policy, name):
    en, ja = _evaluate(cli, name, "--lang", "en"), _evaluate(cli, name)
    results_en = re.sub(r'section: "[^"]*"', "", en.split("== Details ==")[0])  # a section stays as cited
    for p in rows(policy, "programmes"):
        assert p["name"] not in results_en, p["name"]  # every programme, wherever it is listed
        assert p["name_en"] not in ja.split("== 理由の詳細 ==")[0], p["name_en"]
    assert "_en:" not in results_en and "_en:" not in ja.split("== 理由の詳細 ==")[0]  # formulas below may name them


def test_the_json_results_keep_both_languages(policy):
    r = results(policy, applicant_kind="public", as_of="2020-10-01")
    assert r["open_for_me"] == [{"call": AWARD, "call_en": "Award for using medical care wisely (entries)",
                                 "closes": "2020-11-30"}]


def test_every_status_word_used_has_an_english_form(policy):
    words = {w["word"] for w in rows(policy, "status_words")}
    used = {r["status"] for r in rows(policy, "events")} | {r["status"] for r in rows(policy, "statuses")}
    assert used <= words
    assert {w["word"] for w in rows(policy, "status_words") if w["undecided"]} == set(UNDECIDED)


@pytest.mark.parametrize("record, lang, shown", [
    ({"name": "いきサポ", "name_en": "Ikisapo"}, "en", '{name: "Ikisapo"}'),
    ({"name": "いきサポ", "name_en": "Ikisapo"}, "ja", "{name: 「いきサポ」}"),
    ({"name": "いきサポ", "name_en": None}, "en", '{name: "いきサポ"}'),        # no English: the Japanese stays
    ({"title_en": "Ikisapo"}, "ja", "{title_en: 「Ikisapo」}"),                 # no `title` beside it: an ordinary field
    ({"a": {"x": "甲", "x_en": "A"}}, "en", '{a: {x: "A"}}'),                 # nested records too
])
def test_a_field_x_en_beside_x_is_shown_for_x_in_english_only(record, lang, shown):
    from engine.present.format import fmt
    assert fmt(record, lang) == shown


# --------------------------------------------------------------------------- the officer's guide

def test_the_officers_guide_answers_every_result_and_names_only_what_exists(policy):
    text = (ROOT / "docs" / "national-2020.md").read_text("utf-8")
    tokens = set(re.findall(r"`([a-z_]+)`", text))
    facts = set(policy.facts)
    values = {v for f in policy.facts.values() for v in f.spec.get("values", []) if isinstance(v, str)}
    words = {"not_stated", "not_listed", "null", "online", "partly_online", "commissioned", "planned", "when", "quote"}
    assert set(policy.results) <= tokens, set(policy.results) - tokens
    assert tokens <= set(policy.results) | facts | values | words, tokens - (set(policy.results) | facts | values | words)
    for example in re.findall(r"yoko evaluate (examples/national-2020/\S+\.yaml)", text):
        assert (ROOT / example).is_file(), example


# --------------------------------------------------------------------------- clause coverage

def test_every_clause_of_the_overview_is_accounted_for_by_a_citation_of_its_own(cli):
    from engine.policy.sources import find_source
    from engine.review.clauses import clause_coverage
    path = "policies/national/2020.yaml"
    src = find_source(path)
    cov = clause_coverage(engine.load_file(path), src)
    got = {dict(src.clauses[s.index].key)["section"]: (s.status, s.how) for s in cov.statuses}
    assert {how for _, how in got.values()} == {"direct"}  # no section only through the heading above it
    assert got["その他【労務管理状況調査のフォローアップ】"] == ("stated", "direct")  # 再掲: the same programme again
    assert got["都道府県へのお願い"] == ("out_of_scope", "direct")  # a heading without text
    assert {s for s, _ in got.values()} == {"computed", "stated", "out_of_scope"}
    assert sum(s == "computed" for s, _ in got.values()) == len(got) - 2
    r = cli("check", path, "--clauses", "--fail-under", "100", "--lang", "en")
    assert r.code == 0, r.out + r.err
    assert "(100.0%)" in r.out + r.err


@pytest.mark.parametrize("programme, first, count", [
    ("women_career_support", "地域の医療機関に普及可能な支援策のモデルの構築", 6),
    ("women_doctor_centre", "女性医師バンク事業", 7),
    ("task_shifting", "医療機関における勤務環境改善の取組の支援", 2),
    ("c2_level_preparation", "申請書類の様式や審査方法の検討", 2),
    ("centre_advice", None, 0),
])
def test_what_a_programme_does_or_funds(policy, programme, first, count):
    got = results(policy, programme=programme)["programme_details"]["activities"]
    assert len(got) == count
    assert (got[0]["activity"] if got else None) == first


def test_the_follow_up_s_history_and_its_2024_horizon_have_no_month_of_fiscal_2020(policy):
    events = {e["event"]: e for e in results(policy)["events_without_a_month"]}
    assert events["労務管理状況調査"]["when"] == "令和元年度"
    assert events["医師の時間外労働時間規制の適用"]["when"] == "2024年度"
    d = results(policy, programme="labour_survey_followup")["programme_details"]["events"]
    assert [e["starts"] for e in d] == ["2020-09-21", "2020-04-01", "2018-04-01", "2019-04-01", "2019-04-01",
                                        "2024-04-01"]
