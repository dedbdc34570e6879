# SPDX-License-Identifier: MIT
"""`yoko new-year ID YEAR`: next year's policy as an `extends:` of the latest one, to fill in.

The draft extends the latest policy of the id and holds only what must change every year:
its own metadata (title moved forward; enactment and application dates left as TODO), its
sources (the new documents' numbers and dates left as TODO), the facts whose label names a
reference period (the period is relative, so it moves by itself; the label's years are moved
forward) and parameters holding a date (moved forward one year). Everything is copied from
the base with ruamel's round-trip API, so comments, key order and flow style survive.
The base's tests file is copied beside the draft, to be run and reviewed (`yoko test`).
Values starting with TODO are errors for `yoko check` (engine/todo.py) until filled in.
"""
from __future__ import annotations

import copy
import datetime
import os
import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import ScalarString

from engine.base.dates import era_year


def add_parser(sub):
    p = sub.add_parser("new-year", help="write next year's policy as an extends: of the latest one")
    p.add_argument("policy", metavar="ID", help="policy id (the jurisdiction's programme), e.g. ibaraki")
    p.add_argument("year", metavar="YEAR", help="the new fiscal year: 2023, R5 or 令和5")
    p.add_argument("--out", metavar="PATH", help="where to write the draft (default: next to the latest policy)")
    p.add_argument("--lang", choices=["ja", "en"], default="en")
    return p


def run(args, out, err) -> int:
    from engine.base.diagnostics import Diagnostic, YokoError
    from engine.policy.cache import load_policy_cached
    from engine.review.policy_tests import tests_path_for
    from engine.policy.registry import entries, parse_year
    year = parse_year(args.year)
    mine = sorted((e for e in entries() if e.id == args.policy), key=lambda e: e.fiscal_year)
    if any(e.fiscal_year == year for e in mine):
        have = next(e for e in mine if e.fiscal_year == year)
        raise YokoError([Diagnostic("policy_exists", f"policy {args.policy} {year} already exists: {have.path}")])
    earlier = [e for e in mine if e.fiscal_year < year]
    if not earlier:
        from engine.base.diagnostics import suggest
        ids = sorted({e.id for e in entries()})
        what = f"no policy {args.policy} before {year}" if mine else f"no policy with id {args.policy}"
        raise YokoError([Diagnostic("unknown_policy", what, suggestion=suggest(args.policy, ids))])
    base_entry = earlier[-1]
    base = load_policy_cached(base_entry.path)
    target = Path(args.out) if args.out else Path(base_entry.path).with_name(f"{year}.yaml")
    tests_target = tests_path_for(target)
    for path in (target, tests_target):
        if path.exists():
            raise YokoError([Diagnostic("file_exists", f"{path} already exists; not overwriting it")])
    draft = Draft(base, year, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    write(draft.document(), target)
    out.write(f"wrote {target} (extends {base.id} {base.fiscal_year})\n" if args.lang == "en"
              else f"作成: {target}（{base.id} {base.fiscal_year} を継承）\n")
    base_tests = tests_path_for(base_entry.path)
    if base_tests.exists():
        write(tests_copy(base_tests, tests_target, base.fiscal_year, year), tests_target)
        out.write(f"wrote {tests_target} (the cases of {base.fiscal_year}, with its expected values)\n"
                  if args.lang == "en" else f"作成: {tests_target}（{base.fiscal_year}年度のケースと期待値）\n")
    out.write(next_steps(target, base_entry.path, args.lang))
    return 0


def write(doc, path: Path) -> None:
    from engine.review.policy_tests import round_trip_yaml
    with path.open("w", encoding="utf-8") as f:
        round_trip_yaml().dump(doc, f)


def next_steps(target: Path, base_path: str, lang: str) -> str:
    """The TODO values left in the draft, and what to run next."""
    from engine.base.diagnostics import Sink
    from engine.policy.load import load_document
    from engine.policy.todo import todo_markers
    doc, root, _ = load_document(str(target))
    sink = Sink()
    todo_markers(doc, root, str(target), sink)
    head = "to fill in:" if lang == "en" else "記入すること:"
    lines = [head] + [f"  {d.location}: {d.message if lang == 'en' else d.message_ja}" for d in sink.items]
    then = ("then: yoko check {p} && yoko test {p} && yoko diff {old} {p} && yoko render {p}"
            if lang == "en" else "続けて: yoko check {p} && yoko test {p} && yoko diff {old} {p} && yoko render {p}")
    return "\n".join(lines) + "\n" + then.format(p=target, old=base_path) + "\n"


# --------------------------------------------------------------------------- moving years

_ERA_YEAR = re.compile(r"令和(\d+|元)年")
_GREGORIAN = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d,])")


