# SPDX-License-Identifier: MIT
"""Fuzzing with hypothesis: only our own diagnostics may escape, and both evaluators agree.

Bounded for CI (YOKO_FUZZ_EXAMPLES, default 200 per test); what is fuzzed: docs/errors.md
("Fuzzing"); a 10-minute run by hand (tests/fuzz_for.py) and its record: docs/robustness.md.
"""
from __future__ import annotations

import datetime
import json
import os
import time
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.lang import types as T
from engine.lang.builtins import EvalError
from engine.lang.checks import ExprChecker
from engine.lang.codegen import expression_function
from engine.lang.compile import compile_expr
from engine.base.diagnostics import Sink, YokoError
from engine.lang.interpret import interpret
from engine.lang.parser import ExprSyntaxError, parse

EXAMPLES = int(os.environ.get("YOKO_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("YOKO_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# --------------------------------------------------------------------------- random text to the parser

TOKENS = ["if", "then", "else", "and", "or", "not", "in", "is", "known", "unknown", "true", "false", "for",
          "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*", "/", "<", "<=", "==", "!=", ">=", ">",
          "=", "x", "sum", "min", "1", "0.5", "2022-04-01", "2022-02-30", '"a"', "'b'", '"', "#", "\n", " ",
          "9" * 40, "0." + "1" * 40, "_", "1_000", "\\", "１", "ア"]


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)))
def test_random_text_to_the_parser_gives_a_tree_or_an_expr_syntax_error(text):
    try:
        parse(text)
    except ExprSyntaxError as e:
        assert e.code in ("expr_syntax", "expr_too_long", "expr_too_deep", "loops_too_deep", "list_too_long",
                          "number_too_large")
        assert 0 <= e.offset <= len(text)


# --------------------------------------------------------------------------- random well-typed expressions

NAMES = {"n1": T.INT, "n2": T.INT, "q": T.NUMBER, "b1": T.BOOL, "b2": T.BOOL, "d": T.DATE,
         "xs": T.list_of(T.INT)}
BY_TYPE = {"int": ["n1", "n2"], "number": ["q"], "bool": ["b1", "b2"], "date": ["d"], "list": ["xs"]}


def _leaf(t: str):
    lits = {
        "int": st.integers(-10 ** 6, 10 ** 6).map(str),
        "number": st.sampled_from(["0.5", "1.25", "2.0", "0.001", "3"]),
        "bool": st.sampled_from(["true", "false"]),
        "date": st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)).map(datetime.date.isoformat),
        "list": st.lists(st.integers(-100, 100), max_size=5).map(lambda xs: "[" + ", ".join(map(str, xs)) + "]"),
    }[t]
    return st.one_of(lits, st.sampled_from(BY_TYPE[t]))


def _num(draw, depth):
    return draw(expr(draw(st.sampled_from(["int", "number"])), depth))


