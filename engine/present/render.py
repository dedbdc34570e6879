# SPDX-License-Identifier: MIT
"""A policy as a document to review and circulate: Markdown, a standalone printable HTML page, or JSON.

The document walks the source text beside the policy (NAME.source.yaml) clause by clause, in the
order of the guideline, printing each clause's own words (Japanese in both languages) and under
it the rules, parameters, facts and notes that cite it (Catala-style). An item that cites several
clauses is shown under the first and referred to from the others; a clause no rule computes is
marked with how it is handled (stated by a note, out of scope, or nobody's). The document is built
once as blocks (`document`) from one layout (`layout`), then written by `to_markdown` or `to_html`,
each escaping for its format; `metadata` gives the same layout as data for `--format json`.
"""
from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field

from engine.base.dates import era_year, wareki
from engine.base.words import say
from engine.lang import ast
from engine.lang.parser import parse
from engine.policy.clause_coverage import ClauseCoverage, clause_coverage
from engine.policy.load import Policy
from engine.policy.sources import SourceText, clause_cite, find_source, source_path_for
from engine.present.citations import cite_text, cites_text, source_abbrev
from engine.present.format import fmt, in_language, unit_name
from engine.present.origin import origin_how


# --------------------------------------------------------------------------- blocks

Span = tuple[str, str]  # ("t", text) | ("code", text) | ("b", text)
Text = list[Span]


def t(s: str) -> Span:
    return ("t", s)


def code(s: str) -> Span:
    return ("code", s)


def b(s: str) -> Span:
    return ("b", s)


@dataclass
class Heading:
    level: int
    text: Text
    anchor: str | None = None


@dataclass
class Para:
    text: Text


@dataclass
class Items:
    """A bulleted list; an item may carry a nested list."""

    items: list[tuple[Text, "Items | None"]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Text]]


@dataclass
class Code:
    text: str


@dataclass
class Quote:
    """The verbatim words of a clause (always Japanese)."""

    text: str


@dataclass
class Mark:
    """How a clause is handled, when no rule computes it here: stated, out of scope, missing, ..."""

    kind: str
    text: str


@dataclass
class Fields:
    """A header block: label and value pairs."""

    rows: list[tuple[str, str]]


@dataclass
class Entry:
    """One rule, parameter, fact or note: a titled block with identifiers in a reference column."""

    kind: str
    title: Text
    body: list
    ref: list[str] = field(default_factory=list)  # identifiers and file:line
    expr: str | None = None  # the exact expression, shown in the reference column
    anchor: str | None = None


@dataclass
class Doc:
    title: str
    lang: str
    blocks: list = field(default_factory=list)


# --------------------------------------------------------------------------- words

def _say(key: str, lang: str, **params) -> str:
    return say(f"render.{key}", lang, **params)


def _with_code(key: str, lang: str, **params: str) -> Text:
    """A catalogue entry whose parameters are identifiers or paths, set as code spans."""
    marks = {k: f"\0{k}\0" for k in params}
    parts = _say(key, lang, **marks).split("\0")
    return [code(params[p]) if n % 2 else t(p) for n, p in enumerate(parts) if p]


def unit_text(unit: str, lang: str) -> str:
    """A unit in the document's language: 円, 件, 床, 時間, 年度 / yen, cases, beds, hours, fiscal year."""
    if unit in ("FY", "fiscal_year"):
        return _say("unit.FY", lang)
    if unit in ("year", "calendar_year"):
        return _say("unit.year", lang)
    return unit_name(unit, lang)


def show_value(v, lang: str, spec: dict | None = None) -> str:
    """A value as the document prints it: dates in 和暦 in Japanese, units in the language."""
    spec = spec or {}
    if isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
        return wareki(v) if lang == "ja" else v.isoformat()
    return fmt(v, lang, spec.get("unit"), spec.get("value_labels"))


def show_date(v, lang: str) -> str:
    if isinstance(v, str):
        try:
            v = datetime.date.fromisoformat(v)
        except ValueError:
            return v
    return show_value(v, lang)


_CMP = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
_ARITH = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}
# loosest first, as in the grammar
_PREC = {"if": 0, "or": 1, "and": 2, "not": 3, "is": 4, "cmp": 5, "add": 6, "sub": 6, "mul": 7, "div": 7,
         "neg": 8, "atom": 9}
_CALLS = {"round_down", "round_up", "floor", "ceil", "abs", "add_days", "add_months", "add_years", "days_between",
          "fiscal_year", "fiscal_year_start", "fiscal_year_end", "date", "first", "empty"}


