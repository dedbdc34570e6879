# SPDX-License-Identifier: MIT
"""An evaluation as a reviewer's memo, in Japanese (default) or English.

The memo leads with the conclusion (対象 / 対象外 / 判定不能, the deciding conditions with their
citations, the amount with its calculation, the deadlines that apply, the facts still needed and
what each would decide); then the details, which `detail` expands ("full") or hides ("brief").
Conditions and calculations read as sentences made of the policy's labels; `show_expr` shows the
policy's expressions instead. Lines are wrapped to `width` columns with a hanging indent.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from engine.base.words import say
from engine.evaluation.evaluate import Evaluation
from engine.lang import ast
from engine.lang.interpret import interpret, why
from engine.present.citations import cites_text
from engine.present.format import fmt, in_language
from engine.present.origin import origin_text
from engine.present.reading import Reader
from engine.present import terminal
from engine.present.holidays import day_off

MAX_DEPTH = 7
DETAILS = ("brief", "normal", "full")


@dataclass(frozen=True)
class MemoOptions:
    """How much the memo shows and how: see the module docstring."""

    detail: str = "normal"      # brief: the conclusion only; full: notes and policy notes too
    show_expr: bool = False     # the policy's expressions instead of sentences
    quote: bool = False         # the cited clauses' text under each citation
    width: int | None = terminal.PIPE_WIDTH
    colour: bool = False


class Memo:
    def __init__(self, ev: Evaluation, lang: str, options: MemoOptions | None = None):
        self.ev = ev
        self.p = ev.policy
        self.lang = lang if lang in ("ja", "en") else "ja"
        self.o = options or MemoOptions()
        self.lines: list[str] = []
        self.seen: set[str] = set()
        self.in_conclusion: set[str] = set()
        self._text = ""  # the expression text of the rule being calculated (readings fall back to it)  # results whose whole value the conclusion shows
        self.reader = Reader(self.p, self.lang)
        self.valued = Reader(self.p, self.lang, ev.env)
        conclusion = self.p.meta.get("conclusion") or {}
        self.eligibility = conclusion.get("eligible")
        self.amount = conclusion.get("amount")

    # -- words and values -------------------------------------------------------------------
    def w(self, key: str, **params) -> str:
        return say(f"memo.{key}", self.lang, **params)

    def label(self, name: str) -> str:
        """A name's label; its identifier only where the reader asked for code."""
        lab = self.reader.label(name)
        if self.o.show_expr and lab != name:
            return f"{lab} ({name})"
        return lab

    def value(self, name: str, v) -> str:
        if self.not_applicable(name):
            return self.w("not_applicable", why=self.w("not_applicable.because", label=self.label(
                self.p.rules[name].spec["applies_if"]), value=fmt(False, self.lang)))
        return self.reader.shown(name, v) + self.holiday(v)

    def not_applicable(self, name: str) -> bool:
        return self.ev.applies(name) is False

    def mark(self, v) -> str:
        return {True: "✓", False: "✗", None: "?"}.get(v, "•") if isinstance(v, bool) or v is None else "•"

    def cite(self, cites) -> str:
        c = cites_text(cites, self.p.meta, self.lang)
        return f"  [{c}]" if c else ""

    def holiday(self, v) -> str:
        if not isinstance(v, datetime.date):
            return ""
        off = day_off(v)
        return "" if off is None else "  " + self.w("holiday", day=say(f"memo.holiday.{off[0]}", self.lang, **off[1]))

    def add(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def add_quotes(self, depth: int, cites) -> None:
        if not self.o.quote or not cites:
            return
        from engine.present.quotes import clause_lines
        for line in clause_lines(self.p, cites, self.lang):
            self.add(depth, "> " + line)

    # -- the memo -------------------------------------------------------------------------
    def render(self) -> str:
        self.header()
        self.conclusion()
        if self.o.detail != "brief":
            self.details()
        if self.o.detail == "full":
            self.policy_notes()
        text = "\n".join(self.lines).rstrip() + "\n"
        text = terminal.wrap_all(text, self.o.width)
        return _paint(text) if self.o.colour else text

    def header(self) -> None:
        p = self.p
        self.add(0, (p.title or {}).get(self.lang) or p.id)
        self.add(1, self.w("policy", id=p.id, year=p.fiscal_year, path=p.path))
        name = self.ev.facts.get("name")
        if name:
            self.add(0, self.w("facility", name=name))
        for d in getattr(self.ev.facts, "notes", None) or ():  # input read in another form (engine.facts)
            self.add(0, self.w("input_note_at", text=d.text(self.lang), location=d.location) if d.location
                     else self.w("input_note", text=d.text(self.lang)))
        self.add(0, "")

    # -- the conclusion block ---------------------------------------------------------------
    def conclusion(self) -> None:
        self.add(0, f"== {self.w('conclusion')} ==")
        if self.eligibility:
            self.verdict()
        else:
            self.add(0, self.w("verdict", verdict=self.w("verdict.none")))
            self.add(0, self.w("results"))
            for r in self.p.results:
                self.result_line(r, 1)
        if self.amount:
            self.amount_lines()
        self.deadline_lines()
        self.needed_lines()
        self.add(0, "")

    def result_line(self, name: str, depth: int) -> None:
        """A result in the conclusion: a list of records one record a line."""
        v = self.ev.env.get(name)
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and not self.not_applicable(name):
            self.add(depth, f"{self.label(name)}:")
            for x in v:
                self.add(depth + 1, f"- {self.record(x)}")
            self.in_conclusion.add(name)
            return
        self.add(depth, f"{self.label(name)}: {self.value(name, v)}")
        self.in_conclusion.add(name)

    def record(self, x: dict) -> str:
        """A row by its values in the memo's language, without the field identifiers."""
        return " / ".join(fmt(v, self.lang, "year" if k.endswith("year") else None)
                          for k, v in in_language(x, self.lang).items())

    def verdict(self) -> None:
        name = self.eligibility
        v = self.ev.env.get(name)
        key = "undecided" if v is None else ("eligible" if v else "excluded")
        rule = self.p.rules[name]
        self.add(0, self.w("verdict", verdict=self.w(f"verdict.{key}")) + self.cite(rule.spec.get("cite")))
        self.add(1, self.w(f"because.{key}"))
        for node in why(rule.node, self.ev.env):
            self.reason(rule, node, 2, 0)

    def reason(self, owner, node: ast.Node, depth: int, hops: int) -> None:
        """One deciding condition: a rule by its label and citation, going down while few decide it."""
        env = self.ev.env
        target = node.operand if isinstance(node, ast.Unary) and node.op == "not" else node
        if isinstance(target, ast.Name) and target.id in self.p.rules:
            rule = self.p.rules[target.id]
            v = env.get(target.id)
            parts = why(rule.node, env) if rule.node is not None and (isinstance(v, bool) or v is None) else []
            plain = target is node
            if plain and hops < 3 and v is not True and 0 < len(parts) <= 3 and all(
                    _rule_ref(p, self.p.rules) for p in parts):
                for p in parts:
                    self.reason(rule, p, depth, hops + 1)
                return
            if plain and v is True and hops < 3 and len(parts) == 1 and _rule_ref(parts[0], self.p.rules):
                self.reason(rule, parts[0], depth, hops + 1)
                return
            shown = "" if plain and isinstance(v, bool) else f": {self.value(target.id, v)}"
            self.add(depth, f"{self.mark(interpret(node, env))} {self.label(target.id)}{shown}"
                     + self.cite(rule.spec.get("cite")))
            self.add_quotes(depth + 1, rule.spec.get("cite"))
            return
        self.add(depth, f"{self.mark(interpret(node, env))} {self.condition(owner, node)}")

    def amount_lines(self) -> None:
        name = self.amount
        rule = self.p.rules[name]
        v = self.ev.env.get(name)
        self.add(0, self.w("amount", label=self.label(name), value=self.value(name, v)) + self.cite(rule.spec.get("cite")))
        if v is not None:
            self.add(1, self.w("calc", calc=self.calculation(rule, skip={self.eligibility})))

    def deadline_lines(self) -> None:
        dates = [r for r in self.p.results if self.p.rules[r].type.kind == "date"
                 or isinstance(self.ev.env.get(r), datetime.date)]
        applying = [r for r in dates if not self.not_applicable(r)]
        if not dates:
            return
        if not applying:
            self.add(0, self.w("deadlines.none"))
            return
        self.add(0, self.w("deadlines"))
        for r in applying:
            self.add(1, f"{self.label(r)}: {self.value(r, self.ev.env.get(r))}"
                     + self.cite(self.p.rules[r].spec.get("cite")))

    def needed_lines(self) -> None:
        rows = []
        first = set(self.ev.needed_for(self.eligibility)) if self.eligibility else set()
        for f in sorted(self.ev.needed_facts, key=lambda f: f not in first):  # what decides the verdict first
            users = [r for r in self.p.results if f in self.ev.needed_for(r) and not self.not_applicable(r)]
            if users:
                rows.append(self.w("needed.decides", fact=self.label(f),
                                   results=self.reader.join([self.label(r) for r in users])))
        if not rows:
            self.add(0, self.w("needed.none"))
            return
        self.add(0, self.w("needed"))
        for row in rows:
            self.add(1, f"- {row}")

    # -- the details ------------------------------------------------------------------------
    def details(self) -> None:
        self.add(0, f"== {self.w('details')} ==")
        if self.o.detail != "full":
            self.add(0, self.w("details.hint"))
        for r in self.p.results:
            self.rule_block(r, 0)
            self.add(0, "")

    def rule_block(self, name: str, depth: int) -> None:
        rule = self.p.rules[name]
        v = self.ev.env.get(name)
        head = "■ " if depth == 0 else f"{self.mark(v)} "
        if name in self.seen:
            self.add(depth, f"{head}{self.label(name)}: {self.value(name, v)} {self.w('see_above')}")
            return
        self.seen.add(name)
        shown = self.w("see_conclusion") if name in self.in_conclusion and isinstance(v, (list, dict)) \
            else self.value(name, v)
        self.add(depth, f"{head}{self.label(name)}: {shown}{self.cite(rule.spec.get('cite'))}")
        self.add_quotes(depth + 2, rule.spec.get("cite"))
        if self.o.detail == "full":
            if len(self.p.chain) > 1 and rule.origin is not None:  # a policy that extends another: say where
                self.add(depth + 2, self.w("defined_at", where=origin_text(rule, self.lang)))
            for note in rule.spec.get("notes") or []:
                self.note_line(note, depth + 2)
        if depth >= MAX_DEPTH or self.not_applicable(name):
            return
        if isinstance(v, bool) or v is None:
            for part in why(rule.node, self.ev.env):
                self.part_line(rule, part, depth + 1)
        else:
            self.computation(rule, depth)

    def computation(self, rule, depth: int) -> None:
        """How a non-boolean value was computed: the conditions met, the calculation, its inputs."""
        node = rule.node
        while isinstance(node, ast.Cond):
            self.part_line(rule, node.test, depth + 1)
            c = interpret(node.test, self.ev.env)
            if c is None:
                return
            node = node.then if c else node.orelse
        if self.o.show_expr:
            self.add(depth + 2, self.w("expr", expr=_squash(rule.text[node.start:node.end])))
        if not isinstance(node, ast.Literal) and not _over_literal(node):
            self.add(depth + 2, self.w("computed", calc=self.calculation(rule, node=node)))
        listed: set[str] = set()
        if (isinstance(node, (ast.Aggregate, ast.ListComp)) and node.filter is not None
                and isinstance(node.iterable, ast.Name) and node.iterable.id in self.p.facts):
            self.elements(rule, node, depth + 2)
            listed.add(node.iterable.id)
        known = set(self.p.rules) | set(self.p.facts) | set(self.p.parameters)
        for read in dict.fromkeys(n.id for n in ast.free_names(node) if n.id in known and n.id not in listed):
            if read in self.p.rules:
                self.rule_block(read, depth + 1)
            elif self.o.detail == "full" or self.o.show_expr:
                self.add(depth + 1, f"• {self.label(read)} = {self.value(read, self.ev.env.get(read))}")

    # -- calculations and conditions in words ------------------------------------------------
    def calculation(self, rule, node: ast.Node | None = None, skip=frozenset()) -> str:
        """A value's calculation on one line, with labels and values: min(A 1円, B 2円) → … → 1円."""
        node = node if node is not None else rule.node
        env = self.ev.env
        prefix = ""
        while isinstance(node, ast.Cond):
            c = interpret(node.test, env)
            if c is None:
                break
            if not (isinstance(node.test, ast.Name) and node.test.id in skip) or not c:
                prefix += self.w("calc.when", test=self.condition(rule, node.test, plain=True),
                                 value=fmt(c, self.lang), then="")
            node = node.then if c else node.orelse
        self._text = rule.text
        body = self.calc(node, rule.spec.get("unit"))
        result = self.reader.shown(rule.name, env.get(rule.name))
        if isinstance(node, ast.Literal) or body == result:
            return prefix + result
        if isinstance(env.get(rule.name), (list, dict)):  # shown on the rule's own line
            return prefix + body
        return f"{prefix}{body} → {result}"

    def calc(self, node: ast.Node, unit: str | None = None) -> str:
        env = self.ev.env
        if isinstance(node, ast.Name):
            return self.w("calc.valued", label=self.label(node.id), value=self.reader.shown(node.id, env.get(node.id)))
        if isinstance(node, ast.Literal):
            return fmt(node.value, self.lang)
        if isinstance(node, ast.Call) and node.func in ("min", "max"):
            return f"{node.func}({self.reader.join([self.calc(a, unit) for a in node.args])})"
        if isinstance(node, ast.Call) and node.func in ("round_down", "round_up") and len(node.args) == 2:
            step = self.value_of(node.args[1], unit)
            return f"{self.calc(node.args[0], unit)} → {self.w('calc.' + node.func, unit=step)}"
        if isinstance(node, ast.Binary) and node.op in ("add", "sub", "mul", "div"):
            sym = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}[node.op]
            return f"{self._paren(node.left, unit)} {sym} {self._paren(node.right, unit)}"
        return self.valued.read(node, self._text)

    def _paren(self, node, unit) -> str:
        s = self.calc(node, unit)
        return f"({s})" if isinstance(node, ast.Binary) and node.op in ("add", "sub") else s

    def value_of(self, node, unit: str | None = None) -> str:
        if isinstance(node, ast.Name):
            return self.reader.shown(node.id, self.ev.env.get(node.id))
        return fmt(interpret(node, self.ev.env), self.lang, unit)

    def condition(self, rule, node: ast.Node, scope=None, plain: bool = False) -> str:
        """A condition in words (the policy's expression with --show-expr)."""
        if self.o.show_expr and rule is not None:
            return _squash(rule.text[node.start:node.end])
        reader = self.reader if plain else self.valued
        return reader.read(node, rule.text if rule is not None else "", scope)

    def part_line(self, owner, node: ast.Node, depth: int) -> None:
        env = self.ev.env
        if isinstance(node, ast.Name) and node.id in self.p.rules:
            self.rule_block(node.id, depth)
            return
        v = interpret(node, env)
        if isinstance(node, ast.Name):
            self.add(depth, f"{self.mark(v)} {self.label(node.id)}: {self.value(node.id, v)}")
            return
        if self.o.show_expr:
            names = list(dict.fromkeys(n.id for n in ast.free_names(node)))
            shown = ", ".join(f"{self.label(n)} = {self.value(n, env.get(n))}" for n in names
                              if n not in self.p.rules)
            self.add(depth, f"{self.mark(v)} {_squash(owner.text[node.start:node.end])}"
                     + (f"  ({shown})" if shown else ""))
        else:
            self.add(depth, f"{self.mark(v)} {self.valued.read(node, owner.text)}")
        for n in dict.fromkeys(n.id for n in ast.free_names(node)):
            if n in self.p.rules:
                self.rule_block(n, depth + 1)

    def elements(self, rule, node, depth: int) -> None:
        """Each element of the list a sum/count/list runs over: kept, or left out and why."""
        env = self.ev.env
        items = interpret(node.iterable, env)
        owner = node.iterable.id
        for item in items or ():
            scope = {node.var: item}
            k = interpret(node.filter, env, scope)
            mark, word = {True: ("✓", "kept"), False: ("✗", "left_out")}.get(k, ("?", "undecided"))
            if k is True:
                line = f"{mark} {self.w('element.' + word)}: {self.element(owner, item)}"
            else:
                line = f"{mark} {self.element(owner, item)} — {self.left_out(rule, node, scope, k)}"
            self.add(depth, line)

    def element(self, owner: str, item) -> str:
        """A record of a fact list by its text and amounts, with the fields' labels for units."""
        if not isinstance(item, dict):
            return fmt(item, self.lang)
        decl = self.p.facts[owner].spec
        fields = (decl.get("items") or {}).get("fields") or {}
        shown = []
        for k, x in item.items():
            f = fields.get(k) or {}
            if f.get("type") == "text" or (isinstance(x, str) and not f):
                shown.append(f"「{x}」" if self.lang == "ja" else f'"{x}"')
            elif f.get("type") in ("int", "number") or (isinstance(x, int) and not isinstance(x, bool) and not f):
                shown.append(fmt(x, self.lang, f.get("unit")))
        return " ".join(shown) or fmt(item, self.lang)

    def left_out(self, rule, node, scope: dict, k) -> str:
        """Why an element is left out: the deciding conditions in words, with the fields' citations."""
        env = self.ev.env
        owner = node.iterable.id
        parts = why(node.filter, env, scope)
        if self.o.show_expr:
            return "← " + "; ".join(_squash(rule.text[p.start:p.end]) for p in parts)
        st = {node.var: owner}
        fields = (self.p.facts[owner].spec.get("items") or {}).get("fields") or {}
        reasons, cites = [], []
        for p in parts:
            reasons.append(self.reader.read(p, rule.text, st))
            for n in ast.walk(p):
                if isinstance(n, ast.Field) and isinstance(n.obj, ast.Name) and n.obj.id == node.var:
                    c = (fields.get(n.name) or {}).get("cite")
                    for one in ([c] if isinstance(c, dict) else c or []):
                        if one not in cites:
                            cites.append(one)
        text = self.reader.join(reasons)
        if k is None:
            return self.w("element.open", reasons=text)
        if cites:
            return self.w("element.because_cited", reasons=text, cite=cites_text(cites, self.p.meta, self.lang))
        return self.w("element.because", reasons=text)

    def note_line(self, note: dict, depth: int) -> None:
        kind = note.get("kind")
        kind = self.w(f"note.{kind}") if kind in ("interpretation", "approximation", "discretion", "defect", "note") \
            else kind
        text = " ".join(((note.get("text") or {}).get(self.lang, "")).split())
        self.add(depth, f"※ {kind}: {text}" + self.cite(note.get("cite")))

    def policy_notes(self) -> None:
        notes = self.p.meta.get("notes") or []
        if not notes:
            return
        self.add(0, f"== {self.w('policy_notes')} ==")
        for note in notes:
            self.note_line(note, 1)


