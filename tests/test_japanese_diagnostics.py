# SPDX-License-Identifier: MIT
"""Policy staff read diagnostics in Japanese: every broken and hostile input renders in Japanese."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import engine
from engine.base.diagnostics import Diagnostic, Location, YokoError, diag, render
from engine.base.words import words
from engine.evaluation.facts import load_facts_file
from engine.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
BROKEN = sorted(p for p in (ROOT / "tests/cases/broken").glob("*.yaml") if p.name != "expected.yaml")
HOSTILE_POLICIES = sorted((ROOT / "tests/hostile/policies").iterdir())
HOSTILE_FACTS = sorted((ROOT / "tests/hostile/facts").iterdir())


def _diagnostics(load) -> list[Diagnostic]:
    try:
        load()
    except YokoError as e:
        return e.diagnostics
    return []


@pytest.mark.parametrize("path", BROKEN + HOSTILE_POLICIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_diagnostic_of_a_broken_policy_has_a_japanese_message(path):
    diags = _diagnostics(lambda: load_policy(str(path.relative_to(ROOT))))
    for d in diags:
        ja = d.text("ja")
        assert JAPANESE.search(ja) and ja != d.message, f"{d.code}: {d.message}"


@pytest.mark.parametrize("path", HOSTILE_FACTS, ids=lambda p: p.name)
def test_every_diagnostic_of_bad_facts_has_a_japanese_message(path):
    policy = engine.load_file("tests/hostile/policy.yaml")
    diags = _diagnostics(lambda: engine.evaluate(policy, load_facts_file(str(path.relative_to(ROOT)), policy)))
    for d in diags:
        ja = d.text("ja")
        assert JAPANESE.search(ja) and ja != d.message, f"{d.code}: {d.message}"


def test_json_diagnostics_carry_the_japanese_message_beside_the_english(cli):
    r = cli("check", "--format", "json", "tests/cases/broken/unknown_name.yaml")
    err = next(d for d in json.loads(r.out)["files"][0]["diagnostics"] if d["severity"] == "error")
    assert (err["message"], err["message_ja"]) == ("unknown name unit_per_bd", "unit_per_bd という名前はありません")


def test_a_runtime_error_names_its_rule_in_japanese():
    d = diag("division_by_zero", key="diag.runtime", problem=words("diag.division_by_zero"), rule="per_bed")
    assert (d.text("ja"), d.text("en")) == ("0 で割っています（ルール per_bed の評価中）",
                                            "division by zero while evaluating rule per_bed")


def test_a_type_inside_a_message_is_named_in_the_language_of_the_message():
    from engine.lang import types as T
    d = diag("type_mismatch", key="diag.type_mismatch.compare", left=T.type_words(T.list_of(T.INT)),
             right=T.type_words(T.DATE))
    assert (d.text("ja"), d.text("en")) == ("整数のリスト と 日付 は比較できません", "cannot compare list of integer with date")


def test_english_rendering_is_untouched():
    d = diag("unknown_name", Location("p.yaml", 1, 2), name="x", suggestion="y")
    assert render(d, lang="en") == "p.yaml:1:2: unknown_name: unknown name x\n  did you mean: y"
    assert render(d, lang="ja") == "p.yaml:1:2: unknown_name: x という名前はありません\n  もしかして: y"