class Reader:
    """An expression in words, with the labels of the names it reads."""

    def __init__(self, policy: Policy, lang: str):
        self.p = policy
        self.lang = lang

    def w(self, key: str, **params) -> str:
        return _say("read." + key, self.lang, **params)

    def q(self, x: str) -> str:
        return self.w("quote", x=x)

    def label(self, name: str) -> str:
        for table in (self.p.facts, self.p.rules, self.p.parameters):
            if name in table:
                lab = (table[name].spec.get("label") or {}).get(self.lang)
                return lab or name
        return name

    def name(self, name: str, scope: dict) -> str:
        if name in scope:
            return name
        if name in self.p.parameters and not isinstance(self.p.parameters[name].value, (list, dict)):
            prm = self.p.parameters[name]
            return self.w("with_value", x=self.q(self.label(name)), v=self.value(prm.value, prm.spec))
        return self.q(self.label(name))

    def value(self, v, spec: dict | None = None) -> str:
        spec = spec or {}
        if isinstance(v, list):
            return "[" + self.w("sep").join(self.value(x) for x in v) + "]"
        return show_value(v, self.lang, spec)

    def text(self, node: ast.Node, scope: dict | None = None) -> str:
        return self._x(node, scope or {})

    def _wrap(self, node, scope, prec: int) -> str:
        s = self._x(node, scope)
        return f"({s})" if _prec(node) < prec else s

    def _x(self, node: ast.Node, scope: dict) -> str:  # noqa: C901 - one case per node kind
        match node:
            case ast.Literal(value=v):
                return f'"{v}"' if isinstance(v, str) else self.value(v)
            case ast.Name(id=n):
                return self.name(n, scope)
            case ast.Field(obj=o, name=f):
                fields = scope.get(o.id) if isinstance(o, ast.Name) else None
                lab = ((fields or {}).get(f) or {}).get("label", {}).get(self.lang)
                return f"{self._wrap(o, scope, 9)}.{self.q(lab) if lab else f}"
            case ast.ListLit(items=items):
                return "[" + self.w("sep").join(self._x(i, scope) for i in items) + "]"
            case ast.RecordLit(entries=entries):
                return "{" + self.w("sep").join(f"{k}: {self._x(v, scope)}" for k, v in entries) + "}"
            case ast.Unary(op="not", operand=o):
                return self.w("not", x=self._wrap(o, scope, 9))
            case ast.Unary(operand=o):
                return "−" + self._wrap(o, scope, 8)
            case ast.Binary(op="and" | "or" as op):
                parts = ast.operands(node, op)
                return f" {self.w(op)} ".join(self._wrap(p, scope, _PREC[op] + 1) for p in parts)
            case ast.Binary(op=op, left=l, right=r):
                return f"{self._wrap(l, scope, _PREC[op])} {_ARITH[op]} {self._wrap(r, scope, _PREC[op] + 1)}"
            case ast.Compare():
                return self._compare(node, scope)
            case ast.IsTest(kind=k, operand=o):
                return self.w(k, x=self._wrap(o, scope, 5))
            case ast.Cond(test=c, then=a, orelse=e):
                return self.w("if", c=self._wrap(c, scope, 1), a=self._wrap(a, scope, 1), b=self._wrap(e, scope, 0))
            case ast.Call(func=f, args=args):
                return self._call(f, args, scope)
            case ast.Aggregate() | ast.ListComp():
                return self._loop(node, scope)
        return "?"

    def _compare(self, node: ast.Compare, scope: dict) -> str:
        ops, vals = node.ops, node.operands
        labels = self._enum_labels(vals, scope)
        shown = [self._operand(v, scope, labels) for v in vals]
        if len(ops) == 1 and ops[0] in ("in", "not in"):
            return self.w(ops[0].replace(" ", "_"), x=shown[0], l=shown[1])
        out = shown[0]
        for op, s in zip(ops, shown[1:]):
            out += f" {_CMP.get(op, op)} {s}"
        return out

    def _enum_labels(self, vals, scope: dict) -> dict:
        for v in vals:
            if isinstance(v, ast.Name) and v.id in self.p.facts:
                return self.p.facts[v.id].spec.get("value_labels") or {}
            if isinstance(v, ast.Field) and isinstance(v.obj, ast.Name) and isinstance(scope.get(v.obj.id), dict):
                return (scope[v.obj.id].get(v.name) or {}).get("value_labels") or {}
        return {}

    def _operand(self, node, scope, labels: dict) -> str:
        """A string literal compared with an enum fact is shown with its label."""
        if isinstance(node, ast.Literal) and isinstance(node.value, str) and node.value in labels:
            return self.q(labels[node.value].get(self.lang) or node.value)
        if isinstance(node, ast.ListLit) and labels:
            return "[" + self.w("sep").join(self._operand(i, scope, labels) for i in node.items) + "]"
        return self._wrap(node, scope, 6)

    def _call(self, f: str, args, scope: dict) -> str:
        shown = [self._wrap(a, scope, 1) for a in args]
        sep = self.w("sep")
        if f in ("min", "max"):
            return self.w(f if len(args) == 2 else f + "1", a=sep.join(shown))
        if f in ("sum", "count", "any", "all") and len(args) == 1:
            return self.w(f + "1", a=shown[0])
        if f in ("period_end", "period_end_counting_from") and len(args) == 3 and isinstance(args[2], ast.Literal) \
                and args[2].value in ("days", "months", "years"):
            return self.w(f, a=shown[0], b=shown[1], c=say(f"common.unit.{args[2].value}", self.lang))
        if f in _CALLS:
            try:
                return self.w(f, **dict(zip("abc", shown)))
            except KeyError:
                pass
        return f"{f}({sep.join(shown)})"

    def _loop(self, node, scope: dict) -> str:
        inner = dict(scope)
        inner[node.var] = self._fields_of(node.iterable)
        it = self._wrap(node.iterable, scope, 9)
        f = self.w("where", f=self._x(node.filter, inner)) if node.filter is not None else ""
        key = node.func if isinstance(node, ast.Aggregate) else "list"
        key = {"min": "min_agg", "max": "max_agg"}.get(key, key)
        return self.w(key, it=it, v=node.var, f=f, e=self._x(node.expr, inner))

    def _fields_of(self, node) -> dict:
        """Field specs of the records of a list fact, to label `e.amount`."""
        if isinstance(node, ast.Name) and node.id in self.p.facts:
            items = self.p.facts[node.id].spec.get("items") or {}
            return items.get("fields") or {}
        return {}


