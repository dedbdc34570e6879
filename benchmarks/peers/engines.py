"""Engine adapters.  Each adapter's setup() compiles the rule set once and returns
run(batch) -> list of (eligible: bool, amount: int), one per record.

`batch` is a list of dicts, or of raw JSON lines (str) for adapters whose
INPUT is "json".  Imports happen inside setup() so that a process benchmarking
one engine never loads the others.
"""
import importlib.metadata as md
import json

import rules

ENGINES = {}


def engine(name, package, module=None, input="dict", note=""):
    def deco(fn):
        ENGINES[name] = dict(name=name, package=package, module=module, input=input, note=note, setup=fn)
        return fn
    return deco


def version(package):
    if package is None:
        import platform
        return "CPython " + platform.python_version()
    try:
        return md.version(package)
    except md.PackageNotFoundError:
        return "?"


def _int_exact(x):
    """Engine number -> int, refusing any silent truncation (Decimal/float engines)."""
    i = int(x)
    if i != x:
        raise ValueError(f"amount {x!r} is not an integer")
    return i


# ---------------------------------------------------------------- (a) Python
@engine("python", None, note="hand-written function, one call per record")
def setup_python():
    f = rules.evaluate_py
    return lambda batch: [f(r) for r in batch]


# ---------------------------------------------------------------- (a') yoko (this project)
_SUBSET = __import__("os").path.join(__import__("os").path.dirname(__file__), "subset.yaml")


def _yoko_policy():
    import engine
    return engine.load_file(_SUBSET)  # checked, compiled; cached between processes


@engine("yoko", "yoko", module="engine",
        note="subset.yaml (the same rules as a yoko policy); its generated function per record "
             "(facts trusted like every other engine here); every rule's value is computed and kept")
def setup_yoko():
    from engine.lang.codegen import generated
    gen = generated(_yoko_policy())
    fn, e, a = gen.fn, gen.names.index("eligible"), gen.names.index("amount")

    def run(batch):
        out = []
        for r in batch:
            values = fn(r)
            out.append((values[e], values[a]))
        return out
    return run


@engine("yoko-closures", "yoko", module="engine",
        note="subset.yaml through the compiled closures (engine.lang.compile.runner), the path before "
             "the generated function; facts trusted; every rule's value is computed and kept")
def setup_yoko_closures():
    from engine.lang.compile import runner
    run_one = runner(_yoko_policy())

    def run(batch):
        out = []
        for r in batch:
            env = run_one(r)
            out.append((env["eligible"], env["amount"]))
        return out
    return run


@engine("yoko-checked", "yoko", module="engine",
        note="the documented API: engine.evaluate(policy, record) per record -- checks every fact "
             "against its declaration, then evaluates; .results")
def setup_yoko_checked():
    import engine as yoko
    policy = _yoko_policy()
    ev = yoko.evaluate

    def run(batch):
        out = []
        for r in batch:
            res = ev(policy, r).results
            out.append((res["eligible"], res["amount"]))
        return out
    return run


# ---------------------------------------------------------------- (b) ZEN
def _zen_graph():
    defs, _ = rules.zen_dialect()
    defs = rules.prefix_derived(defs, "$.")
    nodes = [{"id": "in", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}},
             {"id": "rules", "type": "expressionNode", "name": "subsidy", "position": {"x": 300, "y": 0},
              "content": {"expressions": [{"id": f"e{i}", "key": k, "value": v}
                                          for i, (k, v) in enumerate(defs)]}},
             {"id": "out", "type": "outputNode", "name": "response", "position": {"x": 900, "y": 0}}]
    edges = [{"id": "a", "type": "edge", "sourceId": "in", "targetId": "rules"}]
    edges += [{"id": "b", "type": "edge", "sourceId": "rules", "targetId": "out"}]
    return {"nodes": nodes, "edges": edges}


