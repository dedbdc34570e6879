# SPDX-License-Identifier: MIT
"""Broken policies (tests/cases/broken): each gives its code at its file:line:col, exit 2, no traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

BROKEN = Path("tests/cases/broken")
EXPECTED = YAML(typ="safe").load((Path(__file__).parent / "cases" / "broken" / "expected.yaml").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_policy_is_refused_at_the_right_place(name, cli):
    want = EXPECTED[name]
    r = cli("check", str(BROKEN / name))
    assert r.code == 2
    assert "Traceback" not in r.err
    first_error = next(line for line in r.err.splitlines() if ": warning: " not in line and line.startswith("tests/"))
    where, code = first_error.split(": ")[0], first_error.split(": ")[1]
    assert code == want["code"]
    _, line, col = where.rsplit(":", 2)
    assert int(line) == want["line"]
    if not want.get("approx"):
        assert int(col) == want["column"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_policy_message_is_pinned(name, cli, snapshot):
    r = cli("check", str(BROKEN / name))
    assert r.err == snapshot


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_policy_message_in_japanese_is_pinned(name, cli, snapshot):
    r = cli("check", "--lang", "ja", str(BROKEN / name))
    assert r.err == snapshot


def test_json_diagnostics_carry_code_and_location(cli):
    import json
    r = cli("check", "--format", "json", str(BROKEN / "unknown_name.yaml"))
    assert r.code == 2
    diags = json.loads(r.out)["files"][0]["diagnostics"]
    err = next(d for d in diags if d["severity"] == "error")
    assert (err["code"], err["line"], err["column"], err["suggestion"]) == ("unknown_name", 43, 35, "unit_per_bed")
