# SPDX-License-Identifier: MIT
"""One generated Python function per checked policy, built with the `ast` module and compile().

`generate(policy)` turns the checked rules into one function `facts -> (value of each rule, in
policy order)`: every fact is read once into a local, every rule's value is a local, unknowns are
`None` with a test only where a value can be unknown, numbers stay exact (int and Fraction) under
the magnitude limit. Only this module decides what becomes code: local names are made here from
checked identifiers (`f_NAME` facts, `r_NAME` rules, `vN_NAME` loop variables, `tN` temporaries),
literals are `ast.Constant` (or module constants `K1`, `K2` ... holding the value itself for
Fractions, dates, lists), and no text of the policy is pasted into source. The code object is
compiled under the policy's file name with each statement on the line of the rule part it
computes, so a traceback inside it points at the policy's file:line.

The reference interpreter (engine.lang.interpret) is the definition: the tests check that this
agrees with it on the language corpus, the real policies and random facilities.
"""
from __future__ import annotations

import ast as py
import datetime
import marshal
import types
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from engine.lang import ast
from engine.lang import builtins
from engine.lang.builtins import STRUCT, EvalError, check_magnitude, divide, equal, member, not_equal, not_member
from engine.lang.compile import _magnitude, _round_fast
from engine.lang.interpret import interpret

M = builtins.MAX_MAGNITUDE


# --------------------------------------------------------------------------- run-time helpers

def _mag(r, node):
    """check_magnitude (in integer arithmetic where it can be); a failure names `node`."""
    try:
        return _magnitude(r)
    except EvalError as e:
        e.node = e.node or node
        raise


def _div(a, b, node):
    try:
        return check_magnitude(divide(a, b))
    except EvalError as e:
        e.node = e.node or node
        raise


def _call(impl, node, *args):
    try:
        return check_magnitude(impl(*args))
    except EvalError as e:
        e.node = e.node or node
        raise


def _sum(vals, where):
    """sum of an aggregate. As in the interpreter its failure names no node (an enclosing call may);
    `where` (the aggregate) only tells the runner which rule failed."""
    try:
        return check_magnitude(builtins.norm(sum(vals, 0)))
    except EvalError as e:
        e.where = where
        raise


def _in_call(node, fn, *args):
    """Run fn(*args); an EvalError without a node gets `node` (the interpreter's call arguments)."""
    try:
        return fn(*args)
    except EvalError as e:
        e.node = e.node or node
        raise


def _out_of_range(node):
    """add_days's failure (a date beyond year 1 to 9999), naming `node` as _call would."""
    raise EvalError("date_out_of_range", builtins.words("diag.date_out_of_range"), node)


def _months_end(d, skip: int, months: int, node):
    """period_end / period_end_counting_from in months (民法143), from d or the day after it."""
    try:
        return builtins.calendar_period_end(builtins.add_days(d, 1) if skip else d, months)
    except EvalError as e:
        e.node = e.node or node
        raise


HELPERS = {
    "_mag": _mag, "_div": _div, "_call": _call, "_sum": _sum, "_eq": equal, "_ne": not_equal,
    "_member": member, "_not_member": not_member, "_Fraction": Fraction, "_round_fast": _round_fast,
    "_in_call": _in_call, "_out_of_range": _out_of_range, "_months_end": _months_end,
    "_OverflowError": OverflowError, "_type": type, "_int": int, "_KeyError": KeyError, "_abs": abs, "_len": len, "__builtins__": {},
}


# --------------------------------------------------------------------------- small AST builders

def _name(i: str) -> py.Name:
    return py.Name(i, py.Load())


def _store(i: str) -> py.Name:
    return py.Name(i, py.Store())


def _c(v) -> py.Constant:
    return py.Constant(v)


def _is(e, v) -> py.Compare:
    return py.Compare(e, [py.Is()], [v if isinstance(v, py.AST) else _c(v)])


def _is_not(e, v) -> py.Compare:
    return py.Compare(e, [py.IsNot()], [_c(v)])


def _or(*es):
    es = [e for e in es if e is not None]
    return es[0] if len(es) == 1 else py.BoolOp(py.Or(), list(es))


def _and(*es):
    es = [e for e in es if e is not None]
    return es[0] if len(es) == 1 else py.BoolOp(py.And(), list(es))


def _ifexp(test, body, orelse):
    return py.IfExp(test, body, orelse)


def _callf(fn: str, *args):
    return py.Call(_name(fn), list(args), [])


_CMP = {"<": py.Lt, "<=": py.LtE, ">": py.Gt, ">=": py.GtE, "==": py.Eq, "!=": py.NotEq,
        "in": py.In, "not in": py.NotIn}
_ARITH = {"add": py.Add, "sub": py.Sub, "mul": py.Mult}
_ATOMS = (py.Name, py.Constant)
_STRUCT_KINDS = ("list", "record", "any")
_PLAIN = (int, str, bool)  # literal types an ast.Constant holds as they are
_TOTAL = frozenset({"abs", "floor", "ceil", "round_down", "round_up", "date", "add_days", "add_months",
                    "add_years", "days_between", "fiscal_year", "fiscal_year_start", "fiscal_year_end",
                    "count", "empty"})  # known whenever every argument is known


@dataclass
class Val:
    """A generated expression and whether its value may be None (unknown)."""

    expr: py.expr
    nullable: bool
    scalar: bool = False  # when known, never a list or record (Python's == and in are then Kleene's)


# --------------------------------------------------------------------------- the generator

