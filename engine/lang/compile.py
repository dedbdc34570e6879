# SPDX-License-Identifier: MIT
"""Compile AST nodes into closures `f(env) -> value` (None = unknown), once per policy load."""
from __future__ import annotations

import datetime
import operator
from fractions import Fraction
from typing import Any, Callable

from engine.lang import ast
from engine.lang.interpret import item_marker, item_sources
from engine.lang.values import key_of

from engine.lang import builtins
from engine.lang.builtins import STRUCT, EvalError, check_magnitude, divide, equal, member, not_equal, not_member

Fn = Callable[[dict], Any]

def _eq(x, y):
    return equal(x, y) if type(x) in STRUCT or type(y) in STRUCT else x == y


def _ne(x, y):
    return not_equal(x, y) if type(x) in STRUCT or type(y) in STRUCT else x != y


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": _eq, "!=": _ne}


def compile_expr(node: ast.Node, consts: dict | None = None) -> Fn:
    """A closure computing the node's value from an environment of names.

    The environment must hold every name the node reads (None for an unknown fact):
    `compile_policy` builds such environments. `consts` are names whose values are fixed
    when the closure is built (a policy's parameters); they are folded in.
    """
    return _Compiler(consts or {}).compile(node)


class _Compiler:
    """Compiles nodes, specialising the common shapes (names, constants, comparisons, and/or)."""

    def __init__(self, consts: dict):
        self.consts = consts
        self.bound: list[set] = []  # loop variables in scope (never folded as constants)
        # Each node is compiled once per scope: a parent asks for a child's operand and may then
        # ask for its closure; compiling twice doubled the work at every level of `a + b + c + ...`.
        self._done: dict = {}

    def compile(self, node: ast.Node) -> Fn:
        kind, x = self.operand(node)
        if kind == "const":
            return lambda env: x
        if kind == "name":
            return _read(x)
        return x

    def operand(self, node: ast.Node):
        """("const", value), ("name", id) or ("fn", closure): lets parents read names and constants inline."""
        key = (id(node), frozenset().union(*self.bound) if self.bound else None)
        got = self._done.get(key)
        if got is None or got[0] is not node:
            got = self._done[key] = (node, self._operand(node))
        return got[1]

    def _operand(self, node: ast.Node):
        if isinstance(node, ast.Literal):
            return "const", node.value
        if isinstance(node, ast.Name):
            if node.id in self.consts and not any(node.id in b for b in self.bound):
                return "const", self.consts[node.id]
            return "name", node.id
        if isinstance(node, ast.ListLit):
            items = [self.operand(i) for i in node.items]
            if all(k == "const" for k, _ in items):
                return "const", [v for _, v in items]
        fn = _COMPILERS[type(node)](self, node)
        if self._constant(node):
            try:
                return "const", fn({})
            except (EvalError, ArithmeticError, TypeError, ValueError):
                pass  # evaluated per facility, where the error is reported with its rule
        return "fn", fn

    def _constant(self, node: ast.Node) -> bool:
        """Whether the node reads only constants (and no mutable value is built)."""
        if isinstance(node, (ast.ListLit, ast.RecordLit, ast.ListComp)):
            return False
        bound = frozenset().union(*self.bound) if self.bound else frozenset()
        return self._reads_consts(node, bound, frozenset())

    def _reads_consts(self, node: ast.Node, bound: frozenset, local: frozenset) -> bool:
        """Every name the node reads is a constant or one of its own loop variables (memoised:
        asking this of every level of a chain must not walk the chain again each time)."""
        key = ("consts", id(node), bound, local)
        got = self._done.get(key)
        if got is not None and got[0] is node:
            return got[1]
        if isinstance(node, ast.Name):
            ok = node.id in local or (node.id in self.consts and node.id not in bound)
        elif isinstance(node, (ast.Aggregate, ast.ListComp)):
            inner = local | {node.var}
            ok = self._reads_consts(node.iterable, bound, local) and self._reads_consts(node.expr, bound, inner) \
                and (node.filter is None or self._reads_consts(node.filter, bound, inner))
        else:
            ok = all(self._reads_consts(c, bound, local) for c in ast.children(node))
        self._done[key] = (node, ok)
        return ok


