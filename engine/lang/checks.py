# SPDX-License-Identifier: MIT
"""Static checks of one expression: names, fields, calls, types and enum literals."""
from __future__ import annotations

from typing import Callable

from engine.lang import ast

from engine.lang import builtins
from engine.lang import types as T
from engine.base.diagnostics import Location, Sink, suggest
from engine.base.words import Words, words

tw = T.type_words
# What builtins.signature says an argument should be, in words
EXPECTED = {"number": tw(T.NUMBER), "integer": tw(T.INT), "date": tw(T.DATE), "list": words("type.list_any"),
            "a list of numbers or dates": words("type.list_of_numbers_or_dates")}

Locate = Callable[[int], Location | None]


class ExprChecker:
    """Infers the type of an expression, reporting problems to a sink."""

    def __init__(self, names: dict[str, T.Type], sink: Sink, locate: Locate):
        self.names = names
        self.sink = sink
        self.locate = locate

    def error(self, code: str, message: Words, offset: int, suggestion: str | None = None) -> T.Type:
        self.sink.say(code, self.locate(offset), key=message, suggestion=suggestion)
        return T.ANY

    def infer(self, node: ast.Node, scope: dict[str, T.Type] | None = None) -> T.Type:
        method = getattr(self, "_" + type(node).__name__)
        return method(node, scope or {})

    # literals -------------------------------------------------------------
    def _Literal(self, n: ast.Literal, scope):
        return T.value_type(n.value)  # the parser makes only bool, int, Fraction, text and date literals

    def _ListLit(self, n: ast.ListLit, scope):
        elem = T.ANY
        for item in n.items:
            t = self.infer(item, scope)
            j = T.join(elem, t)
            if j is None:
                return self.error("type_mismatch", words("diag.type_mismatch.list_items", first=tw(elem), second=tw(t)), item.start)
            elem = j
        return T.list_of(elem)

    def _RecordLit(self, n: ast.RecordLit, scope):
        return T.record({k: self.infer(v, scope) for k, v in n.entries})

    # names ------------------------------------------------------------------
    def _Name(self, n: ast.Name, scope):
        if n.id in scope:
            return scope[n.id]
        if n.id in self.names:
            return self.names[n.id]
        return self.error("unknown_name", words("diag.unknown_name", name=n.id), n.start,
                          suggest(n.id, list(self.names) + list(scope)))

    def _Field(self, n: ast.Field, scope):
        t = self.infer(n.obj, scope)
        if t.kind == "any":
            return T.ANY
        if t.kind != "record":
            return self.error("type_mismatch", words("diag.type_mismatch.field_access", field=n.name, got=tw(t)), n.obj.start)
        ft = t.field(n.name)
        if ft is None:
            return self.error("unknown_field", words("diag.unknown_field", field=n.name), n.name_start,
                              suggest(n.name, [k for k, _ in t.fields]))
        return ft

    # operators --------------------------------------------------------------
    def _Unary(self, n: ast.Unary, scope):
        t = self.infer(n.operand, scope)
        if n.op == "not":
            if t.kind not in ("bool", "any"):
                return self.error("type_mismatch", words("diag.type_mismatch.operand", op="not", want=tw(T.BOOL), got=tw(t)), n.operand.start)
            return T.BOOL
        if not T.is_numeric(t):
            return self.error("type_mismatch", words("diag.type_mismatch.operand", op="-", want=tw(T.NUMBER), got=tw(t)), n.operand.start)
        return t

    def _Binary(self, n: ast.Binary, scope):
        lt, rt = self.infer(n.left, scope), self.infer(n.right, scope)
        if n.op in ("and", "or"):
            for side, t in ((n.left, lt), (n.right, rt)):
                if t.kind not in ("bool", "any"):
                    return self.error("type_mismatch", words("diag.type_mismatch.operand", op=n.op, want=tw(T.BOOL), got=tw(t)), side.start)
            return T.BOOL
        sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[n.op]
        for i, (side, t) in enumerate(((n.left, lt), (n.right, rt)), 1):
            if not T.is_numeric(t):
                key = "diag.type_mismatch.arith_date" if t.kind == "date" else "diag.type_mismatch.arith"
                return self.error("type_mismatch", words(key, index=i, op=sym, got=tw(t)), side.start)
        if n.op == "div" or "number" in (lt.kind, rt.kind):
            return T.NUMBER
        if "any" in (lt.kind, rt.kind):
            return T.ANY if lt.kind == rt.kind else T.NUMBER if "number" in (lt.kind, rt.kind) else T.INT
        return T.INT

    def _Compare(self, n: ast.Compare, scope):
        types = [self.infer(o, scope) for o in n.operands]
        for i, op in enumerate(n.ops):
            a, b = n.operands[i], n.operands[i + 1]
            ta, tb = types[i], types[i + 1]
            if op in ("in", "not in"):
                self._check_in(a, b, ta, tb)
            elif op in ("==", "!="):
                self._check_eq(a, b, ta, tb)
            else:
                self._check_order(op, a, b, ta, tb)
        return T.BOOL

    def _check_eq(self, a, b, ta, tb):
        if T.join(ta, tb) is None:
            self.error("type_mismatch", words("diag.type_mismatch.compare", left=tw(ta), right=tw(tb)), b.start)
            return
        for enum_t, other in ((ta, b), (tb, a)):
            if enum_t.kind == "enum":
                self._check_enum_literal(enum_t, other)

    def _check_enum_literal(self, enum_t: T.EnumType, node):
        if isinstance(node, ast.Literal) and isinstance(node.value, str) and node.value not in enum_t.values:
            self.error("bad_enum_value", words("diag.bad_enum_value", value=node.value, allowed=", ".join(enum_t.values)),
                       node.start, suggest(node.value, enum_t.values))

    def _check_in(self, a, b, ta, tb):
        if tb.kind == "any":
            return
        if tb.kind != "list":
            self.error("type_mismatch", words("diag.type_mismatch.in_list", got=tw(tb)), b.start)
            return
        if T.join(ta, tb.elem) is None:
            self.error("type_mismatch", words("diag.type_mismatch.look_for", item=tw(ta), container=tw(tb)), a.start)
            return
        if ta.kind == "enum" and isinstance(b, ast.ListLit):
            for item in b.items:
                self._check_enum_literal(ta, item)
        if tb.elem.kind == "enum":
            self._check_enum_literal(tb.elem, a)

    def _check_order(self, op, a, b, ta, tb):
        for side, t in ((a, ta), (b, tb)):
            if not (T.is_numeric(t) or t.kind == "date"):
                self.error("type_mismatch", words("diag.type_mismatch.order", op=op, got=tw(t)), side.start)
                return
        if "any" not in (ta.kind, tb.kind) and (ta.kind == "date") != (tb.kind == "date"):
            self.error("type_mismatch", words("diag.type_mismatch.compare", left=tw(ta), right=tw(tb)), b.start)

    def _IsTest(self, n: ast.IsTest, scope):
        t = self.infer(n.operand, scope)
        if n.kind in ("true", "false") and t.kind not in ("bool", "any"):
            return self.error("type_mismatch", words("diag.type_mismatch.is_test", kind=n.kind, got=tw(t)), n.operand.start)
        return T.BOOL

    def _Cond(self, n: ast.Cond, scope):
        tt = self.infer(n.test, scope)
        if tt.kind not in ("bool", "any"):
            self.error("type_mismatch", words("diag.type_mismatch.condition", got=tw(tt)), n.test.start)
        a, b = self.infer(n.then, scope), self.infer(n.orelse, scope)
        j = T.join(a, b)
        if j is None:
            return self.error("type_mismatch", words("diag.type_mismatch.branches", first=tw(a), second=tw(b)),
                              n.orelse.start)
        return j

    # calls --------------------------------------------------------------
    def _Call(self, n: ast.Call, scope):
        if n.func not in builtins.NAMES:
            for a in n.args:
                self.infer(a, scope)
            return self.error("unknown_function", words("diag.unknown_function", func=n.func), n.start,
                              suggest(n.func, builtins.NAMES))
        b = builtins.BUILTINS[n.func]
        lo, hi = b.min_args, b.max_args
        if len(n.args) < lo or (hi is not None and len(n.args) > hi):
            want = (words("diag.bad_arity.exactly", n=lo) if lo == hi else
                    words("diag.bad_arity.at_least", n=lo) if hi is None else words("diag.bad_arity.between", lo=lo, hi=hi))
            key = "diag.bad_arity.one" if lo == hi == 1 else "diag.bad_arity"
            return self.error("bad_arity", words(key, func=n.func, want=want, got=len(n.args)), n.start)
        types = [self.infer(a, scope) for a in n.args]
        unit = n.args[2] if n.func in builtins.PERIOD_FUNCS else None
        if isinstance(unit, ast.Literal) and isinstance(unit.value, str) and unit.value not in builtins.PERIOD_UNITS:
            return self.error("bad_argument", words("diag.bad_argument.period_unit", func=n.func, unit=unit.value),
                              unit.start)
        sig = b.signature(types)
        if isinstance(sig, tuple):
            i, expected = sig
            return self.error("type_mismatch", words("diag.type_mismatch.argument", index=i + 1, func=n.func, want=EXPECTED.get(expected, expected),
                                                    got=tw(types[i])),
                              n.args[i].start)
        return sig

    def _bind(self, n, scope):
        it = self.infer(n.iterable, scope)
        if it.kind not in ("list", "any"):
            self.error("type_mismatch", words("diag.type_mismatch.for_in", got=tw(it)), n.iterable.start)
            it = T.ANY
        if n.var in self.names:
            self.error("name_clash", words("diag.name_clash.loop_variable", name=n.var),
                       n.var_start)
        inner = dict(scope)
        inner[n.var] = it.elem if it.kind == "list" else T.ANY
        if n.filter is not None:
            ft = self.infer(n.filter, inner)
            if ft.kind not in ("bool", "any"):
                self.error("type_mismatch", words("diag.type_mismatch.for_if", got=tw(ft)), n.filter.start)
        return inner

    def _Aggregate(self, n: ast.Aggregate, scope):
        inner = self._bind(n, scope)
        t = self.infer(n.expr, inner)
        if n.func == "count":
            return T.INT
        if n.func == "sum":
            if not T.is_numeric(t):
                return self.error("type_mismatch", words("diag.type_mismatch.aggregate", func="sum", want=words("type.numbers"), got=tw(t)), n.expr.start)
            return T.INT if t.kind in ("int", "any") else T.NUMBER
        if n.func in ("any", "all"):
            if t.kind not in ("bool", "any"):
                return self.error("type_mismatch", words("diag.type_mismatch.aggregate", func=n.func, want=words("type.booleans"), got=tw(t)), n.expr.start)
            return T.BOOL
        if not (T.is_numeric(t) or t.kind == "date"):
            return self.error("type_mismatch", words("diag.type_mismatch.aggregate", func=n.func, want=words("type.numbers_or_dates"),
                                                      got=tw(t)), n.expr.start)
        return t

    def _ListComp(self, n: ast.ListComp, scope):
        inner = self._bind(n, scope)
        return T.list_of(self.infer(n.expr, inner))
