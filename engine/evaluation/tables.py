# SPDX-License-Identifier: MIT
"""Reading and writing tables of facilities: CSV, XLSX and JSONL, chosen by file extension.

A reader yields `(row_number, {column: cell})`; row numbers are the 1-based line (CSV, JSONL) or
sheet row (XLSX) where the record starts, so an error row can point at its source. Writers replace
their target atomically: they write a temporary file beside it and `os.replace` it at the end.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from typing import IO

from engine.base.diagnostics import Location, YokoError, diag
from engine.base.files import forget_temp_file, make_temp_file, open_regular, raise_if_signalled
from engine.base.limits import MAX_TABLE_BYTES, MAX_TABLE_ROWS
from engine.base.words import words

RESULTS_MARK = "yoko-results"  # engine.present.xlsx marks the workbooks it writes
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_of(path: str) -> str:
    """csv, xlsx or jsonl, by extension; a usage error otherwise."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise YokoError([diag("batch_format", path=path)])
    return FORMATS[ext]


def _open_error(path: str, e: OSError) -> YokoError:
    return YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.open", path=path,
                                  reason=e.strerror or str(e))])


def read_rows(path: str, sheet: str | None = None) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(column names, rows) of a table file; problems with the file as a whole raise YokoError."""
    kind = format_of(path)
    if kind == "xlsx":
        return _read_xlsx(path, sheet)
    if sheet is not None:
        raise YokoError([diag("usage", key="diag.usage.sheet")])
    raw = open_regular(path, MAX_TABLE_BYTES)
    if kind == "jsonl":  # JSON text is UTF-8 (RFC 8259)
        return _read_jsonl(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline=""), path)
    encoding = detect_encoding(raw, path)
    # bytes the encoding cannot decode are kept as lone surrogates (surrogateescape), so that one bad
    # row past the sampled megabyte becomes an error row (_undecodable) instead of ending the run
    header, rows = _read_csv(io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline=""), path,
                             delimiter="\t" if encoding == "utf-16" else ",")
    return Columns(header, encoding=encoding), rows


def estimate_rows(path: str) -> int | None:
    """About how many rows a CSV or JSONL file holds (its line breaks, less the header), read in
    blocks without decoding; None for other tables. For a progress bar: quoted line breaks in
    cells make it an overestimate."""
    kind = format_of(path)
    if kind not in ("csv", "jsonl"):
        return None
    n, last = 0, b"\n"
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                n += block.count(b"\n")
                last = block[-1:]
    except OSError:
        return None
    n += last != b"\n"  # a last line without a line break
    return max(n - (kind == "csv"), 0)


class Columns(list):
    """A table's column names, with the text encoding the file was read in (reported in summaries)."""

    def __init__(self, names, encoding: str | None = None):
        super().__init__(names)
        self.encoding = encoding


SAMPLE_BYTES = 1 << 20
# what Japanese spreadsheets save: UTF-8 (with or without BOM), CP932 (Shift_JIS), UTF-16 "Unicode text"
ENCODINGS = ("utf-8", "utf-8-sig", "cp932", "utf-16")


def detect_encoding(raw, path: str) -> str:
    """The encoding of a CSV file from its first megabyte: BOMs first, then strict UTF-8, then
    charset-normalizer among the encodings Japanese spreadsheets write; the stream is left at 0."""
    head = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if len(head) == SAMPLE_BYTES and e.start >= len(head) - 3:
            return "utf-8"  # a character cut by the end of the sample
    from charset_normalizer import from_bytes  # only for files that are not UTF-8
    best = from_bytes(head, cp_isolation=["cp932", "euc_jp", "utf_16"]).best()
    if best is None:
        if _few_bad_utf8_lines(head):
            return "utf-8"  # UTF-8 with a stray byte or two: those rows become error rows (_undecodable)
        line = head[: _bad_utf8_at(head)].count(b"\n") + 1
        raise YokoError([diag("batch_read", Location(path, line, 1), key="diag.batch_read.encoding")])
    return {"cp932": "cp932", "shift_jis": "cp932", "euc_jp": "euc_jp", "utf_16": "utf-16"}.get(best.encoding,
                                                                                            best.encoding)


