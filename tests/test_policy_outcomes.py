# SPDX-License-Identifier: MIT
"""Every shipped example's outcome pinned per policy and year, apart from the rendered memos.

A rule change shows first as a change of outcomes (one snapshot per policy: each example's public
results, unknown rules and needed facts). The rendering — memos in Japanese and English, and the
JSON trace — is pinned on a few representative examples only, so a label or a number restated in
the text fails one rendering snapshot per language, not one per example.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = {
    ("ibaraki", "2022"): sorted((Path(__file__).parent.parent / "examples" / "ibaraki-2022").glob("*.yaml")),
}
# eligible with a cost share, excluded, a failed requirement, facts missing
SHOWN = {("ibaraki", "2022"): ["ground-1-cost-share-smaller.yaml", "excluded-regional-care-addon.yaml",
                               "failed-requirement-plan-items.yaml", "missing-facts-under-review.yaml"]}
POLICIES = [pytest.param(pid, year, id=f"{pid}-{year}") for pid, year in EXAMPLES]


def _run(cli, pid, year, name, *extra):
    r = cli("evaluate", f"examples/{pid}-{year}/{name}", "--policy", pid, "--year", year, *extra)
    assert r.code == 0, r.err
    return r.out


def test_there_are_at_least_ten_examples_per_shipped_policy():
    assert all(len(files) >= 10 for files in EXAMPLES.values())


def test_the_examples_shown_as_memos_exist():
    for key, names in SHOWN.items():
        assert set(names) <= {f.name for f in EXAMPLES[key]}


@pytest.mark.parametrize("pid, year", POLICIES)
def test_outcomes_of_every_example(cli, snapshot, pid, year):
    out = {}
    for f in EXAMPLES[(pid, year)]:
        doc = json.loads(_run(cli, pid, year, f.name, "--format", "json"))
        out[f.name] = {k: doc[k] for k in ("results", "unknown", "needed_facts")}
    assert out == snapshot


@pytest.mark.parametrize("pid, year", POLICIES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_memos_of_representative_examples(cli, snapshot, pid, year, lang):
    memos = [f"=== {name}\n" + _run(cli, pid, year, name, "--lang", lang) for name in SHOWN[(pid, year)]]
    assert "\n".join(memos) == snapshot


@pytest.mark.parametrize("pid, year", POLICIES)
def test_json_trace_of_one_example(cli, snapshot, pid, year):
    name = SHOWN[(pid, year)][0]
    assert json.loads(_run(cli, pid, year, name, "--format", "json"))["trace"] == snapshot
