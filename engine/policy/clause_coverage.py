# SPDX-License-Identifier: MIT
"""Clause coverage: which clauses of the source text a policy accounts for, and how.

A clause is accounted for when a citation names it or a clause above it — computed (by a rule,
parameter or fact), stated (by a note) or out of scope (by a note of kind out_of_scope) — or when
every clause under it is accounted for (docs/sources.md). It lives in the policy layer so that
both review (`yoko check --clauses`) and presentation (`yoko render`) read the same statuses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.policy.sources import Citation, SourceText, citations

RANK = {"computed": 3, "stated": 2, "out_of_scope": 1}


@dataclass
class ClauseStatus:
    """How one clause is accounted for: status, whether directly, from above or by its parts, and by whom."""

    index: int
    status: str | None = None
    how: str = ""  # direct | above | parts
    by: list[Citation] = field(default_factory=list)


@dataclass
class ClauseCoverage:
    src: SourceText
    statuses: list[ClauseStatus]

    @property
    def total(self) -> int:
        return len(self.statuses)

    @property
    def accounted(self) -> int:
        return sum(1 for s in self.statuses if s.status)

    @property
    def percent(self) -> float:
        return 100.0 * self.accounted / self.total if self.total else 100.0

    @property
    def missing(self) -> list[int]:
        return [s.index for s in self.statuses if not s.status]

    def counts(self) -> dict[str, int]:
        """How many clauses are computed, stated, out of scope and not accounted for."""
        out = {k: 0 for k in (*RANK, "missing")}
        for s in self.statuses:
            out[s.status or "missing"] += 1
        return out


def status_of(c: Citation) -> str:
    if c.by != "note":
        return "computed"
    return "out_of_scope" if c.note_kind == "out_of_scope" else "stated"


def clause_coverage(policy, src: SourceText) -> ClauseCoverage:
    """Every clause of `src` with how `policy` accounts for it."""
    statuses = [ClauseStatus(i) for i in range(len(src.clauses))]
    for c in citations(policy):
        i, _why = src.resolve(c.cite)
        if i is not None:
            statuses[i].by.append(c)
    for s in statuses:  # document order: a clause comes before the clauses under it
        parent = src.clauses[s.index].parent
        if s.by:
            s.status, s.how = max((status_of(c) for c in s.by), key=RANK.__getitem__), "direct"
        elif parent is not None and statuses[parent].how in ("direct", "above"):
            s.status, s.how = statuses[parent].status, "above"
    for s in reversed(statuses):  # the clauses under a clause come after it
        kids = src.clauses[s.index].children
        if not s.status and kids and all(statuses[k].status for k in kids):
            s.status, s.how = min((statuses[k].status for k in kids), key=RANK.__getitem__), "parts"
    return ClauseCoverage(src, statuses)
