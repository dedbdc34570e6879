# SPDX-License-Identifier: MIT
"""Evaluating a table of facilities: column mappings, row conversion, error rows and the summary.

A mapping (YAML, see docs/batch.md) says how a table's columns become a policy's facts:

    id_column: id
    where: prefecture == "茨城県"          # keep rows where this is true (expression over columns)
    columns: {beds_acute: int, prefecture: text}   # types of the columns that expressions read
    unknown_cells: ["-", "*"]               # cell texts meaning unknown, besides an empty cell
    facts:
      ambulance_transports: ambulance_acceptances          # fact: column
      emergency_tier:
        column: 救急
        values: {三次: tertiary, 二次: secondary, なし: none}   # cell text -> fact value
        unknown_when: reported == "no"
      has_acute_ward:
        expr: beds_high_acute > 0 or beds_acute > 0       # derived, in the policy language

Expressions are parsed, type-checked and compiled by the engine itself (never Python eval).
An empty cell is unknown, never zero or false.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from engine.evaluation.facts import BadCell, cell_value
from engine.lang import types as T
from engine.lang.builtins import EvalError
from engine.base.diagnostics import Location, Sink, YokoError, diag, suggest
from engine.base.files import raise_if_signalled, release_signals, signals_held
from engine.base.words import Words, words
from engine.policy.yamlio import read_document, ExprLocator
from engine.lang.checks import ExprChecker
from engine.lang.compile import compile_expr, Needs
from engine.evaluation.facts import BadFact, convert
from engine.policy.cache import load_policy_cached
from engine.evaluation.evaluate import not_applicable, run_rules
from engine.lang.values import to_json

COLUMN_TYPES = ("text", "int", "number", "bool", "date")


def row_error(code: str, message: Words, suggestion: str | None = None) -> dict:
    """The `error` of an output record: the code, the message in both languages, a close valid name."""
    out = {"code": code, "message": message.text("en"), "message_ja": message.text("ja")}
    return out | ({"suggestion": suggestion} if suggestion else {})


@dataclass
class FactSource:
    """How one fact is read from a row: a column (with translations) or an expression."""

    fact: str
    column: str | None = None
    values: dict | None = None
    expr: Callable | None = None
    unknown_when: Callable | None = None
    note: str | None = None


@dataclass
class Mapping:
    """A table -> facts mapping (the identity mapping when no file is given)."""

    path: str | None
    id_column: str | None
    facts: list[FactSource]
    columns: dict[str, dict] = field(default_factory=dict)   # column -> type spec, for expressions
    where: Callable | None = None
    where_text: str | None = None
    unknown_cells: frozenset = frozenset({""})
    strict: bool = False  # every field of a row must be a fact (identity mapping of JSONL)

    def reads(self) -> set[str]:
        """The source columns this mapping uses."""
        out = set(self.columns)
        out |= {s.column for s in self.facts if s.column}
        if self.id_column:
            out.add(self.id_column)
        return out


# --------------------------------------------------------------------------- mapping files

def identity_mapping(policy, header: list[str] | None, path: str | None = None) -> Mapping:
    """Columns named like facts are those facts; `id` is the id column; any other column is refused."""
    id_col = "id" if header is None or "id" in header else None
    if header is not None:
        extra = [h for h in header if h and h != "id" and h not in policy.facts]
        if extra:
            raise YokoError([diag("unknown_column", Location(path, 1, header.index(extra[0]) + 1) if path else None,
                                  column=extra[0], policy=policy.id, year=policy.fiscal_year,
                                  suggestion=suggest(extra[0], policy.facts))])
    cols = policy.facts if header is None else [h for h in header if h in policy.facts]
    return Mapping(None, id_col, [FactSource(f, column=f) for f in cols], strict=header is None)


def load_mapping(path: str, policy, *, pin_year: bool = True) -> Mapping:
    """Read, check and compile a mapping file; every problem is located in it.

    `pin_year=False` lets a diff between two fiscal years read one table with one mapping
    (fact names are fixed across years); the policy id must still match."""
    read = read_document(path, syntax_code="mapping_syntax", mapping="mapping_schema")
    doc, text, at, sink = read.data, read.text, read.at, Sink()
    _check_keys(doc, ("id_column", "where", "columns", "unknown_cells", "facts", "policy", "fiscal_year",
                      "notes", "source"), [], at, sink)
    columns = {}
    for col, spec in (doc.get("columns") or {}).items():
        kind = spec if isinstance(spec, str) else (spec or {}).get("type") if isinstance(spec, dict) else None
        if kind not in COLUMN_TYPES:
            sink.say("mapping_schema", at(["columns", col]), key="diag.mapping_schema.column_type", column=col,
                     allowed=", ".join(COLUMN_TYPES))
            continue
        columns[str(col)] = {"type": kind}
    names = {c: T.from_decl(s) for c, s in columns.items()}
    sources = []
    facts = doc.get("facts")
    if not isinstance(facts, dict) or not facts:
        sink.say("mapping_schema", at(["facts"]), key="diag.mapping_schema.facts")
        facts = {}
    for name, spec in facts.items():
        src = _fact_source(str(name), spec, policy, names, at, sink, text, path)
        if src is not None:
            sources.append(src)
    where = where_text = None
    if doc.get("where") is not None:
        where_text = str(doc["where"])
        where = _compile(where_text, names, T.BOOL, at(["where"]), text, path, sink, "where")  # the key itself
    cells = doc.get("unknown_cells") or []
    if not isinstance(cells, list):
        sink.say("mapping_schema", at(["unknown_cells"]), key="diag.mapping_schema.unknown_cells")
        cells = []
    if doc.get("policy") is not None and doc["policy"] != policy.id:
        sink.say("mapping_policy", at(["policy"]), written=doc["policy"], used=policy.id)
    if pin_year and doc.get("fiscal_year") is not None and doc["fiscal_year"] != policy.fiscal_year:
        sink.say("mapping_policy", at(["fiscal_year"]), key="diag.mapping_policy.year", written=doc["fiscal_year"],
                 used=policy.fiscal_year)
    sink.raise_if_errors()
    return Mapping(path, doc.get("id_column"), sources, columns, where, where_text,
                   frozenset([""] + [str(c).strip() for c in cells]))


def _check_keys(d: dict, allowed, where, at, sink) -> None:
    for k in d:
        if k not in allowed:
            sink.say("mapping_schema", at(where + [k], True), key="diag.mapping_schema.unknown_key", key_=k,
                     suggestion=suggest(str(k), allowed))


def _fact_source(name, spec, policy, names, at, sink, text, path) -> FactSource | None:
    if name not in policy.facts:
        sink.say("unknown_fact", at(["facts", name], True), name=name, policy=policy.id, year=policy.fiscal_year,
                 suggestion=suggest(name, policy.facts))
        return None
    if isinstance(spec, str):
        return FactSource(name, column=spec)
    if not isinstance(spec, dict):
        sink.say("mapping_schema", at(["facts", name]), key="diag.mapping_schema.fact", name=name)
        return None
    _check_keys(spec, ("column", "values", "expr", "unknown_when", "note"), ["facts", name], at, sink)
    if ("column" in spec) == ("expr" in spec):
        sink.say("mapping_schema", at(["facts", name], True), key="diag.mapping_schema.column_or_expr", name=name)
        return None
    decl = policy.facts[name]
    src = FactSource(name, note=spec.get("note"))
    if "column" in spec:
        src.column = str(spec["column"])
        vals = spec.get("values")
        if vals is not None and not isinstance(vals, dict):
            sink.say("mapping_schema", at(["facts", name, "values"]), key="diag.mapping_schema.values", name=name)
        src.values = {str(k).strip(): v for k, v in (vals or {}).items()}
    else:
        src.expr = _compile(str(spec["expr"]), names, decl.type, at(["facts", name, "expr"]), text, path, sink,
                            words("diag.mapping.fact", name=name))
    if spec.get("unknown_when") is not None:
        src.unknown_when = _compile(str(spec["unknown_when"]), names, T.BOOL,
                                    at(["facts", name, "unknown_when"]), text, path, sink,
                                    words("diag.mapping.unknown_when_of", name=name))
    return src


def _compile(src: str, names, want: T.Type, loc, text, path, sink, what) -> Callable | None:
    """Parse, check and compile an expression over the declared columns."""
    from engine.lang.parser import ExprSyntaxError, parse
    locate = ExprLocator(path, text, loc, src)
    try:
        node = parse(src)
    except ExprSyntaxError as e:
        sink.say(e.code, locate(e.offset) or loc, key=e.words)
        return None
    before = len(sink.errors)
    got = ExprChecker(names, sink, locate).infer(node)
    if len(sink.errors) > before:
        return None
    if not _fits(got, want):
        sink.say("type_mismatch", loc, key="diag.type_mismatch.mapping", what=what, want=T.type_words(want),
                 got=T.type_words(got))
        return None
    return compile_expr(node)


def _fits(got: T.Type, want: T.Type) -> bool:
    if got.kind == "any" or want.kind == "any" or got == want:
        return True
    if want.kind == "number" and got.kind == "int":
        return True
    if want.kind == "enum" and got.kind in ("text", "enum"):
        return True  # values are checked per row against the enum
    return got.kind == want.kind


# --------------------------------------------------------------------------- rows -> facts

class RowFacts(dict):
    """The facts of one row, with the notes of cells read in another form (a label as its value)."""

    def __init__(self):
        super().__init__()
        self.notes: list = []


def row_facts(row: dict, mapping: Mapping, policy) -> tuple[bool, dict]:
    """(kept by where?, facts) of one raw row; raises BadCell listing every bad fact."""
    env = {}
    problems = []
    for col, spec in mapping.columns.items():
        try:
            env[col] = cell_value(row.get(col), spec, col, mapping.unknown_cells)
        except BadCell as e:
            problems.append(e)
    if mapping.where is not None and not problems:
        kept = _mapped(mapping.where, env, "where")
        if kept is None:  # never dropped in silence: the row is reported, as undecided
            raise BadCell("where_unknown", words("diag.where_unknown", where=mapping.where_text))
        if kept is not True:
            return False, {}
    if mapping.strict:
        for k in row:
            if k != mapping.id_column and k not in policy.facts:
                problems.append(BadCell("unknown_fact", words("diag.unknown_fact", name=k, policy=policy.id,
                                                              year=policy.fiscal_year), suggest(str(k), policy.facts)))
    facts = RowFacts()
    for src in mapping.facts:
        decl = policy.facts[src.fact]
        try:
            if src.unknown_when is not None and not problems and \
                    _mapped(src.unknown_when, env, words("diag.mapping.unknown_when_of", name=src.fact)) is True:
                continue
            if src.expr is not None:
                if problems:
                    continue
                v = _mapped(src.expr, env, words("diag.mapping.expression_of", name=src.fact))
            else:
                raw = row.get(src.column)
                if isinstance(raw, str) and src.values and raw.strip() in src.values:
                    raw = src.values[raw.strip()]
                    if raw is None:
                        continue
                v = cell_value(raw, decl.spec, src.fact, mapping.unknown_cells)
            if v is None:
                continue
            if isinstance(v, Fraction):
                _bounds(v, decl.spec, src.fact)
                facts[src.fact] = v
            else:
                notes: list = []
                facts[src.fact] = convert(v, decl.spec, src.fact, notes=notes)
                facts.notes += notes  # a label read as its value (二次救急 -> secondary) is reported
        except BadCell as e:
            problems.append(e)
        except BadFact as e:
            problems.append(BadCell("bad_fact", e.words, e.suggestion))
    if problems:
        joined = problems[-1].words
        for p in reversed(problems[:-1]):
            joined = words("diag.bad_row.and", first=p.words, rest=joined)
        raise BadCell(problems[0].code, joined, next((p.suggestion for p in problems if p.suggestion), None))
    return True, facts


def _mapped(fn, env, what):
    """A mapping closure's value; its failure (say, division by zero) makes the row an error row."""
    try:
        return fn(env)
    except EvalError as e:
        raise BadCell(e.code, words("diag.mapping.failed_in", problem=e.words, what=what)) from None
    except TypeError as e:
        raise BadCell("bad_fact", words("diag.bad_fact.wrong_kind", what=what, detail=str(e))) from None