def _prec(node) -> int:
    match node:
        case ast.Cond():
            return 0
        case ast.Binary(op=op):
            return _PREC[op]
        case ast.Unary(op="not"):
            return 3
        case ast.Unary():
            return 8
        case ast.IsTest():
            return 4
        case ast.Compare():
            return 5
    return 9


# --------------------------------------------------------------------------- layout: what goes under which clause

KINDS = ("rule", "parameter", "fact", "note")


@dataclass
class Placed:
    """A rule, parameter, fact or policy-wide note, with the clauses its citations name."""

    kind: str
    name: str            # the item's name; for a policy-wide note "note-N"
    spec: dict           # the item's spec, or the note itself
    clauses: list[int]   # clauses its own citations name, in document order
    home: int | None     # the clause it is shown under (the first it cites), None if it cites none


@dataclass
class Layout:
    """Where each item of a policy is shown in its document (language-independent)."""

    policy: Policy
    src: SourceText | None
    cov: ClauseCoverage | None
    items: list[Placed]
    at: dict[int, list[Placed]]                  # clause -> items shown under it
    refs: dict[int, list[Placed]]                # clause -> items shown elsewhere that cite it
    notes_at: dict[int, list[tuple[dict, Placed]]]  # clause -> (note, where it is shown) citing it
    uncited: list[Placed]


def _cites(c) -> list[dict]:
    return [c] if isinstance(c, dict) else list(c or [])


def layout(policy: Policy) -> Layout:
    """Place every item of a policy under the first clause of the source text it cites."""
    src = find_source(policy.path)
    cov = clause_coverage(policy, src) if src is not None else None

    def resolved(cites) -> list[int]:
        if src is None:
            return []
        return sorted({i for c in _cites(cites) for i in [src.resolve(c)[0]] if i is not None})

    items: list[Placed] = []
    notes_at: dict[int, list] = {}
    for n, note in enumerate(policy.meta.get("notes") or []):
        items.append(Placed("note", f"note-{n + 1}", note, resolved(note.get("cite")), None))
    for kind, table in (("rule", policy.rules), ("parameter", policy.parameters), ("fact", policy.facts)):
        for name, item in table.items():
            items.append(Placed(kind, name, item.spec, resolved(item.spec.get("cite")), None))
    lay = Layout(policy, src, cov, items, {}, {}, notes_at, [])
    for p in items:
        own_notes = [p.spec] if p.kind == "note" else list(p.spec.get("notes") or [])
        note_clauses = []
        for note in own_notes:
            for i in resolved(note.get("cite")) if note is not p.spec else p.clauses:
                notes_at.setdefault(i, []).append((note, p))
                note_clauses.append(i)
        every = sorted(set(p.clauses) | set(note_clauses))
        p.home = (p.clauses or every or [None])[0]
        if p.home is None:
            lay.uncited.append(p)
            continue
        lay.at.setdefault(p.home, []).append(p)
        for i in every:
            if i != p.home:
                lay.refs.setdefault(i, []).append(p)
    return lay


# --------------------------------------------------------------------------- the document

def document(policy: Policy, lang: str = "ja") -> Doc:
    """The review document of a policy, as blocks."""
    lay = layout(policy)
    title = (policy.title or {}).get(lang) or policy.id
    d = Doc(title, lang)
    d.blocks.append(Heading(1, [t(title)]))
    d.blocks.append(Fields(header_rows(policy, lang)))
    d.blocks.append(Para(_with_code("generated_by", lang, command="yoko render", path=policy.path)
                         + [t(_say("generated", lang))]
                         + ([t(_say("generated_source", lang))] if lay.src is not None else [])))
    _sources(d, policy, lang)
    _coverage(d, lay, lang)
    _results(d, policy, lang)
    if lay.src is not None:
        _walk(d, lay, lang)
    else:
        _by_article(d, lay, lang)
    if lay.uncited and lay.src is not None:
        d.blocks.append(Heading(2, [t(_say("uncited", lang))], anchor="uncited"))
        for p in lay.uncited:
            d.blocks.append(_entry(lay, p, lang))
    _facts(d, policy, lang)
    return d