@st.composite
def expr(draw, t: str, depth: int = 3):
    """Expression text of type t (int, number, bool, date, list of int), parenthesised throughout."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(_leaf(t))
    e = lambda tt: draw(expr(tt, depth - 1))  # noqa: E731
    if t == "int":
        form = draw(st.integers(0, 12))
        return [
            lambda: f"({e('int')} {draw(st.sampled_from('+-*'))} {e('int')})",
            lambda: f"(-{e('int')})",
            lambda: f"abs({e('int')})",
            lambda: f"{draw(st.sampled_from(['floor', 'ceil']))}({_num(draw, depth - 1)})",
            lambda: f"round_down({_num(draw, depth - 1)}, {draw(st.sampled_from(['1', '1000', '0']))})",
            lambda: f"{draw(st.sampled_from(['min', 'max']))}({e('int')}, {e('int')})",
            lambda: f"(if {e('bool')} then {e('int')} else {e('int')})",
            lambda: f"count({e('list')})",
            lambda: f"sum({e('list')})",
            lambda: f"sum(x * {e('int')} for x in {e('list')} if x > {e('int')})",
            lambda: f"days_between({e('date')}, {e('date')})",
            lambda: f"fiscal_year({e('date')})",
            lambda: f"{draw(st.sampled_from(['min', 'max']))}({e('list')})",
        ][form]()
    if t == "number":
        form = draw(st.integers(0, 2))
        return [
            lambda: f"({_num(draw, depth - 1)} / {_num(draw, depth - 1)})",
            lambda: f"({e('number')} {draw(st.sampled_from('+-*'))} {_num(draw, depth - 1)})",
            lambda: f"(if {e('bool')} then {e('number')} else {_num(draw, depth - 1)})",
        ][form]()
    if t == "bool":
        form = draw(st.integers(0, 8))
        return [
            lambda: f"({_num(draw, depth - 1)} {draw(st.sampled_from(['<', '<=', '==', '!=', '>=', '>']))} "
                    f"{_num(draw, depth - 1)})",
            lambda: f"({e('date')} < {e('date')})",
            lambda: f"(not {e('bool')})",
            lambda: f"({e('bool')} {draw(st.sampled_from(['and', 'or']))} {e('bool')})",
            lambda: f"({e('int')} {draw(st.sampled_from(['in', 'not in']))} {e('list')})",
            lambda: f"({draw(expr(draw(st.sampled_from(list(BY_TYPE))), depth - 1))} is "
                    f"{draw(st.sampled_from(['known', 'unknown']))})",
            lambda: f"({e('bool')} is {draw(st.sampled_from(['true', 'false']))})",
            lambda: f"{draw(st.sampled_from(['any', 'all']))}(x > {e('int')} for x in {e('list')})",
            lambda: f"(0 <= {e('int')} < {e('int')})",
        ][form]()
    if t == "date":
        form = draw(st.integers(0, 3))
        return [
            lambda: f"add_days({e('date')}, {draw(st.integers(-400, 400))})",
            lambda: f"{draw(st.sampled_from(['add_months', 'add_years']))}({e('date')}, {draw(st.integers(-30, 30))})",
            lambda: f"{draw(st.sampled_from(['fiscal_year_start', 'fiscal_year_end']))}({e('date')})",
            lambda: f"date({draw(st.integers(1999, 2041))}, {draw(st.integers(0, 13))}, {draw(st.integers(0, 32))})",
        ][form]()
    form = draw(st.integers(0, 1))  # list of int
    return [
        lambda: f"[x + {e('int')} for x in {e('list')}]",
        lambda: f"[x for x in {e('list')} if {e('bool')}]",
    ][form]()


FACT_VALUES = {
    "n1": st.integers(-10 ** 9, 10 ** 9), "n2": st.integers(-5, 5),
    "q": st.fractions(max_denominator=1000).filter(lambda f: abs(f) < 10 ** 6),
    "b1": st.booleans(), "b2": st.booleans(),
    "d": st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
    "xs": st.lists(st.integers(-1000, 1000), max_size=6),
}
facts = st.fixed_dictionaries({}, optional={k: v for k, v in FACT_VALUES.items()})  # absent = unknown


def _parse_within_limits(text: str):
    """The tree of a generated expression; examples beyond the loop-nesting limit are skipped."""
    try:
        return parse(text)
    except ExprSyntaxError as e:
        assume(e.code != "loops_too_deep")
        raise


def _outcome(fn):
    """('ok', value) or ('error', code): what an evaluation gave."""
    try:
        return "ok", fn()
    except EvalError as e:
        return "error", e.code


@FUZZ
@given(st.sampled_from(["int", "number", "bool", "date", "list"]).flatmap(lambda t: expr(t)), facts)
def test_well_typed_expressions_check_cleanly_and_both_evaluators_agree(text, env):
    node = _parse_within_limits(text)
    sink = Sink()
    ExprChecker(NAMES, sink, lambda offset: None).infer(node)
    assert not sink.errors, (text, [d.message for d in sink.errors])
    full = {**dict.fromkeys(NAMES), **env}  # every name present, None = unknown (as run_rules builds it)
    compiled = _outcome(lambda: compile_expr(node)(dict(full)))
    reference = _outcome(lambda: interpret(node, dict(full)))
    assert compiled == reference, text
    generated = _outcome(lambda: expression_function(node)(dict(full)))
    assert repr(generated) == repr(reference), text  # exactly: 2 is not Fraction(2, 1)


# --------------------------------------------------------------------------- whole policies: run_rules vs reference

POLICY_HEAD = """id: fuzz
jurisdiction: {code: JP-08, name: {ja: 茨城県, en: Ibaraki}}
fiscal_year: 2022
title: {ja: テスト, en: Test}
enacted: 2022-10-07
applies_from: 2022-04-01
sources:
  g: {title: {ja: テスト, en: Test}, number: null, date: 2022-10-07, abbrev: {ja: 要項, en: G}}
