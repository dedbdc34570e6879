# SPDX-License-Identifier: MIT
"""Drafting next year's policy (`yoko new-year`): an `extends:` of the latest one, to fill in.

The draft holds only what must change every year: its own metadata (title moved forward;
enactment and application dates left as TODO), its sources (numbers and dates TODO), and under
`patch:` the labels, descriptions and notes whose years belong to the year (the fiscal year, the
day after it ends, the reference periods of the facts an item reads), moved forward, with the
date parameters. A year that is not the policy's own (令和6年4月, when the overtime cap starts)
stays. Drafting from another prefecture (`--from`) also leaves the jurisdiction and the sources'
titles as TODO and offers `cite_map:` for the new articles.

The base's tests are carried forward: dates in their facts (inline, or given by a facts file)
and in their expected values move with the year; an expected date that a 29 February could make
differ is left as TODO; every comment on an expected value is flagged for review.
Everything is built from the base's ruamel round-trip nodes, so comments, key order and flow
style survive. Values starting with TODO are errors for `yoko check` (engine/policy/todo.py).
"""
from __future__ import annotations

import copy
import datetime
import os
import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import ScalarString

from engine.review.policy_tests import REVIEW, flag_comment
from engine.review.policy_tests import round_trip_yaml
from engine.base.dates import era_year
from engine.policy.load import SCHEMA_PATH

# --------------------------------------------------------------------------- moving years

_ERA_START = {"令和": 2018, "平成": 1988}
_MOVE = re.compile(
    r"(?P<iso>(?<![\d.,])(?P<y1>(?:19|20)\d\d)(?P<sep>[-/])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})(?!\d))"
    r"|(?P<kanji>(?<![\d.,])(?P<y2>(?:19|20)\d\d)年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日)"
    r"|(?P<eradate>(?P<e3>令和|平成)(?P<y3>元|\d{1,2})年(?P<m3>\d{1,2})月(?P<d3>\d{1,2})日)"
    r"|(?P<erayear>(?P<e4>令和|平成)(?P<y4>元|\d{1,2})年)"
    r"|(?P<abbr>(?<![A-Za-z])(?P<e5>[RH])(?P<y5>元|\d{1,2})(?=[.\-/年]|(?![\w])))"
    r"|(?P<greg>(?<![\d.,])(?P<y6>(?:19|20)\d\d)(?![\d,]))")


def _era_to_year(era: str, n: str) -> int:
    return _ERA_START[era] + (1 if n == "元" else int(n))


def _year_to_era(year: int, era: str) -> tuple[str, str]:
    """令和/平成 and the era year for a Gregorian year (平成 years from 2019 on are 令和)."""
    if era == "平成" and year >= 2019:
        era = "令和"
    n = year - _ERA_START[era]
    return era, ("元" if n == 1 else str(n))


def shift_text(text: str, n: int, years: set[int] | None = None) -> str:
    """Years and dates named in a text moved forward by n: 令和3年 -> 令和4年, 2023-03-31 -> 2024-03-31.

    With `years`, only a year in that set moves (with its date); others are left as written."""
    def move(m: re.Match) -> str:
        g = m.groupdict()
        if g["iso"] or g["kanji"]:
            y, mo, d = (g["y1"], g["m1"], g["d1"]) if g["iso"] else (g["y2"], g["m2"], g["d2"])
            day = _date(int(y), int(mo), int(d))
            if day is None or not _moves(int(y), years):
                return m.group()
            new = shift_date(day, n)
            if g["iso"]:
                width = len(g["m1"]), len(g["d1"])
                return f"{new.year}{g['sep']}{new.month:0{width[0]}d}{g['sep']}{new.day:0{width[1]}d}"
            return f"{new.year}年{new.month}月{new.day}日"
        if g["eradate"]:
            y = _era_to_year(g["e3"], g["y3"])
            day = _date(y, int(g["m3"]), int(g["d3"]))
            if day is None or not _moves(y, years):
                return m.group()
            new = shift_date(day, n)
            era, ny = _year_to_era(new.year, g["e3"])
            return f"{era}{ny}年{new.month}月{new.day}日"
        if g["erayear"]:
            y = _era_to_year(g["e4"], g["y4"])
            if not _moves(y, years):
                return m.group()
            era, ny = _year_to_era(y + n, g["e4"])
            return f"{era}{ny}年"
        if g["abbr"]:
            era = "令和" if g["e5"] == "R" else "平成"
            y = _era_to_year(era, g["y5"])
            if not _moves(y, years):
                return m.group()
            new_era, ny = _year_to_era(y + n, era)
            return ("R" if new_era == "令和" else "H") + ny
        y = int(g["y6"])
        return str(y + n) if _moves(y, years) else m.group()
    return _MOVE.sub(move, text)


