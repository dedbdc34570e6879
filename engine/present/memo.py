# SPDX-License-Identifier: MIT
"""An evaluation as a reviewer's memo, in Japanese (default) or English."""
from __future__ import annotations

import re

from engine.lang import ast
from engine.present.citations import cites_text
from engine.evaluation.evaluate import Evaluation
from engine.lang.interpret import interpret, why
from engine.present.format import fmt

_T = {
    "ja": {"facility": "施設", "results": "結果", "reasons": "理由", "needed": "判断に必要な未入力の事実",
           "needed_for": "必要な結果", "see_above": "（上記参照）", "notes": "注記", "fy": "年度",
           "computed": "計算式", "none": "なし", "policy_notes": "この政策全体への注記",
           "interpretation": "解釈", "approximation": "概数", "discretion": "裁量", "defect": "原文の不備",
           "note": "注", "from": "定義"},
    "en": {"facility": "Facility", "results": "Results", "reasons": "Reasons", "needed": "Facts still needed",
           "needed_for": "needed for", "see_above": "(see above)", "notes": "Notes", "fy": "FY",
           "computed": "computed as", "none": "none", "policy_notes": "Notes on the whole policy",
           "interpretation": "Interpretation", "approximation": "Approximate", "discretion": "Discretion",
           "defect": "Defect in the source", "note": "Note", "from": "defined at"},
}

MAX_DEPTH = 7