def _bounds(v, spec, name):
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and v < lo:
        raise BadCell("bad_fact", words("diag.bad_fact.at_least", name=name, limit=lo, got=v))
    if hi is not None and v > hi:
        raise BadCell("bad_fact", words("diag.bad_fact.at_most", name=name, limit=hi, got=v))


# --------------------------------------------------------------------------- evaluation

class RowEvaluator:
    """Turns raw rows into output records; `focus` rules are also reported for the summary."""

    def __init__(self, policy, mapping: Mapping, focus: list[str] = ()):
        self.policy = policy
        self.mapping = mapping
        self.focus = list(focus)
        self.needs = Needs(policy)

    def __call__(self, number: int, row: dict) -> dict | None:
        """The output record of a row, or None when `where` drops it. Whatever goes wrong with one
        row is that row's error: past every limit (out_of_memory, too_deeply_nested) or a bug in
        yoko itself (internal_error), the other rows are still evaluated and written."""
        try:
            return self._record(number, row)
        except MemoryError:
            return self._failed(number, row, "out_of_memory", words("diag.out_of_memory"))
        except RecursionError:
            return self._failed(number, row, "too_deeply_nested", words("diag.too_deeply_nested"))
        except Exception as e:  # noqa: BLE001 - a bug: reported in its row, never the end of the run
            return self._failed(number, row, "internal_error", words("robust.row_internal_error",
                                                                     kind=type(e).__name__, detail=str(e)[:200]))

    def _failed(self, number: int, row: dict, code: str, message: Words) -> dict:
        return {"row": number, "id": self._id(row), "error": row_error(code, message)}

    def _id(self, row: dict):
        """The row's id cell, None when there is no id column or the cell is empty."""
        rid = row.get(self.mapping.id_column) if self.mapping.id_column else None
        return rid if rid not in ("", None) else None

    def _record(self, number: int, row: dict) -> dict | None:
        out: dict[str, Any] = {"row": number, "id": self._id(row)}
        if "__error__" in row:
            out["error"] = row_error(*row["__error__"])
            return out
        try:
            kept, facts = row_facts(row, self.mapping, self.policy)
        except BadCell as e:
            out["error"] = row_error(e.code, e.words, e.suggestion)
            return out
        if not kept:
            return None
        try:
            env = run_rules(self.policy, facts)
        except YokoError as e:
            d = e.diagnostics[0]
            out["error"] = {"code": d.code, "message": d.message, "message_ja": d.text("ja")}
            return out
        rule_needs = self.needs.for_row(env)
        results = {n: to_json(env[n]) for n in self.policy.results}
        unknown = [n for n in self.policy.results if env[n] is None]
        out["results"] = results
        if getattr(facts, "notes", None):
            out["normalised"] = [n.words.text("en") for n in facts.notes]
        out["unknown"] = unknown
        out["needed_facts"] = sorted(set().union(*(rule_needs(n) for n in unknown)))
        out["not_applicable"] = not_applicable(self.policy, env)
        if self.focus:
            out["_focus"] = {n: [to_json(env[n]), sorted(rule_needs(n))] for n in self.focus}
        return out