def _few_bad_utf8_lines(data: bytes) -> bool:
    """True for UTF-8 with a few stray bytes: at most 3 lines, or 1 in 100, hold bytes that are
    not UTF-8, and those bytes are at most 8, or 1 in 1,000. A table in another encoding fails on
    every Japanese character instead."""
    text = data.decode("utf-8", errors="surrogateescape")
    stray = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if stray > max(8, len(data) // 1000):
        return False
    lines = text.split("\n")
    bad = sum(1 for line in lines if any("\udc80" <= ch <= "\udcff" for ch in line))
    return bad <= max(3, len(lines) // 100)


def _bad_utf8_at(data: bytes) -> int:
    try:
        data.decode("utf-8")
        return len(data)
    except UnicodeDecodeError as e:
        return e.start


_SURROGATE = re.compile("[\ud800-\udfff]")


def _undecodable(texts) -> str | None:
    """The error message of a row holding bytes that are not UTF-8, or text that is not characters."""
    for t in texts:
        if isinstance(t, str) and not t.isascii():
            m = _SURROGATE.search(t)
            if m is None:
                continue
            ch = m.group()
            if "\udc80" <= ch <= "\udcff":
                return words("diag.bad_row.undecodable", byte=f"0x{ord(ch) - 0xdc00:02x}")
            return words("diag.bad_row.surrogate")
    return None


def _row_limit(n: int, path: str) -> None:
    if n > MAX_TABLE_ROWS:
        raise YokoError([diag("batch_read", Location(path, n, 1), key="diag.batch_read.too_many_rows",
                              limit=f"{MAX_TABLE_ROWS:,}")])


def _read_csv(f: IO[str], path: str, delimiter: str = ","):
    reader = csv.reader(f, delimiter=delimiter)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as e:
        f.close()
        raise YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.csv", detail=str(e))]) from None
    if not header:
        f.close()
        raise YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.csv_empty")])
    header = [h.strip() for h in header]
    _check_header(header, path)

    def rows():
        with f:
            start, count = reader.line_num + 1, 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:  # a field over the size limit, a stray NUL: this row only
                    yield start, {"__error__": ("bad_row", words("diag.bad_row.csv", detail=str(e)))}
                    start = reader.line_num + 1
                    continue
                count += 1
                _row_limit(count, path)
                if cells:
                    yield start, _row(header, cells, path, start)
                start = reader.line_num + 1
    return header, rows()


def _row(header, cells, path, line):
    bad = _undecodable(cells)
    if bad:
        return {"__error__": ("bad_row", bad)}
    if (len(cells) > len(header) and any(c.strip() for c in cells[len(header):])) or len(cells) < len(header):
        return {"__error__": ("bad_row", words("diag.bad_row.cells", cells=len(cells), columns=len(header)))}
    return dict(zip(header, cells))


def _no_duplicate_keys(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return d


class _DuplicateKey(ValueError):
    pass


def _check_header(header: list[str], path: str) -> None:
    seen = set()
    for i, h in enumerate(header):
        if not h:
            continue
        if h in seen:
            raise YokoError([diag("batch_read", Location(path, 1, i + 1), key="diag.batch_read.column_twice", column=h)])
        seen.add(h)


def _read_jsonl(f: IO[str], path: str):
    def rows():
        with f:
            for n, line in enumerate(f, 1):
                _row_limit(n, path)
                if not line.strip():
                    continue
                bad = _undecodable([line])
                if bad:
                    yield n, {"__error__": ("bad_row", bad)}
                    continue
                try:
                    obj = json.loads(line, object_pairs_hook=_no_duplicate_keys)
                except _DuplicateKey as e:
                    yield n, {"__error__": ("bad_row", words("diag.bad_row.field_twice", field=str(e)))}
                    continue
                except ValueError as e:
                    yield n, {"__error__": ("bad_row", words("diag.bad_row.json", detail=str(e)))}
                    continue
                except RecursionError:
                    yield n, {"__error__": ("bad_row", words("diag.bad_row.too_deep"))}
                    continue
                bad = _undecodable(_strings(obj)) if "\\u" in line else None  # only a \u escape can make one now
                if bad:
                    yield n, {"__error__": ("bad_row", bad)}
                    continue
                if not isinstance(obj, dict):
                    yield n, {"__error__": ("bad_row", words("diag.bad_row.not_object"))}
                    continue
                yield n, obj
    return None, rows()


def _strings(obj):
    """Every key and text in a JSON value (iteratively: a value nests at most as deep as json allows)."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            yield from x.keys()
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


def _read_xlsx(path: str, sheet: str | None):
    f = open_regular(path, MAX_TABLE_BYTES)
    try:
        import openpyxl
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
    except OSError as e:
        raise _open_error(path, e) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.xlsx", detail=str(e))]) from None
    if sheet is None:
        ws = wb.worksheets[0]
    elif sheet in wb.sheetnames:
        ws = wb[sheet]
    else:
        wb.close()
        raise YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.no_sheet", sheet=sheet,
                              sheets=", ".join(wb.sheetnames))])
    it = ws.iter_rows(values_only=True)
    first = next(it, None)
    start = 2
    if (wb.properties.keywords or "") == RESULTS_MARK:  # labels in row 1, identifiers in row 2
        first, start = next(it, None), 3
    if not first or all(c is None for c in first):
        wb.close()
        raise YokoError([diag("batch_read", Location(path, 1, 1), key="diag.batch_read.sheet_empty", sheet=ws.title)])
    header = ["" if c is None else str(c).strip() for c in first]
    while header and not header[-1]:
        header.pop()
    _check_header(header, path)

    def rows():
        n = 1
        try:
            for n, cells in enumerate(it, start):
                _row_limit(n, path)
                if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    continue
                yield n, {h: ("" if c is None else c) for h, c in zip(header, cells) if h}
        except YokoError:
            raise
        except Exception as e:  # noqa: BLE001 - sheet XML that breaks half-way (ParseError, zip errors ...)
            raise YokoError([diag("batch_read", Location(path, n + 1, 1), key="diag.batch_read.xlsx_row",
                                  row=n, detail=type(e).__name__)]) from None
        finally:
            wb.close()
    return header, rows()


# --------------------------------------------------------------------------- writers

class AtomicFile:
    """A file written beside `path` and moved over it on close(); discard() leaves `path` untouched."""

    def __init__(self, path: str, mode: str = "w", encoding: str = "utf-8"):
        self.path = path
        d = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise YokoError([diag("batch_write", key="diag.batch_write.directory", path=path)])
        try:
            fd, self.tmp = make_temp_file(d, os.path.splitext(path)[1])
        except OSError as e:
            raise YokoError([diag("batch_write", path=path, reason=e.strerror or str(e))]) from None
        try:
            if "b" in mode:
                self.f = os.fdopen(fd, mode)
            else:
                self.f = os.fdopen(fd, mode, encoding=encoding, newline="")
        except BaseException:  # a signal right after the file was made: remove it
            os.unlink(self.tmp)
            raise

    def commit(self) -> None:
        try:
            self.f.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are an ordinary file
            os.replace(self.tmp, self.path)
            forget_temp_file(self.tmp)
        except OSError as e:
            self.discard()
            raise YokoError([diag("batch_write", path=self.path, reason=e.strerror or str(e))]) from None

    def discard(self) -> None:
        try:
            self.f.close()
        except (OSError, ValueError):
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        forget_temp_file(self.tmp)


def cell_text(v) -> str:
    """A JSON-form value as one spreadsheet cell: empty for unknown, JSON for lists and records."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return str(v)


# Excel opens UTF-8 without a BOM as mojibake; with a BOM it reads it right (and other tools skip it)
CSV_OUT_ENCODING = "utf-8-sig"
OUT_ENCODINGS = ("utf-8-sig", "utf-8", "cp932")


class TableWriter:
    """Rows (dicts of JSON-form values) to CSV, XLSX or JSONL; stdout JSONL when path is None."""

    def __init__(self, path: str | None, columns: list[str], stdout: IO[str] | None = None,
                 encoding: str = CSV_OUT_ENCODING, xlsx_sheet=None):
        self.kind = "jsonl" if path is None else format_of(path)
        self.encoding = encoding
        self.columns = columns
        self.atomic = None
        self.stdout = None
        if path is None:  # all or nothing on stdout too: rows are kept (on disk past 16 MB) until close()
            self.stdout = stdout
            self.f = tempfile.SpooledTemporaryFile(16 * 1024 * 1024, mode="w+", encoding="utf-8", newline="")
        elif self.kind == "xlsx":
            self.atomic = AtomicFile(path, "wb")  # first: a refused target leaves no workbook half open
        else:
            self.atomic = AtomicFile(path, encoding=encoding if self.kind == "csv" else "utf-8")
            self.f = self.atomic.f
        self.rows = 0
        try:
            if self.kind == "xlsx":
                # xlsx_sheet(columns) -> an object with .ws, append(cells) and save(file)
                # (engine.present.xlsx); without one, a plain sheet of identifiers and text cells
                self.sheet = xlsx_sheet(columns) if xlsx_sheet else _PlainSheet(columns)
            if self.kind == "csv":
                self.csv = csv.writer(self.f, lineterminator="\n")
                self.csv.writerow(columns)
        except BaseException:  # a signal while setting up: no temporary file left
            if self.atomic is not None:
                self.atomic.discard()
            raise

    def write(self, row: dict) -> None:
        if self.kind == "jsonl":
            self.f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            return
        flat = flatten(row)
        cells = [flat.get(c) for c in self.columns]
        if self.kind == "csv":
            self.rows += 1
            try:
                self.csv.writerow([cell_text(c) for c in cells])
            except UnicodeEncodeError as e:
                ch = e.object[e.start:e.end]
                raise YokoError([diag("batch_write", key="diag.batch_write.encoding", row=self.rows, char=repr(ch),
                                      unicode=f"U+{ord(ch[0]):04X}", encoding=self.encoding)]) from None
        else:
            self.sheet.append(cells)

    def add_summary(self, data: dict) -> None:
        """Give the run's summary to a workbook that shows it (engine.present.xlsx); others ignore it."""
        if self.kind == "xlsx" and hasattr(self.sheet, "add_summary"):
            self.sheet.add_summary(data)

    def close(self) -> None:
        raise_if_signalled()  # a signal some code swallowed: never commit an interrupted run
        if self.stdout is not None:
            self.f.seek(0)
            while chunk := self.f.read(1 << 20):
                self.stdout.write(chunk)
            self.f.close()
            return
        if self.atomic is None:
            return
        if self.kind == "xlsx":
            self.sheet.save(self.atomic.f)
        self.atomic.commit()

    def discard(self) -> None:
        if self.stdout is not None:
            self.f.close()
        if self.kind == "xlsx" and self.atomic is not None:
            try:  # end openpyxl's row writer now, or it complains when collected (after "interrupted")
                self.sheet.ws.close()
            except Exception:  # noqa: BLE001 - a half-written sheet that will be deleted anyway
                pass
        if self.atomic is not None:
            self.atomic.discard()


class _PlainSheet:
    """A sheet of identifiers and text cells (when no labelled sheet is given)."""

    def __init__(self, columns: list[str]):
        import openpyxl
        self.wb = openpyxl.Workbook(write_only=True)
        self.ws = self.wb.create_sheet("results")
        self.ws.append(columns)

    def append(self, cells: list) -> None:
        self.ws.append([c if c is None or (type(c) is int) else cell_text(c) for c in cells])

    def save(self, f) -> None:
        self.wb.save(f)


def flatten(row: dict) -> dict:
    """An output record as flat columns: results become their own columns, lists are space-joined."""
    out = {"row": row.get("row"), "id": row.get("id")}
    for k, v in (row.get("results") or {}).items():
        out[k] = v
    out["unknown"] = " ".join(row.get("unknown") or []) if "results" in row else None
    out["needed_facts"] = " ".join(row.get("needed_facts") or []) if "results" in row else None
    out["not_applicable"] = " ".join(row.get("not_applicable") or []) if "results" in row else None
    err = row.get("error")
    out["error_code"] = err["code"] if err else None
    out["error_message"] = err["message"] if err else None
    return out
