# SPDX-License-Identifier: MIT
"""Stale numbers: a label or note that quotes a year or an amount the policy itself no longer has.

Two checks, narrow on purpose so that a warning is nearly always real (docs/errors.md, stale_label):
(A note is read the same way as the label; the label is reported first.)
- the label of a fact with a reference period (`period: {calendar_year: -1}`) names years, none
  of them the period's year (令和3年 in a FY2023 policy whose period is calendar 2022);
- the label of a yen parameter, or of a rule that reads yen parameters, names amounts (133,000円,
  133千円, 13.3万円, 133,000 yen, 133 thousand yen), none of them the value of the parameter (or of
  a yen parameter the rule reads, or a number written in the rule's expression).
"""
from __future__ import annotations

import re
from fractions import Fraction

from engine.base.diagnostics import Diagnostic, diag
from engine.review.new_year import _MOVE, _era_to_year
from engine.policy.yamlio import location_at

_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(千円|万円|円|thousand yen|yen)")
_SCALE = {"円": 1, "yen": 1, "千円": 1000, "thousand yen": 1000, "万円": 10000}
YEN = {"yen", "円", "JPY"}


def stale_labels(policy) -> list[Diagnostic]:
    """stale_label warnings of a loaded policy, in source order."""
    out = []
    for fact in policy.facts.values():
        year = _period_year(fact.spec, policy.fiscal_year)
        if year is not None:
            out += _check(fact, "years", _years, {year}, policy)
    yen = {n: p for n, p in policy.parameters.items() if _is_yen(p)}
    for name, p in yen.items():
        out += _check(p, "amounts", _amounts, {p.value}, policy)
    for rule in policy.rules.values():
        read = {yen[r].value for r in rule.reads if r in yen}
        if read:
            literals = {int(n.replace(",", "").replace("_", "")) for n in re.findall(r"\d[\d_,]*", rule.text)}
            out += _check(rule, "amounts", _amounts, read | literals, policy)
    return sorted(out, key=lambda d: (d.location.file, d.location.line, d.location.column) if d.location else ("", 0, 0))


def _period_year(spec: dict, fiscal_year: int) -> int | None:
    period = spec.get("period") or {}
    for kind in ("calendar_year", "fiscal_year"):
        if isinstance(period.get(kind), int):
            return fiscal_year + period[kind]
    return None


def _is_yen(p) -> bool:
    return str(p.spec.get("unit", "")) in YEN and isinstance(p.value, int) and not isinstance(p.value, bool)


def _where(item, policy):
    """The item's label, or, when the label comes unchanged from a base file, the child's `extends:`
    (the base is not the author's to edit: the fix is a `patch:` of the label in the child)."""
    origin = getattr(item, "origin", None)
    if origin is None:
        return item.location
    loc = dict(origin.parts).get("label", origin).at("label")
    if loc.file != policy.path and policy.chain:
        return location_at(policy.chain[0].root, ["extends"], policy.path, key=True)
    return loc


def _texts(value) -> list[str]:
    return [str(t) for t in value.values()] if isinstance(value, dict) else [value] if isinstance(value, str) else []


def _check(item, what: str, find, allowed: set, policy) -> list[Diagnostic]:
    """A warning for the label, else for the first note, that names values none of which is allowed."""
    notes = [n for n in item.spec.get("notes") or [] if isinstance(n, dict)]
    for where, texts in [("label", _texts(item.spec.get("label"))),
                         *((i, _texts(n.get("text"))) for i, n in enumerate(notes))]:
        for text in texts:
            found = find(text)
            if found and not (set(v for v, _ in found) & allowed):
                value, written = found[0]
                shown = ", ".join(_show(v, what) for v in sorted(allowed) if v is not None)
                at = _where(item, policy) if where == "label" else _note_where(item, policy, where)
                key = f"diag.stale_label.{what}" if where == "label" else f"diag.stale_label.note_{what}"
                return [diag("stale_label", at, key=key, severity="warning",
                             name=item.name, written=written, expected=shown)]
    return []


def _note_where(item, policy, index: int):
    """Where note `index` of an item is written: the item's own file, else the child's `extends:`."""
    origin = getattr(item, "origin", None)
    loc = origin.at("notes", index) if origin is not None else item.location
    if loc.file != policy.path and policy.chain:
        return location_at(policy.chain[0].root, ["extends"], policy.path, key=True)
    return loc


def _show(v, what: str) -> str:
    return f"{v:,}" if what == "amounts" and isinstance(v, int) else str(v)


def _years(text: str) -> list[tuple[int, str]]:
    """(Gregorian year, as written) of every year a text names: 令和3年, R3, 2021, 2021年."""
    out = []
    for m in _MOVE.finditer(text):
        g = m.groupdict()
        if g["iso"] or g["kanji"]:
            y = int(g["y1"] or g["y2"])
        elif g["eradate"] or g["erayear"]:
            y = _era_to_year(g["e3"] or g["e4"], g["y3"] or g["y4"])
        elif g["abbr"]:
            y = _era_to_year("令和" if g["e5"] == "R" else "平成", g["y5"])
        else:
            y = int(g["y6"])
        out.append((y, m.group()))
    return out


def _amounts(text: str) -> list[tuple[int, str]]:
    """(yen, as written) of every amount a text names."""
    out = []
    for m in _AMOUNT.finditer(text):
        value = Fraction(m.group(1).replace(",", "") + ("." + m.group(2) if m.group(2) else "")) * _SCALE[m.group(3)]
        if value.denominator == 1:
            out.append((int(value), m.group()))
    return out
