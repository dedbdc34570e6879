# SPDX-License-Identifier: MIT
"""A policy as a document a non-programmer can review: Markdown or a standalone HTML page.

The document is built once as blocks of text spans (`document`), then written out by
`to_markdown` or `to_html`, each escaping for its format. Rules are grouped by the
article of their first citation, articles in order; each rule is given in words (its
label and the expression with the labels of the facts, parameters and rules it reads),
with the exact expression, its citations and its notes.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from engine.lang import ast
from engine.present.citations import cite_text, cites_text, source_abbrev
from engine.lang.parser import parse
from engine.policy.load import Policy
from engine.base.dates import era_year
from engine.present.format import fmt


# --------------------------------------------------------------------------- blocks

Span = tuple[str, str]  # ("t", text) | ("code", text) | ("b", text)
Text = list[Span]


def t(s: str) -> Span:
    return ("t", s)


def code(s: str) -> Span:
    return ("code", s)


def b(s: str) -> Span:
    return ("b", s)


@dataclass
class Heading:
    level: int
    text: Text
    anchor: str | None = None


@dataclass
class Para:
    text: Text


@dataclass
class Items:
    """A bulleted list; an item may carry a nested list."""

    items: list[tuple[Text, "Items | None"]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Text]]


@dataclass
class Code:
    text: str


@dataclass
class Doc:
    title: str
    lang: str
    blocks: list = field(default_factory=list)


# --------------------------------------------------------------------------- words

_W = {
    "ja": {
        "and": "かつ", "or": "又は", "all_of": "次のすべてを満たす", "any_of": "次のいずれかを満たす",
        "not": "{x}ではない", "in": "{x}が {l} のいずれか", "not in": "{x}が {l} のいずれでもない",
        "known": "{x}が判明している", "unknown": "{x}が不明", "true": "{x}が「はい」", "false": "{x}が「いいえ」",
        "if": "{c}ならば {a}、そうでなければ {b}",
        "sum": "{it}の各{v}{f}についての {e} の合計", "count": "{it}の各{v}{f}の件数",
        "any": "{it}のいずれかの{v}{f}について {e}", "all": "{it}のすべての{v}{f}について {e}",
        "min_agg": "{it}の各{v}{f}についての {e} の最小値", "max_agg": "{it}の各{v}{f}についての {e} の最大値",
        "list": "{it}の各{v}{f}についての {e} の一覧", "where": "（条件: {f}）",
        "min": "{a}のうち小さい方", "max": "{a}のうち大きい方", "min1": "{a}の最小値", "max1": "{a}の最大値",
        "round_down": "{0}（{1}未満切り捨て）", "round_up": "{0}（{1}未満切り上げ）",
        "floor": "{0}（小数点以下切り捨て）", "ceil": "{0}（小数点以下切り上げ）", "abs": "{0}の絶対値",
        "add_days": "{0}の{1}日後", "add_months": "{0}の{1}か月後", "add_years": "{0}の{1}年後",
        "days_between": "{0}から{1}までの日数", "fiscal_year": "{0}の属する年度",
        "fiscal_year_start": "{0}の属する年度の初日", "fiscal_year_end": "{0}の属する年度の末日",
        "date": "{0}年{1}月{2}日", "first": "{0}の最初の要素", "empty": "{0}が空",
        "sum1": "{0}の合計", "count1": "{0}の件数", "any1": "{0}のいずれかが「はい」", "all1": "{0}のすべてが「はい」",
        "sep": "、", "q": "「{}」",
        # document
        "fy": "{era}年度（{y}年度）", "policy": "ポリシー", "jurisdiction": "実施主体", "enacted": "施行日",
        "applies_from": "適用日", "extends": "継承元", "sources": "根拠文書", "abbrev": "略称", "doc": "文書",
        "number": "番号", "date_h": "日付", "notes_all": "全体への注記", "rules": "ルール（条項順）",
        "results": "公開する結果", "parameters": "パラメータ", "facts": "事実（入力項目）", "name": "名前",
        "label": "名称", "value": "値", "unit": "単位", "cite": "根拠", "type": "型", "values": "取り得る値",
        "period": "対象期間", "reads": "式", "exact": "式（原文）", "notes": "注記", "declared": "型",
        "from_base": "{p} {y}年度から継承", "override": "この年度で変更", "own": "", "no_cite": "根拠の条のないもの",
        "interpretation": "解釈", "approximation": "概数", "discretion": "裁量", "defect": "原文の不備",
        "note": "注", "calendar_year": "暦年 {n:+d}（{y}年）", "fiscal_year_p": "年度 {n:+d}（{y}年度）",
        "as_of": "時点: {x}", "generated": "yoko render により {path} から生成。式の読み下しは参考であり、正確な定義は「式（原文）」による。",
        "items_of": "要素", "fields": "項目", "see_below": "（下の表）",
        "types": {"bool": "真偽", "int": "整数", "number": "数", "text": "文字列", "date": "日付", "enum": "選択肢",
                  "list": "リスト", "record": "レコード"},
    },
    "en": {
        "and": "and", "or": "or", "all_of": "all of the following", "any_of": "any of the following",
        "not": "not {x}", "in": "{x} is one of {l}", "not in": "{x} is none of {l}",
        "known": "{x} is known", "unknown": "{x} is unknown", "true": "{x} is yes", "false": "{x} is no",
        "if": "if {c} then {a}, otherwise {b}",
        "sum": "the sum of {e} over each {v} in {it}{f}", "count": "the number of {v} in {it}{f}",
        "any": "for some {v} in {it}{f}: {e}", "all": "for every {v} in {it}{f}: {e}",
        "min_agg": "the smallest {e} over each {v} in {it}{f}", "max_agg": "the largest {e} over each {v} in {it}{f}",
        "list": "the list of {e} for each {v} in {it}{f}", "where": " where {f}",
        "min": "the smaller of {a}", "max": "the larger of {a}", "min1": "the smallest of {a}",
        "max1": "the largest of {a}",
        "round_down": "{0} rounded down to a multiple of {1}", "round_up": "{0} rounded up to a multiple of {1}",
        "floor": "{0} rounded down to a whole number", "ceil": "{0} rounded up to a whole number",
        "abs": "the absolute value of {0}", "add_days": "{1} days after {0}", "add_months": "{1} months after {0}",
        "add_years": "{1} years after {0}", "days_between": "the days from {0} to {1}",
        "fiscal_year": "the fiscal year of {0}", "fiscal_year_start": "the first day of the fiscal year of {0}",
        "fiscal_year_end": "the last day of the fiscal year of {0}", "date": "{0}-{1}-{2}",
        "first": "the first element of {0}", "empty": "{0} is empty",
        "sum1": "the sum of {0}", "count1": "the number of {0}", "any1": "some of {0} is yes", "all1": "all of {0} are yes",
        "sep": ", ", "q": "“{}”",
        "fy": "FY{y}", "policy": "Policy", "jurisdiction": "Jurisdiction", "enacted": "Enacted",
        "applies_from": "Applies from", "extends": "Extends", "sources": "Source documents", "abbrev": "Short name",
        "doc": "Document", "number": "Number", "date_h": "Date", "notes_all": "Notes on the whole policy",
        "rules": "Rules, by article", "results": "Public results", "parameters": "Parameters",
        "facts": "Facts (inputs)", "name": "Name", "label": "Label", "value": "Value", "unit": "Unit",
        "cite": "Citation", "type": "Type", "values": "Values", "period": "Reference period",
        "reads": "Rule", "exact": "Expression", "notes": "Notes", "declared": "Type",
        "from_base": "inherited from {p} FY{y}", "override": "changed in this year", "own": "",
        "no_cite": "Without an article",
        "interpretation": "Interpretation", "approximation": "Approximation", "discretion": "Discretion",
        "defect": "Defect in the source", "note": "Note", "calendar_year": "calendar year {n:+d} ({y})",
        "fiscal_year_p": "fiscal year {n:+d} (FY{y})", "as_of": "as of: {x}",
        "generated": "Generated by yoko render from {path}. The wording of the rules is a reading aid; "
                     "the exact definition is the expression.",
        "items_of": "items", "fields": "fields", "see_below": "(table below)",
        "types": {"bool": "yes/no", "int": "integer", "number": "number", "text": "text", "date": "date",
                  "enum": "one of", "list": "list", "record": "record"},
    },
}

_CMP = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
_ARITH = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}
# loosest first, as in the grammar
_PREC = {"if": 0, "or": 1, "and": 2, "not": 3, "is": 4, "cmp": 5, "add": 6, "sub": 6, "mul": 7, "div": 7,
         "neg": 8, "atom": 9}


class Reader:
    """An expression in words, with the labels of the names it reads."""

    def __init__(self, policy: Policy, lang: str):
        self.p = policy
        self.lang = lang
        self.w = _W[lang]

    def label(self, name: str) -> str:
        for table in (self.p.facts, self.p.rules, self.p.parameters):
            if name in table:
                lab = (table[name].spec.get("label") or {}).get(self.lang)
                return lab or name
        return name

    def name(self, name: str, scope: dict) -> str:
        if name in scope:
            return name
        if name in self.p.parameters and not isinstance(self.p.parameters[name].value, (list, dict)):
            prm = self.p.parameters[name]
            shown = self.value(prm.value, prm.spec)
            return self.w["q"].format(self.label(name)) + (f"（{shown}）" if self.lang == "ja" else f" ({shown})")
        return self.w["q"].format(self.label(name))

    def value(self, v, spec: dict | None = None) -> str:
        spec = spec or {}
        if isinstance(v, list):
            return "[" + self.w["sep"].join(self.value(x) for x in v) + "]"
        return fmt(v, self.lang, spec.get("unit"), spec.get("value_labels"))

    def text(self, node: ast.Node, scope: dict | None = None) -> str:
        return self._x(node, scope or {})

    def _wrap(self, node, scope, prec: int) -> str:
        s = self._x(node, scope)
        return f"({s})" if _prec(node) < prec else s

    def _x(self, node: ast.Node, scope: dict) -> str:  # noqa: C901 - one case per node kind
        w = self.w
        match node:
            case ast.Literal(value=v):
                return f'"{v}"' if isinstance(v, str) else self.value(v)
            case ast.Name(id=n):
                return self.name(n, scope)
            case ast.Field(obj=o, name=f):
                fields = scope.get(o.id) if isinstance(o, ast.Name) else None
                lab = ((fields or {}).get(f) or {}).get("label", {}).get(self.lang)
                return f"{self._wrap(o, scope, 9)}.{w['q'].format(lab) if lab else f}"
            case ast.ListLit(items=items):
                return "[" + w["sep"].join(self._x(i, scope) for i in items) + "]"
            case ast.RecordLit(entries=entries):
                return "{" + w["sep"].join(f"{k}: {self._x(v, scope)}" for k, v in entries) + "}"
            case ast.Unary(op="not", operand=o):
                return w["not"].format(x=self._wrap(o, scope, 9))
            case ast.Unary(operand=o):
                return "−" + self._wrap(o, scope, 8)
            case ast.Binary(op="and" | "or" as op):
                parts = _flat(node, op)
                return f" {w[op]} ".join(self._wrap(p, scope, _PREC[op] + 1) for p in parts)
            case ast.Binary(op=op, left=l, right=r):
                return f"{self._wrap(l, scope, _PREC[op])} {_ARITH[op]} {self._wrap(r, scope, _PREC[op] + 1)}"
            case ast.Compare():
                return self._compare(node, scope)
            case ast.IsTest(kind=k, operand=o):
                return w[k].format(x=self._wrap(o, scope, 5))
            case ast.Cond(test=c, then=a, orelse=e):
                return w["if"].format(c=self._wrap(c, scope, 1), a=self._wrap(a, scope, 1), b=self._wrap(e, scope, 0))
            case ast.Call(func=f, args=args):
                return self._call(f, args, scope)
            case ast.Aggregate() | ast.ListComp():
                return self._loop(node, scope)
        return "?"

    def _compare(self, node: ast.Compare, scope: dict) -> str:
        ops, vals = node.ops, node.operands
        labels = self._enum_labels(vals, scope)
        shown = [self._operand(v, scope, labels) for v in vals]
        if len(ops) == 1 and ops[0] in ("in", "not in"):
            return self.w[ops[0]].format(x=shown[0], l=shown[1])
        out = shown[0]
        for op, s in zip(ops, shown[1:]):
            out += f" {_CMP.get(op, op)} {s}"
        return out

    def _enum_labels(self, vals, scope: dict) -> dict:
        for v in vals:
            if isinstance(v, ast.Name) and v.id in self.p.facts:
                return self.p.facts[v.id].spec.get("value_labels") or {}
            if isinstance(v, ast.Field) and isinstance(v.obj, ast.Name) and isinstance(scope.get(v.obj.id), dict):
                return (scope[v.obj.id].get(v.name) or {}).get("value_labels") or {}
        return {}

    def _operand(self, node, scope, labels: dict) -> str:
        """A string literal compared with an enum fact is shown with its label."""
        if isinstance(node, ast.Literal) and isinstance(node.value, str) and node.value in labels:
            return self.w["q"].format(labels[node.value].get(self.lang) or node.value)
        if isinstance(node, ast.ListLit) and labels:
            return "[" + self.w["sep"].join(self._operand(i, scope, labels) for i in node.items) + "]"
        return self._wrap(node, scope, 6)

    def _call(self, f: str, args, scope: dict) -> str:
        shown = [self._wrap(a, scope, 1) for a in args]
        w = self.w
        if f in ("min", "max"):
            key = f if len(args) == 2 else f + "1"
            return w[key].format(a=w["sep"].join(shown))
        if f in ("sum", "count", "any", "all") and len(args) == 1:
            return w[f + "1"].format(*shown)
        if f in w:
            try:
                return w[f].format(*shown)
            except (IndexError, KeyError):
                pass
        return f"{f}({w['sep'].join(shown)})"

    def _loop(self, node, scope: dict) -> str:
        inner = dict(scope)
        inner[node.var] = self._fields_of(node.iterable)
        it = self._wrap(node.iterable, scope, 9)
        f = self.w["where"].format(f=self._x(node.filter, inner)) if node.filter is not None else ""
        key = node.func if isinstance(node, ast.Aggregate) else "list"
        key = {"min": "min_agg", "max": "max_agg"}.get(key, key)
        return self.w[key].format(it=it, v=node.var, f=f, e=self._x(node.expr, inner))

    def _fields_of(self, node) -> dict:
        """Field specs of the records of a list fact, to label `e.amount`."""
        if isinstance(node, ast.Name) and node.id in self.p.facts:
            items = self.p.facts[node.id].spec.get("items") or {}
            return items.get("fields") or {}
        return {}


def _flat(n, op):
    if isinstance(n, ast.Binary) and n.op == op:
        return _flat(n.left, op) + _flat(n.right, op)
    return [n]


def _prec(node) -> int:
    match node:
        case ast.Cond():
            return 0
        case ast.Binary(op=op):
            return _PREC[op]
        case ast.Unary(op="not"):
            return 3
        case ast.Unary():
            return 8
        case ast.IsTest():
            return 4
        case ast.Compare():
            return 5
    return 9


# --------------------------------------------------------------------------- the document

def document(policy: Policy, lang: str = "ja") -> Doc:
    """The review document of a policy, as blocks."""
    w = _W[lang]
    meta = policy.meta
    title = (policy.title or {}).get(lang) or policy.id
    d = Doc(title, lang)
    d.blocks.append(Heading(1, [t(title)]))
    d.blocks.append(Para(_head_line(policy, lang)))
    d.blocks.append(Para([t(w["generated"].format(path=policy.path))]))
    _sources(d, policy, lang)
    if meta.get("notes"):
        d.blocks.append(Heading(2, [t(w["notes_all"])]))
        d.blocks.append(_notes(meta["notes"], meta, lang))
    _results(d, policy, lang)
    _rules(d, policy, lang)
    _parameters(d, policy, lang)
    _facts(d, policy, lang)
    return d


def _head_line(policy: Policy, lang: str) -> Text:
    w, meta = _W[lang], policy.meta
    parts: Text = []
    jur = ((meta.get("jurisdiction") or {}).get("name") or {}).get(lang)
    if jur:
        parts += [b(w["jurisdiction"]), t(f": {jur} · ")]
    parts += [t(w["fy"].format(y=policy.fiscal_year, era=era_year(policy.fiscal_year)) + " · "), b(w["policy"]), t(": "),
              code(policy.id)]
    for key in ("enacted", "applies_from"):
        if meta.get(key):
            parts += [t(" · "), b(w[key]), t(f": {_plain(meta[key])}")]
    ext = meta.get("extends") or _extends_of(policy)
    if ext:
        parts += [t(" · "), b(w["extends"]), t(": "), code(f"{ext['policy']} {ext['fiscal_year']}")]
    return parts




def _extends_of(policy: Policy):
    chain = getattr(policy, "chain", None) or []
    if chain and chain[0].doc.get("extends"):
        return chain[0].doc["extends"]
    return None


def _plain(v) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _sources(d: Doc, policy: Policy, lang: str) -> None:
    w = _W[lang]
    rows = []
    for key, src in (policy.meta.get("sources") or {}).items():
        rows.append([[t(source_abbrev(policy.meta, key, lang))], [t((src.get("title") or {}).get(lang) or key)],
                     [t(src.get("number") or "")], [t(_plain(src.get("date") or ""))]])
    if rows:
        d.blocks.append(Heading(2, [t(w["sources"])]))
        d.blocks.append(Table([w["abbrev"], w["doc"], w["number"], w["date_h"]], rows))


def _notes(notes: list, meta: dict, lang: str) -> Items:
    w = _W[lang]
    items = []
    for n in notes:
        text: Text = [b(w.get(n.get("kind"), n.get("kind", ""))), t(": " + ((n.get("text") or {}).get(lang) or ""))]
        if n.get("cite"):
            text.append(t(f"（{cites_text(n['cite'], meta, lang)}）" if lang == "ja"
                          else f" ({cites_text(n['cite'], meta, lang)})"))
        items.append((text, None))
    return Items(items)


def _results(d: Doc, policy: Policy, lang: str) -> None:
    w = _W[lang]
    d.blocks.append(Heading(2, [t(w["results"])]))
    items = []
    for r in policy.results:
        lab = (policy.rules[r].spec.get("label") or {}).get(lang) or r
        items.append(([t(lab + " "), code(r)], None))
    d.blocks.append(Items(items))


def article_key(policy: Policy, cite: dict | None) -> tuple:
    """Sort key and heading of the article a citation belongs to."""
    if not cite:
        return (2, 0, 0, 0, "")
    sources = list(policy.meta.get("sources") or {})
    src = cite.get("source")
    s_order = sources.index(src) if src in sources else len(sources)
    if cite.get("article"):
        return (0, s_order, cite["article"], cite.get("occurrence") or 1, src)
    return (1, s_order, 0, 0, src)


def _article_heading(policy: Policy, key: tuple, cite: dict | None, lang: str) -> str:
    if key[0] == 2 or cite is None:
        return _W[lang]["no_cite"]
    if key[0] == 1:
        return source_abbrev(policy.meta, cite["source"], lang)
    head = {k: cite[k] for k in ("source", "article", "heading", "occurrence") if cite.get(k)}
    return cite_text(head, policy.meta, lang)


def _first_cite(spec: dict) -> dict | None:
    c = spec.get("cite")
    if isinstance(c, list):
        return c[0] if c else None
    return c


def _rules(d: Doc, policy: Policy, lang: str) -> None:
    w = _W[lang]
    reader = Reader(policy, lang)
    groups: dict[tuple, list[str]] = {}
    headings: dict[tuple, str] = {}
    for name, rule in policy.rules.items():
        cite = _first_cite(rule.spec)
        key = article_key(policy, cite)
        groups.setdefault(key, []).append(name)
        headings.setdefault(key, _article_heading(policy, key, cite, lang))
    d.blocks.append(Heading(2, [t(w["rules"])]))
    for key in sorted(groups):
        d.blocks.append(Heading(3, [t(headings[key])]))
        for name in groups[key]:
            _rule(d, policy, reader, name, lang)


def _rule(d: Doc, policy: Policy, reader: Reader, name: str, lang: str) -> None:
    w = _W[lang]
    rule = policy.rules[name]
    spec = rule.spec
    lab = (spec.get("label") or {}).get(lang) or name
    d.blocks.append(Heading(4, [t(lab + " "), code(name)], anchor=f"rule-{name}"))
    info: list[tuple[Text, Items | None]] = []
    origin = _origin_text(rule, lang)
    if origin:
        info.append(([t(origin)], None))
    info.append(([b(w["cite"]), t(": " + cites_text(spec.get("cite"), policy.meta, lang))], None))
    if spec.get("type") or spec.get("unit"):
        shown = [w["types"].get(spec.get("type"), spec.get("type")), spec.get("unit")]
        info.append(([b(w["declared"]), t(": " + " / ".join(str(x) for x in shown if x))], None))
    node = rule.node if rule.node is not None else parse(rule.text)
    info.append(_reading(reader, node, lang))
    d.blocks.append(Items(info))
    d.blocks.append(Code(rule.text.strip()))
    if spec.get("notes"):
        d.blocks.append(Para([b(w["notes"])]))
        d.blocks.append(_notes(spec["notes"], policy.meta, lang))


def _reading(reader: Reader, node: ast.Node, lang: str) -> tuple[Text, Items | None]:
    """The rule in words; a chain of three or more and/or operands as a nested list."""
    w = _W[lang]
    if isinstance(node, ast.Binary) and node.op in ("and", "or") and len(_flat(node, node.op)) >= 3:
        parts = _flat(node, node.op)
        head = w["all_of"] if node.op == "and" else w["any_of"]
        return ([b(w["reads"]), t(f": {head}:" if lang == "en" else f": {head}：")],
                Items([([t(reader.text(p))], None) for p in parts]))
    return ([b(w["reads"]), t(": " + reader.text(node))], None)


def _origin_text(item, lang: str) -> str:
    o = getattr(item, "origin", None)
    if o is None or o.how == "own":
        return ""
    if o.how == "inherited":
        return _W[lang]["from_base"].format(p=o.policy, y=o.fiscal_year)
    return _W[lang]["override"]


def _parameters(d: Doc, policy: Policy, lang: str) -> None:
    w = _W[lang]
    if not policy.parameters:
        return
    reader = Reader(policy, lang)
    d.blocks.append(Heading(2, [t(w["parameters"])]))
    rows, tables = [], []
    for name, prm in policy.parameters.items():
        lab = (prm.spec.get("label") or {}).get(lang) or name
        origin = _origin_text(prm, lang)
        is_table = isinstance(prm.value, list) and prm.value and all(isinstance(r, dict) for r in prm.value)
        shown = w["see_below"] if is_table else reader.value(prm.value, prm.spec)
        rows.append([[t(lab)] + ([t(f" ({origin})")] if origin else []), [code(name)], [t(shown)],
                     [t(cites_text(prm.spec.get("cite"), policy.meta, lang))]])
        if is_table:
            tables.append((lab, name, prm.value))
    d.blocks.append(Table([w["label"], w["name"], w["value"], w["cite"]], rows))
    for lab, name, value in tables:
        d.blocks.append(Heading(3, [t(lab + " "), code(name)], anchor=f"parameter-{name}"))
        cols = list(dict.fromkeys(k for r in value for k in r))
        d.blocks.append(Table(cols, [[[t(reader.value(r.get(c)))] for c in cols] for r in value]))


def _facts(d: Doc, policy: Policy, lang: str) -> None:
    w = _W[lang]
    d.blocks.append(Heading(2, [t(w["facts"])]))
    rows = []
    for name, f in policy.facts.items():
        spec = f.spec
        lab = (spec.get("label") or {}).get(lang) or name
        rows.append([[t(lab)], [code(name)], [t(_type_text(spec, lang))], [t(spec.get("unit") or "")],
                     [t(_period_text(spec.get("period"), policy.fiscal_year, lang))]])
    d.blocks.append(Table([w["label"], w["name"], w["type"], w["unit"], w["period"]], rows))


def _type_text(spec: dict, lang: str) -> str:
    w = _W[lang]
    kind = spec.get("type", "")
    if kind == "enum":
        labels = spec.get("value_labels") or {}
        shown = [(labels.get(v) or {}).get(lang) or v for v in spec.get("values") or []]
        return f"{w['types']['enum']}: {w['sep'].join(shown)}"
    if kind == "list":
        return f"{w['types']['list']} ({w['items_of']}: {_type_text(spec.get('items') or {}, lang)})"
    if kind == "record":
        return f"{w['types']['record']} ({w['fields']}: {', '.join(spec.get('fields') or {})})"
    bounds = [f"≥ {spec['min']}" if spec.get("min") is not None else "",
              f"≤ {spec['max']}" if spec.get("max") is not None else ""]
    bounds = [x for x in bounds if x]
    return w["types"].get(kind, kind) + (f" ({', '.join(bounds)})" if bounds else "")


def _period_text(period: dict | None, fy: int, lang: str) -> str:
    if not period:
        return ""
    w = _W[lang]
    if "calendar_year" in period:
        n = period["calendar_year"]
        return w["calendar_year"].format(n=n, y=fy + n)
    if "fiscal_year" in period:
        n = period["fiscal_year"]
        return w["fiscal_year_p"].format(n=n, y=fy + n)
    return w["as_of"].format(x=period.get("as_of", ""))


# --------------------------------------------------------------------------- writers

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md_escape(s: str) -> str:
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(1), s)


def _md_text(spans: Text) -> str:
    out = []
    for kind, s in spans:
        if kind == "code":
            tick = "``" if "`" in s else "`"
            out.append(f"{tick}{s}{tick}")
        elif kind == "b":
            out.append("**" + _md_escape(s) + "**")
        else:
            out.append(_md_escape(s))
    return "".join(out).replace("\n", " ")


def to_markdown(d: Doc) -> str:
    out: list[str] = []
    for blk in d.blocks:
        match blk:
            case Heading(level=lv, text=tx):
                out.append(("#" * lv) + " " + _md_text(tx))
            case Para(text=tx):
                out.append(_md_text(tx))
            case Items():
                out.append("\n".join(_md_items(blk, 0)))
            case Table(headers=hs, rows=rows):
                lines = ["| " + " | ".join(_md_text([t(h)]) for h in hs) + " |",
                         "|" + "|".join("---" for _ in hs) + "|"]
                lines += ["| " + " | ".join(_md_text(c) for c in row) + " |" for row in rows]
                out.append("\n".join(lines))
            case Code(text=tx):
                fence = "```" if "```" not in tx else "~~~~"
                out.append(f"{fence}\n{tx}\n{fence}")
    return "\n\n".join(out) + "\n"


def _md_items(items: Items, depth: int) -> list[str]:
    lines = []
    for text, sub in items.items:
        lines.append("  " * depth + "- " + _md_text(text))
        if sub is not None:
            lines += _md_items(sub, depth + 1)
    return lines


def _html_text(spans: Text) -> str:
    out = []
    for kind, s in spans:
        e = html.escape(s)
        out.append(f"<code>{e}</code>" if kind == "code" else f"<strong>{e}</strong>" if kind == "b" else e)
    return "".join(out)


_CSS = """
body { font-family: system-ui, "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; line-height: 1.6; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-top: 2rem; } h4 { margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f6f6f6; padding: .5rem .75rem; overflow-x: auto; font-size: .88rem; }
code { font-size: .9em; }
""".strip()


def to_html(d: Doc) -> str:
    body: list[str] = []
    for blk in d.blocks:
        match blk:
            case Heading(level=lv, text=tx, anchor=a):
                aid = f' id="{html.escape(a)}"' if a else ""
                body.append(f"<h{lv}{aid}>{_html_text(tx)}</h{lv}>")
            case Para(text=tx):
                body.append(f"<p>{_html_text(tx)}</p>")
            case Items():
                body.append(_html_items(blk))
            case Table(headers=hs, rows=rows):
                head = "".join(f"<th>{html.escape(h)}</th>" for h in hs)
                trs = "".join("<tr>" + "".join(f"<td>{_html_text(c)}</td>" for c in row) + "</tr>\n" for row in rows)
                body.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{trs}</tbody>\n</table>")
            case Code(text=tx):
                body.append(f"<pre><code>{html.escape(tx)}</code></pre>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{html.escape(d.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(d.title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _html_items(items: Items) -> str:
    lis = []
    for text, sub in items.items:
        inner = _html_text(text) + (("\n" + _html_items(sub)) if sub is not None else "")
        lis.append(f"<li>{inner}</li>")
    return "<ul>\n" + "\n".join(lis) + "\n</ul>"


def render(policy: Policy, lang: str = "ja", fmt_: str = "markdown") -> str:
    d = document(policy, lang)
    return to_html(d) if fmt_ == "html" else to_markdown(d)
