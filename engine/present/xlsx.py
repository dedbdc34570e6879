# SPDX-License-Identifier: MIT
"""Batch results as an Excel workbook people can use as it is: labels as headers (identifiers in a
second header row, so the file reads back), typed cells (booleans, integers with #,##0, real dates,
lists as 「1、2a」), widths fitted, the header frozen, an autofilter, and a sheet that explains each
column. Written streaming (openpyxl write-only), so memory does not grow with the rows."""
from __future__ import annotations

import datetime
import unicodedata

from engine.base.words import say
from engine.evaluation.tables import RESULTS_MARK as MARK
from engine.present.citations import cites_text
from engine.present.summary import summary_rows

# keywords stored in the workbook's properties: the reader takes row 2 (identifiers) as the header

FIXED = {"row": "xlsx.col.row", "id": "xlsx.col.id", "unknown": "xlsx.col.unknown",
         "needed_facts": "xlsx.col.needed_facts", "not_applicable": "xlsx.col.not_applicable",
         "error_code": "xlsx.col.error_code", "error_message": "xlsx.col.error_message"}


def column_label(name: str, policy, lang: str) -> str:
    if name in FIXED:
        return say(FIXED[name], lang)
    rule = policy.rules.get(name) if policy is not None else None
    label = (rule.spec.get("label") or {}) if rule is not None else {}
    return label.get(lang) or label.get("ja") or name if isinstance(label, dict) else str(label)


def _kind(name: str, policy) -> str | None:
    rule = policy.rules.get(name) if policy is not None else None
    return getattr(rule.type, "kind", None) if rule is not None else None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


class ResultsSheet:
    """A write-only workbook of result rows for `columns`, labelled from `policy` in `lang`."""

    def __init__(self, columns: list[str], policy=None, lang: str = "ja"):
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        self.columns, self.policy, self.lang = columns, policy, lang
        self.kinds = [_kind(c, policy) for c in columns]
        self.wb = openpyxl.Workbook(write_only=True)
        self.wb.properties.keywords = MARK
        self.ws = self.wb.create_sheet(say("xlsx.sheet.results", lang))
        self._cell = WriteOnlyCell
        labels = [column_label(c, policy, lang) for c in columns]
        for i, (c, label, kind) in enumerate(zip(columns, labels, self.kinds), 1):
            letter = openpyxl.utils.get_column_letter(i)
            floor = {"date": 12, "int": 14, "number": 14}.get(kind, 10)
            self.ws.column_dimensions[letter].width = min(max(_width(label), _width(c), floor) + 2, 60)
        self.ws.freeze_panes = "C3"  # header rows and the row/id columns stay in view
        self.ws.auto_filter.ref = f"A2:{openpyxl.utils.get_column_letter(len(columns))}2"
        bold, grey = Font(bold=True), Font(color="808080", size=9)
        fill = PatternFill("solid", fgColor="DDEBF7")
        self.ws.append([self._styled(label, font=bold, fill=fill) for label in labels])
        self.ws.append([self._styled(c, font=grey) for c in columns])

    def _styled(self, value, **style):
        cell = self._cell(self.ws, value=value)
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    def append(self, cells: list) -> None:
        self.ws.append([self._typed(v, kind) for v, kind in zip(cells, self.kinds)])

    def _typed(self, v, kind):
        if v is None:
            return None
        if isinstance(v, bool):
            return self._styled(say("common.yes" if v else "common.no", self.lang))
        if type(v) is int:
            return self._styled(v, number_format="#,##0")
        if kind == "date" and isinstance(v, str):
            try:
                return self._styled(datetime.date.fromisoformat(v), number_format="yyyy-mm-dd")
            except ValueError:
                return v
        if isinstance(v, list):  # an empty list is a known answer (no grounds), not an empty cell
            return "、".join(str(x) for x in v) if v else say("xlsx.empty_list", self.lang)
        if isinstance(v, dict):
            return "、".join(f"{k}: {x}" for k, x in v.items())
        return v

    def add_summary(self, data: dict) -> None:
        """Add the run's summary sheet (Summary.to_json): counts, totals, the facts that decide the most."""
        ws = self.wb.create_sheet(say("commands.batch.sheet", self.lang))
        for letter, width in zip("ABC", (40, 24, 14)):
            ws.column_dimensions[letter].width = width
        bold = self._font(bold=True)
        header = True
        for row in summary_rows(data, self.policy, self.lang, lambda n: column_label(n, self.policy, self.lang)):
            if not row:
                ws.append([])
                header = True
                continue
            cells = []
            for v in row:
                cell = self._cell(ws, value=v)
                if header:
                    cell.font = bold
                elif type(v) is int:
                    cell.number_format = "#,##0"
                cells.append(cell)
            ws.append(cells)
            header = False

    def _font(self, **kw):
        from openpyxl.styles import Font
        return Font(**kw)

    def save(self, f) -> None:
        """Add the sheet that explains each column, then write the workbook."""
        ws = self.wb.create_sheet(say("xlsx.sheet.columns", self.lang))
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 40
        ws.column_dimensions["C"].width = 50
        ws.append([say("xlsx.col.identifier", self.lang), say("xlsx.col.label", self.lang),
                   say("xlsx.col.cite", self.lang)])
        for c in self.columns:
            ws.append([c, column_label(c, self.policy, self.lang), self._cite(c)])
        self.wb.save(f)

    def _cite(self, name: str) -> str:
        rule = self.policy.rules.get(name) if self.policy is not None else None
        if rule is None:
            return ""
        return cites_text(rule.spec.get("cite"), self.policy.meta, self.lang)
