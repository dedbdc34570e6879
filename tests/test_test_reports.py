# SPDX-License-Identifier: MIT
"""`yoko test --format json` and `--junit-xml FILE`: the results of policy tests for programs and CI."""
from __future__ import annotations

import json
import shutil
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Invented cases for a copy of the FY2022 policy: one right, one with a wrong amount, one broken
CASES = textwrap.dedent("""\
    # invented for tests/test_test_reports.py
    cases:
      - name: the clinic of ground 4
        facts_file: {examples}/ground-4-home-care-clinic.yaml
        expect: {{eligible: true, grant_amount: 1600000}}
      - name: the clinic of ground 4, amount wrong on purpose
        facts_file: {examples}/ground-4-home-care-clinic.yaml
        expect: {{grant_amount: 1700000}}
      - name: a fact that does not exist
        facts: {{no_such_fact: 1}}
        expect: {{eligible: null}}
""")


@pytest.fixture
def policy(tmp_path) -> str:
    shutil.copy(ROOT / "policies/ibaraki/2022.yaml", tmp_path / "2022.yaml")
    (tmp_path / "2022.tests.yaml").write_text(CASES.format(examples=ROOT / "examples/ibaraki-2022"), "utf-8")
    return str(tmp_path / "2022.yaml")


def test_json_lists_every_case_with_its_status_and_the_values_expected_and_got(cli, policy):
    r = cli("test", policy, "--format", "json")
    assert r.code == 2  # a broken case
    data = json.loads(r.out)  # nothing but JSON on stdout
    (suite,) = data["suites"]
    assert (suite["cases"], suite["passed"], suite["failed"], suite["errors"]) == (3, 1, 1, 1)
    ok, wrong, broken = suite["outcomes"]
    assert ok["status"] == "pass" and ok["name"] == "the clinic of ground 4"
    assert wrong["mismatches"] == [{"result": "grant_amount", "expected": 1700000, "got": 1600000}]
    assert wrong["line"] == 6 and wrong["file"].endswith("2022.tests.yaml")
    assert broken["status"] == "error" and broken["diagnostics"][0]["code"] == "unknown_fact"


def test_junit_xml_has_a_testcase_per_case_and_a_failure_or_error_where_one_went_wrong(cli, policy, tmp_path):
    out = tmp_path / "junit.xml"
    r = cli("test", policy, "--junit-xml", str(out))
    assert r.code == 2 and "1 passed, 1 failed, 1 error" in r.out  # the text report is still printed
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "3"
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    ok, wrong, broken = suite.findall("testcase")
    assert list(ok) == []
    failure = wrong.find("failure")
    assert failure is not None and "1700000" in failure.get("message") and "1600000" in failure.text
    assert broken.find("error") is not None and "unknown_fact" in broken.find("error").text
    assert wrong.get("name") == "the clinic of ground 4, amount wrong on purpose" and wrong.get("line") == "6"


def test_junit_xml_of_passing_cases_has_no_failure(cli, tmp_path):
    out = tmp_path / "junit.xml"
    assert cli("test", "policies/ibaraki/2022.yaml", "--junit-xml", str(out)).code == 0
    root = ET.parse(out).getroot()
    assert root.get("tests") == "30" and root.get("failures") == "0" and not root.findall(".//failure")


def test_junit_xml_in_japanese_keeps_the_case_names_as_written(cli, policy, tmp_path):
    out = tmp_path / "junit.xml"
    cli("test", policy, "--junit-xml", str(out), "--lang", "ja")
    failure = ET.parse(out).getroot().find(".//failure")
    assert "期待値" in failure.text