class Generator:
    """Builds statements for expressions; `names` resolves a free name to its Val."""

    def __init__(self, consts: dict, resolve: Callable[[str], Val | None]):
        self.consts = consts
        self.resolve = resolve
        self.ns: dict[str, Any] = dict(HELPERS)
        self._const_ids: dict[int, str] = {}
        self.block: list[py.stmt] = []
        self.scope: list[dict[str, tuple]] = []  # loop variable -> (its local, whether scalar)
        self.calls: list[ast.Node] = []  # enclosing calls (the interpreter's error attribution)
        self.line = 1
        self.locate: Callable[[int], Any] = lambda offset: None
        self.constant: set[int] = set()  # ids of the nodes that read only constants (see start)
        self._n = 0
        self.memo: dict[int, Val] = {}  # nodes already computed into locals (see _scaled_round)
        self.scaling = True  # False while the general code of a scaled expression is generated

    def start(self, root: ast.Node, locate: Callable[[int], Any], line: int) -> None:
        """Get ready for the expression `root` (one pass marks what reads only constants)."""
        self.locate, self.line = locate, line
        self.constant = _constant_nodes(root, self.consts)

    # names -------------------------------------------------------------
    def fresh(self, stem: str = "t") -> str:
        self._n += 1
        return f"{stem}{self._n}"

    def const(self, v) -> Val:
        if type(v) in _PLAIN or v is None:
            return Val(_c(v), v is None, True)
        if isinstance(v, (frozenset, tuple)) and all(type(x) in _PLAIN for x in v):
            return Val(_c(v), False)
        key = id(v)
        name = self._const_ids.get(key)
        if name is None:
            name = self._const_ids[key] = self.fresh("K")
            self.ns[name] = v
        return Val(_name(name), False, not isinstance(v, (list, dict, tuple, frozenset)))

    def node_ref(self, node: ast.Node | None) -> py.expr:
        if node is None:
            return _c(None)
        key = ("N", id(node))
        name = self._const_ids.get(key)  # type: ignore[arg-type]
        if name is None:
            name = self._const_ids[key] = self.fresh("N")  # type: ignore[index]
            self.ns[name] = node
        return _name(name)

    # statements --------------------------------------------------------
    def emit(self, stmt: py.stmt) -> None:
        stmt.lineno = stmt.end_lineno = self.line
        stmt.col_offset = stmt.end_col_offset = 0
        self.block.append(stmt)

    def assign(self, target: str, value: py.expr) -> None:
        self.emit(py.Assign([_store(target)], value))

    def nested(self, fn: Callable[[], Any]) -> tuple[list[py.stmt], Any]:
        """Statements that fn() emits, in their own block (for if/else bodies)."""
        saved, self.block = self.block, []
        try:
            out = fn()
            return self.block or [self._pass()], out
        finally:
            self.block = saved

    def _pass(self) -> py.stmt:
        p = py.Pass()
        p.lineno = p.end_lineno = self.line
        p.col_offset = p.end_col_offset = 0
        return p

    def if_(self, test, body: list, orelse: list | None = None) -> None:
        self.emit(py.If(test, body, orelse or []))

    def atom(self, v: Val) -> Val:
        """The value in a local (or a constant): safe to name twice."""
        if isinstance(v.expr, _ATOMS):
            return v
        t = self.fresh()
        self.assign(t, v.expr)
        return Val(_name(t), v.nullable, v.scalar)

    def into(self, target: str, node: ast.Node) -> Val:
        """Compute `node` into the local `target`."""
        v = self.expr(node)
        self.assign(target, v.expr)
        return Val(_name(target), v.nullable, v.scalar)

    # expressions -------------------------------------------------------
    def expr(self, node: ast.Node) -> Val:
        saved = self.line
        loc = self.locate(node.start)
        if loc is not None:
            self.line = loc.line
        try:
            if id(node) in self.memo:
                return self.memo[id(node)]
            folded = self._fold(node)
            if folded is not None:
                return folded
            return getattr(self, "_" + type(node).__name__)(node)
        finally:
            self.line = saved

    def _fold(self, node: ast.Node) -> Val | None:
        """A sub-expression of constants only, evaluated once by the reference interpreter."""
        if isinstance(node, (ast.Literal, ast.Name, ast.ListLit, ast.RecordLit, ast.ListComp)):
            return None
        if id(node) not in self.constant:
            return None
        try:
            v = interpret(node, dict(self.consts))
        except (EvalError, ArithmeticError, TypeError, ValueError):
            return None  # evaluated per facility, where the error is reported with its rule
        if isinstance(v, (list, dict)):
            return None
        return self.const(v)

    def _Literal(self, n: ast.Literal) -> Val:
        return self.const(n.value)

    def _Name(self, n: ast.Name) -> Val:
        for s in reversed(self.scope):
            if n.id in s:
                local, scalar = s[n.id]
                return Val(_name(local), True, scalar)
        if n.id in self.consts:
            return self.const(self.consts[n.id])
        got = self.resolve(n.id)
        return got if got is not None else Val(_c(None), True)

    def _Field(self, n: ast.Field) -> Val:
        o = self.atom(self.expr(n.obj))
        get = py.Call(py.Attribute(o.expr, "get", py.Load()), [_c(n.name)], [])
        return Val(_ifexp(_is(o.expr, None), _c(None), get) if o.nullable else get, True)

    def _ListLit(self, n: ast.ListLit) -> Val:
        items = [self.expr(i).expr for i in n.items]
        return Val(py.List(items, py.Load()), False)

    def _RecordLit(self, n: ast.RecordLit) -> Val:
        keys, vals = [], []
        for k, v in n.entries:
            keys.append(_c(k))
            vals.append(self.expr(v).expr)
        return Val(py.Dict(keys, vals), False)

    def _Unary(self, n: ast.Unary) -> Val:
        a = self.atom(self.expr(n.operand))
        op = py.UnaryOp(py.Not() if n.op == "not" else py.USub(), a.expr)
        if not a.nullable:
            return Val(op, False, True)
        return Val(_ifexp(_is(a.expr, None), _c(None), op), True, True)

    def _Binary(self, n: ast.Binary) -> Val:
        if n.op in ("and", "or"):
            return self._kleene(n)
        a = self.atom(self.expr(n.left))
        b = self.atom(self.expr(n.right))
        t = self.fresh()
        body = self.nested(lambda: self._arith(n, a, b, t))[0]
        unknown = [_is(x.expr, None) for x in (a, b) if x.nullable]
        if unknown:
            none = self.nested(lambda: self.assign(t, _c(None)))[0]
            self.if_(_or(*unknown), none, body)
        else:
            self.block.extend(body)
        return Val(_name(t), bool(unknown), True)

    def _arith(self, n: ast.Binary, a: Val, b: Val, t: str) -> None:
        x, y, node = a.expr, b.expr, self.node_ref(n)
        if n.op == "div" and isinstance(y, py.Constant) and type(y.value) is int and 0 < y.value <= M:
            # int / a positive constant: in range when x is, with a denominator dividing y
            fast = _and(_is(_callf("_type", x), _name("_int")), py.Compare(_c(-M), [py.LtE(), py.LtE()], [x, _c(M)]))
            exact = _ifexp(py.BinOp(x, py.Mod(), y), _callf("_Fraction", x, y), py.BinOp(x, py.FloorDiv(), y))
            self.assign(t, _ifexp(fast, exact, _callf("_div", x, y, node)))
            return
        if n.op == "div":
            # int / int with both in range: the quotient is in range and its denominator divides y
            fast = _and(_is(_callf("_type", x), _name("_int")), _is(_callf("_type", y), _name("_int")), y,
                        py.Compare(_c(-M), [py.LtE(), py.LtE()], [x, _c(M)]),
                        py.Compare(_c(-M), [py.LtE(), py.LtE()], [y, _c(M)]))
            whole = py.BinOp(x, py.FloorDiv(), y)
            exact = _ifexp(py.BinOp(x, py.Mod(), y), _callf("_Fraction", x, y), whole)
            slow = _callf("_div", x, y, node)
            self.assign(t, _ifexp(fast, exact, slow))
            return
        k = self.ns.get(y.id) if isinstance(y, py.Name) and y.id[:1] == "K" else None
        if n.op == "mul" and type(k) is Fraction:  # int * Fraction as Python gives it, built in one step
            one_step = _callf("_Fraction", py.BinOp(x, py.Mult(), _c(k.numerator)), _c(k.denominator))
            self.assign(t, _ifexp(_is(_callf("_type", x), _name("_int")), one_step, py.BinOp(x, py.Mult(), y)))
        else:
            self.assign(t, py.BinOp(x, _ARITH[n.op](), y))
        r = _name(t)
        in_range = _and(_is(_callf("_type", r), _name("_int")), py.Compare(_c(-M), [py.LtE(), py.LtE()], [r, _c(M)]))
        self.if_(py.UnaryOp(py.Not(), in_range), self.nested(lambda: self.assign(t, _callf("_mag", r, node)))[0])

    def _kleene(self, n: ast.Binary) -> Val:
        """Three-valued and/or, left to right, stopping once decided (as the interpreter)."""
        parts = ast.operands(n, n.op)
        decisive = n.op == "or"
        pure = self._pure_parts(parts)
        if pure is not None:  # nothing can fail: one expression over every part
            if not any(v.nullable for v in pure):
                return Val(py.BoolOp(py.Or() if decisive else py.And(), [v.expr for v in pure]), False, True)
            atoms = [self.atom(v) for v in pure]
            settle = _or(*[_is(v.expr, decisive) for v in atoms])
            unknown = _or(*[_is(v.expr, None) for v in atoms if v.nullable])
            return Val(_ifexp(settle, _c(decisive), _ifexp(unknown, _c(None), _c(not decisive))), True, True)
        res = self.fresh()
        self.assign(res, _c(not decisive))
        nullable = False
        for i, p in enumerate(parts):
            def one(p=p):
                v = self.atom(self.expr(p))
                settle = self.nested(lambda: self.assign(res, _c(decisive)))[0]
                orelse = None
                if v.nullable:
                    orelse = [py.If(_is(v.expr, None), self.nested(lambda: self.assign(res, _c(None)))[0], [])]
                    _locate(orelse[0], self.line)
                self.if_(_is(v.expr, decisive), settle, orelse)
                return v.nullable
            if i == 0:
                nullable |= one()
            else:
                body, got = self.nested(one)
                nullable |= got
                self.if_(_is_not(_name(res), decisive), body)
        return Val(_name(res), nullable, True)

    def _pure_parts(self, parts: list) -> list[Val] | None:
        """The parts' values when none needs a statement (so none can fail), else None."""
        saved, counter, consts = self.block, self._n, dict(self._const_ids)
        self.block = []
        try:
            vals = [self.expr(p) for p in parts]
        finally:
            emitted, self.block = self.block, saved
        if all(isinstance(st, py.Assign) and _cannot_fail(st.value) for st in emitted):
            self.block.extend(emitted)  # temporaries of comparisons and tests: evaluated eagerly
            return vals
        self._n, self._const_ids = counter, consts  # generated again, as statements
        return None

    def _Compare(self, n: ast.Compare) -> Val:
        if self.scaling and len(n.ops) == 1 and n.ops[0] in _ORDER:
            got = self._scaled_compare(n)
            if got is not None:
                return got
        last = n.operands[-1]
        fixed = n.ops[-1] in ("in", "not in") and self._const_list(last) is not None
        vals = [self.atom(self.expr(o)) for o in (n.operands[:-1] if fixed else n.operands)]
        if fixed:
            vals.append(Val(_c(None), False))  # a list of constants: _pair reads it from the node
        pairs = []  # (Python expression of the pair, whether it may be None)
        for i, sym in enumerate(n.ops):
            pairs.append(self._pair(sym, vals[i], vals[i + 1], n.operands[i + 1]))
        unknown = [i for i, v in enumerate(vals) if v.nullable]
        shared = {0, 1} if len(pairs) == 1 else {1} if len(pairs) == 2 else set()
        if not any(kleene for _, kleene in pairs) and set(unknown) <= shared and (len(pairs) == 1 or not fixed):
            # every pair reads the one value that may be unknown: unknown if it is, else Python's chain
            chain = py.Compare(vals[0].expr, [_CMP[s]() for s in n.ops], [v.expr for v in vals[1:]])
            if len(pairs) == 1:
                chain = pairs[0][0]
            if not unknown:
                return Val(chain, False, True)
            return Val(_ifexp(_or(*[_is(vals[i].expr, None) for i in unknown]), _c(None), chain), True, True)
        # every operand is evaluated, then each pair: false if a pair is false, else unknown if one is
        cs = []
        for i, (op, kleene) in enumerate(pairs):
            nulls = [_is(x.expr, None) for x in (vals[i], vals[i + 1]) if x.nullable]
            cs.append(self.atom(Val(_ifexp(_or(*nulls), _c(None), op), True) if nulls else Val(op, kleene)))
        if len(cs) == 1:
            return Val(cs[0].expr, cs[0].nullable, True)
        false = _or(*[_is(c.expr, False) for c in cs])
        unknown_c = [_is(c.expr, None) for c in cs if c.nullable]
        if not unknown_c:
            return Val(_ifexp(false, _c(False), _c(True)), False, True)
        return Val(_ifexp(false, _c(False), _ifexp(_or(*unknown_c), _c(None), _c(True))), True, True)

    def _pair(self, sym: str, a: Val, b: Val, right: ast.Node) -> tuple[py.expr, bool]:
        """One comparison of two known values, and whether its answer may be unknown (Kleene)."""
        x, y = a.expr, b.expr
        if sym in ("<", "<=", ">", ">="):
            return py.Compare(x, [_CMP[sym]()], [y]), False
        if sym in ("==", "!="):
            if a.scalar or b.scalar:  # a number, text, date or truth value: Python's == is Kleene's
                return py.Compare(x, [_CMP[sym]()], [y]), False
            return _callf("_eq" if sym == "==" else "_ne", x, y), True
        items = self._const_list(right)
        if items is not None and None not in items and not any(type(v) in STRUCT for v in items):
            if not a.scalar:  # a list or record looked for by equality: member() gives the same answer
                return _callf("_member" if sym == "in" else "_not_member", x, self.const(tuple(items)).expr), True
            return py.Compare(x, [_CMP[sym]()], [self.const(tuple(items)).expr]), False
        if a.scalar and sym == "in":  # member(x, xs) for a text, number, date or truth value x
            none_in = py.Compare(_c(None), [py.In()], [y])
            return _ifexp(py.Compare(x, [py.In()], [y]), _c(True), _ifexp(none_in, _c(None), _c(False))), True
        return _callf("_member" if sym == "in" else "_not_member", x, y), True

    def _const_list(self, node: ast.Node) -> list | None:
        """The value of a list that is the same for every facility (a literal of constants, a parameter)."""
        if isinstance(node, ast.Name) and not any(node.id in s for s in self.scope):
            v = self.consts.get(node.id)
            return v if isinstance(v, list) else None
        if isinstance(node, ast.ListLit):
            out = []
            for item in node.items:
                if isinstance(item, ast.Literal):
                    out.append(item.value)
                else:
                    return None
            return out
        return None

    def _IsTest(self, n: ast.IsTest) -> Val:
        a = self.atom(self.expr(n.operand))
        if n.kind == "known":
            return Val(_is_not(a.expr, None), False, True)
        return Val(_is(a.expr, {"unknown": None, "true": True, "false": False}[n.kind]), False, True)

    def _Cond(self, n: ast.Cond) -> Val:
        c = self.atom(self.expr(n.test))
        t = self.fresh()
        then, va = self.nested(lambda: self.into(t, n.then))
        orelse, vb = self.nested(lambda: self.into(t, n.orelse))
        branch = py.If(c.expr, then, orelse)
        _locate(branch, self.line)
        if c.nullable:
            self.if_(_is(c.expr, None), self.nested(lambda: self.assign(t, _c(None)))[0], [branch])
        else:
            self.block.append(branch)
        return Val(_name(t), c.nullable or va.nullable or vb.nullable, va.scalar and vb.scalar)

    def _Call(self, n: ast.Call) -> Val:
        if self.scaling and n.func in ("round_down", "round_up") and len(n.args) == 2:
            got = self._scaled_round(n)
            if got is not None:
                return got
        self.calls.append(n)
        try:
            args = [self.atom(self.expr(a)) for a in n.args]
        finally:
            self.calls.pop()
        impl = builtins.BUILTINS[n.func].impl
        t = self.fresh()
        nullable = n.func not in _TOTAL or any(a.nullable for a in args)
        xs = [a.expr for a in args]
        generic = _callf("_call", self._impl(n.func, impl), self.node_ref(n), *xs)
        if n.func in _DATE_STEPS and self._date_step(n, args, t):
            return Val(_name(t), args[0].nullable, True)
        unit = xs[1] if len(xs) == 2 else None
        if n.func in ("round_down", "round_up") and isinstance(unit, py.Constant) \
                and type(unit.value) is int and unit.value > 0:
            def rounded():
                fast = _round_int_expr(xs[0], unit, n.func == "round_up")
                exact = _callf("_round_fast", xs[0], unit, _c(n.func == "round_up"))
                fraction = _ifexp(_is(_callf("_type", xs[0]), _name("_Fraction")), exact, generic)
                self.assign(t, _ifexp(_is(_callf("_type", xs[0]), _name("_int")), fast, fraction))
                r = _name(t)
                big = py.UnaryOp(py.Not(), py.Compare(_c(-M), [py.LtE(), py.LtE()], [r, _c(M)]))
                self.if_(big, self.nested(lambda: self.assign(t, _callf("_mag", r, self.node_ref(n))))[0])
            body = self.nested(rounded)[0]
            if args[0].nullable:
                self.if_(_is(xs[0], None), self.nested(lambda: self.assign(t, _c(None)))[0], body)
            else:
                self.block.extend(body)
            return Val(_name(t), nullable, True)
        if n.func in ("min", "max") and len(args) == 2 and all(a.scalar for a in args):
            a, b = xs  # min(a, b) is a unless b < a; max(a, b) is a unless b > a (Python's own rule)
            value = _ifexp(py.Compare(b, [py.Lt() if n.func == "min" else py.Gt()], [a]), b, a)
            unknown = [_is(x.expr, None) for x in args if x.nullable]
            self.assign(t, _ifexp(_or(*unknown), _c(None), value) if unknown else value)
            return Val(_name(t), bool(unknown), True)
        if n.func == "abs":
            value = _callf("_abs", xs[0])
            self.assign(t, _ifexp(_is(xs[0], None), _c(None), value) if args[0].nullable else value)
            return Val(_name(t), nullable, True)
        self.assign(t, generic)
        return Val(_name(t), nullable, n.func != "first")

    # exact rationals in integer arithmetic ------------------------------
    def _const_value(self, node: ast.Node):
        """The value of a sub-expression of constants only, else None."""
        if id(node) not in self.constant:
            return None
        try:
            return interpret(node, dict(self.consts))
        except (EvalError, ArithmeticError, TypeError, ValueError):
            return None

    def _ratio(self, node: ast.Node) -> tuple | None:
        """(x, p, q) when node is x * (p/q) or x / (q/p) by a constant, p and q positive ints
        and q > 1 (an int x times a proper fraction: a Fraction in the general code), else None."""
        if not isinstance(node, ast.Binary) or node.op not in ("mul", "div") or id(node) in self.constant:
            return None
        if node.op == "mul":
            for x, k in ((node.left, node.right), (node.right, node.left)):
                v = self._const_value(k)
                if type(v) is Fraction and v > 0:
                    return _checked_ratio(x, v.numerator, v.denominator)
            return None
        v = self._const_value(node.right)
        if type(v) in (int, Fraction) and v > 0:
            return _checked_ratio(node.left, Fraction(v).denominator, Fraction(v).numerator)
        return None

    def _leaves(self, call: ast.Node | None, nodes: list) -> list[Val]:
        """Atoms of the nodes, computed as the general code would (within `call`'s arguments)."""
        if call is not None:
            self.calls.append(call)
        try:
            return [self.atom(self.expr(x)) for x in nodes]
        finally:
            if call is not None:
                self.calls.pop()

    def _general(self, node: ast.Node, known: dict[int, Val], t: str) -> list[py.stmt]:
        """Statements computing `node` into t by the general code, reading `known` nodes' atoms."""
        def gen():
            saved, self.scaling = self.scaling, False
            self.memo.update(known)
            try:
                self.assign(t, self.expr(node).expr)
            finally:
                self.scaling = saved
                for k in known:
                    self.memo.pop(k, None)
        return self.nested(gen)[0]

    def _scaled(self, t: str, leaves: list[Val], fast_test: py.expr, fast: list[py.stmt], general: list[py.stmt]):
        """t = None when a leaf is unknown, else the fast statements when fast_test holds, else general."""
        chain = py.If(fast_test, fast, general)
        _locate(chain, self.line)
        unknown = [_is(v.expr, None) for v in leaves if v.nullable]
        if unknown:
            self.if_(_or(*unknown), self.nested(lambda: self.assign(t, _c(None)))[0], [chain])
        else:
            self.block.append(chain)
        return Val(_name(t), bool(unknown), True)

    def _scaled_round(self, n: ast.Call) -> Val | None:
        """round_down/round_up(x * p/q, u), or of min/max(y, x * p/q), with int x (and y), in integer
        arithmetic: the general code builds the Fraction, compares it and rounds it; the value is
        the same, and so is the failure when x * p/q is beyond the magnitude limit."""
        u = self._const_value(n.args[1])
        if type(u) is not int or u <= 0:
            return None
        arg, other, func = n.args[0], None, None
        plan = self._ratio(arg)
        if plan is None and isinstance(arg, ast.Call) and arg.func in ("min", "max") and len(arg.args) == 2:
            for i in (0, 1):
                plan = self._ratio(arg.args[i])
                if plan is not None:
                    other, func = arg.args[1 - i], arg.func
                    break
        if plan is None:
            return None
        x_node, p, q = plan
        self.calls.append(n)
        try:
            if other is None:
                (x,) = leaves = self._leaves(None, [x_node])
            else:  # the general code computes min/max's arguments in order
                order = [other, x_node] if arg.args[0] is other else [x_node, other]
                leaves = self._leaves(arg, order)
                x, y = (leaves[1], leaves[0]) if arg.args[0] is other else (leaves[0], leaves[1])
        finally:
            self.calls.pop()
        t, num = self.fresh(), self.fresh()
        ints = [_is(_callf("_type", v.expr), _name("_int")) for v in leaves]
        scaled = py.NamedExpr(_store(num), py.BinOp(x.expr, py.Mult(), _c(p)) if p != 1 else x.expr)
        test = _and(*ints, py.Compare(_c(-M * q), [py.LtE(), py.LtE()], [scaled, _c(M * q)]))

        def fast():
            if other is not None:  # min/max(y, x*p/q) = min/max(y*q, x*p) / q
                yq = py.BinOp(y.expr, py.Mult(), _c(q))
                pick = py.Compare(yq, [py.Lt() if func == "min" else py.Gt()], [_name(num)])
                self.assign(num, _ifexp(pick, yq, _name(num)))
            self.assign(t, _round_scaled_expr(_name(num), q * u, u, n.func == "round_up"))
            big = py.UnaryOp(py.Not(), py.Compare(_c(-M), [py.LtE(), py.LtE()], [_name(t), _c(M)]))
            self.if_(big, self.nested(lambda: self.assign(t, _callf("_mag", _name(t), self.node_ref(n))))[0])
        known = {id(x_node): x} if other is None else {id(x_node): x, id(other): y}
        return self._scaled(t, leaves, test, self.nested(fast)[0], self._general(n, known, t))

    def _scaled_compare(self, n: ast.Compare) -> Val | None:
        """a OP x * p/q with int a and x as a*q OP x*p: the general code builds the Fraction and
        compares it; the answer is the same, and so is the failure beyond the magnitude limit."""
        left, right = n.operands
        plan, flip = self._ratio(right), False
        if plan is None:
            plan, flip = self._ratio(left), True
        if plan is None:
            return None
        x_node, p, q = plan
        a_node = left if not flip else right
        first, second = (a_node, x_node) if not flip else (x_node, a_node)  # operands in order
        leaves = self._leaves(None, [first, second])
        a, x = (leaves[0], leaves[1]) if not flip else (leaves[1], leaves[0])
        t, num = self.fresh(), self.fresh()
        ints = [_is(_callf("_type", v.expr), _name("_int")) for v in leaves]
        scaled = py.NamedExpr(_store(num), py.BinOp(x.expr, py.Mult(), _c(p)) if p != 1 else x.expr)
        test = _and(*ints, py.Compare(_c(-M * q), [py.LtE(), py.LtE()], [scaled, _c(M * q)]))
        aq = py.BinOp(a.expr, py.Mult(), _c(q))
        pair = (aq, _name(num)) if not flip else (_name(num), aq)
        fast = self.nested(lambda: self.assign(t, py.Compare(pair[0], [_CMP[n.ops[0]]()], [pair[1]])))[0]
        return self._scaled(t, leaves, test, fast, self._general(n, {id(a_node): a, id(x_node): x}, t))

    def _date_step(self, n: ast.Call, args: list[Val], t: str) -> bool:
        """add_days / period_end(_counting_from) by a constant length: the date arithmetic inline
        (a constant timedelta, or the calendar months helper), with the built-in's unknowns and
        errors. False (nothing emitted) when the length or unit is not a valid constant."""
        d, rest = args[0], [a.expr for a in args[1:]]
        if not all(isinstance(x, py.Constant) for x in rest) or type(rest[0].value) is not int:
            return False
        length = rest[0].value
        unit = rest[1].value if len(rest) == 2 else "days"
        if n.func != "add_days" and (unit not in builtins.PERIOD_UNITS or length < 1):
            return False  # the built-in's own bad_argument, raised per facility
        node = self.node_ref(n)
        if unit == "days":
            days = length - 1 if n.func == "period_end_counting_from" else length
            if abs(days) > 4_000_000:  # beyond any date: the built-in's own date_out_of_range
                return False
            step = self.const(datetime.timedelta(days=days)).expr
            handler = py.ExceptHandler(_name("_OverflowError"), None,
                                       [_locate(py.Assign([_store(t)], _callf("_out_of_range", node)), self.line)])
            body = [_locate(py.Try([_locate(py.Assign([_store(t)], py.BinOp(d.expr, py.Add(), step)), self.line)],
                                   [_locate(handler, self.line)], [], []), self.line)]
        else:
            months = length * (12 if unit == "years" else 1)
            skip = _c(1 if n.func == "period_end" else 0)
            body = [_locate(py.Assign([_store(t)], _callf("_months_end", d.expr, skip, _c(months), node)), self.line)]
        if d.nullable:
            self.if_(_is(d.expr, None), self.nested(lambda: self.assign(t, _c(None)))[0], body)
        else:
            self.block.extend(body)
        return True

    def _impl(self, func: str, impl) -> py.expr:
        name = "_fn_" + func  # a built-in's name: one of builtins.NAMES, checked at load
        self.ns[name] = impl
        return _name(name)

    def _Aggregate(self, n: ast.Aggregate) -> Val:
        return self._loop(n, n.func)

    def _ListComp(self, n: ast.ListComp) -> Val:
        return self._loop(n, "list")

    def _loop(self, n, func: str) -> Val:
        items = self.atom(self.expr(n.iterable))
        t, vals, unk = self.fresh(), self.fresh("vals"), self.fresh("unk")
        var = self.fresh("v") + "_" + n.var
        fixed = self.ns.get(items.expr.id) if isinstance(items.expr, py.Name) and items.expr.id[:1] == "K" else None
        scalar_items = isinstance(fixed, (list, tuple)) and not any(type(v) in STRUCT for v in fixed)

        def body():
            self.assign(vals, py.List([], py.Load()))
            self.assign(unk, _c(False))
            self.scope.append({n.var: (var, scalar_items)})
            try:
                loop_body = self.nested(lambda: self._item(n, func, vals, unk))[0]
            finally:
                self.scope.pop()
            loop = py.For(_store(var), items.expr, loop_body, [])
            _locate(loop, self.line)
            self.block.append(loop)
            self.assign(t, self._finish(n, func, vals, unk))
        known = self.nested(body)[0]
        if items.nullable:
            self.if_(_is(items.expr, None), self.nested(lambda: self.assign(t, _c(None)))[0], known)
        else:
            self.block.extend(known)
        return Val(_name(t), True if func != "count" else items.nullable or n.filter is not None, func != "list")

    def _item(self, n, func: str, vals: str, unk: str) -> None:
        if n.filter is not None:
            k = self.atom(self.expr(n.filter))
            if k.nullable:
                def undecided():
                    self.assign(unk, _c(True))
                    self.emit(py.Continue())
                self.if_(_is(k.expr, None), self.nested(undecided)[0])
            self.if_(py.UnaryOp(py.Not(), k.expr), [_locate(py.Continue(), self.line)])
        value = _c(True) if func == "count" else self.expr(n.expr).expr
        self.emit(py.Expr(py.Call(py.Attribute(_name(vals), "append", py.Load()), [value], [])))

    def _finish(self, n, func: str, vals: str, unk: str) -> py.expr:
        v, u = _name(vals), _name(unk)
        none_in = py.Compare(_c(None), [py.In()], [v])
        if func == "any":
            return _ifexp(py.Compare(_c(True), [py.In()], [v]), _c(True), _ifexp(_or(u, none_in), _c(None), _c(False)))
        if func == "all":
            return _ifexp(py.Compare(_c(False), [py.In()], [v]), _c(False), _ifexp(_or(u, none_in), _c(None), _c(True)))
        if func == "list":
            return _ifexp(u, _c(None), v)
        if func == "count":
            return _ifexp(u, _c(None), _callf("_len", v))
        if func == "sum":
            enclosing = self.calls[-1] if self.calls else None
            done = _callf("_sum", v, self.node_ref(n))
            if enclosing is not None:
                done = _callf("_in_call", self.node_ref(enclosing), _name("_sum"), v, self.node_ref(n))
        else:
            done = _callf("_call", self._impl(func, builtins.BUILTINS[func].impl), self.node_ref(n), v)
        return _ifexp(_or(u, none_in), _c(None), done)


