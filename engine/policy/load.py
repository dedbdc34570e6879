# SPDX-License-Identifier: MIT
"""Loading a policy file: YAML -> schema -> model -> names, cycles, types -> closures."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.base.dates import DateError, looks_like_date, read_date
from engine.lang import ast
from engine.lang import types as T
from engine.lang.checks import ExprChecker
from engine.base.diagnostics import Diagnostic, Location, Sink, diag, suggest
from engine.base.words import Words, words
from engine.policy.inherit import Origin, Resolved, Src, check_dropped, find_base, resolve
from engine.base.limits import value_problem
from engine.policy.yamlio import (ExprLocator, NotFinite, SpellingError, flow_mistakes, key_location, location_at,
                                  node_at, read_document, read_ratio, to_fraction)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "policy.schema.json"


@dataclass
class FactDecl:
    name: str
    type: T.Type
    spec: dict
    location: Location
    origin: Origin | None = None  # the file and key it finally came from (see engine.inherit)

    @property
    def label(self) -> dict:
        return self.spec.get("label") or {}

    @property
    def unit(self) -> str | None:
        return self.spec.get("unit")


@dataclass
class Parameter:
    name: str
    value: Any
    type: T.Type
    spec: dict
    location: Location
    key_location: Location | None = None
    origin: Origin | None = None


@dataclass
class Rule:
    name: str
    text: str
    spec: dict
    location: Location
    locate: ExprLocator
    node: ast.Node | None = None
    type: T.Type = T.ANY
    reads: tuple[str, ...] = ()  # facts, parameters and rules it names, in source order
    origin: Origin | None = None


@dataclass
class Policy:
    """A loaded, checked and compiled policy."""

    id: str
    fiscal_year: int
    path: str
    meta: dict
    facts: dict[str, FactDecl]
    parameters: dict[str, Parameter]
    rules: dict[str, Rule]
    results: list[str]
    order: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    text: str = ""
    chain: list[Src] = field(default_factory=list)  # this file, then the policies it extends

    @property
    def files(self) -> list[str]:
        return [s.path for s in self.chain] or [self.path]

    @property
    def title(self) -> dict:
        return self.meta.get("title") or {}

    def param_env(self) -> dict:
        return {p.name: p.value for p in self.parameters.values()}

    def facts_behind(self, name: str) -> list[str]:
        """The facts a rule reads, directly or through the rules it reads, in first-read order."""
        out, seen, todo = [], set(), [name]
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.add(n)
            if n in self.facts:
                out.append(n)
            elif n in self.rules:
                todo.extend(self.rules[n].reads)
        return out


@lru_cache(maxsize=None)
def _schema(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def _full_validator(path: Path):
    import jsonschema  # imported on first use: a cached policy, or a valid one, never needs it
    return jsonschema.Draft202012Validator(_schema(path), format_checker=jsonschema.FormatChecker())


@lru_cache(maxsize=None)
def _quick_validator(path: Path):
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a platform without its wheel validates with jsonschema alone
        return None
    return jsonschema_rs.Draft202012Validator(_schema(path), validate_formats=True)


def schema_violations(path: Path, data) -> list:
    """jsonschema's errors for `data` (JSON-like) against the schema file at `path`, in document order.

    jsonschema_rs (Rust) first says whether there is any, in about a millisecond where jsonschema
    takes 50-300 ms, and ~100 ms more to import. Only a document it finds invalid, or cannot take,
    is validated again by jsonschema, whose errors yoko words and places. So the two must agree
    that a document is valid: tests/test_schema.py checks it on every policy and source file here
    and on mutations of them."""
    quick = _quick_validator(path)
    if quick is not None:
        try:
            if quick.is_valid(data):
                return []
        except Exception:  # a value it cannot take: jsonschema decides
            pass
    return sorted(_full_validator(path).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def schema_errors(doc, root, path: str, sink: Sink) -> None:
    """Report every schema violation at the YAML node it concerns."""
    errors = schema_violations(SCHEMA_PATH, _jsonable(doc))
    if not errors:
        return
    from jsonschema.exceptions import best_match  # (only for a policy that has errors: see schema_violations)
    seen = set()
    for err in errors:
        best = best_match([err])
        if isinstance(best.instance, str) and best.instance.startswith("TODO"):
            continue  # reported as unfilled_todo (engine/todo.py), not as a bad date or number
        where = list(best.absolute_path)
        msg = schema_message(best)
        key = (tuple(map(str, where)), msg.text("en"))
        if key in seen:
            continue
        seen.add(key)
        loc = location_at(root, where, path)
        if best.validator == "required":
            loc = _first_key_location(root, where, path)
        if best.validator in ("additionalProperties", "unevaluatedProperties"):
            extra = _extra_key(best)
            if extra is not None:
                loc = location_at(root, where + [extra], path, key=True)
                allowed = _declared_keys(best.schema, _schema(SCHEMA_PATH))
                sink.say("policy_schema", loc, key=msg, suggestion=suggest(extra, allowed))
                continue
        sink.say("policy_schema", loc, key=msg)


def _first_key_location(root, where, path) -> Location:
    """Where the mapping at `where` starts: its first key (a required key is missing from it)."""
    parent, k = node_at(root, where)
    node = parent[k] if parent is not None else root
    if isinstance(node, dict) and node:
        return key_location(node, next(iter(node)), path) or Location(path, 1, 1)
    return location_at(root, where, path)


def _declared_keys(schema: dict, root: dict) -> list[str]:
    """Keys a mapping schema declares, including those of the schemas it combines with allOf/$ref."""
    keys = list(schema.get("properties") or {})
    parts = list(schema.get("allOf") or []) + ([schema] if "$ref" in schema else [])
    for part in parts:
        ref = part.get("$ref", "")
        if ref.startswith("#/$defs/"):
            keys += _declared_keys(root["$defs"][ref.removeprefix("#/$defs/")], root)
        elif part is not schema:
            keys += _declared_keys(part, root)
    return list(dict.fromkeys(keys))


def _extra_key(err) -> str | None:
    import re
    m = re.search(r"\('([^']+)' was unexpected\)|'([^']+)' was unexpected|\('([^']+)' (?:were|was) unexpected",
                  err.message)
    if m:
        return next(g for g in m.groups() if g)
    return None


# JSON Schema's type names in words
_SCHEMA_TYPES = {"string": "type.text", "integer": "type.int", "number": "type.number", "boolean": "type.bool",
                 "object": "diag.policy_schema.mapping", "array": "type.list_any", "null": "diag.policy_schema.null"}


def schema_message(err) -> Words:
    where = "/".join(map(str, err.absolute_path)) or words("diag.policy_schema.the_file")
    got = json.dumps(err.instance, ensure_ascii=False, default=str)[:40]
    if err.validator == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        return words("diag.policy_schema.required", where=where, name=(missing or err.validator_value)[0])
    if err.validator in ("additionalProperties", "unevaluatedProperties"):
        extra = _extra_key(err)
        if extra is not None:
            return words("diag.policy_schema.unknown_key", where=where, name=extra)
    if err.validator == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        want = [words(_SCHEMA_TYPES[w]) if w in _SCHEMA_TYPES else w for w in want]
        return words("diag.policy_schema.type", where=where, want=words("diag.policy_schema.or", first=want[0],
                     rest=tuple(want[1:])) if len(want) > 1 else want[0], got=got)
    if err.validator == "enum":
        return words("diag.policy_schema.enum", where=where, allowed=", ".join(map(str, err.validator_value)),
                     got=repr(err.instance))
    if err.validator == "pattern":
        return words("diag.policy_schema.pattern", where=where, got=got, pattern=err.validator_value)
    if err.validator in ("minimum", "exclusiveMinimum", "minItems", "minLength", "minProperties"):
        return words(f"diag.policy_schema.{err.validator}", where=where, limit=err.validator_value, got=got)
    if err.validator in ("maximum", "exclusiveMaximum", "maxItems", "maxLength", "maxProperties"):
        return words(f"diag.policy_schema.{err.validator}", where=where, limit=err.validator_value, got=got)
    if err.validator == "format":
        return words("diag.policy_schema.format", where=where, format=err.validator_value, got=got)
    if err.validator in ("oneOf", "anyOf"):
        return words("diag.policy_schema.one_of", where=where, got=got)
    return words("diag.policy_schema.other", where=where, detail=err.message)


def load_document(path: str, text: str | None = None) -> tuple[Any, Any, str]:
    """(plain data, ruamel tree, text) of a policy file; YAML-level problems raise."""
    doc = read_document(path, text, mapping="policy_schema", refuse=flow_mistakes)
    return doc.data, doc.root, doc.text


def read_src(path: str, text: str | None = None) -> Src:
    """One policy file read and checked against the schema on its own (a child may be partial)."""
    from engine.policy.todo import todo_markers
    doc, root, text = load_document(path, text)
    for key in ("facts", "parameters", "rules", "override", "patch", "drop"):
        if key in doc and doc[key] is None:  # `facts:` with only a comment under it: empty, not null
            doc[key] = {}
    sink = Sink()
    todo_markers(doc, root, path, sink)  # values yoko new-year left to fill in (TODO ...)
    schema_errors(doc, root, path, sink)
    sink.raise_if_errors()
    return Src(path, text, root, doc)


def load_policy(path: str, text: str | None = None) -> Policy:
    """Load, check and compile one policy file (and the chain it extends); raise YokoError with
    every located problem. `text`, when given, is used instead of reading `path`."""
    leaf = read_src(path, text)
    sink = Sink()
    resolved = resolve(leaf, read_src, find_base, sink) if leaf.doc.get("extends") else Resolved.single(leaf)
    sink.raise_if_errors()
    policy = build_resolved(resolved, sink)
    sink.raise_if_errors()
    policy.warnings = [d for d in sink.items if not d.is_error]
    return policy


def build(doc: dict, root, text: str, path: str, sink: Sink) -> Policy:
    """The model of a schema-valid document, with all static checks run."""
    return build_resolved(Resolved.single(Src(path, text, root, doc)), sink)


def build_resolved(res: Resolved, sink: Sink) -> Policy:
    """The model of a resolved document; each item is located in the file it came from."""
    doc, items = res.doc, res.items
    facts = {}
    for name, spec in (doc.get("facts") or {}).items():
        o = items["facts"][name]
        _check_bounds(spec, name, o, (), sink)
        facts[name] = FactDecl(name, T.from_decl(spec), spec, o.at(key=True), o)
    params = {}
    for name, spec in (doc.get("parameters") or {}).items():
        o = items["parameters"][name]
        loc = o.part_at("value")
        value, ptype = _param_value(spec.get("value"), spec.get("type"), loc, sink)
        params[name] = Parameter(name, value, ptype, spec, loc, o.at(key=True), o)
    rules = {}
    for name, spec in (doc.get("rules") or {}).items():
        o = items["rules"][name]
        loc = o.at("expr")
        expr = spec["expr"]
        src = expr if isinstance(expr, str) else json.dumps(expr)
        rules[name] = Rule(name, src, spec, loc, ExprLocator(o.src.path, o.src.text, loc, src), origin=o)
    leaf = res.leaf
    policy = Policy(id=doc["id"], fiscal_year=doc["fiscal_year"], path=leaf.path, meta=doc, facts=facts,
                    parameters=params, rules=rules, results=list(doc.get("results") or []), text=leaf.text,
                    chain=list(res.chain))
    check_policy(policy, res.results_from, sink, dropped=res.dropped)
    if res.dropped:
        check_dropped(policy, res.dropped, sink)
    return policy


def _check_bounds(spec, name: str, o, where: tuple, sink: Sink) -> None:
    """min/max of a fact (and of its items and fields) are finite numbers, kept exact.

    `.nan` passes the schema as a number and then compares false with everything: the bound
    would be silently off. Infinities are refused too."""
    if not isinstance(spec, dict):
        return
    for bound in ("min", "max"):
        v = spec.get(bound)
        if v is None or isinstance(v, bool):
            continue
        try:
            to_fraction(v)
        except (TypeError, ValueError):
            sink.items.append(diag("bad_bound", o.at(*where, bound), name=name, bound=bound, value=v))
    if isinstance(spec.get("items"), dict):
        _check_bounds(spec["items"], f"{name}[]", o, (*where, "items"), sink)
    for field_name, fspec in (spec.get("fields") or {}).items() if isinstance(spec.get("fields"), dict) else ():
        _check_bounds(fspec, f"{name}.{field_name}", o, (*where, "fields", field_name), sink)


def _param_value(v, declared, loc, sink):
    try:
        value = _convert_param(v, dates=declared != "text", top=True)
    except DateError as e:
        sink.say("bad_parameter", loc, key=e.key, **e.params)
        return None, T.ANY
    except NotFinite as e:
        sink.say("bad_parameter", loc, key="diag.bad_parameter.not_finite", number=e.value)
        return None, T.ANY
    except SpellingError as e:
        sink.say("bad_parameter", loc, key="authoring.param_spelling", value=str(e))
        return None, T.ANY
    except (TypeError, ValueError) as e:
        sink.say("bad_parameter", loc, key="diag.bad_parameter.value", detail=str(e))
        return None, T.ANY
    problem = value_problem(value)
    if problem:
        sink.say(problem[0], loc, key=problem[1])
        return None, T.ANY
    t = T.value_type(value)
    if t is None:
        sink.say("bad_parameter", loc, key="diag.bad_parameter.table")
        return value, T.ANY
    if declared and not T.declared_kind_matches(declared, t):
        sink.say("bad_parameter", loc, declared=_declared_words(declared), got=T.type_words(t))
    return value, t


def _convert_param(v, dates: bool = True, top: bool = False):
    """A parameter's YAML value as a runtime value; a text spelt as a date (令和6年4月20日) is a date, and
    a parameter's own value written 9/10 or 90% is that exact number (another number spelling is an error)."""
    if isinstance(v, str) and dates and looks_like_date(v):
        return read_date(v)
    if isinstance(v, str) and dates and top:  # a parameter's own value (not a table cell), not declared text
        ratio = read_ratio(v)
        if ratio is not None:
            return ratio
    if v is None or isinstance(v, (bool, str, datetime.date)):
        return v
    if isinstance(v, (int, float)):
        return to_fraction(v)
    if isinstance(v, list):
        return [_convert_param(x, dates) for x in v]
    if isinstance(v, dict):
        return {str(k): _convert_param(x, dates) for k, x in v.items()}
    raise TypeError(f"unsupported value {v!r}")


