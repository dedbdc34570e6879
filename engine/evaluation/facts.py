# SPDX-License-Identifier: MIT
"""Facts input: a mapping of fact name to value, checked against the policy's declarations.

What is accepted as is, accepted with a normalisation (reported as a note on the
checked facts and in the output) or refused: docs/errors.md, section "Facts input:
what is accepted, normalised or refused". Nothing is guessed silently.
"""
from __future__ import annotations

import datetime
import json
import math
import re
import unicodedata
from fractions import Fraction

from engine.base.dates import DateError, looks_like_date, read_date
from engine.base.diagnostics import Diagnostic, Sink, YokoError, diag, suggest
from engine.base.words import Words, words
from engine.base.limits import MAX_FACT_MAGNITUDE, MAX_LIST_ITEMS, MAX_MAGNITUDE
from engine.policy.periods import select as select_periods
from engine.policy.yamlio import ExactFloat, plain_json, read_document, read_text


class CheckedFacts(dict):
    """Checked facts (name -> runtime value), with `notes`: every normalisation made while reading them."""

    def __init__(self, *args, notes: list[Diagnostic] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes: list[Diagnostic] = list(notes or [])


def load_facts_file(path: str, policy, text: str | None = None) -> CheckedFacts:
    """Read and check a YAML or JSON facts file (or `text` given under that name); raise YokoError on any problem.

    A small plain JSON object whose facts all check is read with the json module (yamlio.plain_json);
    anything else, and any file with a problem or a normalisation to note, goes through the one
    YAML reader, so that every error and note is located."""
    text = read_text(path) if text is None else text
    data = plain_json(text)
    if data is not None:
        try:
            facts = check_facts(data, policy)
        except (YokoError, RecursionError):
            facts = None  # read again below, for the locations
        if facts is not None and not facts.notes:
            return facts
    doc = read_document(path, text, syntax_code="facts_syntax", mapping="facts_syntax")
    return check_facts(doc.data, policy, doc.at)


def check_facts(data: dict, policy, locate=None) -> CheckedFacts:
    """Validated facts (None values dropped as unknown); raise YokoError listing every bad fact.

    Normalisations (such as a date written 2022/04/01) are kept as notes on the result.
    """
    sink = Sink()
    locate = locate or (lambda key_path, key=False: None)
    data, locate = select_periods(data, policy, locate, sink)  # {CY2021: .., CY2022: ..} -> this year's
    out = CheckedFacts()
    for name, value in data.items():
        decl = policy.facts.get(name)
        if decl is None:
            sink.say("unknown_fact", locate([name], key=True), name=name, policy=policy.id, year=policy.fiscal_year,
                     suggestion=suggest(str(name), policy.facts))
            continue
        if value is None:
            continue
        found: list[Normalised] = []
        try:
            out[name] = convert(value, decl.spec, name, notes=found)
        except BadFact as e:
            sink.say("bad_fact", locate([name] + e.path, key=e.at_key), key=e.words, suggestion=e.suggestion)
            continue
        for n in found:
            out.notes.append(diag("fact_normalised", locate([name] + n.path), key=n.words, severity="note"))
    sink.raise_if_errors()
    return out


class BadFact(Exception):
    """A fact value that cannot be used: why (in words), where inside the value, and a close valid spelling."""

    def __init__(self, message: Words, path=None, at_key: bool = False, suggestion: str | None = None):
        super().__init__(message.text("en"))
        self.words = message
        self.path = path or []
        self.at_key = at_key  # point at the key (a misspelt field), not at its value
        self.suggestion = suggestion


class Normalised:
    """A value read in another form than the canonical one (in words), and where."""

    def __init__(self, message: Words, path):
        self.words, self.path = message, list(path)


def _show(v) -> Words | str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return words("diag.bad_fact.a_list") if isinstance(v, list) else words("diag.bad_fact.a_mapping")
    if isinstance(v, float):
        return repr(float(v))
    return repr(v)


def convert(value, spec: dict, name: str, path=None, notes: list | None = None):
    """The runtime value of one fact value under its declaration (normalisations go to `notes`)."""
    path = path or []
    notes = notes if notes is not None else []
    kind = spec.get("type")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = bool_word(value)
        if word is not None:
            notes.append(Normalised(words("diag.fact_normalised", name=name, text=value, value=str(word).lower()),
                                    path))
            return word
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            raise BadFact(words("diag.bad_fact.bool_quoted", name=name, got=_show(value), plain=value.strip().lower()),
                          path)
        raise BadFact(words("diag.bad_fact.bool", name=name, got=_show(value)), path)
    if kind in ("int", "number"):
        return _number(value, spec, name, path, whole=kind == "int")
    if kind == "text":
        if isinstance(value, str):
            return value
        raise BadFact(words("diag.bad_fact.text", name=name, got=_show(value)), path)
    if kind == "enum":
        return _enum(value, spec, name, path, notes)
    if kind == "date":
        return _date(value, name, path, notes)
    if kind == "list":
        return _list(value, spec, name, path, notes)
    if kind == "record":
        return _record(value, spec, name, path, notes)
    return value


# the words a person writes for yes and no, in either language (table cells and facts files)
BOOL_WORDS = {"はい": True, "いいえ": False, "yes": True, "no": False, "あり": True, "なし": False,
              "有": True, "無": False}
_KANJI_DIGITS = str.maketrans("一二三四五六七八九", "123456789")


def bool_word(value) -> bool | None:
    """True/False for a yes/no word (はい, いいえ, yes, no, あり, なし), else None."""
    return BOOL_WORDS.get(_folded(value)) if isinstance(value, str) else None


def _folded(text: str) -> str:
    """A label as compared: NFKC, no spaces, lower case, 二次 read as 2次."""
    s = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    return re.sub(r"[一二三四五六七八九](?=次)", lambda m: m.group(0).translate(_KANJI_DIGITS), s)


def enum_label_value(value: str, spec: dict) -> str | None:
    """The enum value a label names: the value itself, its ja or en label, or a common spelling of
    either (二次救急 for 2次救急, full-width, spaces, case); None when none or several match."""
    want = _folded(value)
    found = set()
    for v in spec.get("values", ()):
        labels = (spec.get("value_labels") or {}).get(v) or {}
        if want in {_folded(str(v)), *(_folded(t) for t in labels.values() if isinstance(t, str))}:
            found.add(str(v))
    return found.pop() if len(found) == 1 else None


def _enum(value, spec, name, path, notes):
    values = [str(v) for v in spec.get("values", ())]
    if isinstance(value, str) and value in values:
        return value
    label = enum_label_value(value, spec) if isinstance(value, str) else None
    if label is not None:
        notes.append(Normalised(words("diag.fact_normalised", name=name, text=value, value=label), path))
        return label
    hint = suggest(str(value), values) if isinstance(value, str) else None
    raise BadFact(words("diag.bad_fact.enum", name=name, allowed=", ".join(values), got=_show(value)), path,
                  suggestion=hint)


def _list(value, spec, name, path, notes):
    if not isinstance(value, list):
        raise BadFact(words("diag.bad_fact.list", name=name, got=_show(value)), path)
    if len(value) > MAX_LIST_ITEMS:
        raise BadFact(words("diag.bad_fact.list_too_long", name=name, count=f"{len(value):,}",
                            limit=f"{MAX_LIST_ITEMS:,}"), path)
    items = spec.get("items") or {}
    out = []
    for i, x in enumerate(value):
        if x is None:
            raise BadFact(words("diag.bad_fact.list_item_empty", item=f"{name}[{i}]"), path + [i])
        out.append(convert(x, items, f"{name}[{i}]", path + [i], notes))
    return out


def _record(value, spec, name, path, notes):
    if not isinstance(value, dict):
        raise BadFact(words("diag.bad_fact.record", name=name, got=_show(value)), path)
    fields = spec.get("fields") or {}
    rec = {}
    for k, x in value.items():
        if k not in fields:
            raise BadFact(words("diag.bad_fact.no_field", name=name, field=k), path + [k], at_key=True,
                          suggestion=suggest(str(k), fields))
        rec[k] = None if x is None else convert(x, fields[k], f"{name}.{k}", path + [k], notes)
    for k in fields:
        rec.setdefault(k, None)
    return rec


def _number_hint(text: str) -> Words | None:
    """How to write a text that looks like a number ("write 1200 as a number, without quotes"), or None."""
    wide = unicodedata.normalize("NFKC", text)
    plain = wide.strip().replace(",", "")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", plain):
        return None
    without = ["quotes"] + (["commas"] if "," in wide else []) + (["full_width"] if wide != text else [])
    marks = words(f"diag.bad_fact.without.{'_'.join(without)}")
    return words("diag.bad_fact.number_hint", plain=plain, without=marks)


def _number(value, spec, name, path, whole: bool):
    what = words("diag.bad_fact.a_whole_number") if whole else words("diag.bad_fact.a_number")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = _number_hint(value) if isinstance(value, str) else None
        if hint:
            raise BadFact(words("diag.bad_fact.number_hinted", name=name, want=what, got=_show(value), hint=hint), path)
        raise BadFact(words("diag.bad_fact.number", name=name, want=what, got=_show(value)), path)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadFact(words("diag.bad_fact.finite", name=name, got=value), path)
        q = Fraction(value.exact if isinstance(value, ExactFloat) else repr(float(value)))
        if whole and q.denominator != 1:
            raise BadFact(words("diag.bad_fact.number", name=name, want=what, got=_show(value)), path)
        if whole:  # 12.0: a whole number written as a decimal; a count is written 12
            raise BadFact(words("diag.bad_fact.whole_decimal", name=name, got=_show(value), plain=q.numerator), path)
        if q.denominator > MAX_MAGNITUDE:
            raise BadFact(words("diag.bad_fact.places", name=name), path)
        value = q.numerator if q.denominator == 1 else q
    if abs(value) > MAX_FACT_MAGNITUDE:
        raise BadFact(words("diag.bad_fact.too_large", name=name, digits=_digits(value)), path)
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and value < lo:
        raise BadFact(words("diag.bad_fact.at_least", name=name, limit=lo, got=value), path)
    if hi is not None and value > hi:
        raise BadFact(words("diag.bad_fact.at_most", name=name, limit=hi, got=value), path)
    return value


def _digits(v) -> str:
    text = str(v)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} digits)"


