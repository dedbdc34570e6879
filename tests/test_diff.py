# SPDX-License-Identifier: MIT
"""yoko diff: what changed in the rules and for which facilities, in text, Markdown and JSON."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["text", "markdown", "json"]
CORPUS = "tests/cases/versions/facilities"


def git(repo: Path, *args: str) -> None:
    """git with a fixed author and date, so that commit SHAs (shown in reports) are the same every run."""
    env = {**os.environ, "GIT_AUTHOR_DATE": "2022-10-07T09:00:00+09:00",
           "GIT_COMMITTER_DATE": "2022-10-07T09:00:00+09:00"}
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=repo, check=True,
                   capture_output=True, env=env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def changed_in_git(tmp_path, monkeypatch):
    """A git repository holding the FY2022 policy and the examples, then a commit that changes
    the amount per bed, drops a condition from the eligible costs and adds a policy note."""
    repo = tmp_path / "repo"
    (repo / "policies" / "ibaraki").mkdir(parents=True)
    policy = repo / "policies" / "ibaraki" / "2022.yaml"
    shutil.copy(ROOT / "policies" / "ibaraki" / "2022.yaml", policy)
    shutil.copytree(ROOT / "examples" / "ibaraki-2022", repo / "examples")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "FY2022 as enacted")
    edit(policy, "    value: 133000\n", "    value: 140000\n")
    edit(policy, "             and not e.other_subsidy)\n", "             )\n")
    edit(policy, "notes:\n  - kind: defect\n", "notes:\n  - kind: note\n    text: {ja: テスト用の注記, en: A note added for the test}\n"
                                               "  - kind: defect\n")
    git(repo, "commit", "-q", "-am", "A change under review")
    monkeypatch.chdir(repo)
    return repo


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_change_to_the_fy2022_policy_in_git_is_reported(cli, changed_in_git, fmt, snapshot):
    r = cli("diff", "ibaraki/2022@HEAD~1", "ibaraki/2022@HEAD", "--facilities", "examples", "--format", fmt,
            "--lang", "en")
    assert r.code == 0, r.err
    assert r.out == snapshot


def test_the_git_diff_names_what_changed_and_who_gains(cli, changed_in_git):
    r = cli("diff", "ibaraki/2022@HEAD~1", "ibaraki/2022", "--facilities", "examples", "--format", "json")
    report = json.loads(r.out)
    s = report["structural"]
    assert [(p["name"], p["value"]) for p in s["parameters"]["changed"]] == [
        ("unit_per_bed", {"old": 133000, "new": 140000})]
    assert [r["name"] for r in s["rules"]["changed"]] == ["eligible_costs"]
    assert not s["facts"]["added"] and not s["facts"]["removed"] and not s["facts"]["changed"]
    assert [n["text"]["en"] for n in s["notes"]["added"]] == ["A note added for the test"]
    changed = {c["facility"]: c for c in report["behavioural"]["changed"]}
    causes = {f: [(r["kind"], r["name"]) for r in c["cause"]] for f, c in changed.items()}
    # funded by another subsidy: the cost now counts (the bed cap rises too, but does not bind)
    assert causes["addons-and-other-subsidies.yaml"] == [("expression", "eligible_costs")]
    # the bed cap binds: 95 beds x 140,000
    assert causes["ground-2a-bed-cap-smaller.yaml"] == [("parameter", "unit_per_bed")]
    assert changed["ground-2a-bed-cap-smaller.yaml"]["results"]["grant_amount"]["delta"] == 665000
    assert "ground-1-cost-share-smaller.yaml" not in changed
    assert len(report["old"]["sha"]) == 40 and report["new"]["sha"] is None  # the working tree has no commit


def test_the_working_tree_is_a_side_too(cli, changed_in_git):
    policy = changed_in_git / "policies" / "ibaraki" / "2022.yaml"
    edit(policy, "    value: 140000\n", "    value: 150000\n")
    r = cli("diff", "ibaraki/2022@HEAD", "ibaraki/2022", "--format", "json")
    changed = json.loads(r.out)["structural"]["parameters"]["changed"]
    assert [(p["name"], p["value"]["new"]) for p in changed] == [("unit_per_bed", 150000)]
    r = cli("diff", "policies/ibaraki/2022.yaml@HEAD", "policies/ibaraki/2022.yaml", "--format", "json")
    assert json.loads(r.out)["structural"]["parameters"]["changed"] == changed


def test_a_revision_git_cannot_read_is_a_clear_error(cli, changed_in_git):
    r = cli("diff", "ibaraki/2022@no-such-revision", "ibaraki/2022")
    assert r.code == 2
    assert r.err.startswith("git_revision: cannot read policies/ibaraki/2022.yaml at no-such-revision")
    assert "Traceback" not in r.err


@pytest.fixture
def with_2023(monkeypatch):
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")


@pytest.mark.parametrize("fmt", FORMATS)
def test_fy2022_against_the_invented_fy2023_is_reported(cli, with_2023, fmt, snapshot):
    r = cli("diff", "ibaraki/2022", "ibaraki/2023", "--facilities", CORPUS, "--format", fmt, "--lang", "en")
    assert r.code == 0, r.err
    assert r.out == snapshot


def test_inherited_untouched_items_are_not_reported(cli, with_2023):
    report = json.loads(cli("diff", "ibaraki/2022", "ibaraki/2023", "--format", "json").out)
    rules = report["structural"]["rules"]
    named = {r["name"] for r in rules["changed"] + rules["added"] + rules["removed"]}
    assert named == {"excluded", "eligible_costs", "cost_share", "per_bed_cap", "report_due",
                     "eligible_expenses", "eligible_asset_costs", "supplement_applies"}
    params = report["structural"]["parameters"]
    assert [p["name"] for p in params["removed"]] == ["report_days"]


def test_each_change_of_the_invented_year_shows_in_the_facility_it_concerns(cli, with_2023):
    report = json.loads(cli("diff", "ibaraki/2022", "ibaraki/2023", "--facilities", CORPUS,
                            "--format", "json").out)
    first = {c["facility"]: (c["first_difference"]["rule"], _plain_result(c["results"].get("grant_amount")))
             for c in report["behavioural"]["changed"]}
    assert first == {
        "asset-forming-costs.yaml": ("cost_share", {"old": 4000000, "new": 3500000}),   # rate by class
        "certain-to-obtain-addon.yaml": ("excluded", {"old": 1000000, "new": 0}),     # widened exclusion
        "missing-period.yaml": ("ground_1", {"old": None, "new": 1600000}),            # periods moved
        "remote-area-supplement.yaml": ("per_bed_cap", {"old": 3990000, "new": 4896000}),  # + per bed
        "transports-cross-2000.yaml": ("ground_1", {"old": 2000000, "new": 0}),
    }
    totals = report["behavioural"]["totals"]
    assert totals["old"]["results"]["grant_amount"] == {"sum": 10990000, "known": 4, "unknown": 1}
    assert totals["new"]["results"]["grant_amount"]["sum"] == 1000000 + 0 + 1600000 + 4896000 + 3500000 - 1000000


def _plain_result(v):
    return None if v is None else {"old": v["old"], "new": v["new"]}


def test_a_jsonl_corpus_gives_the_same_changes_and_a_bad_row_sinks_no_other(cli, with_2023, tmp_path):
    from ruamel.yaml import YAML
    rows = [YAML(typ="safe").load(p.read_text("utf-8")) for p in sorted(Path(CORPUS).glob("*.yaml"))]
    rows.insert(1, {"name": "broken", "beds": "many", "max_used_beds": -1})
    lines = [json.dumps(r, ensure_ascii=False, default=str) for r in rows] + ["not json"]
    f = tmp_path / "corpus.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = json.loads(cli("diff", "ibaraki/2022", "ibaraki/2023", "--facilities", str(f),
                            "--format", "json").out)
    b = report["behavioural"]
    assert b["facilities"] == 7
    assert len(b["changed"]) == 5
    assert [(e["facility"], e["side"]) for e in b["errors"]] == [
        ("corpus.jsonl:2 broken", "old"), ("corpus.jsonl:2 broken", "new"), ("corpus.jsonl:7", "both")]
    assert b["errors"][0]["diagnostics"][0]["code"] == "bad_fact"


def test_a_policy_against_itself_reports_no_change(cli):
    r = cli("diff", "ibaraki/2022", "ibaraki/R4", "--facilities", "examples/ibaraki-2022", "--lang", "en",
            "--exit-code")
    assert r.code == 0
    assert r.out.splitlines()[1] == "Verdict: no change (identical)"
    assert "14 facilities, 0 change outcome" in r.out
    for section in ("Parameters", "Rules", "Facts", "Public results"):
        assert f"{section}\n  no change" in r.out


# --------------------------------------------------------------------------- tables (CSV/XLSX) as the corpus

def test_a_csv_table_with_columns_named_after_facts_is_a_corpus(cli, tmp_path):
    table = tmp_path / "facilities.csv"
    table.write_text("id,emergency_tier,ambulance_transports,has_regional_care_system_addon\n"
                     "A,secondary,1500,false\nB,secondary,bad,false\nC,none,10,\n", encoding="utf-8")
    r = cli("diff", "ibaraki/2022", "tests/policies/ibaraki-2023.yaml", "--facilities", str(table),
            "--format", "json")
    assert r.code == 0, r.err
    beh = json.loads(r.out)["behavioural"]
    assert beh["facilities"] == 3
    assert [e["facility"] for e in beh["errors"]] == ["facilities.csv:3 B", "facilities.csv:3 B"]
    assert {e["diagnostics"][0]["code"] for e in beh["errors"]} == {"bad_fact"}
    assert beh["totals"]["old"]["evaluated"] == 2


def test_the_real_corpus_mapping_reads_the_table_for_both_years(cli):
    r = cli("diff", "ibaraki/2022", "tests/policies/ibaraki-2023.yaml", "--facilities", "tests/data/mhlw-r7-slice.csv",
            "--map", "examples/mappings/mhlw-r7-ibaraki.yaml", "--format", "json")
    assert r.code == 0, r.err
    beh = json.loads(r.out)["behavioural"]
    # the mapping keeps only Ibaraki's rows (where: prefecture == "茨城県")
    ibaraki_rows = sum(1 for line in open("tests/data/mhlw-r7-slice.csv", encoding="utf-8") if ",茨城県," in line)
    assert beh["facilities"] == ibaraki_rows > 0
    assert not beh["errors"]
    changed = {c["facility"]: c["results"] for c in beh["changed"]}
    assert all(_plain_result(res["report_due"]) == {"old": None, "new": "2024-04-10"} for res in changed.values())


def test_map_without_a_table_is_a_usage_error(cli):
    r = cli("diff", "ibaraki/2022", "ibaraki/2022", "--map", "examples/mappings/mhlw-r7-ibaraki.yaml")
    assert r.code == 2
    assert "usage" in r.err


def test_a_repeated_jsonl_field_is_the_same_error_in_batch_and_in_diff(cli, tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "A", "ambulance_transports": 1200, "ambulance_transports": 900}\n', encoding="utf-8")
    batch = cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(rows), "--lang", "en")
    batch_error = json.loads(batch.out.splitlines()[0])["error"]
    diff = cli("diff", "ibaraki/2022", "ibaraki/2022", "--facilities", str(rows), "--format", "json", "--lang", "en")
    assert batch_error["code"] == "bad_row"
    assert "bad_row" in diff.out and batch_error["message"] in diff.out


def test_a_facts_file_reads_the_same_in_diff_as_in_evaluate(cli, tmp_path):
    """One reader: an empty file is an error (not a facility of which nothing is known), and a
    number keeps the decimal it was written as (1450.0000000000000001 is not 1450)."""
    example = open("examples/ibaraki-2022/ground-1-cost-share-smaller.yaml", encoding="utf-8").read()
    (tmp_path / "exact.yaml").write_text(example.replace("ambulance_transports: 1450\n",
                                                         "ambulance_transports: 1450.0000000000000001\n"), "utf-8")
    (tmp_path / "empty.yaml").write_text("", "utf-8")
    diff = json.loads(cli("diff", "ibaraki/2022", "ibaraki/2022", "--facilities", str(tmp_path),
                          "--format", "json", "--lang", "en").out)
    errors = {(e["facility"], e["side"]): e["diagnostics"] for e in diff["behavioural"]["errors"]}
    assert set(errors) == {("exact.yaml", "old"), ("exact.yaml", "new"), ("empty.yaml", "both")}
    for name, side in (("exact.yaml", "old"), ("empty.yaml", "both")):
        evaluate = cli("evaluate", str(tmp_path / name), "--policy", "ibaraki", "--year", "2022", "--lang", "en")
        assert evaluate.code == 2
        for d in errors[(name, side)]:
            assert f"{d['code']}: {d['message']}" in evaluate.err
    assert "write 1450" not in json.dumps(diff["behavioural"]["errors"])
    assert diff["behavioural"]["totals"]["old"]["evaluated"] == 0