_DATE_STEPS = frozenset({"add_days", "period_end", "period_end_counting_from"})
_SAFE_CALLS = frozenset({"_member", "_not_member", "_eq", "_ne"})


def _cannot_fail(e: py.expr) -> bool:
    """An expression of tests, comparisons and look-ups only (no arithmetic, no built-in call)."""
    for n in py.walk(e):
        if isinstance(n, py.BinOp):
            return False
        if isinstance(n, py.Call):
            f = n.func
            if not ((isinstance(f, py.Name) and f.id in _SAFE_CALLS)
                    or (isinstance(f, py.Attribute) and f.attr == "get")):
                return False
    return True


_ORDER = ("<", "<=", ">", ">=", "==", "!=")


def _checked_ratio(x: ast.Node, p: int, q: int) -> tuple | None:
    """(x, p, q) for a proper fraction p/q within the magnitude limit (else the general code runs)."""
    return (x, p, q) if q > 1 and p <= M and q <= M else None


def _round_scaled_expr(num, den: int, unit: int, up: bool) -> py.expr:
    """round_down/round_up of num/(den/unit) by unit: the rounded quotient num/den times unit,
    toward zero (down) or away from it (up), as engine.lang.compile._round_fast rounds."""
    neg = py.UnaryOp(py.USub(), num)
    d, u = _c(den), _c(unit)
    if up:  # num >= 0: ceil(num/den) * unit; num < 0: floor(num/den) * unit
        pos = py.BinOp(py.UnaryOp(py.USub(), py.BinOp(neg, py.FloorDiv(), d)), py.Mult(), u)
        return _ifexp(py.Compare(num, [py.GtE()], [_c(0)]), pos, py.BinOp(py.BinOp(num, py.FloorDiv(), d), py.Mult(), u))
    towards = py.UnaryOp(py.USub(), py.BinOp(py.BinOp(neg, py.FloorDiv(), d), py.Mult(), u))
    return _ifexp(py.Compare(num, [py.GtE()], [_c(0)]), py.BinOp(py.BinOp(num, py.FloorDiv(), d), py.Mult(), u), towards)


