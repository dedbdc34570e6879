# SPDX-License-Identifier: MIT
"""A policy's JSON document with its trace written by one generated function, its fixed parts
built once per policy.

`trace_function(policy, plan)` returns `fn(env, needed) -> (results, unknown, not_applicable,
trace)` or None when the environment lacks a rule or fact (the caller then writes the document
entry by entry). The pieces are what Evaluation.to_json and Evaluation.trace_entry give (the
definition; the tests compare the two): every name is read from the environment in one call and
put in JSON form once (not at all when its type holds only plain values), each entry is one dict
display whose fixed fields (label, cite, expression, source, notes) are constants shared by every
facility, and the decisive parts (engine.lang.interpret.why) are chosen by straight-line code over
the values of the parts, which the expression generator of engine.lang.codegen computes inline (a
part that can fail is _FAILED when it does, as for the tracer's closures). A decisive part whose
value is true, false or unknown is a constant dict shared by every facility too, like the fixed
fields: the document is for writing out, not for changing in place. As in engine.lang.codegen,
only this module decides what becomes code: locals are numbered, every literal is an
`ast.Constant` or a module constant holding the value itself, and no text of the policy becomes
source.
"""
from __future__ import annotations

import ast as py
import datetime
import marshal
import operator
import types
from typing import Callable

from engine.lang import ast
from engine.lang.builtins import EvalError
from engine.lang import builtins
from engine.lang.codegen import HELPERS, _STRUCT_KINDS, Generator, Val, _c, _cannot_fail, _fill_locations, _locate, _name, _store
from engine.lang.compile import _FAILED, tracer
from engine.lang.values import to_json

_SIMPLE = frozenset((bool, int, str, type(None)))
_PLAIN_KINDS = frozenset(("bool", "text", "enum"))  # a value of these types is its own JSON form
_FEW_VALUED = frozenset(("bool", "enum"))  # names an entry may be kept by (see _Builder.memo_key)
_KEY_VALUE_KINDS = frozenset(("bool", "enum", "text", "int"))  # a kept entry's own value: hashable
MEMO_LIMIT = 1024  # entries kept per rule at most


def _scan(values: tuple, decisive: bool):
    """The value of a chain of and (decisive False) or or (True) from its parts' values, left to
    right and stopping once decided, as the interpreter evaluates it; _FAILED when it would fail."""
    out = not decisive
    for v in values:
        if v is _FAILED:
            return _FAILED
        if v is decisive:
            return decisive
        if v is None:
            out = None
    return out


