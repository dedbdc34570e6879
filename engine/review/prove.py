# SPDX-License-Identifier: MIT
"""Proofs over every facility with an SMT solver (z3): two versions equal, or witnesses that differ.

Both versions' rules are translated into z3 terms over one set of fact variables. Each fact may be
absent (unknown) or hold any value of its declared type and bounds; a value is a pair (known,
value) and and/or/not follow Kleene's three values as the evaluator does. Booleans, enums and
texts (as codes), integers, exact rationals, dates (as day numbers), if, comparisons, arithmetic,
min/max/abs/floor/ceil/round_down/round_up, add_days, days_between, period_end and period_end_counting_from (exact in days; months and years uninterpreted), and lists up to a bound (with
sum, count, any, all, list comprehensions and membership) are translated. Calendar functions
(add_months, add_years, fiscal_year, ...) become uninterpreted functions: a proof that holds for
every function holds for the real one, and a witness that relies on them is checked by the
evaluator and dropped if it does not really differ. Anything else gives "not proved: uses X".
Every witness is run through the ordinary evaluator before it is reported.
"""
from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from fractions import Fraction

from engine.lang import ast
from engine.lang.values import to_json
from engine.base.diagnostics import YokoError
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts
from engine.policy.yamlio import ExactFloat, read_document
from engine.lang.interpret import interpret
from engine.base.words import say

DEFAULT_LIST_BOUND = 3
MAX_WITNESSES = 2
MAX_FACT_MAGNITUDE = 10 ** 18
_PERIODS = ("period_end", "period_end_counting_from")
_UNINTERPRETED = ("add_months", "add_years", "fiscal_year", "fiscal_year_start", "fiscal_year_end", "date")


