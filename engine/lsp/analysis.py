# SPDX-License-Identifier: MIT
"""What the language server knows about a policy being edited, as plain functions of (path, text).

Positions are 0-based (line, character) as in LSP; yoko's Locations are 1-based. The last policy
that loaded is kept per file, so completion and hover keep working while the text has an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.base.diagnostics import Diagnostic, YokoError
from engine.lang.builtins import BUILTINS
from engine.policy.fmt import format_text
from engine.policy.load import load_policy
from engine.policy.sources import check_citations, find_source, clause_text
from engine.review.stale import stale_labels
from engine.present.citations import cites_text
from engine.present.format import fmt, unit_name
from engine.present.origin import origin_text
from engine.base.words import named, render, say
from engine.lang.types import type_words

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LAST_GOOD: dict[str, object] = {}


@dataclass(frozen=True)
class Span:
    """A range in a file, 0-based, end exclusive."""

    path: str
    line: int
    start: int
    end: int


def check(path: str, text: str) -> list[Diagnostic]:
    """The diagnostics `yoko check` gives for this text of the file (citations included)."""
    try:
        policy = load_policy(path, text)
    except YokoError as e:
        return list(e.diagnostics)
    _LAST_GOOD[path] = policy
    diags = list(policy.warnings)
    src = find_source(path)
    if src is not None:
        diags += check_citations(policy, src)
    return diags + stale_labels(policy)


def policy_for(path: str, text: str):
    """The policy as this text loads it, else as it last loaded, else as on disk; None if never."""
    try:
        policy = load_policy(path, text)
        _LAST_GOOD[path] = policy
        return policy
    except YokoError:
        pass
    if path in _LAST_GOOD:
        return _LAST_GOOD[path]
    try:
        return load_policy(path)
    except YokoError:
        return None


def word_at(text: str, line: int, character: int) -> tuple[str, int, int] | None:
    """The identifier under the cursor and its start and end on the line."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return None
    for m in _WORD.finditer(lines[line]):
        if m.start() <= character <= m.end():
            return m.group(), m.start(), m.end()
    return None


def _in_expr(text: str, line: int) -> bool:
    """Whether a line is (part of) the value of an `expr:` key."""
    lines = text.splitlines()
    here = lines[line] if line < len(lines) else ""
    if re.match(r"\s*expr:", here):
        return True
    indent = len(here) - len(here.lstrip())
    for prev in reversed(lines[:line]):
        if not prev.strip():
            continue
        p_indent = len(prev) - len(prev.lstrip())
        if p_indent < indent:
            return bool(re.match(r"\s*expr:\s*[|>]", prev))
    return False


def completion(path: str, text: str, line: int, character: int) -> list[tuple[str, str, str]]:
    """(label, kind, detail) for names and enum values, inside an expression; nothing elsewhere."""
    if not _in_expr(text, line):
        return []
    policy = policy_for(path, text)
    if policy is None:
        return []
    before = text.splitlines()[line][:character]
    if before.count('"') % 2 == 1:  # inside a string: the values of the enums this line compares
        named = set(_WORD.findall(before))
        out = []
        for name, f in policy.facts.items():
            values = f.spec.get("values") or []
            if f.spec.get("type") == "enum" and (name in named or not named & set(policy.facts)):
                out += [(v, "enum", f"{name}: {(f.spec.get('value_labels') or {}).get(v, {}).get('ja', '')}")
                        for v in values]
        return list(dict.fromkeys(out))
    out = [(n, "fact", _label(f.spec)) for n, f in policy.facts.items()]
    out += [(n, "parameter", _label(p.spec)) for n, p in policy.parameters.items()]
    out += [(n, "rule", _label(r.spec)) for n, r in policy.rules.items()]
    out += [(n, "function", "built-in") for n in sorted(BUILTINS)]
    return out


def _label(spec: dict) -> str:
    label = spec.get("label") or {}
    return f"{label.get('ja', '')} / {label.get('en', '')}"


