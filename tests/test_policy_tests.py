# SPDX-License-Identifier: MIT
"""`yoko test`: the cases staff write next to a policy, their failures, and `--update`."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from engine.review.policy_tests import expected_json, same
from engine.review.policy_tests import tests_path_for as sibling_tests_file

ROOT = Path(__file__).resolve().parent.parent
IBARAKI = ROOT / "policies" / "ibaraki" / "2022.yaml"

# An invented tests file for a copy of the Ibaraki FY2022 policy (not a real set of cases):
# the second case's grant amount and the third case's basis are deliberately wrong.
CASES = textwrap.dedent("""\
    # invented cases for the tests of `yoko test`
    cases:
      - name: excluded by the add-on   # a comment that must survive --update
        facts: {has_regional_care_system_addon: true}
        expect:
          excluded: true
          eligible: false
          grant_amount: 0
      - name: ground 4 clinic, amount wrong on purpose
        facts_file: facility.yaml
        expect:
          eligible: true
          grant_amount: 1700000   # wrong: two thirds of 2,400,000 is 1,600,000
          records_kept_until: 2028-02-10
      - name: basis wrong on purpose
        facts: {home_care_support: enhanced_single}
        expect:
          basis: ["1"]
          eligible: null
""")

FACILITY = textwrap.dedent("""\
    home_care_support: enhanced_single
    has_regional_care_system_addon: false
    responsible_person_assigned: true
    employs_doctors_over_80h: true
    agreement_cap_over_960h: true
    plans_level_b: false
    target_hours_other: 900
    committee_established: true
    plan_created: true
    plan_items_considered: [a, b, c, d, e, f, g]
    measures_posted: true
    max_used_beds: 0
    expenses:
      - {item: 勤怠管理システム, amount: 2400000, covered_by: none, other_subsidy: false}
    completion_date: 2023-02-10