class NotTranslated(Exception):
    """A construct the translation does not cover; the proof says "not proved: uses X"."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _z3():
    import z3
    return z3


@dataclass
class V:
    """A translated value: `known` (z3 Bool) and `val` (z3 term, or a python list/dict for lists/records)."""

    known: object
    val: object
    kind: str  # bool int real code date list record


@dataclass
class LV:
    """A bounded list: each item is (included, V)."""

    known: object
    items: list


@dataclass
class RV:
    known: object
    fields: dict


# ============================================================================ facts as variables


class Universe:
    """The fact variables both versions read, the string codes, and the uninterpreted functions."""

    def __init__(self, list_bound: int):
        self.z3 = _z3()
        self.bound = list_bound
        self.codes: dict[str, int] = {}
        self.facts: dict[str, tuple] = {}  # name -> (spec, value as V/LV/RV)
        self.constraints: list = []
        self.funcs: dict[str, object] = {}
        self.used_uf: set[str] = set()
        self.list_bounds: dict[str, int] = {}
        self.fiscal_year: int | None = None

    def code(self, s: str) -> int:
        return self.codes.setdefault(s, len(self.codes) + 1)

    def fact(self, name: str, spec: dict):
        """The variables of fact `name` (shared by both versions when declared alike)."""
        key = name
        if key in self.facts and self.facts[key][0] != _type_key(spec):
            key = f"{name}#2"
        if key not in self.facts:
            self.facts[key] = (_type_key(spec), self._value(name.replace("#", "_"), spec, top=True), spec, name)
        return self.facts[key][1]

    def _value(self, name: str, spec: dict, top: bool = False):
        z3 = self.z3
        kind = spec.get("type")
        present = z3.Bool(f"{name}?")
        if kind == "list":
            items = []
            prev = None
            item_spec = spec.get("items") or {}
            bound = spec.get("max_items") or self.bound
            if item_spec.get("type") == "enum":  # every value once, at least
                bound = max(bound, len(item_spec.get("values") or []))
            self.list_bounds[name] = bound
            for i in range(bound):
                inc = z3.Bool(f"{name}[{i}]+")
                if prev is not None:
                    self.constraints.append(z3.Implies(inc, prev))
                self.constraints.append(z3.Implies(inc, present))
                item = self._value(f"{name}[{i}]", spec.get("items") or {}, top=False)
                item = _with_known(item, z3.BoolVal(True))  # a list cannot hold unknown items
                items.append((inc, item))
                prev = inc
            return LV(present, items)
        if kind == "record":
            fields = {k: self._value(f"{name}.{k}", f, top=False) for k, f in (spec.get("fields") or {}).items()}
            return RV(present, fields)
        if kind == "bool":
            return V(present, z3.Bool(name), "bool")
        if kind in ("int", "number"):
            x = z3.Int(name) if kind == "int" else z3.Real(name)
            lo, hi = spec.get("min"), spec.get("max")
            self.constraints.append(x >= (_num(lo) if lo is not None else -MAX_FACT_MAGNITUDE))
            self.constraints.append(x <= (_num(hi) if hi is not None else MAX_FACT_MAGNITUDE))
            return V(present, x, "int" if kind == "int" else "real")
        if kind == "enum":
            x = z3.Int(name)
            codes = [self.code(str(v)) for v in spec.get("values") or []]
            self.constraints.append(z3.Or([x == c for c in codes]) if codes else z3.BoolVal(False))
            return V(present, x, "code")
        if kind == "text":
            x = z3.Int(name)
            self.constraints.append(x < 0)  # a text no literal of either policy spells: negative codes
            return V(present, x, "code")
        if kind == "date":
            x = z3.Int(name)
            self.constraints += [x >= 1, x <= datetime.date(9999, 12, 31).toordinal()]
            return V(present, x, "date")
        raise NotTranslated(f"a fact of type {kind}")

    def named_constraints(self) -> list[tuple]:
        """Each constraint with the names of the variables it holds (computed once)."""
        cache = self.__dict__.setdefault("_named", [])
        for c in self.constraints[len(cache):]:
            cache.append((c, frozenset(x.decl().name() for x in _consts(c))))
        return cache

    def uf(self, name: str, arity: int):
        z3 = self.z3
        self.used_uf.add(name)
        key = f"{name}/{arity}"
        if key not in self.funcs:
            self.funcs[key] = z3.Function(name, *([z3.IntSort()] * (arity + 1)))
        return self.funcs[key]


def _type_key(spec: dict):
    import json
    keep = {k: v for k, v in spec.items() if k in ("type", "values", "items", "fields", "min", "max")}
    return json.dumps(keep, sort_keys=True, default=str)


def _num(x):
    z3 = _z3()
    if isinstance(x, bool):
        raise NotTranslated("a boolean used as a number")
    if isinstance(x, int):
        return z3.IntVal(x)
    q = Fraction(x) if not isinstance(x, Fraction) else x
    if q.denominator == 1:
        return z3.IntVal(q.numerator)
    return z3.RealVal(f"{q.numerator}/{q.denominator}")


# ============================================================================ translation of rules


class Translation:
    """One policy's rules as z3 terms over the universe's facts."""

    def __init__(self, policy, uni: Universe):
        self.policy, self.uni, self.z3 = policy, uni, uni.z3
        self.cache: dict[str, object] = {}
        self.uses: dict[str, set] = {}  # rule -> uninterpreted functions it relies on (with its cone)

    def name(self, n: str):
        if n in self.cache:
            if self.cache[n] is _BUSY:
                raise NotTranslated("a cycle of rules")
            return self.cache[n]
        p = self.policy
        if n in p.parameters:
            v = self.constant(p.parameters[n].value)
        elif n in p.facts:
            v = self.uni.fact(n, p.facts[n].spec)
        elif n in p.rules:
            self.cache[n] = _BUSY
            try:
                v = self.expr(p.rules[n].node, {})
            except NotTranslated:
                del self.cache[n]
                raise
        else:
            raise NotTranslated(f"the unknown name {n}")
        self.cache[n] = v
        return v

    def constant(self, x):
        z3 = self.z3
        T = z3.BoolVal(True)
        if x is None:
            return V(z3.BoolVal(False), z3.IntVal(0), "int")
        if isinstance(x, bool):
            return V(T, z3.BoolVal(x), "bool")
        if isinstance(x, int):
            return V(T, z3.IntVal(x), "int")
        if isinstance(x, Fraction):
            return V(T, _num(x), "int" if x.denominator == 1 else "real")
        if isinstance(x, str):
            return V(T, z3.IntVal(self.uni.code(x)), "code")
        if isinstance(x, datetime.date):
            return V(T, z3.IntVal(x.toordinal()), "date")
        if isinstance(x, list):
            return LV(T, [(T, self.constant(i)) for i in x])
        if isinstance(x, dict):
            return RV(T, {k: self.constant(i) for k, i in x.items()})
        raise NotTranslated(f"a value of type {type(x).__name__}")

    # ------------------------------------------------------------------ expressions
    def expr(self, node, scope: dict):
        z3 = self.z3
        e = lambda n: self.expr(n, scope)  # noqa: E731
        match node:
            case ast.Literal(value=v):
                return self.constant(v)
            case ast.Name(id=n):
                return scope[n] if n in scope else self.name(n)
            case ast.Field(obj=o, name=fname):
                r = e(o)
                if not isinstance(r, RV) or fname not in r.fields:
                    raise NotTranslated("a field of something that is not a record")
                f = r.fields[fname]
                return _with_known(f, z3.And(r.known, f.known))
            case ast.ListLit(items=items):
                return LV(z3.BoolVal(True), [(z3.BoolVal(True), e(i)) for i in items])
            case ast.RecordLit(entries=entries):
                return RV(z3.BoolVal(True), {k: e(v) for k, v in entries})
            case ast.Unary(op="not", operand=o):
                x = self.boolean(e(o))
                return V(x.known, z3.Not(x.val), "bool")
            case ast.Unary(op="neg", operand=o):
                x = self.number(e(o))
                return V(x.known, -x.val, x.kind)
            case ast.Binary(op="and" | "or" as op, left=l, right=r):
                return self.kleene(op, [self.boolean(e(l)), self.boolean(e(r))])
            case ast.Binary(op=op, left=l, right=r):
                return self.arith(op, e(l), e(r))
            case ast.Compare(operands=operands, ops=ops):
                vals = [e(o) for o in operands]
                parts = [self.compare(op, vals[i], vals[i + 1]) for i, op in enumerate(ops)]
                return parts[0] if len(parts) == 1 else self.kleene("and", parts)
            case ast.IsTest(kind=kind, operand=o):
                x = e(o)
                k = x.known
                if kind == "known":
                    return V(z3.BoolVal(True), k, "bool")
                if kind == "unknown":
                    return V(z3.BoolVal(True), z3.Not(k), "bool")
                b = self.boolean(x)
                return V(z3.BoolVal(True), z3.And(k, b.val if kind == "true" else z3.Not(b.val)), "bool")
            case ast.Cond(test=t, then=a, orelse=b):
                c = self.boolean(e(t))
                return self.choose(c, e(a), e(b))
            case ast.Call(func=func, args=[d, n, ast.Literal(value=str() as unit)]) if func in _PERIODS:
                return self.period(func, e(d), e(n), unit)
            case ast.Call(func=func, args=args):
                return self.call(func, [e(a) for a in args])
            case ast.Aggregate() | ast.ListComp():
                return self.loop(node, scope)
        raise NotTranslated(type(node).__name__)

    def boolean(self, x) -> V:
        if not isinstance(x, V) or x.kind != "bool":
            raise NotTranslated("a condition that is not yes/no")
        return x

    def number(self, x) -> V:
        if not isinstance(x, V) or x.kind not in ("int", "real"):
            raise NotTranslated("arithmetic on something that is not a number")
        return x

    def kleene(self, op: str, parts: list[V]) -> V:
        z3 = self.z3
        trues = [z3.And(p.known, p.val) for p in parts]
        falses = [z3.And(p.known, z3.Not(p.val)) for p in parts]
        if op == "and":
            t, f = z3.And(trues), z3.Or(falses)
        else:
            t, f = z3.Or(trues), z3.And(falses)
        return V(z3.Or(t, f), t, "bool")

    def arith(self, op: str, a, b) -> V:
        z3 = self.z3
        if op in ("add", "sub") and isinstance(a, V) and isinstance(b, V) and "date" in (a.kind, b.kind):
            if op == "sub" and a.kind == b.kind == "date":
                raise NotTranslated("dates subtracted (use days_between)")
            kind = "date"
        else:
            a, b = self.number(a), self.number(b)
            kind = "real" if "real" in (a.kind, b.kind) or op == "div" else "int"
        x, y = a.val, b.val
        if op == "add":
            v = x + y
        elif op == "sub":
            v = x - y
        elif op == "mul":
            v = x * y
        else:
            v = z3.ToReal(x) / z3.ToReal(y) if x.sort() == z3.IntSort() or y.sort() == z3.IntSort() else x / y
        return V(z3.And(a.known, b.known), v, kind)

    def compare(self, op: str, a, b) -> V:
        z3 = self.z3
        if op in ("in", "not in"):
            m = self.member(a, b)
            return m if op == "in" else V(m.known, z3.Not(m.val), "bool")
        if not isinstance(a, V) or not isinstance(b, V):
            if op in ("==", "!=") and isinstance(a, LV) and isinstance(b, LV):
                eq = self.list_equal(a, b)
                return eq if op == "==" else V(eq.known, z3.Not(eq.val), "bool")
            raise NotTranslated("a comparison of lists or records")
        if (a.kind == "code") != (b.kind == "code") or (a.kind == "bool") != (b.kind == "bool"):
            return V(z3.And(a.known, b.known), z3.BoolVal(op == "!="), "bool")
        x, y = a.val, b.val
        v = {"<": lambda: x < y, "<=": lambda: x <= y, ">": lambda: x > y, ">=": lambda: x >= y,
             "==": lambda: x == y, "!=": lambda: x != y}[op]()
        return V(z3.And(a.known, b.known), v, "bool")

    def member(self, x, xs) -> V:
        z3 = self.z3
        if not isinstance(xs, LV) or not isinstance(x, V):
            raise NotTranslated("membership in something that is not a list of plain values")
        hits, maybe = [], []
        for inc, item in xs.items:
            if not isinstance(item, V):
                raise NotTranslated("membership of a list or record")
            same = self.compare("==", x, item).val if item.kind == x.kind or "code" not in (x.kind, item.kind) \
                else z3.BoolVal(False)
            hits.append(z3.And(inc, item.known, same))
            maybe.append(z3.And(inc, z3.Not(item.known)))
        t = z3.And(x.known, xs.known, z3.Or(hits))
        f = z3.And(x.known, xs.known, z3.Not(z3.Or(hits)), z3.Not(z3.Or(maybe)))
        return V(z3.Or(t, f), t, "bool")

    def list_equal(self, a: LV, b: LV) -> V:
        """Equality of two lists whose items are distinct constants in the same relative order."""
        z3 = self.z3
        same = _item_equalities(a, b, "a comparison of lists whose items are not constants",
                                "a comparison of lists in different orders")
        return V(z3.And(a.known, b.known), z3.And(same), "bool")

    def choose(self, c: V, a, b):
        z3 = self.z3
        if isinstance(a, V) and isinstance(b, V):
            if a.kind != b.kind and {a.kind, b.kind} != {"int", "real"}:
                raise NotTranslated("if with branches of different types")
            kind = "real" if "real" in (a.kind, b.kind) else a.kind
            av, bv = a.val, b.val
            if kind == "real":
                av, bv = _real(av), _real(bv)
            return V(z3.And(c.known, z3.If(c.val, a.known, b.known)), z3.If(c.val, av, bv), kind)
        raise NotTranslated("if choosing between lists or records")

    # ------------------------------------------------------------------ calls
    def period(self, func: str, d, n, unit: str):
        """Civil Code periods: exact for days (d + n, or d + n - 1 counted from d); months and years
        as an uninterpreted function of (day, count), the same one on both sides (sound for proofs)."""
        if not all(isinstance(a, V) and a.kind in ("int", "date") for a in (d, n)):
            raise NotTranslated(func)
        known = self.z3.And(d.known, n.known)
        if unit == "days":
            return V(known, d.val + n.val - (1 if func == "period_end_counting_from" else 0), "date")
        return V(known, self.uni.uf(f"{func}_{unit}", 2)(d.val, n.val), "date")

    def call(self, func: str, args: list):
        z3 = self.z3
        if func in ("min", "max"):
            xs = args[0].items if len(args) == 1 and isinstance(args[0], LV) else [(z3.BoolVal(True), a) for a in args]
            if len(args) == 1 and isinstance(args[0], LV) and any(not z3.is_true(z3.simplify(i)) for i, _ in xs):
                raise NotTranslated(f"{func} over a list of varying length")
            vals = [x for _, x in xs]
            if not vals or any(not isinstance(v, V) or v.kind not in ("int", "real", "date") for v in vals):
                raise NotTranslated(f"{func} of something that is not numbers or dates")
            kind = "real" if any(v.kind == "real" for v in vals) else vals[0].kind
            acc = vals[0].val
            for v in vals[1:]:
                x, y = (_real(acc), _real(v.val)) if kind == "real" else (acc, v.val)
                acc = z3.If(y < x, y, x) if func == "min" else z3.If(y > x, y, x)
            known = z3.And([v.known for v in vals] + ([args[0].known] if len(args) == 1 else []))
            return V(known, acc, kind)
        if func == "abs":
            x = self.number(args[0])
            return V(x.known, z3.If(x.val < 0, -x.val, x.val), x.kind)
        if func in ("floor", "ceil"):
            x = self.number(args[0])
            if x.kind == "int":
                return x
            v = z3.ToInt(x.val) if func == "floor" else -z3.ToInt(-x.val)
            return V(x.known, v, "int")
        if func in ("round_down", "round_up"):
            x, u = self.number(args[0]), self.number(args[1])
            q = _real(x.val) / _real(u.val)
            down = z3.If(q >= 0, z3.ToInt(q), -z3.ToInt(-q))  # toward zero
            up = z3.If(q >= 0, -z3.ToInt(-q), z3.ToInt(q))  # away from zero
            n = down if func == "round_down" else up
            kind = "int" if u.kind == "int" else "real"
            v = n * u.val if kind == "int" else z3.ToReal(n) * u.val
            return V(z3.And(x.known, u.known), v, kind)
        if func == "add_days":
            d, n = args
            return V(z3.And(d.known, n.known), d.val + n.val, "date")
        if func == "days_between":
            a, b = args
            return V(z3.And(a.known, b.known), b.val - a.val, "int")
        if func in _UNINTERPRETED:
            if any(not isinstance(a, V) or a.kind not in ("int", "date") for a in args):
                raise NotTranslated(func)
            f = self.uni.uf(func, len(args))
            kind = "int" if func == "fiscal_year" else "date"
            return V(z3.And([a.known for a in args]), f(*[a.val for a in args]), kind)
        if func in ("sum", "count", "any", "all", "empty") and isinstance(args[0], LV):
            return self.fold(func, args[0], [(inc, z3.BoolVal(False)) for inc, _ in args[0].items],
                             [x for _, x in args[0].items])
        raise NotTranslated(func)

    def loop(self, node, scope: dict):
        z3 = self.z3
        xs = self.expr(node.iterable, scope)
        if not isinstance(xs, LV):
            raise NotTranslated("a loop over something that is not a list")
        included, undecided, vals = [], [], []
        for inc, item in xs.items:
            inner = {**scope, node.var: item}
            if node.filter is not None:
                f = self.boolean(self.expr(node.filter, inner))
                included.append((z3.And(inc, f.known, f.val), z3.And(inc, z3.Not(f.known))))
            else:
                included.append((inc, z3.BoolVal(False)))
            vals.append(self.expr(node.expr, inner) if isinstance(node, ast.ListComp) or node.func != "count"
                        else V(z3.BoolVal(True), z3.BoolVal(True), "bool"))
        func = node.func if isinstance(node, ast.Aggregate) else "list"
        pairs = [(i, u) for i, u in included]
        return self.fold(func, xs, pairs, vals, filtered=True)

    def fold(self, func: str, xs: LV, included: list, vals: list, filtered: bool = False):
        """An aggregate over a bounded list: `included` is [(in the result, filter unknown)] per item."""
        z3 = self.z3
        inc = [i for i, _ in included]
        unknown = z3.Or([u for _, u in included]) if included else z3.BoolVal(False)
        if func == "list":
            return LV(z3.And(xs.known, z3.Not(unknown)), list(zip(inc, vals)))
        if func == "empty":
            return V(xs.known, z3.Not(z3.Or(inc)) if inc else z3.BoolVal(True), "bool")
        if func == "count":
            total = z3.Sum([z3.If(i, 1, 0) for i in inc]) if inc else z3.IntVal(0)
            return V(z3.And(xs.known, z3.Not(unknown)), total, "int")
        if func == "sum":
            if any(not isinstance(v, V) or v.kind not in ("int", "real") for v in vals):
                raise NotTranslated("sum of something that is not numbers")
            kind = "real" if any(v.kind == "real" for v in vals) else "int"
            zero = z3.RealVal(0) if kind == "real" else z3.IntVal(0)
            terms = [z3.If(i, _real(v.val) if kind == "real" else v.val, zero) for i, v in zip(inc, vals)]
            known = z3.And([xs.known, z3.Not(unknown)] + [z3.Implies(i, v.known) for i, v in zip(inc, vals)])
            return V(known, z3.Sum(terms) if terms else zero, kind)
        if func in ("any", "all"):
            bs = [self.boolean(v) for v in vals]
            t_items = [z3.And(i, b.known, b.val) for i, b in zip(inc, bs)]
            f_items = [z3.And(i, b.known, z3.Not(b.val)) for i, b in zip(inc, bs)]
            open_items = [z3.And(i, z3.Not(b.known)) for i, b in zip(inc, bs)]
            if func == "any":
                t = z3.And(xs.known, z3.Or(t_items) if t_items else z3.BoolVal(False))
                f = z3.And(xs.known, z3.Not(t), z3.Not(unknown), z3.Not(z3.Or(open_items)) if open_items else True)
            else:
                f = z3.And(xs.known, z3.Or(f_items) if f_items else z3.BoolVal(False))
                t = z3.And(xs.known, z3.Not(f), z3.Not(unknown), z3.Not(z3.Or(open_items)) if open_items else True)
            return V(z3.Or(t, f), t, "bool")
        raise NotTranslated(f"{func} over a list")


_BUSY = object()


def _real(x):
    z3 = _z3()
    return z3.ToReal(x) if x.sort() == z3.IntSort() else x


def _with_known(x, known):
    if isinstance(x, V):
        return V(known, x.val, x.kind)
    if isinstance(x, LV):
        return LV(known, x.items)
    return RV(known, x.fields)


def _constant_items(xs: LV):
    """[(constant key, included)] when every item is a known constant, else None."""
    z3 = _z3()
    out = []
    for inc, item in xs.items:
        if not isinstance(item, V) or not z3.is_true(z3.simplify(item.known)):
            return None
        v = z3.simplify(item.val)
        if not z3.is_const(v) or not (z3.is_int_value(v) or z3.is_rational_value(v) or z3.is_true(v)
                                      or z3.is_false(v)):
            return None
        key = (item.kind, str(v))
        if key in [k for k, _ in out]:
            return None
        out.append((key, inc))
    return out


def _item_equalities(a: LV, b: LV, not_constants: str, other_order: str) -> list:
    """For two lists of distinct constants in the same relative order: per constant, "a includes it
    exactly when b does" (an item missing from one side counts as not included there)."""
    z3 = _z3()
    ca, cb = _constant_items(a), _constant_items(b)
    if ca is None or cb is None:
        raise NotTranslated(not_constants)
    common = [k for k in ca if k in cb]
    if common != [k for k in cb if k in ca]:
        raise NotTranslated(other_order)
    ia, ib = dict(ca), dict(cb)
    return [ia.get(k, z3.BoolVal(False)) == ib.get(k, z3.BoolVal(False)) for k in dict.fromkeys([*ia, *ib])]