class _Builder:
    def __init__(self, policy):
        self.policy = policy
        self.tracer = tracer(policy)
        self.ns: dict = {**_HELPERS, "__builtins__": {}}
        self.consts: dict[int, str] = {}
        self.raw: dict[str, str] = {}  # name -> local holding env[name], read at the top
        self.json: dict[str, str] = {}  # name -> local holding its JSON form
        self.head: list[py.stmt] = []  # the JSON forms, after the values are read
        self.params = policy.param_env()
        self.gen = Generator(self.params, self._resolve)  # the parts' values, as generated code
        self.n = 0
        self.closures: dict[str, ast.Node] = {}  # constant name -> the node its tracer closure computes

    def fresh(self, stem: str) -> str:
        self.n += 1
        return f"{stem}{self.n}"

    def const(self, v) -> py.expr:
        if v is None or type(v) in (bool, int, str):
            return _c(v)
        name = self.consts.get(id(v))
        if name is None:
            name = self.consts[id(v)] = self.fresh("C")
            self.ns[name] = v
        return _name(name)

    def value_of(self, name: str) -> py.expr:
        """The raw value of a fact, parameter or rule, read once at the top (a parameter's is a constant)."""
        if name in self.params:
            return self.const(self.params[name])
        local = self.raw.get(name)
        if local is None:
            local = self.raw[name] = self.fresh("a")
        return _name(local)

    def type_of(self, name: str):
        """The declared or inferred type of a fact or rule (None when neither)."""
        item = self.policy.facts.get(name) or self.policy.rules.get(name)
        return getattr(item, "type", None)

    def kind(self, name: str) -> str:
        t = self.type_of(name)
        return t.kind if t is not None else "any"

    def json_of(self, name: str) -> py.expr:
        if name in self.params:
            return self.const(to_json(self.params[name]))
        t, fact = self.type_of(name), name in self.policy.facts
        if t is not None and _plain(t, fact):  # checked facts and rule values of these types are plain
            return self.value_of(name)
        local = self.json.get(name)
        if local is None:
            raw = self.value_of(name)
            local = self.json[name] = self.fresh("j")
            copy = _copier(t, fact) if t is not None else None
            value = py.Call(_name(copy), [raw], []) if copy else self.to_json(raw, self.kind(name))
            self.head.append(py.Assign([_store(local)], value))
        return _name(local)

    def to_json(self, e: py.expr, kind: str = "any") -> py.expr:
        """e in JSON form: plain values as they are (the hot path), a date of a date-typed name in
        ISO form, others by to_json."""
        general = py.Call(_name("_tj"), [e], [])
        if kind == "date":
            iso = py.Call(py.Attribute(e, "isoformat", py.Load()), [], [])
            return py.IfExp(py.Compare(py.Call(_name("_type"), [e], []), [py.Is()], [_name("_date")]), iso, general)
        simple = py.Compare(py.Call(_name("_type"), [e], []), [py.In()], [_name("_S")])
        return py.IfExp(simple, e, general)

    def _resolve(self, name: str) -> Val | None:
        """A name in a part: its raw value's local (None when unknown)."""
        if name in self.policy.facts:
            return Val(self.value_of(name), True, self.policy.facts[name].type.kind not in _STRUCT_KINDS)
        if name in self.policy.rules:
            return Val(self.value_of(name), True)
        return None

    def compute(self, node, out: list, local: str, catch: bool) -> bool:
        """Statements computing the node's value into `local` by the expression generator; with
        `catch`, a failure gives _FAILED (as the tracer's _safe), else it is raised. Whether the
        value may be _FAILED."""
        g = self.gen
        g.start(node, lambda offset: None, 1)
        g.block = []
        v = g.expr(node)
        stmts = g.block + [py.Assign([_store(local)], v.expr)]
        if not catch or (not g.block and _cannot_fail(v.expr)):  # tests and look-ups only: nothing to catch
            out.extend(stmts)
            return False
        failed = py.ExceptHandler(_name("_EvalError"), None, [py.Assign([_store(local)], _name("_FAILED"))])
        out.append(py.Try(stmts, [failed], [], []))
        return True

    def fn_of(self, node) -> py.expr:
        """The tracer's closure computing `node` (it raises a failed part's error again)."""
        ref = self.const(self.tracer._fn(node))
        self.closures[ref.id] = node
        return ref

    # ---------------------------------------------------------------- decisive parts
    def part_value(self, node, out: list) -> tuple[py.expr, bool]:
        """(an expression of the node's value or _FAILED, whether it may be _FAILED), computing it
        into a local once."""
        if isinstance(node, ast.Name):
            return self.value_of(node.id), False
        local = self.fresh("p")
        return _name(local), self.compute(node, out, local, True)

    def why(self, rule, node, out: list, known: tuple | None = None) -> None:
        """Statements appending node's decisive parts to `b` (engine.lang.interpret.why).
        `known` is (expression, may fail) of the node's value when it has been computed."""
        if isinstance(node, ast.Binary) and node.op in ("and", "or"):
            decisive = node.op == "or"
            parts = ast.operands(node, node.op)
            vals = [self.part_value(p, out) for p in parts]
            if known is not None:
                whole = known[0]
            else:
                w = self.fresh("w")
                if any(fails for _, fails in vals):  # left to right, stopping at a failure
                    scan = py.Call(_name("_scan"), [py.Tuple([v for v, _ in vals], py.Load()), _c(decisive)], [])
                else:  # no part can fail: decisive if one is, else unknown if one is (Kleene)
                    scan = py.IfExp(py.BoolOp(py.Or(), [py.Compare(v, [py.Is()], [_c(decisive)]) for v, _ in vals]),
                                    _c(decisive),
                                    py.IfExp(py.BoolOp(py.Or(), [py.Compare(v, [py.Is()], [_c(None)]) for v, _ in vals]),
                                             _c(None), _c(not decisive)))
                out.append(py.Assign([_store(w)], scan))
                whole = _name(w)
            k, u = self.fresh("k"), self.fresh("u")
            out.append(py.Assign([_store(k)], py.Compare(whole, [py.Is()], [_c(decisive)])))
            out.append(py.Assign([_store(u)], py.Compare(whole, [py.Is()], [_c(None)])))
            for p, (v, fails) in zip(parts, vals):
                chosen = py.IfExp(_name(k), py.Compare(v, [py.Is()], [_c(decisive)]),
                                  py.IfExp(_name(u), py.Compare(v, [py.Is()], [_c(None)]), _c(True)))
                body: list = []
                self.why(rule, p, body, (v, fails))
                out.append(py.If(chosen, body, []))
            return
        if isinstance(node, ast.Unary) and node.op == "not" and not isinstance(node.operand, (ast.Name, ast.Compare)):
            self.why(rule, node.operand, out)
            return
        if isinstance(node, ast.Cond):
            c, fails = self.part_value(node.test, out)
            self.leaf(rule, node.test, out, (c, fails))
            then, orelse = [], []
            self.why(rule, node.then, then)
            self.why(rule, node.orelse, orelse)
            decided = py.BoolOp(py.And(), [py.Compare(c, [py.IsNot()], [_c(None)]),
                                           py.Compare(c, [py.IsNot()], [_name("_FAILED")])])
            out.append(py.If(decided, [py.If(c, then, orelse)], []))
            return
        self.leaf(rule, node, out, known)

    def leaf(self, rule, node, out: list, known: tuple | None) -> None:
        """b.append(the part's dict): its text, value, the names it reads, its rule. A part that
        is true, false or unknown appends one of three dicts built once."""
        if isinstance(node, ast.Name):
            value, raw = self.json_of(node.id), self.value_of(node.id)
        else:
            if known is None:
                v = _name(self.fresh("q"))
                self.compute(node, out, v.id, False)
            elif known[1]:  # a part that failed: the tracer raises it again, as Evaluation.part does
                v = py.IfExp(py.Compare(known[0], [py.IsNot()], [_name("_FAILED")]), known[0],
                             py.Call(self.fn_of(node), [_name("env")], []))
            else:
                v = known[0]
            if isinstance(v, py.Name):
                raw = v
            else:
                raw = _name(self.fresh("x"))
                out.append(py.Assign([_store(raw.id)], v))
            value = self.to_json(raw)
        names = list(self.tracer.names(node))  # their values are under the entry's "reads"
        text = rule.text[node.start:node.end]
        ref = node.id if isinstance(node, ast.Name) and node.id in self.policy.rules else None
        keys = [_c("expr"), _c("value"), _c("names"), _c("rule")]
        part = py.Dict(keys, [_c(text), value, self.const(names), _c(ref)])
        for truth in (None, False, True):  # the common values: one dict each, built here
            fixed = self.const({"expr": text, "value": truth, "names": names, "rule": ref})
            part = py.IfExp(py.Compare(raw, [py.Is()], [_c(truth)]), fixed, part)
        out.append(py.Expr(py.Call(py.Attribute(_name("b"), "append", py.Load()), [part], [])))

    # ---------------------------------------------------------------- entries
    def entry(self, name: str, template: dict, reads: tuple) -> list[py.stmt]:
        rule = self.policy.rules[name]
        e = self.fresh("e")
        keys, vals = [], []
        for k, v in template.items():
            if k == "notes":
                continue
            keys.append(_c(k))
            if k == "value":
                vals.append(self.json_of(name))
            elif k == "reads":
                vals.append(py.Dict([_c(n) for n in reads], [self.json_of(n) for n in reads]))
            else:
                vals.append(self.const(v))
        out: list[py.stmt] = [py.Assign([_store(e)], py.Dict(keys, vals))]
        v = self.value_of(name)
        undecided = py.Compare(v, [py.Is()], [_c(None)])
        if self.kind(name) == "bool":  # a bool rule's value is true, false or unknown: always explained
            truth = _c(True)
        elif self.kind(name) in ("any", "record", "list"):
            truth = py.BoolOp(py.Or(), [undecided, py.Compare(v, [py.Is()], [_c(True)]),
                                        py.Compare(v, [py.Is()], [_c(False)])])
        else:  # a number, text, enum or date is never true or false
            truth = undecided
        because = [py.Assign([_store("b")], py.List([], py.Load()))]
        self.why(rule, rule.node, because)
        because.append(py.Assign([py.Subscript(_name(e), _c("because"), py.Store())], _name("b")))
        out.append(py.If(truth, because, []))
        needed = py.Call(_name("needed"), [_c(name)], [])
        out.append(py.If(undecided, [py.Assign([py.Subscript(_name(e), _c("needed_facts"), py.Store())], needed)], []))
        if "applies_if" in rule.spec:
            cond = rule.spec.get("applies_if")
            applies = _c(True) if cond is None else self.value_of(cond)
            out.append(py.Assign([py.Subscript(_name(e), _c("applies"), py.Store())], applies))
        if "notes" in template:
            out.append(py.Assign([py.Subscript(_name(e), _c("notes"), py.Store())], self.const(template["notes"])))
        key = self.memo_key(name, rule, reads)
        if key is None:
            return out, e
        # the entry of a known rule that reads only few-valued names is built once per combination
        memo, k = self.fresh("M"), self.fresh("k")
        self.ns[memo] = {}
        keep = py.If(py.BoolOp(py.And(), [py.Compare(v, [py.IsNot()], [_c(None)]), py.Compare(
            py.Call(_name("_len"), [_name(memo)], []), [py.Lt()], [_c(MEMO_LIMIT)])]),
            [py.Assign([py.Subscript(_name(memo), _name(k), py.Store())], _name(e))], [])
        return [py.Assign([_store(k)], py.Tuple([self.value_of(n) for n in key], py.Load())),
                py.Assign([_store(e)], py.Call(py.Attribute(_name(memo), "get", py.Load()), [_name(k)], [])),
                py.If(py.Compare(_name(e), [py.Is()], [_c(None)]), out + [keep], [])], e

    def memo_key(self, name: str, rule, reads: tuple) -> list[str] | None:
        """The names an entry depends on (the rule itself, what it and its parts read, its
        applies_if rule) when each has few values (true, false, unknown or one of an enum's), else
        None. A known rule's entry is then the same for every facility with the same values of
        these (its needed facts are listed only when it is unknown, and those are not kept)."""
        if self.kind(name) not in _KEY_VALUE_KINDS:
            return None
        names = dict.fromkeys([name, *reads, *self.tracer.names(rule.node)])
        if rule.spec.get("applies_if") is not None:
            names[rule.spec["applies_if"]] = None
        key = [n for n in names if n not in self.params]
        if any(self.kind(n) not in _FEW_VALUED for n in key[1:]):
            return None
        return key


