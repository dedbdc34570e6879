# SPDX-License-Identifier: MIT
"""Rows, not runs: a bad row is an error row; output is whole or absent; signals leave no debris."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from hostile_util import EXPECTED, assert_no_crash, big_table, interrupted_batch

POLICY = "tests/hostile/policy.yaml"
TABLES = EXPECTED["batch"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_hostile_table_gives_error_rows_or_one_located_refusal(name, cli):
    want = TABLES[name]
    r = cli("evaluate", "--policy-file", POLICY, "--batch", f"tests/hostile/batch/{name}", "--lang", "en")
    assert_no_crash(r.out, r.err)
    assert r.code == want["exit"]
    if want["exit"] == 2:
        assert r.out == ""  # nothing is written when a run is refused, stdout included
        assert r.err.startswith(f"tests/hostile/batch/{name}:{want['line']}:{want['column']}: {want['code']}: ")
        return
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert {row["row"]: row["error"]["code"] for row in rows if "error" in row} == want["errors"]
    assert sum("results" in row for row in rows) == want["evaluated"]
    assert [row["row"] for row in rows] == sorted(row["row"] for row in rows)


def test_a_run_refused_half_way_writes_nothing_to_stdout(cli):
    r = cli("evaluate", "--policy-file", POLICY, "--batch", "tests/hostile/batch/broken_sheet_xml.xlsx")
    assert (r.code, r.out) == (2, "")  # rows before the break were evaluated, and not printed


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_out_naming_a_directory_is_refused_and_leaves_no_temporary_file(suffix, tmp_path, cli):
    target = tmp_path / f"results{suffix}"
    target.mkdir()
    r = cli("evaluate", "--policy-file", POLICY, "--batch", "tests/hostile/batch/rows.jsonl", "--out", str(target))
    assert r.code == 2 and "batch_write" in r.err and "Traceback" not in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_signal_during_a_batch_removes_the_temporary_file_and_exits_128_plus_n(sig, suffix, tmp_path):
    signum = getattr(signal, sig)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "YOKO_LANG": "en"}
    code, err = interrupted_batch("engine.cli.main", out_dir / f"r{suffix}", env, signum, big_table(tmp_path))
    assert code == 128 + signum, err
    assert err == f"interrupted by {sig}\n"
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bug_in_one_row_is_that_row_s_error_and_every_other_row_is_written(jobs, tmp_path, monkeypatch, cli):
    # A bug (an exception yoko does not expect) used to end the whole run with internal_error and
    # nothing written; now it is its row's error, as a row past every limit is, and the run exits 70.
    import engine.evaluation.batch as batch
    real = batch.run_rules

    def buggy(policy, facts, **kw):
        if facts.get("transports") == 13:
            raise ZeroDivisionError("division by zero")
        if facts.get("transports") == 14:
            raise RecursionError("maximum recursion depth exceeded")
        return real(policy, facts, **kw)
    monkeypatch.setattr(batch, "run_rules", buggy)  # forked --jobs 2 workers inherit it
    table = tmp_path / "t.csv"
    table.write_text("transports,rate,sole_hospital\n" + "".join(f"{i},{i % 7},true\n" for i in range(600)), "utf-8")
    out = tmp_path / "out.jsonl"
    r = cli("evaluate", "--policy-file", POLICY, "--batch", str(table), "--jobs", jobs, "--out", str(out))
    assert r.code == 70, r.err
    assert "600 rows: 598 evaluated, 2 error rows" in r.err
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [x["row"] for x in rows] == list(range(2, 602))  # every row once, in order (line numbers)
    bad = [(x["row"], x["error"]["code"]) for x in rows if "error" in x]
    assert bad == [(15, "internal_error"), (16, "too_deeply_nested")]
    assert "ZeroDivisionError: division by zero" in rows[13]["error"]["message"]
    assert "不具合" in rows[13]["error"]["message_ja"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_a_signal_whose_exception_some_code_swallowed_still_ends_the_run(suffix, tmp_path, monkeypatch, cli):
    # C code that clears errors can lose what a signal handler raised: SIGHUP arriving while
    # xml.etree's C accelerator was being imported (for the XLSX writer) let the run write its
    # whole output and exit 0, about one run in ten. The handler notes each signal; the writers
    # raise it again between rows and before they commit.
    from engine.base import files
    from engine.cli.main import Signalled
    import engine.evaluation.tables as tables
    real = tables.TableWriter.write

    def write(self, row):
        if row.get("row") == 3:
            files.note_signal(Signalled(signal.SIGHUP))  # handled, its exception lost
        return real(self, row)
    monkeypatch.setattr(tables.TableWriter, "write", write)
    table = tmp_path / "t.csv"
    table.write_text("transports,rate,sole_hospital\n" + "".join(f"{i},{i % 7},true\n" for i in range(40)), "utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = cli("evaluate", "--policy-file", POLICY, "--batch", str(table), "--out", str(out_dir / f"r{suffix}"))
    assert r.code == 128 + signal.SIGHUP, r.err
    assert "interrupted by SIGHUP" in r.err
    assert os.listdir(out_dir) == []  # neither the output nor its temporary file