""")


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A copy of the FY2022 policy with the invented cases beside it; the current folder."""
    shutil.copy(IBARAKI, tmp_path / "2022.yaml")
    (tmp_path / "2022.tests.yaml").write_text(CASES, "utf-8")
    (tmp_path / "facility.yaml").write_text(FACILITY, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_shipped_ibaraki_2022_cases_all_pass(cli):
    r = cli("test", "policies/ibaraki/2022.yaml")
    assert r.code == 0, r.out + r.err
    assert r.out.splitlines()[-1] == "policies/ibaraki/2022.tests.yaml: 30 cases, 30 passed, 0 failed, 0 errors"


def test_the_shipped_cases_are_found_from_the_tests_file_a_folder_or_no_argument(cli):
    for args in (["policies/ibaraki/2022.tests.yaml"], ["policies/ibaraki"], []):
        r = cli("test", *args)
        assert r.code == 0 and "policies/ibaraki/2022.tests.yaml: 30 cases, 30 passed" in r.out, args


def test_failures_show_expected_and_got_per_result_with_the_case_location(workdir, cli, snapshot):
    r = cli("test", "2022.yaml")
    assert r.code == 1
    assert r.out == snapshot


def test_failures_in_japanese(workdir, cli, snapshot):
    r = cli("test", "--lang", "ja", "2022.yaml")
    assert r.code == 1
    assert r.out == snapshot


def test_update_rewrites_only_the_wrong_values_and_keeps_comments(workdir, cli, snapshot):
    r = cli("test", "--update", "2022.yaml")
    assert r.code == 0, r.out
    assert r.out.splitlines()[0] == "2022.tests.yaml: 2 expected values updated"
    text = (workdir / "2022.tests.yaml").read_text("utf-8")
    assert "# a comment that must survive --update" in text
    assert "# [要確認] wrong: two thirds of 2,400,000 is 1,600,000" in text  # kept, flagged: it explained the old value
    assert text == snapshot
    assert cli("test", "2022.yaml").code == 0


def test_update_fills_a_case_that_expects_nothing_with_every_public_result(workdir, cli):
    (workdir / "2022.tests.yaml").write_text("cases:\n  - name: nothing expected yet\n    facts: {}\n", "utf-8")
    r = cli("test", "2022.yaml")
    assert r.code == 0 and "expects nothing" in r.out
    cli("test", "--update", "2022.yaml")
    text = (workdir / "2022.tests.yaml").read_text("utf-8")
    assert text == textwrap.dedent("""\
        cases:
          - name: nothing expected yet
            facts: {}
            expect:
              basis: []
              excluded: null
              requirements_met: null
              eligible: null
              grant_amount: null
              withdrawal_deadline: null
              report_due: null
              advance_payment_max: null
              change_approval_required: null
              records_kept_until: null
        """)


def test_a_case_with_a_bad_fact_is_an_error_at_its_line_and_the_other_cases_still_run(workdir, cli, snapshot):
    text = CASES.replace("facts: {has_regional_care_system_addon: true}",
                         "facts: {has_regional_care_system_addon: yes please}")
    (workdir / "2022.tests.yaml").write_text(text, "utf-8")
    r = cli("test", "2022.yaml")
    assert r.code == 2
    assert "2022.tests.yaml:4:45: bad_fact:" in r.out
    assert r.out.splitlines()[-1] == "2022.tests.yaml: 3 cases, 0 passed, 2 failed, 1 error"
    assert r.out == snapshot


def test_an_expected_result_that_does_not_exist_is_an_error_with_a_suggestion(workdir, cli):
    (workdir / "2022.tests.yaml").write_text("cases:\n  - name: typo\n    expect: {grant_amout: 0}\n", "utf-8")
    r = cli("test", "2022.yaml")
    assert r.code == 2
    assert "2022.tests.yaml:3:14: unknown_result: grant_amout is not a public result of policy ibaraki 2022" in r.out
    assert "did you mean: grant_amount" in r.out


def test_a_misspelt_case_key_is_an_error_with_a_suggestion(workdir, cli):
    (workdir / "2022.tests.yaml").write_text("cases:\n  - name: typo\n    expcet: {eligible: true}\n", "utf-8")
    r = cli("test", "2022.yaml")
    assert r.code == 2
    assert "2022.tests.yaml:3:5: tests_syntax: unknown key expcet in a case" in r.out
    assert "did you mean: expect" in r.out


def test_a_tests_file_without_cases_is_refused(workdir, cli):
    (workdir / "2022.tests.yaml").write_text("- just a list\n", "utf-8")
    r = cli("test", "2022.yaml")
    assert r.code == 2
    assert r.err.startswith("2022.tests.yaml:1:1: tests_syntax:")


def test_a_policy_without_a_tests_file_is_reported_and_does_not_fail(workdir, cli):
    (workdir / "2022.tests.yaml").unlink()
    r = cli("test", "2022.yaml")
    assert (r.code, r.out) == (0, "2022.yaml: no tests (2022.tests.yaml does not exist)\n")


def test_null_in_facts_makes_a_fact_from_the_facts_file_unknown(workdir, cli):
    (workdir / "2022.tests.yaml").write_text(textwrap.dedent("""\
        cases:
          - name: completion date taken away
            facts_file: facility.yaml
            facts: {completion_date: null}
            expect: {records_kept_until: null, eligible: true}
        """), "utf-8")
    assert cli("test", "2022.yaml").code == 0


@pytest.mark.parametrize("written, got, equal", [
    (True, True, True),
    (True, 1, False),          # true is not 1
    (0, False, False),
    (1000, 1000, True),
    (0.8, "0.8", True),        # a decimal in YAML is the exact rational result
    (None, None, True),
    (None, 0, False),          # unknown is not zero
    (["1"], ["1"], True),
    ([1], ["1"], False),
    (["1", "2a"], ["2a", "1"], False),
])
def test_expected_values_compare_as_written_without_coercion(written, got, equal):
    assert same(expected_json(written), got) is equal


def test_the_tests_file_of_a_policy_sits_beside_it():
    assert sibling_tests_file("policies/ibaraki/2022.yaml") == Path("policies/ibaraki/2022.tests.yaml")


def hooks() -> list[dict]:
    from ruamel.yaml import YAML
    return YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))


def test_the_pre_commit_hooks_are_yoko_check_yoko_test_clause_coverage_and_fmt_on_policy_files():
    assert [(h["id"], h["entry"], h["language"], h["files"]) for h in hooks()] == [
        ("yoko-check", "yoko check", "python", r"^policies/.*\.yaml$"),
        ("yoko-test", "yoko test", "python", r"^policies/.*\.yaml$"),
        ("yoko-clauses", "yoko check --clauses", "python", r"^policies/.*\.yaml$"),
        ("yoko-fmt", "yoko fmt --check", "python", r"^policies/.*\.yaml$"),
    ]


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_each_pre_commit_hook_passes_on_the_shipped_policy_files_as_pre_commit_would_call_it(hook, cli):
    import re
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.yaml"))
    chosen = [f for f in files if re.search(hook["files"], f)
              and not (hook.get("exclude") and re.search(hook["exclude"], f))]
    assert "policies/ibaraki/2022.yaml" in chosen
    r = cli(*hook["entry"].split()[1:], *hook.get("args", []), *chosen)
    assert r.code == 0, r.out + r.err


def test_a_policy_path_that_does_not_exist_is_an_error_not_a_pass(cli):
    r = cli("test", "no/such/policy.yaml", "--fail-under", "100")
    assert r.code == 2
    assert "file_unreadable" in r.err


def test_a_policy_without_cases_cannot_meet_a_coverage_threshold(cli, tmp_path):
    alone = tmp_path / "national" / "2020.yaml"  # the national policy, without its tests file beside it
    alone.parent.mkdir()
    shutil.copy(ROOT / "policies" / "national" / "2020.yaml", alone)
    r = cli("test", str(alone), "--coverage", "--fail-under", "90")
    assert r.code == 1
    assert "0.0% is below --fail-under 90%" in r.err
