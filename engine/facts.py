# SPDX-License-Identifier: MIT
"""Facts input: a mapping of fact name to value, checked against the policy's declarations.

Accepted as is: JSON/YAML values of the declared type. Normalised (and reported
as a note): a YAML date or an ISO date string for a date; an integral float such
as 12.0 is NOT a count (refused). Refused: everything else (see docs/errors.md).
"""
from __future__ import annotations

import datetime
import math
from fractions import Fraction

from . import types as T
from .diagnostics import Location, Sink, YokoError, suggest
from .yamlio import PlainConverter, location_at, parse_yaml, read_text


def load_facts_file(path: str, policy) -> dict:
    """Read and check a YAML or JSON facts file; raise YokoError on any problem."""
    text = read_text(path)
    root = parse_yaml(text, path, syntax_code="facts_syntax")
    sink = Sink()
    if root is None:
        root = {}
    if not isinstance(root, dict):
        raise YokoError([_d("facts_syntax", "a facts file must be a mapping of fact name to value "
                                            f"but this file is a {'list' if isinstance(root, list) else type(root).__name__}",
                            Location(path, 1, 1))])
    data = PlainConverter(path, sink).convert(root)
    sink.raise_if_errors()
    return check_facts(data, policy, lambda key_path, key=False: location_at(root, key_path, path, key=key))


def _d(code, msg, loc, suggestion=None):
    from .diagnostics import Diagnostic
    return Diagnostic(code, msg, loc, suggestion=suggestion)


def check_facts(data: dict, policy, locate=None) -> dict:
    """Validated facts (None values dropped as unknown); raise YokoError listing every bad fact."""
    sink = Sink()
    locate = locate or (lambda key_path, key=False: None)
    out = {}
    for name, value in data.items():
        decl = policy.facts.get(name)
        if decl is None:
            sink.add("unknown_fact", f"{name} is not a fact of policy {policy.id} {policy.fiscal_year}",
                     locate([name], key=True), suggestion=suggest(str(name), policy.facts))
            continue
        if value is None:
            continue
        try:
            out[name] = convert(value, decl.spec, name)
        except BadFact as e:
            sink.add("bad_fact", e.message, locate([name] + e.path, key=e.at_key))
    sink.raise_if_errors()
    return out


class BadFact(Exception):
    def __init__(self, message: str, path=None, at_key: bool = False):
        super().__init__(message)
        self.message = message
        self.path = path or []
        self.at_key = at_key  # point at the key (a misspelt field), not at its value


def _show(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "a mapping"
    return repr(v)


def convert(value, spec: dict, name: str, path=None):
    """The runtime value of one fact value under its declaration."""
    path = path or []
    kind = spec.get("type")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise BadFact(f"{name} must be true or false but got {_show(value)}", path)
    if kind in ("int", "number"):
        return _number(value, spec, name, path, whole=kind == "int")
    if kind == "text":
        if isinstance(value, str):
            return value
        raise BadFact(f"{name} must be text but got {_show(value)}", path)
    if kind == "enum":
        values = [str(v) for v in spec.get("values", ())]
        if isinstance(value, str) and value in values:
            return value
        hint = suggest(str(value), values) if isinstance(value, str) else None
        raise BadFact(f"{name} must be one of {', '.join(values)} but got {_show(value)}"
                      + (f" (did you mean {hint}?)" if hint else ""), path)
    if kind == "date":
        return _date(value, name, path)
    if kind == "list":
        if not isinstance(value, list):
            raise BadFact(f"{name} must be a list but got {_show(value)}", path)
        items = spec.get("items") or {}
        out = []
        for i, x in enumerate(value):
            if x is None:
                raise BadFact(f"{name}[{i}] is empty; a list cannot hold unknown items", path + [i])
            out.append(convert(x, items, f"{name}[{i}]", path + [i]))
        return out
    if kind == "record":
        if not isinstance(value, dict):
            raise BadFact(f"{name} must be a mapping of fields but got {_show(value)}", path)
        fields = spec.get("fields") or {}
        rec = {}
        for k, x in value.items():
            if k not in fields:
                hint = suggest(str(k), fields)
                raise BadFact(f"{name} has no field {k}" + (f" (did you mean {hint}?)" if hint else ""), path + [k],
                              at_key=True)
            rec[k] = None if x is None else convert(x, fields[k], f"{name}.{k}", path + [k])
        for k in fields:
            rec.setdefault(k, None)
        return rec
    return value


def _number(value, spec, name, path, whole: bool):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = "a whole number" if whole else "a number"
        raise BadFact(f"{name} must be {what} but got {_show(value)}", path)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadFact(f"{name} must be a finite number but got {value}", path)
        if whole:
            raise BadFact(f"{name} must be a whole number but got {value!r}", path)
        q = Fraction(repr(value))
        value = q.numerator if q.denominator == 1 else q
    if abs(value) > 10 ** 18:
        raise BadFact(f"{name} is too large to be real: {value}", path)
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and value < lo:
        raise BadFact(f"{name} must be at least {lo} but got {value}", path)
    if hi is not None and value > hi:
        raise BadFact(f"{name} must be at most {hi} but got {value}", path)
    return value


def _date(value, name, path):
    if isinstance(value, datetime.datetime):
        raise BadFact(f"{name} must be a date (YYYY-MM-DD) but got a date and time", path)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                return datetime.date.fromisoformat(value)
        except ValueError:
            raise BadFact(f"{name}: {value} is not a calendar date", path) from None
    raise BadFact(f"{name} must be a date written YYYY-MM-DD but got {_show(value)}", path)


def fact_type(policy, name) -> T.Type:
    return policy.facts[name].type
