# SPDX-License-Identifier: MIT
"""The source text beside a policy (NAME.source.yaml): its clauses, and citations resolved to them.

A source file holds the verbatim words of the documents a policy cites, as a tree of clauses
keyed the way citations are written (docs/sources.md). This module reads it, flattens the tree
into clauses in document order, resolves a citation to one clause, checks `quote:`s and reports
every citation that names no clause. Clause coverage (which clauses the policy accounts for)
is in engine.review.clauses.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.base.diagnostics import Diagnostic, Location, Sink, suggest
from engine.base.words import Words, words
from engine.policy.yamlio import location_at, read_document
from engine.policy.load import _jsonable, schema_message, schema_violations

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "source.schema.json"
KEY_FIELDS = ("article", "occurrence", "paragraph", "item", "subitem", "point", "clause", "section")
SUFFIX = ".source.yaml"


@dataclass
class Clause:
    """One clause: its document, key fields, own words and place in the tree."""

    doc: str
    fields: dict
    text: str
    heading: str | None
    page: int | None
    location: Location
    parent: int | None
    index: int
    children: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return key_of(self.fields)


@dataclass
class SourceText:
    """A source file: its documents' metadata and every clause, in document order."""

    path: str
    policy: str
    fiscal_year: int
    documents: dict[str, dict]
    clauses: list[Clause]
    by_key: dict[tuple, int]

    def full_text(self, i: int) -> str:
        """The clause's words and the words of every clause under it."""
        c = self.clauses[i]
        return "\n".join([c.text] * bool(c.text) + [self.full_text(k) for k in c.children])

    def ancestors(self, i: int) -> list[int]:
        out, p = [], self.clauses[i].parent
        while p is not None:
            out.append(p)
            p = self.clauses[p].parent
        return out

    def heading_of(self, i: int) -> str | None:
        """The caption of the clause or of the article or section it is in."""
        for k in [i, *self.ancestors(i)]:
            if self.clauses[k].heading:
                return self.clauses[k].heading
        return None

    def resolve(self, cite: dict) -> tuple[int | None, tuple[str, dict] | None]:
        """(index of the clause a citation names, None) or (None, why it names none)."""
        return resolve(self, cite)


def clause_cite(src: SourceText, i: int) -> dict:
    """The citation that names clause i (with the heading where its article number is shared)."""
    c = src.clauses[i]
    out = {"source": c.doc, **{k: v for k, v in c.key}}
    if "article" in out:
        same = [k for k in src.clauses if k.doc == c.doc and k.parent is None and k.fields.get("article") == out["article"]]
        top = [i, *src.ancestors(i)][-1]
        if len(same) > 1 and src.clauses[top].heading:
            out["heading"] = src.clauses[top].heading
    return out


def key_of(fields: dict) -> tuple:
    return tuple((k, fields[k]) for k in KEY_FIELDS if fields.get(k) is not None)


