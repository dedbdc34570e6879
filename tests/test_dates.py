# SPDX-License-Identifier: MIT
"""One list of date spellings, read the same way through every door: engine.base.dates directly,
--on, facts files, table cells, parameters and test expectations."""
from __future__ import annotations

import datetime

import pytest

import engine
from engine.base.dates import DateError, era_year, read_date, wareki
from engine.base.diagnostics import YokoError
from engine.evaluation.facts import BadCell, cell_value
from engine.evaluation.facts import check_facts
from engine.policy.registry import parse_date
from engine.review.policy_tests import _as_result
from engine.lang import types as T

D = datetime.date
VALID = [
    ("2022-11-01", D(2022, 11, 1)), ("2022-11-1", D(2022, 11, 1)), ("2022/11/01", D(2022, 11, 1)),
    ("2022/11/1", D(2022, 11, 1)), ("2022年11月1日", D(2022, 11, 1)), ("令和4年11月1日", D(2022, 11, 1)),
    ("R4.11.1", D(2022, 11, 1)), ("r4/11/1", D(2022, 11, 1)), ("R5.2.28", D(2023, 2, 28)),
    ("令和元年5月1日", D(2019, 5, 1)), ("平成31年4月30日", D(2019, 4, 30)), ("H30.4.1", D(2018, 4, 1)),
    ("昭和64年1月7日", D(1989, 1, 7)), ("S60.1.1", D(1985, 1, 1)), ("２０２２－１１－０１", D(2022, 11, 1)),
    ("令和６年４月２０日", D(2024, 4, 20)), ("2024-3-11", D(2024, 3, 11)), (" 2022-11-01 ", D(2022, 11, 1)),
]
INVALID = [
    ("令和元年1月1日", "dates.before_era"), ("令和1年4月30日", "dates.before_era"), ("平成31年5月1日", "dates.after_era"),
    ("昭和64年1月8日", "dates.after_era"), ("令和0年5月1日", "dates.era_year_zero"), ("R0.5.1", "dates.era_year_zero"),
    ("2023-02-29", "dates.not_on_calendar"), ("令和5年2月29日", "dates.not_on_calendar"),
    ("2022/4-1", "dates.unreadable"), ("04/01/2022", "dates.unreadable"), ("2022.04.01", "dates.unreadable"),
    ("きのう", "dates.unreadable"), ("", "dates.unreadable"),
]

POLICY = "tests/hostile/policy.yaml"


@pytest.mark.parametrize("text, want", VALID)
def test_a_date_spelling_reads_as_its_day(text, want):
    assert read_date(text) == want


@pytest.mark.parametrize("text, why", INVALID)
def test_a_text_that_names_no_day_is_refused_with_its_reason(text, why):
    with pytest.raises(DateError) as info:
        read_date(text)
    assert info.value.key == why


@pytest.mark.parametrize("text, want", VALID)
def test_every_door_reads_a_valid_spelling_as_the_same_day(text, want, tmp_path):
    assert parse_date(text) == want                                                     # --on
    assert check_facts({"opened_on": text}, engine.load_file(POLICY))["opened_on"] == want  # facts files
    assert cell_value(text, {"type": "date"}, "d") == want                              # table cells
    assert _param(tmp_path, text) == want                                               # parameters
    assert _as_result(text, T.DATE) == want.isoformat()                                 # test expectations


@pytest.mark.parametrize("text, why", [(t, w) for t, w in INVALID if t])
def test_every_door_refuses_an_invalid_spelling(text, why, tmp_path):
    with pytest.raises(YokoError) as on:
        parse_date(text)
    assert on.value.diagnostics[0].code == "bad_date"
    if why != "dates.unreadable":  # a text not spelt as a date at all may be another kind of value
        with pytest.raises(YokoError) as facts:
            check_facts({"opened_on": text}, engine.load_file(POLICY))
        assert facts.value.diagnostics[0].code == "bad_fact"
        with pytest.raises(YokoError) as param:
            _param(tmp_path, text)
        assert param.value.diagnostics[0].code == "bad_parameter"
        assert param.value.diagnostics[0].location.line == 14  # at the parameter, not at its first use
    with pytest.raises(BadCell):
        cell_value(text, {"type": "date"}, "d")


def test_the_reason_is_said_in_both_languages():
    with pytest.raises(YokoError) as info:
        parse_date("令和元年1月1日")
    d = info.value.diagnostics[0]
    assert d.text("ja") == "「令和元年1月1日」は令和の日付ではありません（令和は 2019-05-01 から）"
    assert d.text("en") == '"令和元年1月1日" is not a date of the 令和 era (it began 2019-05-01)'


@pytest.mark.parametrize("year, name", [(2018, "平成30"), (2019, "令和元"), (2022, "令和4"), (1989, "平成元"),
                                        (1988, "昭和63")])
def test_fiscal_years_have_their_era_names(year, name):
    assert era_year(year) == name


@pytest.mark.parametrize("day, text", [(D(2022, 10, 7), "令和4年10月7日"), (D(2019, 5, 1), "令和元年5月1日"),
                                       (D(2019, 4, 30), "平成31年4月30日")])
def test_days_are_written_in_wareki(day, text):
    assert wareki(day) == text and read_date(text) == day


def _param(tmp_path, text: str) -> datetime.date:
    p = tmp_path / "p.yaml"
    p.write_text(f"""# invented for tests: one date parameter
id: dates_test
jurisdiction: {{code: JP-08, name: {{ja: 茨城県, en: Ibaraki}}}}
fiscal_year: 2022
title: {{ja: テスト, en: test}}
sources:
  g: {{title: {{ja: テスト要項, en: test guideline}}, number: null, abbrev: {{ja: 要項, en: G}}}}
facts:
  opened_on: {{type: date, label: {{ja: 開設日, en: opened}}}}
rules:
  after: {{expr: opened_on >= start, label: {{ja: 後, en: after}}, cite: {{source: g}}}}
  start_day: {{expr: start, label: {{ja: 開始日, en: start}}, cite: {{source: g}}}}
parameters:
  start: {{value: "{text}", label: {{ja: 開始日, en: start}}, cite: {{source: g}}}}
results: [after, start_day]
""", encoding="utf-8")
    return engine.evaluate(engine.load_file(str(p)), {}).results["start_day"]
