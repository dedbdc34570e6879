# SPDX-License-Identifier: MIT
"""Compile AST nodes into closures `f(env) -> value` (None = unknown), once per policy load."""
from __future__ import annotations

import operator
from typing import Any, Callable

from . import ast, builtins
from .builtins import EvalError, check_magnitude, divide

Fn = Callable[[dict], Any]

_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
          "==": operator.eq, "!=": operator.ne}


def compile_expr(node: ast.Node) -> Fn:
    """A closure computing the node's value from an environment of names."""
    return _COMPILERS[type(node)](node)


def _literal(n: ast.Literal) -> Fn:
    v = n.value
    return lambda env: v


def _name(n: ast.Name) -> Fn:
    name = n.id
    return lambda env: env.get(name)


def _field(n: ast.Field) -> Fn:
    obj, name = compile_expr(n.obj), n.name

    def f(env):
        o = obj(env)
        return None if o is None else o.get(name)
    return f


def _list(n: ast.ListLit) -> Fn:
    items = [compile_expr(i) for i in n.items]
    return lambda env: [i(env) for i in items]


def _record(n: ast.RecordLit) -> Fn:
    entries = [(k, compile_expr(v)) for k, v in n.entries]
    return lambda env: {k: v(env) for k, v in entries}


def _unary(n: ast.Unary) -> Fn:
    x = compile_expr(n.operand)
    if n.op == "not":
        def f(env):
            v = x(env)
            return None if v is None else not v
    else:
        def f(env):
            v = x(env)
            return None if v is None else -v
    return f


def _flatten(n: ast.Node, op: str) -> list[ast.Node]:
    if isinstance(n, ast.Binary) and n.op == op:
        return _flatten(n.left, op) + _flatten(n.right, op)
    return [n]


def _kleene(n: ast.Binary) -> Fn:
    parts = [compile_expr(p) for p in _flatten(n, n.op)]
    decisive = n.op == "or"  # the value that decides: True for or, False for and

    def f(env):
        unknown = False
        for p in parts:
            v = p(env)
            if v is decisive:
                return decisive
            if v is None:
                unknown = True
        return None if unknown else not decisive
    return f


def _binary(n: ast.Binary) -> Fn:
    if n.op in ("and", "or"):
        return _kleene(n)
    a, b = compile_expr(n.left), compile_expr(n.right)
    if n.op == "div":
        def f(env):
            x, y = a(env), b(env)
            if x is None or y is None:
                return None
            try:
                return check_magnitude(divide(x, y))
            except EvalError as e:
                e.node = e.node or n
                raise
        return f
    op = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}[n.op]

    def g(env):
        x, y = a(env), b(env)
        if x is None or y is None:
            return None
        return check_magnitude(op(x, y))
    return g


def _compare(n: ast.Compare) -> Fn:
    if len(n.ops) == 1:
        return _compare_one(n)
    operands = [compile_expr(o) for o in n.operands]
    ops = [_op(o) for o in n.ops]

    def f(env):
        vals = [o(env) for o in operands]
        unknown = False
        for i, op in enumerate(ops):
            x, y = vals[i], vals[i + 1]
            if x is None or y is None:
                unknown = True
            else:
                r = op(x, y)
                if r is None:
                    unknown = True
                elif not r:
                    return False
        return None if unknown else True
    return f


def member(x, xs):
    """Kleene membership: true if found, unknown if not found but some element is unknown."""
    if x in xs:
        return True
    return None if None in xs else False


def not_member(x, xs):
    m = member(x, xs)
    return None if m is None else not m


def _op(sym: str):
    if sym == "in":
        return member
    if sym == "not in":
        return not_member
    return _ORDER[sym]


def _compare_one(n: ast.Compare) -> Fn:
    left, right = n.operands
    op = _op(n.ops[0])
    if isinstance(right, ast.Literal) and isinstance(left, ast.Name):
        name, c = left.id, right.value

        def f(env):
            x = env.get(name)
            return None if x is None else op(x, c)
        return f
    a, b = compile_expr(left), compile_expr(right)

    def g(env):
        x, y = a(env), b(env)
        if x is None or y is None:
            return None
        return op(x, y)
    return g


def _is(n: ast.IsTest) -> Fn:
    x = compile_expr(n.operand)
    kind = n.kind
    if kind == "known":
        return lambda env: x(env) is not None
    if kind == "unknown":
        return lambda env: x(env) is None
    if kind == "true":
        return lambda env: x(env) is True
    return lambda env: x(env) is False


def _cond(n: ast.Cond) -> Fn:
    t, a, b = compile_expr(n.test), compile_expr(n.then), compile_expr(n.orelse)

    def f(env):
        c = t(env)
        if c is None:
            return None
        return a(env) if c else b(env)
    return f


def _call(n: ast.Call) -> Fn:
    impl, _ = builtins.IMPLS[n.func]
    args = [compile_expr(a) for a in n.args]

    def f(env):
        try:
            return check_magnitude(impl(*[a(env) for a in args]))
        except EvalError as e:
            e.node = e.node or n
            raise
    return f


def _loop(n):
    """(iterable, var, body, filter) closures for aggregate and list comprehension."""
    it = compile_expr(n.iterable)
    body = compile_expr(n.expr)
    filt = compile_expr(n.filter) if n.filter is not None else None
    return it, n.var, body, filt


def _selected(env, it, var, body, filt, need_value=True):
    """Values of the kept elements; None when a filter is unknown or the list is unknown."""
    items = it(env)
    if items is None:
        return None
    out = []
    unknown = False
    for item in items:
        env[var] = item
        if filt is not None:
            k = filt(env)
            if k is None:
                unknown = True
                continue
            if not k:
                continue
        out.append(body(env) if need_value else True)
    env.pop(var, None)
    return (out, unknown)


def _aggregate(n: ast.Aggregate) -> Fn:
    it, var, body, filt = _loop(n)
    func = n.func

    def f(env):
        got = _selected(env, it, var, body, filt, need_value=func != "count")
        if got is None:
            return None
        vals, unknown_filter = got
        if func == "any":
            if True in vals:
                return True
            return None if unknown_filter or None in vals else False
        if func == "all":
            if False in vals:
                return False
            return None if unknown_filter or None in vals else True
        if unknown_filter:
            return None
        if func == "count":
            return len(vals)
        if func == "sum":
            if None in vals:
                return None
            return check_magnitude(builtins.norm(sum(vals, 0)))
        try:
            return builtins.IMPLS[func][0](vals)
        except EvalError as e:
            e.node = e.node or n
            raise
    return f


def _listcomp(n: ast.ListComp) -> Fn:
    it, var, body, filt = _loop(n)

    def f(env):
        got = _selected(env, it, var, body, filt)
        if got is None or got[1]:
            return None
        return got[0]
    return f


_COMPILERS = {
    ast.Literal: _literal, ast.Name: _name, ast.Field: _field, ast.ListLit: _list, ast.RecordLit: _record,
    ast.Unary: _unary, ast.Binary: _binary, ast.Compare: _compare, ast.IsTest: _is, ast.Cond: _cond,
    ast.Call: _call, ast.Aggregate: _aggregate, ast.ListComp: _listcomp,
}
