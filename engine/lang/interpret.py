# SPDX-License-Identifier: MIT
"""A straightforward reference interpreter of the AST, and the explanation analyses built on it.

The compiled closures (engine.compile) are the fast path; this module is the
slow, obvious one. Tests check that both agree. Explanations (which parts of a
rule decided its value) and needed facts (which absent facts leave a value
undecided) walk the AST here.
"""
from __future__ import annotations

from typing import Any

from engine.lang import ast

from engine.lang import builtins
from engine.lang.builtins import EvalError, check_magnitude, divide
from engine.lang.builtins import equal, member, not_equal, not_member

_ORD = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": equal, "!=": not_equal,
        "in": member, "not in": not_member}


def interpret(node: ast.Node, env: dict, scope: dict | None = None) -> Any:
    """The value of `node`; names come from `scope` (loop variables) then `env`."""
    scope = scope or {}
    ev = lambda n: interpret(n, env, scope)  # noqa: E731
    match node:
        case ast.Literal(value=v):
            return v
        case ast.Name(id=name):
            return scope[name] if name in scope else env.get(name)
        case ast.Field(obj=o, name=name):
            v = ev(o)
            return None if v is None else v.get(name)
        case ast.ListLit(items=items):
            return [ev(i) for i in items]
        case ast.RecordLit(entries=entries):
            return {k: ev(v) for k, v in entries}
        case ast.Unary(op=op, operand=o):
            v = ev(o)
            if v is None:
                return None
            return (not v) if op == "not" else -v
        case ast.Binary(op="and" | "or" as op, left=l, right=r):
            # left to right, stopping once decided: `a or 10 / n > 1` is true when a is, whatever n
            decisive = op == "or"
            a = ev(l)
            if a is decisive:
                return decisive
            b = ev(r)
            if b is decisive:
                return decisive
            return None if (a is None or b is None) else not decisive
        case ast.Binary(op=op, left=l, right=r):
            a, b = ev(l), ev(r)
            if a is None or b is None:
                return None
            try:
                if op == "div":
                    return check_magnitude(divide(a, b))
                return check_magnitude(a + b if op == "add" else a - b if op == "sub" else a * b)
            except EvalError as e:
                e.node = e.node or node
                raise
        case ast.Compare(operands=operands, ops=ops):
            vals = [ev(o) for o in operands]
            result: bool | None = True
            for i, op in enumerate(ops):
                x, y = vals[i], vals[i + 1]
                r = None if x is None or y is None else _ORD[op](x, y)
                if r is False:
                    return False
                if r is None:
                    result = None
            return result
        case ast.IsTest(kind=kind, operand=o):
            v = ev(o)
            return {"known": v is not None, "unknown": v is None, "true": v is True, "false": v is False}[kind]
        case ast.Cond(test=t, then=a, orelse=b):
            c = ev(t)
            if c is None:
                return None
            return ev(a) if c else ev(b)
        case ast.Call(func=func, args=args):
            try:
                return check_magnitude(builtins.BUILTINS[func].impl(*[ev(a) for a in args]))
            except EvalError as e:
                e.node = e.node or node
                raise
        case ast.Aggregate() | ast.ListComp():
            return _loop(node, env, scope)
    raise TypeError(f"cannot interpret {type(node).__name__}")


def _loop(node, env, scope):
    items = interpret(node.iterable, env, scope)
    if items is None:
        return None
    vals, unknown = [], False
    func = node.func if isinstance(node, ast.Aggregate) else "list"
    for item in items:
        inner = {**scope, node.var: item}
        if node.filter is not None:
            k = interpret(node.filter, env, inner)
            if k is None:
                unknown = True
                continue
            if not k:
                continue
        vals.append(True if func == "count" else interpret(node.expr, env, inner))
    if func == "any":
        return True if True in vals else (None if unknown or None in vals else False)
    if func == "all":
        return False if False in vals else (None if unknown or None in vals else True)
    if unknown:
        return None
    if func == "list":
        return vals
    if func == "count":
        return len(vals)
    if None in vals:
        return None
    if func == "sum":
        return check_magnitude(builtins.norm(sum(vals, 0)))
    try:
        return builtins.BUILTINS[func].impl(vals)
    except EvalError as e:
        e.node = e.node or node
        raise


# --------------------------------------------------------------------------- needed facts