class Memo:
    def __init__(self, ev: Evaluation, lang: str):
        self.ev = ev
        self.p = ev.policy
        self.lang = lang if lang in _T else "ja"
        self.t = _T[self.lang]
        self.lines: list[str] = []
        self.seen: set[str] = set()

    def label(self, spec: dict | None, name: str) -> str:
        lab = ((spec or {}).get("label") or {}).get(self.lang)
        return f"{lab} ({name})" if lab else name

    def name_label(self, name: str) -> str:
        for table in (self.p.rules, self.p.facts, self.p.parameters):
            if name in table:
                return self.label(table[name].spec, name)
        return name

    def value(self, name: str, v) -> str:
        if name in self.p.parameters and isinstance(v, list) and v and isinstance(v[0], dict):
            n = len(v)  # a table: its rows are in the policy (and in `yoko render`), not repeated here
            return f"表（{n}行）" if self.lang == "ja" else f"table of {n} row{'s' if n != 1 else ''}"
        spec = {}
        for table in (self.p.rules, self.p.facts, self.p.parameters):
            if name in table:
                spec = table[name].spec
        return fmt(v, self.lang, spec.get("unit"), spec.get("value_labels"))

    def mark(self, v) -> str:
        return {True: "✓", False: "✗", None: "?"}.get(v, "•") if isinstance(v, bool) or v is None else "•"

    def cite(self, spec: dict) -> str:
        c = cites_text(spec.get("cite"), self.p.meta, self.lang)
        return f"  [{c}]" if c else ""

    # ------------------------------------------------------------------
    def render(self) -> str:
        p, t = self.p, self.t
        title = (p.title or {}).get(self.lang) or p.id
        self.lines.append(f"{title}")
        year = f"{p.fiscal_year}年度" if self.lang == "ja" else f"FY{p.fiscal_year}"
        self.lines.append(f"  ({p.id} {year}, {p.path})")
        name = self.ev.facts.get("name")
        if name:
            self.lines.append(f"{t['facility']}: {name}")
        for d in getattr(self.ev.facts, "notes", None) or ():  # input read in another form (engine.facts)
            self.lines.append(f"{t['note']}: {d.text(self.lang)} ({d.location})" if d.location
                              else f"{t['note']}: {d.text(self.lang)}")
        self.lines.append("")
        self.lines.append(f"== {t['results']} ==")
        for r in p.results:
            self.lines.append(f"  {self.label(p.rules[r].spec, r)}: {self.value(r, self.ev.env.get(r))}")
        self.lines.append("")
        self.lines.append(f"== {t['reasons']} ==")
        for r in p.results:
            self.rule_block(r, 0)
            self.lines.append("")
        self.needed_block()
        self.policy_notes()
        return "\n".join(self.lines).rstrip() + "\n"

    def rule_block(self, name: str, depth: int) -> None:
        rule = self.p.rules[name]
        v = self.ev.env.get(name)
        ind = "  " * depth
        head = "■ " if depth == 0 else f"{self.mark(v)} "
        if name in self.seen:
            self.lines.append(f"{ind}{head}{self.label(rule.spec, name)}: {self.value(name, v)} {self.t['see_above']}")
            return
        self.seen.add(name)
        self.lines.append(f"{ind}{head}{self.label(rule.spec, name)}: {self.value(name, v)}{self.cite(rule.spec)}")
        if len(self.p.chain) > 1 and rule.origin is not None:  # a policy that extends another: say where
            self.lines.append(f"{ind}    ({self.t['from']}: {self.origin(rule.origin)})")
        for note in rule.spec.get("notes") or []:
            self.note_line(note, depth + 2)
        if depth >= MAX_DEPTH:
            return
        if isinstance(v, bool) or v is None:
            for part in why(rule.node, self.ev.env):
                self.part_line(rule, part, depth + 1)
        else:
            self.computation(rule, depth)

    def origin(self, o) -> str:
        loc = o.location
        if o.how == "inherited":
            return f"{loc.file}:{loc.line}, " + (f"{o.policy} {o.fiscal_year} から継承" if self.lang == "ja"
                                                 else f"inherited from {o.policy} {o.fiscal_year}")
        return f"{loc.file}:{loc.line}"

    def computation(self, rule, depth: int) -> None:
        """How a non-boolean value was computed: the conditions met, the formula used, its inputs."""
        ind = "  " * depth
        node = rule.node
        while isinstance(node, ast.Cond):
            self.part_line(rule, node.test, depth + 1)
            c = interpret(node.test, self.ev.env)
            if c is None:
                return
            node = node.then if c else node.orelse
        self.lines.append(f"{ind}    {self.t['computed']}: {_squash(rule.text[node.start:node.end])}")
        for step in self.steps(node):
            self.lines.append(f"{ind}      = {step}")
        listed: set[str] = set()
        if (isinstance(node, (ast.Aggregate, ast.ListComp)) and node.filter is not None
                and isinstance(node.iterable, ast.Name)
                and node.iterable.id in self.p.facts):
            self.elements(rule, node, depth + 2)
            listed.add(node.iterable.id)
        known = set(self.p.rules) | set(self.p.facts) | set(self.p.parameters)
        for read in dict.fromkeys(n.id for n in ast.free_names(node) if n.id in known and n.id not in listed):
            if read in self.p.rules:
                self.rule_block(read, depth + 1)
            else:
                self.lines.append(f"{ind}  • {self.name_label(read)} = {self.value(read, self.ev.env.get(read))}")

    def steps(self, node: ast.Node) -> list[str]:
        """Built-in calls with their arguments' values, innermost first: min(2,660,000, 3,333,333.33…) → …"""
        out: list[str] = []
        if isinstance(node, ast.Call):
            for a in node.args:
                out.extend(self.steps(a))
            args = ", ".join(fmt(interpret(a, self.ev.env), self.lang) for a in node.args)
            out.append(f"{node.func}({args}) = {fmt(interpret(node, self.ev.env), self.lang)}")
        elif isinstance(node, ast.Binary) and node.op in ("add", "sub", "mul", "div"):
            out.extend(self.steps(node.left) + self.steps(node.right))
        return out

    def elements(self, rule, node, depth: int) -> None:
        """Each element of the list a sum/count/list runs over: kept, or left out and why."""
        env = self.ev.env
        items = interpret(node.iterable, env)
        ind = "  " * depth
        kept_word = {"ja": ("対象", "除外", "不明"), "en": ("kept", "left out", "undecided")}[self.lang]
        for item in items or ():
            scope = {node.var: item}
            k = interpret(node.filter, env, scope)
            mark, word = {True: ("✓", kept_word[0]), False: ("✗", kept_word[1])}.get(k, ("?", kept_word[2]))
            line = f"{ind}{mark} {word}: {fmt(item, self.lang)}"
            if k is not True:
                reasons = [_squash(rule.text[p.start:p.end]) for p in why(node.filter, env, scope)]
                line += "  ← " + "; ".join(reasons)
            self.lines.append(line)

    def part_line(self, rule, node: ast.Node, depth: int) -> None:
        ind = "  " * depth
        if isinstance(node, ast.Name) and node.id in self.p.rules:
            self.rule_block(node.id, depth)
            return
        v = interpret(node, self.ev.env)
        if isinstance(node, ast.Name):
            self.lines.append(f"{ind}{self.mark(v)} {self.name_label(node.id)} = {self.value(node.id, v)}")
            return
        text = _squash(rule.text[node.start:node.end])
        names = list(dict.fromkeys(n.id for n in ast.free_names(node)))
        shown = ", ".join(f"{self.name_label(n)} = {self.value(n, self.ev.env.get(n))}" for n in names
                          if n not in self.p.rules)
        self.lines.append(f"{ind}{self.mark(v)} {text}" + (f"  ({shown})" if shown else ""))
        for n in names:
            if n in self.p.rules:
                self.rule_block(n, depth + 1)

    def note_line(self, note: dict, depth: int) -> None:
        kind = self.t.get(note.get("kind"), note.get("kind"))
        text = (note.get("text") or {}).get(self.lang, "")
        c = cites_text(note.get("cite"), self.p.meta, self.lang)
        self.lines.append("  " * depth + f"※ {kind}: {text}" + (f" [{c}]" if c else ""))

    def needed_block(self) -> None:
        needed = self.ev.needed_facts
        if not needed:
            return
        self.lines.append(f"== {self.t['needed']} ==")
        for f in needed:
            users = [r for r in self.p.results if f in self.ev.needed_for(r)]
            self.lines.append(f"  - {self.name_label(f)}: {self.t['needed_for']}: {', '.join(users)}")
        self.lines.append("")

    def policy_notes(self) -> None:
        notes = self.p.meta.get("notes") or []
        if not notes:
            return
        self.lines.append(f"== {self.t['policy_notes']} ==")
        for note in notes:
            self.note_line(note, 1)


def _squash(text: str) -> str:
    text = re.sub(r"#[^\n]*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def render_text(ev: Evaluation, lang: str = "ja") -> str:
    return Memo(ev, lang).render()