def output_columns(policy) -> list[str]:
    return ["row", "id", *policy.results, "unknown", "needed_facts", "not_applicable", "error_code", "error_message"]


# --------------------------------------------------------------------------- summary

@dataclass
class Summary:
    """Counts over a run: rows read, kept, in error; every public result (values counted, amounts
    totalled); per focus rule; facts still needed."""

    focus: list[str]
    rows: int = 0
    skipped: int = 0
    errors: int = 0
    evaluated: int = 0
    values: dict = field(default_factory=dict)      # rule -> {"true"/"false"/"unknown"/other: n}
    needed_any: dict = field(default_factory=dict)  # fact -> facilities with it in needed_facts
    needed_by_rule: dict = field(default_factory=dict)  # rule -> fact -> facilities undecided on rule needing it
    error_codes: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)       # public result -> its type's kind (int, bool, date, ...)
    outcomes: dict = field(default_factory=dict)    # public result -> {value as JSON text, or "unknown": n}
    totals: dict = field(default_factory=dict)      # numeric public result -> [sum of the known, known, unknown]

    @classmethod
    def of(cls, policy, focus=()) -> "Summary":
        """An empty summary for `policy`'s public results."""
        kinds = {n: getattr(policy.rules[n].type, "kind", None) if n in policy.rules else None for n in policy.results}
        return cls(list(focus), kinds=kinds)

    def add(self, rec: dict | None) -> None:
        self.rows += 1
        if rec is None:
            self.skipped += 1
            return
        if "error" in rec:
            self.errors += 1
            c = rec["error"]["code"]
            self.error_codes[c] = self.error_codes.get(c, 0) + 1
            return
        self.evaluated += 1
        for f in rec["needed_facts"]:
            self.needed_any[f] = self.needed_any.get(f, 0) + 1
        for n, kind in self.kinds.items():
            self._tally(n, kind, rec["results"].get(n))
        for n, (v, needed) in (rec.get("_focus") or {}).items():
            key = "unknown" if v is None else json.dumps(v, ensure_ascii=False)
            counts = self.values.setdefault(n, {})
            counts[key] = counts.get(key, 0) + 1
            per = self.needed_by_rule.setdefault(n, {})
            for f in needed:
                per[f] = per.get(f, 0) + 1

    def _tally(self, name: str, kind, v) -> None:
        if kind in ("int", "number"):
            t = self.totals.setdefault(name, [0, 0, 0])
            if v is None:
                t[2] += 1
            else:
                t[0] += v if isinstance(v, int) else Fraction(v)
                t[1] += 1
            return
        key = "unknown" if v is None else "known" if kind == "date" else json.dumps(v, ensure_ascii=False)
        counts = self.outcomes.setdefault(name, {})
        counts[key] = counts.get(key, 0) + 1

    def _result_json(self, name: str) -> dict:
        if name in self.totals:
            total, known, unknown = self.totals[name]
            return {"total": to_json(total), "known": known, "unknown": unknown}
        counts = self.outcomes.get(name, {})
        if self.kinds.get(name) == "date":
            return {"known": counts.get("known", 0), "unknown": counts.get("unknown", 0)}
        return _values_json(counts)

    def to_json(self, policy) -> dict:
        """The summary as data (`evaluate --batch --summary --format json`, the workbook's summary sheet)."""
        return {
            "policy": {"id": policy.id, "fiscal_year": policy.fiscal_year},
            "rows": {"read": self.rows, "left_out": self.skipped, "errors": self.errors, "evaluated": self.evaluated},
            "error_codes": dict(sorted(self.error_codes.items())),
            "results": {n: self._result_json(n) for n in self.kinds if n in self.totals or n in self.outcomes},
            "counted": {n: {**_values_json(self.values.get(n, {})),
                            "needed_facts": [{"fact": f, "facilities": c}
                                             for f, c in _ranked(self.needed_by_rule.get(n, {}))]}
                        for n in self.focus},
            "needed_facts": [{"fact": f, "facilities": c} for f, c in _ranked(self.needed_any)],
        }


