# SPDX-License-Identifier: MIT
"""Clause coverage: which clauses of the source text a policy accounts for, and how.

A clause is accounted for when a citation names it or a clause above it — computed (by a rule,
parameter or fact), stated (by a note) or out of scope (by a note of kind out_of_scope) — or when
every clause under it is accounted for (docs/sources.md).
"""
from __future__ import annotations

from engine.base.diagnostics import Diagnostic, diag
from engine.base.words import words
from engine.policy.clause_coverage import (  # noqa: F401 - re-exported: review code imports them from here
    RANK, ClauseCoverage, ClauseStatus, clause_coverage, status_of)
from engine.policy.sources import SourceText, clause_cite
from engine.present.citations import cite_text

def clause_label(policy, src: SourceText, i: int, lang: str = "ja") -> str:
    """A clause as a citation reads: 要項第5条第3号イ / Guideline Art. 5(iii)(b)."""
    return cite_text(clause_cite(src, i), policy.meta, lang)


def uncovered_warnings(policy, cov: ClauseCoverage) -> list[Diagnostic]:
    """One warning per clause that nothing accounts for, at the clause in the source file."""
    def label(i, lang):
        return clause_label(policy, cov.src, i, lang)
    out = []
    for i in cov.missing:
        c = cov.src.clauses[i]
        if any(cov.statuses[k].status is None for k in c.children):
            continue  # reported through the clauses under it
        out.append(diag("clause_not_covered", c.location, severity="warning", clause=words(
            "diag.clause_not_covered.label", ja=label(i, "ja"), en=label(i, "en"))))
    return out