def trace_function(policy, plan: dict, document: tuple) -> Callable[..., tuple | None]:
    """The policy's JSON document as one generated function `fn(env, needed)` (see the module
    docstring); `plan` is engine.evaluation.evaluate._trace_plan(policy): per rule, its fixed
    fields and reads; `document` its _json_plan: the public results, the other rules, and the
    results with an applies_if rule. `needed(rule)` gives an unknown rule's needed facts.
    `fn(facts, needed, values)` reads the rules' values from `values` (every rule's, in policy
    order, none settled) and the facts from `facts`, for a caller that has not built the
    environment: it is the same document as from that environment. With `with_trace` false the
    entries are not written (the trace piece is None): the document without its trace."""
    b = _Builder(policy)
    body, entries = [], []
    for name in policy.order:
        if policy.rules[name].node is None:
            raise ValueError(f"rule {name} has no expression")  # the caller keeps the entry-by-entry path
        template, reads = plan[name]
        stmts, e = b.entry(name, template, reads)
        body.extend(stmts)
        entries.append(e)
    results, others, conds = document
    doc = [py.Assign([_store("_results")], py.Dict([_c(n) for n in results], [b.json_of(n) for n in results])),
           py.Assign([_store("_unknown")], py.List([], py.Load())),
           py.Assign([_store("_na")], py.List([], py.Load()))]
    for n in (*results, *others):  # unknown: the public results, then the other rules, each in its order
        doc.append(py.If(py.Compare(b.value_of(n), [py.Is()], [_c(None)]), [_append("_unknown", _c(n))], []))
    for n, cond in conds:  # not applicable: a result whose applies_if rule is false
        doc.append(py.If(py.Compare(b.value_of(cond), [py.Is()], [_c(False)]), [_append("_na", _c(n))], []))
    b.ns.update(b.gen.ns)  # the expression generator's helpers and constants (K, N, _fn_ names)
    b.ns["_EvalError"] = EvalError
    read = list(b.raw)  # every name read, in one call; a missing one: the caller writes it entry by entry
    facts = [n for n in read if n not in policy.rules]
    rules = py.Tuple([_store(b.raw.get(n, "_")) for n in policy.order], py.Store())
    head = [py.If(py.Compare(_name("values"), [py.Is()], [_c(None)]),
                  [_pick(b, "_pick", read, "env")],
                  [_pick(b, "_pick_facts", facts, "env"), py.Assign([rules], _name("values"))])] + b.head
    body.append(py.Assign([_store("_trace")], py.List([_name(e) for e in entries], py.Load())))
    body = [py.If(_name("with_trace"), body, [py.Assign([_store("_trace")], _c(None))])]
    ret = py.Return(py.Tuple([_name("_results"), _name("_unknown"), _name("_na"), _name("_trace")], py.Load()))
    fdef = py.FunctionDef("trace", py.arguments([], [py.arg("env"), py.arg("needed"), py.arg("values"),
                                                     py.arg("with_trace")], None, [], [], None, [_c(None), _c(True)]),
                          head + body + doc + [ret], [], None, None)
    _locate(fdef, 1)
    _fill_locations(fdef)
    code = compile(py.Module([fdef], []), f"<trace of {policy.path}>", "exec")
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    fn = types.FunctionType(fcode, b.ns, "trace", (None, True))
    fn.__dict__["closures"] = b.closures
    return fn


