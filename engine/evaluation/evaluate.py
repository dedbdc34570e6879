# SPDX-License-Identifier: MIT
"""Evaluating a facility against a policy: values, unknowns, needed facts and the trace."""
from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

from engine.lang import ast
from engine.lang.builtins import EvalError
from engine.lang.compile import tracer
from engine.base.diagnostics import Diagnostic, YokoError, diag
from engine.lang.bounds import settle, settle_all
from engine.lang.interpret import interpret
from engine.policy.load import Policy
from engine.lang.values import to_json
from engine.evaluation import trace_code
from engine.policy import cache
from engine.lang.compile import runner
from engine.lang.codegen import generated


class Evaluation:
    """The outcome of one evaluation. Values are runtime values (None = unknown).

    Made from the environment of every value (run_rules), or, by evaluate(), from the generated
    function's rule values when none is unknown: the environment is then built the first time
    something reads it, and the traced JSON document is written from the values themselves."""

    __slots__ = ("policy", "facts", "_env", "_values", "_needs")

    def __init__(self, policy: Policy, facts: dict, env: dict | None = None, *, values: tuple | None = None):
        self.policy = policy
        self.facts = facts
        self._env = env
        self._values = values  # every rule's value in policy order, none unknown (only with env None)
        self._needs: dict = {}

    @property
    def env(self) -> dict:
        env = self._env
        if env is None:
            env = self._env = _environment(self.policy, generated(self.policy), self.facts, self._values)
        return env

    @property
    def values(self) -> dict[str, Any]:
        return {n: self.env.get(n) for n in self.policy.order}

    @property
    def results(self) -> dict[str, Any]:
        if self._env is None:  # the rule values, none unknown: read by position, no environment built
            values = self._values
            return {n: values[i] for n, i in zip(self.policy.results, _positions(self.policy, "results"))}
        env = self.env
        return {n: env.get(n) for n in self.policy.results}

    @property
    def unknown(self) -> list[str]:
        """Public results that are unknown, then every other rule that is unknown, in policy order."""
        env = self.env
        results, others, _ = _json_plan(self.policy)
        public = [n for n in results if env.get(n) is None]
        rest = [n for n in others if n in env and env[n] is None]
        return public + rest

    def applies(self, name: str) -> bool | None:
        """Whether a rule's result applies: its `applies_if` rule's value (True when it has none).

        A result that does not apply keeps its value (a deadline is still computed from the dates);
        it is shown as not applicable, and JSON lists it under `not_applicable`."""
        cond = self.policy.rules[name].spec.get("applies_if") if name in self.policy.rules else None
        return True if cond is None else self.env.get(cond)

    @property
    def not_applicable(self) -> list[str]:
        """Public results whose `applies_if` rule is false, in result order."""
        return not_applicable(self.policy, self.env)

    def needed_for(self, name: str) -> list[str]:
        """Absent facts whose absence leaves rule `name` undecided."""
        return sorted(self._rule_needs(name))

    @property
    def needed_facts(self) -> list[str]:
        env = self.env
        out: set[str] = set()
        for n in self.policy.results:
            if env.get(n) is None:  # a known result needs nothing (Needs.for_row)
                out |= self._rule_needs(n)
        return sorted(out)

    def _rule_needs(self, name: str) -> set[str]:
        # interpret.needs, by compiled closures (engine.compile.Needs; tests compare the two)
        if "*" not in self._needs:
            self._needs["*"] = tracer(self.policy).needs.for_row(self.env)
        return self._needs["*"](name)

    def trace(self) -> list[dict]:
        """One entry per rule, in evaluation order: value, reads, decisive parts, citation, source.

        The entries are the caller's to change: the generated trace function shares what does not
        change between facilities among its documents (docs/language.md, "The trace"), so here they
        are copied; to_json() gives them as they are, for writing out."""
        doc = self._generated_document(True)
        if doc is None:
            return [self.trace_entry(n) for n in self.policy.order]
        return copy.deepcopy(doc[3])

    def _generated_document(self, trace: bool) -> tuple | None:
        """The document's pieces by the policy's trace function, or None when it has none yet."""
        fn = _trace_function(self.policy)
        if fn is None:
            return None
        doc = None
        if self._env is None:  # from the facts and the rule values (None when a fact is absent)
            doc = fn(self.facts, self.needed_for, self._values, trace)
        return doc if doc is not None else fn(self.env, self.needed_for, None, trace)

    def trace_entry(self, name: str) -> dict:
        rule = self.policy.rules[name]
        env = self.env
        value = env.get(name)
        template, reads = _trace_plan(self.policy)[name]
        entry = dict(template)  # the rule's fixed fields (label, cite, expr, source ...), built once
        entry["value"] = _j(value)
        entry["reads"] = {n: _j(env.get(n)) for n in reads}
        if value is None or value is True or value is False:
            entry["because"] = [self.part(rule, p) for p in tracer(self.policy).why(rule.node, env)]
        if value is None:
            entry["needed_facts"] = self.needed_for(name)
        if "applies_if" in rule.spec:
            entry["applies"] = self.applies(name)
        if "notes" in template:  # keep the key order of the output stable: notes last
            entry["notes"] = entry.pop("notes")
        return entry

    def part(self, rule, node: ast.Node) -> dict:
        t = tracer(self.policy)
        plans = self.policy.__dict__.setdefault("_part_plans", {})  # per policy object, built lazily
        key = (rule.name, node.start, node.end)
        plan = plans.get(key)
        if plan is None:
            plan = (rule.text[node.start:node.end], list(t.names(node)),  # values: the entry's "reads"
                    node.id if isinstance(node, ast.Name) and node.id in self.policy.rules else None)
            plans[key] = plan
        text, names, ref = plan
        return {"expr": text, "value": _j(t.value(node, self.env)), "names": names, "rule": ref}

    def to_json(self, trace: bool = True) -> dict:
        doc = self._generated_document(trace)
        if doc is not None:  # the same document, every piece by the policy's generated function
            results, unknown, not_applicable, entries = doc
            out = {"policy": self.policy.id, "fiscal_year": self.policy.fiscal_year, "results": results,
                   "unknown": unknown, "needed_facts": self.needed_facts if unknown else [],
                   "not_applicable": not_applicable}
            notes = getattr(self.facts, "notes", None)
            if notes:
                out["notes"] = [d.to_json() for d in notes]
            if trace:
                out["trace"] = entries
            return out
        return self.document(trace)

    def document(self, trace: bool = True) -> dict:
        """to_json, piece by piece (the definition the generated document is tested against)."""
        out = {
            "policy": self.policy.id,
            "fiscal_year": self.policy.fiscal_year,
            "results": {n: _j(v) for n, v in self.results.items()},
            "unknown": self.unknown,
            "needed_facts": self.needed_facts,
            "not_applicable": self.not_applicable,  # results whose applies_if is false; values kept above
        }
        notes = getattr(self.facts, "notes", None)  # input read in another form (engine.facts)
        if notes:
            out["notes"] = [d.to_json() for d in notes]
        if trace:
            out["trace"] = [self.trace_entry(n) for n in self.policy.order]
        return out


