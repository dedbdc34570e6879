# SPDX-License-Identifier: MIT
"""Values as a person reads them: thousands separators, units, yes/no, labels (ja and en)."""
from __future__ import annotations

import datetime
from fractions import Fraction

from engine.base.words import WORDS, say
from engine.lang.values import rational_text

YEAR_UNITS = ("year", "fiscal_year", "calendar_year", "FY", "年度", "年")


def fmt(v, lang: str = "en", unit: str | None = None, value_labels: dict | None = None) -> str:
    """A value as a person reads it: 1,234,000 円, 2022-11-01, はい/yes, 未確定/unknown."""
    ja = lang == "ja"
    if v is None:
        return say("common.unknown", lang)
    if isinstance(v, bool):
        return say("common.yes" if v else "common.no", lang)
    if isinstance(v, (int, Fraction)):
        if unit in YEAR_UNITS and isinstance(v, int):
            return str(v)  # a year is a label, not a quantity: 2016, never 2,016
        return _number(v) + _unit(unit, lang)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, str):
        if value_labels and v in value_labels:
            label = value_labels[v].get(lang) or v
            return f"{label} ({v})" if label != v else v
        return f"「{v}」" if ja else f'"{v}"'
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {fmt(x, lang, 'year' if k.endswith('year') else None)}"
                               for k, x in in_language(v, lang).items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x, lang) for x in v) + "]" if v else say("common.none", lang)
    return str(v)


def in_language(record: dict, lang: str) -> dict:
    """A record's fields as shown in `lang`: a field `x_en` beside a field `x` is x in English.

    In English `x` shows the value of `x_en` (unless that is unknown); in either language `x_en`
    itself is not shown again.  The values are untouched: JSON output keeps both fields.
    """
    out = {}
    for k, x in record.items():
        if k.endswith("_en") and k[:-3] in record:
            continue
        if lang == "en" and record.get(f"{k}_en") is not None:
            x = record[f"{k}_en"]
        out[k] = x
    return out


def _number(v) -> str:
    if isinstance(v, Fraction) and v.denominator != 1:
        text = rational_text(v)
        if "/" in text:  # a repeating decimal: two exact digits, cut (never rounded through a float)
            sign = "-" if v < 0 else ""
            whole, rest = divmod(abs(v.numerator), v.denominator)
            cents = rest * 100 // v.denominator
            return f"{sign}{whole:,}.{cents:02d}… (= {v.numerator:,}/{v.denominator:,})"
        whole, _, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        return f"{sign}{abs(int(whole)):,}.{frac}"
    return f"{int(v):,}"


def _unit(unit: str | None, lang: str) -> str:
    """The unit after a number: the catalogue's word for it, else the policy's own spelling."""
    if not unit:
        return ""
    key = f"common.unit.{unit}"
    return " " + (say(key, lang) if key in WORDS else unit)


def unit_name(unit: str, lang: str) -> str:
    """A unit as the document names it: 円 / yen, 件 / cases."""
    return _unit(unit, lang).strip()