def _date(value, name, path, notes):
    if isinstance(value, datetime.datetime):
        raise BadFact(words("diag.bad_fact.datetime", name=name), path)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        d = _date_text(value, name, path)
        if d is not None:
            if value != d.isoformat():
                notes.append(Normalised(words("diag.fact_normalised", name=name, text=value, value=d.isoformat()),
                                        path))
            return d
    raise BadFact(words("diag.bad_fact.date", name=name, got=_show(value)), path)


def _date_text(value: str, name, path) -> datetime.date | None:
    """The date a text names (engine.base.dates); None when it is not spelt as a date at all."""
    if not looks_like_date(value):
        return None
    try:
        return read_date(value)
    except DateError as e:
        raise BadFact(words("diag.bad_fact.named", name=name, problem=words(e.key, **e.params)), path) from None


# --------------------------------------------------------------------------- table cells and form fields

_INT = re.compile(r"[+-]?\d+\Z", re.ASCII)  # ASCII: full-width digits are refused, not guessed
_INT_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+\Z", re.ASCII)
_DEC = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)\Z", re.ASCII)
_BOOL = {"true": True, "false": False, "yes": True, "no": False}


class BadCell(Exception):
    """A row that cannot be evaluated: a code and why, in words."""

    def __init__(self, code: str, message: Words, suggestion: str | None = None):
        super().__init__(message.text("en"))
        self.code, self.words, self.suggestion = code, message, suggestion