def _round_int_expr(x, unit, up: bool) -> py.expr:
    """round_down/round_up of an int x by a positive constant unit, toward (away from) zero."""
    floor = py.BinOp(py.BinOp(x, py.FloorDiv(), unit), py.Mult(), unit)  # x // u * u
    neg = py.UnaryOp(py.USub(), x)
    if up:  # x >= 0: -(-x // u) * u; x < 0: x // u * u
        pos = py.BinOp(py.UnaryOp(py.USub(), py.BinOp(neg, py.FloorDiv(), unit)), py.Mult(), unit)
        return _ifexp(py.Compare(x, [py.GtE()], [_c(0)]), pos, floor)
    # x >= 0: x // u * u; x < 0: -(-x // u * u)
    towards = py.UnaryOp(py.USub(), py.BinOp(py.BinOp(neg, py.FloorDiv(), unit), py.Mult(), unit))
    return _ifexp(py.Compare(x, [py.GtE()], [_c(0)]), floor, towards)


def _constant_nodes(root: ast.Node, consts: dict) -> set[int]:
    """Ids of the nodes of `root` that read only constants (no fact, rule or loop variable)."""
    out: set[int] = set()

    def visit(n: ast.Node, bound: frozenset) -> bool:
        if isinstance(n, ast.Name):
            ok = n.id in consts and n.id not in bound
        elif isinstance(n, (ast.Aggregate, ast.ListComp)):
            inner = bound | {n.var}
            ok = visit(n.iterable, bound)
            ok = visit(n.expr, inner) and ok
            ok = (visit(n.filter, inner) if n.filter is not None else True) and ok
        else:
            ok = True
            for c in ast.children(n):
                ok = visit(c, bound) and ok
        if ok:
            out.add(id(n))
        return ok
    visit(root, frozenset())
    return out