# --------------------------------------------------------------------------- checks

def check_policy(policy: Policy, results_from: Origin, sink: Sink, dropped=()) -> None:
    """Parse rules, resolve names, detect cycles, infer types, compile; report to `sink`.

    A name in `dropped` (removed by a child's drop:) is not unknown where it is still read: that
    one cause is reported once, as dropped_still_used where it is dropped (engine.policy.inherit)."""
    from engine.lang.parser import ExprSyntaxError, parse  # lark is loaded only when a policy is parsed
    _check_clashes(policy, sink)
    for rule in policy.rules.values():
        try:
            rule.node = parse(rule.text)
        except ExprSyntaxError as e:
            sink.say(e.code, rule.locate(e.offset) or rule.location, key=e.words)
        except RecursionError:
            sink.say("expr_too_deep", rule.location, key="diag.expr_too_deep.load")
    known = set(policy.facts) | set(policy.parameters) | set(policy.rules)
    for rule in policy.rules.values():
        if rule.node is not None:
            rule.reads = tuple(dict.fromkeys(n.id for n in ast.free_names(rule.node) if n.id in known))
    order, cyclic = _order(policy, sink)
    names: dict[str, T.Type] = {n: f.type for n, f in policy.facts.items()}
    names.update({n: p.type for n, p in policy.parameters.items()})
    names.update({n: T.ANY for n in policy.rules})
    names.update({n: T.ANY for n in dropped if n not in names})
    for name in order:
        rule = policy.rules[name]
        if rule.node is None:
            continue
        rule.type = ExprChecker(names, sink, rule.locate).infer(rule.node)
        names[name] = rule.type
        _check_declared(rule, sink)
    for name in cyclic:
        if policy.rules[name].node is not None:
            ExprChecker(names, sink, policy.rules[name].locate).infer(policy.rules[name].node)
    for i, res in enumerate(policy.results):
        if res not in policy.rules:
            sink.say("undefined_result", _result_location(results_from, i, res), result=res,
                     suggestion=suggest(res, policy.rules))
        elif policy.rules[res].spec.get("unit") == "yen" and policy.rules[res].type.kind == "number":
            sink.say("non_integral_money", policy.rules[res].location, result=res)
    _check_applies_if(policy, sink)
    _check_conclusion(policy, sink)
    if all(r.node is not None for r in policy.rules.values()):
        _check_unused(policy, sink)  # a rule that did not parse may be the reader of a fact
    policy.order = order  # closures are built on first evaluation (engine.compile.runner)


