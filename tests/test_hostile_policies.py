# SPDX-License-Identifier: MIT
"""Hostile policy files (tests/hostile/policies): each refused at its place with its code, exit 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.base import limits
from engine.base.diagnostics import Sink, YokoError
from engine.policy.yamlio import PlainConverter, parse_yaml
from hostile_util import EXPECTED, HOSTILE, assert_no_crash, first_error

POLICIES = EXPECTED["policies"]


def test_every_hostile_policy_file_has_a_pinned_expectation():
    assert sorted(p.name for p in (HOSTILE / "policies").iterdir()) == sorted(POLICIES)


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_hostile_policy_gives_its_code_at_its_place(name, cli):
    want = POLICIES[name]
    r = cli("check", "--format", "json", f"tests/hostile/policies/{name}")
    assert_no_crash(r.out, r.err)
    assert r.code == want["exit"]
    if want["exit"] == 0:
        return
    d = first_error(r.out)
    assert (d["code"], d["line"], d["column"]) == (want["code"], want["line"], want["column"])
    assert d["file"] == f"tests/hostile/policies/{name}"


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_hostile_policy_message_is_pinned(name, cli, snapshot):
    r = cli("check", "--lang", "en", f"tests/hostile/policies/{name}")
    assert _short(r.err) == snapshot


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_hostile_policy_message_in_japanese_is_pinned(name, cli, snapshot):
    r = cli("check", "--lang", "ja", f"tests/hostile/policies/{name}")
    assert _short(r.err) == snapshot


def _short(text: str) -> str:
    """Output with source lines of thousands of characters cut, so snapshots stay readable."""
    return "\n".join(line if len(line) < 300 else line[:300] + f"...[{len(line)} chars]" for line in text.split("\n"))


def test_a_python_object_tag_is_never_constructed(tmp_path, cli):
    marker = tmp_path / "constructed.txt"
    doc = tmp_path / "p.yaml"
    doc.write_text(f'id: x\nparameters:\n  p:\n    value: !!python/object/apply:os.system ["touch {marker}"]\n'
                   f'  q: !!python/object/new:builtins.open ["{marker}", "w"]\n', encoding="utf-8")
    r = cli("check", str(doc))
    assert r.code == 2
    assert "yaml_tag" in r.err
    assert not marker.exists()
    assert not Path("hostile-tag-was-constructed.txt").exists()


def test_ruamel_keeps_aliases_shared_and_the_converter_stops_expanding_them():
    text = (HOSTILE / "policies" / "billion_laughs.yaml").read_text("utf-8")
    root = parse_yaml(text, "laughs.yaml")  # returns at once: the parser does not expand aliases
    laughs = root["x_laughs"]
    assert laughs["l8"][0] is laughs["l8"][1]  # one shared object, not ten copies
    conv = PlainConverter("laughs.yaml", Sink(), text)
    with pytest.raises(YokoError) as info:
        conv.convert(root)
    assert info.value.diagnostics[0].code == "yaml_too_large"
    assert conv.count == limits.MAX_YAML_NODES + 1  # stopped at the limit, not after 10^9 values


def test_a_few_aliases_below_the_limit_are_fine():
    text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
    data = PlainConverter("x.yaml", Sink(), text).convert(parse_yaml(text, "x.yaml"))
    assert data == {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]}


def test_the_evaluators_magnitude_limit_is_the_one_documented_in_limits():
    from engine.lang import builtins
    assert builtins.MAX_MAGNITUDE == limits.MAX_MAGNITUDE == 10 ** 30


@pytest.mark.parametrize("expr, code", [
    ("1" + " + 1" * 63, None),  # depth 64: the limit itself is accepted
    ("1" + " + 1" * 64, "expr_too_deep"),
    ("[" + ", ".join(["1"] * 1000) + "]", None),
    ("[" + ", ".join(["1"] * 1001) + "]", "list_too_long"),
    ("1" + "0" * 30, None),  # 10^30 is allowed, one more is not
    ("1" + "0" * 29 + "1", "number_too_large"),
    ("0." + "1" * 30, None),
    ("0." + "1" * 31, "number_too_large"),
    ("9" * 5000, "number_too_large"),  # beyond what Python's int() even converts
    ("sum(sum(1 for b in [1]) for a in [1])", None),
    ("sum(sum(sum(1 for c in [1]) for b in [1]) for a in [1])", "loops_too_deep"),
    ("-" * 70 + "1", "expr_too_deep"),
    ("not " * 70 + "true", "expr_too_deep"),
    ("(" * 4000 + "1" + ")" * 4000, None),  # parentheses add no depth to the tree
])
def test_expression_limits_are_exact(expr, code):
    from engine.lang.parser import ExprSyntaxError, parse
    if code is None:
        parse(expr)
        return
    with pytest.raises(ExprSyntaxError) as info:
        parse(expr)
    assert info.value.code == code


def test_an_expression_of_10000_characters_is_accepted_and_one_more_is_not():
    from engine.lang.parser import ExprSyntaxError, parse
    parse("1" + " " * 9_999)
    with pytest.raises(ExprSyntaxError) as info:
        parse("1" + " " * 10_000)
    assert (info.value.code, info.value.offset) == ("expr_too_long", 10_000)