def _read(name: str) -> Fn:
    return operator.itemgetter(name)  # env[name], called from C


def _literal(c, n: ast.Literal) -> Fn:
    v = n.value
    return lambda env: v


def _name(c, n: ast.Name) -> Fn:
    return c.compile(n)


def _field(c, n: ast.Field) -> Fn:
    kind, x = c.operand(n.obj)
    name = n.name
    if kind == "name":
        def of_name(env):
            o = env[x]
            return None if o is None else o.get(name)
        return of_name
    obj = c.compile(n.obj)

    def f(env):
        o = obj(env)
        return None if o is None else o.get(name)
    return f


def _list(c, n: ast.ListLit) -> Fn:
    items = [c.compile(i) for i in n.items]
    return lambda env: [i(env) for i in items]


def _record(c, n: ast.RecordLit) -> Fn:
    kinds = [(k, *c.operand(v)) for k, v in n.entries]
    if all(kind in ("const", "name") for _, kind, _ in kinds):
        fixed = {k: v for k, kind, v in kinds if kind == "const"}
        named = [(k, v) for k, kind, v in kinds if kind == "name"]

        def simple(env):
            d = dict(fixed)
            for k, name in named:
                d[k] = env[name]
            return d
        return simple
    entries = [(k, c.compile(v)) for k, v in n.entries]
    return lambda env: {k: v(env) for k, v in entries}


def _unary(c, n: ast.Unary) -> Fn:
    kind, x = c.operand(n.operand)
    if n.op == "not":
        if kind == "name":
            def f(env):
                v = env[x]
                return None if v is None else not v
            return f
        x = c.compile(n.operand)

        def g(env):
            v = x(env)
            return None if v is None else not v
        return g
    x = c.compile(n.operand)

    def h(env):
        v = x(env)
        return None if v is None else -v
    return h



def _kleene(c, n: ast.Binary) -> Fn:
    """Three-valued and/or over the flattened operands; names are read in one C call."""
    nodes = ast.operands(n, n.op)
    decisive = n.op == "or"  # the value that decides: True for or, False for and
    kinds = [c.operand(p) for p in nodes]
    if all(k == "name" for k, _ in kinds):
        names = [x for _, x in kinds]
        if len(names) == 1:
            get = _read(names[0])
        else:
            get = operator.itemgetter(*names)
        return _kleene_values(get, decisive)
    parts = [c.compile(p) for p in nodes]

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


def _kleene_values(get, decisive: bool) -> Fn:
    """and/or of boolean names: the values come as a tuple; `in` scans it in C."""
    def f(env):
        vs = get(env)
        if decisive in vs:
            return decisive
        return None if None in vs else not decisive
    return f


_ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}
_M = builtins.MAX_MAGNITUDE


def _magnitude(r):
    """check_magnitude, answered in integer arithmetic for ints and Fractions."""
    t = type(r)
    if t is int:
        if -_M <= r <= _M:
            return r
    elif t is Fraction:
        n, d = r.numerator, r.denominator
        if d <= _M and -_M * d <= n <= _M * d:
            return r
    return check_magnitude(r)


def _checked(n: ast.Node, impl, *args):
    """check_magnitude(impl(*args)); an EvalError it raises points at n unless it points already."""
    try:
        return check_magnitude(impl(*args))
    except EvalError as e:
        e.node = e.node or n
        raise


def _mul_fraction(x: int, k: Fraction) -> Fraction:
    """int * Fraction as Python gives it (a Fraction), built in one step."""
    return Fraction(x * k.numerator, k.denominator)


