# SPDX-License-Identifier: MIT
"""The memo `yoko evaluate FACTS` prints: the conclusion first, sentences instead of code, results
that do not apply, 80 columns when piped, colour only where wanted, clause text, holiday notes."""
from __future__ import annotations

import datetime
import io
import json
from functools import lru_cache
from pathlib import Path

import pytest

import engine
from engine.cli.main import main
from engine.present import terminal
from engine.present.holidays import day_off
from engine.present.memo import MemoOptions, render_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [(pid, year, f.relative_to(ROOT).as_posix())
            for pid, year, folder in (("ibaraki", "2022", "ibaraki-2022"), ("national", "2020", "national-2020"))
            for f in sorted((ROOT / "examples" / folder).glob("*.yaml"))]
IDS = [Path(p).stem for _, _, p in EXAMPLES]


@lru_cache(maxsize=None)
def memo(path: str, pid: str, year: str, lang: str, *extra: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["evaluate", path, "--policy", pid, "--year", year, "--lang", lang, *extra], out, err)
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.fixture(autouse=True)
def _no_colour_from_the_environment(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("pid, year, path", EXAMPLES, ids=IDS)
def test_every_line_of_every_example_memo_fits_80_columns_when_piped(pid, year, path, lang):
    wide = [line for line in memo(path, pid, year, lang).splitlines() if terminal.display_width(line) > 80]
    assert wide == []


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("pid, year, path", EXAMPLES, ids=IDS)
def test_the_whole_memo_of_every_example_is_pinned(snapshot, pid, year, path, lang):
    text = memo(path, pid, year, lang)
    heading = "== 結論 ==" if lang == "ja" else "== Conclusion =="
    assert heading in text.split("\n\n")[1].splitlines()[0]  # the conclusion comes first, after the title
    assert text == snapshot


def test_the_display_width_counts_full_width_characters_as_two_columns():
    assert terminal.display_width("対象外") == 6
    assert terminal.display_width("ab１２") == 6
    assert terminal.display_width("\x1b[31m✗\x1b[0m") == 1


def test_a_wrapped_line_hangs_under_the_text_after_its_mark():
    lines = terminal.wrap("    ✗ " + "地域医療体制確保加算を取得している" * 4, 40)
    assert all(terminal.display_width(x) <= 40 for x in lines)
    assert lines[1].startswith("      ") and not lines[1].startswith("       ")
    assert "".join(x.strip() for x in lines) == "✗ " + "地域医療体制確保加算を取得している" * 4


def test_a_line_does_not_start_with_a_closing_bracket_or_comma():
    lines = terminal.wrap("- " + "あ" * 37 + "」、い", 80 - 38)
    assert not any(x.lstrip().startswith(("」", "、")) for x in lines[1:])


def test_english_words_are_not_cut():
    lines = terminal.wrap("  " + "the sum of Amount over the costs of the comprehensive measures " * 3, 30)
    words = " ".join(x.strip() for x in lines).split()
    assert words == ("the sum of Amount over the costs of the comprehensive measures " * 3).split()


# ---------------------------------------------------------------- the conclusion block

IB = ("ibaraki", "2022")


def ib(name: str, lang: str = "ja", *extra: str) -> str:
    return memo(f"examples/ibaraki-2022/{name}.yaml", *IB, lang, *extra)


def conclusion(text: str) -> str:
    return text.split("\n\n")[1]


def test_an_eligible_facility_reads_eligible_with_the_amount_calculated_in_words():
    c = conclusion(ib("addons-and-other-subsidies", "ja", "--width", "300"))
    assert c.splitlines()[1].startswith("判定: 対象  [要項第2条; 要項第5条]")
    assert "交付額: 3,000,000 円" in c
    calc = c.split("計算: ")[1].splitlines()[0]
    assert calc.startswith("min(病床数に133千円を乗じて得た額 19,950,000 円、補助対象経費に2/3を乗じて得た額")
    assert calc.endswith("→ 1,000 円未満切り捨て → 3,000,000 円")
    assert "round_down" not in c and "per_bed_cap" not in c


def test_an_excluded_facility_gets_each_failed_condition_with_its_citation_and_no_deadlines():
    c = conclusion(ib("excluded-regional-care-addon"))
    assert "判定: 対象外" in c
    assert "✗ 地域医療体制確保加算を取得している医療機関は対象としない: はい  [要項第2条" in c
    assert "期限: 該当なし" in c
    assert "2022-" not in c and "2023-" not in c


def test_a_failed_requirement_is_named_with_its_item_not_only_as_article_5():
    c = conclusion(ib("failed-requirement-plan-items", "en", "--width", "200"))
    assert "Verdict: not eligible" in c
    assert "✗ Committee set up, items a–g considered" in c or "[Guideline Art. 5(iii)" in c


def test_an_undecided_facility_lists_the_facts_that_would_decide_the_verdict_first():
    c = conclusion(ib("missing-facts-under-review", "ja", "--width", "300"))
    assert "判定: 判定不能" in c
    needed = c.split("未入力の事実:\n")[1].splitlines()
    assert "補助の対象となる医療機関" in needed[0]


def test_brief_prints_only_the_conclusion_and_detail_adds_the_notes():
    brief, normal, full = (ib("ground-1-cost-share-smaller", "ja", *f) for f in (("--brief",), (), ("--detail",)))
    assert "== 理由の詳細 ==" not in brief and brief.strip() in normal
    assert "※ 解釈" not in normal and "※ 解釈" in full
    assert "== この要項全体への注記 ==" in full


def test_show_expr_shows_the_policys_expressions_and_names():
    text = ib("ground-1-cost-share-smaller", "en", "--show-expr", "--width", "300")
    assert "expression: round_down(min(per_bed_cap, cost_share), rounding_unit)" in text
    assert "Grant amount (grant_amount)" in text
    assert "round_down" not in ib("ground-1-cost-share-smaller", "en", "--width", "300")


# ---------------------------------------------------------------- sentences

def test_comparisons_read_as_sentences_in_both_languages():
    ja = ib("ground-1-cost-share-smaller", "ja", "--width", "300")
    en = ib("ground-1-cost-share-smaller", "en", "--width", "300")
    assert "救急医療体制（2次救急・3次救急）（2次救急）が2次救急、3次救急のいずれか" in ja
    assert "Emergency care tier (secondary) is one of secondary, tertiary" in en
    assert "（1,450 件）が搬送件数の下限（第1号）（1,000 件）以上、搬送件数の上限（未満）（2,000 件）未満" in ja
    assert "(1,450 cases) is at least Lower bound of transports (ground 1) (1,000 cases) and less than" in en
    assert "emergency_tier in" not in ja and "transports_min <=" not in en


def test_a_left_out_expense_says_which_clause_leaves_it_out():
    ja = ib("addons-and-other-subsidies", "ja", "--width", "300")
    en = ib("addons-and-other-subsidies", "en", "--width", "300")
    assert "✗ 「勤怠管理システム（他の補助金で整備）」 3,300,000 円 — 他の補助金等の交付を受ける（要項第8条第6号）により対象外" in ja
    assert "left out under Guideline Art. 8(vi): Funded by another subsidy" in en
    assert "← e.other_subsidy" not in ja and "e.other_subsidy" not in en


# ---------------------------------------------------------------- results that do not apply

def test_deadlines_of_an_ineligible_facility_are_not_applicable_in_the_memo_and_flagged_in_json():
    text = ib("excluded-regional-care-addon", "en", "--width", "300")
    assert "■ Last day for withdrawing the application: not applicable (Eligible for the subsidy: no)" in text
    doc = json.loads(ib("excluded-regional-care-addon", "en", "--format", "json"))
    assert doc["not_applicable"] == ["withdrawal_deadline", "report_due", "advance_payment_max",
                                     "change_approval_required", "records_kept_until"]
    assert doc["results"]["report_due"] is None and "report_due" in doc["unknown"]  # results unchanged
    entry = next(t for t in doc["trace"] if t["rule"] == "report_due")
    assert entry["applies"] is False


def test_a_deadline_that_does_not_apply_keeps_its_value_in_json():
    from engine.evaluation.facts import load_facts_file
    policy = engine.load("ibaraki", 2022)
    facts = dict(load_facts_file("examples/ibaraki-2022/excluded-regional-care-addon.yaml", policy),
                 decision_notice_received_on=datetime.date(2022, 11, 1))
    doc = engine.evaluate(policy, facts).to_json(trace=False)
    assert doc["results"]["withdrawal_deadline"] == "2022-11-15"
    assert "withdrawal_deadline" in doc["not_applicable"]


def test_an_eligible_facility_has_nothing_not_applicable():
    doc = json.loads(ib("ground-1-cost-share-smaller", "en", "--format", "json"))
    assert doc["not_applicable"] == []
    assert next(t for t in doc["trace"] if t["rule"] == "report_due")["applies"] is True


POLICY = """\
id: t
jurisdiction: {{code: JP, name: {{ja: 国, en: national}}}}
fiscal_year: 2022
title: {{ja: 試験, en: test}}
sources: {{g: {{title: {{ja: 要項, en: guideline}}}}}}
facts:
  ok: {{type: bool, label: {{ja: 可, en: ok}}}}
  day: {{type: date, label: {{ja: 日, en: day}}}}
rules:
  eligible: {{type: bool, expr: ok, label: {{ja: 対象, en: eligible}}, cite: {{source: g, article: 1}}}}
  amount: {{type: int, expr: "if ok then 5 else 0", label: {{ja: 額, en: amount}}, cite: {{source: g, article: 1}}}}
  due: {{type: date, expr: day, applies_if: {applies}, label: {{ja: 期限, en: due}}, cite: {{source: g, article: 1}}}}
{conclusion}results: [eligible, amount, due]
"""


def _check(tmp_path, applies="eligible", conclusion="conclusion: {eligible: eligible, amount: amount}\n"):
    p = tmp_path / "t.yaml"
    p.write_text(POLICY.format(applies=applies, conclusion=conclusion), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(p), "--lang", "en"], out, err)
    return code, out.getvalue() + err.getvalue()