_SIMPLE = (bool, int, str, type(None))


def _j(v):
    """to_json, with plain values passed straight through (the trace's hot path)."""
    return v if type(v) in _SIMPLE else to_json(v)


def _positions(policy: Policy, which: str) -> tuple:
    """Positions in policy.order (where the generated function's values are) of the public results
    (`which` "results") or of those in yen ("yen"), kept on the policy. Every public result is a
    rule (the loader refuses any other)."""
    key = "_positions_" + which
    at = policy.__dict__.get(key)
    if at is None:
        index = {n: i for i, n in enumerate(policy.order)}
        at = policy.__dict__[key] = tuple(index[n] for n in (policy.results if which == "results" else _yen(policy)))
    return at


def not_applicable(policy: Policy, env: dict) -> list[str]:
    """Public results whose `applies_if` rule is false in `env`, in result order: their values are
    kept and shown as not applicable (evaluate's JSON, batch rows)."""
    return [n for n, cond in _json_plan(policy)[2] if env.get(cond) is False]


def _json_plan(policy: Policy) -> tuple:
    """(public results, the other rules in policy order, (result, its applies_if rule) for each result
    that has one), kept on the policy."""
    plan = policy.__dict__.get("_json_plan")
    if plan is None:
        results = tuple(policy.results)
        rules = policy.rules
        conds = tuple((n, rules[n].spec["applies_if"]) for n in results
                      if n in rules and rules[n].spec.get("applies_if") is not None)
        plan = policy.__dict__["_json_plan"] = (results, tuple(n for n in rules if n not in results), conds)
    return plan


def _trace_plan(policy: Policy) -> dict:
    """Per rule: the trace entry's fixed fields in output order, and the names it reads (cached)."""
    plan = policy.__dict__.get("_trace_plan")
    if plan is None:
        plan = {}
        for name, rule in policy.rules.items():
            t = {"rule": name, "value": None, "public": name in policy.results, "label": rule.spec.get("label"),
                 "cite": _cites(rule.spec.get("cite")), "expr": rule.text, "reads": None,
                 "source": {"file": rule.location.file, "line": rule.location.line}}
            if rule.spec.get("unit"):
                t["unit"] = rule.spec["unit"]
            if rule.spec.get("notes"):
                t["notes"] = rule.spec["notes"]
            plan[name] = (t, tuple(rule.reads))
        policy.__dict__["_trace_plan"] = plan
    return plan