def find_item(policy, name: str):
    for kind, table in (("fact", policy.facts), ("parameter", policy.parameters), ("rule", policy.rules)):
        if name in table:
            return kind, table[name]
    return None, None


def _item_at(path: str, text: str, line: int, character: int):
    """(name, policy, kind, item) for the fact, parameter or rule named under the cursor, else None."""
    w = word_at(text, line, character)
    policy = policy_for(path, text) if w else None
    if policy is None:
        return None
    kind, item = find_item(policy, w[0])
    return None if item is None else (w[0], policy, kind, item)


def hover(path: str, text: str, line: int, character: int, lang: str = "ja") -> str | None:
    """Markdown for the fact, parameter or rule under the cursor, in `lang`: its label (the other
    language's below it), type, unit, value, citation with the cited clause's words, and where it is defined."""
    got = _item_at(path, text, line, character)
    if got is None:
        return None
    name, policy, kind, item = got
    spec = item.spec
    label = spec.get("label") or {}
    other = "en" if lang == "ja" else "ja"
    field = lambda k: named("policy.field", k, lang)  # noqa: E731
    lines = [f"**{name}** ({say('kind.' + kind, lang)}) — {label.get(lang, '')}", "", label.get(other, ""), ""]
    lines.append(f"{field('type')}: {render(type_words(item.type), lang)}"
                 + (f", {field('unit')}: {unit_name(spec['unit'], lang)}" if spec.get("unit") else ""))
    if kind == "parameter":
        lines.append(f"{field('value')}: {fmt(item.value, lang, spec.get('unit'))}")
    if spec.get("cite"):
        lines.append(f"{field('cite')}: {cites_text(spec.get('cite'), policy.meta, lang)}")
        clause = _clause_text(policy, spec.get("cite"))
        if clause:
            lines += ["", "> " + clause.replace("\n", "\n> ")]
    if item.origin is not None:  # after a blank line: a line right after a quote would join it
        lines += ["", f"{field('defined_at')}: {origin_text(item, lang)}"]
    return "\n".join(lines)


def _clause_text(policy, cites) -> str | None:
    """The words of the first cited clause, from the source text beside the policy (if any)."""
    for c in cites if isinstance(cites, list) else [cites]:
        words = (clause_text(policy, c) or "").strip()
        if words:
            return words[:600] + ("…" if len(words) > 600 else "")
    return None


def definition(path: str, text: str, line: int, character: int) -> Span | None:
    """Where the name under the cursor is defined: this file or a base it extends."""
    got = _item_at(path, text, line, character)
    if got is None or got[3].origin is None:
        return None
    name, _, _, item = got
    loc = item.origin.location
    return Span(loc.file, loc.line - 1, loc.column - 1, loc.column - 1 + len(name))


_PROSE = re.compile(r"\s*(-\s*)?(ja|en|text|description)\s*:")


def rename(path: str, text: str, line: int, character: int, new: str) -> list[Span] | None:
    """Every place in this file that names the rule under the cursor (None: not a rule of this file)."""
    w = word_at(text, line, character)
    policy = policy_for(path, text) if w else None
    if policy is None or w[0] not in policy.rules or not _WORD.fullmatch(new):
        return None
    if policy.rules[w[0]].origin.src.path != path:
        return None  # defined in a base: rename it there
    name = re.compile(rf"(?<![A-Za-z0-9_.]){re.escape(w[0])}(?![A-Za-z0-9_])")
    spans = []
    for i, ln in enumerate(text.splitlines()):
        if _PROSE.match(ln) or ln.lstrip().startswith("#"):
            continue
        body = ln.split(" #", 1)[0]
        spans += [Span(path, i, m.start(), m.end()) for m in name.finditer(body)]
    return spans


def formatted(path: str, text: str) -> str | None:
    """The document in `yoko fmt`'s layout, or None when it cannot be formatted (a YAML error,
    which its diagnostics already show, or a change of meaning fmt refuses)."""
    try:
        return format_text(text, path)
    except (YokoError, RuntimeError):
        return None