def _binary(c, n: ast.Binary) -> Fn:
    if n.op in ("and", "or"):
        return _kleene(c, n)
    if n.op == "div":
        a, b = c.compile(n.left), c.compile(n.right)

        def f(env):
            x, y = a(env), b(env)
            if x is None or y is None:
                return None
            if type(x) is int and type(y) is int and y and -_M <= x <= _M and -_M <= y <= _M:
                q, r = divmod(x, y)  # in range: |x/y| <= |x| and the denominator divides y
                return q if r == 0 else Fraction(x, y)
            return _checked(n, divide, x, y)
        return f
    op = _ARITH[n.op]
    (ka, a), (kb, b) = c.operand(n.left), c.operand(n.right)
    if ka == "name" and kb == "const" and b is not None:
        name, k = a, b
        if n.op == "mul" and type(k) is Fraction:
            def nf(env):
                x = env[name]
                if x is None:
                    return None
                return _magnitude(_mul_fraction(x, k) if type(x) is int else x * k)
            return nf

        def nk(env):
            x = env[name]
            if x is None:
                return None
            r = op(x, k)
            return r if type(r) is int and -_M <= r <= _M else _magnitude(r)
        return nk
    a, b = c.compile(n.left), c.compile(n.right)

    def g(env):
        x, y = a(env), b(env)
        if x is None or y is None:
            return None
        r = op(x, y)
        return r if type(r) is int and -_M <= r <= _M else _magnitude(r)
    return g


def _op(sym: str):
    if sym == "in":
        return member
    if sym == "not in":
        return not_member
    return _ORDER[sym]


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _compare(c, n: ast.Compare) -> Fn:
    if len(n.ops) == 1:
        return _compare_one(c, n)
    if len(n.ops) == 2:
        f = _between(c, n)
        if f is not None:
            return f
    operands = [c.compile(o) for o in n.operands]
    ops = [_op(o) for o in n.ops]

    def g(env):
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
    return g


def _between(c, n: ast.Compare) -> Fn | None:
    """lo <(=) name <(=) hi with constant bounds: one closure, Python's own chained comparison."""
    (k1, lo), (k2, name), (k3, hi) = (c.operand(o) for o in n.operands)
    if not (k1 == "const" and k2 == "name" and k3 == "const" and lo is not None and hi is not None):
        return None
    ops = tuple(n.ops)
    if ops == ("<=", "<"):
        def f(env):
            x = env[name]
            return None if x is None else lo <= x < hi
        return f
    if ops == ("<=", "<="):
        def g(env):
            x = env[name]
            return None if x is None else lo <= x <= hi
        return g
    if ops == ("<", "<"):
        def h(env):
            x = env[name]
            return None if x is None else lo < x < hi
        return h
    if ops == ("<", "<="):
        def i(env):
            x = env[name]
            return None if x is None else lo < x <= hi
        return i
    return None


def _name_const(name: str, sym: str, k) -> Fn:
    """`name op constant`, the commonest comparison, with the operator inline."""
    if sym == "<":
        return lambda env: None if (x := env[name]) is None else x < k
    if sym == "<=":
        return lambda env: None if (x := env[name]) is None else x <= k
    if sym == ">":
        return lambda env: None if (x := env[name]) is None else x > k
    if sym == ">=":
        return lambda env: None if (x := env[name]) is None else x >= k
    if sym == "==":
        return lambda env: None if (x := env[name]) is None else x == k
    return lambda env: None if (x := env[name]) is None else x != k


