# SPDX-License-Identifier: MIT
"""Expressions read as sentences: the policy's labels and a reading of each operator.

`a >= b` reads 「Aが B以上」 / "A is at least B"; `x in ["p", "q"]` 「Xが P、Qのいずれか」;
min/max, round_down, sums over lists, and/or/not likewise. Every word comes from the catalogue
(`memo.read.*`); a construct without a reading falls back to the expression's own text.
"""
from __future__ import annotations

from engine.base.words import say
from engine.lang import ast
from engine.present.format import fmt

_COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne", "in": "in", "not in": "not_in"}
_ARITH = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}
_UNIT_WORDS = {"days": "days", "months": "months", "years": "years"}


class Reader:
    """Readings of one policy's expressions in one language."""

    def __init__(self, policy, lang: str, values: dict | None = None):
        self.p = policy
        self.lang = lang
        self.values = values  # when given, each name read is followed by its value

    def shown(self, name: str, v) -> str:
        """A value as the memo shows it: enum labels without their ids, tables by their size."""
        spec = self.spec(name)
        if name in self.p.parameters and isinstance(v, list) and v and isinstance(v[0], dict):
            return say("memo.table", self.lang, n=len(v))
        labels = spec.get("value_labels")
        if isinstance(v, str) and labels and v in labels:
            return labels[v].get(self.lang) or v
        if isinstance(v, list) and labels:
            return "、".join(self.literal(x, labels) for x in v) if self.lang == "ja" else \
                ", ".join(self.literal(x, labels) for x in v)
        return fmt(v, self.lang, spec.get("unit"))

    def w(self, key: str, **params) -> str:
        return say(f"memo.read.{key}", self.lang, **params)

    # -- names ---------------------------------------------------------------------------
    def spec(self, name: str) -> dict:
        for table in (self.p.rules, self.p.facts, self.p.parameters):
            if name in table:
                return table[name].spec
        return {}

    def label(self, name: str) -> str:
        return ((self.spec(name).get("label") or {}).get(self.lang)) or name

    def field_spec(self, node: ast.Field, scope_types: dict) -> dict:
        """The declaration of a record field read through a loop variable over a fact list."""
        owner = scope_types.get(node.obj.id) if isinstance(node.obj, ast.Name) else None
        if owner is None:
            return {}
        decl = self.spec(owner)
        fields = (decl.get("items") or {}).get("fields") or decl.get("fields") or {}
        return fields.get(node.name) or {}

    # -- values ----------------------------------------------------------------------------
    def literal(self, v, labels: dict | None = None) -> str:
        if isinstance(v, str) and labels and v in labels:
            return labels[v].get(self.lang) or v
        if isinstance(v, str):
            return f"「{v}」" if self.lang == "ja" else f'"{v}"'
        return fmt(v, self.lang)

    def value_labels(self, node, scope_types: dict) -> dict | None:
        if isinstance(node, ast.Name):
            return self.spec(node.id).get("value_labels")
        if isinstance(node, ast.Field):
            return self.field_spec(node, scope_types).get("value_labels")
        return None

    # -- reading ---------------------------------------------------------------------------
    def read(self, node: ast.Node, text: str = "", scope_types: dict | None = None, labels=None) -> str:
        """The expression `node` (of source `text`) as a phrase."""
        st = scope_types or {}
        r = lambda n, lab=None: self.read(n, text, st, lab)  # noqa: E731
        match node:
            case ast.Name(id=i) if i in st:
                return self.w("it")
            case ast.Name(id=i) if self.values is not None and i not in st \
                    and not isinstance(self.values.get(i), (list, dict)):  # a list is shown in its own block
                return self.w("valued", label=self.label(i), value=self.shown(i, self.values.get(i)))
            case ast.Name(id=i):
                return self.label(i)
            case ast.Literal(value=v):
                return self.literal(v, labels)
            case ast.RecordLit(entries=entries):
                return self.w("list", items=self.join([r(v) for k, v in entries if not k.endswith("_en")]))
            case ast.ListLit(items=items):
                return self.w("list", items=self.join([r(x, labels) for x in items]))
            case ast.Field(obj=obj, name=name):
                f = self.field_spec(node, st)
                lab = (f.get("label") or {}).get(self.lang) or name
                if isinstance(obj, ast.Name) and obj.id in st:
                    return lab
                return self.w("field", obj=r(obj), field=lab)
            case ast.Unary(op="not", operand=o):
                return self.w("not", what=r(o))
            case ast.Unary(op="neg", operand=o):
                return f"−{r(o)}"
            case ast.Binary(op="and" | "or" as op, left=a, right=b):
                parts = [self.grouped(x, op, r) for x in ast.operands(node, op)]
                return self.w(op, first=parts[0], rest=self.w(f"{op}_sep").join(parts[1:]))
            case ast.Binary(op=op, left=a, right=b) if op in _ARITH:
                return f"{self.term(a, r)} {_ARITH[op]} {self.term(b, r)}"
            case ast.Compare():
                return self.compare(node, r, st)
            case ast.IsTest(kind=k, operand=o):
                return self.w(f"is_{k}", what=r(o))
            case ast.Cond(test=t, then=a, orelse=b):
                return self.w("cond", test=r(t), then=r(a), orelse=r(b))
            case ast.Call():
                return self.call(node, r)
            case ast.Aggregate() | ast.ListComp():
                return self.loop(node, text, st)
        return " ".join(text[node.start:node.end].split()) if text else "…"

    def grouped(self, x, op, r) -> str:
        inner = r(x)
        if isinstance(x, ast.Binary) and x.op in ("and", "or") and x.op != op:
            return f"（{inner}）" if self.lang == "ja" else f"({inner})"
        return inner

    def term(self, x, r) -> str:
        s = r(x)
        return f"({s})" if isinstance(x, ast.Binary) and x.op in _ARITH else s

    def join(self, items: list[str]) -> str:
        return self.w("join").join(items)

    def compare(self, node: ast.Compare, r, st) -> str:
        ops, operands = node.ops, node.operands
        labels = next((lab for o in operands if (lab := self.value_labels(o, st))), None)
        read = [r(o, labels) for o in operands]
        if len(ops) == 2 and ops[0] in ("<", "<=") and ops[1] in ("<", "<="):  # lo <= x < hi
            return self.w("between", what=read[1], lo=self.w(f"lo_{_COMPARE[ops[0]]}", x=read[0]),
                          hi=self.w(f"hi_{_COMPARE[ops[1]]}", x=read[2]))
        out = []
        for i, op in enumerate(ops):
            rhs = operands[i + 1]
            other = read[i + 1]
            if op in ("in", "not in") and isinstance(rhs, ast.ListLit):
                other = self.join([r(x, labels) for x in rhs.items])
                out.append(self.w(f"{_COMPARE[op]}_list", what=read[i], items=other))
            else:
                out.append(self.w(_COMPARE[op], what=read[i], other=other))
        return self.w("and_sep").join(out)

    def call(self, node: ast.Call, r) -> str:
        f, args = node.func, node.args
        a = [r(x) for x in args]
        if f in ("min", "max"):
            return self.w(f, items=self.join(a))
        if f in ("round_down", "round_up") and len(args) == 2:
            return self.w(f, what=a[0], unit=a[1])
        if f in ("period_end", "period_end_counting_from") and len(args) == 3:
            unit = args[2].value if isinstance(args[2], ast.Literal) else None
            if unit in _UNIT_WORDS and isinstance(args[1], ast.Literal):
                n = self.w(f"unit_{_UNIT_WORDS[unit]}", n=a[1])
            elif unit in _UNIT_WORDS:
                n = a[1]  # a named length carries its unit in its label and value
            else:
                n = f"{a[1]} {a[2]}"
            return self.w(f, start=a[0], n=n)
        if f in ("abs", "count", "sum", "any", "all", "first", "empty", "fiscal_year", "floor", "ceil",
                 "fiscal_year_start", "fiscal_year_end") and len(args) == 1:
            return self.w(f"call_{f}", what=a[0])
        if f in ("add_days", "add_months", "add_years", "days_between") and len(args) == 2:
            return self.w(f, what=a[0], n=a[1])
        return f"{f}({', '.join(a)})"

    def loop(self, node, text: str, st: dict) -> str:
        over = node.iterable
        owner = over.id if isinstance(over, ast.Name) and over.id not in st else None
        inner = {**st, node.var: owner}
        whole = Reader(self.p, self.lang).read(over, text, st)  # the list by its label, not its items
        what = self.read(node.expr, text, inner)
        cond = self.read(node.filter, text, inner) if node.filter is not None else None
        kind = node.func if isinstance(node, ast.Aggregate) else "list"
        key = f"loop_{kind}" + ("_if" if cond else "")
        return self.w(key, over=whole, what=what, cond=cond or "")
