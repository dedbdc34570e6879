# SPDX-License-Identifier: MIT
"""Rule coverage: which outcomes, branches and deciding operands a set of evaluations exercised.

Goals, per rule (checked by walking the AST with the reference interpreter over each case's
values, so the compiled fast path is untouched):

- a boolean rule was true in some case, and false in some case;
- each `if c then a else b` took `then` (c true) and `else` (c false);
- in each chain `p1 and p2 and ...`, each operand decided the outcome on its own: it was false
  while every other operand was true (so flipping it flips the result); likewise for `or`, true
  while every other operand was false. A chain inside a rule also needs its all-true (`and`) or
  all-false (`or`) case; for a chain that is the whole rule that is the rule's outcome goal.
  (This is MC/DC's unique-cause criterion: n + 1 cases cover an n-operand chain.)

An unknown value satisfies no goal. Comprehension bodies count once per element.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.base.words import say
from engine.lang import ast
from engine.present.citations import cites_text
from engine.lang.interpret import interpret
from engine.policy.load import Policy, Rule


@dataclass
class Goal:
    rule: str
    kind: str  # "true" | "false" | "then" | "else" | "alone" | "all"
    node: ast.Node
    op: str = ""  # "and" | "or" for chain goals
    hit: bool = False


@dataclass
class Coverage:
    policy: Policy
    cases: int
    goals: dict[str, list[Goal]] = field(default_factory=dict)  # rule -> its goals, in source order

    @property
    def covered(self) -> int:
        return sum(g.hit for gs in self.goals.values() for g in gs)

    @property
    def total(self) -> int:
        return sum(len(gs) for gs in self.goals.values())

    @property
    def percent(self) -> float:
        return 100 * self.covered / self.total if self.total else 100.0


def goals_of(rule: Rule) -> list[Goal]:
    """Every goal of a rule, found statically (so goals in branches never taken are still listed)."""
    out: list[Goal] = []
    if rule.type.kind == "bool":
        out += [Goal(rule.name, "true", rule.node), Goal(rule.name, "false", rule.node)]
    _static(rule, rule.node, out, top=True)
    return out


def _static(rule: Rule, node: ast.Node, out: list[Goal], top: bool = False) -> None:
    if isinstance(node, ast.Cond):
        out += [Goal(rule.name, "then", node), Goal(rule.name, "else", node)]
    if isinstance(node, ast.Binary) and node.op in ("and", "or"):
        parts = ast.operands(node, node.op)
        if not top or rule.type.kind != "bool":
            out.append(Goal(rule.name, "all", node, node.op))
        out += [Goal(rule.name, "alone", p, node.op) for p in parts]
        for p in parts:
            _static(rule, p, out)
        return
    for c in ast.children(node):
        _static(rule, c, out)



def measure(policy: Policy, envs: list[dict]) -> Coverage:
    """Coverage of every rule of `policy` by the evaluated environments (one per case)."""
    cov = Coverage(policy, len(envs))
    for name, rule in policy.rules.items():
        goals = goals_of(rule)
        index = {(g.kind, id(g.node)): g for g in goals}
        for env in envs:
            value = env.get(name)
            for kind in ("true", "false"):
                if value is (kind == "true") and (kind, id(rule.node)) in index:
                    index[(kind, id(rule.node))].hit = True
            _walk(rule.node, env, {}, index)
        cov.goals[name] = goals
    return cov


def _hit(index, kind, node) -> None:
    g = index.get((kind, id(node)))
    if g is not None:
        g.hit = True


def _walk(node: ast.Node, env: dict, scope: dict, index: dict) -> None:
    """Visit the nodes the interpreter evaluates, marking the goals their values satisfy."""
    if isinstance(node, ast.Cond):
        c = interpret(node.test, env, scope)
        _walk(node.test, env, scope, index)
        if c is True:
            _hit(index, "then", node)
            _walk(node.then, env, scope, index)
        elif c is False:
            _hit(index, "else", node)
            _walk(node.orelse, env, scope, index)
        return
    if isinstance(node, ast.Binary) and node.op in ("and", "or"):
        parts = ast.operands(node, node.op)
        vals = [interpret(p, env, scope) for p in parts]
        neutral = node.op == "and"  # the value that leaves the outcome to the other operands
        if all(v is neutral for v in vals):
            _hit(index, "all", node)
        for i, p in enumerate(parts):
            others = vals[:i] + vals[i + 1:]
            if vals[i] is (not neutral) and all(v is neutral for v in others):
                _hit(index, "alone", p)
            _walk(p, env, scope, index)
        return
    if isinstance(node, (ast.Aggregate, ast.ListComp)):
        _walk(node.iterable, env, scope, index)
        for item in interpret(node.iterable, env, scope) or ():
            inner = {**scope, node.var: item}
            if node.filter is not None:
                _walk(node.filter, env, inner, index)
                if interpret(node.filter, env, inner) is not True:
                    continue
            _walk(node.expr, env, inner, index)
        return
    for c in ast.children(node):
        _walk(c, env, scope, index)


# --------------------------------------------------------------------------- report

def snippet(rule: Rule, node: ast.Node, limit: int = 60) -> str:
    text = " ".join(rule.text[node.start:node.end].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(cov: Coverage, g: Goal, lang: str = "en") -> str:
    """One uncovered goal in words."""
    rule = cov.policy.rules[g.rule]
    if g.kind in ("true", "false"):
        return say(f"commands.coverage.{g.kind}", lang)
    if g.kind in ("then", "else"):
        return say(f"commands.coverage.{g.kind}", lang, x=snippet(rule, g.node.test, 40))
    if g.kind == "all":
        return say(f"commands.coverage.all_{g.op}", lang, x=snippet(rule, g.node))
    chain = _chain_of(rule.node, g.node)
    return say(f"commands.coverage.alone_{g.op}", lang, x=snippet(rule, g.node, 40),
               c=snippet(rule, chain, 50) if chain else "")


def _chain_of(root: ast.Node, part: ast.Node) -> ast.Node | None:
    """The outermost and/or chain that has `part` as one of its operands."""
    for n in ast.walk(root):
        if isinstance(n, ast.Binary) and n.op in ("and", "or") and any(p is part for p in ast.operands(n, n.op)):
            return n
    return None


def render_report(cov: Coverage, lang: str = "en") -> str:
    """Per-rule counts, then the uncovered goals grouped by the citation of their rule."""
    p = cov.policy
    lines = [say("commands.coverage.title.one" if cov.cases == 1 else "commands.coverage.title", lang, path=p.path,
                 n=cov.cases, c=cov.covered, t=cov.total, p=f"{cov.percent:.1f}")]
    width = max((len(n) for n in cov.goals), default=4)
    for name, goals in cov.goals.items():
        if goals:
            hit = sum(g.hit for g in goals)
            mark = "✓" if hit == len(goals) else " "
            lines.append(f"  {mark} {name.ljust(width)}  {f'{hit}/{len(goals)}':>5}")
    by_cite: dict[str, list[str]] = {}
    for name, goals in cov.goals.items():
        missing = [g for g in goals if not g.hit]
        if missing:
            where = cites_text(p.rules[name].spec.get("cite"), p.meta, lang) or name
            by_cite.setdefault(where, []).extend(f"{name}: {describe(cov, g, lang)}" for g in missing)
    lines.append("")
    if not by_cite:
        lines.append(say("commands.coverage.none", lang))
    else:
        lines.append(say("commands.coverage.uncovered", lang))
        for where, items in by_cite.items():
            lines.append(f"  {where}")
            lines.extend(f"    - {x}" for x in items)
    return "\n".join(lines) + "\n"
