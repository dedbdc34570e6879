# SPDX-License-Identifier: MIT
"""Resolving `extends:` chains: one merged document whose every item knows the file it came from.

A child policy names its base (`extends: {policy: ibaraki, fiscal_year: 2022}`) and states only
what changed: new items under `facts`/`parameters`/`rules`, replaced items under `override:`,
removed ones under `drop:`, a label, note, citation (or a parameter's value, or a record fact's
new field) of an inherited item under `patch:`, the base's citations re-pointed by `cite_map:`,
public results edited by `results: {add: [...], drop: [...]}` (docs/versions.md). An item comes
from one place in one file; each part patched or re-cited says where it came from (Origin.parts).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from engine.base.diagnostics import Location, Sink, YokoError, diag, suggest
from engine.base.words import words
from engine.policy.yamlio import location_at, parse_yaml, positions_at, positions_of
from engine.policy.registry import entries, read_head
from engine.lang import ast

MAX_BASES = 16
SECTIONS = ("facts", "parameters", "rules")
KIND = {"facts": "fact", "parameters": "parameter", "rules": "rule"}
# Keys that say which version a file is: never inherited.
OWN_KEYS = ("id", "fiscal_year", "title", "enacted", "applies_from", "document", "extends", "override", "drop",
            "patch", "cite_map")
# The keys a patch may change, per kind of item (everything else needs override:).
PATCHABLE = {"facts": ("label", "description", "notes", "cite", "quote", "fields", "value_labels"),
             "parameters": ("label", "description", "notes", "cite", "quote", "value"),
             "rules": ("label", "description", "notes", "cite", "quote")}


class Src:
    """One policy file of a chain: its path, text, YAML tree and plain data.

    Pickled (the policy cache) without its YAML tree: the round-trip tree with its comments was
    most of a cached policy's bytes and of its load time. What `at()` needs goes in a table of
    positions by key path, and the tree is read again from `text` only when something asks for it
    (drafting next year copies nodes with their comments).
    """

    __slots__ = ("path", "text", "doc", "_root", "_positions", "_commented")

    def __init__(self, path: str, text: str, root: Any, doc: dict):
        self.path, self.text, self.doc = path, text, doc
        self._root, self._positions, self._commented = root, None, None

    @property
    def root(self) -> Any:
        if self._root is None:
            self._root = parse_yaml(self.text, self.path)
        return self._root

    @property
    def commented_root(self) -> Any:
        """The tree with its comments and blank lines, for copying nodes into another file (the
        file is read without them, faster: see yamlio._fast_yaml)."""
        if self._commented is None:
            self._commented = parse_yaml(self.text, self.path, comments=True)
        return self._commented

    @property
    def version(self) -> tuple[str, int]:
        return self.doc.get("id"), self.doc.get("fiscal_year")

    def at(self, where, *, key: bool = False) -> Location:
        if self._root is None and self._positions is not None:
            return positions_at(self._positions, tuple(where), self.path, key=key)
        return location_at(self.root, list(where), self.path, key=key)

    def __getstate__(self):
        positions = self._positions if self._root is None else positions_of(self._root)
        return {"path": self.path, "text": self.text, "doc": self.doc, "positions": positions}

    def __setstate__(self, state):
        self.path, self.text, self.doc = state["path"], state["text"], state["doc"]
        self._root, self._positions, self._commented = None, state["positions"], None


@dataclass(frozen=True)
class Origin:
    """Where an item finally came from: the file and key path, and how it got into the policy."""

    src: Src
    where: tuple
    how: str = "own"  # own | inherited | override | patch | cite_map
    parts: tuple = ()  # ((key, Origin), ...): parts of the item changed after it was defined

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
        out = {"file": loc.file, "line": loc.line, "policy": self.policy, "fiscal_year": self.fiscal_year,
               "how": self.how}
        if self.parts:
            out["parts"] = {k: o.to_json() for k, o in self.parts}
        return out

    def part_at(self, key: str) -> Location:
        """Where the item's `key` is written: in the patch that changed it, else in the item."""
        for k, o in self.parts:
            if k == key and o.how == "patch":
                return o.at()
        return self.at(key)

    def with_part(self, key: str, origin: "Origin") -> "Origin":
        """This origin, with `key` now coming from `origin` (a patch or a citation mapping)."""
        return replace(self, parts=tuple((k, o) for k, o in self.parts if k != key) + ((key, origin),))


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
            raise YokoError([diag("extends_cycle", where, cycle=names)])
        if len(chain) > MAX_BASES:
            raise YokoError([diag("extends_too_long", leaf.at(["extends"]), limit=MAX_BASES,
                                  chain=f"{chain[0].version[0]} {chain[0].version[1]} -> ... -> {key[0]} {key[1]}")])
        path = find_base(key[0], key[1], cur.path)
        if path is None:
            raise YokoError([diag("extends_missing", where, policy=key[0], year=key[1])])
        base = read(path)
        if base.version != key:
            raise YokoError([diag("extends_missing", where, key="diag.extends_missing.other",
                                  path=path, found=f"{base.version[0]} {base.version[1]}", wanted=f"{key[0]} {key[1]}")])
        chain.append(base)
        seen[key] = base
        cur = base
    return chain