def _check_applies_if(policy: Policy, sink: Sink) -> None:
    """`applies_if:` names a yes/no rule."""
    for rule in policy.rules.values():
        cond = rule.spec.get("applies_if")
        if cond is None:
            continue
        loc = rule.origin.at("applies_if") if rule.origin is not None else rule.location
        if cond not in policy.rules:
            sink.say("bad_applies_if", loc, key="diag.bad_applies_if.unknown", rule=rule.name, name=cond,
                     suggestion=suggest(cond, policy.rules))
        elif policy.rules[cond].type.kind not in ("bool", "any"):
            sink.say("bad_applies_if", loc, rule=rule.name, name=cond, type=T.type_words(policy.rules[cond].type))


def _check_conclusion(policy: Policy, sink: Sink) -> None:
    """`conclusion:` names a yes/no rule (eligible) and a numeric rule (amount)."""
    conclusion = policy.meta.get("conclusion") or {}
    src = next((s for s in policy.chain if "conclusion" in (s.doc or {})), None)
    for part, kinds in (("eligible", ("bool",)), ("amount", ("int", "number"))):
        name = conclusion.get(part)
        if name is None:
            continue
        loc = src.at(("conclusion", part)) if src is not None else Location(policy.path, 1, 1)
        if name not in policy.rules:
            sink.say("bad_conclusion", loc, key="diag.bad_conclusion.unknown", part=part, name=name,
                     suggestion=suggest(name, policy.rules))
        elif policy.rules[name].type.kind not in (*kinds, "any"):
            sink.say("bad_conclusion", loc, key=f"diag.bad_conclusion.{part}", name=name,
                     type=T.type_words(policy.rules[name].type))


