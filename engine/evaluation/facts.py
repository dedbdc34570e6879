# SPDX-License-Identifier: MIT
"""Facts input: a mapping of fact name to value, checked against the policy's declarations.

What is accepted as is, accepted with a normalisation (reported as a note on the
checked facts and in the output) or refused: docs/errors.md, section "Facts input:
what is accepted, normalised or refused". Nothing is guessed silently.
"""
from __future__ import annotations

import datetime
import math
import re
import unicodedata
from fractions import Fraction

from engine.base.dates import DateError, looks_like_date, read_date
from engine.base.words import say
from engine.lang import types as T
from engine.base.diagnostics import Diagnostic, Location, Sink, YokoError, suggest
from engine.base.limits import MAX_FACT_MAGNITUDE, MAX_LIST_ITEMS, MAX_MAGNITUDE
from engine.policy.periods import select as select_periods
from engine.policy.yamlio import ExactFloat, PlainConverter, location_at, parse_yaml, read_text


class CheckedFacts(dict):
    """Checked facts (name -> runtime value), with `notes`: every normalisation made while reading them."""

    def __init__(self, *args, notes: list[Diagnostic] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes: list[Diagnostic] = list(notes or [])


def load_facts_file(path: str, policy, text: str | None = None) -> CheckedFacts:
    """Read and check a YAML or JSON facts file (or `text` given under that name); raise YokoError on any problem."""
    text = read_text(path) if text is None else text
    root = parse_yaml(text, path, syntax_code="facts_syntax")
    sink = Sink()
    if root is None:
        raise YokoError([Diagnostic("facts_syntax", "the file is empty; write {} for a facility of which "
                                    "nothing is known yet", Location(path, 1, 1),
                                    message_ja="ファイルが空です。何も分かっていない施設なら {} と書いてください")])
    if not isinstance(root, dict):
        kind = "list" if isinstance(root, list) else type(root).__name__
        raise YokoError([Diagnostic("facts_syntax", "a facts file must be a mapping of fact name to value "
                                    f"but this file is a {kind}", Location(path, 1, 1),
                                    message_ja="事実のファイルは「事実名: 値」の対応（マッピング）でなければ"
                                               f"なりませんが、このファイルは {_KIND_JA.get(kind, kind)} です")])
    data = PlainConverter(path, sink, text).convert(root)
    sink.raise_if_errors()
    return check_facts(data, policy, lambda key_path, key=False: location_at(root, key_path, path, key=key))


_KIND_JA = {"list": "リスト", "str": "文字列", "int": "整数", "float": "数値", "bool": "真偽値"}


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
            sink.add("unknown_fact", f"{name} is not a fact of policy {policy.id} {policy.fiscal_year}",
                     locate([name], key=True), suggestion=suggest(str(name), policy.facts),
                     message_ja=f"{name} は政策 {policy.id} {policy.fiscal_year} 年度の事実ではありません")
            continue
        if value is None:
            continue
        found: list[Normalised] = []
        try:
            out[name] = convert(value, decl.spec, name, notes=found)
        except BadFact as e:
            sink.add("bad_fact", e.message, locate([name] + e.path, key=e.at_key), message_ja=e.message_ja)
            continue
        for n in found:
            out.notes.append(Diagnostic("fact_normalised", n.message, locate([name] + n.path), "note",
                                        message_ja=n.message_ja))
    sink.raise_if_errors()
    return out


class BadFact(Exception):
    def __init__(self, message: str, path=None, at_key: bool = False, message_ja: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_ja = message_ja
        self.path = path or []
        self.at_key = at_key  # point at the key (a misspelt field), not at its value


class Normalised:
    """A value read in another form than the canonical one, and where."""

    def __init__(self, message: str, message_ja: str, path):
        self.message, self.message_ja, self.path = message, message_ja, list(path)


def _show(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "a mapping"
    if isinstance(v, float):
        return repr(float(v))
    return repr(v)


def _show_ja(v) -> str:
    if isinstance(v, (list, dict)):
        return "リスト" if isinstance(v, list) else "マッピング"
    return _show(v)


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
            notes.append(Normalised(f'{name}: read "{value}" as {str(word).lower()}',
                                    f"{name}: 「{value}」を {str(word).lower()} と読みました", path))
            return word
        hint = f"; write {value.strip().lower()} without quotes" if isinstance(value, str) \
            and value.strip().lower() in ("true", "false") else ""
        hint_ja = f"。引用符を付けずに {value.strip().lower()} と書いてください" if hint else ""
        raise BadFact(f"{name} must be true or false but got {_show(value)}{hint}", path,
                      message_ja=f"{name} は true か false でなければなりませんが {_show_ja(value)} です{hint_ja}")
    if kind in ("int", "number"):
        return _number(value, spec, name, path, whole=kind == "int")
    if kind == "text":
        if isinstance(value, str):
            return value
        raise BadFact(f"{name} must be text but got {_show(value)}; put it in quotes", path,
                      message_ja=f"{name} は文字列でなければなりませんが {_show_ja(value)} です。引用符で囲んでください")
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
        notes.append(Normalised(f'{name}: read "{value}" as {label}', f"{name}: 「{value}」を {label} と読みました", path))
        return label
    hint = suggest(str(value), values) if isinstance(value, str) else None
    raise BadFact(f"{name} must be one of {', '.join(values)} but got {_show(value)}"
                  + (f" (did you mean {hint}?)" if hint else ""), path,
                  message_ja=f"{name} は {', '.join(values)} のいずれかでなければなりませんが {_show_ja(value)} です"
                  + (f"（{hint} のことですか？）" if hint else ""))


def _list(value, spec, name, path, notes):
    if not isinstance(value, list):
        raise BadFact(f"{name} must be a list but got {_show(value)}", path,
                      message_ja=f"{name} はリストでなければなりませんが {_show_ja(value)} です")
    if len(value) > MAX_LIST_ITEMS:
        raise BadFact(f"{name} has {len(value):,} items; the limit is {MAX_LIST_ITEMS:,}", path,
                      message_ja=f"{name} の要素が {len(value):,} 個あります。上限は {MAX_LIST_ITEMS:,} 個です")
    items = spec.get("items") or {}
    out = []
    for i, x in enumerate(value):
        if x is None:
            raise BadFact(f"{name}[{i}] is empty; a list cannot hold unknown items", path + [i],
                          message_ja=f"{name}[{i}] が空です。リストに不明な要素は入れられません")
        out.append(convert(x, items, f"{name}[{i}]", path + [i], notes))
    return out


def _record(value, spec, name, path, notes):
    if not isinstance(value, dict):
        raise BadFact(f"{name} must be a mapping of fields but got {_show(value)}", path,
                      message_ja=f"{name} は項目の対応（マッピング）でなければなりませんが {_show_ja(value)} です")
    fields = spec.get("fields") or {}
    rec = {}
    for k, x in value.items():
        if k not in fields:
            hint = suggest(str(k), fields)
            raise BadFact(f"{name} has no field {k}" + (f" (did you mean {hint}?)" if hint else ""), path + [k],
                          at_key=True, message_ja=f"{name} に項目 {k} はありません"
                          + (f"（{hint} のことですか？）" if hint else ""))
        rec[k] = None if x is None else convert(x, fields[k], f"{name}.{k}", path + [k], notes)
    for k in fields:
        rec.setdefault(k, None)
    return rec


def _number_hint(text: str) -> tuple[str, str] | None:
    """How to write a text that looks like a number: ("; write 1200 ...", "。1200 と..."), or None."""
    wide = unicodedata.normalize("NFKC", text)
    plain = wide.strip().replace(",", "")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", plain):
        return None
    en, ja = ["quotes"], ["引用符"]
    if "," in wide:
        en.append("commas"), ja.append("桁区切りのカンマ")
    if wide != text:
        en.append("full-width digits"), ja.append("全角数字")
    return (f"; write {plain} as a number, without {' or '.join(en)}",
            f"。{'・'.join(ja)}を使わずに {plain} と書いてください")


def _number(value, spec, name, path, whole: bool):
    what, what_ja = ("a whole number", "整数") if whole else ("a number", "数値")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint, hint_ja = (_number_hint(value) if isinstance(value, str) else None) or ("", "")
        raise BadFact(f"{name} must be {what} but got {_show(value)}{hint}", path,
                      message_ja=f"{name} は{what_ja}でなければなりませんが {_show_ja(value)} です{hint_ja}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadFact(f"{name} must be a finite number but got {value}", path,
                          message_ja=f"{name} は有限の数値でなければなりませんが {value} です")
        q = Fraction(value.exact if isinstance(value, ExactFloat) else repr(float(value)))
        if whole and q.denominator != 1:
            raise BadFact(f"{name} must be a whole number but got {_show(value)}", path,
                          message_ja=f"{name} は整数でなければなりませんが {_show(value)} です")
        if whole:  # 12.0: a whole number written as a decimal; a count is written 12
            raise BadFact(f"{name} must be a whole number but got {_show(value)}; write {q.numerator}", path,
                          message_ja=f"{name} は整数でなければなりませんが {_show(value)} です。"
                                     f"{q.numerator} と書いてください")
        if q.denominator > MAX_MAGNITUDE:
            raise BadFact(f"{name} has more than 30 decimal places", path,
                          message_ja=f"{name} の小数点以下が 30 桁を超えています")
        value = q.numerator if q.denominator == 1 else q
    if abs(value) > MAX_FACT_MAGNITUDE:
        raise BadFact(f"{name} is larger than 10^18, which no real facility has: {_digits(value)}", path,
                      message_ja=f"{name} が 10^18 を超えています（現実の施設ではあり得ません）: {_digits(value)}")
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and value < lo:
        raise BadFact(f"{name} must be at least {lo} but got {value}", path,
                      message_ja=f"{name} は {lo} 以上でなければなりませんが {value} です")
    if hi is not None and value > hi:
        raise BadFact(f"{name} must be at most {hi} but got {value}", path,
                      message_ja=f"{name} は {hi} 以下でなければなりませんが {value} です")
    return value


def _digits(v) -> str:
    text = str(v)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} digits)"


def _date(value, name, path, notes):
    if isinstance(value, datetime.datetime):
        raise BadFact(f"{name} must be a date (YYYY-MM-DD) but got a date and time", path,
                      message_ja=f"{name} は日付（YYYY-MM-DD）でなければなりませんが日時です")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        d = _date_text(value, name, path)
        if d is not None:
            if value != d.isoformat():
                notes.append(Normalised(f'{name}: read "{value}" as {d.isoformat()}',
                                        f"{name}: 「{value}」を {d.isoformat()} と読みました", path))
            return d
    raise BadFact(f"{name} must be a date written YYYY-MM-DD but got {_show(value)}", path,
                  message_ja=f"{name} は YYYY-MM-DD 形式の日付でなければなりませんが {_show_ja(value)} です")


def _date_text(value: str, name, path) -> datetime.date | None:
    """The date a text names (engine.base.dates); None when it is not spelt as a date at all."""
    if not looks_like_date(value):
        return None
    try:
        return read_date(value)
    except DateError as e:
        raise BadFact(f"{name}: {say(e.key, 'en', **e.params)}", path,
                      message_ja=f"{name}: {say(e.key, 'ja', **e.params)}") from None