TRACES_BEFORE_CODE = 16  # traces of one policy written entry by entry before its trace function is built


def _trace_function(policy: Policy):
    """The policy's generated trace function (engine.evaluation.trace_code), or None while it is not
    worth building: unless the policy cache kept one, the first TRACES_BEFORE_CODE traces of a
    policy are written entry by entry (trace_entry, the definition), as building the function costs
    about as much as a hundred of them."""
    d = policy.__dict__
    fn = d.get("_trace_fn")
    if fn is not None or d.get("_trace_fn_failed"):
        return fn
    saved = d.pop("_trace_portable", None)  # kept by the policy cache (_build_trace_function)
    if saved is not None:
        try:
            fn = d["_trace_fn"] = trace_code.from_portable(policy, saved)
            return fn
        except Exception:  # noqa: BLE001 - a cache is never the reason a trace fails: build it again
            pass
    count = d["_traces"] = d.get("_traces", 0) + 1
    if count <= TRACES_BEFORE_CODE:
        return None
    return _build_trace_function(policy)


def _build_trace_function(policy: Policy):
    """Build the trace function, and add it to the policy's cache entry: the next process that
    reads the policy from the cache traces with it from its first trace."""
    d = policy.__dict__
    try:
        fn = d["_trace_fn"] = trace_code.trace_function(policy, _trace_plan(policy), _json_plan(policy))
    except (RecursionError, MemoryError, SyntaxError, ValueError):  # too deep for compile(), or no expression
        d["_trace_fn_failed"] = True
        return None
    if "_cache_entry" in d:
        try:
            cache.keep(policy, "_trace_portable", trace_code.portable(fn))
        except Exception:  # noqa: BLE001 - a cache is never the reason a trace fails
            pass
    return fn


def _cites(c):
    if c is None:
        return []
    return c if isinstance(c, list) else [c]


PATHS = ("generated", "closures")  # ways to run a policy's rules; every test runs both


def run_rules(policy: Policy, facts: dict, *, path: str = "generated") -> dict:
    """Evaluate every rule over the facts; the environment of all values (fast path).

    `path` picks the generated function (engine.lang.codegen, the default) or the compiled
    closures (engine.lang.compile); the tests check both against the reference interpreter.
    """
    gen = policy.__dict__.get("_generated", _UNSET) if path == "generated" else None
    if gen is _UNSET:
        gen = _generated(policy)
    if gen is None:
        env = _run_closures(policy, facts)
        _settle(policy, env)
        _whole_yen(policy, env)
        return env
    try:
        values = gen.fn(facts)
    except EvalError as e:
        raise _located(policy, gen, facts, e) from None
    return _environment(policy, gen, facts, values)


def public_results(policy: Policy, facts: dict) -> dict:
    """The public results alone, {result: value}: what run_rules gives for them, without building
    the environment of every value when nothing else is read. The generated function returns them
    itself when every fact its rules read is given and no rule is unknown (nothing to settle);
    otherwise they come from run_rules's environment. The tests compare the two."""
    gen = policy.__dict__.get("_generated", _UNSET)
    if gen is _UNSET:
        gen = _generated(policy)
    if gen is not None:
        try:
            values = gen.fn(facts, True)
        except EvalError as e:
            raise _located(policy, gen, facts, e) from None
        if type(values) is dict:
            return values
        env = _environment(policy, gen, facts, values)
    else:
        env = run_rules(policy, facts)
    return {n: env[n] for n in policy.results}


def _environment(policy: Policy, gen, facts: dict, values: tuple) -> dict:
    """The environment of every value from the generated function's rule values: the facts, the
    parameters, the rules (unknown ones settled), every result in yen checked to be whole yen."""
    env = gen.template.copy()
    env.update(facts)
    env.update(zip(gen.names, values))
    if None in values:  # only an unknown rule can be settled (engine.lang.bounds.settle_all)
        _settle(policy, env)
    _whole_yen(policy, env)
    return env


def _located(policy: Policy, gen, facts: dict, e: EvalError) -> YokoError:
    """The generated function's failure, located at the rule (and part) it came from."""
    env = gen.template.copy()
    env.update(facts)
    name = gen.failed_rule(e) or policy.order[0]
    return YokoError([_runtime(policy, name, e, env)])


_UNSET = object()