def _over_literal(node) -> bool:
    """A loop over a list written in the rule: its items are shown as the rules they name."""
    return isinstance(node, (ast.Aggregate, ast.ListComp)) and isinstance(node.iterable, ast.ListLit)


def _rule_ref(node, rules) -> bool:
    target = node.operand if isinstance(node, ast.Unary) and node.op == "not" else node
    return isinstance(target, ast.Name) and target.id in rules


def _squash(text: str) -> str:
    text = re.sub(r"#[^\n]*", "", text)
    return re.sub(r"\s+", " ", text).strip()


_PAINT = [(re.compile(r"^(==.*==)$"), "bold"), (re.compile(r"(✓)"), "green"), (re.compile(r"(✗)"), "red"),
          (re.compile(r"(?<![\w-])(\?)(?= )"), "yellow"), (re.compile(r"(\[[^\[\]]*\])$"), "dim")]


def _paint(text: str) -> str:
    out = []
    for line in text.split("\n"):
        for pattern, style in _PAINT:
            line = pattern.sub(lambda m, s=style: terminal.paint(m.group(1), s), line)
        out.append(line)
    return "\n".join(out)


def render_text(ev: Evaluation, lang: str = "ja", options: MemoOptions | None = None) -> str:
    return Memo(ev, lang, options).render()
