# SPDX-License-Identifier: MIT
"""Hand-checked Ibaraki FY2022 cases as data (tests/cases/ibaraki), run through the CLI in JSON.

Each case is evaluated exactly as a user would: the facts written to a file, then
`yoko evaluate FILE --policy ibaraki --year 2022 --format json`.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

CASES = Path(__file__).parent / "cases" / "ibaraki"


def _jsonable(v):
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v


def _cases():
    y = YAML(typ="safe")
    out = []
    for f in sorted(CASES.glob("*.yaml")):
        doc = y.load(f.read_text(encoding="utf-8"))
        for case in doc.get("cases", []):
            out.append(pytest.param(doc.get("policy", "ibaraki"), str(doc.get("year", 2022)), case,
                                    id=f"{f.stem}: {case['note']}"))
    return out


@pytest.mark.parametrize("policy, year, case", _cases())
def test_hand_checked_case(policy, year, case, cli, tmp_path):
    if "facts_file" in case:
        facts_path = case["facts_file"]
    else:
        facts_path = tmp_path / "facts.json"
        facts_path.write_text(json.dumps(_jsonable(case.get("facts") or {}), ensure_ascii=False), "utf-8")
    r = cli("evaluate", str(facts_path), "--policy", policy, "--year", year, "--format", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    got = {k: out["results"][k] for k in case.get("want", {})}
    assert got == _jsonable(case.get("want", {}))
    if "want_needed" in case:
        assert out["needed_facts"] == sorted(case["want_needed"])
    if "want_not_needed" in case:
        assert not set(case["want_not_needed"]) & set(out["needed_facts"])
    if "want_unknown" in case:
        assert set(case["want_unknown"]) <= set(out["unknown"])