def _zen_content():
    """The graph as a precompiled ZenDecisionContent (expressions compiled once)."""
    import zen
    return zen.ZenDecisionContent(json.dumps(_zen_graph()))


def _zen_run(evaluate):
    def run(batch):
        out = []
        for r in batch:
            res = evaluate("subsidy", r)["result"]
            out.append((res["eligible"], res["amount"]))
        return out
    return run


@engine("zen", "zen-engine", module="zen",
        note="JDM graph (input -> expression node with 12 keys, $.x refs -> output); "
             "ZenEngine(loader=lambda k: precompiled ZenDecisionContent).evaluate(key, dict) per record")
def setup_zen():
    import zen
    content = _zen_content()
    eng = zen.ZenEngine({"loader": lambda key: content})
    return _zen_run(eng.evaluate)


@engine("zen-json", "zen-engine", module="zen", input="json",
        note="as zen, but the record is passed as its raw JSON line (str), parsed by the engine")
def setup_zen_json():
    return setup_zen()


@engine("zen-decision", "zen-engine", module="zen",
        note="documented path: ZenEngine().create_decision(jdm).evaluate(dict); "
             "the binding builds a new tokio Runtime on every call")
def setup_zen_decision():
    import zen
    decision = zen.ZenEngine().create_decision(_zen_content())
    decision.validate()

    def run(batch):
        out = []
        for r in batch:
            res = decision.evaluate(r)["result"]
            out.append((res["eligible"], res["amount"]))
        return out
    return run


@engine("zen-batch", "zen-engine", module="zen",
        note="ZenEngine(static loader).evaluate_batch([{key, context}] * N): one call per batch, "
             "spread over the binding's worker threads")
def setup_zen_batch():
    import zen
    eng = zen.ZenEngine({"loader": {"type": "static", "content": {"subsidy": _zen_graph()}}})

    def run(batch):
        res = eng.evaluate_batch([{"key": "subsidy", "context": r} for r in batch])
        out = []
        for item in res:
            if not item.get("success"):
                raise RuntimeError(item.get("error"))
            d = item["data"]["result"]
            out.append((d["eligible"], d["amount"]))
        return out
    return run


@engine("zen-expr", "zen-engine", module="zen",
        note="zen.compile_expression of the inlined rule set -> [eligible, amount]; numbers come back as float")
def setup_zen_expr():
    import zen
    defs, root = rules.zen_dialect()
    ex = zen.compile_expression(rules.inline(defs, root)).evaluate

    def run(batch):
        out = []
        for r in batch:
            e, a = ex(r)
            out.append((e, _int_exact(a)))
        return out
    return run


# ---------------------------------------------------------------- (c) rule-engine
def _re_ctx():
    import rule_engine
    # plain dict records; the default resolver reads items
    return rule_engine, rule_engine.Context(resolver=rule_engine.resolve_item)


@engine("rule-engine", "rule-engine", module="rule_engine",
        note="one Rule per derived value (12), evaluated in order into a dict copy of the record")
def setup_rule_engine():
    rule_engine, ctx = _re_ctx()
    compiled = [(n, rule_engine.Rule(e, context=ctx).evaluate) for n, e in rules.rule_engine_dialect()[0]]

    def run(batch):
        out = []
        for r in batch:
            d = dict(r)
            for n, ev in compiled:
                d[n] = ev(d)
            out.append((d["eligible"], _int_exact(d["amount"])))
        return out
    return run


@engine("rule-engine-inline", "rule-engine", module="rule_engine",
        note="one Rule: the inlined rule set returning [eligible, amount]")
def setup_rule_engine_inline():
    rule_engine, ctx = _re_ctx()
    defs, root = rules.rule_engine_dialect()
    ev = rule_engine.Rule(rules.inline(defs, root), context=ctx).evaluate

    def run(batch):
        out = []
        for r in batch:
            e, a = ev(r)
            out.append((e, _int_exact(a)))
        return out
    return run


