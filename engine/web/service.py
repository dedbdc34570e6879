# SPDX-License-Identifier: MIT
"""What the pages and the JSON API do, over the engine's public functions: no HTTP in here."""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.base.diagnostics import Diagnostic, Location, YokoError, diag
from engine.evaluation.evaluate import evaluate as run
from engine.policy.load import load_policy
from engine.policy.sources import find_source, clause_text
from engine.review.clauses import clause_coverage
from engine.review.coverage import measure
from engine.review.policy_tests import load_suite, run_suite, tests_path_for
from engine.review.diff import diff
from engine.evaluation.tables import format_of, read_rows


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may bring (configurable with `yoko serve`)."""

    upload_bytes: int = 20 * 1024 * 1024
    rows: int = 100_000


def too_many_rows(limit: int, where: str) -> YokoError:
    return YokoError([diag("too_many_rows", Location(where, 1, 1), limit=f"{limit:,}")])


def too_large(limit: int, where: str) -> YokoError:
    return YokoError([diag("file_too_large", Location(where, 1, 1), limit=f"{limit:,}")])


# --------------------------------------------------------------------------- one facility

def evaluate(policy, facts):
    """engine.evaluate on already checked facts (an Evaluation)."""
    return run(policy, facts)


def eligibility_rule(policy) -> str | None:
    """The rule the verdict follows: the policy's `conclusion: {eligible: RULE}` (as the memo reads
    it), else a result named `eligible`, else the first yes/no result."""
    named = (policy.meta.get("conclusion") or {}).get("eligible")
    if named:
        return named
    if "eligible" in policy.results:
        return "eligible"
    return next((r for r in policy.results if str(policy.rules[r].type) == "bool"), None)


def conclusion(policy, ev) -> str:
    """eligible / excluded / undecided, as the memo's 結論 says it."""
    name = eligibility_rule(policy)
    if name is None:
        return "undecided"
    v = ev.env.get(name)
    return "undecided" if v is None else ("eligible" if v is True else "excluded")


def deadlines(policy, ev) -> list[str]:
    """Public results whose value is a date (or that are dates still unknown) and that apply to this
    facility (a result whose `applies_if` is false is not applicable, as in the memo)."""
    skip = set(ev.not_applicable)
    return [r for r in policy.results if r not in skip
            and (isinstance(ev.env.get(r), datetime.date) or str(policy.rules[r].type) == "date")]


def amounts(policy) -> list[str]:
    return [r for r in policy.results if policy.rules[r].spec.get("unit") == "yen"]


# --------------------------------------------------------------------------- drafts

@dataclass
class DraftReport:
    """A draft policy checked in memory: its diagnostics, and its version's tests run against it."""

    name: str
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    policy: object = None
    suite: object = None
    coverage: object = None
    clauses: object = None  # clause coverage against the version's source text

    @property
    def ok(self) -> bool:
        return self.policy is not None

    def to_json(self, lang: str = "ja") -> dict:
        out = {"ok": self.ok, "diagnostics": [d.to_json() for d in self.diagnostics]}
        if self.policy is not None:
            out["policy"] = {"id": self.policy.id, "fiscal_year": self.policy.fiscal_year}
        if self.suite is not None:
            out["tests"] = {"file": self.suite.path, "pass": self.suite.count("pass"),
                            "fail": self.suite.count("fail"), "error": self.suite.count("error"),
                            "cases": [{"name": o.case.name, "status": o.status,
                                       "mismatches": [{"result": m.result, "expected": m.expected, "got": m.got}
                                                      for m in o.mismatches]} for o in self.suite.outcomes]}
        if self.coverage is not None:
            out["coverage"] = {"covered": self.coverage.covered, "total": self.coverage.total}
        if self.clauses is not None:
            out["clause_coverage"] = {"accounted": self.clauses.accounted, "total": self.clauses.total}
        return out


def check_draft(text: str, name: str, workspace) -> DraftReport:
    """Load a policy from text (nothing is written); run the tests of the version it claims to be."""
    report = DraftReport(name, text)
    try:
        policy = load_policy(name, text)
    except YokoError as e:
        report.diagnostics = e.diagnostics
        return report
    report.policy, report.diagnostics = policy, list(policy.warnings)
    try:
        version = workspace.find(policy.id, policy.fiscal_year)
    except YokoError:
        return report
    src = find_source(str(version.path))
    if src is not None:
        report.clauses = clause_coverage(policy, src)
    tests = tests_path_for(version.path)
    if tests.exists():
        try:
            report.suite = run_suite(load_suite(str(tests), policy))
        except YokoError as e:
            report.diagnostics += e.diagnostics
            return report
        report.coverage = measure(policy, [o.env for o in report.suite.outcomes if o.env is not None])
    return report