def _result_location(results_from: Origin, i: int, name: str) -> Location:
    """Where a public result is named: its index in a results list, or its entry in `results: {add: ...}`."""
    if results_from.where[-1:] != ("add",):
        return results_from.at(i)
    added = list(((results_from.src.doc.get("results") or {}).get("add")) or [])
    return results_from.at(added.index(name)) if name in added else results_from.at(key=True)


def _check_clashes(policy: Policy, sink: Sink) -> None:
    from engine.lang.parser import KEYWORDS
    seen: dict[str, tuple[str, Any]] = {}
    for kind, table in (("fact", policy.facts), ("parameter", policy.parameters), ("rule", policy.rules)):
        for name, item in table.items():
            loc = item.origin.at(key=True)
            if name in KEYWORDS:
                sink.say("name_clash", loc, key="diag.name_clash.reserved", name=name, kind=words(f"kind.{kind}"))
            elif name in seen:
                first_kind, first = seen[name]
                if item.origin.how == "inherited" and first.origin.how != "inherited":
                    loc = first.origin.at(key=True)  # point at the file being written, not at its base
                sink.say("name_clash", loc, key="diag.name_clash.both", name=name, first=words(f"kind.{first_kind}"),
                         second=words(f"kind.{kind}"))
            else:
                seen[name] = (kind, item)


