# SPDX-License-Identifier: MIT
"""The `yoko` command as a function: exit codes, streams, and facts-input errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

FACTS = "tests/cases/facts"
EXAMPLE = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"


@pytest.mark.parametrize("name, code, line, column", [
    ("wrong_type.yaml", "bad_fact", 3, 23),
    ("bad_enum.yaml", "bad_fact", 2, 17),
    ("negative_count.yaml", "bad_fact", 2, 23),
    ("unknown_name.yaml", "unknown_fact", 2, 1),
    ("bad_expense.yaml", "bad_fact", 4, 16),
])
def test_bad_facts_exit_2_with_a_located_error_and_print_no_result(cli, name, code, line, column):
    r = cli("evaluate", f"{FACTS}/{name}", "--policy", "ibaraki", "--year", "2022", "--lang", "en")
    assert r.code == 2
    assert r.out == ""
    assert r.err.startswith(f"{FACTS}/{name}:{line}:{column}: {code}: ")


def test_bad_facts_in_json_mode_give_json_diagnostics(cli):
    r = cli("evaluate", f"{FACTS}/bad_enum.yaml", "--policy", "ibaraki", "--year", "2022", "--format", "json")
    assert r.code == 2
    assert r.out == ""
    diag = json.loads(r.err)["diagnostics"][0]
    assert (diag["code"], diag["line"], diag["column"]) == ("bad_fact", 2, 17)


@pytest.mark.parametrize("name", ["wrong_type.yaml", "bad_enum.yaml", "negative_count.yaml",
                                  "unknown_name.yaml", "bad_expense.yaml"])
def test_bad_facts_messages_are_pinned(cli, snapshot, name):
    r = cli("evaluate", f"{FACTS}/{name}", "--policy", "ibaraki", "--year", "2022")
    assert r.err == snapshot


def test_unknown_fact_name_suggests_the_declared_one(cli):
    r = cli("evaluate", f"{FACTS}/unknown_name.yaml", "--policy", "ibaraki", "--year", "2022", "--lang", "en")
    assert "did you mean: ambulance_transports" in r.err


@pytest.mark.parametrize("year", ["2022", "R4", "令和4", "令和4年度"])
def test_year_may_be_written_in_the_japanese_era(cli, year):
    r = cli("evaluate", EXAMPLE, "--policy", "ibaraki", "--year", year, "--format", "json", "--no-trace")
    assert r.code == 0
    assert json.loads(r.out)["fiscal_year"] == 2022


def test_unknown_policy_year_is_an_error_naming_the_years_that_exist(cli):
    r = cli("evaluate", EXAMPLE, "--policy", "ibaraki", "--year", "1999", "--lang", "en")
    assert r.code == 2
    assert "has no fiscal year 1999" in r.err


def test_misspelt_policy_id_gets_a_suggestion(cli):
    r = cli("evaluate", EXAMPLE, "--policy", "ibaraky", "--year", "2022", "--lang", "en")
    assert r.code == 2
    assert "did you mean: ibaraki" in r.err


def test_json_output_has_the_documented_shape(cli):
    r = cli("evaluate", EXAMPLE, "--policy", "ibaraki", "--year", "2022", "--format", "json")
    out = json.loads(r.out)
    assert list(out) == ["policy", "fiscal_year", "results", "unknown", "needed_facts", "not_applicable", "trace"]
    assert out["results"]["grant_amount"] == 6833000
    assert out["not_applicable"] == []
    assert isinstance(out["results"]["report_due"], str)
    entry = next(t for t in out["trace"] if t["rule"] == "grant_amount")
    assert entry["cite"][0] == {"source": "guideline", "article": 6, "paragraph": 2}
    assert {"value", "reads", "source", "label"} <= set(entry)


def test_missing_facts_file_is_a_clear_error(cli):
    r = cli("evaluate", "no/such/file.yaml", "--policy", "ibaraki", "--year", "2022")
    assert r.code == 2
    assert "file_unreadable" in r.err


def test_usage_error_exits_2_without_traceback(cli):
    r = cli("evaluate")
    assert r.code == 2
    assert "Traceback" not in r.err


def test_check_with_no_path_checks_every_shipped_policy_cleanly(cli):
    r = cli("check", "--strict")
    assert r.code == 0, r.err
    assert "ok: policies/ibaraki/2022.yaml" in r.out


def test_list_shows_the_ibaraki_policy_with_its_sources(cli):
    r = cli("list")
    assert r.code == 0
    assert "ibaraki  2022" in r.out
    assert "医人第460号" in r.out


def test_python_dash_m_engine_is_the_same_program():
    r = subprocess.run([sys.executable, "-m", "engine", "evaluate", EXAMPLE, "--policy", "ibaraki", "--year", "2022",
                        "--format", "json", "--no-trace"], capture_output=True, text=True)
    assert r.returncode == 0
    assert json.loads(r.stdout)["results"]["eligible"] is True


def test_a_json_facts_file_gives_what_the_same_facts_in_yaml_give_and_its_errors_are_located(cli, tmp_path):
    from ruamel.yaml import YAML
    example = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"
    data = YAML(typ="safe").load(open(example, encoding="utf-8"))
    as_json = tmp_path / "facility.json"
    as_json.write_text(json.dumps(data, ensure_ascii=False, default=str, indent=1), "utf-8")
    args = ["--policy", "ibaraki", "--year", "2022", "--format", "json"]
    assert json.loads(cli("evaluate", str(as_json), *args).out) == json.loads(cli("evaluate", example, *args).out)
    data["ambulance_transports"] = "many"
    as_json.write_text(json.dumps(data, ensure_ascii=False, default=str, indent=1), "utf-8")
    r = cli("evaluate", str(as_json), *args[:4], "--lang", "en")
    line = next(i for i, ln in enumerate(as_json.read_text("utf-8").splitlines(), 1) if "many" in ln)
    assert r.code == 2 and r.err.startswith(f"{as_json}:{line}:")


def test_japanese_output_on_an_ascii_terminal_is_escaped_not_an_error():
    # the C locale without UTF-8 mode: Python's stdout is ASCII with surrogateescape
    import os
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "",
           "PYTHONPATH": str(root), "YOKO_DAEMON": "off", "YOKO_LANG": "ja"}
    r = subprocess.run([sys.executable, "-m", "engine", "list"], cwd=root, env=env, capture_output=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.isascii() and "\\u4ee4\\u548c4\\u5e74\\u5ea6" in r.stdout.decode()  # 令和4年度, escaped