def header_rows(policy: Policy, lang: str) -> list[tuple[str, str]]:
    """The header block: jurisdiction, year, version, date and section (from `document:`), dates in force."""
    meta = policy.meta
    rows = []
    jur = ((meta.get("jurisdiction") or {}).get("name") or {}).get(lang)
    if jur:
        rows.append((_say("jurisdiction", lang), jur))
    rows.append((_say("fiscal_year", lang), _say("fy", lang, y=policy.fiscal_year, era=era_year(policy.fiscal_year))))
    about = meta.get("document") or {}
    if about.get("version"):
        rows.append((_say("version", lang), str(about["version"])))
    if about.get("date"):
        rows.append((_say("date", lang), show_date(about["date"], lang)))
    if about.get("section"):
        rows.append((_say("section", lang), (about["section"] or {}).get(lang) or ""))
    for key in ("enacted", "applies_from"):
        if meta.get(key):
            rows.append((_say(key, lang), show_date(meta[key], lang)))
    ext = meta.get("extends") or _extends_of(policy)
    if ext:
        rows.append((_say("extends", lang), base_name(policy, ext["policy"], ext["fiscal_year"], lang)))
    return rows


def base_name(policy: Policy, pid: str, fy: int, lang: str) -> str:
    """A policy this one extends, by its title (the id only when its file is not in the chain)."""
    for src in getattr(policy, "chain", None) or []:
        if src.version == (pid, fy) and (src.doc.get("title") or {}).get(lang):
            return src.doc["title"][lang]
    return _say("extends_value", lang, policy=pid, fy=_say("fy", lang, y=fy, era=era_year(fy)))


def _extends_of(policy: Policy):
    chain = getattr(policy, "chain", None) or []
    if chain and chain[0].doc.get("extends"):
        return chain[0].doc["extends"]
    return None


def _sources(d: Doc, policy: Policy, lang: str) -> None:
    rows = []
    for key, src in (policy.meta.get("sources") or {}).items():
        rows.append([[t(source_abbrev(policy.meta, key, lang))], [t((src.get("title") or {}).get(lang) or key)],
                     [t(src.get("number") or "")], [t(show_date(src["date"], lang) if src.get("date") else "")]])
    if rows:
        d.blocks.append(Heading(2, [t(_say("sources", lang))]))
        d.blocks.append(Table([_say(k, lang) for k in ("abbrev", "document", "number", "date")], rows))


def coverage_counts(lay: Layout) -> dict | None:
    if lay.cov is None:
        return None
    return {"total": lay.cov.total, **lay.cov.counts()}


def _coverage(d: Doc, lay: Layout, lang: str) -> None:
    d.blocks.append(Heading(2, [t(_say("coverage", lang))]))
    counts = coverage_counts(lay)
    if counts is None:
        d.blocks.append(Para([t(_say("coverage.none", lang, path=str(source_path_for(lay.policy.path))))]))
    else:
        d.blocks.append(Para([t(_say("coverage.line", lang, **counts))]))


def _results(d: Doc, policy: Policy, lang: str) -> None:
    d.blocks.append(Heading(2, [t(_say("results", lang))]))
    items = []
    for r in policy.results:
        lab = (policy.rules[r].spec.get("label") or {}).get(lang) or r
        items.append(([t(lab)], None))
    d.blocks.append(Items(items))


# --------------------------------------------------------------------------- clause by clause

def clause_label(lay: Layout, i: int, lang: str) -> str:
    """A clause as a citation reads it: 要項第5条第3号イ / Guideline Art. 5(iii)(b)."""
    return cite_text(clause_cite(lay.src, i), lay.policy.meta, lang)


def clause_title(lay: Layout, i: int, lang: str) -> str:
    c = lay.src.clauses[i]
    if c.fields.get("section") and c.heading:
        return c.heading
    label = clause_label(lay, i, lang)
    return _say("clause_title", lang, label=label, heading=c.heading) if c.heading and c.heading not in label else label


def _walk(d: Doc, lay: Layout, lang: str) -> None:
    src = lay.src
    for key, docu in src.documents.items():
        head = f"{source_abbrev(lay.policy.meta, key, lang)}: {docu.get('title') or key}"
        d.blocks.append(Heading(2, [t(head)], anchor=f"source-{key}"))
        for c in src.clauses:
            if c.doc != key:
                continue
            i = c.index
            depth = len(src.ancestors(i))
            d.blocks.append(Heading(3 if depth == 0 else 4, [t(clause_title(lay, i, lang))], anchor=f"clause-{i + 1}"))
            if c.text:
                d.blocks.append(Quote(c.text))
            d.blocks.extend(clause_marks(lay, i, lang))
            for p in sorted(lay.at.get(i, []), key=lambda p: KINDS.index(p.kind)):
                if not _only_out_of_scope(p):
                    d.blocks.append(_entry(lay, p, lang))
            xrefs = _xrefs(lay, i, lang)
            if xrefs:
                d.blocks.append(Items([([t(x)], None) for x in xrefs]))


def _only_out_of_scope(p: Placed) -> bool:
    """An out-of-scope note is shown as the mark of each clause it cites, not as an entry."""
    return p.kind == "note" and p.spec.get("kind") == "out_of_scope"


