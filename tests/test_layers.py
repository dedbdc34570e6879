# SPDX-License-Identifier: MIT
"""The engine's layers: a lower layer never imports a higher one, and no import cycle exists."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"

# lowest first; a module may import its own layer and any layer listed before it
LAYERS = ["base", "lang", "policy", "evaluation", "present", "review", "lsp", "web", "cli"]
TOP = len(LAYERS)  # engine/__init__.py, engine/__main__.py and anything not in a layer folder


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def _module_name(path: Path) -> str:
    rel = path.relative_to(ENGINE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The engine modules an import statement names, a relative one resolved against `package`."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "engine"]
    if node.level:
        base = package.split(".")
        mod = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
    else:
        mod = node.module or ""
    return [mod] if mod.split(".")[0] == "engine" else []


def _imports(path: Path) -> list[tuple[str, int]]:
    """The engine modules a file imports (top level and inside functions), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(mod, node.lineno) for mod in _targets(node, package)]
        elif isinstance(node, ast.ImportFrom):
            # `from engine.lang import ast` imports the submodule engine.lang.ast
            for mod in _targets(node, package):
                for a in node.names:
                    sub = f"{mod}.{a.name}"
                    found.append((sub if _is_module(sub) else mod, node.lineno))
    return found


def _is_module(name: str) -> bool:
    p = ENGINE.parent.joinpath(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


FILES = sorted(ENGINE.rglob("*.py"))
GRAPH = {_module_name(f): _imports(f) for f in FILES}


def layering_violations() -> list[str]:
    out = []
    for f in FILES:
        me = _module_name(f)
        for target, line in GRAPH[me]:
            if _layer(target) > _layer(me):
                out.append(f"{f.relative_to(ENGINE.parent)}:{line}: {me} ({LAYERS[_layer(me)] if _layer(me) < TOP else 'top'}) "
                           f"imports {target} ({LAYERS[_layer(target)] if _layer(target) < TOP else 'top'})")
    return out


def import_cycles() -> list[list[str]]:
    """Cycles among top-level (module-load-time) imports between engine modules."""
    edges = {}
    for f in FILES:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        top = {n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
        edges[_module_name(f)] = {t for t, line in GRAPH[_module_name(f)] if line in top and t in GRAPH and t != _module_name(f)}
    cycles, state = [], {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif not state.get(m):
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if not state.get(n):
            visit(n, [])
    return cycles


def test_every_engine_module_lives_in_a_layer_folder():
    loose = [f.name for f in ENGINE.glob("*.py") if f.name not in ("__init__.py", "__main__.py")]
    assert loose == []
    assert sorted(d.name for d in ENGINE.iterdir() if d.is_dir() and d.name != "__pycache__") == sorted(LAYERS)


def test_no_lower_layer_imports_a_higher_one():
    assert layering_violations() == []


def test_no_import_cycle_between_engine_modules():
    assert import_cycles() == []


def test_each_layer_says_what_it_holds_and_what_it_may_import():
    for name in LAYERS:
        doc = ast.get_docstring(ast.parse((ENGINE / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, name


@pytest.mark.parametrize("source, target", [("engine.lang.parser", "engine.cli.main"),
                                            ("engine.base.diagnostics", "engine.lang.ast")])
def test_the_layer_check_would_flag_an_upward_import(source, target):
    assert _layer(target) > _layer(source)


# --------------------------------------------------------------------------- imports at the top
# A package-internal import belongs at the top of its module, where a reader sees what the module
# depends on and tests/test_layers.py sees the cycle it would make. engine/cli/ is exempt: each
# command imports only what it uses, so `yoko list` does not pay for the evaluator (start-up time).
# Every other in-function import is listed here with the reason it stays where it is.
_CHEAP = "`import engine` (every command) stays cheap; the public API loads this on first use"
_PARSER = "engine.lang.parser loads lark"
LAZY_IMPORTS = {
    ("engine/__init__.py", "engine.evaluation.evaluate"): _CHEAP,
    ("engine/__init__.py", "engine.evaluation.facts"): _CHEAP,
    ("engine/__init__.py", "engine.policy.cache"): _CHEAP,
    ("engine/__init__.py", "engine.policy.registry"): _CHEAP,
    ("engine/evaluation/batch.py", "engine.lang.parser"): _PARSER + "; a batch without mapping expressions never parses",
    ("engine/policy/load.py", "engine.lang.parser"): _PARSER + "; a policy from the cache is never parsed",
    ("engine/review/prove.py", "engine.lang.parser"): _PARSER + "; only property checks parse",
    ("engine/policy/load.py", "engine.policy.todo"): "TODO markers are read only when a policy is loaded afresh",
    ("engine/present/memo.py", "engine.present.quotes"): "quoted clauses only for `evaluate --quote`",
    ("engine/web/api.py", "engine.web.pages"): "pages imports api (body_text) at the top: a cycle",
    ("engine/web/pages.py", "engine.web.app"): "app imports pages at the top: a cycle",
}


def in_function_imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, imported engine module) for each package-internal import inside a function body."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [(node.lineno, mod) for mod in _targets(node, package)]
    return sorted(set(found))  # a nested function's imports are walked from each enclosing one


def _lazy_imports(files, root: Path) -> list[tuple[str, int, str]]:
    """(file, line, module) of each in-function package-internal import outside engine/cli/."""
    out = []
    for f in files:
        rel = f.relative_to(root).as_posix()
        if rel.startswith("engine/cli/"):
            continue
        module = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        out += [(rel, line, mod) for line, mod in in_function_imports(f.read_text(encoding="utf-8"), module,
                                                                      f.name == "__init__.py")]
    return out


def unlisted_lazy_imports(files=FILES, root: Path = ENGINE.parent) -> list[str]:
    return [f"{rel}:{line}: imports {mod} inside a function; move it to the top or list it in LAZY_IMPORTS"
            for rel, line, mod in _lazy_imports(files, root) if (rel, mod) not in LAZY_IMPORTS]


def test_package_imports_sit_at_the_top_of_each_module_outside_the_cli():
    assert unlisted_lazy_imports() == []


def test_every_listed_lazy_import_still_exists_and_says_why():
    present = {(rel, mod) for rel, _, mod in _lazy_imports(FILES, ENGINE.parent)}
    assert sorted(set(LAZY_IMPORTS) - present) == []
    assert all(reason.strip() for reason in LAZY_IMPORTS.values())


def test_the_import_walker_finds_imports_inside_functions_and_only_those():
    source = (
        "from engine.base import words\n"
        "import json\n"
        "def f():\n"
        "    import yaml\n"
        "    from engine.lang.parser import parse\n"
        "    class C:\n"
        "        def g(self):\n"
        "            from .sibling import x\n"
        "            import engine.policy.load\n"
    )
    assert in_function_imports(source, "engine.review.planted") == [
        (5, "engine.lang.parser"), (8, "engine.review.sibling"), (9, "engine.policy.load")]


def test_a_planted_import_inside_a_function_is_reported_outside_the_cli_only(tmp_path):
    planted = []
    for rel in ("engine/review/planted.py", "engine/cli/planted.py"):
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("def f():\n    from engine.lang.compile import runner\n    return runner\n", encoding="utf-8")
        planted.append(f)
    assert unlisted_lazy_imports(planted, tmp_path) == [
        "engine/review/planted.py:2: imports engine.lang.compile inside a function; "
        "move it to the top or list it in LAZY_IMPORTS"]
