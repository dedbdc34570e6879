# SPDX-License-Identifier: MIT
"""Static types of the expression language."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from engine.base.words import Words, words


@dataclass(frozen=True, slots=True)
class Type:
    kind: str  # bool int number text date enum list record any

    def __str__(self) -> str:
        return _NAMES.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class EnumType(Type):
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "enum {" + ", ".join(self.values) + "}"


@dataclass(frozen=True, slots=True)
class ListType(Type):
    elem: Type = None

    def __str__(self) -> str:
        return f"list of {self.elem}"


@dataclass(frozen=True, slots=True)
class RecordType(Type):
    fields: tuple[tuple[str, Type], ...] = ()

    def field(self, name: str) -> Type | None:
        for k, t in self.fields:
            if k == name:
                return t
        return None

    def __str__(self) -> str:
        return "record {" + ", ".join(k for k, _ in self.fields) + "}"


_NAMES = {"number": "number", "int": "integer", "text": "text", "bool": "boolean", "date": "date", "any": "any"}

BOOL, INT, NUMBER, TEXT, DATE, ANY = (Type(k) for k in ("bool", "int", "number", "text", "date", "any"))


def type_words(t: Type) -> Words:
    """The name of a type in words, rendered in the language of the message around it."""
    if t.kind == "enum":
        return words("type.enum", values=", ".join(t.values))
    if t.kind == "list":
        return words("type.list", elem=type_words(t.elem))
    if t.kind == "record":
        return words("type.record", fields=", ".join(k for k, _ in t.fields))
    return words(f"type.{t.kind}")


def enum(values) -> EnumType:
    return EnumType("enum", tuple(values))


def list_of(elem: Type) -> ListType:
    return ListType("list", elem)


def record(fields: dict[str, Type]) -> RecordType:
    return RecordType("record", tuple(fields.items()))


def is_numeric(t: Type) -> bool:
    return t.kind in ("int", "number", "any")


def is_textual(t: Type) -> bool:
    return t.kind in ("text", "enum", "any")


def join(a: Type, b: Type) -> Type | None:
    """The smallest type holding both, or None when they do not mix."""
    if a.kind == "any":
        return b
    if b.kind == "any" or a == b:
        return a
    if is_numeric(a) and is_numeric(b):
        return NUMBER
    if a.kind == "enum" and b.kind == "enum":
        return enum(dict.fromkeys(a.values + b.values))
    if is_textual(a) and is_textual(b):
        return TEXT
    if a.kind == "list" and b.kind == "list":
        e = join(a.elem, b.elem)
        return list_of(e) if e is not None else None
    if a.kind == "record" and b.kind == "record":
        fa, fb = dict(a.fields), dict(b.fields)
        if fa.keys() != fb.keys():
            return None
        out = {}
        for k in fa:
            j = join(fa[k], fb[k])
            if j is None:
                return None
            out[k] = j
        return record(out)
    return None


def from_decl(spec: dict) -> Type:
    """The type of a fact or field declaration such as {type: enum, values: [...]}."""
    kind = spec.get("type")
    if kind == "enum":
        return enum(str(v) for v in spec.get("values", ()))
    if kind == "list":
        return list_of(from_decl(spec.get("items") or {"type": "any"}))
    if kind == "record":
        return record({str(k): from_decl(v) for k, v in (spec.get("fields") or {}).items()})
    return {"bool": BOOL, "int": INT, "number": NUMBER, "text": TEXT, "date": DATE}.get(kind, ANY)


def declared_kind_matches(declared: str, t: Type) -> bool:
    """Whether an inferred type fits a rule's declared `type:`."""
    if t.kind == "any":
        return True
    if declared == "number":
        return is_numeric(t)
    if declared == "text":
        return is_textual(t)
    return declared == t.kind


def value_type(v) -> Type | None:
    """The type of a plain value (a literal, a parameter, a table cell); None when it has none
    (a list whose items have no common type, or a value of no language type)."""
    if v is None:
        return ANY
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, Fraction):
        return NUMBER
    if isinstance(v, str):
        return TEXT
    if isinstance(v, datetime.date):
        return DATE
    if isinstance(v, dict):
        fields = {}
        for k, x in v.items():
            ft = value_type(x)
            if ft is None:
                return None
            fields[k] = ft
        return record(fields)
    if isinstance(v, list):
        elem: Type | None = ANY
        for x in v:
            xt = value_type(x)
            elem = join(elem, xt) if xt is not None else None
            if elem is None:
                return None
        return list_of(elem)
    return None