def _compare_one(c, n: ast.Compare) -> Fn:
    sym = n.ops[0]
    (ka, a), (kb, b) = c.operand(n.operands[0]), c.operand(n.operands[1])
    if sym in _FLIP and ka == "const" and kb == "name" and a is not None:
        ka, a, kb, b, sym = kb, b, ka, a, _FLIP[sym]
    if sym in _FLIP and ka == "name" and kb == "const" and b is not None and type(b) not in STRUCT:
        return _name_const(a, sym, b)
    if (sym in ("in", "not in") and ka == "name" and kb == "const" and isinstance(b, list) and None not in b
            and not any(type(v) in STRUCT for v in b)):
        if all(type(v) is str for v in b):
            found = frozenset(b)  # text in a list of texts: a set lookup, same answer
        else:
            found = tuple(b)
        if sym == "in":
            return lambda env: None if (x := env[a]) is None else x in found
        return lambda env: None if (x := env[a]) is None else x not in found
    if sym == "in" and ka == "name" and kb == "name":
        def in_name(env):
            x, xs = env[a], env[b]
            if x is None or xs is None:
                return None
            if type(x) in STRUCT:
                return member(x, xs)
            if x in xs:
                return True
            return None if None in xs else False
        return in_name
    op = _op(sym)
    if ka == "name" and kb == "name":
        def names(env):
            x, y = env[a], env[b]
            if x is None or y is None:
                return None
            return op(x, y)
        return names
    return _strict(c.compile(n.operands[0]), c.compile(n.operands[1]), op)


def _strict(fa: Fn, fb: Fn, op) -> Fn:
    """op of two closures' values; unknown when either is."""
    def f(env):
        x, y = fa(env), fb(env)
        if x is None or y is None:
            return None
        return op(x, y)
    return f


def _is(c, n: ast.IsTest) -> Fn:
    kind = n.kind
    k, name = c.operand(n.operand)
    if k == "name":
        if kind == "known":
            return lambda env: env[name] is not None
        if kind == "unknown":
            return lambda env: env[name] is None
        if kind == "true":
            return lambda env: env[name] is True
        return lambda env: env[name] is False
    x = c.compile(n.operand)
    if kind == "known":
        return lambda env: x(env) is not None
    if kind == "unknown":
        return lambda env: x(env) is None
    if kind == "true":
        return lambda env: x(env) is True
    return lambda env: x(env) is False


def _cond(c, n: ast.Cond) -> Fn:
    kt, t = c.operand(n.test)
    (ka, a), (kb, b) = c.operand(n.then), c.operand(n.orelse)
    if kt == "name" and ka == "name" and kb == "name":
        def names(env):
            v = env[t]
            if v is None:
                return None
            return env[a] if v else env[b]
        return names
    a, b = c.compile(n.then), c.compile(n.orelse)
    if kt == "name" and kb == "const":
        k = c.operand(n.orelse)[1]

        def else_const(env):
            v = env[t]
            if v is None:
                return None
            return a(env) if v else k
        return else_const
    if kt == "name":
        def f(env):
            v = env[t]
            if v is None:
                return None
            return a(env) if v else b(env)
        return f
    t = c.compile(n.test)

    def g(env):
        v = t(env)
        if v is None:
            return None
        return a(env) if v else b(env)
    return g


def _round_fast(x, unit, up: bool):
    """round_down/round_up of an int or Fraction by a positive int unit, in integer arithmetic."""
    if type(x) is int:
        num, den = x, unit
    else:
        num, den = x.numerator, x.denominator * unit
    q = abs(num) // den
    if up and q * den != abs(num):
        q += 1
    return (q if num >= 0 else -q) * unit


def _call(c, n: ast.Call) -> Fn:
    impl = builtins.BUILTINS[n.func].impl
    args = [c.compile(a) for a in n.args]
    if n.func in ("round_down", "round_up") and len(args) == 2:
        up = n.func == "round_up"
        xa, ua = args

        def rnd(env):
            x, unit = xa(env), ua(env)
            if x is None or unit is None:
                return None
            if type(unit) is int and unit > 0 and (type(x) is int or type(x) is Fraction):
                return check_magnitude(_round_fast(x, unit, up))
            return _checked(n, impl, x, unit)
        return rnd
    if n.func in ("add_days", "add_years") and len(args) == 2:
        return _date_step(n, impl, args)
    if n.func == "abs" and len(args) == 1:
        (a,) = args

        def absolute(env):
            x = a(env)
            return None if x is None else abs(x)
        return absolute
    if n.func in ("min", "max") and len(args) == 2:
        pick = min if n.func == "min" else max
        a, b = args
        kb, k = c.operand(n.args[1])
        if kb == "const" and k is not None and not isinstance(k, (list, dict)):
            if n.func == "min":
                def min_k(env):
                    x = a(env)
                    return None if x is None else (k if k < x else x)
                return min_k

            def max_k(env):
                x = a(env)
                return None if x is None else (k if k > x else x)
            return max_k

        return _strict(a, b, pick)

    def f(env):
        try:
            return check_magnitude(impl(*[a(env) for a in args]))
        except EvalError as e:
            e.node = e.node or n
            raise
    return f