def needs(node: ast.Node, env: dict, facts: set[str], rule_needs, scope: dict | None = None,
          rules: dict | None = None) -> set[str]:
    """Absent facts that leave `node` unknown: empty when the node is known (docs/language.md,
    "Needed facts", says exactly what is promised).

    `facts` are the declared fact names; `rule_needs(name)` gives the needs of another rule;
    `rules` (name -> node) lets an item-level need pass through a derived list rule to the facts
    its items come from. A branch that is not taken may fail (say, divide by zero) when looked at
    here; such a failure says nothing about missing facts, so it counts as known.
    """
    scope = scope or {}
    if not isinstance(node, (ast.ListLit, ast.RecordLit)) and _safe(node, env, scope) is not None:
        return set()
    rec = lambda n, s=scope: needs(n, env, facts, rule_needs, s, rules)  # noqa: E731
    match node:
        case ast.Name(id=name):
            if name in scope:
                return set()
            if name in facts:
                return {name}
            return set(rule_needs(name))
        case ast.Field(obj=obj):
            if _safe(obj, env, scope) is not None:  # a known record without that field: its fact is needed
                return {n.id for n in ast.free_names(obj) if n.id in facts and n.id not in scope} \
                    | {item_marker(n.id) for n in ast.free_names(obj) if n.id in scope}
            return rec(obj)
        case ast.Cond(test=t, then=a, orelse=b):
            c = _safe(t, env, scope)
            if c is None:
                return rec(t) | rec(a) | rec(b)
            return rec(a) if c else rec(b)
        case ast.Aggregate() | ast.ListComp():
            out = rec(node.iterable)
            items = _safe(node.iterable, env, scope)
            inner_needs: set[str] = set()
            undecided = False
            if items is None:  # an unknown list: what its filter and body read is needed too
                inner = {**scope, node.var: None}
                for part in (node.filter, node.expr):
                    if part is not None:
                        inner_needs |= rec(part, inner)
            for item in items if isinstance(items, list) else ():
                inner = {**scope, node.var: item}
                if node.filter is not None:
                    inner_needs |= rec(node.filter, inner)
                    k = _safe(node.filter, env, inner)
                    undecided |= k is None
                    if k is False:
                        continue
                inner_needs |= rec(node.expr, inner)
                undecided |= _safe(node.expr, env, inner) is None
            marker = item_marker(node.var)
            if marker in inner_needs:  # an item's own field is missing: the list it came from is needed
                inner_needs.discard(marker)
                inner_needs |= item_sources(node.iterable, facts, scope, rules)
            if undecided and not inner_needs:
                inner_needs = {n.id for n in ast.free_names(node.iterable, frozenset(scope)) if n.id in facts}
            return out | inner_needs
    out: set[str] = set()
    for c in ast.children(node):
        out |= rec(c)
    return out


def item_marker(var: str) -> str:
    """Stands in needed facts for "a field of an item of loop `var`", until that loop says whose items."""
    return f"\0item:{var}"


def item_sources(node: ast.Node, facts, scope, rules: dict | None, seen: frozenset = frozenset()) -> set[str]:
    """The facts the items of list `node` come from: through derived list rules (`rules`),
    comprehensions and conditionals; an outer loop's item stands as its marker."""
    match node:
        case ast.Name(id=name):
            if name in scope:
                return {item_marker(name)}
            if name in facts:
                return {name}
            if rules and name in rules and name not in seen and rules[name] is not None:
                return item_sources(rules[name], facts, {}, rules, seen | {name})
            return set()
        case ast.ListComp(iterable=it):
            return item_sources(it, facts, scope, rules, seen)
        case ast.Cond(then=a, orelse=b):
            return item_sources(a, facts, scope, rules, seen) | item_sources(b, facts, scope, rules, seen)
        case ast.Field(obj=obj):
            return item_sources(obj, facts, scope, rules, seen)
    out: set[str] = set()
    for n in ast.free_names(node):
        out |= item_sources(n, facts, scope, rules, seen)
    return out


def _safe(node, env, scope):
    """interpret(), with a failure in a speculative look counted as a known value."""
    try:
        return interpret(node, env, scope)
    except EvalError:
        return _FAILED


_FAILED = object()


# --------------------------------------------------------------------------- why

def why(node: ast.Node, env: dict, scope: dict | None = None) -> list[ast.Node]:
    """The sub-expressions that decided a boolean node's value (leaves: comparisons, names, calls)."""
    scope = scope or {}
    value = _safe(node, env, scope)
    match node:
        case ast.Binary(op="and" | "or" as op):
            parts = ast.operands(node, op)
            decisive = op == "or"
            if value is decisive:
                chosen = [p for p in parts if _safe(p, env, scope) is decisive]
            elif value is None:
                chosen = [p for p in parts if _safe(p, env, scope) is None]
            else:
                chosen = parts
            out = []
            for p in chosen:
                out.extend(why(p, env, scope))
            return out
        case ast.Unary(op="not", operand=o):
            return why(o, env, scope) if not isinstance(o, (ast.Name, ast.Compare)) else [node]
        case ast.Cond(test=t, then=a, orelse=b):
            c = _safe(t, env, scope)
            if c is None or c is _FAILED:
                return [t]
            return [t] + why(a if c else b, env, scope)
    return [node]