def _moves(year: int, years: set[int] | None) -> bool:
    return years is None or year in years


def _date(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def shift_date(d: datetime.date, n: int) -> datetime.date:
    """The same day n years on; 29 February becomes 28 February (民法143条2項)."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def own_years(policy, item=None) -> set[int]:
    """The Gregorian years that belong to a policy's year: the fiscal year, the calendar year its
    31 March falls in, and the reference periods of the item (a fact) or of the facts it reads."""
    fy = policy.fiscal_year
    years = {fy, fy + 1}
    facts = []
    if item is not None:
        facts = [item] if item.name in policy.facts and policy.facts[item.name] is item else \
            [policy.facts[r] for r in getattr(item, "reads", ()) if r in policy.facts]
    for f in facts:
        period = f.spec.get("period") or {}
        if "calendar_year" in period:
            years.add(fy + period["calendar_year"])
        if "fiscal_year" in period:
            years.add(fy + period["fiscal_year"])
    return years


def _retext(node, n: int, years=None):
    """A label {ja, en} with its years moved forward, keeping each scalar's style."""
    for lang in ("ja", "en"):
        v = node.get(lang) if node is not None else None
        if isinstance(v, str):
            new = shift_text(str(v), n, years)
            node[lang] = type(v)(new) if isinstance(v, ScalarString) else new
    return node


def _todo(ja: str, en: str) -> str:
    return f"TODO {ja} / {en}"


# --------------------------------------------------------------------------- the draft

class Draft:
    """The new year's document, built from the base's own YAML nodes."""

    def __init__(self, base, year: int, target: Path, policy_id: str | None = None):
        self.base, self.year, self.target = base, year, target
        self.id = policy_id or base.id
        self.other = self.id != base.id  # drafting another prefecture's policy from this one
        self.n = year - base.fiscal_year

    def part_node(self, item, key: str):
        """The base's round-trip node of one key of an item (from the patch that set it, if any)."""
        o = item.origin
        for k, part in o.parts:
            if k == key and part.how == "patch":
                return copy.deepcopy(_walk(part.src.commented_root, part.where))
        node = _walk(o.src.commented_root, o.where)
        return copy.deepcopy(node.get(key)) if isinstance(node, dict) else None

    def document(self) -> CommentedMap:
        b, n = self.base, self.n
        doc = CommentedMap()
        doc["id"] = self.id
        doc["fiscal_year"] = self.year
        ext = CommentedMap([("policy", b.id), ("fiscal_year", b.fiscal_year)])
        ext.fa.set_flow_style()
        doc["extends"] = ext
        title = copy.deepcopy(self._meta_node("title")) or CommentedMap(b.title)
        doc["title"] = _retext(title, n)
        if self.other:
            doc["jurisdiction"] = self.jurisdiction()
            for lang in ("ja", "en"):
                doc["title"][lang] = _todo("名称", "title") + f" ({doc['title'][lang]})"
        doc["enacted"] = _todo("施行日（YYYY-MM-DD）", "date of enactment (YYYY-MM-DD)")
        doc["applies_from"] = _todo(f"適用日（YYYY-MM-DD、通常は {self.year}-04-01）",
                                    f"first day it applies (YYYY-MM-DD, usually {self.year}-04-01)")
        doc["sources"] = self.sources()
        if self.other:
            doc["cite_map"] = []
        patch = self.patch()
        if patch:
            doc["patch"] = patch
        self.comment(doc)
        return doc

    def jurisdiction(self) -> CommentedMap:
        name = CommentedMap([("ja", _todo("自治体名", "name")), ("en", _todo("自治体名（英語）", "name in English"))])
        return CommentedMap([("code", _todo("JP-NN（都道府県コード）", "JP-NN (ISO 3166-2)")), ("name", name)])

    def _meta_node(self, key):
        for src in self.base.chain:
            if isinstance(src.commented_root, dict) and key in src.commented_root:
                return src.commented_root[key]
        return None

    def sources(self) -> CommentedMap:
        out = CommentedMap()
        for key in self.base.meta.get("sources") or {}:
            node = next((copy.deepcopy(s.commented_root["sources"][key]) for s in self.base.chain
                         if isinstance(s.commented_root, dict) and key in (s.commented_root.get("sources") or {})), None)
            if node is None:
                continue
            if "title" in node:
                _retext(node["title"], self.n)
                if self.other:
                    for lang in ("ja", "en"):
                        node["title"][lang] = _todo("文書の題名", "title of the document") + f" ({node['title'][lang]})"
            if node.get("number"):
                node["number"] = _todo(f"文書番号（{self.base.fiscal_year}年度は {node['number']}、なければ null）",
                                       "document number (null if none)")
            if "date" in node:
                node["date"] = _todo("文書の日付（YYYY-MM-DD）", "date of the document (YYYY-MM-DD)")
            if "file" in node:
                node["file"] = _todo("shared/sources の下の原文のファイル名（なければこの行を削除）",
                                     "file of the text under shared/sources (delete this line if none)")
            out[key] = node
        return out

    def patch(self) -> CommentedMap:
        """Per section, the items whose labels, descriptions or notes name the year, moved; date parameters moved."""
        out = CommentedMap()
        b = self.base
        for section, table in (("facts", b.facts), ("parameters", b.parameters), ("rules", b.rules)):
            items = CommentedMap()
            for name, item in table.items():
                changes = self.moved_parts(item)
                if section == "parameters" and isinstance(item.value, datetime.date) and _moves(
                        item.value.year, own_years(b)):
                    changes["value"] = shift_date(item.value, self.n)
                if changes:
                    items[name] = changes
            if items:
                out[section] = items
        return out

    def moved_parts(self, item) -> CommentedMap:
        """label, description and notes of an item with the year's own years moved, when any moved."""
        years = own_years(self.base, item)
        out = CommentedMap()
        for key in ("label", "description"):
            value = item.spec.get(key) or {}
            if any(shift_text(str(value.get(k, "")), self.n, years) != str(value.get(k, "")) for k in ("ja", "en")):
                out[key] = _retext(self.part_node(item, key), self.n, years)
        notes = item.spec.get("notes") or []
        if any(shift_text(str((nt.get("text") or {}).get(k, "")), self.n, years)
               != str((nt.get("text") or {}).get(k, "")) for nt in notes for k in ("ja", "en")):
            node = self.part_node(item, "notes")
            for nt in node:
                _retext(nt.get("text"), self.n, years)
            out["notes"] = node
        return out

    def comment(self, doc: CommentedMap) -> None:
        b = self.base
        here = self.target.resolve().parent
        near = next((d / "schemas" / "policy.schema.json" for d in [here, *here.parents]
                     if (d / "schemas" / "policy.schema.json").is_file()), SCHEMA_PATH)
        schema = Path(os.path.relpath(near, here)).as_posix()
        jur = ((b.meta.get("jurisdiction") or {}).get("name") or {})
        who_ja, who_en = (self.id, self.id) if self.other else (jur.get("ja", b.id), jur.get("en", b.id))
        lines = [
            f"yaml-language-server: $schema={schema}",
            "",
            f"{who_ja} {era_year(self.year)}年度（FY{self.year}）: yoko new-year が {b.path} から作成した下書き。",
            f"{who_en} FY{self.year}: a draft written by yoko new-year from {b.path}.",
            "",
            "この年度で変わることだけを書く（docs/guide.ja.md）。State only what changes (docs/guide.en.md):",
            "  override: の下に置き換える事実・パラメータ・ルールを丸ごと、patch: の下に一部（表示名・注記・根拠・値）、",
            "  drop: の下に削除する名前、facts:/parameters:/rules: の下に新しいものを書く。",
            "  override: whole items replaced; patch: some keys of an item (label, notes, cite, value);",
            "  drop: names removed; facts:, parameters:, rules: new items.",
            "TODO で始まる値をすべて埋めるまで yoko check はエラー（unfilled_todo）になる。",
            "Every value starting with TODO must be filled in: until then yoko check fails (unfilled_todo).",
        ]
        doc.yaml_set_start_comment("\n".join(lines))
        if "cite_map" in doc:
            doc.yaml_set_comment_before_after_key(
                "cite_map",
                before="\n継承元の条番号をこの要項の条番号に付け替える（例）。Re-point the base's articles to this guideline's:\n"
                       "  - {from: {source: guideline, article: 6}, to: {source: guideline, article: 7}}")
        if "patch" in doc:
            doc.yaml_set_comment_before_after_key(
                "patch",
                before="\n年度の年を1年進めた表示名・注記と、日付のパラメータ（yoko new-year による。要確認）。\n"
                       "Labels and notes naming the year, and date parameters, moved forward by yoko new-year:\n"
                       "check each against the new guideline.")


def _walk(root, where):
    cur = root
    for k in where:
        cur = cur[k]
    return cur


# --------------------------------------------------------------------------- the tests, carried forward

def carry_tests(base_tests: Path, target: Path, base, new_year: int):
    """The base's cases for the new year: facts files re-pointed, dates moved, comments flagged."""
    n = new_year - base.fiscal_year
    doc = round_trip_yaml().load(base_tests.read_text("utf-8-sig"))
    date_facts = [name for name, f in base.facts.items() if f.type.kind == "date"]
    for case in doc.get("cases") or []:
        if not isinstance(case, dict):
            continue
        file_dates = {}
        if case.get("facts_file"):
            full = (base_tests.parent / str(case["facts_file"])).resolve()
            case["facts_file"] = os.path.relpath(full, target.resolve().parent)
            file_dates = _file_dates(full, date_facts)
        _carry_facts(case, file_dates, n)
        _carry_expect(case, base, n)
    note = (f"yoko new-year が {base_tests} から写したケース。日付は{n}年進めた。期待値は{base.fiscal_year}年度のもの。\n"
            f"yoko test で違いを確かめ、意図した変更なら yoko test --update で書き換える。{REVIEW.strip()} の付いた\n"
            f"コメントは前年度のもの: 読み直して直すか消す。TODO の期待値は 2月29日をまたぐため手で確かめる。\n"
            f"Copied by yoko new-year from {base_tests}: dates moved {n} year(s) on; expected values are FY{base.fiscal_year}'s.\n"
            f"Run yoko test, review each difference, accept the intended ones with yoko test --update. Comments marked\n"
            f"{REVIEW.strip()} were written for last year: re-read them. A TODO expectation crosses 29 February: check it.\n")
    old = doc.ca.comment[1] if doc.ca.comment and len(doc.ca.comment) > 1 and doc.ca.comment[1] else []
    doc.ca.comment = None
    doc.yaml_set_start_comment(note + "\n" + "\n".join(c.value.strip().removeprefix("#").removeprefix(" ")
                                                        for c in old if c.value.strip()))
    return doc


def _file_dates(path: Path, date_facts: list[str]) -> dict:
    """The date facts a facts file gives, as dates."""
    from ruamel.yaml import YAML
    try:
        data = YAML(typ="safe").load(path.read_text("utf-8-sig")) or {}
    except Exception:  # noqa: BLE001 - an unreadable facts file is reported by yoko test itself
        return {}
    return {k: data[k] for k in date_facts if isinstance(data.get(k), datetime.date)}


def _carry_facts(case, file_dates: dict, n: int) -> None:
    """Date facts of a case moved n years: inline ones in place, a facts file's ones added to `facts:`."""
    facts = case.get("facts")
    for name, value in file_dates.items():
        if facts is None:
            facts = CommentedMap()
            facts.fa.set_flow_style()
            keys = list(case)
            case.insert(keys.index("facts_file") + 1 if "facts_file" in keys else len(keys), "facts", facts)
        if name not in facts:
            facts[name] = shift_date(value, n)
    for name in list(facts or {}):
        if isinstance(facts[name], datetime.date) and name not in file_dates:
            facts[name] = shift_date(facts[name], n)


def _carry_expect(case, base, n: int) -> None:
    """Expected dates moved n years (TODO where 29 February could change them); comments flagged."""
    expect = case.get("expect")
    if not isinstance(expect, dict):
        return
    inputs = [v for v in (case.get("facts") or {}).values() if isinstance(v, datetime.date)]
    for key in list(expect):
        value = expect[key]
        if isinstance(value, datetime.date):
            new = shift_date(value, n)
            expect[key] = new if not _leap_between(inputs, value, new, n) else _todo(
                f"期待する日付を確かめる（前年度は {value.isoformat()}、2月29日をまたぐ）",
                f"check the expected date (last year {value.isoformat()}; it crosses 29 February)")
        flag_comment(expect, key)


def _leap_between(inputs: list, old: datetime.date, new: datetime.date, n: int) -> bool:
    """Whether the expected date may be a count of days from an input that a 29 February changes:
    the input nearest to it is less than a year away and a 29 February lies between, in either year."""
    if not inputs:
        return False
    near = min(inputs, key=lambda d: abs((new - d).days))
    if abs((new - near).days) >= 365:
        return False  # counted in years (kept for five years): moves with the year
    before = shift_date(near, -n)
    return _has_29_feb(min(near, new), max(near, new)) or _has_29_feb(min(before, old), max(before, old))


def _has_29_feb(a: datetime.date, b: datetime.date) -> bool:
    return any(_date(y, 2, 29) is not None and a <= datetime.date(y, 2, 29) <= b for y in range(a.year, b.year + 1))
