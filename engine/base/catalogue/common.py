# SPDX-License-Identifier: MIT
"""Words shared by every output: yes/no/unknown, units, severities."""

WORDS = {
    "common.yes": ("はい", "yes"),
    "common.no": ("いいえ", "no"),
    "common.unknown": ("不明", "unknown"),
    "common.not_applicable": ("該当なし", "not applicable"),
    "common.none": ("なし", "none"),
    "common.severity.error": ("エラー", "error"),
    "common.severity.warning": ("警告", "warning"),
    "common.severity.note": ("注記", "note"),
    "common.did_you_mean": ("もしかして", "did you mean"),
    "common.more_errors": ("... ほか {n} 件のエラー（{limit} 件で打ち切り）", "... and {n} more errors (stopped after {limit})"),
}
WORDS.update({  # the kinds of a named item (the one home of these words; messages and `show` use them)
    "kind.fact": ("事実", "fact"),
    "kind.parameter": ("パラメータ", "parameter"),
    "kind.rule": ("ルール", "rule"),
})
WORDS.update({  # a value's unit as the memo, render and the workbench show it after the number
    "common.unit.yen": ("円", "yen"),
    "common.unit.beds": ("床", "beds"),
    "common.unit.cases": ("件", "cases"),
    "common.unit.cases/year": ("件/年", "cases/year"),
    "common.unit.hours": ("時間", "hours"),
    "common.unit.hours/year": ("時間/年", "hours/year"),
    "common.unit.days": ("日", "days"),
    "common.unit.years": ("年", "years"),
    "common.unit.months": ("か月", "months"),
    "common.unit.people": ("人", "people"),
    "common.unit.doctors": ("人", "doctors"),
})
WORDS.update({
    "common.period.CY": ("{year}年（暦年）", "calendar {year}"),
    "common.period.FY": ("{year}年度", "fiscal {year}"),
})
