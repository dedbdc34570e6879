# SPDX-License-Identifier: MIT
"""Parse expression text into the typed AST (engine.ast), wrapping Lark's errors."""
from __future__ import annotations

import datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from engine.base.words import Words, words
from engine.lang import ast
from engine.base.limits import MAX_EXPR_CHARS, MAX_EXPR_DEPTH, MAX_LIST_ITEMS, MAX_LOOP_NESTING, MAX_MAGNITUDE

AGGREGATES = frozenset({"sum", "count", "any", "all", "min", "max"})
KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "in", "is", "known", "unknown",
                      "true", "false", "for"})


class ExprSyntaxError(Exception):
    """An expression that does not parse, with the offset where it fails."""

    def __init__(self, message: Words, offset: int, code: str = "expr_syntax"):
        super().__init__(message.text("en"))
        self.words = message
        self.offset = offset
        self.code = code


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _span(meta) -> tuple[int, int]:
    return meta.start_pos, meta.end_pos


_COMPOPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!=", "in": "in"}


@v_args(meta=True)
class _Build(Transformer):
    """Lark tree -> engine.ast nodes; one method per named alternative."""

    def int_lit(self, meta, t):
        return ast.Literal(*_span(meta), _number(t[0], int))

    def dec_lit(self, meta, t):
        return ast.Literal(*_span(meta), _number(t[0], Fraction))

    def str_lit(self, meta, t):
        return ast.Literal(*_span(meta), _unquote(t[0]))

    def date_lit(self, meta, t):
        try:
            value = datetime.date.fromisoformat(str(t[0]))
        except ValueError:
            raise ExprSyntaxError(words("diag.expr_syntax.date", text=str(t[0])), t[0].start_pos) from None
        return ast.Literal(*_span(meta), value)

    def true_lit(self, meta, _):
        return ast.Literal(*_span(meta), True)

    def false_lit(self, meta, _):
        return ast.Literal(*_span(meta), False)

    def name(self, meta, t):
        return ast.Name(*_span(meta), str(t[0]))

    def field(self, meta, t):
        return ast.Field(*_span(meta), t[0], str(t[1]), t[1].start_pos)

    def call(self, meta, t):
        args = tuple(t[1]) if t[1] is not None else ()
        return ast.Call(*_span(meta), str(t[0]), args)

    def args(self, meta, t):
        return [x for x in t if x is not None]

    def aggregate(self, meta, t):
        func, expr, var, iterable, filt = t
        if str(func) not in AGGREGATES:
            raise ExprSyntaxError(words("diag.expr_syntax.aggregate", func=str(func),
                                        allowed=", ".join(sorted(AGGREGATES))), func.start_pos)
        return ast.Aggregate(*_span(meta), str(func), expr, str(var), var.start_pos, iterable, filt)

    def list_lit(self, meta, t):
        return ast.ListLit(*_span(meta), tuple(t[0]) if t[0] is not None else ())

    def list_comp(self, meta, t):
        expr, var, iterable, filt = t
        return ast.ListComp(*_span(meta), expr, str(var), var.start_pos, iterable, filt)

    def record_lit(self, meta, t):
        entries = tuple(e for e in t if e is not None)
        seen = set()
        for k, v in entries:
            if k in seen:
                raise ExprSyntaxError(words("diag.expr_syntax.field_twice", field=k), v.start)
            seen.add(k)
        return ast.RecordLit(*_span(meta), entries)

    def entry(self, meta, t):
        return (str(t[0]), t[1])

    def neg(self, meta, t):
        return ast.Unary(*_span(meta), "neg", t[0])

    def not_(self, meta, t):
        return ast.Unary(*_span(meta), "not", t[0])

    def _bin(op):
        def method(self, meta, t):
            return ast.Binary(*_span(meta), op, t[0], t[1])
        return method

    add, sub, mul, div = _bin("add"), _bin("sub"), _bin("mul"), _bin("div")
    and_, or_ = _bin("and"), _bin("or")

    def compop(self, meta, t):
        return "not in" if len(t) == 2 else _COMPOPS[str(t[0])]

    def compare(self, meta, t):
        return ast.Compare(*_span(meta), tuple(t[0::2]), tuple(t[1::2]))

    def _is(kind):
        def method(self, meta, t):
            return ast.IsTest(*_span(meta), kind, t[0])
        return method

    is_known, is_unknown, is_true, is_false = _is("known"), _is("unknown"), _is("true"), _is("false")

    def cond(self, meta, t):
        return ast.Cond(*_span(meta), t[0], t[1], t[2])


def _number(tok: Token, kind):
    """An int or exact decimal literal, refused (number_too_large) beyond 10^30 or 30 decimal places."""
    digits = tok.replace("_", "")
    whole, _, frac = digits.partition(".")
    shown = digits[:20] + ("..." if len(digits) > 20 else "")
    if len(frac.rstrip("0")) > 30:
        raise ExprSyntaxError(words("diag.number_too_large.places", number=shown), tok.start_pos,
                              "number_too_large")
    if len(whole.lstrip("0")) > 31 or abs(value := kind(digits)) > MAX_MAGNITUDE:
        raise ExprSyntaxError(words("diag.number_too_large.literal", number=shown), tok.start_pos,
                              "number_too_large")
    return value


