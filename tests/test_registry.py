# SPDX-License-Identifier: MIT
"""Finding versions: --year in its three spellings, --on DATE, and yoko list."""
from __future__ import annotations

import json

import pytest

from engine.base.diagnostics import YokoError
from engine.policy.registry import entries, in_force, parse_date, parse_year

FACILITY = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"


@pytest.fixture
def with_2023(monkeypatch):
    """The invented FY2023 policy (tests/policies) is visible to the registry."""
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")


@pytest.mark.parametrize("text, year", [("2022", 2022), ("R4", 2022), ("r4", 2022), ("令和4", 2022),
                                        ("令和4年度", 2022), ("Ｒ４", 2022), ("令和元", 2019), ("H30", 2018), ("H31", 2019)])
def test_a_fiscal_year_may_be_written_gregorian_or_by_era(text, year):
    assert parse_year(text) == year


@pytest.mark.parametrize("text", ["22", "R", "FY2022", "令和", "R0", "令和0", "H0", "H32"])
def test_an_unreadable_year_is_a_bad_year(text):
    with pytest.raises(YokoError) as e:
        parse_year(text)
    assert e.value.diagnostics[0].code == "bad_year"


@pytest.mark.parametrize("text", ["2022-11-01", "令和4年11月1日", "R4.11.1"])
def test_a_date_may_be_written_iso_or_by_era(text):
    assert parse_date(text).isoformat() == "2022-11-01"


def test_year_spellings_select_the_same_policy(cli):
    outs = {cli("evaluate", FACILITY, "--policy", "ibaraki", "--year", y, "--format", "json", "--no-trace").out
            for y in ("2022", "R4", "令和4")}
    assert len(outs) == 1
    assert json.loads(outs.pop())["fiscal_year"] == 2022


@pytest.mark.parametrize("day, year", [
    ("2022-04-01", 2022),   # applies_from of FY2022 (before its enactment on 2022-10-07: it applies back)
    ("2022-11-01", 2022),
    ("2023-03-31", 2022),   # last day of fiscal 2022
    ("2023-04-01", 2023),   # applies_from of the invented FY2023
    ("2024-03-31", 2023),
])
def test_on_a_date_the_version_in_force_is_chosen(with_2023, day, year):
    assert in_force("ibaraki", day).fiscal_year == year


@pytest.mark.parametrize("day", ["2022-03-31", "2024-04-01"])
def test_a_date_no_version_covers_is_an_error_listing_the_versions(with_2023, day):
    with pytest.raises(YokoError) as e:
        in_force("ibaraki", day)
    d = e.value.diagnostics[0]
    assert d.code == "no_policy_in_force"
    assert "2022 (2022-04-01 to 2023-03-31), 2023 (2023-04-01 to 2024-03-31)" in d.message


def test_evaluate_on_a_date_uses_that_days_policy(cli, with_2023):
    r = cli("evaluate", FACILITY, "--policy", "ibaraki", "--on", "2023-11-01", "--format", "json", "--no-trace")
    assert r.code == 0, r.err
    assert json.loads(r.out)["fiscal_year"] == 2023
    r = cli("evaluate", FACILITY, "--policy", "ibaraki", "--on", "令和4年11月1日", "--format", "json", "--no-trace")
    assert json.loads(r.out)["fiscal_year"] == 2022


def test_on_and_year_together_are_the_same_usage_error_for_every_command(cli):
    for argv in (("evaluate", FACILITY, "--policy", "ibaraki"), ("show", "ibaraki")):
        r = cli(*argv, "--on", "2022-11-01", "--year", "2022", "--lang", "en")
        assert r.code == 2, argv
        assert "usage: give --year or --on, not both" in r.err, argv


def test_a_policy_file_is_named_the_same_way_by_evaluate_show_and_render(cli):
    path = "policies/ibaraki/2022.yaml"
    assert cli("evaluate", FACILITY, "--policy", path, "--format", "json").code == 0
    assert cli("show", path).code == 0
    assert cli("render", path).code == 0


def test_registry_entries_carry_dates_and_base(with_2023):
    found = {(e.id, e.fiscal_year): e for e in entries()}
    e = found[("ibaraki", 2023)]
    assert (e.path, e.applies_from.isoformat(), e.enacted.isoformat(), e.extends) == (
        "tests/policies/ibaraki-2023.yaml", "2023-04-01", "2023-06-01", ("ibaraki", 2022))
    assert found[("ibaraki", 2022)].extends is None


def test_list_shows_versions_with_sources_and_what_each_extends(cli, with_2023, snapshot):
    r = cli("list", "--lang", "en")
    assert r.code == 0
    ibaraki = r.out[r.out.index("ibaraki  2022"):r.out.index("\n", r.out.index("guideline_2023")) + 1]
    assert ibaraki == snapshot


def test_a_policy_head_is_read_again_when_its_file_changed_within_a_clock_tick(tmp_path):
    import os

    from engine.policy.registry import read_head
    p = tmp_path / "x.yaml"
    p.write_text("id: x\nfiscal_year: 2022\n", "utf-8")
    assert read_head(p)[:2] == ("x", 2022)
    st = os.stat(p)
    p.write_text("id: x\nfiscal_year: 2023\n", "utf-8")  # the same size, and the same mtime below
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert read_head(p)[:2] == ("x", 2023)


def test_a_settled_policy_head_is_kept_until_its_file_changes(tmp_path):
    import os

    from engine.policy import registry
    p = tmp_path / "x.yaml"
    p.write_text("id: x\nfiscal_year: 2022\n", "utf-8")
    os.utime(p, ns=(0, 10**18))  # 2001: settled
    assert registry.read_head(p)[:2] == ("x", 2022)
    assert str(p) in registry._HEADS
    p.write_text("id: x\nfiscal_year: 2023\n# now longer\n", "utf-8")
    os.utime(p, ns=(0, 10**18))  # the same mtime, another size
    assert registry.read_head(p)[:2] == ("x", 2023)
