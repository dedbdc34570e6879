# SPDX-License-Identifier: MIT
"""Words of the results workbook (engine.present.xlsx)."""

WORDS = {
    "xlsx.sheet.results": ("結果", "results"),
    "xlsx.sheet.columns": ("列の説明", "columns"),
    "xlsx.col.row": ("行", "row"),
    "xlsx.col.id": ("施設コード", "id"),
    "xlsx.col.unknown": ("判定できない結果", "unknown results"),
    "xlsx.col.needed_facts": ("判定に必要な事実", "facts still needed"),
    "xlsx.col.not_applicable": ("該当しない結果", "results not applicable"),
    "xlsx.col.error_code": ("エラーコード", "error code"),
    "xlsx.col.error_message": ("エラー内容", "error message"),
    "xlsx.col.identifier": ("識別子", "identifier"),
    "xlsx.col.label": ("見出し", "heading"),
    "xlsx.col.cite": ("根拠", "source"),
    "xlsx.empty_list": ("（なし）", "(none)"),
}