def _note_text(note: dict, lang: str) -> str:
    return (note.get("text") or {}).get(lang) or ""


def clause_marks(lay: Layout, i: int, lang: str) -> list[Mark]:
    """How clause i is handled, when that is anything other than computed by what is shown under it."""
    s = lay.cov.statuses[i]
    marks = [Mark("out_of_scope", _say("mark.out_of_scope", lang, reason=_note_text(note, lang)))
             for note, _p in lay.notes_at.get(i, []) if note.get("kind") == "out_of_scope"]
    if s.status is None:
        return marks + [Mark("missing", _say("mark.missing", lang))]
    if s.how == "above":
        up = next(k for k in lay.src.ancestors(i) if lay.cov.statuses[k].how == "direct")
        key = {"computed": "computed_above", "stated": "stated_above", "out_of_scope": "out_of_scope_above"}[s.status]
        return marks + [Mark(s.status, _say("mark." + key, lang, clause=clause_label(lay, up, lang)))]
    if s.how == "parts":
        return marks + [Mark("parts", _say("mark.parts", lang))]
    if s.status == "computed":
        return marks
    computing = next((k for k in lay.src.ancestors(i) if lay.cov.statuses[k].how == "direct"
                      and lay.cov.statuses[k].status == "computed"), None)
    if computing is not None:  # a note on a clause whose article a rule computes: the rule covers it
        return marks + [Mark("computed", _say("mark.computed_above", lang, clause=clause_label(lay, computing, lang)))]
    if s.status == "stated":
        kinds = dict.fromkeys(note.get("kind") or "note" for note, _p in lay.notes_at.get(i, [])
                              if note.get("kind") != "out_of_scope")
        shown = _say("read.sep", lang).join(_say(f"note.{k}", lang) for k in kinds)
        return marks + [Mark("stated", _say("mark.stated", lang, kinds=shown))]
    return marks


def _xrefs(lay: Layout, i: int, lang: str) -> list[str]:
    """Lines that point to the items citing clause i that are shown under another clause."""
    out = []
    for p in lay.refs.get(i, []):
        if _only_out_of_scope(p):
            continue
        where = clause_label(lay, p.home, lang)
        kind = _say(f"kind.{p.kind}", lang)
        if p.kind == "note":
            kind = _say(f"note.{p.spec.get('kind') or 'note'}", lang)
            out.append(_say("xref_note", lang, kind=kind, clause=where, text=_note_text(p.spec, lang)))
        else:
            out.append(_say("xref", lang, kind=kind, label=_label(p.spec, p.name, lang), clause=where))
    return out


def _label(spec: dict, name: str, lang: str) -> str:
    return (spec.get("label") or {}).get(lang) or name


def _by_article(d: Doc, lay: Layout, lang: str) -> None:
    """Without source text: notes first, then the items grouped by the article of their first citation."""
    policy = lay.policy
    notes = [p for p in lay.items if p.kind == "note"]
    if notes:
        d.blocks.append(Heading(2, [t(_say("notes_all", lang))]))
        d.blocks.append(_notes([p.spec for p in notes], policy.meta, lang))
    groups: dict[tuple, list[Placed]] = {}
    headings: dict[tuple, str] = {}
    for p in lay.items:
        if p.kind in ("note", "fact"):
            continue
        cite = _first_cite(p.spec)
        key = article_key(policy, cite)
        groups.setdefault(key, []).append(p)
        headings.setdefault(key, _article_heading(policy, key, cite, lang))
    for key in sorted(groups):
        d.blocks.append(Heading(3, [t(headings[key])]))
        for p in groups[key]:
            d.blocks.append(_entry(lay, p, lang))


def article_key(policy: Policy, cite: dict | None) -> tuple:
    """Sort key of the article a citation belongs to."""
    if not cite:
        return (2, 0, 0, 0, "")
    sources = list(policy.meta.get("sources") or {})
    src = cite.get("source")
    s_order = sources.index(src) if src in sources else len(sources)
    if cite.get("article"):
        return (0, s_order, cite["article"], cite.get("occurrence") or 1, src)
    return (1, s_order, 0, 0, src)


def _article_heading(policy: Policy, key: tuple, cite: dict | None, lang: str) -> str:
    if key[0] == 2 or cite is None:
        return _say("uncited", lang)
    if key[0] == 1:
        return source_abbrev(policy.meta, cite["source"], lang)
    head = {k: cite[k] for k in ("source", "article", "heading", "occurrence") if cite.get(k)}
    return cite_text(head, policy.meta, lang)


def _first_cite(spec: dict) -> dict | None:
    c = spec.get("cite")
    if isinstance(c, list):
        return c[0] if c else None
    return c


# --------------------------------------------------------------------------- one item

