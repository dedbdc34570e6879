# SPDX-License-Identifier: MIT
"""The verbatim text of cited clauses under a citation in the memo (docs/sources.md)."""
from __future__ import annotations

from engine.base.words import say
from engine.policy.sources import clause_text
from engine.present.citations import cite_text


def clause_lines(policy, cites, lang: str = "ja") -> list[str]:
    """Each cited clause as lines: its citation, then its words (Japanese, as in the source)."""
    out: list[str] = []
    for c in [cites] if isinstance(cites, dict) else cites or []:
        text = (clause_text(policy, c) or "").strip()
        if text:
            out.append(say("memo.quote.cite", lang, cite=cite_text(c, policy.meta, lang)))
            out.extend(line.strip() for line in text.splitlines() if line.strip())
    return out