# --------------------------------------------------------------------------- review

def review(workspace, old: tuple, new: tuple, facilities: str | None, prove: bool = False,
           table: tuple | None = None, max_rows: int | None = None):
    """The DiffReport of `yoko diff` between two versions, each (id, year, revision or None): over
    the example facilities, or an uploaded `table` (file name, bytes, mapping name or None) of at
    most `max_rows` rows, when asked; with the solver's proof when asked and z3 is installed. A side
    that does not load is the client's mistake: its diagnostics, as the CLI gives them."""
    old_spec, new_spec = workspace.side_spec(*old), workspace.side_spec(*new)
    version = workspace.find(new[0], new[1])
    if facilities != "table":
        return _review(old, new, old_spec, new_spec, facility_set(workspace, version, facilities), None, prove)
    import tempfile
    if table is None:
        raise YokoError([diag("batch_read", Location("upload", 1, 1), key="diag.batch_read.no_upload")])
    name, raw, mapping = table
    mapping = mapping_named(workspace, version, mapping)
    with tempfile.TemporaryDirectory(prefix="yoko-review-") as folder:
        path = str(Path(folder) / upload_name(name))
        Path(path).write_bytes(raw)
        _count_rows(path, max_rows)
        return _review(old, new, old_spec, new_spec, path, mapping, prove)


def _review(old, new, old_spec: str, new_spec: str, corpus: str | None, mapping: str | None, prove: bool):
    report = diff(old_spec, new_spec, corpus, mapping, prove=prove and solver_available())
    for side, (pid, _year, rev) in ((report.old, old), (report.new, new)):
        if side.errors:
            raise YokoError(side.errors)
        side.label = f"{pid}/{side.policy.fiscal_year}" + (f"@{rev}" if rev else "")  # as chosen, not the path
    return report


class _Pairs(list):
    """A JSON object as written: its (key, value) pairs, a repeated key included."""


class _Number(str):
    """A JSON number as written (0.1000000000000000055511 is not the float nearest to it)."""


def facilities_jsonl(body: str) -> bytes:
    """The `facilities` list of a JSON request body as the JSONL table a review reads, one line an item.

    Each item is written exactly as it was sent (numbers as written, a repeated key kept), so the
    one table reader judges it as it judges a line of `yoko diff --facilities rows.jsonl`: a bad
    item is that row's error, never the request's."""
    doc = json.loads(body, object_pairs_hook=_Pairs, parse_float=_Number, parse_int=_Number)
    items = next((v for k, v in reversed(doc) if k == "facilities"), None)
    return b"".join(_as_written(item).encode("utf-8") + b"\n" for item in items)


def _as_written(v) -> str:
    if isinstance(v, _Pairs):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_as_written(x)}" for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(map(_as_written, v)) + "]"
    if isinstance(v, _Number):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def upload_name(name: str) -> str:
    """An uploaded table's file name made safe to write in a folder of its own (csv, xlsx or jsonl)."""
    base = Path(name or "table.csv").name
    format_of(base)  # batch_format before anything is written
    stem, ext = os.path.splitext(base)
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in stem)[-60:] + ext.lower()


def _count_rows(path: str, max_rows: int | None) -> None:
    if max_rows is None:
        return
    for n, _ in enumerate(read_rows(path)[1], 1):
        if n > max_rows:
            raise too_many_rows(max_rows, Path(path).name)


def mapping_named(workspace, version, name: str | None) -> str | None:
    """The path of a mapping of examples/mappings written for the version's policy, by its file name."""
    if not name:
        return None
    found = {p.name: p for p in workspace.mappings(version)}
    if name not in found:
        raise YokoError([diag("usage", key="diag.usage.web_mapping", name=name[:60], policy=version.id)])
    return str(found[name])


def solver_available() -> bool:
    """Whether the SMT solver the proofs use (z3) can be imported."""
    import importlib.util
    return importlib.util.find_spec("z3") is not None


def facility_set(workspace, version, choice: str | None) -> str | None:
    """The facility corpus a review runs: none, or the examples folder of the new side's version."""
    if choice in (None, "", "none"):
        return None
    if choice == "examples":
        files = workspace.examples(version)
        return str(files[0].parent) if files else None
    raise YokoError([diag("usage", key="diag.usage.web_facilities", got=repr(str(choice)[:40]))])


def source_clause(policy, cite) -> str | None:
    """The words of the clause a citation names (and of the clauses under it), from NAME.source.yaml."""
    return clause_text(policy, cite)


def path_label(p: str | Path, root: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(root.parent))
    except ValueError:
        return Path(p).name
