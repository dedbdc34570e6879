# SPDX-License-Identifier: MIT
"""Static checks of one expression: names, fields, calls, types and enum literals."""
from __future__ import annotations

from typing import Callable

from engine.lang import ast

from engine.lang import builtins
from engine.lang import types as T
from engine.base.diagnostics import Location, Sink, suggest

Locate = Callable[[int], Location | None]


class ExprChecker:
    """Infers the type of an expression, reporting problems to a sink."""

    def __init__(self, names: dict[str, T.Type], sink: Sink, locate: Locate):
        self.names = names
        self.sink = sink
        self.locate = locate

    def error(self, code: str, message: str, offset: int, suggestion: str | None = None) -> T.Type:
        self.sink.add(code, message, self.locate(offset), suggestion=suggestion)
        return T.ANY

    def infer(self, node: ast.Node, scope: dict[str, T.Type] | None = None) -> T.Type:
        method = getattr(self, "_" + type(node).__name__)
        return method(node, scope or {})

    # literals -------------------------------------------------------------
    def _Literal(self, n: ast.Literal, scope):
        v = n.value
        if isinstance(v, bool):
            return T.BOOL
        if isinstance(v, int):
            return T.INT
        if isinstance(v, str):
            return T.TEXT
        if hasattr(v, "numerator"):
            return T.NUMBER
        return T.DATE

    def _ListLit(self, n: ast.ListLit, scope):
        elem = T.ANY
        for item in n.items:
            t = self.infer(item, scope)
            j = T.join(elem, t)
            if j is None:
                return self.error("type_mismatch", f"list items must have one type but got {elem} and {t}", item.start)
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
        return self.error("unknown_name", f"unknown name {n.id}", n.start,
                          suggest(n.id, list(self.names) + list(scope)))

    def _Field(self, n: ast.Field, scope):
        t = self.infer(n.obj, scope)
        if t.kind == "any":
            return T.ANY
        if t.kind != "record":
            return self.error("type_mismatch", f"field access .{n.name} needs a record but got {t}", n.obj.start)
        ft = t.field(n.name)
        if ft is None:
            return self.error("unknown_field", f"record has no field {n.name}", n.name_start,
                              suggest(n.name, [k for k, _ in t.fields]))
        return ft

    # operators --------------------------------------------------------------
    def _Unary(self, n: ast.Unary, scope):
        t = self.infer(n.operand, scope)
        if n.op == "not":
            if t.kind not in ("bool", "any"):
                return self.error("type_mismatch", f"operand of not must be boolean but got {t}", n.operand.start)
            return T.BOOL
        if not T.is_numeric(t):
            return self.error("type_mismatch", f"operand of - must be number but got {t}", n.operand.start)
        return t

    def _Binary(self, n: ast.Binary, scope):
        lt, rt = self.infer(n.left, scope), self.infer(n.right, scope)
        if n.op in ("and", "or"):
            for side, t in ((n.left, lt), (n.right, rt)):
                if t.kind not in ("bool", "any"):
                    return self.error("type_mismatch", f"operand of {n.op} must be boolean but got {t}", side.start)
            return T.BOOL
        sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[n.op]
        for i, (side, t) in enumerate(((n.left, lt), (n.right, rt)), 1):
            if not T.is_numeric(t):
                hint = " (dates: use add_days, days_between)" if t.kind == "date" else ""
                return self.error("type_mismatch", f"operand {i} of {sym} must be number but got {t}{hint}", side.start)
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
            self.error("type_mismatch", f"cannot compare {ta} with {tb}", b.start)
            return
        for enum_t, other in ((ta, b), (tb, a)):
            if enum_t.kind == "enum":
                self._check_enum_literal(enum_t, other)

    def _check_enum_literal(self, enum_t: T.EnumType, node):
        if isinstance(node, ast.Literal) and isinstance(node.value, str) and node.value not in enum_t.values:
            self.error("bad_enum_value",
                       f'"{node.value}" is not a possible value; expected one of {", ".join(enum_t.values)}',
                       node.start, suggest(node.value, enum_t.values))

    def _check_in(self, a, b, ta, tb):
        if tb.kind == "any":
            return
        if tb.kind != "list":
            self.error("type_mismatch", f"right side of in must be a list but got {tb}", b.start)
            return
        if T.join(ta, tb.elem) is None:
            self.error("type_mismatch", f"cannot look for {ta} in a {tb}", a.start)
            return
        if ta.kind == "enum" and isinstance(b, ast.ListLit):
            for item in b.items:
                self._check_enum_literal(ta, item)
        if tb.elem.kind == "enum":
            self._check_enum_literal(tb.elem, a)

    def _check_order(self, op, a, b, ta, tb):
        for side, t in ((a, ta), (b, tb)):
            if not (T.is_numeric(t) or t.kind == "date"):
                self.error("type_mismatch", f"operands of {op} must be numbers or dates but got {t}", side.start)
                return
        if "any" not in (ta.kind, tb.kind) and (ta.kind == "date") != (tb.kind == "date"):
            self.error("type_mismatch", f"cannot compare {ta} with {tb}", b.start)

    def _IsTest(self, n: ast.IsTest, scope):
        t = self.infer(n.operand, scope)
        if n.kind in ("true", "false") and t.kind not in ("bool", "any"):
            return self.error("type_mismatch", f"is {n.kind} needs a boolean but got {t}", n.operand.start)
        return T.BOOL

    def _Cond(self, n: ast.Cond, scope):
        tt = self.infer(n.test, scope)
        if tt.kind not in ("bool", "any"):
            self.error("type_mismatch", f"condition of if must be boolean but got {tt}", n.test.start)
        a, b = self.infer(n.then, scope), self.infer(n.orelse, scope)
        j = T.join(a, b)
        if j is None:
            return self.error("type_mismatch", f"both branches of if must have one type but got {a} and {b}",
                              n.orelse.start)
        return j

    # calls --------------------------------------------------------------
    def _Call(self, n: ast.Call, scope):
        if n.func not in builtins.NAMES:
            for a in n.args:
                self.infer(a, scope)
            return self.error("unknown_function", f"unknown function {n.func}", n.start,
                              suggest(n.func, builtins.NAMES))
        lo, hi = builtins.ARITY[n.func]
        if len(n.args) < lo or (hi is not None and len(n.args) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            return self.error("bad_arity", f"{n.func} takes {want} argument{'s' if want != '1' else ''} "
                                           f"but got {len(n.args)}", n.start)
        types = [self.infer(a, scope) for a in n.args]
        sig = builtins.signature(n.func, types)
        if isinstance(sig, tuple):
            i, expected = sig
            return self.error("type_mismatch", f"argument {i + 1} of {n.func} must be {expected} but got {types[i]}",
                              n.args[i].start)
        return sig

    def _bind(self, n, scope):
        it = self.infer(n.iterable, scope)
        if it.kind not in ("list", "any"):
            self.error("type_mismatch", f"for ... in needs a list but got {it}", n.iterable.start)
            it = T.ANY
        if n.var in self.names:
            self.error("name_clash", f"loop variable {n.var} hides a fact, parameter or rule of that name",
                       n.var_start)
        inner = dict(scope)
        inner[n.var] = it.elem if it.kind == "list" else T.ANY
        if n.filter is not None:
            ft = self.infer(n.filter, inner)
            if ft.kind not in ("bool", "any"):
                self.error("type_mismatch", f"the if of a for must be boolean but got {ft}", n.filter.start)
        return inner

    def _Aggregate(self, n: ast.Aggregate, scope):
        inner = self._bind(n, scope)
        t = self.infer(n.expr, inner)
        if n.func == "count":
            return T.INT
        if n.func == "sum":
            if not T.is_numeric(t):
                return self.error("type_mismatch", f"sum needs numbers but got {t}", n.expr.start)
            return T.INT if t.kind in ("int", "any") else T.NUMBER
        if n.func in ("any", "all"):
            if t.kind not in ("bool", "any"):
                return self.error("type_mismatch", f"{n.func} needs booleans but got {t}", n.expr.start)
            return T.BOOL
        if not (T.is_numeric(t) or t.kind == "date"):
            return self.error("type_mismatch", f"{n.func} needs numbers or dates but got {t}", n.expr.start)
        return t

    def _ListComp(self, n: ast.ListComp, scope):
        inner = self._bind(n, scope)
        return T.list_of(self.infer(n.expr, inner))
