# SPDX-License-Identifier: MIT
"""Where a policy item came from: its own file, the base policy it inherits, or an override.

One home for the provenance text that `show`, the memo and the rendered document print.
"""
from __future__ import annotations

from engine.base.words import say


def origin_how(item, lang: str) -> str:
    """"inherited from ibaraki FY2022", "overrides the base in this year", or "" for an item of its own."""
    o = getattr(item, "origin", None)
    if o is None or o.how not in ("inherited", "override"):
        return ""
    if o.how == "inherited":
        return say("origin.inherited", lang, policy=o.policy, year=o.fiscal_year)
    return say("origin.override", lang)


def origin_text(item, lang: str) -> str:
    """`file:line` where the item is written, with how it got into this policy when not its own."""
    o = getattr(item, "origin", None)
    loc = o.location if o is not None else item.location
    where = f"{loc.file}:{loc.line}"
    how = origin_how(item, lang)
    return say("origin.at", lang, where=where, how=how) if how else where