def _entry(lay: Layout, p: Placed, lang: str) -> Entry:
    policy = lay.policy
    if p.kind == "note":
        body = [Para([t(_note_text(p.spec, lang))])]
        if p.spec.get("cite"):
            body.append(Items([([b(_say("cite", lang)), t(": " + cites_text(p.spec["cite"], policy.meta, lang))], None)]))
        kind = p.spec.get("kind") or "note"
        return Entry("note", [t(_say(f"note.{kind}", lang))], body, anchor=p.name)
    item = {"rule": policy.rules, "parameter": policy.parameters, "fact": policy.facts}[p.kind][p.name]
    spec = item.spec
    info: list[tuple[Text, Items | None]] = []
    origin = origin_how(item, lang)
    if origin:
        info.append(([t(origin)], None))
    if spec.get("cite"):
        info.append(([b(_say("cite", lang)), t(": " + cites_text(spec["cite"], policy.meta, lang))], None))
    body: list = []
    expr = None
    if p.kind == "rule":
        if spec.get("type"):
            info.append(([b(_say("type", lang)), t(": " + type_text(spec, lang))], None))
        if spec.get("unit"):
            info.append(([b(_say("unit", lang)), t(": " + unit_text(spec["unit"], lang))], None))
        node = item.node if item.node is not None else parse(item.text)
        info.append(_reading(Reader(policy, lang), node, lang))
        expr = item.text.strip()
    elif p.kind == "parameter":
        table = _table_value(item.value)
        shown = _say("see_below", lang) if table else Reader(policy, lang).value(item.value, spec)
        info.insert(0, ([b(_say("value", lang)), t(": " + shown)], None))
        if table:
            body.append(_param_table(item.value, lang, Reader(policy, lang)))
    else:
        info.insert(0, ([b(_say("type", lang)), t(": " + type_text(spec, lang))], None))
        if spec.get("unit"):
            info.append(([b(_say("unit", lang)), t(": " + unit_text(spec["unit"], lang))], None))
        if spec.get("period"):
            info.append(([b(_say("period", lang)), t(": " + period_text(spec["period"], policy.fiscal_year, lang))],
                         None))
    body.insert(0, Items(info))
    if spec.get("notes"):
        body.append(Para([b(_say("notes", lang))]))
        body.append(_notes(spec["notes"], policy.meta, lang))
    title = [t(_say(f"kind.{p.kind}", lang) + ": "), t(_label(spec, p.name, lang))] if p.kind != "rule" else \
        [t(_label(spec, p.name, lang))]
    return Entry(p.kind, title, body, ref=[p.name], expr=expr, anchor=f"{p.kind}-{p.name}")


def _table_value(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def _param_table(value: list, lang: str, reader: Reader) -> Table:
    """A table parameter as a table; a column `x_en` beside `x` is x in English (format.in_language)."""
    rows = [in_language(r, lang) for r in value]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    units = {c: {"unit": "year"} if c.endswith("year") else {} for c in cols}  # 2020, never 2,020 (as fmt does)
    return Table(cols, [[[t(reader.value(r.get(c), units[c]))] for c in cols] for r in rows])


def _notes(notes: list, meta: dict, lang: str) -> Items:
    items = []
    for n in notes:
        kind = n.get("kind") or "note"
        text: Text = [b(_say(f"note.{kind}", lang)), t(": " + _note_text(n, lang))]
        if n.get("cite"):
            text.append(t(_say("in_brackets", lang, x=cites_text(n["cite"], meta, lang))))
        items.append((text, None))
    return Items(items)


def _reading(reader: Reader, node: ast.Node, lang: str) -> tuple[Text, Items | None]:
    """The rule in words; a chain of three or more and/or operands as a nested list."""
    if isinstance(node, ast.Binary) and node.op in ("and", "or") and len(ast.operands(node, node.op)) >= 3:
        parts = ast.operands(node, node.op)
        head = reader.w("all_of" if node.op == "and" else "any_of")
        return ([b(_say("reads", lang)), t(_say("colon_list", lang, x=head))],
                Items([([t(reader.text(p))], None) for p in parts]))
    return ([b(_say("reads", lang)), t(": " + reader.text(node))], None)


def _facts(d: Doc, policy: Policy, lang: str) -> None:
    d.blocks.append(Heading(2, [t(_say("facts", lang))], anchor="facts"))
    rows = []
    for name, f in policy.facts.items():
        spec = f.spec
        rows.append([[t(_label(spec, name, lang))], [t(type_text(spec, lang))],
                     [t(unit_text(spec["unit"], lang) if spec.get("unit") else "")],
                     [t(period_text(spec.get("period"), policy.fiscal_year, lang))], [code(name)]])
    d.blocks.append(Table([_say(k, lang) for k in ("label", "type", "unit", "period", "ref")], rows))


def type_text(spec: dict, lang: str) -> str:
    kind = spec.get("type", "")
    sep = _say("read.sep", lang)
    if kind == "enum":
        labels = spec.get("value_labels") or {}
        shown = [(labels.get(v) or {}).get(lang) or v for v in spec.get("values") or []]
        return _say("enum_of", lang, x=sep.join(shown))
    if kind == "list" and not spec.get("items"):
        return say("type.list_any", lang)
    if kind == "record" and not spec.get("fields"):
        return say("render.type.record", lang)
    if kind == "list":
        return _say("bounds", lang, x=say("type.list_any", lang),
                    b=_say("items_of", lang, x=type_text(spec.get("items") or {}, lang)))
    if kind == "record":
        fields = spec.get("fields") or {}
        shown = [_label(f, k, lang) for k, f in fields.items()]
        return _say("bounds", lang, x=_type_name("record", lang), b=_say("fields_of", lang, x=sep.join(shown)))
    bounds = [f"≥ {show_value(spec['min'], lang, spec)}" if spec.get("min") is not None else "",
              f"≤ {show_value(spec['max'], lang, spec)}" if spec.get("max") is not None else ""]
    bounds = [x for x in bounds if x]
    name = _type_name(kind, lang)
    return _say("bounds", lang, x=name, b=sep.join(bounds)) if bounds else name


def _type_name(kind: str, lang: str) -> str:
    if kind == "record":
        return say("render.type.record", lang)
    try:
        return say(f"type.{kind}", lang)
    except KeyError:
        return kind


def period_text(period: dict | None, fy: int, lang: str) -> str:
    if not period:
        return ""
    if "calendar_year" in period:
        return say("common.period.CY", lang, year=fy + period["calendar_year"])
    if "fiscal_year" in period:
        y = fy + period["fiscal_year"]
        return _say("fy", lang, y=y, era=era_year(y))
    return _say("as_of", lang, x=str(period.get("as_of", "")))


# --------------------------------------------------------------------------- writers

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_escape(s: str) -> str:
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(1), s)