def _apply(merged: Resolved, child: Src, sink: Sink) -> None:
    """Drop, override and add the child's items; take its own keys; inherit the rest."""
    doc, c = merged.doc, child.doc
    base_name = _version_words(merged)
    for s in SECTIONS:
        for i, name in enumerate((c.get("drop") or {}).get(s) or []):
            if name not in doc[s]:
                sink.say("override_missing", child.at(["drop", s, i]), key="diag.override_missing.drop",
                         kind=words(f"kind.{KIND[s]}"), name=name, base=base_name,
                         suggestion=suggest(str(name), doc[s]))
                continue
            del doc[s][name]
            del merged.items[s][name]
            merged.dropped[name] = (KIND[s], child.at(["drop", s, i]))
            if s == "rules" and not isinstance(c.get("results"), list):
                doc["results"] = [r for r in doc.get("results") or [] if r != name]
        for name, spec in ((c.get("override") or {}).get(s) or {}).items():
            if name not in doc[s]:
                sink.say("override_missing", child.at(["override", s, name], key=True),
                         kind=words(f"kind.{KIND[s]}"), name=name, base=base_name, suggestion=suggest(name, doc[s]))
                continue
            doc[s][name] = spec
            merged.items[s][name] = Origin(child, ("override", s, name), "override")
        for name, spec in (c.get(s) or {}).items():
            if name in doc[s]:
                sink.say("name_clash", child.at([s, name], key=True), key="authoring.name_clash_base",
                         kind=words(f"kind.{KIND[s]}"), name=name, base=_version_words(merged),
                         at=str(merged.items[s][name].location), section=s)
                continue
            doc[s][name] = spec
            merged.items[s][name] = Origin(child, (s, name))
            merged.dropped.pop(name, None)
    for s in SECTIONS:
        for name, o in merged.items[s].items():
            if o.src is not child and o.how != "inherited":
                merged.items[s][name] = replace(o, how="inherited")
    _cite_map(merged, child, sink)
    _patch(merged, child, sink)
    for k, v in c.items():
        if k in SECTIONS or k in ("override", "drop", "patch", "cite_map"):
            continue
        if k == "sources":
            doc["sources"] = {**(doc.get("sources") or {}), **v}
        elif k == "results" and isinstance(v, dict):
            _edit_results(merged, child, v, sink)
            continue
        else:
            doc[k] = v
        if k == "results":
            merged.results_from = Origin(child, ("results",))
    _drop_sources(merged, child, sink)
    for k in OWN_KEYS:
        if k not in c and k not in SECTIONS:
            doc.pop(k, None)


def _patch(merged: Resolved, child: Src, sink: Sink) -> None:
    """`patch:` changes some keys of an inherited item; the rest stays where it was defined."""
    doc = merged.doc
    for s in SECTIONS:
        for name, changes in ((child.doc.get("patch") or {}).get(s) or {}).items():
            if name not in doc[s]:
                sink.say("override_missing", child.at(["patch", s, name], key=True), key="authoring.patch_missing",
                         kind=words(f"kind.{KIND[s]}"), name=name, base=_version_words(merged),
                         suggestion=suggest(name, doc[s]))
                continue
            spec = copy.deepcopy(doc[s][name])
            origin = merged.items[s][name]
            for key, value in (changes or {}).items():
                where = Origin(child, ("patch", s, name, key), "patch")
                if key == "fields":
                    if not _add_fields(spec, value, child, ("patch", s, name, key), sink):
                        continue
                else:
                    spec[key] = value
                origin = origin.with_part(key, where)
            doc[s][name] = spec
            merged.items[s][name] = origin


def _add_fields(spec: dict, new: dict, child: Src, where: tuple, sink: Sink) -> bool:
    """New fields added to a record fact, or to the records of a list fact; never a field it has."""
    target = spec.get("items") if spec.get("type") == "list" else spec
    if not isinstance(target, dict) or target.get("type") != "record":
        sink.say("patch_fields", child.at(list(where), key=True), key="authoring.patch_fields")
        return False
    fields = dict(target.get("fields") or {})
    ok = True
    for fname, fspec in (new or {}).items():
        if fname in fields:
            sink.say("name_clash", child.at([*where, fname], key=True), key="authoring.field_clash", name=fname)
            ok = False
            continue
        fields[fname] = fspec
    target["fields"] = fields
    return ok


