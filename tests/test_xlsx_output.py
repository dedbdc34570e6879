# SPDX-License-Identifier: MIT
"""The results workbook: labels as headers, identifiers in a second header row, typed cells, a
frozen header, an autofilter, a sheet that explains each column; it reads back as a table."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from engine.evaluation.tables import read_rows

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ibaraki-2022" / "ground-1-cost-share-smaller.yaml"


def _rows() -> str:
    from ruamel.yaml import YAML
    facts = YAML(typ="safe").load(EXAMPLE.read_text("utf-8"))
    return (json.dumps({"id": "A-001", **facts}, ensure_ascii=False, default=str) + "\n"
            + '{"id": "B-002", "emergency_tier": "none", "ambulance_transports": 0}\n')


@pytest.fixture
def workbook(cli, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.xlsx"
    src.write_text(_rows(), encoding="utf-8")
    r = cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(src), "--out", str(out), "--lang", "ja")
    assert r.code in (0, 1), r.err
    return out


def test_the_results_sheet_has_japanese_labels_over_identifiers_and_a_frozen_filtered_header(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["結果"]
    labels = [c.value for c in ws[1]]
    ids = [c.value for c in ws[2]]
    assert labels[:2] == ["行", "施設コード"] and ids[:2] == ["row", "id"]
    assert "eligible" in ids and labels[ids.index("eligible")] != "eligible"
    assert [i for label, i in zip(labels, ids) if label == i] == []  # every column has a Japanese header
    assert labels[ids.index("not_applicable")] == "該当しない結果"
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["B"].width >= 10


def test_cells_are_typed_booleans_integers_with_thousands_and_real_dates(workbook):
    ws = openpyxl.load_workbook(workbook)["結果"]
    ids = [c.value for c in ws[2]]
    first = {k: c for k, c in zip(ids, ws[3])}
    assert first["eligible"].value in ("はい", "いいえ")
    amount = first["grant_amount"]
    assert isinstance(amount.value, int) and amount.number_format == "#,##0"
    dates = [k for k in ids if isinstance(first[k].value, datetime.datetime)]
    assert dates and all(first[k].number_format == "yyyy-mm-dd" for k in dates)


def test_a_sheet_explains_each_column_with_its_citation(workbook):
    ws = openpyxl.load_workbook(workbook)["列の説明"]
    rows = {r[0].value: (r[1].value, r[2].value) for r in ws.iter_rows(min_row=2)}
    assert rows["eligible"][1] and "条" in rows["eligible"][1]


def test_the_workbook_reads_back_as_a_table_with_identifier_columns(workbook):
    header, rows = read_rows(str(workbook))
    rows = list(rows)
    assert header[:2] == ["row", "id"] and [r["id"] for _, r in rows] == ["A-001", "B-002"]
    assert rows[0][0] == 3  # sheet row numbers stay true
