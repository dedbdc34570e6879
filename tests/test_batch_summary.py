# SPDX-License-Identifier: MIT
"""The summary of `evaluate --batch`: in words, as JSON, as the workbook's summary sheet; and the
progress bar, which appears on a terminal only."""
from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from engine.evaluation.tables import estimate_rows

ROOT = Path(__file__).resolve().parent.parent
POLICY = ["--policy", "ibaraki", "--year", "2022"]


@pytest.fixture
def examples(tmp_path) -> str:
    """The fourteen example facilities as one JSONL table (their grant amounts add up to 78,493,000 yen
    over 13 known, as the diff's totals say)."""
    rows = []
    for p in sorted((ROOT / "examples/ibaraki-2022").glob("*.yaml")):
        facts = yaml.safe_load(p.read_text("utf-8"))
        rows.append(json.dumps({"id": p.stem, **facts}, ensure_ascii=False, default=str))
    path = tmp_path / "facilities.jsonl"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return str(path)


def test_the_json_summary_counts_rows_outcomes_and_totals_and_ranks_the_facts_still_needed(cli, examples):
    r = cli("evaluate", "--batch", examples, *POLICY, "--summary", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["rows"] == {"read": 14, "left_out": 0, "errors": 0, "evaluated": 14}
    assert data["results"]["grant_amount"] == {"total": 78_493_000, "known": 13, "unknown": 1}
    assert data["results"]["eligible"] == {"values": [{"value": True, "facilities": 11},
                                                      {"value": False, "facilities": 2}], "unknown": 1}
    assert data["results"]["report_due"] == {"known": 11, "unknown": 3}  # dates are counted, not listed
    assert {"value": ["2a", "3a"], "facilities": 1} in data["results"]["basis"]["values"]
    needed = data["needed_facts"]
    assert needed[0] == {"fact": "actual_total_cost", "facilities": 3}
    assert [n["facilities"] for n in needed] == sorted((n["facilities"] for n in needed), reverse=True)


def test_the_text_summary_says_the_same_in_japanese_words_and_units(cli, examples):
    r = cli("evaluate", "--batch", examples, *POLICY, "--summary", "--lang", "ja")
    assert "  grant_amount: 合計 78,493,000 円（13 施設）、不明 1" in r.out
    assert "  eligible: はい 11、いいえ 2、不明 1" in r.out
    assert r.err == "14 行: 評価 14 件、エラー行 0 件\n"


def test_the_workbook_has_a_summary_sheet_with_japanese_headings_and_typed_cells(cli, examples, tmp_path):
    out = tmp_path / "results.xlsx"
    r = cli("evaluate", "--batch", examples, *POLICY, "--out", str(out), "--lang", "ja")
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["結果", "集計", "列の説明"]
    ws = wb["集計"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:2] == ["項目", "値"] and ws["A1"].font.bold
    assert ["評価した施設", 14, None] in rows
    total = next(row for row in ws.iter_rows() if row[0].value == "交付額" and row[1].value == "合計")
    assert total[2].value == 78_493_000 and total[2].data_type == "n" and total[2].number_format == "#,##0"
    assert ["補助の対象となる医療機関", "はい", 11] in rows  # the rule's label, はい/いいえ/不明
    assert ["補助の対象となる医療機関", "不明", 1] in rows
    facts = rows[rows.index(["判定に必要な事実", "識別子", "施設数"]) + 1:]
    assert facts[0] == ["総事業費（実績）", "actual_total_cost", 3]


def test_the_summary_sheet_is_in_english_with_lang_en(cli, examples, tmp_path):
    out = tmp_path / "results.xlsx"
    cli("evaluate", "--batch", examples, *POLICY, "--out", str(out), "--lang", "en")
    rows = [list(r) for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)]
    assert ["facilities evaluated", 14, None] in rows
    assert ["Grant amount", "total", 78_493_000] in rows or any(r[1] == "total" and r[2] == 78_493_000 for r in rows)


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal_shows_the_total_and_the_rate_and_time_left(examples):
    from engine.cli.main import main
    err = Terminal()
    code = main(["evaluate", "--batch", examples, *POLICY, "--summary", "--lang", "ja"], io.StringIO(), err)
    assert code == 0
    drawn = err.getvalue()
    assert "評価中" in drawn and "/14 行" in drawn and "残り" in drawn and "行/s" in drawn


def test_a_progress_bar_in_english_says_rows_and_left(examples):
    from engine.cli.main import main
    err = Terminal()
    main(["evaluate", "--batch", examples, *POLICY, "--summary", "--lang", "en"], io.StringIO(), err)
    assert "evaluating" in err.getvalue() and "/14 rows" in err.getvalue() and "left" in err.getvalue()


def test_nothing_but_the_result_line_is_written_when_stderr_is_not_a_terminal(cli, examples):
    r = cli("evaluate", "--batch", examples, *POLICY, "--summary", "--lang", "en")
    assert r.err == "14 rows: 14 evaluated, 0 error rows\n"


def test_rows_are_counted_from_line_breaks_without_reading_the_table(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("id,x\n1,a\n2,b\n3,c", "utf-8")  # no line break after the last row
    assert estimate_rows(str(csv)) == 3
    (tmp_path / "t.jsonl").write_text('{"id": 1}\n{"id": 2}\n', "utf-8")
    assert estimate_rows(str(tmp_path / "t.jsonl")) == 2
    assert estimate_rows(str(tmp_path / "t.xlsx")) is None  # unknown: the bar shows the rate only
    assert estimate_rows(str(tmp_path / "missing.csv")) is None


def test_a_bar_without_a_total_shows_the_rate_only():
    from engine.cli.batch import Progress
    err = Terminal()
    bar = Progress(err, None, "ja")
    bar(5)
    bar.bar.refresh()  # drawn now, whatever the clock says
    bar.done()
    assert "5 行" in err.getvalue() and "残り" not in err.getvalue()


def test_dates_in_the_workbook_stay_real_dates_beside_the_summary(cli, examples, tmp_path):
    out = tmp_path / "results.xlsx"
    cli("evaluate", "--batch", examples, *POLICY, "--out", str(out), "--lang", "ja")
    ws = openpyxl.load_workbook(out)["結果"]
    header = [c.value for c in ws[2]]
    due = [row[header.index("report_due")].value for row in ws.iter_rows(min_row=3)]
    assert any(isinstance(v, datetime.datetime) for v in due)
