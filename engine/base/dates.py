# SPDX-License-Identifier: MIT
"""The one reader of dates people write, Western and Japanese (和暦), used everywhere a date is read:
`--on`, facts files, table cells, parameters and test expectations.

Accepted spellings (full-width digits and spaces are read as half-width first):
- ISO and slashes: 2022-11-01, 2022-11-1, 2022/11/01, 2022/11/1
- kanji: 2022年11月1日
- era, in kanji: 令和4年11月1日, 令和元年5月1日 (平成, 昭和 too)
- era, abbreviated: R4.11.1, R4/11/1, R4-11-1, r4.11.1 (H for 平成, S for 昭和)
Refused, each with its own reason: a day that is not on the calendar (2023-02-29), era year 0, a
date before its era began (令和元年1月1日: 令和 began 2019-05-01) or after the next era began
(平成31年5月1日).
"""
from __future__ import annotations

import datetime
import re
import unicodedata

# (kanji, letter, first day); the year offset is the first day's year - 1
ERAS = (("令和", "R", datetime.date(2019, 5, 1)), ("平成", "H", datetime.date(1989, 1, 8)),
        ("昭和", "S", datetime.date(1926, 12, 25)))
_BY_NAME = {name: i for i, (kanji, letter, _) in enumerate(ERAS) for name in (kanji, letter)}

_WESTERN = re.compile(r"(\d{4})(?:([-/])(\d{1,2})\2(\d{1,2})|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)")
_ERA = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                  r"|([-./])(\d{1,2})\5(\d{1,2}))", re.IGNORECASE)

SPELLINGS = "2022-11-01, 2022/11/01, 2022年11月1日, 令和4年11月1日, R4.11.1"


class DateError(ValueError):
    """A text that is no date; `key` and `params` name the reason in the catalogue (dates.*)."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def read_date(text: str) -> datetime.date:
    """The date `text` names, or DateError saying why it names none."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    m = _WESTERN.fullmatch(s)
    if m:
        y, mo, d = (m.group(1), m.group(3), m.group(4)) if m.group(2) else (m.group(1), m.group(5), m.group(6))
        return _calendar(int(y), int(mo), int(d), text)
    m = _ERA.fullmatch(s)
    if m:
        return _era_date(m, text)
    raise DateError("dates.unreadable", text=text, spellings=SPELLINGS)


def looks_like_date(text: str) -> bool:
    """Whether a text is spelt as a date (it may still name no real day)."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    return bool(_WESTERN.fullmatch(s) or _ERA.fullmatch(s))


def _era_date(m: re.Match, text: str) -> datetime.date:
    i = _BY_NAME[m.group(1).upper() if m.group(1).isascii() else m.group(1)]
    kanji, _, start = ERAS[i]
    n = 1 if m.group(2) == "元" else int(m.group(2))
    if n == 0:
        raise DateError("dates.era_year_zero", text=text, era=kanji)
    mo, d = (m.group(3), m.group(4)) if m.group(3) else (m.group(6), m.group(7))
    day = _calendar(start.year - 1 + n, int(mo), int(d), text)
    if day < start:
        raise DateError("dates.before_era", text=text, era=kanji, start=start.isoformat())
    if i > 0 and day >= ERAS[i - 1][2]:
        raise DateError("dates.after_era", text=text, era=kanji, next=ERAS[i - 1][0], start=ERAS[i - 1][2].isoformat())
    return day


def _calendar(y: int, m: int, d: int, text: str) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise DateError("dates.not_on_calendar", text=text) from None


def era_year(year: int) -> str:
    """The era name of a (fiscal) year that begins on 1 April: 令和4 for 2022, 令和元 for 2019."""
    for kanji, _, start in ERAS:
        if year >= start.year:  # FY2019 is 令和元年度 by convention, though it began under 平成
            n = year - start.year + 1
            return f"{kanji}元" if n == 1 else f"{kanji}{n}"
    return str(year)


def wareki(day: datetime.date) -> str:
    """A day in 和暦: 令和4年10月7日, 令和元年5月1日."""
    for kanji, _, start in ERAS:
        if day >= start:
            n = day.year - start.year + 1
            return f"{kanji}{'元' if n == 1 else n}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"