def same_value(a, b):
    """A z3 condition: the two translated values are equal (both unknown, or both known and equal)."""
    z3 = _z3()
    if isinstance(a, LV) and isinstance(b, LV):
        items = _item_equalities(a, b, "a list result whose items are not constants",
                                 "a list result in a different order")
        return z3.And(a.known == b.known, z3.Implies(a.known, z3.And(items)))
    if isinstance(a, V) and isinstance(b, V):
        if a.kind == "bool" and b.kind == "bool":
            eq = a.val == b.val
        elif (a.kind in ("int", "real")) and (b.kind in ("int", "real")):
            eq = _real(a.val) == _real(b.val) if "real" in (a.kind, b.kind) else a.val == b.val
        elif a.kind == b.kind:
            eq = a.val == b.val
        else:
            return z3.Not(z3.Or(a.known, b.known))
        return z3.And(a.known == b.known, z3.Implies(a.known, eq))
    raise NotTranslated("a record result")


# ============================================================================ witnesses


def model_facts(uni: Universe, model) -> dict:
    """The facts of a z3 model as a facts file would give them (absent facts left out)."""
    out = {}
    for key, (_, value, spec, name) in uni.facts.items():
        if "#" in key:
            continue
        v = _from_model(uni, value, spec, model)
        if v is not _ABSENT:
            out[name] = v
    return out