def _date_step(n: ast.Call, impl, args) -> Fn:
    """add_days / add_years without the generic call; the built-in answers the rare hard cases."""
    da, na = args
    days = n.func == "add_days"

    def f(env):
        d, k = da(env), na(env)
        if d is None or k is None:
            return None
        if type(k) is int and type(d) is datetime.date:
            if days:
                if -3_000_000 < k < 3_000_000 and datetime.date(2, 1, 1) <= d <= datetime.date(9990, 1, 1):
                    r = d + datetime.timedelta(days=k)
                    if datetime.date(1, 1, 1) < r < datetime.date(9999, 1, 1):
                        return r
            else:
                y = d.year + k
                if 1 <= y <= 9999 and not (d.month == 2 and d.day == 29):
                    return d.replace(year=y)
        return _checked(n, impl, d, k)
    return f


def _loop(c, n):
    """(iterable, var, body, filter) closures for aggregate and list comprehension."""
    it = c.compile(n.iterable)
    c.bound.append({n.var})
    try:
        body = c.compile(n.expr)
        filt = c.compile(n.filter) if n.filter is not None else None
    finally:
        c.bound.pop()
    return it, n.var, body, filt


_MISSING = object()


def _selected(env, it, var, body, filt, need_value=True):
    """Values of the kept elements; None when a filter is unknown or the list is unknown."""
    items = it(env)
    if items is None:
        return None
    out = []
    unknown = False
    saved = env.get(var, _MISSING)
    try:
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
    finally:
        if saved is _MISSING:
            env.pop(var, None)
        else:
            env[var] = saved
    return (out, unknown)


def _aggregate(c, n: ast.Aggregate) -> Fn:
    it, var, body, filt = _loop(c, n)
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
            return builtins.BUILTINS[func].impl(vals)
        except EvalError as e:
            e.node = e.node or n
            raise
    return f


def _listcomp(c, n: ast.ListComp) -> Fn:
    it, var, body, filt = _loop(c, n)

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


# --------------------------------------------------------------------------- whole policies

class Runner:
    """A policy compiled to closures, one per rule: `run(facts)` -> every fact and rule value.

    Closures read names by plain subscript, so the environment starts as a template with None for
    each fact (and the parameters, which explanations read), overlaid with the facts given.
    """

    def __init__(self, policy):
        self.params = policy.param_env()
        self.template = dict.fromkeys(policy.facts)
        self.template.update(self.params)
        self.steps = [(name, compile_expr(policy.rules[name].node, self.params)) for name in policy.order]

    def __call__(self, facts: dict) -> dict:
        """Facts (already checked) -> the environment of every fact, parameter and rule value."""
        env = self.template.copy()
        env.update(facts)
        for name, fn in self.steps:
            env[name] = fn(env)
        return env


def runner(policy) -> Runner:
    """The policy's compiled runner, built on first use and kept on the policy."""
    return kept(policy, "_runner", Runner)


def kept(policy, key: str, build):
    """`build(policy)`, built on first use and kept in the policy's __dict__ under `key`."""
    got = policy.__dict__.get(key)
    if got is None:
        got = policy.__dict__[key] = build(policy)
    return got


# --------------------------------------------------------------------------- needed facts, compiled

_FAILED = object()