def _settle_plan(policy: Policy):
    """(rules in order with what they read, their nodes, the fact declarations), kept on the policy."""
    plan = policy.__dict__.get("_settle_plan")
    if plan is None:
        rules = policy.rules
        plan = policy.__dict__["_settle_plan"] = (
            [(n, frozenset(rules[n].reads)) for n in policy.order], {n: rules[n].node for n in policy.order},
            {n: f.spec for n, f in policy.facts.items()})
    return plan


def _settle(policy: Policy, env: dict) -> None:
    """Decided means known (engine.lang.bounds): an unknown rule whose value every completion of the
    absent facts agrees on takes that value; the rules reading it are computed again."""
    order, nodes, specs = _settle_plan(policy)
    steps = policy.__dict__.get("_steps")
    if steps is None:
        steps = policy.__dict__["_steps"] = dict(runner(policy).steps)
    name = None

    def recompute(n):
        nonlocal name
        name = n
        return steps[n](env)
    try:
        settle_all(order, nodes, env, specs, recompute)
    except EvalError as e:
        raise YokoError([_runtime(policy, name, e, env)]) from None


def _generated(policy: Policy):
    """The policy's generated function; None when it cannot be built (the closures then run)."""
    try:
        return generated(policy)
    except (RecursionError, MemoryError, SyntaxError, ValueError):  # a policy too deep for compile()
        policy.__dict__["_generated"] = None
        return None


def _run_closures(policy: Policy, facts: dict) -> dict:
    run = runner(policy)
    env = run.template.copy()
    env.update(facts)
    rules = policy.rules
    name = None
    try:
        for name, fn in run.steps:
            env[name] = fn(env)
    except EvalError as e:
        raise YokoError([_runtime(policy, name, e, env)]) from None
    except RecursionError:
        raise YokoError([diag("expr_too_deep", rules[name].location, key="diag.expr_too_deep.rule", rule=name)]) from None
    return env


def _whole_yen(policy: Policy, env: dict) -> None:
    """A result in yen must be whole yen (the policy rounds it)."""
    rules = policy.rules
    for n in _yen(policy):
        v = env[n]
        if type(v) is Fraction and v.denominator != 1:
            raise YokoError([diag("non_integral_money", rules[n].location, key="diag.non_integral_money.value",
                                  result=n, value=v)])


def _yen(policy: Policy) -> list[str]:
    """The public results in yen (kept on the policy)."""
    yen = policy.__dict__.get("_yen")
    if yen is None:
        yen = policy.__dict__["_yen"] = [n for n in policy.results if policy.rules[n].spec.get("unit") == "yen"]
    return yen


def _runtime(policy, name, e: EvalError, env: dict | None = None) -> Diagnostic:
    """Where a rule failed, and (so the bad input can be found) the facts it read, with their values."""
    rule = policy.rules[name]
    loc = rule.locate(e.node.start) if e.node is not None else None
    facts = [f"{n} = {to_json(env[n])}" for n in policy.facts_behind(name) if env.get(n) is not None] \
        if env is not None else []
    if facts:
        read = ", ".join(facts[:6]) + (", ..." if len(facts) > 6 else "")
        return diag(e.code, loc or rule.location, key="diag.runtime.read", problem=e.words, rule=name, read=read)
    return diag(e.code, loc or rule.location, key="diag.runtime", problem=e.words, rule=name)


def evaluate(policy: Policy, facts: dict) -> Evaluation:
    """Evaluate already-checked facts (see engine.facts.check_facts)."""
    gen = policy.__dict__.get("_generated", _UNSET)
    if gen is _UNSET:
        gen = _generated(policy)
    if gen is None:
        return Evaluation(policy, facts, run_rules(policy, facts))
    try:
        values = gen.fn(facts)
    except EvalError as e:
        raise _located(policy, gen, facts, e) from None
    if None in values or not _whole(policy, values):  # something to settle or to refuse: the environment now
        return Evaluation(policy, facts, _environment(policy, gen, facts, values))
    return Evaluation(policy, facts, values=values)


def _whole(policy: Policy, values: tuple) -> bool:
    """No result in yen is a Fraction (else _whole_yen, through the environment, says which)."""
    for i in _positions(policy, "yen"):
        if type(values[i]) is Fraction:
            return False
    return True


def reference_values(policy: Policy, facts: dict) -> dict:
    """Every rule's value by the reference interpreter (slow; for cross-checking the closures)."""
    env = policy.param_env()
    env.update(facts)
    sets: dict = {}
    specs = {n: f.spec for n, f in policy.facts.items()}
    for name in policy.order:
        node = policy.rules[name].node
        env[name] = interpret(node, env)
        if env[name] is None and node is not None:  # decided means known (engine.lang.bounds)
            env[name] = settle(node, env, sets, name, specs)
    return {n: env[n] for n in policy.order}
