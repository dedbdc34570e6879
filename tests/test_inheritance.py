# SPDX-License-Identifier: MIT
"""extends: chains resolve, each item knows its file and line, and broken chains are located errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import engine
from engine.base.diagnostics import YokoError
from engine.policy.load import load_policy

CHAINS = Path("tests/cases/versions/chains")


def first_error(path):
    with pytest.raises(YokoError) as e:
        load_policy(str(path))
    errors = [d for d in e.value.diagnostics if d.is_error]
    return errors[0], errors


# (file, code, where: file:line:column, words the message must contain)
BROKEN = [
    ("missing-base.yaml", "extends_missing", "missing-base.yaml:4:10", "chaintest 2029 is not found"),
    ("cycle-a.yaml", "extends_cycle", "cycle-b.yaml:4:10", "cycle 2041 -> cycle 2042 -> cycle 2041"),
    ("override-missing.yaml", "override_missing", "override-missing.yaml:8:5",
     "cannot override parameter per_bedd"),
    ("drop-missing.yaml", "override_missing", "drop-missing.yaml:7:19", "cannot drop rule bonnus"),
    ("redefine.yaml", "name_clash", "redefine.yaml:7:3", "put it under override: rules:"),
    ("drop-still-read.yaml", "dropped_still_used", "drop-still-read.yaml:7:11",
     "rule bonus is dropped but rule amount"),
]


@pytest.mark.parametrize("name, code, where, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_chain_is_a_located_error(name, code, where, words):
    _, errors = first_error(CHAINS / name)
    found = [d for d in errors if d.code == code]
    assert found, [d.code for d in errors]
    d = found[0]
    assert str(d.location) == str(CHAINS / where)
    assert words in d.message


def test_a_misspelt_override_suggests_the_base_name():
    d, _ = first_error(CHAINS / "override-missing.yaml")
    assert d.suggestion == "per_bed"


def test_a_dropped_rule_still_read_is_one_error_where_it_is_dropped_not_in_the_base():
    _, errors = first_error(CHAINS / "drop-still-read.yaml")
    assert [d.code for d in errors] == ["dropped_still_used"]
    assert all("base.yaml" not in str(d.location) for d in errors)


def test_a_chain_longer_than_16_is_refused(tmp_path):
    head = "jurisdiction: {code: JP, name: {ja: t, en: t}}\nsources: {s: {title: {ja: t, en: t}}}\n"
    (tmp_path / "p2000.yaml").write_text(
        "id: long\nfiscal_year: 2000\ntitle: {ja: t, en: t}\n" + head
        + "facts: {}\nrules: {r: {expr: '1', label: {ja: t, en: t}, cite: {source: s}}}\nresults: [r]\n")
    for y in range(2001, 2019):
        (tmp_path / f"p{y}.yaml").write_text(f"id: long\nfiscal_year: {y}\ntitle: {{ja: t, en: t}}\n"
                                             f"extends: {{policy: long, fiscal_year: {y - 1}}}\n")
    assert load_policy(str(tmp_path / "p2016.yaml")).fiscal_year == 2016  # 16 bases: allowed
    with pytest.raises(YokoError) as e:
        load_policy(str(tmp_path / "p2017.yaml"))
    d = e.value.diagnostics[0]
    assert (d.code, d.location.file, d.location.line) == ("extends_too_long", str(tmp_path / "p2017.yaml"), 4)


def test_a_child_overrides_drops_and_adds():
    p = load_policy(str(CHAINS / "good-child.yaml"))
    assert p.parameters["per_bed"].value == 1200
    assert "bonus" not in p.rules and "remote_bonus" not in p.parameters and "remote" not in p.facts
    assert p.results == ["amount"]  # the dropped rule leaves the inherited results
    assert engine.evaluate(p, {"beds": 10, "staff": 3}).results == {"amount": 12300}


def test_a_grandchild_inherits_through_two_steps():
    p = load_policy(str(CHAINS / "grandchild.yaml"))
    assert [s.version for s in p.chain] == [("chaintest", 2032), ("chaintest", 2031), ("chaintest", 2030)]
    assert engine.evaluate(p, {"beds": 10, "staff": 3}).results == {"amount": 13300}


@pytest.mark.parametrize("kind, name, file, line, how", [
    ("parameters", "per_bed", "grandchild.yaml", 8, "override"),
    ("rules", "amount", "good-child.yaml", 24, "inherited"),
    ("rules", "per_staff", "good-child.yaml", 10, "inherited"),
    ("facts", "beds", "base.yaml", 10, "inherited"),
])
def test_every_item_knows_the_file_and_line_it_finally_came_from(kind, name, file, line, how):
    p = load_policy(str(CHAINS / "grandchild.yaml"))
    o = getattr(p, kind)[name].origin
    assert (o.location.file, o.location.line, o.how) == (str(CHAINS / file), line, how)


def test_an_error_in_an_inherited_rule_points_into_the_base_file(tmp_path):
    (tmp_path / "child.yaml").write_text(
        "id: chaintest\nfiscal_year: 2050\ntitle: {ja: t, en: t}\n"
        "extends: {policy: chaintest, fiscal_year: 2030}\n"
        "override:\n  parameters:\n    per_bed: {value: 'text', label: {ja: t, en: t}, cite: {source: rules}}\n")
    base = Path(CHAINS / "base.yaml").read_text()
    (tmp_path / "base.yaml").write_text(base)
    with pytest.raises(YokoError) as e:
        load_policy(str(tmp_path / "child.yaml"))
    d = next(d for d in e.value.diagnostics if d.code == "type_mismatch")
    assert d.location.file == str(tmp_path / "base.yaml")


def test_the_base_is_found_next_to_the_child_before_the_registry(tmp_path):
    assert load_policy(str(CHAINS / "good-child.yaml")).chain[1].path == str(CHAINS / "base.yaml")


def test_a_child_without_extends_must_be_complete(tmp_path):
    (tmp_path / "p.yaml").write_text("id: x\nfiscal_year: 2030\ntitle: {ja: t, en: t}\n")
    with pytest.raises(YokoError) as e:
        load_policy(str(tmp_path / "p.yaml"))
    assert e.value.diagnostics[0].code == "policy_schema"


def test_override_without_extends_is_a_schema_error(tmp_path):
    text = Path(CHAINS / "base.yaml").read_text() + "override: {}\n"
    (tmp_path / "p.yaml").write_text(text)
    with pytest.raises(YokoError) as e:
        load_policy(str(tmp_path / "p.yaml"))
    assert e.value.diagnostics[0].code == "policy_schema"
    assert "extends" in e.value.diagnostics[0].message


def test_the_cache_sees_a_change_to_the_base(tmp_path):
    from engine.policy.cache import load_policy_cached
    for f in ("base.yaml", "good-child.yaml"):
        (tmp_path / f).write_text((CHAINS / f).read_text())
    assert load_policy_cached(str(tmp_path / "good-child.yaml")).parameters.get("remote_bonus") is None
    import os
    base = tmp_path / "base.yaml"
    base.write_text(base.read_text().replace("beds * per_bed + bonus", "beds * per_bed + bonus + 1"))
    st = os.stat(base)
    os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    # the child overrides amount, so the change shows only in the base's own rule text: reload happened
    child = load_policy_cached(str(tmp_path / "good-child.yaml"))
    assert "bonus + 1" in child.chain[1].text


def test_show_prints_each_item_with_where_it_came_from(cli, snapshot):
    r = cli("show", str(CHAINS / "grandchild.yaml"), "--lang", "en")
    assert r.code == 0, r.err
    assert r.out == snapshot


def test_show_a_rule_of_the_invented_2023_in_full(cli, monkeypatch, snapshot):
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")
    r = cli("show", "ibaraki", "--year", "R5", "--rule", "cost_share", "--lang", "en")
    assert r.code == 0, r.err
    assert r.out == snapshot
    r = cli("show", "ibaraki", "--year", "2023", "--rule", "ground_1", "--format", "json")
    assert r.out == snapshot


def test_show_of_an_unknown_rule_suggests_a_name(cli):
    r = cli("show", "ibaraki", "--year", "2022", "--rule", "grant_amout", "--lang", "en")
    assert r.code == 2
    assert "did you mean: grant_amount" in r.err


def test_the_memo_of_a_child_says_where_each_rule_comes_from(cli, monkeypatch):
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")
    r = cli("evaluate", "tests/cases/versions/facilities/certain-to-obtain-addon.yaml", "--policy", "ibaraki",
            "--year", "2023", "--lang", "en", "--detail", "--width", "400")
    assert r.code == 0, r.err
    assert "(defined at tests/policies/ibaraki-2023.yaml:121 (overrides the base in this year))" in r.out
    line = Path("policies/ibaraki/2022.yaml").read_text("utf-8").splitlines().index("  ground_1:") + 1
    assert f"(defined at policies/ibaraki/2022.yaml:{line} (inherited from ibaraki FY2022))" in r.out


def test_the_trace_source_of_an_inherited_rule_is_the_base_file(monkeypatch):
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")
    p = engine.load("ibaraki", 2023)
    trace = {t["rule"]: t for t in engine.evaluate(p, {}).trace()}
    assert trace["ground_1"]["source"]["file"] == "policies/ibaraki/2022.yaml"
    assert trace["excluded"]["source"]["file"] == "tests/policies/ibaraki-2023.yaml"


OUTCOME_FILES = sorted([*Path("examples/ibaraki-2022").glob("*.yaml"), *Path("tests/cases/versions/facilities").glob("*.yaml")])


@pytest.mark.parametrize("path", OUTCOME_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in OUTCOME_FILES])
def test_invented_fy2023_outcomes_are_pinned(cli, monkeypatch, path, snapshot):
    """Outcomes of the invented FY2023 over both corpora, so a change to it (or to the FY2022
    policy it inherits from) shows up as a snapshot diff in review."""
    monkeypatch.setenv("YOKO_POLICY_PATH", "tests/policies")
    r = cli("evaluate", str(path), "--policy", "ibaraki", "--year", "2023", "--format", "json", "--no-trace")
    assert r.code == 0, r.err
    assert json.loads(r.out)["results"] == snapshot
