# SPDX-License-Identifier: MIT
"""Shared by the hostile-input tests: the pinned expectations and the first error of a run."""
from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED = YAML(typ="safe").load((HOSTILE / "expected.yaml").read_text("utf-8"))


def first_error(json_text: str) -> dict:
    """The first error diagnostic of a --format json diagnostics report (check or evaluate)."""
    data = json.loads(json_text)
    diags = data["diagnostics"] if "diagnostics" in data else data["files"][0]["diagnostics"]
    return next(d for d in diags if d["severity"] == "error")


def assert_no_crash(*texts: str) -> None:
    for t in texts:
        assert "Traceback" not in t and "internal_error" not in t, t
