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


def _imports(path: Path) -> list[tuple[str, int]]:
    """The engine modules a file imports (top level and inside functions), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "engine"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "engine":
                continue
            # `from engine.lang import ast` imports the submodule engine.lang.ast
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