_ABSENT = object()


def _from_model(uni: Universe, value, spec: dict, model):
    z3 = uni.z3
    ev = lambda t: model.eval(t, model_completion=True)  # noqa: E731
    if not z3.is_true(ev(value.known)):
        return _ABSENT
    if isinstance(value, LV):
        items = []
        for inc, item in value.items:
            if z3.is_true(ev(inc)):
                x = _from_model(uni, item, spec.get("items") or {}, model)
                items.append(x)
        return items
    if isinstance(value, RV):
        rec = {}
        for k, f in value.fields.items():
            x = _from_model(uni, f, (spec.get("fields") or {}).get(k) or {}, model)
            if x is not _ABSENT:
                rec[k] = x
        return rec
    v = ev(value.val)
    kind = spec.get("type")
    if kind == "bool":
        return z3.is_true(v)
    if kind == "int":
        return v.as_long()
    if kind == "number":
        q = Fraction(v.numerator_as_long(), v.denominator_as_long()) if z3.is_rational_value(v) else Fraction(v.as_long())
        return q.numerator if q.denominator == 1 else q
    if kind == "enum":
        names = {c: s for s, c in uni.codes.items()}
        return names.get(v.as_long(), str(spec.get("values", ["?"])[0]))
    if kind == "text":
        return f"text {abs(v.as_long())}"
    if kind == "date":
        return datetime.date.fromordinal(max(1, v.as_long()))
    return _ABSENT


