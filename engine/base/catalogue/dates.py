# SPDX-License-Identifier: MIT
"""Why a text is not a date (engine.base.dates)."""

WORDS = {
    "dates.unreadable": ("「{text}」を日付として読めません（書き方の例: {spellings}）",
                         "cannot read \"{text}\" as a date (write it as one of: {spellings})"),
    "dates.not_on_calendar": ("「{text}」は暦にない日付です", "\"{text}\" is not a calendar date"),
    "dates.era_year_zero": ("「{text}」: {era}0年はありません（最初の年は元年）",
                            "\"{text}\": {era} has no year 0 (its first year is 1)"),
    "dates.before_era": ("「{text}」は{era}の日付ではありません（{era}は {start} から）",
                         "\"{text}\" is not a date of the {era} era (it began {start})"),
    "dates.after_era": ("「{text}」は{era}の日付ではありません（{start} からは{next}）",
                        "\"{text}\" is not a date of the {era} era ({next} began {start})"),
}
