# SPDX-License-Identifier: MIT
"""Issue 17's remaining awkward workarounds, written the new way (the rest: test_authoring_inheritance,
test_authoring_values, test_new_year, test_yaml_quoting, test_stale_labels, test_fmt, test_lsp)."""
from __future__ import annotations

import json

POLICY = """\
id: dates  # invented for tests
jurisdiction: {code: JP-99, name: {ja: 架空県, en: Invented Prefecture}}
fiscal_year: 2024
title: {ja: 例, en: Example}
sources: {guideline: {title: {ja: 要項, en: Guideline}, number: null}}
facts:
  due: {type: date, label: {ja: 期限, en: Due date}}
rules:
  deadline: {type: date, expr: due, label: {ja: 締切, en: Deadline}, cite: {source: guideline, article: 1}}
results: [deadline]
"""


def test_an_expected_date_written_with_a_one_digit_month_is_a_date_as_in_facts_files(cli, tmp_path):
    (tmp_path / "p.yaml").write_text(POLICY, "utf-8")
    (tmp_path / "p.tests.yaml").write_text(
        "cases:\n  - name: one-digit month\n    facts: {due: 2024-3-11}\n    expect: {deadline: 2024-3-11}\n"
        "  - name: another day\n    facts: {due: 2024-03-12}\n    expect: {deadline: 2024-3-11}\n", "utf-8")
    r = cli("test", str(tmp_path / "p.yaml"), "--lang", "en")
    assert r.code == 1
    assert "2 cases, 1 passed, 1 failed" in r.out + r.err


def test_summing_through_a_derived_list_rule_names_the_list_as_a_needed_fact(cli, tmp_path):
    facts = tmp_path / "f.json"
    facts.write_text(json.dumps({"expenses": [{"kind": "staff"}]}), "utf-8")  # the amount is missing
    r = cli("evaluate", "--policy-file", "tests/cases/authoring/expenses-by-class.yaml", str(facts),
            "--format", "json", "--no-trace")
    out = json.loads(r.out)
    assert out["results"] == {"staff_total": None}
    assert out["needed_facts"] == ["expenses"]
