# SPDX-License-Identifier: MIT
"""The generated LALR tables (engine/lang/tables.py): current, used, and parsing as the grammar does."""
from __future__ import annotations

from pathlib import Path

import lark
import pytest
from lark import Lark
from lark.exceptions import LarkError
from ruamel.yaml import YAML

from engine.lang import parser, tables

ROOT = Path(__file__).parent.parent


def _expressions():
    """Every expression text of the language corpus and of every policy and test policy."""
    y = YAML(typ="safe")
    out = set()
    for f in sorted((ROOT / "tests" / "cases" / "lang").glob("*.yaml")):
        for case in (y.load(f.read_text("utf-8")) or {}).get("cases", []):
            out.add(case["expr"])
            out.update((case.get("rules") or {}).values())
    for f in sorted([*(ROOT / "policies").rglob("*.yaml"), *(ROOT / "tests" / "policies").rglob("*.yaml")]):
        try:
            doc = y.load(f.read_text("utf-8"))
        except Exception:  # noqa: BLE001 - the broken policies of the tests
            continue
        for section in ("rules", "override"):
            for spec in ((doc or {}).get(section) or {}).values() if isinstance(doc, dict) else ():
                if isinstance(spec, dict) and isinstance(spec.get("expr"), str):
                    out.add(spec["expr"])
    return sorted(x for x in out if isinstance(x, str))


def test_the_tables_are_stamped_with_the_grammar_they_were_made_from():
    assert tables.GRAMMAR_SHA256 == parser._sha256(parser.GRAMMAR.read_text("utf-8")), \
        "grammar.lark changed: run `python -m engine.lang.parser` to write engine/lang/tables.py again"


@pytest.mark.skipif(tables.LARK != lark.__version__, reason="tables made with another Lark: the parser is built")
def test_the_parser_comes_from_the_tables_and_reads_every_expression_as_the_grammar_does(monkeypatch):
    parser._parser.cache_clear()
    loaded = parser._parser()
    built = Lark(parser.GRAMMAR.read_text("utf-8"), **parser._OPTIONS)
    assert type(loaded) is Lark and loaded.parser.parser is not None
    texts = _expressions()
    assert len(texts) > 300
    for text in [*texts, "1 +", "a b", "if x then", "10000000000000000000000000"]:
        assert _outcome(loaded, text) == _outcome(built, text), text


def _outcome(lark_parser: Lark, text: str):
    """The AST the expression builds into, or the error (kind and where) on the way."""
    try:
        return parser._Build().transform(lark_parser.parse(text))
    except LarkError as e:
        return type(e).__name__, getattr(e, "pos_in_stream", None), str(getattr(e, "orig_exc", ""))


def test_stale_tables_are_never_used(monkeypatch):
    monkeypatch.setattr(tables, "GRAMMAR_SHA256", "0" * 64)

    def refuse(*a, **k):
        raise AssertionError("stale tables loaded")
    monkeypatch.setattr(Lark, "_load_from_dict", classmethod(refuse))
    parser._parser.cache_clear()
    try:
        assert parser.parse("1 + 2") == parser.parse("1 + 2")  # built from grammar.lark, and it parses
    finally:
        parser._parser.cache_clear()