def _locate(stmt, line: int):
    stmt.lineno = stmt.end_lineno = line
    stmt.col_offset = stmt.end_col_offset = 0
    return stmt



# --------------------------------------------------------------------------- whole policies

@dataclass
class Generated:
    """A policy's generated function: `fn(facts)` -> every rule's value, in `names` order;
    `fn(facts, True)` -> the same, or a dict of the public results alone when every fact the rules
    read is given and no rule is unknown (see _public_return)."""

    fn: Callable[[dict], tuple]
    module: py.Module | None  # None when the function came from the policy cache (see portable)
    names: tuple[str, ...]
    template: dict  # None for every fact, and the parameters: the environment the analyses read
    rule_of: dict[int, str]  # id of an expression node -> the rule it belongs to

    @property
    def source(self) -> str:
        """The generated function as Python source (what `yoko show --compiled` prints)."""
        if self.module is None:
            raise ValueError("the source of a cached function: use generate(policy).source")
        return py.unparse(self.module)

    def portable(self) -> tuple:
        """What the policy cache keeps, so a warm run needs no generation: the code object as
        marshal bytes and its globals, helpers and built-ins by name, constants and nodes as
        themselves (pickled with the policy they belong to, so node identity survives)."""
        ns = {}
        for k, v in self.fn.__globals__.items():
            if k in HELPERS and HELPERS[k] is v:
                ns[k] = ("helper", k)
            elif k.startswith("_fn_") and builtins.BUILTINS.get(k[4:]) and builtins.BUILTINS[k[4:]].impl is v:
                ns[k] = ("builtin", k[4:])
            else:
                ns[k] = ("value", v)
        return (marshal.dumps(self.fn.__code__), ns, self.fn.__name__)

    def failed_rule(self, e: EvalError) -> str | None:
        """The rule an EvalError raised by `fn` came from."""
        node = e.node if e.node is not None else getattr(e, "where", None)
        return self.rule_of.get(id(node)) if node is not None else None