def _values_json(counts: dict) -> dict:
    """{"values": [{"value": v, "facilities": n}, ...] most first, "unknown": n} of counts by JSON text."""
    return {"values": [{"value": json.loads(k), "facilities": c} for k, c in _ranked(counts) if k != "unknown"],
            "unknown": counts.get("unknown", 0)}


def _ranked(d: dict) -> list[tuple[str, int]]:
    return sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))


# --------------------------------------------------------------------------- running

_WORKER: dict = {}


def _worker_init(policy_path, mapping_path, focus, identity):
    """Load the policy and mapping in a worker (a forked worker already holds them)."""
    release_signals()  # forked while the batch held them
    if _WORKER.get("key") == (policy_path, mapping_path, focus):
        return
    policy = load_policy_cached(policy_path)
    mapping = load_mapping(mapping_path, policy) if mapping_path else identity
    _WORKER.update(key=(policy_path, mapping_path, focus), ev=RowEvaluator(policy, mapping, list(focus)))


def _worker_chunk(chunk):
    ev = _WORKER["ev"]
    return [ev(n, row) for n, row in chunk]


def _chunks(rows, size):
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_batch(policy, mapping: Mapping, rows, emit: Callable[[dict], None], *, jobs: int = 1,
              focus: list[str] = (), progress: Callable[[int], None] | None = None) -> Summary:
    """Evaluate every row in input order, passing each output record to `emit`; the run's summary."""
    summary = Summary.of(policy, focus)

    def take(rec):
        raise_if_signalled()  # a signal some code swallowed ends the run here (engine.base.files)
        summary.add(rec)
        if rec is not None:
            emit(_public(rec))

    if jobs <= 1:
        ev = RowEvaluator(policy, mapping, list(focus))
        for number, row in rows:
            take(ev(number, row))
            if progress:
                progress(summary.rows)
        return summary
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    key = (policy.path, mapping.path, tuple(focus))
    _WORKER.update(key=key, ev=RowEvaluator(policy, mapping, list(focus)))

    def wanted():
        """Rows `where:` may keep; the ones it surely drops are counted here, never sent to a worker."""
        for number, row in rows:
            if mapping.where is not None and where_drops(row, mapping):
                summary.add(None)
                continue
            yield number, row

    in_flight: deque = deque()  # a window of chunks: memory does not grow with the table

    def collect():
        for rec in in_flight.popleft().result():
            take(rec)
        if progress:
            progress(summary.rows)

    chunks = _chunks(wanted(), CHUNK_ROWS)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None:  # one chunk at most (a small table): evaluated here, no workers to start
        for rec in _worker_chunk(first or []):
            take(rec)
        if progress:
            progress(summary.rows)
        return summary
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                             initargs=(*key, None if mapping.path else mapping)) as pool:
        # The first submit forks the workers. A signal then would be raised inside the hooks the
        # standard library runs around fork, which print it as ignored: it waits until they are done.
        with signals_held():
            in_flight.append(pool.submit(_worker_chunk, first))
        for chunk in itertools.chain((second,), chunks):
            in_flight.append(pool.submit(_worker_chunk, chunk))
            if len(in_flight) >= WINDOW_PER_JOB * jobs:
                collect()
        while in_flight:
            collect()
    return summary


