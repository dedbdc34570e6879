# SPDX-License-Identifier: MIT
"""`yoko evaluate --batch`: tables in and out, mappings, error rows, unknown cells, --jobs, progress."""
from __future__ import annotations

import csv
import io
import json
import os

import pytest

from engine.cli.main import main

POLICY = ("--policy", "ibaraki", "--year", "2022", "--lang", "en")
SLICE = "tests/data/mhlw-r7-slice.csv"
MAP = "examples/mappings/mhlw-r7-ibaraki.yaml"


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def table(tmp_path):
    return write(tmp_path / "in.csv",
                 "id,emergency_tier,ambulance_transports\n"
                 "A,secondary,1500\n"
                 "B,secondary,\n"
                 "C,bogus,12\n"
                 "D,tertiary,-3\n"
                 "E,none,900\n")


def test_bad_rows_become_error_rows_and_the_others_are_evaluated(cli, table):
    r = cli("evaluate", "--batch", table, *POLICY)
    rows = jsonl(r.out)
    assert [x["id"] for x in rows] == ["A", "B", "C", "D", "E"]
    assert rows[2]["error"] == {"code": "bad_fact", "message":
                                'emergency_tier must be one of none, secondary, tertiary but got "bogus"',
                                "message_ja": 'emergency_tier は none, secondary, tertiary のいずれかでなければなりませんが '
                                              '"bogus" です'}
    assert rows[3]["error"] == {"code": "bad_fact", "message": "ambulance_transports must be at least 0 but got -3",
                                "message_ja": "ambulance_transports は 0 以上でなければなりませんが -3 です"}
    assert rows[0]["results"]["basis"] == ["1"]
    assert r.err == "5 rows: 3 evaluated, 2 error rows\n"
    assert r.code == 1


def test_an_empty_cell_is_unknown_not_zero(cli, table):
    b = jsonl(cli("evaluate", "--batch", table, *POLICY).out)[1]
    # with 0 transports ground 1 would be false; unknown transports leave it needed
    assert b["id"] == "B" and "ambulance_transports" in b["needed_facts"]
    assert b["results"]["basis"] == []


def test_a_table_with_only_good_rows_exits_zero(cli, tmp_path):
    path = write(tmp_path / "ok.csv", "id,emergency_tier\nA,tertiary\n")
    r = cli("evaluate", "--batch", path, *POLICY)
    assert r.code == 0 and r.err == "1 rows: 1 evaluated, 0 error rows\n"


def test_a_column_that_is_not_a_fact_is_refused_without_a_mapping(cli, tmp_path):
    path = write(tmp_path / "x.csv", "id,emergency_teir\nA,tertiary\n")
    r = cli("evaluate", "--batch", path, *POLICY)
    assert r.code == 2 and r.out == ""
    assert "x.csv:1:2: unknown_column: column emergency_teir is not a fact" in r.err
    assert "emergency_tier" in r.err  # the suggestion


def test_jsonl_rows_are_facts_and_a_stray_field_makes_an_error_row(cli, tmp_path):
    path = write(tmp_path / "in.jsonl",
                 '{"id": 1, "emergency_tier": "secondary", "ambulance_transports": 1999}\n'
                 '\n'
                 '{"id": 2, "emergency_tier": "secondary", "ambulence_transports": 1999}\n'
                 'not json\n'
                 '[1, 2]\n')
    rows = jsonl(cli("evaluate", "--batch", path, *POLICY).out)
    assert rows[0] == rows[0] | {"row": 1, "id": 1}
    assert rows[0]["results"]["basis"] == ["1"]
    assert rows[1]["row"] == 3 and rows[1]["error"]["code"] == "unknown_fact"
    assert rows[1]["error"]["suggestion"] == "ambulance_transports"
    assert "did you mean" not in rows[1]["error"]["message"]
    assert rows[2]["row"] == 4 and rows[2]["error"]["code"] == "bad_row"
    assert rows[3]["row"] == 5 and rows[3]["error"]["code"] == "bad_row"


def test_csv_output_has_the_id_every_public_result_the_unknowns_and_needed_facts(cli, table, tmp_path):
    out = tmp_path / "out.csv"
    r = cli("evaluate", "--batch", table, *POLICY, "--out", str(out))
    assert r.out == "" and r.err.endswith(f"-> {out}\n")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0])[:3] == ["row", "id", "basis"]
    assert list(rows[0])[-5:] == ["unknown", "needed_facts", "not_applicable", "error_code", "error_message"]
    assert rows[0]["basis"] == '["1"]' and rows[0]["eligible"] == ""
    assert "eligible" in rows[0]["unknown"].split()
    assert rows[2]["error_code"] == "bad_fact" and rows[2]["basis"] == ""
    assert os.listdir(tmp_path) == sorted(os.listdir(tmp_path)) and len(os.listdir(tmp_path)) == 2  # no temp left


