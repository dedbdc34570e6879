# SPDX-License-Identifier: MIT
"""Citations rendered in Japanese and English: 要項第6条第2項 / Guideline Art. 6(2)."""
from __future__ import annotations

_ROMAN = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
_KANA_EN = {"ア": "a", "イ": "b", "ウ": "c", "エ": "d", "オ": "e", "カ": "f"}


def source_abbrev(meta: dict, source: str, lang: str) -> str:
    src = (meta.get("sources") or {}).get(source) or {}
    abbrev = src.get("abbrev") or {}
    return abbrev.get(lang) or abbrev.get("ja") or source


# the parts of a citation after its article, in writing order: (field, Japanese form, English form)
_WITHIN = (("paragraph", "第{}項", "({})"), ("item", "第{}号", "({})"),
           ("subitem", "{}", "({})"), ("point", "（{}）", "({})"))
_WHERE = (("section", "「{}」", ' "{}"'), ("clause", "「{}」", ' "{}"'), ("page", " p.{}", " p. {}"))
# English writes item numbers in roman numerals and アイウ as abc
_EN_VALUE = {"item": lambda n: _ROMAN[n] if n < len(_ROMAN) else n,
             "subitem": lambda k: _KANA_EN.get(k, k)}


def _parts(c: dict, parts, ja: bool) -> str:
    out = ""
    for field, ja_form, en_form in parts:
        if c.get(field):
            v = c[field]
            out += ja_form.format(v) if ja else en_form.format(_EN_VALUE.get(field, str)(v))
    return out


def cite_text(c: dict, meta: dict, lang: str = "ja") -> str:
    """One citation as text."""
    ja = lang == "ja"
    s = source_abbrev(meta, c.get("source", ""), lang)
    if c.get("article"):
        if ja:
            s += f"第{c['article']}条"
            extra = [x for x in (c.get("heading"), f"{c['occurrence']}つ目" if c.get("occurrence") else None) if x]
            if extra:
                s += "（" + "・".join(extra) + "）"
        else:
            s += f" Art. {c['article']}"
            extra = [x for x in (c.get("heading"), _ordinal(c.get("occurrence"))) if x]
            if extra:
                s += " [" + ", ".join(extra) + "]"
    if ja or c.get("article"):  # English names paragraph, item, … only within an article
        s += _parts(c, _WITHIN, ja)
    return s + _parts(c, _WHERE, ja)


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