def run_both(old, new, facts: dict, name: str):
    """(old value, new value) of result `name` by the ordinary evaluator, or None when it fails."""
    out = []
    for policy in (old, new):
        data = {k: _exact(v) for k, v in facts.items() if k in policy.facts}
        try:
            out.append(to_json(evaluate(policy, check_facts(data, policy)).env.get(name)))
        except YokoError:
            return None
    return out


# ============================================================================ regions in words


def region(uni: Universe, model, facts_read: list[str], condition) -> list[dict]:
    """Around the witness, the values of each fact (the others fixed) for which `condition` still
    holds: integer ranges, enum values, yes/no, absence — only facts whose values are limited."""
    z3 = uni.z3
    fixed = [(d.name(), d(), model[d]) for d in model.decls() if d.arity() == 0]
    parts = []
    for n in facts_read:
        entry = uni.facts.get(n)
        if entry is None or not isinstance(entry[1], V):
            continue
        _, value, spec, _ = entry
        mine = {value.known.decl().name(), value.val.decl().name()}
        pairs = [(c, v) for name, c, v in fixed if name not in mine]
        cond = z3.simplify(z3.substitute(condition, *pairs)) if pairs else condition
        local = [c for c, names in uni.named_constraints() if names <= mine]
        present = z3.is_true(model.eval(value.known, model_completion=True))
        if not present:
            if not _holds(local + [value.known, cond]):
                parts.append({"fact": n, "absent": True})
            continue
        kind = spec.get("type")
        base = local + [value.known, cond]
        if kind == "bool":
            now = z3.is_true(model.eval(value.val, model_completion=True))
            if not _holds(base + [value.val == z3.BoolVal(not now)]):
                parts.append({"fact": n, "values": [now]})
        elif kind == "enum":
            values = [str(v) for v in spec.get("values") or []]
            ok = [v for v in values if _holds(base + [value.val == uni.code(v)])]
            if len(ok) < len(values):
                parts.append({"fact": n, "values": ok})
        elif kind in ("int", "number", "date"):
            lo, hi = _extent(base, value.val, "min"), _extent(base, value.val, "max")
            if kind == "date":
                dlo, dhi = 1, datetime.date(9999, 12, 31).toordinal()
            else:
                dlo = spec.get("min") if spec.get("min") is not None else -MAX_FACT_MAGNITUDE
                dhi = spec.get("max") if spec.get("max") is not None else MAX_FACT_MAGNITUDE
            lo = dlo if lo is None else lo
            hi = dhi if hi is None else hi
            if lo > dlo or hi < dhi:
                if kind == "date":
                    parts.append({"fact": n, "lo": None if lo <= dlo else datetime.date.fromordinal(lo).isoformat(),
                                  "hi": None if hi >= dhi else datetime.date.fromordinal(hi).isoformat(),
                                  "date": True})
                else:
                    parts.append({"fact": n, "lo": lo, "hi": hi if hi < MAX_FACT_MAGNITUDE else None})
    return parts


