# SPDX-License-Identifier: MIT
"""Resolving `extends:` chains: one merged document whose every item knows the file it came from.

A child policy names its base (`extends: {policy: ibaraki, fiscal_year: 2022}`) and states only
what changed: new items under `facts`/`parameters`/`rules`, replaced items under `override:`,
removed ones under `drop:` (docs/versions.md). Items are replaced whole, never merged, so each
rule, parameter and fact comes from exactly one place in one file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from engine.base.diagnostics import Location, Sink, YokoError, suggest
from engine.policy.yamlio import location_at

MAX_BASES = 16
SECTIONS = ("facts", "parameters", "rules")
KIND = {"facts": "fact", "parameters": "parameter", "rules": "rule"}
# Keys that say which version a file is: never inherited.
OWN_KEYS = ("id", "fiscal_year", "title", "enacted", "applies_from", "extends", "override", "drop")


@dataclass(frozen=True, eq=False)
class Src:
    """One policy file of a chain: its path, text, YAML tree and plain data."""

    path: str
    text: str
    root: Any
    doc: dict

    @property
    def version(self) -> tuple[str, int]:
        return self.doc.get("id"), self.doc.get("fiscal_year")

    def at(self, where, *, key: bool = False) -> Location:
        return location_at(self.root, list(where), self.path, key=key)


@dataclass(frozen=True)
class Origin:
    """Where an item finally came from: the file and key path, and how it got into the policy."""

    src: Src
    where: tuple
    how: str = "own"  # own | inherited | override

    def at(self, *sub, key: bool = False) -> Location:
        return self.src.at((*self.where, *sub), key=key)

    @property
    def location(self) -> Location:
        return self.at(key=True)

    @property
    def policy(self) -> str:
        return self.src.version[0]

    @property
    def fiscal_year(self) -> int:
        return self.src.version[1]

    def to_json(self) -> dict:
        loc = self.location
        return {"file": loc.file, "line": loc.line, "policy": self.policy, "fiscal_year": self.fiscal_year,
                "how": self.how}


@dataclass
class Resolved:
    """A policy document with its chain resolved (leaf first in `chain`)."""

    doc: dict
    chain: list[Src]
    items: dict[str, dict[str, Origin]] = field(default_factory=dict)
    results_from: Origin | None = None
    dropped: dict[str, tuple[str, Location]] = field(default_factory=dict)  # name -> (kind, where dropped)

    @property
    def leaf(self) -> Src:
        return self.chain[0]

    @classmethod
    def single(cls, src: Src) -> "Resolved":
        items = {s: {n: Origin(src, (s, n)) for n in (src.doc.get(s) or {})} for s in SECTIONS}
        return cls(src.doc, [src], items, Origin(src, ("results",)))


def resolve(leaf: Src, read: Callable[[str], Src], find_base: Callable[[str, int, str], str | None],
            sink: Sink) -> Resolved:
    """Follow `extends:` from `leaf`, then apply each child's changes to its base, oldest first."""
    chain = _chain(leaf, read, find_base)
    merged = Resolved.single(chain[-1])
    merged.doc = {k: v for k, v in chain[-1].doc.items()}
    for s in SECTIONS:
        merged.doc[s] = dict(merged.doc.get(s) or {})
    for child in reversed(chain[:-1]):
        _apply(merged, child, sink)
    merged.chain = chain
    return merged


def _chain(leaf: Src, read, find_base) -> list[Src]:
    chain = [leaf]
    seen = {leaf.version: leaf}
    cur = leaf
    while cur.doc.get("extends"):
        ext = cur.doc["extends"]
        key = (ext["policy"], ext["fiscal_year"])
        where = cur.at(["extends"])
        if key in seen:
            names = " -> ".join(f"{s.version[0]} {s.version[1]}" for s in chain) + f" -> {key[0]} {key[1]}"
            raise YokoError([_d("extends_cycle", f"policies extend each other in a cycle: {names}", where)])
        if len(chain) > MAX_BASES:
            raise YokoError([_d("extends_too_long",
                                f"the chain of extends is longer than {MAX_BASES} policies "
                                f"({chain[0].version[0]} {chain[0].version[1]} -> ... -> {key[0]} {key[1]})",
                                leaf.at(["extends"]))])
        path = find_base(key[0], key[1], cur.path)
        if path is None:
            raise YokoError([_d("extends_missing", f"the base policy {key[0]} {key[1]} is not found "
                                                   f"(looked next to this file and in the policy folders)",
                                where)])
        base = read(path)
        if base.version != key:
            raise YokoError([_d("extends_missing", f"{path} holds {base.version[0]} {base.version[1]}, "
                                                   f"not {key[0]} {key[1]}", where)])
        chain.append(base)
        seen[key] = base
        cur = base
    return chain


