# SPDX-License-Identifier: MIT
"""Whether a date is a day the prefecture's offices are closed: Saturday, Sunday, a national
holiday (jpholiday) or the year-end closure 29 December to 3 January.

The guideline does not move a deadline that falls on such a day, so the memo only says so."""
from __future__ import annotations

import datetime


def day_off(d: datetime.date) -> tuple[str, dict] | None:
    """(kind, params) for a closed day — saturday, sunday, national {name}, closure — else None."""
    import jpholiday  # imported only when a date is shown
    name = jpholiday.is_holiday_name(d)
    if name:
        return "national", {"name": name}
    if (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3):
        return "closure", {}
    if d.weekday() == 5:
        return "saturday", {}
    if d.weekday() == 6:
        return "sunday", {}
    return None