def _consts(term) -> list:
    z3 = _z3()
    out, todo, seen = [], [term], set()
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(t)
        todo.extend(t.children())
    return out


def _holds(cs) -> bool:
    z3 = _z3()
    s = z3.Solver()
    s.set("timeout", 2000)
    s.add(*cs)
    return s.check() == z3.sat


def _extent(cs, x, which: str):
    z3 = _z3()
    opt = z3.Optimize()
    opt.set("timeout", 2000)
    opt.add(*cs)
    h = opt.minimize(x) if which == "min" else opt.maximize(x)
    if str(opt.check()) != "sat":
        return None
    v = opt.lower(h) if which == "min" else opt.upper(h)
    try:
        if z3.is_int_value(v):
            return v.as_long()
        if z3.is_rational_value(v):
            q = Fraction(v.numerator_as_long(), v.denominator_as_long())
            return q.numerator if q.denominator == 1 else to_json(q)
    except Exception:  # noqa: BLE001 - an unbounded side (oo, epsilon) is no bound
        return None
    return None


# ============================================================================ the proofs


def prove_equal(old, new, list_bound: int | None = None, timeout_ms: int = 20000) -> dict:
    """For each public result of both versions: equal for every facility, witnesses, or not proved."""
    z3 = _z3()
    t0 = time.perf_counter()
    bound = list_bound or DEFAULT_LIST_BOUND
    uni = Universe(bound)
    uni.fiscal_year = new.fiscal_year
    ta, tb = Translation(old, uni), Translation(new, uni)
    results = {}
    for name in dict.fromkeys([*old.results, *new.results]):
        if name not in old.results or name not in new.results:
            results[name] = {"status": "differs", "witnesses": [], "only_in": "new" if name in new.results else "old"}
            continue
        results[name] = _prove_one(old, new, ta, tb, uni, name, timeout_ms)
    statuses = {r["status"] for r in results.values()}
    status = ("differs" if "differs" in statuses else "proved_equal" if statuses == {"equal"} else "not_proved")
    return {"status": status, "list_bound": bound, "list_bounds": dict(sorted(uni.list_bounds.items())),
            "seconds": round(time.perf_counter() - t0, 1),
            "results": results, "z3": z3.get_version_string()}


def _prove_one(old, new, ta, tb, uni, name: str, timeout_ms: int) -> dict:
    z3 = uni.z3
    uni.used_uf = set()
    try:
        a, b = ta.name(name), tb.name(name)
        if _identical(a, b):  # the same term over the same facts: equal whatever the bounds
            return {"status": "equal"}
        differ = z3.Not(same_value(a, b))
    except NotTranslated as e:
        return {"status": "not_proved", "uses": e.what}
    used = set(uni.used_uf)
    near = _changed_facts(old, new)
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(*uni.constraints)
    s.add(differ)
    witnesses = []
    for _ in range(4):
        r = s.check()
        if r == z3.unsat:
            if witnesses:
                return {"status": "differs", "witnesses": witnesses}
            if _constant(uni, a):
                return {"status": "not_proved", "uses": "a result that is the same for every facility within "
                                                        "the bounds (are the list bounds too small?)"}
            return {"status": "equal"}
        if r != z3.sat:
            break
        read = set(old.facts_behind(name)) | set(new.facts_behind(name))
        model = _nicer(s, uni, read) or s.model()
        facts = model_facts(uni, model)
        got = run_both(old, new, facts, name)
        if got is not None and got[0] != got[1]:
            parts = region(uni, model, [n for n in uni.facts if n in read and n in near], differ)
            witnesses.append({"facts": _jsonable(facts), "old": got[0], "new": got[1], "region": parts})
            if len(witnesses) >= MAX_WITNESSES:
                break
            # another witness elsewhere: outside this one's region
            s.add(z3.Not(_region_term(uni, parts)) if parts else z3.BoolVal(False))
            continue
        # the model does not really differ (an uninterpreted calendar function, or a run-time error): exclude it
        s.add(z3.Not(z3.And([v.known == model.eval(v.known, model_completion=True)
                             for _, v, _, _ in uni.facts.values() if isinstance(v, V)])))
    if witnesses:
        return {"status": "differs", "witnesses": witnesses}
    if used:
        return {"status": "not_proved", "uses": ", ".join(sorted(used))}
    return {"status": "unknown", "reason": str(s.reason_unknown()) if s.check() == z3.unknown else "no witness"}


def _identical(a, b) -> bool:
    if isinstance(a, V) and isinstance(b, V):
        return a.kind == b.kind and a.known.eq(b.known) and a.val.eq(b.val)
    if isinstance(a, LV) and isinstance(b, LV):
        return a.known.eq(b.known) and len(a.items) == len(b.items) and all(
            i.eq(j) and _identical(x, y) for (i, x), (j, y) in zip(a.items, b.items))
    if isinstance(a, RV) and isinstance(b, RV):
        return a.known.eq(b.known) and a.fields.keys() == b.fields.keys() and all(
            _identical(a.fields[k], b.fields[k]) for k in a.fields)
    return False