def _nothing(_d) -> tuple:
    return ()


def _plain(t, fact: bool) -> bool:
    """Whether a value of type t is its own JSON form: a bool, text or enum, or an int fact
    (engine.evaluation.facts checks a whole number to be an int; a rule's int may be a Fraction)."""
    return t.kind in _PLAIN_KINDS or (fact and t.kind == "int")


def _copier(t, fact: bool) -> str | None:
    """The helper giving the JSON form of a list or record whose items are plain by their type
    (a copy, as to_json makes), or None."""
    if t.kind == "list" and t.elem is not None:
        if _plain(t.elem, fact):
            return "_copy_list"
        if t.elem.kind == "record" and t.elem.fields and all(_plain(f, fact) for _, f in t.elem.fields):
            return "_copy_records"
    if t.kind == "record" and t.fields and all(_plain(f, fact) for _, f in t.fields):
        return "_copy_record"
    return None


def _copy_list(v):
    return v.copy() if type(v) is list else to_json(v)


def _copy_record(v):
    return v.copy() if type(v) is dict else to_json(v)


def _copy_records(v):
    if type(v) is not list:
        return to_json(v)
    return [r.copy() if type(r) is dict else to_json(r) for r in v]


_HELPERS = {"_type": type, "_S": _SIMPLE, "_tj": to_json, "_FAILED": _FAILED, "_scan": _scan, "_KeyError": KeyError,
            "_len": len, "_date": datetime.date, "_EvalError": EvalError, "_nothing": _nothing,
            "_copy_list": _copy_list, "_copy_record": _copy_record, "_copy_records": _copy_records, **HELPERS}


