# SPDX-License-Identifier: MIT
"""yoko: a declarative rule engine for yearly subsidy guidelines (交付要項).

    import engine
    policy = engine.load("ibaraki", 2022)          # or engine.load_file("policies/ibaraki/2022.yaml")
    result = engine.evaluate(policy, {"emergency_tier": "secondary", "ambulance_transports": 1500})
    result.results["eligible"], result.unknown, result.needed_facts, result.trace()
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: `yoko` imports this package first
if TYPE_CHECKING:
    from collections.abc import Mapping

    from engine.base.diagnostics import Diagnostic, Location, YokoError
    from engine.evaluation.evaluate import Evaluation

_LAZY = {"Evaluation": "engine.evaluation.evaluate", "Diagnostic": "engine.base.diagnostics",
         "Location": "engine.base.diagnostics", "YokoError": "engine.base.diagnostics"}


def __getattr__(name: str):
    """`engine.Evaluation`, `engine.YokoError`, ... on first use: `yoko` imports this package before it
    knows whether its resident process runs the command (engine/cli/launch.py), so it imports nothing."""
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")

__all__ = ["load", "load_file", "evaluate", "Evaluation", "Diagnostic", "Location", "YokoError"]


def load_file(path: str):
    """Load, check and compile a policy file (raises YokoError with located diagnostics)."""
    from engine.policy.cache import load_policy_cached
    return load_policy_cached(str(path))


def load(policy_id: str, year):
    """Load the policy `policy_id` for a fiscal year (2022, "R4", "令和4")."""
    from engine.policy.registry import find
    return load_file(find(policy_id, year).path)


def evaluate(policy, facts: Mapping) -> "Evaluation":
    """Check a mapping of fact name to value against the policy and evaluate it."""
    from engine.evaluation.evaluate import evaluate as _evaluate
    from engine.evaluation.facts import check_facts
    return _evaluate(policy, check_facts(dict(facts), policy))
