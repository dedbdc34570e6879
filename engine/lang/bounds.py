# SPDX-License-Identifier: MIT
"""Decided means known: what every completion of the absent facts agrees on.

A rule whose value is unknown (None) by the rules of engine.lang.interpret may still have one
value whatever the absent facts turn out to be: `if eligible then min(cap, share) else 0` is 0
when the share is 0, and `max(beds, 20) * 133000` is at least 2,660,000 whatever the beds. This
module finds such values by evaluating the rule over sets of values instead of values:

- K(v): a known value;
- R(lo, hi): any number from lo to hi (inclusive; exact int or Fraction bounds);
- S(values): one of a few values (booleans, enum members);
- ANY: any value of the expression's type (the evaluation cannot fail);
- TOP: any value, or the evaluation may fail (division by a range holding 0, a number past the
  magnitude limit ...): nothing is decided from it.

An absent fact takes any value its declaration allows: an int or number within its min/max (and
within MAX_FACT_MAGNITUDE, which every fact is held to), a bool either, an enum any member; a
record item's missing field likewise by its field declaration. An unknown rule takes the set
found for it before (`sets`, filled in policy order). Every operation over-approximates: the set
it returns holds the value of every completion. When that set is one value, the rule is known.

Tests (tests/test_bounds.py, tests/test_needed_facts_oracle.py) check that no value decided here
differs from that of any completion. `is known`/`is unknown`/`is true`/`is false` test what is
known now, not the facility, so they are evaluated on the known values only, as interpret does.
docs/language.md ("Known and unknown") states what is promised.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

from engine.base.limits import MAX_FACT_MAGNITUDE, MAX_LIST_ITEMS
from engine.lang import ast
from engine.lang import builtins
from engine.lang.builtins import EvalError, check_magnitude, divide, equal, member
from engine.lang.interpret import interpret
from engine.lang.values import key_of

M = builtins.MAX_MAGNITUDE


class K:
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"K({self.v!r})"


class R:
    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __repr__(self):
        return f"R({self.lo}, {self.hi})"


class S:
    __slots__ = ("vals",)

    def __init__(self, vals: frozenset):
        self.vals = vals

    def __repr__(self):
        return f"S({sorted(map(repr, self.vals))})"


class _Mark:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


ANY = _Mark("ANY")
TOP = _Mark("TOP")
BOOLS = frozenset((True, False))


# --------------------------------------------------------------------------- the rule level

def settle(node: ast.Node, env: dict, sets: dict, name: str, specs: dict) -> Any:
    """The value every completion gives rule `name` (whose value in `env` is None), or None.

    `sets` holds what was found for the unknown rules before this one (this rule's is added);
    `specs` are the fact declarations (name -> spec)."""
    a = sets[name] = _settle_set(node, env, sets, specs)
    if isinstance(a, K) and a.v is not None:
        return a.v
    return None


def settle_all(order, nodes: dict, env: dict, specs: dict, recompute, *, memo: bool = True) -> dict:
    """After a run: settle every unknown rule in policy order, recomputing (by `recompute(name)`)
    each rule that reads one settled before it. Returns the sets found for the unknown rules.

    What `settle` finds for a rule depends only on the values of the names it reads (`order` gives
    them) and the sets found for those that are unknown, so it is kept (`memo`) per policy, keyed
    by those: the rows of a batch repeat few such patterns (1,123 for 124,814 settled rules over
    4,000 facilities of the national corpus), and the pass is most of a batch's time without it."""
    sets: dict = {}
    changed: set = set()
    kept = _memo_of(nodes) if memo else None
    found: dict = {}  # unknown rule -> the number its set has in the memo
    for name, reads in order:
        if changed and not changed.isdisjoint(reads):
            env[name] = recompute(name)
        if env.get(name) is None and nodes[name] is not None:
            key = _key(name, reads, env, sets, found) if kept is not None else None
            hit = kept.get(key) if key is not None else None
            if hit is None:
                a = _settle_set(nodes[name], env, sets, specs)
                if key is not None and _lasting(a):
                    if len(kept) >= MEMO_ENTRIES:
                        kept.clear()
                    same = _set_key(a)  # equal sets share a number, found from whatever values
                    hit = kept[key] = (a, kept.setdefault((_SAME, same), (a, next(_ENTRY)))[1])
            else:
                a = hit[0]
            if hit is not None:
                found[name] = hit[1]
            sets[name] = a
            if isinstance(a, K) and a.v is not None:
                env[name] = a.v
                changed.add(name)
    return sets


MEMO_ENTRIES = 20_000  # per policy (and one more): a few MB at most, whatever the batch's size
MEMO_POLICIES = 8
_MEMOS: dict[int, tuple[dict, dict]] = {}  # id(nodes) -> (nodes, {key: (set, the set's number)})
_ENTRY = itertools.count()  # never reused, even when a memo is emptied
_SAME = object()  # (_SAME, set key) -> the number of that set (a rule's key starts with its name)


def _memo_of(nodes: dict) -> dict:
    got = _MEMOS.get(id(nodes))
    if got is not None and got[0] is nodes:
        return got[1]
    if len(_MEMOS) >= MEMO_POLICIES:
        _MEMOS.pop(next(iter(_MEMOS)))
    memo: dict = {}
    _MEMOS[id(nodes)] = (nodes, memo)  # holding nodes: its id is not reused while the entry lives
    return memo


def _key(name, reads, env, sets, found):
    """What `settle` of rule `name` depends on, as a hashable key (engine.lang.values.key_of: lists
    and records as tuples, each value with its type); None when a value cannot be hashed even so."""
    parts = [name]
    for r in reads:  # the same frozenset every row: the same order
        v = env.get(r)
        if v is not None:
            parts.append((r, key_of(v)))
        elif r in found:  # the set's number stands for the set
            parts.append((r, found[r]))
        elif r in sets:
            parts.append((r, _set_key(sets[r])))
        else:
            parts.append(r)  # an absent fact or a rule left alone: the same set every row
    key = tuple(parts)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _set_key(a):
    if isinstance(a, K):
        return ("K", key_of(a.v))
    if isinstance(a, R):
        return ("R", type(a.lo), a.lo, type(a.hi), a.hi)
    if isinstance(a, S):
        return ("S", frozenset((type(x), x) for x in a.vals))
    return a  # ANY, TOP


def _lasting(a) -> bool:
    """A set that may be shared between rows: nothing in it can be changed in place."""
    if isinstance(a, K):
        try:
            hash(a.v)
        except TypeError:
            return False
    return True


def _settle_set(node, env, sets, specs):
    try:
        return _Bounds(env, sets, specs).ev(node, {}, {}, {})
    except (RecursionError, EvalError):
        return TOP


# --------------------------------------------------------------------------- sets of values

def _known(v) -> Any:
    return TOP if v is None else K(v)


def _num(a):
    """(lo, hi) of a number set, or None."""
    if isinstance(a, R):
        return a.lo, a.hi
    if isinstance(a, K) and type(a.v) in (int, Fraction):
        return a.v, a.v
    return None


def _choices(a):
    """The possible values of a small set (booleans, texts), or None."""
    if isinstance(a, S):
        return a.vals
    if isinstance(a, K) and type(a.v) in (bool, str):
        return frozenset((a.v,))
    return None


def _bools(a):
    if a is ANY:
        return BOOLS
    c = _choices(a)
    if c is not None and c <= BOOLS:
        return c
    return None


def _range(lo, hi):
    """R(lo, hi), K when it is one number, TOP when a value in it would break the magnitude limit."""
    for x in (lo, hi):
        if abs(x) > M or (isinstance(x, Fraction) and x.denominator > M):
            return TOP
    if lo == hi:
        return K(builtins.norm(lo))
    return R(lo, hi)


def _set(vals) -> Any:
    vals = frozenset(vals)
    if len(vals) == 1:
        return K(next(iter(vals)))
    return S(vals) if vals else TOP


def _same(x, y) -> bool:
    if (type(x) is bool) != (type(y) is bool):
        return False
    return equal(x, y) is True


def join(a, b):
    """A set holding both a's values and b's."""
    if a is TOP or b is TOP:
        return TOP
    if isinstance(a, K) and isinstance(b, K) and _same(a.v, b.v):
        return a
    na, nb = _num(a), _num(b)
    if na is not None and nb is not None:
        return _range(min(na[0], nb[0]), max(na[1], nb[1]))
    ca, cb = _choices(a), _choices(b)
    if ca is not None and cb is not None:
        return _set(ca | cb)
    return ANY


def _frac(x):
    return Fraction(repr(x)) if isinstance(x, float) else x


def from_spec(spec) -> Any:
    """The values an absent fact (or field) may take, by its declaration."""
    if not isinstance(spec, dict):
        return ANY
    kind = spec.get("type")
    if kind == "bool":
        return S(BOOLS)
    if kind == "enum" and spec.get("values"):
        return _set(spec["values"])
    if kind in ("int", "number"):
        lo, hi = -MAX_FACT_MAGNITUDE, MAX_FACT_MAGNITUDE
        if isinstance(spec.get("min"), (int, float, Fraction)) and not isinstance(spec.get("min"), bool):
            lo = max(lo, _frac(spec["min"]))
        if isinstance(spec.get("max"), (int, float, Fraction)) and not isinstance(spec.get("max"), bool):
            hi = min(hi, _frac(spec["max"]))
        if kind == "int":
            lo, hi = math.ceil(lo), math.floor(hi)
        return _range(lo, hi) if lo <= hi else TOP
    return ANY


def _field_spec(spec, name):
    if isinstance(spec, dict) and isinstance(spec.get("fields"), dict):
        return spec["fields"].get(name)
    return None


def _item_spec(spec):
    if isinstance(spec, dict) and spec.get("type") == "list":
        return spec.get("items")
    return None


# --------------------------------------------------------------------------- evaluation over sets

def _concrete(fn, *args):
    try:
        return _known(check_magnitude(fn(*args)))
    except (EvalError, TypeError, ZeroDivisionError, OverflowError, ValueError):
        return TOP


_ARITH = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": divide}


def _mul0(x, y):
    return 0 if x == 0 or y == 0 else x * y


class _Bounds:
    def __init__(self, env, sets, specs):
        self.env, self.sets, self.specs = env, sets, specs

    def ev(self, node, scope: dict, concrete: dict, item_specs: dict):
        """The set of `node`'s values. `scope`: loop variables' sets; `concrete`: their values (None
        when unknown, for `is` tests); `item_specs`: their item declarations, where known."""
        ev = lambda n: self.ev(n, scope, concrete, item_specs)  # noqa: E731
        match node:
            case ast.Literal(value=v):
                return K(v)
            case ast.Name(id=name):
                if name in scope:
                    return scope[name]
                v = self.env.get(name)
                if v is not None:
                    return K(v)
                if name in self.sets:
                    return self.sets[name]
                if name in self.specs:
                    return from_spec(self.specs[name])
                return TOP
            case ast.Field(obj=o, name=name):
                a = ev(o)
                if a is TOP:
                    return TOP
                if isinstance(a, K) and isinstance(a.v, dict) and a.v.get(name) is not None:
                    return K(a.v[name])
                return from_spec(_field_spec(self._spec_of(o, item_specs), name))
            case ast.ListLit(items=items):
                return self._collection([ev(i) for i in items], list)
            case ast.RecordLit(entries=entries):
                parts = [ev(v) for _, v in entries]
                got = self._collection(parts, list)
                return K(dict(zip((k for k, _ in entries), got.v))) if isinstance(got, K) else got
            case ast.Unary(op=op, operand=o):
                a = ev(o)
                if op == "not":
                    b = _bools(a)
                    return TOP if b is None else _set(not x for x in b)
                n = _num(a)
                return TOP if n is None else _range(-n[1], -n[0])
            case ast.Binary(op="and" | "or" as op, left=l, right=r):
                decisive = op == "or"
                la = _bools(ev(l))
                if la == {decisive}:
                    return K(decisive)
                rb = _bools(ev(r))
                if la is None or rb is None:
                    return TOP
                out = set()
                for x in la:
                    if x is decisive:
                        out.add(decisive)
                    else:
                        out.update(decisive if y is decisive else not decisive for y in rb)
                return _set(out)
            case ast.Binary(op=op, left=l, right=r):
                return self._arith(op, ev(l), ev(r))
            case ast.Compare(operands=operands, ops=ops):
                vals = [ev(o) for o in operands]
                if any(v is TOP for v in vals):
                    return TOP
                pairs = [_compare(op, vals[i], vals[i + 1]) for i, op in enumerate(ops)]
                out = set()
                if all(True in p for p in pairs):
                    out.add(True)
                if any(False in p for p in pairs):
                    out.add(False)
                return _set(out)
            case ast.IsTest():
                try:  # what is known now, as the interpreter sees it
                    return K(interpret(node, self.env, concrete))
                except EvalError:
                    return TOP
            case ast.Cond(test=t, then=a, orelse=b):
                c = _bools(ev(t))
                if c is None:
                    return TOP
                if c == {True}:
                    return ev(a)
                if c == {False}:
                    return ev(b)
                return join(ev(a), ev(b))
            case ast.Call(func=func, args=args):
                return self._call(func, [ev(a) for a in args])
            case ast.Aggregate() | ast.ListComp():
                return self._loop(node, scope, concrete, item_specs)
        return TOP

    def _spec_of(self, node, item_specs):
        """The declaration of the record `node` names: a record fact, or a loop variable's item."""
        if isinstance(node, ast.Name):
            if node.id in item_specs:
                return item_specs[node.id]
            return self.specs.get(node.id)
        return None

    @staticmethod
    def _collection(parts, make):
        if any(p is TOP for p in parts):
            return TOP
        if all(isinstance(p, K) for p in parts):
            return K(make(p.v for p in parts))
        return ANY

    @staticmethod
    def _arith(op, a, b):
        if a is TOP or b is TOP:
            return TOP
        if isinstance(a, K) and isinstance(b, K):
            return _concrete(_ARITH[op], a.v, b.v)
        na, nb = _num(a), _num(b)
        if op == "mul" and ((na == (0, 0) and b is not TOP) or (nb == (0, 0) and a is not TOP)):
            return K(0)  # nought times any number is nought
        if na is None or nb is None:
            return TOP
        (alo, ahi), (blo, bhi) = na, nb
        if op == "add":
            return _range(alo + blo, ahi + bhi)
        if op == "sub":
            return _range(alo - bhi, ahi - blo)
        if op == "mul":
            ps = [_mul0(x, y) for x in (alo, ahi) for y in (blo, bhi)]
            return _range(min(ps), max(ps))
        if blo <= 0 <= bhi:  # some completion divides by zero
            return TOP
        qs = [Fraction(x) / Fraction(y) for x in (alo, ahi) for y in (blo, bhi)]
        return _range(builtins.norm(min(qs)), builtins.norm(max(qs)))

    def _call(self, func, args):
        if any(a is TOP for a in args):
            return TOP
        if all(isinstance(a, K) for a in args):
            return _concrete(builtins.BUILTINS[func].impl, *(a.v for a in args))
        nums = [_num(a) for a in args]
        if func in ("min", "max") and len(args) > 1 and all(n is not None for n in nums):
            pick = min if func == "min" else max
            return _range(pick(n[0] for n in nums), pick(n[1] for n in nums))
        if func in ("round_down", "round_up", "floor", "ceil") and nums[0] is not None:
            if func in ("floor", "ceil"):
                f = math.floor if func == "floor" else math.ceil
                return _range(f(nums[0][0]), f(nums[0][1]))
            unit = args[1]
            if not (isinstance(unit, K) and type(unit.v) in (int, Fraction) and unit.v > 0):
                return TOP
            f = builtins.round_down if func == "round_down" else builtins.round_up
            return _range(f(nums[0][0], unit.v), f(nums[0][1], unit.v))  # both are monotone
        if func == "abs" and nums[0] is not None:
            lo, hi = nums[0]
            if lo >= 0:
                return _range(lo, hi)
            if hi <= 0:
                return _range(-hi, -lo)
            return _range(0, max(-lo, hi))
        return TOP

    def _loop(self, node, scope, concrete, item_specs):
        it = self.ev(node.iterable, scope, concrete, item_specs)
        if not (isinstance(it, K) and isinstance(it.v, list)) or len(it.v) > MAX_LIST_ITEMS:
            return TOP
        spec = _item_spec(self._spec_of(node.iterable, item_specs))
        inner_specs = {**item_specs, node.var: spec} if spec is not None else \
            {k: v for k, v in item_specs.items() if k != node.var}
        func = node.func if isinstance(node, ast.Aggregate) else "list"
        parts = []  # (can be in, must be in, set of the body's values)
        for item in it.v:
            s = {**scope, node.var: _known(item) if item is not None else ANY}
            c = {**concrete, node.var: item}
            can, must = True, True
            if node.filter is not None:
                f = _bools(self.ev(node.filter, s, c, inner_specs))
                if f is None:
                    return TOP
                can, must = True in f, f == {True}
            if not can:
                continue
            body = K(True) if func == "count" else self.ev(node.expr, s, c, inner_specs)
            if body is TOP:
                return TOP
            parts.append((must, body))
        if func == "list":
            if all(m and isinstance(b, K) for m, b in parts):
                return K([b.v for _, b in parts])
            return ANY
        if func == "count":
            return _range(sum(m for m, _ in parts), len(parts))
        if func in ("any", "all"):
            decisive = func == "any"
            out = set()
            vals = [(m, _bools(b)) for m, b in parts]
            if any(v is None for _, v in vals):
                return TOP
            if any(decisive in v for _, v in vals):
                out.add(decisive)
            if all(not m or (not decisive) in v for m, v in vals):
                out.add(not decisive)
            return _set(out)
        nums = [(m, _num(b)) for m, b in parts]
        if any(n is None for _, n in nums):
            return TOP if any(not isinstance(b, K) for _, b in parts) else self._exact(func, parts)
        if func == "sum":
            lo = sum((n[0] if m else min(0, n[0]) for m, n in nums), 0)
            hi = sum((n[1] if m else max(0, n[1]) for m, n in nums), 0)
            return _range(lo, hi)
        if func in ("min", "max"):
            if not any(m for m, _ in nums):  # possibly no item: some completion fails (empty_aggregate)
                return TOP
            pick = min if func == "min" else max
            every = [n for _, n in nums]
            sure = [n for m, n in nums if m]
            if func == "min":
                return _range(min(n[0] for n in every), min(n[1] for n in sure))
            return _range(max(n[0] for n in sure), max(n[1] for n in every))
        return TOP

    @staticmethod
    def _exact(func, parts):
        """An aggregate over known items of known values that are not numbers (dates ...)."""
        if not all(m for m, _ in parts):
            return TOP
        return _concrete(builtins.BUILTINS[func].impl, [b.v for _, b in parts])


def _compare(op, a, b) -> frozenset:
    """The possible outcomes of `a op b` (a subset of {True, False})."""
    if isinstance(a, K) and isinstance(b, K):
        try:
            r = {"<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
                 ">=": lambda x, y: x >= y, "==": equal, "!=": lambda x, y: None if equal(x, y) is None
                 else not equal(x, y), "in": member,
                 "not in": lambda x, y: None if member(x, y) is None else not member(x, y)}[op](a.v, b.v)
        except TypeError:
            return BOOLS
        return BOOLS if r is None else frozenset((r,))
    na, nb = _num(a), _num(b)
    if na is not None and nb is not None and op in ("<", "<=", ">", ">=", "==", "!="):
        (alo, ahi), (blo, bhi) = na, nb
        if op in (">", ">="):  # b < a, b <= a
            (alo, ahi), (blo, bhi), op = (blo, bhi), (alo, ahi), "<" if op == ">" else "<="
        if op == "<":
            return frozenset((True,)) if ahi < blo else frozenset((False,)) if alo >= bhi else BOOLS
        if op == "<=":
            return frozenset((True,)) if ahi <= blo else frozenset((False,)) if alo > bhi else BOOLS
        apart = ahi < blo or bhi < alo
        if op == "==":
            return frozenset((False,)) if apart else BOOLS
        return frozenset((True,)) if apart else BOOLS
    ca, cb = _choices(a), _choices(b)
    if op in ("==", "!=") and ca is not None and cb is not None:
        if len(ca) == 1 and ca == cb:
            return frozenset((op == "==",))
        if ca.isdisjoint(cb):
            return frozenset((op == "!=",))
        return BOOLS
    if op in ("in", "not in") and ca is not None and isinstance(b, K) and isinstance(b.v, (list, tuple)):
        outs = set()
        for x in ca:
            m = member(x, b.v)
            outs.update(BOOLS if m is None else (m if op == "in" else not m,))
        return frozenset(outs)
    return BOOLS