def from_portable(policy, saved: tuple) -> Generated:
    """The Generated that `portable()` described, for `policy` as it came out of the same pickle."""
    code, ns_spec, fname = saved
    ns = {}
    for k, (how, v) in ns_spec.items():
        ns[k] = HELPERS[v] if how == "helper" else builtins.BUILTINS[v].impl if how == "builtin" else v
    fn = types.FunctionType(marshal.loads(code), ns, fname, (False,))  # public=False
    return Generated(fn, None, tuple(policy.order), _template(policy), _rule_of(policy))


def _template(policy) -> dict:
    template = dict.fromkeys(policy.facts)
    template.update(policy.param_env())
    return template


def _rule_of(policy) -> dict[int, str]:
    return {id(node): name for name in policy.order if policy.rules[name].node is not None
            for node in ast.walk(policy.rules[name].node)}



def generate(policy) -> Generated:
    """Compile the policy's checked rules into one Python function (see the module docstring).

    The rules are generated twice: once where every fact the rules read is given (no fact is
    None, so no test of a fact for unknown is needed: the common case of a filled-in
    application), once for any facts. The function takes the first when it can."""
    used: dict[str, None] = {}
    rule_vals: dict[str, Val] = {}
    facts_known = [True]

    def resolve(name: str) -> Val | None:
        if name in policy.facts:
            used[name] = None
            return Val(_name("f_" + name), not facts_known[0], policy.facts[name].type.kind not in _STRUCT_KINDS)
        return rule_vals.get(name)

    g = Generator(policy.param_env(), resolve)

    def rules() -> list[py.stmt]:
        body: list[py.stmt] = []
        rule_vals.clear()
        for name in policy.order:
            rule = policy.rules[name]
            g.block, g.line = body, rule.location.line
            g.emit(py.Expr(_c(f"rule {name}: {rule.location.file}:{rule.location.line}")))  # dropped by compile()
            if rule.node is None:
                g.assign("r_" + name, _c(None))
                rule_vals[name] = Val(_name("r_" + name), True)
                continue
            g.start(rule.node, rule.locate, rule.location.line)
            rule_vals[name] = g.into("r_" + name, rule.node)
        return body

    known = rules()
    public = _public_return(policy, rule_vals, g.line)
    facts_known[0] = False
    body = rules()
    body.append(_public_return(policy, rule_vals, g.line))
    ret = py.Return(py.Tuple([_name("r_" + n) for n in policy.order], py.Load()))
    # every fact read once: by subscript while all are there (the common case), else by get
    every, some = [], [_locate(py.Assign([_store("_get")], py.Attribute(_name("facts"), "get", py.Load())), 1)]
    for f in policy.facts:
        if f in used:
            line = getattr(getattr(policy.facts[f], "location", None), "line", 1) or 1
            every.append(_locate(py.Assign([_store("f_" + f)], py.Subscript(_name("facts"), _c(f), py.Load())), line))
            some.append(_locate(py.Assign([_store("f_" + f)], _callf("_get", _c(f))), line))
    head = []
    if every:
        given = _and(*[py.Compare(_name("f_" + f), [py.IsNot()], [_c(None)]) for f in used])
        every.append(_locate(py.Assign([_store("_known")], given), 1))
        some.append(_locate(py.Assign([_store("_known")], _c(False)), 1))
        head = [_locate(py.Try(every, [_locate(py.ExceptHandler(_name("_KeyError"), None, some), 1)], [], []), 1),
                _locate(py.If(_name("_known"), known + [public, _locate(py.Return(ret.value), g.line)], []), 1)]
    fname = _function_name(policy)
    fdef = py.FunctionDef(fname, py.arguments([], [py.arg("facts"), py.arg("_public")], None, [], [], None, [_c(False)]),
                          head + body + [_locate(ret, g.line)], [], None, None)
    _locate(fdef, 1)
    module = py.Module([fdef], [])
    _fill_locations(fdef)
    code = compile(module, policy.path, "exec")
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    fn = types.FunctionType(fcode, g.ns, fname, (False,))  # public=False (not kept by the code object)
    return Generated(fn, module, tuple(policy.order), _template(policy), _rule_of(policy))