CHUNK_ROWS = 256  # rows sent to a worker at once
WINDOW_PER_JOB = 3  # chunks in flight per worker: enough to keep each busy, few enough to bound memory


def where_drops(row: dict, mapping: Mapping) -> bool:
    """Whether `where:` surely leaves the row out (False when a cell is bad or where is unknown:
    the worker then reports the row as row_facts does)."""
    if "__error__" in row:
        return False
    env = {}
    try:
        for col, spec in mapping.columns.items():
            env[col] = cell_value(row.get(col), spec, col, mapping.unknown_cells)
        kept = mapping.where(env)
    except (BadCell, EvalError, TypeError):
        return False
    return kept is not None and kept is not True


def _public(rec: dict) -> dict:
    if "_focus" in rec:
        rec = {k: v for k, v in rec.items() if k != "_focus"}
    return rec


def check_columns(mapping: Mapping, header, path) -> None:
    """Every column a mapping reads must exist (a typo would otherwise make a fact silently unknown)."""
    if header is None:
        return
    missing = sorted(c for c in mapping.reads() if c not in header)
    if missing:
        raise YokoError([diag("unknown_column", Location(path, 1, 1), key="diag.unknown_column.mapping",
                              mapping=mapping.path, column=missing[0], path=path, suggestion=suggest(missing[0], header))])