def _md_text(spans: Text) -> str:
    out = []
    for kind, s in spans:
        if kind == "code":
            tick = "``" if "`" in s else "`"
            out.append(f"{tick}{s}{tick}")
        elif kind == "b":
            out.append("**" + _md_escape(s) + "**")
        else:
            out.append(_md_escape(s))
    return "".join(out).replace("\n", " ")


def to_markdown(d: Doc) -> str:
    return "\n\n".join(_md_block(blk, d.lang) for blk in d.blocks) + "\n"


def _md_block(blk, lang: str) -> str:  # noqa: C901 - one case per block kind
    match blk:
        case Heading(level=lv, text=tx):
            return ("#" * lv) + " " + _md_text(tx)
        case Para(text=tx):
            return _md_text(tx)
        case Items():
            return "\n".join(_md_items(blk, 0))
        case Table(headers=hs, rows=rows):
            lines = ["| " + " | ".join(_md_text([t(h)]) for h in hs) + " |", "|" + "|".join("---" for _ in hs) + "|"]
            return "\n".join(lines + ["| " + " | ".join(_md_text(c) for c in row) + " |" for row in rows])
        case Code(text=tx):
            fence = "```" if "```" not in tx else "~~~~"
            return f"{fence}\n{tx}\n{fence}"
        case Quote(text=tx):
            return "\n>\n".join("> " + _md_escape(line) for line in tx.splitlines() if line.strip())
        case Mark(text=tx):
            return "▸ **" + _md_escape(tx) + "**"
        case Fields(rows=rows):
            return "\n".join(f"- **{_md_escape(k)}**: {_md_escape(v)}" for k, v in rows)
        case Entry():
            parts = ["##### " + _md_text(blk.title)] + [_md_block(x, lang) for x in blk.body]
            if blk.ref:
                parts.append(_md_text([t(_say("ref", lang) + ": ")] + [code(r) for r in blk.ref]))
            if blk.expr:
                parts.append(_md_block(Code(blk.expr), lang))
            return "\n\n".join(parts)
    raise TypeError(blk)


def _md_items(items: Items, depth: int) -> list[str]:
    lines = []
    for text, sub in items.items:
        lines.append("  " * depth + "- " + _md_text(text))
        if sub is not None:
            lines += _md_items(sub, depth + 1)
    return lines


def _html_text(spans: Text) -> str:
    out = []
    for kind, s in spans:
        e = html.escape(s)
        out.append(f"<code>{e}</code>" if kind == "code" else f"<strong>{e}</strong>" if kind == "b" else e)
    return "".join(out)


# Printed on A4: headings stay with what follows them, a rule's block is never split, the source text
# is set apart, identifiers sit in a narrow reference column. No web fonts, no scripts, nothing loaded.
_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: system-ui, "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; line-height: 1.6; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-top: 2rem; } h4 { margin: 1.2rem 0 .3rem; } h5 { font-size: 1rem; margin: 0 0 .3rem; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f6f6f6; padding: .4rem .6rem; font-size: .8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-size: .88em; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: 1rem 0;
            padding: .6rem .9rem; border: 1px solid #ccc; }