def _public_return(policy, vals: dict[str, Val], line: int) -> py.stmt:
    """`if _public and <no rule unknown> and <no yen result a Fraction>: return {result: value}`:
    the public results alone, for a caller that reads nothing else (evaluate.public_results),
    once nothing is left to settle (decided means known runs only for an unknown rule) or to check
    (a result in yen must be whole yen: a Fraction goes the long way, which checks it)."""
    rules = policy.rules
    known = [_is_not(_name("r_" + n), None) for n in policy.order if vals[n].nullable]
    whole = [py.Compare(_callf("_type", _name("r_" + n)), [py.IsNot()], [_name("_Fraction")])
             for n in policy.results if rules[n].spec.get("unit") == "yen"]
    out = py.Dict([_c(n) for n in policy.results], [_name("r_" + n) for n in policy.results])
    return _locate(py.If(_and(_name("_public"), *known, *whole), [_locate(py.Return(out), line)], []), line)


def _fill_locations(root: py.AST) -> None:
    """Give every node without a position its statement's line (ast.fix_missing_locations, faster)."""
    stack = [(root, root.lineno)]
    while stack:
        node, line = stack.pop()
        if "lineno" in node._attributes:
            if getattr(node, "lineno", None) is None:
                node.lineno = node.end_lineno = line
                node.col_offset = node.end_col_offset = 0
            line = node.lineno
        for name in node._fields:
            v = getattr(node, name, None)
            if isinstance(v, list):
                stack.extend((x, line) for x in v if isinstance(x, py.AST))
            elif isinstance(v, py.AST):
                stack.append((v, line))