def portable(fn) -> tuple:
    """What the policy cache keeps of a trace function, so a new process need not build it: the
    code object as marshal bytes and its globals, helpers and built-ins by name, the tracer's
    closures by the node they compute, the kept entries as an empty dict, constants and nodes
    as themselves (pickled with the policy they belong to, so node identity survives)."""
    closures = fn.__dict__["closures"]
    ns = {}
    for k, v in fn.__globals__.items():
        if k in _HELPERS and _HELPERS[k] is v:
            ns[k] = ("helper", k)
        elif k.startswith("_fn_") and builtins.BUILTINS.get(k[4:]) and builtins.BUILTINS[k[4:]].impl is v:
            ns[k] = ("builtin", k[4:])
        elif k in closures:
            ns[k] = ("closure", closures[k])
        elif k[:1] == "M" and type(v) is dict:
            ns[k] = ("memo", None)
        else:
            ns[k] = ("value", v)
    return (marshal.dumps(fn.__code__), ns)


def from_portable(policy, saved: tuple):
    """The trace function `portable()` described, for `policy` as it came out of the same pickle."""
    code, spec = saved
    t = tracer(policy)
    ns, closures = {}, {}
    for k, (how, v) in spec.items():
        if how == "helper":
            ns[k] = _HELPERS[v]
        elif how == "builtin":
            ns[k] = builtins.BUILTINS[v].impl
        elif how == "closure":
            ns[k], closures[k] = t._fn(v), v
        elif how == "memo":
            ns[k] = {}
        else:
            ns[k] = v
    fn = types.FunctionType(marshal.loads(code), ns, "trace", (None, True))
    fn.__dict__["closures"] = closures
    return fn


def _pick(b: _Builder, fn: str, names: list, source: str) -> py.stmt:
    """`try: <the names' locals> = fn(source) except KeyError: return None`: every name in one call."""
    b.ns[fn] = operator.itemgetter(*names, names[0]) if names else _nothing
    targets = py.Tuple([_store(b.raw[n]) for n in names] + [_store("_")], py.Store()) if names else _store("_")
    return py.Try([py.Assign([targets], py.Call(_name(fn), [_name(source)], []))],
                  [py.ExceptHandler(_name("_KeyError"), None, [py.Return(_c(None))])], [], [])


def _append(target: str, value: py.expr) -> py.stmt:
    return py.Expr(py.Call(py.Attribute(_name(target), "append", py.Load()), [value], []))