def cell_value(raw, spec: dict, name: str, unknown_cells=frozenset({""})):
    """A cell (text from CSV, or a JSON/XLSX value) as a value of the declared type; None = unknown."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return _typed_cell(raw, spec, name)
    s = raw.strip()
    if s in unknown_cells:
        return None
    kind = spec.get("type")
    if kind in ("int", "number"):
        if _INT.match(s) or _INT_GROUPED.match(s):
            return int(s.replace(",", ""))
        if kind == "number" and _DEC.match(s):
            q = Fraction(s)
            return q.numerator if q.denominator == 1 else q
        what = words("diag.bad_fact.a_whole_number") if kind == "int" else words("diag.bad_fact.a_number")
        raise BadCell("bad_fact", words("diag.bad_fact.number", name=name, want=what, got=f'"{s}"'))
    if kind == "bool":
        b = _BOOL.get(s.lower(), bool_word(s))
        if b is None:
            raise BadCell("bad_fact", words("diag.bad_fact.bool_cell", name=name, got=f'"{s}"'))
        return b
    if kind in ("list", "record"):
        try:
            return json.loads(s)
        except ValueError:
            raise BadCell("bad_fact", words("diag.bad_fact.json_cell", name=name)) from None
    if kind == "date":
        try:
            return read_date(s)
        except DateError as e:
            raise BadCell("bad_fact", words("diag.bad_fact.named", name=name, problem=words(e.key, **e.params))) from None
    return s


def _typed_cell(raw, spec: dict, name: str):
    """A cell that already has a type (XLSX, JSONL): exact numbers, dates without a time, no guessing."""
    kind = spec.get("type")
    if isinstance(raw, bool):
        if kind == "bool":
            return raw
    elif isinstance(raw, (int, float)) and kind in ("int", "number"):
        if isinstance(raw, float):
            if not math.isfinite(raw):
                raise BadCell("bad_fact", words("diag.bad_fact.finite", name=name, got=raw))
            if raw.is_integer():
                return int(raw)  # spreadsheets keep every number as a double
            if kind == "int":
                raise BadCell("bad_fact", words("diag.bad_fact.number", name=name,
                                                want=words("diag.bad_fact.a_whole_number"), got=repr(raw)))
            q = Fraction(repr(raw))  # the shortest decimal that names the double, exactly
            return q.numerator if q.denominator == 1 else q
        return raw
    elif isinstance(raw, datetime.datetime):
        if kind == "date" and raw.time() == datetime.time(0):
            return raw.date()  # openpyxl gives a date-only cell as midnight
    elif isinstance(raw, datetime.date):
        if kind == "date":
            return raw
    elif isinstance(raw, (list, dict)):
        if kind in ("list", "record"):
            return raw
    if kind in ("text", "enum") and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)  # a code typed as a number in a spreadsheet
    raise BadCell("bad_fact", words("diag.bad_fact.typed_cell", name=name, want=kind, held=type(raw).__name__,
                                    got=repr(raw)[:120]))