def _constant(uni, a) -> bool:
    """Whether a translated result takes one value only (then a proof of equality says little)."""
    z3 = uni.z3
    s = z3.Solver()
    s.set("timeout", 5000)
    s.add(*uni.constraints)
    if isinstance(a, LV):
        return False
    if s.check() != z3.sat:
        return True
    m = s.model()
    k, v = m.eval(a.known, model_completion=True), m.eval(a.val, model_completion=True)
    s.add(z3.Or(a.known != k, z3.And(a.known, a.val != v)))
    return s.check() == z3.unsat


def _nicer(s, uni, read: set):
    """A model people can read, when there is one: every fact the result reads is given (the
    difference is then not only in what is unknown) and number facts are whole."""
    z3 = uni.z3
    whole = [z3.IsInt(v.val) for _, v, spec, _ in uni.facts.values() if isinstance(v, V) and v.kind == "real"]
    if uni.fiscal_year:  # dates within two years of the policy's fiscal year
        lo = datetime.date(uni.fiscal_year - 1, 4, 1).toordinal()
        hi = datetime.date(uni.fiscal_year + 2, 3, 31).toordinal()
        whole += [z3.And(v.val >= lo, v.val <= hi) for _, v, _, _ in uni.facts.values()
                  if isinstance(v, V) and v.kind == "date"]
    given = [v.known for key, (_, v, _, name) in uni.facts.items() if name in read and isinstance(v, (V, LV))]
    for extra in (whole + given, whole):
        if not extra:
            continue
        s.push()
        s.add(*extra)
        m = s.model() if s.check() == z3.sat else None
        s.pop()
        if m is not None:
            return m
    return None


def _region_term(uni, parts):
    z3 = uni.z3
    cs = []
    for p in parts:
        v = uni.facts[p["fact"]][1]
        if p.get("absent"):
            cs.append(z3.Not(v.known))
        elif "values" in p and isinstance(p["values"][0], bool):
            cs.append(z3.And(v.known, v.val == z3.BoolVal(p["values"][0])))
        elif "values" in p:
            cs.append(z3.And(v.known, z3.Or([v.val == uni.code(x) for x in p["values"]])))
        else:
            num = (lambda x: z3.IntVal(datetime.date.fromisoformat(x).toordinal())) if p.get("date") else _num
            c = [v.known]
            if p.get("lo") is not None:
                c.append(v.val >= num(p["lo"]))
            if p.get("hi") is not None:
                c.append(v.val <= num(p["hi"]))
            cs.append(z3.And(c))
    return z3.And(cs)


def _changed_facts(old, new) -> set[str]:
    """The facts read, directly or through other rules, by the rules that changed: a rule added,
    its expression changed, or a parameter it reads changed (where a difference can start)."""
    changed = [n for n, r in new.rules.items()
               if n not in old.rules or old.rules[n].text != r.text
               or any(p in new.parameters and (p not in old.parameters or old.parameters[p].value
                                               != new.parameters[p].value) for p in r.reads)]
    changed += [n for n in old.rules if n not in new.rules]
    out = set()
    for n in changed:
        for policy in (old, new):
            if n in policy.rules:
                out |= set(policy.facts_behind(n))
    return out


