# SPDX-License-Identifier: MIT
"""Whether a date is a day the prefecture's offices are closed: Saturday, Sunday, a national
holiday (jpholiday) or the year-end closure 29 December to 3 January.

The guideline does not move a deadline that falls on such a day, so the memo only says so."""
from __future__ import annotations

import datetime

from engine.base.words import words

# jpholiday names holidays in Japanese; the catalogue has each in both languages.
_NAMES = {
    "元日": "new_years_day", "成人の日": "coming_of_age_day", "建国記念の日": "foundation_day",
    "天皇誕生日": "emperors_birthday", "春分の日": "vernal_equinox_day", "昭和の日": "showa_day",
    "憲法記念日": "constitution_day", "みどりの日": "greenery_day", "こどもの日": "childrens_day", "海の日": "marine_day",
    "山の日": "mountain_day", "敬老の日": "respect_for_the_aged_day", "秋分の日": "autumnal_equinox_day",
    "スポーツの日": "sports_day", "体育の日": "health_sports_day", "文化の日": "culture_day",
    "勤労感謝の日": "labour_thanksgiving_day", "振替休日": "substitute_holiday", "国民の休日": "citizens_holiday",
}


def day_off(d: datetime.date) -> tuple[str, dict] | None:
    """(kind, params) for a closed day — saturday, sunday, national {name}, closure — else None."""
    import jpholiday  # imported only when a date is shown
    name = jpholiday.is_holiday_name(d)
    if name:
        return "national", {"name": words(f"memo.holiday.name.{_NAMES[name]}") if name in _NAMES else name}
    if (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3):
        return "closure", {}
    if d.weekday() == 5:
        return "saturday", {}
    if d.weekday() == 6:
        return "sunday", {}
    return None