def test_applies_if_must_name_a_yes_no_rule(tmp_path):
    assert _check(tmp_path)[0] == 0
    code, text = _check(tmp_path, applies="amount")
    assert code == 2 and "bad_applies_if: applies_if of rule due must name a yes/no rule but amount is integer" in text
    code, text = _check(tmp_path, applies="eligble")
    assert code == 2 and "bad_applies_if" in text and "eligible" in text


def test_the_conclusion_must_name_a_yes_no_eligibility_and_a_numeric_amount(tmp_path):
    code, text = _check(tmp_path, conclusion="conclusion: {eligible: amount}\n")
    assert code == 2 and "bad_conclusion: conclusion eligible must name a yes/no rule but amount is integer" in text
    code, text = _check(tmp_path, conclusion="conclusion: {amount: due}\n")
    assert code == 2 and "conclusion amount must name a numeric rule but due is date" in text
    code, text = _check(tmp_path, conclusion="conclusion: {eligible: nope}\n")
    assert code == 2 and "conclusion eligible names no rule: nope" in text


# ---------------------------------------------------------------- colour

def _evaluate_to(stream, *extra, env_no_colour=None, monkeypatch=None):
    err = io.StringIO()
    main(["evaluate", "examples/ibaraki-2022/excluded-regional-care-addon.yaml", "--policy", "ibaraki",
          "--year", "2022", *extra], stream, err)
    return stream.getvalue()


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_colour_auto_paints_a_terminal_and_not_a_pipe():
    assert "\x1b[" in _evaluate_to(Terminal())
    assert "\x1b[" not in _evaluate_to(io.StringIO())