def _order(policy: Policy, sink: Sink) -> tuple[list[str], list[str]]:
    """Rules in dependency order, and the rules caught in cycles (reported once per cycle)."""
    deps = {n: [d for d in r.reads if d in policy.rules] for n, r in policy.rules.items()}
    order, state, cyclic = [], {}, []
    reported: set[frozenset] = set()

    def visit(n, stack):
        state[n] = "active"
        stack.append(n)
        for d in deps[n]:
            if state.get(d) == "active":
                cycle = stack[stack.index(d):] + [d]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle[:-1], key=list(policy.rules).index)
                    i = cycle.index(first)
                    shown = cycle[i:-1] + cycle[:i] + [first]
                    r = policy.rules[first]
                    sink.say("rule_cycle", r.locate(0) or r.location, cycle=" -> ".join(shown))
                cyclic.extend(x for x in cycle if x not in cyclic)
            elif d not in state:
                visit(d, stack)
        stack.pop()
        state[n] = "done"
        if n not in cyclic:
            order.append(n)

    for n in policy.rules:
        if n not in state:
            visit(n, [])
    order = [n for n in order if n not in cyclic]
    return order, cyclic


def _check_declared(rule: Rule, sink: Sink) -> None:
    declared = rule.spec.get("type")
    if declared and not T.declared_kind_matches(declared, rule.type):
        sink.say("type_mismatch", rule.locate(0) or rule.location, key="diag.type_mismatch.declared", rule=rule.name,
                 declared=_declared_words(declared), got=T.type_words(rule.type))


def _declared_words(declared) -> Words | str:
    """A declared `type:` in words (as it is when it names no type)."""
    simple = {"bool", "int", "number", "text", "date"}
    return T.type_words(T.from_decl({"type": declared})) if declared in simple else str(declared)


def _check_unused(policy: Policy, sink: Sink) -> None:
    used = {n for r in policy.rules.values() for n in r.reads}
    for name, f in policy.facts.items():
        if name not in used and not f.spec.get("display_only"):
            sink.say("unused_fact", f.location, name=name, severity="warning")
    for name, p in policy.parameters.items():
        if name not in used:
            sink.say("unused_parameter", p.key_location or p.location, name=name, severity="warning")