def squash(text: str) -> str:
    """Text as quotes are compared: full-width digits, letters and brackets made half-width, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def source_path_for(policy_path: str) -> Path:
    p = Path(policy_path)
    return p.with_name(p.name.removesuffix(".yaml") + SUFFIX)


def policy_path_for(source_path: str) -> str:
    p = Path(source_path)
    return str(p.with_name(p.name.removesuffix(SUFFIX) + ".yaml"))


def is_source_file(path) -> bool:
    return str(path).endswith(SUFFIX)


def find_source(policy_path: str) -> SourceText | None:
    """The source text beside a policy file, or None when it has none."""
    p = source_path_for(policy_path)
    if not p.is_file():
        return None
    st = p.stat()
    return _load_cached(str(p), st.st_mtime_ns, st.st_size)


def clause_text(policy, cite) -> str | None:
    """The words of the clause a citation names, with the clauses under it: from the source text
    beside the policy, or beside the base it inherits from (a citation the base wrote names the
    base's source). None when no source text has that clause. The one reader for the memo, render,
    the workbench and the language server."""
    if not isinstance(cite, dict):
        return None
    for path in policy.files:
        src = find_source(str(path).split("@", 1)[0])
        if src is None:
            continue
        i, _ = resolve(src, cite)
        if i is not None:
            return src.full_text(i)
    return None


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int, _size: int) -> SourceText:
    return load_source(path)


# --------------------------------------------------------------------------- reading

def load_source(path: str) -> SourceText:
    """Read and check a source file; raise YokoError with every located problem."""
    read = read_document(path, mapping="source_schema")
    doc, root, sink = read.data, read.root, Sink()
    for err in schema_violations(SCHEMA_PATH, _jsonable(doc)):
        where = list(err.absolute_path)
        sink.say("source_schema", location_at(root, where, path), key=schema_message(err))
    sink.raise_if_errors()
    clauses: list[Clause] = []
    by_key: dict[tuple, int] = {}
    for name, d in doc["documents"].items():
        _flatten(name, d["clauses"], {}, None, ["documents", name, "clauses"], root, path, clauses, by_key, sink)
    sink.raise_if_errors()
    return SourceText(path, doc["policy"], doc["fiscal_year"], doc["documents"], clauses, by_key)


def _flatten(doc, items, above, parent, where, root, path, out, by_key, sink) -> None:
    for n, item in enumerate(items):
        fields = {**above, **{k: item[k] for k in KEY_FIELDS if k in item}}
        if "article" in item and "occurrence" not in item:
            fields.pop("occurrence", None)
        loc = location_at(root, [*where, n], path)
        c = Clause(doc, fields, item.get("text") or "", item.get("heading"), item.get("page"), loc, parent, len(out))
        full = (doc, c.key)
        if full in by_key:
            sink.say("duplicate_clause", loc, doc=doc, key_=_key_text(c.key))
        by_key[full] = c.index
        out.append(c)
        if parent is not None:
            out[parent].children.append(c.index)
        _flatten(doc, item.get("clauses") or [], fields, c.index, [*where, n, "clauses"], root, path, out, by_key, sink)


def _key_text(key: tuple) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in key) + "}"


# --------------------------------------------------------------------------- resolving

# Why a citation names no clause (the Japanese forms are in engine.base.messages, code unknown_clause).
def why_text(why: tuple[str, dict]) -> Words:
    """Why a citation names no clause, in words (catalogue keys diag.unknown_clause.<why>)."""
    code, params = why
    if code == "no_article" and params.get("named"):
        code = "no_article_named"
    return words(f"diag.unknown_clause.{code}", **params)


def resolve(src: SourceText, cite: dict) -> tuple[int | None, tuple[str, dict] | None]:
    doc = cite.get("source")
    if doc not in src.documents:
        return None, ("no_document", {"doc": doc})
    fields = {k: cite[k] for k in KEY_FIELDS if cite.get(k) is not None}
    if "article" in fields:
        art, why = _article(src, doc, fields, cite.get("heading"))
        if art is None:
            return None, why
        fields["occurrence"] = src.clauses[art].fields.get("occurrence")
        has_paragraphs = any("paragraph" in src.clauses[k].fields for k in src.clauses[art].children)
        deeper = any(k in fields for k in ("item", "subitem", "point", "clause"))
        if not has_paragraphs and fields.get("paragraph") == 1:
            del fields["paragraph"]
        elif has_paragraphs and "paragraph" not in fields and deeper:
            fields["paragraph"] = 1
    key = _key_text(key_of(fields))
    i = src.by_key.get((doc, key_of(fields)))
    if i is None:
        return None, ("no_clause", {"doc": doc, "key": key})
    page = cite.get("page")
    if page is not None and page not in [src.clauses[k].page for k in [i, *src.ancestors(i)]]:
        return None, ("not_on_page", {"doc": doc, "key": key, "page": page})
    return i, None


def _article(src: SourceText, doc: str, fields: dict, heading: str | None):
    n = fields["article"]
    found = [c.index for c in src.clauses if c.doc == doc and c.parent is None and c.fields.get("article") == n]
    if "occurrence" in fields:
        found = [i for i in found if (src.clauses[i].fields.get("occurrence") or 1) == fields["occurrence"]]
    if heading:
        found = [i for i in found if squash(heading) in squash(src.clauses[i].heading or "")]
    if not found:
        occ = fields.get("occurrence")
        named = [f"heading: {heading}"] * bool(heading) + [f"occurrence: {occ}"] * bool(occ)
        return None, ("no_article", {"doc": doc, "n": n, "named": ", ".join(named)})
    if len(found) > 1:
        return None, ("ambiguous", {"doc": doc, "n": n, "count": len(found)})
    return found[0], None


# --------------------------------------------------------------------------- citations of a policy

@dataclass(frozen=True)
class Citation:
    """One citation in a policy: what it says, who makes it, and where it is written."""

    cite: dict
    by: str          # rule | parameter | fact | note
    name: str | None  # the rule, parameter or fact (None for a policy-wide note)
    note_kind: str | None
    location: Location


def citations(policy) -> list[Citation]:
    """Every citation of a loaded policy, located in the file it is written in."""
    out: list[Citation] = []
    notes_src = next((s for s in policy.chain if "notes" in s.doc), policy.chain[0] if policy.chain else None)
    for i, note in enumerate(policy.meta.get("notes") or []):
        at = (lambda *w, _i=i: notes_src.at(("notes", _i, *w))) if notes_src else (lambda *w: None)
        out.extend(_note_cites(note, None, at))
    for kind, table in (("fact", policy.facts), ("parameter", policy.parameters), ("rule", policy.rules)):
        for name, item in table.items():
            at = item.origin.at
            out.extend(Citation(c, kind, name, None, at("cite", *w)) for w, c in _each(item.spec.get("cite")))
            for where, fdecl in _fields(item.spec):
                out.extend(Citation(c, kind, name, None, at(*where, "cite", *w)) for w, c in _each(fdecl.get("cite")))
            for i, note in enumerate(item.spec.get("notes") or []):
                out.extend(_note_cites(note, name, lambda *w, _i=i, _at=at: _at("notes", _i, *w)))
    return out


def _fields(spec: dict) -> list[tuple[tuple, dict]]:
    """The record fields of a fact (or of its list's items), with their key paths."""
    if (spec.get("items") or {}).get("fields"):
        return [(("items", "fields", k), v) for k, v in spec["items"]["fields"].items() if isinstance(v, dict)]
    return [(("fields", k), v) for k, v in (spec.get("fields") or {}).items() if isinstance(v, dict)]


def _each(cites):
    if isinstance(cites, dict):
        return [((), cites)]
    return [((j,), c) for j, c in enumerate(cites or [])]


def _note_cites(note: dict, name, at) -> list[Citation]:
    return [Citation(c, "note", name, note.get("kind"), at("cite", *w)) for w, c in _each(note.get("cite"))]


def check_citations(policy, src: SourceText) -> list[Diagnostic]:
    """A located error for every citation that names no clause, or whose quote is not in it."""
    sink = Sink()
    _check_documents(policy, src, sink)
    for c in citations(policy):
        i, why = src.resolve(c.cite)
        if i is None:
            sink.say("unknown_clause", c.location, why=why_text(why), suggestion=_nearest(src, c.cite, why))
        elif c.cite.get("quote") and squash(c.cite["quote"]) not in squash(src.full_text(i)):
            _quote_missing(sink, c.cite["quote"], [i], src, c.location)
    for item, at in _quoted(policy):
        hits = [i for _w, c in _each(item.get("cite")) for i in [src.resolve(c)[0]] if i is not None]
        if hits and not any(squash(item["quote"]) in squash(src.full_text(i)) for i in hits):
            _quote_missing(sink, item["quote"], hits, src, at("quote"))
    return sink.items


def _quoted(policy):
    """Items and notes that carry their own quote:, with a locator into their file."""
    for kind, table in (("fact", policy.facts), ("parameter", policy.parameters), ("rule", policy.rules)):
        for item in table.values():
            if item.spec.get("quote"):
                yield item.spec, item.origin.at
            for i, note in enumerate(item.spec.get("notes") or []):
                if note.get("quote"):
                    cited = note if note.get("cite") else {**note, "cite": item.spec.get("cite")}
                    yield cited, (lambda *w, _i=i, _at=item.origin.at: _at("notes", _i, *w))
    notes_src = next((s for s in policy.chain if "notes" in s.doc), None)
    for i, note in enumerate(policy.meta.get("notes") or []):
        if note.get("quote") and notes_src:
            yield note, (lambda *w, _i=i: notes_src.at(("notes", _i, *w)))


def _quote_missing(sink: Sink, quote: str, where: list[int], src: SourceText, loc: Location) -> None:
    names = ", ".join(_key_text(src.clauses[i].key) for i in where)
    sink.say("quote_not_found", loc, quote=quote, clauses=names)


def _check_documents(policy, src: SourceText, sink: Sink) -> None:
    """The source file belongs to this policy and agrees with its `sources:` on numbers and dates."""
    where = Location(src.path, 1, 1)
    if (src.policy, src.fiscal_year) != (policy.id, policy.fiscal_year):
        sink.say("source_mismatch", where, found=f"{src.policy} {src.fiscal_year}",
                 wanted=f"{policy.id} {policy.fiscal_year}")
    for key, meta in (policy.meta.get("sources") or {}).items():
        doc = src.documents.get(key)
        if doc is None:
            sink.say("source_mismatch", where, key="diag.source_mismatch.document", doc=key)
            continue
        for f in ("number", "date"):
            mine, theirs = meta.get(f), doc.get(f)
            mine = mine.isoformat() if hasattr(mine, "isoformat") else mine
            theirs = theirs.isoformat() if hasattr(theirs, "isoformat") else theirs
            if mine is not None and mine != theirs:
                sink.say("source_mismatch", where, key="diag.source_mismatch.field", doc=key, field=f, mine=mine,
                         theirs=theirs)


def _nearest(src: SourceText, cite: dict, why: tuple[str, dict]) -> str | None:
    doc = cite.get("source")
    if why[0] == "ambiguous":
        n = why[1]["n"]
        return " / ".join(f"heading: {c.heading}" + (f", occurrence: {c.fields['occurrence']}"
                                                     if c.fields.get("occurrence") else "")
                          for c in src.clauses if c.doc == doc and c.parent is None and c.fields.get("article") == n)
    keys = {_key_text(c.key): c for c in src.clauses if c.doc == doc}
    wanted = _key_text(key_of({k: cite[k] for k in KEY_FIELDS if cite.get(k) is not None}))
    return suggest(wanted, keys) if keys else suggest(str(doc), src.documents)