def _function_name(policy) -> str:
    stem = f"{policy.id}_{policy.fiscal_year}".replace("-", "_")
    return "policy_" + stem if (stem.isascii() and stem.isidentifier()) else "policy"


def generated(policy) -> Generated:
    """The policy's generated function, built on first use and kept on the policy."""
    g = policy.__dict__.get("_generated")
    if g is None:
        saved = policy.__dict__.pop("_portable", None)  # kept by the policy cache (portable())
        g = policy.__dict__["_generated"] = from_portable(policy, saved) if saved else generate(policy)
    return g


def expression_function(node: ast.Node, consts: dict | None = None, filename: str = "<expression>"):
    """One expression as a generated function `env -> value`, reading its free names from `env`
    (every name must be there, None when unknown, as for engine.lang.compile.compile_expr)."""
    used: dict[str, None] = {}

    def resolve(name: str) -> Val:
        used[name] = None
        return Val(_name("n_" + name), True)

    g = Generator(dict(consts or {}), resolve)
    g.start(node, lambda offset: None, 1)
    value = g.expr(node)
    body = g.block
    head = [_locate(py.Assign([_store("n_" + n)], py.Subscript(_name("env"), _c(n), py.Load())), 1) for n in used]
    fdef = py.FunctionDef("expression", py.arguments([], [py.arg("env")], None, [], [], None, []),
                          head + body + [_locate(py.Return(value.expr), 1)], [], None, None)
    _locate(fdef, 1)
    _fill_locations(fdef)
    code = compile(py.Module([fdef], []), filename, "exec")
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return types.FunctionType(fcode, g.ns, "expression")