def test_colour_always_and_never_override_the_terminal_check():
    assert "\x1b[31m✗\x1b[0m" in _evaluate_to(io.StringIO(), "--color", "always")
    assert "\x1b[" not in _evaluate_to(Terminal(), "--color", "never")


def test_no_color_turns_auto_off_but_not_always(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _evaluate_to(Terminal())
    assert "\x1b[" in _evaluate_to(Terminal(), "--color", "always")


def test_an_empty_no_color_does_not_turn_colour_off(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    assert "\x1b[" in _evaluate_to(Terminal())


def test_a_terminal_gets_its_own_width_and_a_pipe_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    on_terminal = strip(_evaluate_to(Terminal(), "--color", "never"))
    assert 80 < max(terminal.display_width(x) for x in on_terminal.splitlines()) <= 120
    assert max(terminal.display_width(x) for x in _evaluate_to(io.StringIO()).splitlines()) <= 80


def strip(text: str) -> str:
    return terminal.strip_colour(text)


def test_coloured_lines_still_fit_the_width():
    text = _evaluate_to(io.StringIO(), "--color", "always")
    assert max(terminal.display_width(x) for x in text.splitlines()) <= 80


# ---------------------------------------------------------------- clause text

def test_quote_prints_the_cited_clause_in_japanese_in_both_languages():
    for lang in ("ja", "en"):
        text = ib("ground-1-cost-share-smaller", lang, "--quote", "--width", "400")
        assert "> 規則第8条第1項の知事に定める期日は、前条の補助金交付決定通知書の送付を受けた日から14日以内とする。" in text
    assert "> [Guideline Art. 10]" in ib("ground-1-cost-share-smaller", "en", "--quote", "--width", "400")
    assert "> " not in ib("ground-1-cost-share-smaller", "en", "--width", "400")


# ---------------------------------------------------------------- holidays

@pytest.mark.parametrize("day, kind", [
    (datetime.date(2023, 1, 9), "national"),    # 成人の日, a Monday
    (datetime.date(2022, 11, 3), "national"),   # 文化の日, a Thursday
    (datetime.date(2022, 11, 19), "saturday"),
    (datetime.date(2022, 11, 20), "sunday"),
    (datetime.date(2022, 12, 30), "closure"),   # a Friday
    (datetime.date(2023, 1, 3), "closure"),
    (datetime.date(2022, 11, 15), None),        # a Tuesday
    (datetime.date(2022, 12, 28), None),        # the last working day of the year
])
def test_a_day_off_is_a_weekend_a_national_holiday_or_the_year_end_closure(day, kind):
    off = day_off(day)
    assert (off[0] if off else None) == kind


def _deadline_memo(received: str, lang: str = "ja") -> str:
    policy = engine.load("ibaraki", 2022)
    facts = {"decision_notice_received_on": datetime.date.fromisoformat(received)}
    return render_text(engine.evaluate(policy, facts), lang, MemoOptions(width=None, detail="brief"))


def test_a_deadline_on_a_holiday_or_in_the_closure_gets_a_note_and_is_not_moved():
    # 14 days after receipt: 2022-10-20 -> 2022-11-03 (文化の日), 2022-12-16 -> 2022-12-30 (closure),
    # 2022-11-05 -> 2022-11-19 (a Saturday), 2022-11-01 -> 2022-11-15 (a Tuesday)
    assert "申請の取下げ期限: 2022-11-03  ※ 国民の祝日（文化の日）に当たる（要項に休日の扱いの定めはなく、繰り延べない）" \
        in _deadline_memo("2022-10-20")
    assert "2022-12-30  ※ falls on the year-end closure (29 Dec to 3 Jan)" in _deadline_memo("2022-12-16", "en")
    assert "2022-11-19  ※ 土曜日に当たる" in _deadline_memo("2022-11-05")
    assert "2022-11-15  [要項第10条]" in _deadline_memo("2022-11-01")
