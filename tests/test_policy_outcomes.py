# SPDX-License-Identifier: MIT
"""Every shipped example's full result, in text (ja, en) and JSON, pinned per policy and year.

A change to a policy changes these snapshots: review the diff like code.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = {
    ("ibaraki", "2022"): sorted((Path(__file__).parent.parent / "examples" / "ibaraki-2022").glob("*.yaml")),
}

PARAMS = [pytest.param(pid, year, f.name, id=f"{pid}-{year}-{f.stem}")
          for (pid, year), files in EXAMPLES.items() for f in files]


def _run(cli, pid, year, name, *extra):
    r = cli("evaluate", f"examples/{pid}-{year}/{name}", "--policy", pid, "--year", year, *extra)
    assert r.code == 0, r.err
    return r.out


def test_there_are_at_least_ten_examples_per_shipped_policy():
    assert all(len(files) >= 10 for files in EXAMPLES.values())


@pytest.mark.parametrize("pid, year, name", PARAMS)
def test_example_memo_in_japanese(cli, snapshot, pid, year, name):
    assert _run(cli, pid, year, name) == snapshot


@pytest.mark.parametrize("pid, year, name", PARAMS)
def test_example_memo_in_english(cli, snapshot, pid, year, name):
    assert _run(cli, pid, year, name, "--lang", "en") == snapshot


@pytest.mark.parametrize("pid, year, name", PARAMS)
def test_example_json_with_trace(cli, snapshot, pid, year, name):
    assert json.loads(_run(cli, pid, year, name, "--format", "json")) == snapshot