def _exact(v):
    """Fractions as the exact floats the facts reader takes."""
    if isinstance(v, Fraction):
        return ExactFloat(float(v), v)
    if isinstance(v, dict):
        return {k: _exact(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_exact(x) for x in v]
    return v


def _jsonable(facts: dict) -> dict:
    return {k: to_json(v) for k, v in facts.items()}


def write_witnesses(proof: dict, folder: str) -> list[str]:
    """Each witness as a facts file FOLDER/RESULT-N.yaml, ready to become a test; the paths."""
    import os
    from ruamel.yaml import YAML
    os.makedirs(folder, exist_ok=True)
    yaml = YAML()
    yaml.default_flow_style = False
    written = []
    for name, res in proof["results"].items():
        for i, w in enumerate(res.get("witnesses") or [], 1):
            path = os.path.join(folder, f"{name}-{i}.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"# witness: {name} is {w['old']!r} under the old policy and {w['new']!r} under the new\n")
                yaml.dump(_yaml_ready(w["facts"]) or {}, f)
            w["file"] = path
            written.append(path)
    return written


def _yaml_ready(v):
    if isinstance(v, dict):
        return {k: _yaml_ready(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_yaml_ready(x) for x in v]
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            return v
    return v


# ============================================================================ one policy: check --prove


def prove_policy(policy, properties: list[tuple[str, str]] | None = None, list_bound: int | None = None,
                 timeout_ms: int = 5000) -> dict:
    """Branches no facility reaches, comparisons always true or always false (when known), and the
    `always:` properties of the policy's tests file proved or refuted with a checked witness."""
    z3 = _z3()
    t0 = time.perf_counter()
    uni = Universe(list_bound or DEFAULT_LIST_BOUND)
    uni.fiscal_year = policy.fiscal_year
    tr = Translation(policy, uni)
    findings, not_translated = [], {}
    for name in policy.order:
        rule = policy.rules[name]
        try:
            tr.name(name)
        except NotTranslated as e:
            not_translated[name] = e.what
            continue
        for node in ast.walk(rule.node):
            if isinstance(node, (ast.Aggregate, ast.ListComp)):
                break  # inside a loop the variables are bound: looked at as part of the whole only
            if isinstance(node, (ast.Cond, ast.Compare)):
                findings += _check_node(uni, tr, policy, rule, node, timeout_ms)
    props = [_property(policy, uni, tr, name, text) for name, text in properties or []]
    return {"findings": findings, "not_translated": not_translated, "properties": props,
            "list_bound": uni.bound, "list_bounds": dict(sorted(uni.list_bounds.items())),
            "seconds": round(time.perf_counter() - t0, 1)}


def _check_node(uni, tr, policy, rule, node, timeout_ms) -> list[dict]:
    z3 = uni.z3
    try:
        test = tr.boolean(tr.expr(node.test if isinstance(node, ast.Cond) else node, {}))
    except NotTranslated:
        return []
    can_true = _sat(uni, [test.known, test.val], timeout_ms)
    can_false = _sat(uni, [test.known, z3.Not(test.val)], timeout_ms)
    at = rule.locate(node.start) if rule.locate else None
    where = {"file": at.file, "line": at.line, "column": at.column} if at else {"file": policy.path, "line": 0}
    out = []
    if isinstance(node, ast.Cond):
        for reach, branch in ((can_true, "then"), (can_false, "else")):
            if reach is False:
                out.append({"kind": "unreachable", "rule": rule.name, "branch": branch, "at": where,
                            "expr": rule.text[node.test.start:node.test.end]})
    elif can_true is False or can_false is False:
        if not (can_true is False and can_false is False):
            out.append({"kind": "always", "rule": rule.name, "value": can_true is not False, "at": where,
                        "expr": rule.text[node.start:node.end]})
    return out


def _sat(uni, cs, timeout_ms) -> bool | None:
    z3 = uni.z3
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(*uni.constraints)
    s.add(*cs)
    r = s.check()
    return True if r == z3.sat else False if r == z3.unsat else None


def property_text(text: str) -> str:
    """`A implies B` written in the language: `not (A) or (B)`."""
    if " implies " in text:
        a, b = text.split(" implies ", 1)
        return f"not ({a}) or ({b})"
    return text


def _property(policy, uni, tr, name: str, text: str) -> dict:
    """A property proved (never false for any facility) or refuted with a witness checked by the
    evaluator."""
    from engine.lang.parser import ExprSyntaxError, parse
    z3 = uni.z3
    out = {"name": name, "expr": text}
    try:
        node = parse(property_text(text))
        p = tr.boolean(tr.expr(node, {}))
    except ExprSyntaxError as e:
        return {**out, "status": "error", "message": str(e)}
    except NotTranslated as e:
        return {**out, "status": "not_proved", "uses": e.what}
    s = z3.Solver()
    s.set("timeout", 20000)
    s.add(*uni.constraints)
    s.add(p.known, z3.Not(p.val))
    for _ in range(3):
        r = s.check()
        if r == z3.unsat:
            return {**out, "status": "holds"}
        if r != z3.sat:
            return {**out, "status": "unknown", "reason": str(s.reason_unknown())}
        read = {n.id for n in ast.free_names(node)}
        facts_read = set().union(*[set(policy.facts_behind(n)) for n in read]) if read else set()
        model = _nicer(s, uni, facts_read) or s.model()
        facts = model_facts(uni, model)
        if _evaluates_false(policy, node, facts):
            parts = region(uni, model, [n for n in uni.facts if n in facts_read], z3.And(p.known, z3.Not(p.val)))
            return {**out, "status": "refuted", "witnesses": [{"facts": _jsonable(facts), "old": True, "new": False,
                                                               "region": parts}]}
        s.add(z3.Not(z3.And([v.known == model.eval(v.known, model_completion=True)
                             for _, v, _, _ in uni.facts.values() if isinstance(v, V)])))
    return {**out, "status": "not_proved", "uses": ", ".join(sorted(uni.used_uf)) or "?"}


def _evaluates_false(policy, node, facts: dict) -> bool:
    try:
        ev = evaluate(policy, check_facts({k: _exact(v) for k, v in facts.items() if k in policy.facts}, policy))
        return interpret(node, ev.env) is False
    except (YokoError, Exception):  # noqa: BLE001 - a witness the evaluator cannot run is no witness
        return False


def read_properties(tests_path) -> list[tuple[str, str]]:
    """(name, expression) of each `always:` entry of a tests file (a text, or {name, expr})."""
    import os
    if not os.path.exists(tests_path):
        return []
    doc = read_document(str(tests_path)).data
    out = []
    for i, p in enumerate((doc or {}).get("always") or [], 1):
        if isinstance(p, str):
            out.append((f"always {i}", p))
        elif isinstance(p, dict) and isinstance(p.get("expr"), str):
            out.append((str(p.get("name") or f"always {i}"), p["expr"]))
    return out


def proof_lines(proof: dict, policy, lang: str) -> list[str]:
    """check --prove's findings, one line each, in `lang`."""
    lines = []
    for f in proof["findings"]:
        at = f"{f['at']['file']}:{f['at']['line']}"
        if f["kind"] == "unreachable":
            lines.append(say("diff.proof.unreachable", lang, rule=f["rule"], branch=f["branch"], at=at))
        else:
            lines.append(say("diff.proof.always", lang, rule=f["rule"], expr=f["expr"],
                             value=say("common.yes" if f["value"] else "common.no", lang), at=at))
    for p in proof["properties"]:
        st = p["status"]
        word = {"holds": say("diff.proof.holds", lang), "refuted": say("diff.proof.refuted", lang)}.get(
            st, say("diff.proof.not_proved", lang, result=p["expr"], why=p.get("uses") or p.get("reason") or
                    p.get("message", "")))
        lines.append(say("diff.proof.property", lang, name=f"{p['name']} ({p['expr']})", status=word))
        for w in p.get("witnesses") or []:
            facts = ", ".join(f"{k}: {v}" for k, v in w["facts"].items())
            lines.append("  " + say("diff.proof.witness_inline", lang, facts=facts, old="true", new="false"))
    if not proof["findings"] and not any(p["status"] != "holds" for p in proof["properties"]):
        lines.append(say("diff.check.proof_ok", lang, file=policy.path))
    return lines