class Needs:
    """Needed facts (engine.interpret.needs) with compiled closures for the values it looks at.

    interpret.needs re-interprets every sub-expression at every level; over a table of facilities
    that is most of the time a run takes. This follows the same rules, node for node (the tests
    compare both), but asks each sub-expression's value of a closure compiled once per policy.
    """

    def __init__(self, policy):
        self.policy = policy
        self.facts = frozenset(policy.facts)
        self.consts = policy.param_env()
        self._fns: dict = {}
        # A rule's needs are a function of the values it reads and the needs of the unknown rules
        # it names; across facilities those repeat, so they are remembered (hashable values only).
        self._reads = {n: r.reads for n, r in policy.rules.items()}
        self._refs = {n: tuple(x for x in r.reads if x in policy.rules) for n, r in policy.rules.items()}
        self._seen: dict[str, dict] = {n: {} for n in policy.rules}
        self._nodes = {n: r.node for n, r in policy.rules.items()}

    def for_row(self, env: dict) -> Callable[[str], set]:
        """rule name -> the facts it needs, for one environment (memoised per rule; do not mutate)."""
        memo: dict[str, set] = {}
        rules = self.policy.rules

        def rule_needs(name: str) -> set:
            if name in memo:
                return memo[name]
            memo[name] = frozenset()
            rule = rules[name]
            if env.get(name) is not None or rule.node is None:
                return memo[name]
            key = (tuple(key_of(env.get(x)) for x in self._reads[name]),
                   tuple(frozenset(rule_needs(r)) if env.get(r) is None else None for r in self._refs[name]))
            seen = self._seen[name]
            try:
                hit = seen.get(key)
            except TypeError:  # a list or record among the values: not remembered
                key, hit = None, None
            if hit is None:  # frozen: its hash is kept, for the keys of the rules reading this one
                hit = frozenset(self.needs(rule.node, env, frozenset(), rule_needs))
                if key is not None and len(seen) < 4096:
                    seen[key] = hit
            memo[name] = hit
            return hit
        return rule_needs

    def value(self, node, env, bound: frozenset):
        key = (id(node), bound)
        fn = self._fns.get(key)
        if fn is None:
            c = _Compiler(self.consts)
            c.bound.append(set(bound))
            fn = self._fns[key] = c.compile(node)  # nodes live as long as the policy: ids stay unique
        try:
            return fn(env)
        except EvalError:
            return _FAILED

    def needs(self, node, env, bound: frozenset, rule_needs) -> set:
        if not isinstance(node, (ast.ListLit, ast.RecordLit)) and self.value(node, env, bound) is not None:
            return set()
        rec = lambda n, b=bound: self.needs(n, env, b, rule_needs)  # noqa: E731
        if isinstance(node, ast.Name):
            if node.id in bound:
                return set()
            if node.id in self.facts:
                return {node.id}
            return set(rule_needs(node.id))
        if isinstance(node, ast.Field):
            if self.value(node.obj, env, bound) is not None:
                free = ast.free_names(node.obj)
                return {n.id for n in free if n.id in self.facts and n.id not in bound} \
                    | {item_marker(n.id) for n in free if n.id in bound}
            return rec(node.obj)
        if isinstance(node, ast.Cond):
            cv = self.value(node.test, env, bound)
            if cv is None:
                return rec(node.test) | rec(node.then) | rec(node.orelse)
            return rec(node.then) if cv else rec(node.orelse)
        if isinstance(node, (ast.Aggregate, ast.ListComp)):
            return self._loop(node, env, bound, rule_needs, rec)
        out: set[str] = set()
        for ch in ast.children(node):
            out |= rec(ch)
        return out

    def _loop(self, node, env, bound, rule_needs, rec) -> set:
        out = rec(node.iterable)
        items = self.value(node.iterable, env, bound)
        inner_needs: set[str] = set()
        undecided = False
        inner = bound | {node.var}
        var = node.var
        saved = env.get(var, _MISSING)
        try:
            if items is None:  # an unknown list: what its filter and body read is needed too
                for part in (node.filter, node.expr):
                    if part is not None:
                        env[var] = None
                        inner_needs |= self.needs(part, env, inner, rule_needs)
            for item in (items if isinstance(items, list) else ()):
                env[var] = item
                if node.filter is not None:
                    inner_needs |= self.needs(node.filter, env, inner, rule_needs)
                    env[var] = item
                    k = self.value(node.filter, env, inner)
                    undecided |= k is None
                    if k is False:
                        continue
                inner_needs |= self.needs(node.expr, env, inner, rule_needs)
                env[var] = item
                undecided |= self.value(node.expr, env, inner) is None
        finally:
            if saved is _MISSING:
                env.pop(var, None)
            else:
                env[var] = saved
        marker = item_marker(var)
        if marker in inner_needs:  # an item's own field is missing: the list it came from is needed
            inner_needs.discard(marker)
            inner_needs |= item_sources(node.iterable, self.facts, bound, self._nodes)
        if undecided and not inner_needs:
            inner_needs = {n.id for n in ast.free_names(node.iterable, frozenset(bound)) if n.id in self.facts}
        return out | inner_needs


