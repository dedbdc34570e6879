# SPDX-License-Identifier: MIT
"""Word-level (character-level for Japanese) differences of two texts, and expressions compared
by their meaning-preserving normal form."""
from __future__ import annotations

import difflib
import re

from engine.lang import ast

_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.ASCII)
_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def tokens(text: str) -> list[str]:
    """Words, spaces and signs; each Japanese character on its own."""
    out: list[str] = []
    for t in _WORD.findall(text):
        if _JA.search(t):
            out.extend(t)
        else:
            out.append(t)
    return out


def text_diff(old: str | None, new: str | None) -> list[list[str]]:
    """[[op, text], ...] with op "=" (kept), "-" (removed) or "+" (added), in reading order."""
    a, b = tokens(old or ""), tokens(new or "")
    out: list[list[str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            _add(out, "=", "".join(a[i1:i2]))
            continue
        if i2 > i1:
            _add(out, "-", "".join(a[i1:i2]))
        if j2 > j1:
            _add(out, "+", "".join(b[j1:j2]))
    return out


def _add(out: list, op: str, text: str) -> None:
    if out and out[-1][0] == op:
        out[-1][1] += text
    else:
        out.append([op, text])


def lang_texts(v) -> dict[str, str]:
    """A label or note text as {lang: text} (a plain string counts for both languages)."""
    if isinstance(v, dict):
        return {k: str(x).strip() for k, x in v.items() if x is not None}
    if v is None:
        return {}
    return {"ja": str(v), "en": str(v)}


def labels_diff(old, new) -> dict[str, list]:
    """Per language, the word diff of two {ja, en} texts (only the languages that differ)."""
    a, b = lang_texts(old), lang_texts(new)
    return {lang: text_diff(a.get(lang), b.get(lang)) for lang in ("ja", "en") if a.get(lang) != b.get(lang)}


# ----------------------------------------------------------------------------- expressions

_FLIP = {">": "<", ">=": "<="}


def normal_form(node: ast.Node):
    """A form of an expression that two rewordings share: spans dropped, chained comparisons split,
    `a > b` read as `b < a`, and/or flattened and their operands sorted, double negation dropped.
    Kleene and/or are commutative and associative in value, so these keep the meaning."""
    match node:
        case ast.Literal(value=v):
            return ("lit", type(v).__name__, v)
        case ast.Name(id=name):
            return ("name", name)
        case ast.Field(obj=o, name=name):
            return ("field", normal_form(o), name)
        case ast.ListLit(items=items):
            return ("list", tuple(normal_form(i) for i in items))
        case ast.RecordLit(entries=entries):
            return ("record", tuple(sorted((k, normal_form(v)) for k, v in entries)))
        case ast.Unary(op="not", operand=ast.Unary(op="not", operand=inner)):
            return normal_form(inner)
        case ast.Unary(op=op, operand=o):
            return ("unary", op, normal_form(o))
        case ast.Binary(op="and" | "or" as op):
            parts = sorted({repr(p): p for p in (normal_form(x) for x in _flat(node, op))}.items())
            return (op, tuple(p for _, p in parts))
        case ast.Binary(op="add" | "mul" as op, left=l, right=r):
            return (op, tuple(sorted((normal_form(l), normal_form(r)), key=repr)))
        case ast.Binary(op=op, left=l, right=r):
            return (op, normal_form(l), normal_form(r))
        case ast.Compare(operands=operands, ops=ops):
            parts = []
            for i, op in enumerate(ops):
                x, y = normal_form(operands[i]), normal_form(operands[i + 1])
                if op in _FLIP:
                    x, y, op = y, x, _FLIP[op]
                if op in ("==", "!="):
                    x, y = sorted((x, y), key=repr)
                parts.append(("cmp", op, x, y))
            if len(parts) == 1:
                return parts[0]
            return ("and", tuple(sorted(parts, key=repr)))
        case ast.IsTest(kind=kind, operand=o):
            return ("is", kind, normal_form(o))
        case ast.Cond(test=t, then=a, orelse=b):
            return ("if", normal_form(t), normal_form(a), normal_form(b))
        case ast.Call(func=func, args=args):
            return ("call", func, tuple(normal_form(a) for a in args))
        case ast.Aggregate() | ast.ListComp():
            f = node.func if isinstance(node, ast.Aggregate) else "list"
            return ("loop", f, node.var, normal_form(node.iterable), normal_form(node.expr),
                    None if node.filter is None else normal_form(node.filter))
    return ("?", repr(node))


def _flat(n, op):
    """The operands of an and/or chain; a chained comparison (a < b < c) is an and of its links."""
    out = []
    for p in ast.operands(n, op):
        if op == "and" and isinstance(p, ast.Compare) and len(p.ops) > 1:
            out += [ast.Compare(p.start, p.end, p.operands[i:i + 2], (o,)) for i, o in enumerate(p.ops)]
        else:
            out.append(p)
    return out


def same_meaning(a: ast.Node | None, b: ast.Node | None) -> bool:
    """Whether two expressions are the same up to rewording (see normal_form)."""
    return a is not None and b is not None and normal_form(a) == normal_form(b)
