# SPDX-License-Identifier: MIT
"""yoko: a declarative rule engine for yearly subsidy guidelines (交付要項).

    import engine
    policy = engine.load("ibaraki", 2022)          # or engine.load_file("policies/ibaraki/2022.yaml")
    result = engine.evaluate(policy, {"emergency_tier": "secondary", "ambulance_transports": 1500})
    result.results["eligible"], result.unknown, result.needed_facts, result.trace()
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine.base.diagnostics import Diagnostic, Location, YokoError

if TYPE_CHECKING:
    from engine.evaluation.evaluate import Evaluation


def __getattr__(name: str):
    """`engine.Evaluation` on first use: importing the package (every CLI command does) stays cheap."""
    if name == "Evaluation":
        from engine.evaluation.evaluate import Evaluation
        return Evaluation
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