dl.header dt { font-weight: bold; } dl.header dd { margin: 0; }
blockquote.source { margin: .3rem 0 .6rem; padding: .4rem .8rem; border-left: 4px solid #8a8a8a;
                    background: #f7f7f4; white-space: pre-line; break-inside: avoid; page-break-inside: avoid; }
p.mark { margin: .3rem 0; padding: .2rem .6rem; border: 1px dashed #999; font-weight: bold; font-size: .92rem; }
p.mark-missing { border-color: #b00; color: #b00; }
section.entry { display: grid; grid-template-columns: minmax(0, 1fr) 12rem; gap: 0 1rem; margin: .6rem 0 1rem;
                padding: .5rem .7rem; border: 1px solid #ddd; break-inside: avoid; page-break-inside: avoid; }
section.entry > div > ul { margin: .2rem 0; padding-left: 1.2rem; }
aside.ref { font-size: .75rem; color: #555; border-left: 1px solid #ddd; padding-left: .6rem; overflow-wrap: anywhere; }
aside.ref pre { font-size: .7rem; margin: .3rem 0 0; padding: .3rem; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1.2rem; }
  th { background: none; }
}
""".strip()


def to_html(d: Doc) -> str:
    body = "\n".join(_html_block(blk, d.lang) for blk in d.blocks)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{html.escape(d.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(d.title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
            + body + "\n</body>\n</html>\n")


def _html_block(blk, lang: str) -> str:  # noqa: C901 - one case per block kind
    match blk:
        case Heading(level=lv, text=tx, anchor=a):
            aid = f' id="{html.escape(a)}"' if a else ""
            return f"<h{lv}{aid}>{_html_text(tx)}</h{lv}>"
        case Para(text=tx):
            return f"<p>{_html_text(tx)}</p>"
        case Items():
            return _html_items(blk)
        case Table(headers=hs, rows=rows):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in hs)
            trs = "".join("<tr>" + "".join(f"<td>{_html_text(c)}</td>" for c in row) + "</tr>\n" for row in rows)
            return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{trs}</tbody>\n</table>"
        case Code(text=tx):
            return f"<pre><code>{html.escape(tx)}</code></pre>"
        case Quote(text=tx):
            return f'<blockquote class="source" lang="ja">{html.escape(tx)}</blockquote>'
        case Mark(kind=k, text=tx):
            return f'<p class="mark mark-{html.escape(k)}">{html.escape(tx)}</p>'
        case Fields(rows=rows):
            return ('<dl class="header">\n' + "\n".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                                                         for k, v in rows) + "\n</dl>")
        case Entry():
            aid = f' id="{html.escape(blk.anchor)}"' if blk.anchor else ""
            main = "\n".join([f"<h5>{_html_text(blk.title)}</h5>"] + [_html_block(x, lang) for x in blk.body])
            ref = "".join(f"<code>{html.escape(r)}</code>" for r in blk.ref)
            if blk.expr:
                ref += f"\n<pre><code>{html.escape(blk.expr)}</code></pre>"
            return (f'<section class="entry entry-{blk.kind}"{aid}>\n<div>\n{main}\n</div>\n'
                    f'<aside class="ref">{ref}</aside>\n</section>')
    raise TypeError(blk)


def _html_items(items: Items) -> str:
    lis = []
    for text, sub in items.items:
        inner = _html_text(text) + (("\n" + _html_items(sub)) if sub is not None else "")
        lis.append(f"<li>{inner}</li>")
    return "<ul>\n" + "\n".join(lis) + "\n</ul>"


# --------------------------------------------------------------------------- as data

def metadata(policy: Policy, lang: str = "ja") -> dict:
    """The document as data (`render --format json`): header, sources, coverage, clauses and their items."""
    lay = layout(policy)
    about = dict(policy.meta.get("document") or {})
    if about.get("date") is not None:
        about["date"] = str(about["date"])
    out = {"policy": policy.id, "fiscal_year": policy.fiscal_year, "lang": lang,
           "title": (policy.title or {}).get(lang) or policy.id, "path": policy.path,
           "document": about, "header": [{"label": k, "value": v} for k, v in header_rows(policy, lang)],
           "sources": [{"key": k, "abbrev": source_abbrev(policy.meta, k, lang),
                        "title": (s.get("title") or {}).get(lang), "number": s.get("number"),
                        "date": str(s["date"]) if s.get("date") else None}
                       for k, s in (policy.meta.get("sources") or {}).items()],
           "coverage": coverage_counts(lay), "clauses": [], "uncited": [_ref(p) for p in lay.uncited]}
    if lay.src is None:
        return out
    for c in lay.src.clauses:
        i, s = c.index, lay.cov.statuses[c.index]
        out["clauses"].append({
            "cite": clause_cite(lay.src, i), "label": clause_label(lay, i, lang), "heading": c.heading,
            "text": c.text or None, "depth": len(lay.src.ancestors(i)), "status": s.status, "how": s.how or None,
            "marks": [{"kind": m.kind, "text": m.text} for m in clause_marks(lay, i, lang)],
            "items": [_ref(p) for p in sorted(lay.at.get(i, []), key=lambda p: KINDS.index(p.kind))],
            "see_also": [_ref(p) for p in lay.refs.get(i, [])]})
    return out


def _ref(p: Placed) -> dict:
    out = {"kind": p.kind, "name": p.name}
    if p.kind == "note":
        out["note_kind"] = p.spec.get("kind") or "note"
    return out


def render(policy: Policy, lang: str = "ja", fmt_: str = "markdown") -> str:
    if fmt_ == "json":
        import json
        return json.dumps(metadata(policy, lang), ensure_ascii=False, indent=2) + "\n"
    d = document(policy, lang)
    return to_html(d) if fmt_ == "html" else to_markdown(d)