def _apply(merged: Resolved, child: Src, sink: Sink) -> None:
    """Drop, override and add the child's items; take its own keys; inherit the rest."""
    doc, c = merged.doc, child.doc
    base_name = _version_text(merged)
    for s in SECTIONS:
        for i, name in enumerate((c.get("drop") or {}).get(s) or []):
            if name not in doc[s]:
                sink.add("override_missing", f"cannot drop {KIND[s]} {name}: {base_name} has no such {KIND[s]}",
                         child.at(["drop", s, i]), suggestion=suggest(str(name), doc[s]))
                continue
            del doc[s][name]
            del merged.items[s][name]
            merged.dropped[name] = (KIND[s], child.at(["drop", s, i]))
            if s == "rules" and "results" not in c:
                doc["results"] = [r for r in doc.get("results") or [] if r != name]
        for name, spec in ((c.get("override") or {}).get(s) or {}).items():
            if name not in doc[s]:
                sink.add("override_missing", f"cannot override {KIND[s]} {name}: {base_name} has no such {KIND[s]}",
                         child.at(["override", s, name], key=True), suggestion=suggest(name, doc[s]))
                continue
            doc[s][name] = spec
            merged.items[s][name] = Origin(child, ("override", s, name), "override")
        for name, spec in (c.get(s) or {}).items():
            if name in doc[s]:
                was = merged.items[s][name].location
                sink.add("name_clash", f"{KIND[s]} {name} is already defined by {base_name} ({was}); "
                                       f"to replace it, put it under override: {s}:",
                         child.at([s, name], key=True))
                continue
            doc[s][name] = spec
            merged.items[s][name] = Origin(child, (s, name))
            merged.dropped.pop(name, None)
    for s in SECTIONS:
        for name, o in merged.items[s].items():
            if o.src is not child and o.how != "inherited":
                merged.items[s][name] = Origin(o.src, o.where, "inherited")
    for k, v in c.items():
        if k in SECTIONS or k in ("override", "drop"):
            continue
        if k == "sources":
            doc["sources"] = {**(doc.get("sources") or {}), **v}
        else:
            doc[k] = v
        if k == "results":
            merged.results_from = Origin(child, ("results",))
    for k in OWN_KEYS:
        if k not in c and k not in SECTIONS:
            doc.pop(k, None)


def _version_text(merged: Resolved) -> str:
    pid, fy = merged.doc.get("id"), merged.doc.get("fiscal_year")
    return f"the base {pid} {fy}"


def _d(code, message, loc):
    from engine.base.diagnostics import Diagnostic
    return Diagnostic(code, message, loc)


def find_base(policy_id: str, fiscal_year: int, child_path: str) -> str | None:
    """The base's file: a policy file next to the child first, then the registry."""
    from engine.policy.registry import entries, read_head
    here = Path(child_path.split("@", 1)[0]).parent
    if here.is_dir():
        for p in sorted(here.glob("*.yaml")):
            head = read_head(p)
            if head and head[:2] == (policy_id, fiscal_year):
                return str(p)
    for e in entries():
        if e.id == policy_id and e.fiscal_year == fiscal_year:
            return e.path
    return None


def check_dropped(policy, dropped: dict, sink: Sink) -> None:
    """A dropped item that a remaining rule still reads: say so where it is dropped."""
    from engine.lang import ast
    for rule in policy.rules.values():
        if rule.node is None:
            continue
        for name in dict.fromkeys(n.id for n in ast.free_names(rule.node)):
            if name in dropped and name not in policy.facts and name not in policy.parameters \
                    and name not in policy.rules:
                kind, where = dropped[name]
                sink.add("dropped_still_used", f"{kind} {name} is dropped but rule {rule.name} "
                                               f"({rule.location}) still reads it; override {rule.name} too",
                         where)