def _check_limits(tree) -> None:
    """Refuse trees deeper than MAX_EXPR_DEPTH, loops nested beyond MAX_LOOP_NESTING, huge list literals.

    Iterative, so that it is safe on any tree the (non-recursive) LALR parser returns, before the
    recursive transformer, checker and compiler ever see it.
    """
    stack = [(tree, 1, 0)]
    while stack:
        node, depth, loops = stack.pop()
        if not isinstance(node, Tree):
            continue
        where = getattr(node.meta, "start_pos", 0) or 0
        if depth > MAX_EXPR_DEPTH:
            raise ExprSyntaxError(words("diag.expr_too_deep", limit=MAX_EXPR_DEPTH), where, "expr_too_deep")
        if node.data in ("aggregate", "list_comp"):
            loops += 1
            if loops > MAX_LOOP_NESTING:
                raise ExprSyntaxError(words("diag.loops_too_deep", limit=MAX_LOOP_NESTING), where, "loops_too_deep")
        if node.data == "list_lit" and node.children and isinstance(node.children[0], Tree) \
                and len(node.children[0].children) > MAX_LIST_ITEMS:
            raise ExprSyntaxError(words("diag.list_too_long.literal", count=f"{len(node.children[0].children):,}",
                                        limit=f"{MAX_LIST_ITEMS:,}"), where, "list_too_long")
        # a loop's iterable is evaluated once, outside the loop: only its body and filter nest in it
        iterable = {"aggregate": 3, "list_comp": 2}.get(node.data)
        stack.extend((c, depth + 1, loops - (i == iterable)) for i, c in enumerate(node.children))


def _unquote(s: str) -> str:
    body = s[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_TOKEN_NAMES = {
    "RPAR": "')'", "LPAR": "'('", "RSQB": "']'", "LSQB": "'['", "COMMA": "','", "NAME": words("diag.token.name"),
    "INT": words("diag.token.number"), "DECIMAL": words("diag.token.number"), "STRING": words("diag.token.string"),
    "DATE": words("diag.token.date"), "$END": words("diag.token.end"),
    "THEN": "'then'", "ELSE": "'else'", "IN": "'in'", "COLON": "':'", "RBRACE": "'}'", "LBRACE": "'{'",
}


_OPERAND_STARTS = {"INT", "DECIMAL", "STRING", "DATE", "NAME", "LPAR", "LSQB", "LBRACE", "MINUS", "NOT", "IF",
                   "TRUE", "FALSE"}


def _expected(exp: set[str]) -> Words | tuple:
    """What the parser expected, as words (several: a tuple, rendered comma-separated)."""
    if exp and exp <= _OPERAND_STARTS | {"__ANON_0", "__ANON_1"} and "NAME" in exp:
        return words("diag.token.operand")
    names = {_TOKEN_NAMES.get(e, e.lower() if e.isupper() else e) for e in exp}
    if len(names) > 6:
        return words("diag.token.operand_or_operator")
    return tuple(sorted(names, key=lambda n: n.text("en") if isinstance(n, Words) else n))


def _describe(tok: Token) -> Words | str:
    if tok.type == "$END":
        return words("diag.token.end")
    return f"'{tok}'"


def parse(text: str) -> ast.Node:
    """Parse one expression; raise ExprSyntaxError with the failing offset."""
    if len(text) > MAX_EXPR_CHARS:
        raise ExprSyntaxError(words("diag.expr_too_long", length=f"{len(text):,}", limit=f"{MAX_EXPR_CHARS:,}"),
                              MAX_EXPR_CHARS, "expr_too_long")
    try:
        tree = _parser().parse(text)
        _check_limits(tree)
        return _Build().transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, ExprSyntaxError):
            raise e.orig_exc from None
        raise
    except UnexpectedCharacters as e:
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        key = "diag.expr_syntax.equals" if ch == "=" else "diag.expr_syntax.character"
        raise ExprSyntaxError(words(key, char=ch), e.pos_in_stream) from None
    except UnexpectedEOF as e:
        raise ExprSyntaxError(words("diag.expr_syntax.early_end", expected=_expected(set(e.expected))),
                              len(text.rstrip())) from None
    except UnexpectedToken as e:
        tok = e.token
        pos = tok.start_pos if tok.type != "$END" and tok.start_pos is not None else len(text.rstrip())
        if tok.type == "$END":
            msg = words("diag.expr_syntax.early_end", expected=_expected(set(e.expected)))
        else:
            msg = words("diag.expr_syntax.token", found=_describe(tok), expected=_expected(set(e.expected)))
        raise ExprSyntaxError(msg, pos) from None
    except UnexpectedInput as e:  # any other Lark input error
        raise ExprSyntaxError(words("diag.expr_syntax.other", detail=str(e).splitlines()[0]),
                              getattr(e, "pos_in_stream", 0) or 0) from None