def _cite_map(merged: Resolved, child: Src, sink: Sink) -> None:
    """Re-point the citations of every inherited item (and inherited policy notes) by `cite_map:`."""
    table = child.doc.get("cite_map") or []
    if not table:
        return
    used = [False] * len(table)
    for s in SECTIONS:
        for name, origin in merged.items[s].items():
            if origin.src is child:
                continue
            spec = merged.doc[s][name]
            new, hit = _recite_item(spec, table, used)
            if hit:
                merged.doc[s][name] = new
                merged.items[s][name] = origin.with_part("cite", Origin(child, ("cite_map", hit[0]), "cite_map"))
    if "notes" not in child.doc and merged.doc.get("notes"):
        merged.doc["notes"] = [_recite_item(n, table, used)[0] for n in merged.doc["notes"]]
    for i, u in enumerate(used):
        if not u:
            sink.say("cite_map_unused", child.at(["cite_map", i]), key="authoring.cite_map_unused", severity="warning")


def _recite_item(spec, table, used) -> tuple[Any, list[int]]:
    """A copy of an item (or note) with every `cite` mapped; and the entries of `table` that matched."""
    hits: list[int] = []

    def walk(node):
        if isinstance(node, dict):
            return {k: (_recite(v, table, used, hits) if k == "cite" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node
    return walk(spec), hits


def _recite(cite, table, used, hits):
    if isinstance(cite, list):
        return [_recite(c, table, used, hits) for c in cite]
    if not isinstance(cite, dict):
        return cite
    for i, entry in enumerate(table):
        frm, to = entry.get("from") or {}, entry.get("to") or {}
        if frm and all(cite.get(k) == v for k, v in frm.items()):
            used[i] = True
            hits.append(i)
            return {**{k: v for k, v in cite.items() if k not in frm}, **to}
    return cite


def _edit_results(merged: Resolved, child: Src, edit: dict, sink: Sink) -> None:
    """`results: {add: [...], drop: [...]}`: the inherited public results, edited."""
    have = list(merged.doc.get("results") or [])
    for i, name in enumerate(edit.get("drop") or []):
        if name not in have:
            sink.say("override_missing", child.at(["results", "drop", i]), key="authoring.result_missing",
                     name=name, base=_version_words(merged), suggestion=suggest(str(name), have))
            continue
        have.remove(name)
    for i, name in enumerate(edit.get("add") or []):
        if name in have:
            sink.say("name_clash", child.at(["results", "add", i]), key="authoring.result_clash", name=name)
            continue
        have.append(name)
    merged.doc["results"] = have
    merged.results_from = Origin(child, ("results", "add"))


def _drop_sources(merged: Resolved, child: Src, sink: Sink) -> None:
    """`drop: {sources: [...]}`; a source still cited by an item or note is an error where it is dropped."""
    names = (child.doc.get("drop") or {}).get("sources") or []
    sources = dict(merged.doc.get("sources") or {})
    for i, name in enumerate(names):
        where = child.at(["drop", "sources", i])
        if name not in sources:
            sink.say("override_missing", where, key="authoring.source_missing", name=name,
                     base=_version_words(merged), suggestion=suggest(str(name), sources))
            continue
        del sources[name]
        user = _citer(merged, name)
        if user:
            sink.say("dropped_still_used", where, key="authoring.source_still_cited", name=name, user=user)
    merged.doc["sources"] = sources


def _citer(merged: Resolved, source: str) -> str | None:
    """The first item (or `notes`) whose citations name `source`."""
    def cites(node) -> bool:
        if isinstance(node, dict):
            return any((k == "cite" and _names(v, source)) or cites(v) for k, v in node.items())
        if isinstance(node, list):
            return any(cites(x) for x in node)
        return False
    for s in SECTIONS:
        for name, spec in merged.doc[s].items():
            if cites(spec):
                return f"{name} ({merged.items[s][name].location})"
    return "notes" if cites(merged.doc.get("notes")) else None


def _names(cite, source) -> bool:
    if isinstance(cite, list):
        return any(_names(c, source) for c in cite)
    return isinstance(cite, dict) and cite.get("source") == source


def _version_words(merged: Resolved):
    return words("authoring.base_version", policy=merged.doc.get("id"), year=merged.doc.get("fiscal_year"))




def find_base(policy_id: str, fiscal_year: int, child_path: str) -> str | None:
    """The base's file: a policy file next to the child first, then the registry."""
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
    for rule in policy.rules.values():
        if rule.node is None:
            continue
        for name in dict.fromkeys(n.id for n in ast.free_names(rule.node)):
            if name in dropped and name not in policy.facts and name not in policy.parameters \
                    and name not in policy.rules:
                kind, where = dropped[name]
                sink.say("dropped_still_used", where, kind=words(f"kind.{kind}"), name=name, rule=rule.name,
                         where=rule.location)