def test_a_run_that_fails_leaves_an_existing_output_untouched(cli, tmp_path, table):
    out = write(tmp_path / "out.csv", "previous\n")
    bad_map = write(tmp_path / "m.yaml", "facts:\n  emergency_tier: tier\n")
    r = cli("evaluate", "--batch", table, *POLICY, "--map", bad_map, "--out", out)
    assert r.code == 2 and "unknown_column: mapping" in r.err
    assert open(out, encoding="utf-8").read() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "m.yaml", "out.csv"]


def test_xlsx_in_from_a_named_sheet_and_xlsx_out(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    ws = wb.create_sheet("facilities")
    ws.append(["施設ID", "救急", "搬送"])
    ws.append(["X1", "三次", 1200])
    ws.append(["X2", "なし", None])
    ws.append([None, None, None])
    ws.append(["X3", "二次", "多い"])
    src = tmp_path / "in.xlsx"
    wb.save(src)
    mapping = write(tmp_path / "m.yaml", "id_column: 施設ID\nfacts:\n"
                    "  emergency_tier: {column: 救急, values: {三次: tertiary, 二次: secondary, なし: none}}\n"
                    "  ambulance_transports: 搬送\n")
    out = tmp_path / "out.xlsx"
    r = cli("evaluate", "--batch", str(src), "--sheet", "facilities", "--map", mapping, *POLICY, "--out", str(out))
    assert r.err == f"3 rows: 2 evaluated, 1 error rows -> {out}\n"
    got = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    head = got[1]  # row 1: labels; row 2: identifiers
    rows = [dict(zip(head, g)) for g in got[2:]]
    assert [(x["row"], x["id"], x["basis"]) for x in rows] == [(2, "X1", "1"), (3, "X2", "(none)"), (5, "X3", None)]
    assert rows[2]["error_message"] == 'ambulance_transports must be a whole number but got "多い"'


def test_a_missing_sheet_is_named_with_the_sheets_there_are(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["id"])
    wb.save(tmp_path / "in.xlsx")
    r = cli("evaluate", "--batch", str(tmp_path / "in.xlsx"), "--sheet", "Data", *POLICY)
    assert r.code == 2 and "workbook has no sheet Data; its sheets are Sheet" in r.err


CELLS = [  # (beds_high_acute, beds_acute) -> has_acute_ward
    ("0", "0", False), ("", "", None), ("5", "", True), ("", "12", True), ("0", "", None), ("-", "0", None),
]


@pytest.mark.parametrize("high,acute,want", CELLS)
def test_a_derived_fact_follows_unknown_cells(high, acute, want, tmp_path):
    from engine import load
    from engine.evaluation.batch import load_mapping, row_facts
    policy = load("ibaraki", 2022)
    mapping = load_mapping(MAP, policy)
    row = {"id": "x", "prefecture": "茨城県", "reported": "yes", "beds_high_acute": high, "beds_acute": acute,
           "beds_total": "", "emergency_tier": "none", "ambulance_acceptances": "", "name": "n"}
    kept, facts = row_facts(row, mapping, policy)
    assert kept and facts.get("has_acute_ward") == want


def test_a_facility_that_did_not_report_has_an_unknown_tier_not_none(tmp_path):
    from engine import load
    from engine.evaluation.batch import load_mapping, row_facts
    policy = load("ibaraki", 2022)
    mapping = load_mapping(MAP, policy)
    base = {"id": "x", "prefecture": "茨城県", "beds_high_acute": "", "beds_acute": "", "beds_total": "25",
            "emergency_tier": "none", "ambulance_acceptances": "", "name": "n"}
    assert "emergency_tier" not in row_facts(base | {"reported": "no"}, mapping, policy)[1]
    facts = row_facts(base | {"reported": "yes"}, mapping, policy)[1]
    assert facts["emergency_tier"] == "none" and facts["facility_type"] == "hospital"
    assert "facility_type" not in row_facts(base | {"reported": "yes", "beds_total": "19"}, mapping, policy)[1]


MAPPING_ERRORS = [
    ("facts:\n  emergency_tierr: x\n", "m.yaml:2:3: unknown_fact: emergency_tierr is not a fact"),
    ("columns: {beds: int}\nfacts:\n  has_acute_ward: {expr: beds + 1}\n",
     "m.yaml:3:26: type_mismatch: fact has_acute_ward must be boolean but its expression gives integer"),
    ("facts:\n  has_acute_ward: {expr: beds > 0}\n", "m.yaml:2:26: unknown_name: unknown name beds"),
    ("where: 1 +\nfacts: {name: x}\n", "m.yaml:1:"),
    ("facts:\n  name: {column: x, expr: y}\n", "needs exactly one of column: and expr:"),
    ("columns: {a: integer}\nfacts: {name: x}\n", "column a must have a type, one of text, int"),
    ("policy: tokyo\nfacts: {name: x}\n", "mapping_policy: mapping is written for policy tokyo"),
]


@pytest.mark.parametrize("text,want", MAPPING_ERRORS)
def test_mapping_errors_are_located_in_the_mapping(cli, tmp_path, text, want, table):
    mapping = write(tmp_path / "m.yaml", text)
    r = cli("evaluate", "--batch", table, "--map", mapping, *POLICY)
    assert r.code == 2 and r.out == ""
    assert want in r.err


def test_jobs_spread_rows_over_processes_and_keep_input_order(cli, tmp_path, monkeypatch):
    from engine.evaluation import batch
    monkeypatch.setattr(batch, "CHUNK_ROWS", 8)  # several chunks, so that workers do start
    one = cli("evaluate", "--batch", SLICE, "--map", MAP, *POLICY, "--jobs", "1")
    two = cli("evaluate", "--batch", SLICE, "--map", MAP, *POLICY, "--jobs", "2")
    assert one.code == two.code == 0
    assert one.out == two.out and len(jsonl(one.out)) == 41
    assert one.err == two.err == "41 rows: 41 evaluated, 0 error rows, 2 left out by where\n"


def test_a_table_of_one_chunk_is_evaluated_without_starting_workers(cli, monkeypatch):
    import concurrent.futures

    def no_pool(*a, **k):
        raise AssertionError("workers started for a table of one chunk")
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    one = cli("evaluate", "--batch", SLICE, "--map", MAP, *POLICY, "--jobs", "1")
    two = cli("evaluate", "--batch", SLICE, "--map", MAP, *POLICY, "--jobs", "2")
    assert one.code == two.code == 0 and one.out == two.out and len(jsonl(two.out)) == 41


@pytest.mark.parametrize("cores, jobs", [(1, 1), (None, 1), (2, 2), (8, 2)])
def test_jobs_default_to_two_where_there_are_two_cores(monkeypatch, cores, jobs):
    import os

    from engine.cli.evaluate import default_jobs
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_jobs() == jobs


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_drawn_on_a_terminal_only(table):
    plain, tty = io.StringIO(), _Tty()
    main(["evaluate", "--batch", table, *POLICY, "--lang", "en"], io.StringIO(), plain)
    main(["evaluate", "--batch", table, *POLICY, "--lang", "en"], io.StringIO(), tty)
    assert "\r" not in plain.getvalue()
    assert "\r" in tty.getvalue() and tty.getvalue().endswith("5 rows: 3 evaluated, 2 error rows\n")


def test_facts_and_batch_together_are_a_usage_error(cli, table):
    r = cli("evaluate", "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml", "--batch", table, *POLICY)
    assert r.code == 2 and "not both" in r.err


def _partial(seed: int) -> list[dict]:
    """Facilities with every fact known, then about half of them dropped at random."""
    import random
    import sys
    sys.path.insert(0, "benchmarks")
    import full_policy
    rng = random.Random(seed)
    out = []
    for f in full_policy.generate(60, seed):
        keep = rng.random()
        out.append({k: v for k, v in f.items() if rng.random() < keep})
    return out


def test_batch_needed_facts_agree_with_a_single_evaluation():
    """The batch's compiled needed-facts walk gives exactly what Evaluation.needed_for gives."""
    from engine import load
    from engine.evaluation.batch import RowEvaluator, identity_mapping
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.facts import check_facts
    policy = load("ibaraki", 2022)
    ev = RowEvaluator(policy, identity_mapping(policy, None), focus=list(policy.order))
    compared = 0
    for facts in _partial(3):
        checked = check_facts(facts, policy)
        want = evaluate(policy, checked)
        got = ev(1, {k: v for k, v in facts.items()})
        assert got["needed_facts"] == want.needed_facts
        for rule in policy.order:
            assert got["_focus"][rule][1] == want.needed_for(rule), rule
            compared += 1
    assert compared == 60 * len(policy.order)


def test_full_width_digits_in_a_cell_make_an_error_row_not_a_guess(cli, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,ambulance_transports\nA,１２００\nB,1200\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022", "--out", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert r.code == 1
    assert rows[0]["error"]["code"] == "bad_fact"
    assert "error" not in rows[1]


# --------------------------------------------------------------------------- review fixes: typed cells, mapping failures

_POLICY = """# invented for tests: one number fact, one date fact, rules that show them exactly
id: batchcheck
jurisdiction: {code: JP, name: {ja: テスト, en: test}}
fiscal_year: 2022
title: {ja: テスト, en: test}
sources: {t: {title: {ja: テスト, en: test}}}
facts:
  share: {type: number, label: {ja: 割合, en: share}}
  opened: {type: date, label: {ja: 開設日, en: opened}}
rules:
  share_x3: {expr: share * 3, label: {ja: 三倍, en: times three}, cite: {source: t}}
  opened_in_fy2022: {expr: fiscal_year(opened) == 2022, label: {ja: 年度, en: in FY2022}, cite: {source: t}}
results: [share_x3, opened_in_fy2022]
"""


def _run(cli, tmp_path, rows: str, mapping: str, ext: str = "jsonl"):
    (tmp_path / "p.yaml").write_text(_POLICY, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    table = tmp_path / f"t.{ext}"
    table.write_text(rows, encoding="utf-8")
    r = cli("evaluate", "--policy-file", str(tmp_path / "p.yaml"), "--batch", str(table), "--map",
            str(tmp_path / "m.yaml"))
    return r, [json.loads(line) for line in r.out.splitlines()]


def test_a_fractional_number_in_a_typed_cell_reaches_expressions_exactly(cli, tmp_path):
    r, rows = _run(cli, tmp_path, '{"id": "A", "c": 0.07}\n',
                   "id_column: id\ncolumns: {c: number}\nfacts:\n  share: {expr: c * 100}\n")
    assert rows[0]["results"]["share_x3"] == 21  # 0.07 * 100 * 3, never 21.000000000000004


def test_a_mapping_expression_that_fails_on_one_row_makes_an_error_row_only(cli, tmp_path):
    r, rows = _run(cli, tmp_path, "id,a,b\nA,1,0\nB,3,2\n",
                   "id_column: id\ncolumns: {a: int, b: int}\nfacts:\n  share: {expr: a / b}\n", "csv")
    assert r.code == 1
    assert rows[0]["error"]["code"] == "division_by_zero"
    assert rows[1]["results"]["share_x3"] == "4.5"


def test_a_date_column_is_a_date_in_mapping_expressions(cli, tmp_path):
    r, rows = _run(cli, tmp_path, "id,d\nA,2022-05-01\nB,2021-05-01\nC,2022/05/01\nD,令和4年5月1日\nE,2022-02-30\n",
                   "id_column: id\ncolumns: {d: date}\nwhere: d >= 2021-01-01\nfacts:\n  opened: d\n", "csv")
    assert [row.get("results", {}).get("opened_in_fy2022") for row in rows] == [True, False, True, True, None]
    assert rows[4]["error"]["code"] == "bad_fact"


def test_a_date_only_spreadsheet_cell_is_a_date(cli, tmp_path):
    import datetime
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "opened"])
    ws.append(["A", datetime.date(2022, 4, 5)])
    ws.append(["B", datetime.datetime(2022, 4, 5, 13, 30)])
    wb.save(tmp_path / "t.xlsx")
    (tmp_path / "p.yaml").write_text(_POLICY, encoding="utf-8")
    r = cli("evaluate", "--policy-file", str(tmp_path / "p.yaml"), "--batch", str(tmp_path / "t.xlsx"))
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert rows[0]["results"]["opened_in_fy2022"] is True
    assert rows[1]["error"]["code"] == "bad_fact"  # a real time of day is not a date


def test_an_output_file_that_cannot_be_written_is_a_clear_error(cli, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,ambulance_transports\nA,1200\n", encoding="utf-8")
    r = cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022",
            "--out", "/nonexistent-folder/out.csv", "--lang", "en")
    assert r.code == 2
    assert "batch_write: cannot write /nonexistent-folder/out.csv" in r.err
    assert "internal_error" not in r.err


def test_results_are_an_ordinary_file_not_private_to_the_writer(cli, tmp_path):
    import os
    import stat
    table = tmp_path / "t.csv"
    table.write_text("id,ambulance_transports\nA,1200\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    old = os.umask(0o022)
    try:
        cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022", "--out", str(out))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_row_whose_where_is_unknown_is_reported_not_dropped(cli, tmp_path):
    r, rows = _run(cli, tmp_path, "id,d,p\nA,2022-05-01,x\nB,2022-05-01,\nC,2022-05-01,y\n",
                   'id_column: id\ncolumns: {d: date, p: text}\nwhere: p == "x"\nfacts:\n  opened: d\n', "csv")
    assert [row["id"] for row in rows] == ["A", "B"]  # C is left out by where; B cannot be decided
    assert rows[1]["error"]["code"] == "where_unknown"


def test_a_csv_row_with_too_few_cells_is_an_error_row(cli, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,ambulance_transports,emergency_tier\nA,1200\nB,1200,secondary\n", encoding="utf-8")
    r = cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022")
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert rows[0]["error"]["code"] == "bad_row"
    assert rows[1]["results"]["basis"] == ["1"]


def test_a_jsonl_line_with_a_field_twice_is_an_error_row(cli, tmp_path):
    table = tmp_path / "t.jsonl"
    table.write_text('{"id": "A", "ambulance_transports": 1, "ambulance_transports": 1200}\n', encoding="utf-8")
    r = cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022")
    row = json.loads(r.out.splitlines()[0])
    assert row["error"]["code"] == "bad_row"
    assert "appears twice" in row["error"]["message"]


def test_jobs_read_rows_only_a_window_ahead_and_give_every_row_once_in_order(monkeypatch):
    from engine.evaluation import batch
    from engine.evaluation.tables import read_rows
    from engine.policy.registry import find
    from engine.policy.cache import load_policy_cached
    monkeypatch.setattr(batch, "CHUNK_ROWS", 4)
    monkeypatch.setattr(batch, "WINDOW_PER_JOB", 1)
    policy = load_policy_cached(find("ibaraki", 2022).path)
    mapping = batch.load_mapping(MAP, policy)
    header, rows = read_rows(SLICE)
    rows = list(rows) * 3
    pulled, ahead = [0], []

    def counted():
        for item in rows:
            pulled[0] += 1
            yield item

    def emit(rec):
        ahead.append(pulled[0] - len(out))  # rows read but not yet written
        out.append(rec)
    out: list = []
    summary = batch.run_batch(policy, mapping, counted(), emit, jobs=2)
    want: list = []
    single = batch.run_batch(policy, mapping, iter(rows), want.append, jobs=1)
    assert out == want and len(out) == 3 * 41
    assert (summary.rows, summary.skipped) == (single.rows, single.skipped) == (3 * 43, 3 * 2)
    assert pulled[0] == len(rows)
    window = 4 * (1 * 2 + 1)  # the chunks in flight, and the one being filled
    assert max(ahead) <= window + 3 * 2  # and the rows where: left out, which are never written


def test_where_drops_a_row_in_the_parent_only_when_it_is_surely_left_out(tmp_path):
    from engine.evaluation import batch
    from engine.policy.registry import find
    from engine.policy.cache import load_policy_cached
    policy = load_policy_cached(find("ibaraki", 2022).path)
    mapping = batch.load_mapping(write(tmp_path / "m.yaml", "id_column: id\nwhere: n > 1\ncolumns: {n: int}\n"
                                       "facts:\n  ambulance_transports: n\n"), policy)
    assert batch.where_drops({"n": "0"}, mapping)
    assert not batch.where_drops({"n": "2"}, mapping)
    assert not batch.where_drops({"n": ""}, mapping)  # unknown: the worker reports where_unknown
    assert not batch.where_drops({"n": "x"}, mapping)  # a bad cell: the worker reports it
    assert not batch.where_drops({"__error__": ("batch_read", "bad")}, mapping)


class _NeverPickled:
    """A cell that fails the moment it is pickled (sent to a worker)."""

    def __reduce__(self):
        raise AssertionError("a row left out by where: was sent to a worker")


def test_jobs_never_send_a_row_where_leaves_out_to_a_worker(tmp_path, monkeypatch):
    from engine.evaluation import batch
    from engine.policy.registry import find
    from engine.policy.cache import load_policy_cached
    monkeypatch.setattr(batch, "CHUNK_ROWS", 3)
    policy = load_policy_cached(find("ibaraki", 2022).path)
    mapping = batch.load_mapping(write(tmp_path / "m.yaml", "id_column: id\nwhere: n > 1\ncolumns: {n: int}\n"
                                       "facts:\n  ambulance_transports: n\n"), policy)
    rows = [(i, {"id": str(i), "n": str(i % 4), **({} if i % 4 > 1 else {"poison": _NeverPickled()})})
            for i in range(1, 41)]
    out: list = []
    summary = batch.run_batch(policy, mapping, iter(rows), out.append, jobs=2)
    assert [r["id"] for r in out] == [str(i) for i in range(1, 41) if i % 4 > 1]
    assert (summary.rows, summary.skipped, summary.evaluated) == (40, 20, 20)


def test_jobs_2_keep_order_and_one_bad_row_never_sinks_the_rest_of_its_chunk(monkeypatch):
    from engine.evaluation import batch
    from engine.policy.registry import find
    from engine.policy.cache import load_policy_cached
    monkeypatch.setattr(batch, "CHUNK_ROWS", 5)
    policy = load_policy_cached(find("ibaraki", 2022).path)
    mapping = batch.identity_mapping(policy, ["id", "emergency_tier", "ambulance_transports"])
    cells = [("secondary", "1500"), ("bogus", "12"), ("tertiary", "-3"), ("none", "900"), ("secondary", "")]
    rows = [(i, {"id": str(i), "emergency_tier": cells[i % 5][0], "ambulance_transports": cells[i % 5][1]})
            for i in range(1, 61)]
    rows[7] = (8, {"__error__": ("bad_row", batch.words("diag.bad_row.not_object"))})
    one: list = []
    two: list = []
    batch.run_batch(policy, mapping, iter(rows), one.append, jobs=1)
    summary = batch.run_batch(policy, mapping, iter(rows), two.append, jobs=2)
    assert two == one and [r["row"] for r in two] == list(range(1, 61))
    assert summary.errors == 25 and summary.evaluated == 35  # bogus, -3 (24) and the unreadable row


def test_jsonl_rows_with_an_escaped_surrogate_a_stray_byte_or_a_field_twice_are_error_rows(cli, tmp_path):
    table = tmp_path / "t.jsonl"
    table.write_bytes(b'{"id": "A", "name": "\\ud800x"}\n'
                      b'{"id": "B", "\\udfff": 1}\n'
                      b'{"id": "C", "name": "\xe8\x8c\xa8\xff"}\n'
                      b'{"id": "D", "ambulance_transports": 1, "name": "x", "ambulance_transports": 2}\n'
                      b'{"id": "E", "name": "\\u8328\\u57ce", "ambulance_transports": 1200}\n')
    r = cli("evaluate", "--batch", str(table), "--policy", "ibaraki", "--year", "2022")
    rows = jsonl(r.out)
    assert [row.get("error", {}).get("code") for row in rows] == ["bad_row"] * 4 + [None]
    assert ["surrogate" in rows[0]["error"]["message"], "surrogate" in rows[1]["error"]["message"]] == [True, True]
    assert "0xff" in rows[2]["error"]["message"] and "twice" in rows[3]["error"]["message"]


def test_a_batch_row_lists_the_results_that_do_not_apply_as_evaluate_does(cli, tmp_path):
    # A deadline of a facility that gets no grant is computed but does not apply: evaluate's JSON
    # lists it under not_applicable, and so does its batch row (a column in CSV and XLSX).
    from pathlib import Path

    from engine.policy.yamlio import read_document
    examples = sorted(Path("examples/ibaraki-2022").glob("*.yaml"))
    lines, want = [], []
    for p in examples:
        lines.append(json.dumps(read_document(str(p)).data, default=str, ensure_ascii=False))
        doc = json.loads(cli("evaluate", str(p), *POLICY, "--format", "json").out)
        want.append(doc["not_applicable"])
    table = tmp_path / "examples.jsonl"
    table.write_text("\n".join(lines) + "\n", "utf-8")
    rows = jsonl(cli("evaluate", "--batch", str(table), *POLICY).out)
    assert [r.get("not_applicable") for r in rows] == want
    assert any(want) and not all(want)  # some examples are ineligible, some are not
    out = tmp_path / "out.csv"
    cli("evaluate", "--batch", str(table), *POLICY, "--out", str(out))
    cells = [r["not_applicable"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))]
    assert cells == [" ".join(w) for w in want]