# ---------------------------------------------------------------- (d) CEL (Rust bindings)
@engine("cel", "common-expression-language", module="cel",
        note="one compiled cel.Program per derived value (13), execute(dict) in order")
def setup_cel():
    import cel
    compiled = [(n, cel.compile(e).execute) for n, e in rules.cel_dialect()[0]]

    def run(batch):
        out = []
        for r in batch:
            d = dict(r)
            for n, ex in compiled:
                d[n] = ex(d)
            out.append((d["eligible"], d["amount"]))
        return out
    return run


@engine("cel-inline", "common-expression-language", module="cel",
        note="one compiled cel.Program: inlined rule set -> [eligible, amount]; execute(dict) per record")
def setup_cel_inline():
    import cel
    defs, root = rules.cel_dialect()
    ex = cel.compile(rules.inline(defs, root)).execute

    def run(batch):
        out = []
        for r in batch:
            e, a = ex(r)
            out.append((e, a))
        return out
    return run


# ---------------------------------------------------------------- (d') cel-python (pure Python)
def _celpy_program(compiled_runner):
    import celpy
    defs, root = rules.cel_dialect()
    env = celpy.Environment(runner_class=celpy.CompiledRunner if compiled_runner else None)
    return celpy, env.program(env.compile(rules.inline(defs, root)))


def _celpy_run(celpy, prog):
    to_cel = celpy.json_to_cel
    ev = prog.evaluate

    def run(batch):
        out = []
        for r in batch:
            e, a = ev({k: to_cel(v) for k, v in r.items()})
            out.append((bool(e), int(a)))
        return out
    return run


@engine("cel-python", "cel-python", module="celpy",
        note="celpy InterpretedRunner, inlined rule set; each field wrapped with json_to_cel per record")
def setup_celpy():
    return _celpy_run(*_celpy_program(False))


@engine("cel-python-compiled", "cel-python", module="celpy",
        note="celpy CompiledRunner (transpiles CEL to Python), inlined rule set")
def setup_celpy_compiled():
    return _celpy_run(*_celpy_program(True))


# ---------------------------------------------------------------- (e) simpleeval
@engine("simpleeval", "simpleeval", module="simpleeval",
        note="SimpleEval with pre-parsed ASTs (previously_parsed=), 12 evals per record into a dict")
def setup_simpleeval():
    import simpleeval
    s = simpleeval.SimpleEval(functions={"min": min, "max": max})
    staged = [(n, e, s.parse(e)) for n, e in rules.python_dialect()[0]]
    ev = s.eval

    def run(batch):
        out = []
        for r in batch:
            d = dict(r)
            s.names = d
            for n, e, node in staged:
                d[n] = ev(e, node)
            out.append((d["eligible"], d["amount"]))
        return out
    return run


@engine("simpleeval-inline", "simpleeval", module="simpleeval",
        note="EvalWithCompoundTypes, one pre-parsed inlined expression -> (eligible, amount)")
def setup_simpleeval_inline():
    import simpleeval
    s = simpleeval.EvalWithCompoundTypes(functions={"min": min, "max": max})
    defs, root = rules.python_dialect()
    src = rules.inline(defs, root)
    node = s.parse(src)
    ev = s.eval

    def run(batch):
        out = []
        for r in batch:
            s.names = r
            out.append(ev(src, node))
        return out
    return run


@engine("simpleeval-reparse", "simpleeval", module="simpleeval",
        note="naive use: s.eval(text) re-parses every expression on every call (12 per record)")
def setup_simpleeval_reparse():
    import simpleeval
    s = simpleeval.SimpleEval(functions={"min": min, "max": max})
    staged = rules.python_dialect()[0]
    ev = s.eval

    def run(batch):
        out = []
        for r in batch:
            d = dict(r)
            s.names = d
            for n, e in staged:
                d[n] = ev(e)
            out.append((d["eligible"], d["amount"]))
        return out
    return run
