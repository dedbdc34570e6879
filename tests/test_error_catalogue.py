# SPDX-License-Identifier: MIT
"""docs/errors.md lists every diagnostic code raised in engine/, and only those; its examples are real."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from engine.base.catalogue import WORDS
from engine.base.messages import CATALOGUE, ENGLISH_ONLY, japanese

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "errors.md").read_text("utf-8")
CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Callables whose first argument (ExprSyntaxError: third) is a diagnostic code.
CODE_CALLS = {"add", "Diagnostic", "EvalError", "ExprSyntaxError", "BadCell", "_diag", "_d", "_mark_diag", "error",
              "say", "diag"}


def _literal_codes(node) -> list[ast.AST]:
    """The expressions in `node` that are in the position of a diagnostic code."""
    out = []
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        if name in CODE_CALLS:
            i = 2 if name == "ExprSyntaxError" else 0
            if len(node.args) > i:
                out.append(node.args[i])
        out += [kw.value for kw in node.keywords if kw.arg in ("code", "syntax_code")]
    elif isinstance(node, ast.FunctionDef):  # def f(..., code="x") / syntax_code="x"
        a = node.args
        pos = list(zip(a.args[len(a.args) - len(a.defaults):], a.defaults))
        out += [d for arg, d in pos + list(zip(a.kwonlyargs, a.kw_defaults)) if arg.arg in ("code", "syntax_code") and d]
    elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.JoinedStr):
        out.append(node.elts[0])  # ("code", f"message") handed to a sink later (limits, tabular)
    return out


def raised_codes() -> dict[str, list[str]]:
    """Every string literal used as a diagnostic code in engine/, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            for c in _literal_codes(node):
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE.match(c.value):
                    found.setdefault(c.value, []).append(f"{path.relative_to(ROOT)}:{c.lineno}")
    return found


def documented_codes() -> list[str]:
    return re.findall(r"^#### `([a-z0-9_]+)`$", DOC, re.M)


def examples() -> dict[str, tuple[str, str]]:
    """code -> (English example line, Japanese example line) from docs/errors.md."""
    out = {}
    for block in re.split(r"^#### ", DOC, flags=re.M)[1:]:
        code = re.match(r"`([a-z0-9_]+)`", block).group(1)
        lines = [ln[4:] for ln in block.splitlines() if ln.startswith("    ")]
        out[code] = (lines[0], lines[1]) if len(lines) >= 2 else ("", "")
    return out


def test_the_scanner_finds_codes_in_each_form_they_are_raised():
    found = raised_codes()
    for code in ("type_mismatch", "expr_syntax", "yaml_syntax", "facts_syntax", "division_by_zero", "list_too_long",
                 "bad_row", "yaml_too_large"):
        assert code in found, code


def test_every_code_raised_in_the_engine_is_in_the_catalogue():
    missing = {c: where for c, where in raised_codes().items() if c not in documented_codes()}
    assert not missing, f"add these to docs/errors.md: {missing}"


def test_every_code_in_the_catalogue_is_raised_somewhere():
    assert sorted(set(documented_codes()) - set(raised_codes())) == []


def test_each_code_is_listed_once():
    codes = documented_codes()
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", documented_codes())
def test_each_code_has_an_english_and_a_japanese_example(code):
    en, ja = examples()[code]
    assert f"{code}: " in en and f"{code}: " in ja
    message = en.split(f"{code}: ", 1)[1]
    if f"diag.{code}" in WORDS:  # built from the catalogue: each example fits its template
        for text, template in zip((ja, en), WORDS[f"diag.{code}"]):
            pattern = ".+".join(re.escape(part) for part in re.split(r"\{\w+\}", template))
            assert re.fullmatch(pattern, text.split(f"{code}: ", 1)[1]), (text, template)
        return
    assert ja.split(f"{code}: ", 1)[1] == (message if code in ENGLISH_ONLY else japanese(code, message))


def test_every_documented_code_has_a_japanese_message_shape_or_is_declared_english_only():
    from_words = {c for c in documented_codes() if f"diag.{c}" in WORDS}
    assert sorted(set(documented_codes()) - set(CATALOGUE) - ENGLISH_ONLY - from_words) == []
    assert not ENGLISH_ONLY & set(CATALOGUE)
