# SPDX-License-Identifier: MIT
"""`yoko fmt`: one layout for policy, source and tests files, never a change of meaning."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.base.diagnostics import YokoError
from engine.policy.fmt import format_text
from engine.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(str(p.relative_to(ROOT)) for folder in ("policies", "tests/cases", "tests/policies", "examples")
               for p in (ROOT / folder).rglob("*.yaml"))


_DONE: dict[str, tuple[str, str] | None] = {}


def _formatted(path: str) -> tuple[str, str] | None:
    """(text, formatted text) of a file of the repository, or None for a broken one that does not parse."""
    if path not in _DONE:
        text = (ROOT / path).read_text("utf-8")
        try:
            _DONE[path] = text, format_text(text, path)
        except YokoError:
            assert path.startswith("tests/cases/broken/"), f"{path} does not parse"
            _DONE[path] = None
    return _DONE[path]


def _fingerprint(policy) -> tuple:
    """What a loaded policy means: every item's spec, type and value, the results, the warnings."""
    return (policy.id, policy.fiscal_year, policy.meta, policy.results, policy.order,
            {n: (str(f.type), f.spec) for n, f in policy.facts.items()},
            {n: (str(p.type), p.spec, p.value) for n, p in policy.parameters.items()},
            {n: (str(r.type), r.spec, r.text, r.reads) for n, r in policy.rules.items()},
            [(w.code, w.location.line if w.location else None) for w in policy.warnings if w.code != "uncovered"])


@pytest.mark.parametrize("path", FILES)
def test_fmt_is_idempotent_and_keeps_every_comment_of_every_yaml_file_in_the_repository(path):
    done = _formatted(path)
    if done is None:
        return
    text, new = done
    assert format_text(new, path) == new
    comments = lambda t: sorted(line.strip() for line in t.splitlines() if line.strip().startswith("#"))
    assert comments(new) == comments(text)


POLICIES = [f for f in FILES if not f.endswith((".tests.yaml", ".source.yaml"))
            and re.search(r"^(id|extends):", (ROOT / f).read_text("utf-8"), re.M)]


@pytest.mark.parametrize("path", POLICIES)
def test_fmt_leaves_every_policy_in_the_repository_meaning_exactly_what_it_meant(path):
    done = _formatted(path)
    if done is None:
        return
    text, new = done
    try:
        before = load_policy(path, text)
    except YokoError as e:
        with pytest.raises(YokoError) as after:
            load_policy(path, new)
        assert [d.code for d in after.value.diagnostics] == [d.code for d in e.diagnostics]
        return
    assert _fingerprint(load_policy(path, new)) == _fingerprint(before)


def test_the_repository_has_policies_tests_and_source_files_to_format():
    assert {"policies/national/2020.yaml", "policies/ibaraki/2022.tests.yaml", "policies/ibaraki/2022.source.yaml",
            "tests/policies/ibaraki-2023.yaml", "tests/cases/authoring/other-prefecture.yaml"} <= set(FILES)
    assert len(POLICIES) > 25


def test_every_shipped_policy_source_and_tests_file_is_already_formatted(cli):
    r = cli("fmt", "--check", "--lang", "en")
    assert r.code == 0, r.err
    assert "all 6 files are already formatted" in r.err


RULE_OUT_OF_ORDER = """\
id: demo  # invented for tests
fiscal_year: 2024
title: {en: Demo, ja: 例}
rules:
  total:
    label: {en: Total, ja: 合計}
    expr: 'a + b'
    # the type was added later
    type: int
    cite: {article: 3, source: guideline}
facts:
  a: {label: {ja: え, en: a}, type: int}
"""

RULE_IN_ORDER = """\
id: demo  # invented for tests
fiscal_year: 2024
title: {ja: 例, en: Demo}
facts:
  a: {type: int, label: {ja: え, en: a}}
rules:
  total:
    # the type was added later
    type: int
    expr: a + b
    label: {ja: 合計, en: Total}
    cite: {source: guideline, article: 3}
"""