def shift_text(text: str, n: int) -> str:
    """Years named in a text moved forward by n: 令和3年 -> 令和4年, 令和2年度 -> 令和3年度, 2021 -> 2022."""
    def era(m):
        y = (1 if m.group(1) == "元" else int(m.group(1))) + n
        return f"令和{'元' if y == 1 else y}年"
    text = _ERA_YEAR.sub(era, text)
    return _GREGORIAN.sub(lambda m: str(int(m.group(1)) + n), text)


def shift_date(d: datetime.date, n: int) -> datetime.date:
    """The same day n years on; 29 February becomes 28 February (民法143条2項)."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def _retext(node, n: int):
    """A label {ja, en} with its years moved forward, keeping each scalar's style."""
    for lang in ("ja", "en"):
        v = node.get(lang) if node is not None else None
        if isinstance(v, str):
            new = shift_text(str(v), n)
            node[lang] = type(v)(new) if isinstance(v, ScalarString) else new
    return node


def _todo(ja: str, en: str) -> str:
    return f"TODO {ja} / {en}"


class Draft:
    """The new year's document, built from the base's own YAML nodes."""

    def __init__(self, base, year: int, target: Path):
        self.base, self.year, self.target = base, year, target
        self.n = year - base.fiscal_year

    def node(self, item):
        """The base's round-trip node of a fact or parameter (from whichever file of the chain holds it)."""
        o = item.origin
        cur = o.src.root
        for k in o.where:
            cur = cur[k]
        return copy.deepcopy(cur)

    def document(self) -> CommentedMap:
        b, n = self.base, self.n
        doc = CommentedMap()
        doc["id"] = b.id
        doc["fiscal_year"] = self.year
        ext = CommentedMap([("policy", b.id), ("fiscal_year", b.fiscal_year)])
        ext.fa.set_flow_style()
        doc["extends"] = ext
        title = copy.deepcopy(self._meta_node("title")) or CommentedMap(b.title)
        doc["title"] = _retext(title, n)
        doc["enacted"] = _todo("施行日（YYYY-MM-DD）", "date of enactment (YYYY-MM-DD)")
        doc["applies_from"] = _todo(f"適用日（YYYY-MM-DD、通常は {self.year}-04-01）",
                                    f"first day it applies (YYYY-MM-DD, usually {self.year}-04-01)")
        doc["sources"] = self.sources()
        override = CommentedMap()
        facts = self.moved_facts()
        if facts:
            override["facts"] = facts
        params = self.moved_parameters()
        if params:
            override["parameters"] = params
        if override:
            doc["override"] = override
        self.comment(doc)
        return doc

    def _meta_node(self, key):
        for src in self.base.chain:
            if isinstance(src.root, dict) and key in src.root:
                return src.root[key]
        return None

    def sources(self) -> CommentedMap:
        out = CommentedMap()
        for key in self.base.meta.get("sources") or {}:
            node = next((copy.deepcopy(s.root["sources"][key]) for s in self.base.chain
                         if isinstance(s.root, dict) and key in (s.root.get("sources") or {})), None)
            if node is None:
                continue
            if "title" in node:
                _retext(node["title"], self.n)
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

    def moved_facts(self) -> CommentedMap:
        """Facts with a reference period whose label names a year: label moved forward."""
        out = CommentedMap()
        for name, f in self.base.facts.items():
            if not f.spec.get("period"):
                continue
            label = f.spec.get("label") or {}
            if all(shift_text(str(label.get(k, "")), self.n) == str(label.get(k, "")) for k in ("ja", "en")):
                continue
            node = self.node(f)
            _retext(node.get("label"), self.n)
            out[name] = node
        return out

    def moved_parameters(self) -> CommentedMap:
        """Parameters whose value is a date: moved forward by the years between."""
        out = CommentedMap()
        for name, p in self.base.parameters.items():
            if isinstance(p.value, datetime.date):
                node = self.node(p)
                node["value"] = shift_date(p.value, self.n)
                out[name] = node
        return out

    def comment(self, doc: CommentedMap) -> None:
        from engine.policy.load import SCHEMA_PATH
        b = self.base
        here = self.target.resolve().parent
        near = next((d / "schemas" / "policy.schema.json" for d in [here, *here.parents]
                     if (d / "schemas" / "policy.schema.json").is_file()), SCHEMA_PATH)
        schema = Path(os.path.relpath(near, here)).as_posix()
        jur = ((b.meta.get("jurisdiction") or {}).get("name") or {})
        lines = [
            f"yaml-language-server: $schema={schema}",
            "",
            f"{jur.get('ja', b.id)} {era_year(self.year)}年度（FY{self.year}）: yoko new-year が {b.path} から作成した下書き。",
            f"{jur.get('en', b.id)} FY{self.year}: a draft written by yoko new-year from {b.path}.",
            "",
            "この年度で変わることだけを書く（docs/guide.ja.md）。State only what changes (docs/guide.en.md):",
            "  override: の下に置き換える事実・パラメータ・ルールを丸ごと、drop: の下に削除する名前、",
            "  facts:/parameters:/rules: の下に新しいものを書く。",
            "  override: whole facts, parameters and rules replaced; drop: names removed; facts:,",
            "  parameters:, rules: new items.",
            "TODO で始まる値をすべて埋めるまで yoko check はエラー（unfilled_todo）になる。",
            "Every value starting with TODO must be filled in: until then yoko check fails (unfilled_todo).",
        ]
        doc.yaml_set_start_comment("\n".join(lines))
        if "override" in doc:
            doc.yaml_set_comment_before_after_key(
                "override",
                before="\n対象期間の年を1年進めた事実と、日付のパラメータ（yoko new-year による。要確認）。\n"
                       "Facts whose label names their reference period, and date parameters, moved forward\n"
                       "by yoko new-year: check them against the new guideline.")


