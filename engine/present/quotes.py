# SPDX-License-Identifier: MIT
"""The verbatim text of cited clauses, from the source file beside a policy (docs/sources.md)."""
from __future__ import annotations

from engine.base.words import say
from engine.policy.sources import find_source
from engine.present.citations import cite_text


def clause_lines(policy, cites, lang: str = "ja") -> list[str]:
    """Each cited clause as lines: 〔citation〕 then its words (the words stay Japanese, as in the source)."""
    src = find_source(policy.path)
    if src is None or not cites:
        return []
    out: list[str] = []
    for c in [cites] if isinstance(cites, dict) else cites:
        i, _why = src.resolve(c)
        if i is None:
            continue
        text = src.full_text(i).strip()
        if not text:
            continue
        out.append(say("memo.quote.cite", lang, cite=cite_text(c, policy.meta, lang)))
        out.extend(line.strip() for line in text.splitlines() if line.strip())
    return out
