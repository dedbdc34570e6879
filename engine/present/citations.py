# SPDX-License-Identifier: MIT
"""Citations rendered in Japanese and English: 要項第6条第2項 / Guideline Art. 6(2)."""
from __future__ import annotations

_ROMAN = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
_KANA_EN = {"ア": "a", "イ": "b", "ウ": "c", "エ": "d", "オ": "e", "カ": "f"}


def source_abbrev(meta: dict, source: str, lang: str) -> str:
    src = (meta.get("sources") or {}).get(source) or {}
    abbrev = src.get("abbrev") or {}
    return abbrev.get(lang) or abbrev.get("ja") or source


def cite_text(c: dict, meta: dict, lang: str = "ja") -> str:
    """One citation as text."""
    src = source_abbrev(meta, c.get("source", ""), lang)
    if lang == "ja":
        s = src
        if c.get("article"):
            s += f"第{c['article']}条"
            extra = [x for x in (c.get("heading"), f"{c['occurrence']}つ目" if c.get("occurrence") else None) if x]
            if extra:
                s += "（" + "・".join(extra) + "）"
        if c.get("paragraph"):
            s += f"第{c['paragraph']}項"
        if c.get("item"):
            s += f"第{c['item']}号"
        if c.get("subitem"):
            s += str(c["subitem"])
        if c.get("point"):
            s += f"（{c['point']}）"
        if c.get("section"):
            s += f"「{c['section']}」"
        if c.get("clause"):
            s += f"「{c['clause']}」"
        if c.get("page"):
            s += f" p.{c['page']}"
        return s
    s = src
    if c.get("article"):
        s += f" Art. {c['article']}"
        extra = [x for x in (c.get("heading"), _ordinal(c.get("occurrence"))) if x]
        if extra:
            s += " [" + ", ".join(extra) + "]"
        if c.get("paragraph"):
            s += f"({c['paragraph']})"
        if c.get("item"):
            n = c["item"]
            s += f"({_ROMAN[n] if n < len(_ROMAN) else n})"
        if c.get("subitem"):
            s += f"({_KANA_EN.get(c['subitem'], c['subitem'])})"
        if c.get("point"):
            s += f"({c['point']})"
    if c.get("section"):
        s += f' "{c["section"]}"'
    if c.get("clause"):
        s += f' "{c["clause"]}"'
    if c.get("page"):
        s += f" p. {c['page']}"
    return s


def _ordinal(n):
    if not n:
        return None
    return {2: "second", 3: "third"}.get(n, f"#{n}") + " of that number"


def cites_text(cites, meta: dict, lang: str = "ja") -> str:
    if not cites:
        return ""
    if isinstance(cites, dict):
        cites = [cites]
    return "; ".join(cite_text(c, meta, lang) for c in cites)