def tests_copy(base_tests: Path, target: Path, old_year: int, new_year: int):
    """The base's cases, facts files re-pointed from the new place, with a note on their expected values."""
    from engine.review.policy_tests import round_trip_yaml
    doc = round_trip_yaml().load(base_tests.read_text("utf-8-sig"))
    for case in doc.get("cases") or []:
        if isinstance(case, dict) and case.get("facts_file"):
            full = (base_tests.parent / str(case["facts_file"])).resolve()
            case["facts_file"] = os.path.relpath(full, target.resolve().parent)
    note = (f"yoko new-year が {base_tests} から写したケース。期待値は{old_year}年度のもの。\n"
            f"yoko test で違いを確かめ、意図した変更なら yoko test --update で書き換える。\n"
            f"Copied by yoko new-year from {base_tests}: the expected values are FY{old_year}'s.\n"
            f"Run yoko test, review each difference, and accept the intended ones with yoko test --update.\n")
    old = doc.ca.comment[1] if doc.ca.comment and len(doc.ca.comment) > 1 and doc.ca.comment[1] else []
    doc.ca.comment = None
    doc.yaml_set_start_comment(note + "\n" + "\n".join(c.value.strip().removeprefix("#").removeprefix(" ")
                                                        for c in old if c.value.strip()))
    return doc
