# SPDX-License-Identifier: MIT
"""The C YAML reader (libyaml through ruamel.yaml.clib) reads what the pure reader reads.

yoko reads policies, facts and the other files with libyaml's C parser under ruamel's round-trip
constructor and YAML 1.2 resolver (engine/policy/yamlio.py, `_fast_yaml`), and with ruamel's pure
Python reader wherever the C one might read a text differently or refuses it: the pure reader then
reads it as yoko always did and says where any problem is. These tests hold the two to the same
data, the same positions and the same flow styles.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from engine.base.diagnostics import Sink, YokoError
from engine.policy import yamlio

ROOT = Path(__file__).resolve().parent.parent


def pure(text):
    return yamlio._yaml().load(text)


def fast(text):
    got = yamlio._fast_yaml(text)
    return None if got is None else got[0]


def plain(root, text):
    sink = Sink()
    try:
        data = yamlio.PlainConverter("x.yaml", sink, text).convert(root) if root is not None else None
    except YokoError as e:
        return [str(d) for d in e.diagnostics]
    return repr(data), [str(d) for d in sink.items]  # repr: ExactFloat, date and int kept apart


def flow_styles(root):
    out, stack = [], [((), root)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            out.append((where, bool(node.fa.flow_style())))
            stack.extend(((*where, k), v) for k, v in node.items())
        elif isinstance(node, list):
            out.append((where, bool(node.fa.flow_style())))
            stack.extend(((*where, i), v) for i, v in enumerate(node))
    return sorted(out, key=repr)


def texts():
    for p in sorted(ROOT.glob("policies/**/*.yaml")) + sorted(ROOT.glob("examples/**/*.yaml")) \
            + sorted(ROOT.glob("tests/**/*.yaml")):
        try:
            text = p.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # tests/hostile holds files that are not UTF-8 on purpose
        if len(text) <= yamlio.FAST_YAML_CHARS and text.count("*") < 20:  # (positions of many aliases: slow)
            yield p, text


def test_the_c_reader_is_installed_and_reads_the_real_policies():
    assert yamlio.CParser is not None, "ruamel.yaml.clib is a dependency: it must be installed"
    for p in ("policies/ibaraki/2022.yaml", "policies/national/2020.yaml", "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"):
        assert yamlio._fast_yaml((ROOT / p).read_text("utf-8")) is not None, p


def test_every_yaml_file_here_reads_the_same_both_ways():
    read = 0
    for p, text in texts():
        try:
            a = pure(text)
        except Exception:
            a = None
            assert fast(text) is None, f"{p}: the C reader takes a text the pure reader refuses"
            continue
        b = fast(text)
        if b is None:
            continue  # read the pure way
        read += 1
        assert plain(a, text) == plain(b, text), p
        assert yamlio.positions_of(a) == yamlio.positions_of(b), p
        assert flow_styles(a) == flow_styles(b), p
    assert read > 100


_INSERT = list(":-#'\"{}[],*!|>?% \n&") + ["!!", "!=", "&a ", "*a"] + ["  ", "\n  ", "- ", ": ", "ア", "\\", "0", "1.5", "yes", "~", "\u3000",
                                          "\r\n", "\r", "\x00", "\x85", "\u2028", "\ufeff", "\x7f"]


def _mutated(rng, sources):
    text = rng.choice(sources)
    lines = text.split("\n")
    if len(lines) > 30:
        start = rng.randrange(len(lines) - 25)
        lines = lines[start:start + 25]
    text = "\n".join(lines)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.6:
            text = text[:at] + rng.choice(_INSERT) + text[at:]
        elif rng.random() < 0.8:
            text = text[:at] + text[at + rng.randint(1, 3):]
        else:
            text = text.replace("\n", "\r\n")
    return text


def _empty(root, where):
    node = root
    for step in where:
        node = node[step]
    return node is None


def test_on_mutated_files_the_c_reader_takes_only_what_the_pure_reader_takes_and_reads_it_the_same():
    rng = random.Random(20261202)
    sources = [t for _, t in texts() if len(t) < 20_000]
    taken = 0
    for _ in range(400):
        text = _mutated(rng, sources)
        b = fast(text)
        try:
            a = pure(text)
        except Exception:
            assert b is None, repr(text)
            continue
        if b is None:
            continue
        taken += 1
        assert plain(a, text) == plain(b, text), repr(text)
        assert flow_styles(a) == flow_styles(b), repr(text)
        pa, pb = yamlio.positions_of(a), yamlio.positions_of(b)
        for where in pa.keys() | pb.keys():
            if pa.get(where) != pb.get(where):
                # the one difference: an empty value is placed just after its colon, not at the next token
                assert pa.get(where, (None,))[0] == pb.get(where, (None,))[0] and _empty(b, where), (repr(text), where)
    assert taken > 100


def test_an_expression_s_not_equal_is_no_tag():
    assert yamlio._fast_yaml("expr: a != b\nother: \"x != y\"\n") is not None


def test_an_empty_value_is_placed_on_its_key_s_line():
    text = "# a comment\nname:\n\n# another\nother: 1\n"
    assert yamlio.positions_of(fast(text))[("name",)] == ((2, 1), (2, 6))
    assert yamlio.positions_of(pure(text))[("name",)] == ((2, 1), (5, 1))  # the pure reader's: the next token


@pytest.mark.parametrize("text,why", [
    ("%YAML 1.1\n---\na: yes\n", "a directive: YAML 1.1 reads yes as true, the C reader would not know"),
    ("a:\tb\n", "a tab: ruamel refuses it, libyaml does not"),
    ("&a: 1\n", "an anchor named a: (libyaml ends the name at the colon, YAML 1.2 does not)"),
    ("a: &注意 対象外\n", "an anchor not named in ASCII"),
    ("a: 1\n? *a:\n", "an alias named a:"),
    ("a: x\ufeffy\n", "a BOM inside the text: libyaml counts its column, ruamel does not"),
    ("a: {!ja: x}\n", "a tag: libyaml reads a malformed one otherwise"),
    ("a: 1\n!", "a lone tag mark"),
    ("a: !!!bool true\n", "a malformed tag"),
    ("a: 1\n!=    b: 2\n", "a tag named ="),
    ("- {item: x,!= amount: 5000}\n", "a tag named = in a flow mapping"),
    ("a: &x !!binary aGk=\nb: *x\n", "a tag after an anchor"),
    ("a: x\x85y\nb: 1\n", "NEL, a YAML 1.1 line break: lines are counted otherwise"),
    ("a: x\u2028y\nb: 1\n", "LINE SEPARATOR, likewise"),
    ("a: " + "[" * 6000 + "]" * 6000 + "\n", "deep flow nesting: libyaml's composer recurses on the C stack"),
    ("a: '\\ud800'\n" * 0 + 'a: "\\ud800"\n', "a lone surrogate: libyaml refuses it, the pure reader says where"),
])
def test_a_text_the_c_reader_might_read_otherwise_goes_the_pure_way(text, why):
    assert yamlio._fast_yaml(text) is None, why


def test_a_hundred_thousand_nested_brackets_are_a_diagnostic_not_a_crash(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(YokoError) as e:
        yamlio.read_document(str(p))
    assert e.value.diagnostics[0].code in ("yaml_too_deep", "yaml_too_large")


def test_a_1_1_directive_is_still_read_as_yaml_1_1(tmp_path):
    p = tmp_path / "old.yaml"
    p.write_text("%YAML 1.1\n---\na: yes\nb: 017\n", encoding="utf-8")
    assert yamlio.read_document(str(p)).data == {"a": True, "b": 15}


def test_fmt_still_keeps_comments(tmp_path):
    text = "# head\na: 1  # why one\n"
    root = yamlio.parse_yaml(text, "x.yaml", comments=True)
    assert "why one" in str(root.ca.items.get("a"))


def test_a_boolean_with_an_anchor_is_a_boolean_both_ways(tmp_path):
    # the pure reader gave 0 for `&x false` (ruamel's anchored boolean is an int); fuzzing found it
    text = "a: &x false\nb: *x\nc: &y true\n"
    for root in (pure(text), fast(text)):
        assert yamlio.PlainConverter("x.yaml", Sink(), text).convert(root) == {"a": False, "b": False, "c": True}
