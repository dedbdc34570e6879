# SPDX-License-Identifier: MIT
"""docs/errors.md lists every diagnostic code raised in engine/, and only those; its examples are real."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from engine.base.catalogue import WORDS

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "errors.md").read_text("utf-8")
CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Callables whose first argument (ExprSyntaxError: third) is a diagnostic code.
CODE_CALLS = {"diag", "say", "Diagnostic", "EvalError", "ExprSyntaxError", "BadCell", "_diag", "_mark_diag", "error"}


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
    elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Call) \
            and getattr(node.elts[1].func, "id", None) == "words":
        out.append(node.elts[0])  # ("code", words(...)) handed to a sink later (limits, tables)
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


# Catalogue entries that wrap the message of any code (a run-time failure names its rule, ...).
WRAPPERS = ("diag.runtime", "diag.runtime.read", "diag.mapping.failed_in", "diag.bad_row.and")


def _pattern(template: str) -> re.Pattern:
    """A template as a regex: each field a group (a repeated field must repeat its text)."""
    out, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name:
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    return re.compile("".join(out), re.S)


def _same_words(en: str, ja: str, keys, depth: int = 0) -> bool:
    """Whether `ja` is the Japanese of `en` under one of the catalogue entries `keys` (fields recursively)."""
    if en == ja:
        return True
    if depth > 3:
        return False
    if ", " in en and en.count(", ") == ja.count(", "):
        if all(_same_words(a, b, WORDS, depth + 1) for a, b in zip(en.split(", "), ja.split(", "))):
            return True
    for key in keys:
        t_ja, t_en = WORDS[key]
        m_en, m_ja = _pattern(t_en).fullmatch(en), _pattern(t_ja).fullmatch(ja)
        if m_en and m_ja and all(_same_words(v, m_ja.group(k), WORDS, depth + 1) for k, v in m_en.groupdict().items()):
            return True
    return False


# Codes whose YAML-level problems are worded as a policy's are (facts, mapping and tests files).
SAME_WORDS = {"facts_syntax": "yaml_syntax", "mapping_syntax": "yaml_syntax", "tests_syntax": "yaml_syntax",
              "source_schema": "policy_schema", "bad_date": "dates"}


def _keys(code: str) -> list[str]:
    codes = (code, SAME_WORDS.get(code, code))
    return [k for k in WORDS if any(f".{c}." in f".{k}." for c in codes)]


def japanese_example_matches(code: str, en: str, ja: str) -> bool:
    keys = _keys(code) + list(WRAPPERS)
    return _same_words(en, ja, keys)


def test_the_example_check_can_fail():
    assert japanese_example_matches("unknown_name", "unknown name x", "x という名前はありません")
    assert not japanese_example_matches("unknown_name", "unknown name x", "y という名前はありません")
    assert japanese_example_matches("type_mismatch", "cannot compare list of integer with date",
                                    "整数のリスト と 日付 は比較できません")
    assert not japanese_example_matches("type_mismatch", "cannot compare list of integer with date",
                                        "文字列のリスト と 日付 は比較できません")


@pytest.mark.parametrize("code", documented_codes())
def test_each_code_has_an_english_and_a_japanese_example_from_the_catalogue(code):
    en, ja = examples()[code]
    assert f"{code}: " in en and f"{code}: " in ja
    assert japanese_example_matches(code, en.split(f"{code}: ", 1)[1], ja.split(f"{code}: ", 1)[1])


def test_every_documented_code_has_catalogue_entries():
    assert sorted(c for c in documented_codes() if not _keys(c)) == []