facts:
  n1: {type: int, label: {ja: n1, en: n1}}
  n2: {type: int, label: {ja: n2, en: n2}}
  q: {type: number, label: {ja: q, en: q}}
  b1: {type: bool, label: {ja: b1, en: b1}}
  b2: {type: bool, label: {ja: b2, en: b2}}
  d: {type: date, label: {ja: d, en: d}}
  xs: {type: list, items: {type: int}, label: {ja: xs, en: xs}}
rules:
"""


def _policy_text(exprs: list[str]) -> str:
    rules = "".join(f"  r{i}:\n    expr: {json.dumps(e)}\n    label: {{ja: r{i}, en: r{i}}}\n"
                    f"    cite: {{source: g, article: 1}}\n" for i, e in enumerate(exprs))
    chained = " and ".join(f"(r{i} is known)" for i in range(len(exprs)))
    rules += f"  all_known:\n    expr: {json.dumps(chained)}\n    label: {{ja: a, en: a}}\n" \
             f"    cite: {{source: g, article: 1}}\n"
    return POLICY_HEAD + rules + "results: [all_known]\n"


def _json_facts(env: dict) -> dict:
    out = {}
    for k, v in env.items():
        if isinstance(v, datetime.date):
            out[k] = v.isoformat()
        elif hasattr(v, "denominator") and not isinstance(v, int):
            out[k] = float(v) if float(v) == v else None
        else:
            out[k] = v
    return {k: v for k, v in out.items() if v is not None}


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 1))  # a policy load per example: the slow one
@given(st.lists(st.sampled_from(["int", "number", "bool", "date", "list"]).flatmap(lambda t: expr(t, 2)),
                min_size=1, max_size=4), facts)
def test_compiled_policies_and_the_reference_interpreter_agree(tmp_path_factory, exprs, env):
    from engine.evaluation.evaluate import PATHS, reference_values, run_rules
    from engine.evaluation.facts import check_facts
    from engine.policy.load import load_policy
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"
    text = _policy_text(exprs)
    path.write_text(text, encoding="utf-8")
    policy = load_policy(str(path))
    checked = check_facts(_json_facts(env), policy)  # through the real facts checker, unknowns included
    ref = _outcome(lambda: reference_values(policy, checked))
    for path in PATHS:
        try:
            fast = run_rules(policy, checked, path=path)
            fast = ("ok", {n: fast[n] for n in policy.order})
        except YokoError as e:
            fast = ("error", e.diagnostics[0].code)
        assert repr(fast) == repr(ref), (path, exprs)


# --------------------------------------------------------------------------- random YAML-ish documents to the loaders

KEYS = ["id", "fiscal_year", "jurisdiction", "title", "sources", "facts", "parameters", "rules", "results",
        "expr", "type", "value", "values", "items", "fields", "cite", "label", "unit", "min", "max", "enacted",
        "applies_from", "extends", "override", "drop", "n1", "x", "ja", "en"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 40, 10 ** 40),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["int", "bool", "enum", "list", "record", "n1 + 1", "if", "2022-02-30",
                                     "2022-04-01", "JP-08", "{", "]", "&a", "*a", "!!python/object:os.system"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=6)),
    max_leaves=25)
MUTATIONS = ["", "\t", ": :", "- ", "&a ", "*a", "!!binary ", "!!python/object/apply:os.system ", "!local ", "{", "[",
             "\ufeff", "\x00", "'", '"', "---\n", "...\n", "%YAML 1.1\n", "<<: *a\n"]


@st.composite
def yamlish(draw):
    """A document as YAML-ish text: JSON of a random tree, or block YAML, with random splices."""
    doc = draw(documents)
    text = json.dumps(doc, ensure_ascii=False, default=str) if draw(st.booleans()) else _block(doc)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at:]
    return text


def _block(v, indent=0) -> str:
    pad = " " * indent
    if isinstance(v, dict):
        return "".join(f"{pad}{json.dumps(str(k), ensure_ascii=False)}:\n{_block(x, indent + 2)}" for k, x in v.items()) \
            or f"{pad}{{}}\n"
    if isinstance(v, list):
        return "".join(f"{pad}-\n{_block(x, indent + 2)}" for x in v) or f"{pad}[]\n"
    return f"{pad}{json.dumps(v, ensure_ascii=False)}\n"


@FUZZ
@given(yamlish())
def test_random_documents_to_the_policy_loader_give_a_policy_or_diagnostics(tmp_path_factory, text):
    from engine.policy.load import load_policy
    path = tmp_path_factory.mktemp("doc") / "p.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_policy(str(path))
    except YokoError as e:
        assert e.diagnostics and all(d.code and d.location for d in e.diagnostics)


@FUZZ
@given(yamlish())
def test_random_documents_to_the_facts_loader_give_facts_or_diagnostics(tmp_path_factory, text):
    import engine
    from engine.evaluation.facts import load_facts_file
    policy = engine.load_file("tests/hostile/policy.yaml")  # cached: one load for every example
    path = tmp_path_factory.mktemp("doc") / "f.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_facts_file(str(path), policy)
    except YokoError as e:
        assert e.diagnostics and all(d.code and d.location for d in e.diagnostics)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(FACT_VALUES) + ["name", "other"]),
                       st.one_of(scalars, st.lists(scalars, max_size=3),
                                 st.dictionaries(st.text(max_size=4), scalars, max_size=3)), max_size=6))
def test_random_python_facts_to_the_api_give_an_evaluation_or_diagnostics(env):
    import engine
    policy = engine.load_file("tests/hostile/policy.yaml")
    try:
        engine.evaluate(policy, env)
    except YokoError as e:
        assert e.diagnostics and all(d.code for d in e.diagnostics)




# --------------------------------------------------------------------------- long chains and wide lists, on a budget

# Grammar-aware shapes that once took exponential time (issue 12: `cost + cost + ...` compiled its
# left side twice per level): each example must load, evaluate and explain within BUDGET seconds
# of CPU time, on any machine, as long as the shape is accepted at all. A real regression takes
# seconds at 20 terms and hours at 40; the budget is far above what a linear stage needs.
BUDGET = float(os.environ.get("YOKO_FUZZ_BUDGET", "5"))
CHAIN_OPS = {"int": ["+", "-", "*"], "bool": ["and", "or"]}


@st.composite
def long_chain(draw):
    """`a op b op c ...` of up to 60 operands (the depth limit is 64), of int or bool operands."""
    t = draw(st.sampled_from(["int", "bool"]))
    n = draw(st.integers(2, 60))
    operands = draw(st.lists(st.sampled_from(BY_TYPE[t] + (["1", "0"] if t == "int" else ["true"])),
                             min_size=n, max_size=n))
    ops = draw(st.lists(st.sampled_from(CHAIN_OPS[t]), min_size=n - 1, max_size=n - 1))
    text = operands[0]
    for op, x in zip(ops, operands[1:]):
        text += f" {op} {x}"
    if t == "int" and draw(st.booleans()):
        text = f"if b1 then {text} else min({text}, n2)"
    return text


@st.composite
def wide_list(draw):
    """A list literal, a sum over it or a membership test, of up to 1,000 items (the list limit)."""
    n = draw(st.integers(0, 1000))
    items = ", ".join(draw(st.sampled_from(["n1", "n2", "1", "-3"])) for _ in range(min(n, 8)))
    items = ", ".join([items] * (n // 8) if items else []) if n >= 8 else items
    form = draw(st.integers(0, 2))
    if form == 0:
        return f"sum(x * 2 for x in [{items}] if x > n2)" if items else "0"
    if form == 1:
        return f"n1 in [{items}]" if items else "false"
    return f"count([{items}]) + sum(xs)"


def _within_budget(fn):
    start = time.process_time()
    result = fn()
    spent = time.process_time() - start
    assert spent < BUDGET, f"{spent:.1f} s of CPU for one example (budget {BUDGET} s)"
    return result


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 1))
@given(st.lists(st.one_of(long_chain(), wide_list()), min_size=1, max_size=3), facts)
def test_long_chains_and_wide_lists_load_evaluate_and_explain_within_a_budget(exprs, env):
    from engine.evaluation.evaluate import evaluate, reference_values
    from engine.evaluation.facts import check_facts
    from engine.policy.load import load_policy
    text = _policy_text(exprs)
    try:
        policy = _within_budget(lambda: load_policy("fuzz.yaml", text))
    except YokoError as e:  # a shape past a limit is refused with its code, never slowly
        assert {d.code for d in e.diagnostics} <= {"expr_too_deep", "expr_too_long", "list_too_long",
                                                     "number_too_large", "type_mismatch"}, e
        return
    checked = check_facts(_json_facts(env), policy)
    try:
        ev = _within_budget(lambda: evaluate(policy, checked))
        _within_budget(lambda: ev.to_json())
    except YokoError as e:
        assert e.diagnostics[0].code in ("number_too_large", "division_by_zero"), e
        return
    ref = _outcome(lambda: reference_values(policy, checked))
    assert ref == ("ok", {n: ev.values[n] for n in policy.order}) or ref[0] == "error"


# --------------------------------------------------------------------------- decided means known: soundness

BOUNDED_HEAD = POLICY_HEAD.replace("n1: {type: int,", "n1: {type: int, min: -2, max: 2,").replace(
    "n2: {type: int,", "n2: {type: int, min: 0, max: 3,").replace("q: {type: number,", "q: {type: number, min: 0, max: 1,")
# every value of the bounded facts, and a few of the others: completions of the absent facts
COMPLETIONS = {"n1": [-2, -1, 0, 1, 2], "n2": [0, 1, 2, 3], "q": [0, 1, Fraction(1, 3), Fraction(1, 2)],
               "b1": [True, False], "b2": [True, False],
               "d": [datetime.date(2022, 3, 31), datetime.date(2022, 4, 1)], "xs": [[], [1, -2], [5]]}


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 1))
@given(st.sampled_from(["int", "number", "bool"]).flatmap(lambda t: expr(t, 3)),
       st.fixed_dictionaries({}, optional={"n1": st.integers(-2, 2), "n2": st.integers(0, 3),
                                           "b1": st.booleans(), "b2": st.booleans(),
                                           "d": st.just(datetime.date(2022, 4, 1)),
                                           "xs": st.lists(st.integers(-3, 3), max_size=3)}))
def test_a_result_decided_from_declared_bounds_is_the_value_of_every_completion(text, given_facts):
    """Soundness of engine.lang.bounds: a result reported known when facts are absent is the value
    every completion of those facts gives (over every value of the bounded facts)."""
    import itertools
    from engine.evaluation.evaluate import run_rules
    from engine.policy.load import load_policy
    assume(" is " not in text)  # `is known` is about what was given, not about the facility
    source = BOUNDED_HEAD + (f"  r:\n    expr: {json.dumps(text)}\n    label: {{ja: r, en: r}}\n"
                             f"    cite: {{source: g, article: 1}}\nresults: [r]\n")
    try:
        policy = load_policy("bounded.yaml", source)
    except YokoError:
        assume(False)
    absent = [k for k in COMPLETIONS if k not in given_facts][:3]
    try:
        known = run_rules(policy, dict(given_facts))["r"]
    except YokoError:
        return
    assume(known is not None)
    for values in itertools.product(*(COMPLETIONS[k] for k in absent)):
        full = {**given_facts, **dict(zip(absent, values))}
        try:
            got = run_rules(policy, full)["r"]
        except YokoError as e:
            raise AssertionError(f"{text}: known {known!r} given {given_facts}, but {full} fails: {e}") from None
        assert got == known and (type(got) is bool) == (type(known) is bool), (text, given_facts, full, got, known)
