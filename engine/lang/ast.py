# SPDX-License-Identifier: MIT
"""Typed AST nodes of the expression language: data only, each with its span."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    start: int  # offset of the first character in the expression text
    end: int    # offset just past the last character


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any  # int, Fraction, str, bool or datetime.date


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class RecordLit(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Name(Node):
    id: str


@dataclass(frozen=True, slots=True)
class Field(Node):
    obj: Node
    name: str
    name_start: int


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "neg" | "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # "add" | "sub" | "mul" | "div" | "and" | "or"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    operands: tuple[Node, ...]
    ops: tuple[str, ...]  # "<", "<=", ">", ">=", "==", "!=", "in", "not in"


@dataclass(frozen=True, slots=True)
class IsTest(Node):
    kind: str  # "known" | "unknown" | "true" | "false"
    operand: Node


@dataclass(frozen=True, slots=True)
class Cond(Node):
    test: Node
    then: Node
    orelse: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Aggregate(Node):
    func: str  # "sum" | "count" | "any" | "all" | "min" | "max"
    expr: Node
    var: str
    var_start: int
    iterable: Node
    filter: Node | None


@dataclass(frozen=True, slots=True)
class ListComp(Node):
    expr: Node
    var: str
    var_start: int
    iterable: Node
    filter: Node | None


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in source order."""
    match node:
        case ListLit(items=items):
            return items
        case RecordLit(entries=entries):
            return tuple(v for _, v in entries)
        case Field(obj=obj):
            return (obj,)
        case Unary(operand=o) | IsTest(operand=o):
            return (o,)
        case Binary(left=l, right=r):
            return (l, r)
        case Compare(operands=ops):
            return ops
        case Cond(test=t, then=a, orelse=b):
            return (t, a, b)
        case Call(args=args):
            return args
        case Aggregate(expr=e, iterable=it, filter=f) | ListComp(expr=e, iterable=it, filter=f):
            return (it, e) + ((f,) if f is not None else ())
    return ()


def operands(node: Node, op: str) -> list[Node]:
    """The operands of a chain of one boolean operator, left to right: a and (b and c) -> [a, b, c].

    Nodes that are not `op` are operands themselves; a node that is not `op` at all gives [node].
    """
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Binary) and n.op == op:
            stack += (n.right, n.left)
        else:
            out.append(n)
    return out


def walk(node: Node):
    """Every node of a tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def free_names(node: Node, bound: frozenset[str] = frozenset()) -> list[Name]:
    """Name nodes that refer outside the expression (not comprehension variables)."""
    out: list[Name] = []
    _free(node, bound, out)
    return out


def _free(node: Node, bound: frozenset[str], out: list[Name]) -> None:
    if isinstance(node, Name):
        if node.id not in bound:
            out.append(node)
        return
    if isinstance(node, (Aggregate, ListComp)):
        _free(node.iterable, bound, out)
        inner = bound | {node.var}
        _free(node.expr, inner, out)
        if node.filter is not None:
            _free(node.filter, inner, out)
        return
    for c in children(node):
        _free(c, bound, out)