def test_fmt_puts_keys_in_the_one_order_and_a_comment_stays_before_the_key_it_introduces():
    assert format_text(RULE_OUT_OF_ORDER, "demo.yaml") == RULE_IN_ORDER


def test_fmt_quotes_a_string_only_where_yaml_needs_it_and_then_with_double_quotes():
    text = "a: 'plain words'\nb: '1'\nc: 'yes'\nd: 'x: y'\ne: \"it's\"\nf: ['2a', 'a, b']\ng: null\nh: ~\n"
    assert format_text(text, "x.yaml") == (
        'a: plain words\nb: "1"\nc: "yes"\nd: "x: y"\ne: it\'s\nf: [2a, "a, b"]\ng: null\nh: null\n')


def test_fmt_wraps_a_long_flow_list_under_its_first_item_and_never_wraps_text():
    words = ", ".join(f"item_{i:02d}" for i in range(30))
    long_text = "word " * 40
    out = format_text(f"values: [{words}]\nnote: {long_text.strip()}\n", "x.yaml")
    lines = out.splitlines()
    assert lines[0].startswith("values: [item_00, ")
    assert all(len(line) <= 120 for line in lines[:-1])
    assert all(line.startswith(" " * len("values: [")) for line in lines[1:-1])
    assert lines[-1] == "note: " + long_text.strip()


def test_fmt_measures_japanese_text_in_display_columns():
    prefectures = ", ".join(["神奈川県"] * 20)
    out = format_text(f"values: [{prefectures}]\n", "x.yaml")
    assert max(sum(2 if ord(c) > 0x2E80 else 1 for c in line) for line in out.splitlines()) <= 120


def test_fmt_check_lists_the_files_that_would_change_in_japanese_and_exits_1(cli, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(RULE_OUT_OF_ORDER, "utf-8")
    r = cli("fmt", "--check", str(f))
    assert r.code == 1
    assert f"整形が必要です: {f}" in r.err
    assert f.read_text("utf-8") == RULE_OUT_OF_ORDER
    r = cli("fmt", "--check", str(f), "--lang", "en")
    assert f"would reformat {f}" in r.err


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(cli, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(RULE_OUT_OF_ORDER, "utf-8")
    r = cli("fmt", "--diff", str(f))
    assert r.code == 0
    assert f"--- {f}\n+++ {f} (yoko fmt)\n" in r.out
    assert "-    expr: 'a + b'\n" in r.out and "+    expr: a + b\n" in r.out
    assert f.read_text("utf-8") == RULE_OUT_OF_ORDER


def test_fmt_rewrites_the_file_and_a_second_run_changes_nothing(cli, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(RULE_OUT_OF_ORDER, "utf-8")
    r = cli("fmt", str(tmp_path), "--lang", "en")
    assert r.code == 0 and f"reformatted {f}" in r.err
    assert f.read_text("utf-8") == RULE_IN_ORDER
    assert cli("fmt", "--check", str(f)).code == 0


def test_fmt_of_a_file_that_does_not_parse_gives_the_located_diagnostic_of_check_and_exits_2(cli, tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("id: demo\nrules:\n  a:\n    label: {ja: 対象: 2次救急, en: x}\n", "utf-8")
    ok = tmp_path / "ok.yaml"
    ok.write_text(RULE_OUT_OF_ORDER, "utf-8")
    r = cli("fmt", str(f), str(ok), "--lang", "en")
    assert r.code == 2
    checked = cli("check", str(f), "--lang", "en")
    first = checked.err.splitlines()[0]
    assert first.startswith(f"{f}:4:") and first in r.err.splitlines()
    assert ok.read_text("utf-8") == RULE_IN_ORDER  # the other file is still formatted


def test_fmt_of_hostile_policies_gives_located_diagnostics_never_an_internal_error(cli):
    r = cli("fmt", "--check", "tests/hostile/policies", "--lang", "en")
    assert r.code == 2
    assert "internal_error" not in r.err and "Traceback" not in r.err
    assert "tests/hostile/policies/billion_laughs.yaml:19:61: yaml_too_large:" in r.err