# --------------------------------------------------------------------------- explanations, compiled

class Tracer:
    """What a trace asks of each rule, answered by compiled closures (engine.interpret.why, values
    of the decisive parts, needed facts): the same answers as the reference interpreter (tests
    compare them), at a fraction of the cost, so that asking for the trace stays cheap."""

    def __init__(self, policy):
        self.needs = Needs(policy)
        self._names: dict[int, list[str]] = {}
        self._values: dict[int, Fn] = {}
        self._whys: dict[int, Callable] = {}

    def _fn(self, node) -> Fn:
        fn = self._values.get(id(node))
        if fn is None:  # nodes live as long as the policy: ids stay unique
            fn = self._values[id(node)] = _Compiler(self.needs.consts).compile(node)
        return fn

    def value(self, node, env):
        """The node's value; a failure is raised as the interpreter raises it."""
        return self._fn(node)(env)

    def names(self, node) -> list[str]:
        """Names the node reads, each once, in source order."""
        got = self._names.get(id(node))
        if got is None:
            got = self._names[id(node)] = list(dict.fromkeys(n.id for n in ast.free_names(node)))
        return got

    def why(self, node, env) -> list:
        """The sub-expressions that decided a boolean node's value (as engine.interpret.why)."""
        w = self._whys.get(id(node))
        if w is None:
            w = self._whys[id(node)] = self._why_plan(node)
        return w(env)

    def _why_plan(self, node) -> Callable:
        """env -> decisive parts of `node`, with every value it needs compiled in advance."""
        if isinstance(node, ast.Binary) and node.op in ("and", "or"):
            whole = self._fn(node)
            parts = [(self._fn(p), self._why_plan(p)) for p in ast.operands(node, node.op)]
            decisive = node.op == "or"

            def junction(env):
                value = _safe(whole, env)
                if value is decisive:
                    chosen = [w for f, w in parts if _safe(f, env) is decisive]
                elif value is None:
                    chosen = [w for f, w in parts if _safe(f, env) is None]
                else:
                    chosen = [w for _, w in parts]
                out = []
                for w in chosen:
                    out.extend(w(env))
                return out
            return junction
        if isinstance(node, ast.Unary) and node.op == "not" \
                and not isinstance(node.operand, (ast.Name, ast.Compare)):
            return self._why_plan(node.operand)
        if isinstance(node, ast.Cond):
            test, t = self._fn(node.test), node.test
            then, orelse = self._why_plan(node.then), self._why_plan(node.orelse)

            def branch(env):
                c = _safe(test, env)
                if c is None or c is _FAILED:
                    return [t]
                return [t] + (then(env) if c else orelse(env))
            return branch
        leaf = [node]
        return lambda env: list(leaf)


def _safe(fn, env):
    try:
        return fn(env)
    except EvalError:
        return _FAILED


def tracer(policy) -> Tracer:
    """The policy's tracer, built on first use and kept on the policy."""
    return kept(policy, "_tracer", Tracer)
