# SPDX-License-Identifier: MIT
"""Build a one-rule policy from a language case (tests/cases/lang) and evaluate it."""
from __future__ import annotations

from engine.base.diagnostics import Sink
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts
from engine.policy.load import Policy, build, schema_errors

_CITE = {"source": "test"}
_LABEL = {"ja": "テスト", "en": "test"}


def case_document(case: dict) -> dict:
    facts = {}
    for name, spec in (case.get("facts") or {}).items():
        d = {k: v for k, v in spec.items() if k != "value"}
        d.setdefault("label", _LABEL)
        facts[name] = d
    params = {name: {"cite": _CITE, **spec} for name, spec in (case.get("params") or {}).items()}
    rules = {name: {"expr": expr, "label": _LABEL, "cite": _CITE} for name, expr in (case.get("rules") or {}).items()}
    rules["result"] = {"expr": case["expr"], "label": _LABEL, "cite": _CITE}
    return {
        "id": "case", "jurisdiction": {"code": "JP", "name": _LABEL}, "fiscal_year": 2022, "title": _LABEL,
        "sources": {"test": {"title": _LABEL}}, "facts": facts, "parameters": params, "rules": rules,
        "results": ["result"],
    }


def load_case(case: dict) -> tuple[Policy | None, Sink]:
    """The compiled policy of a case, or None with the diagnostics."""
    doc = case_document(case)
    sink = Sink()
    schema_errors(doc, doc, "<case>", sink)
    if sink.errors:
        return None, sink
    policy = build(doc, doc, case["expr"], "<case>", sink)
    return (None if sink.errors else policy), sink


def case_facts(case: dict, policy: Policy) -> dict:
    """The case's fact values, checked like a facts file (raises YokoError on a bad value)."""
    return check_facts({name: spec["value"] for name, spec in (case.get("facts") or {}).items()
                        if "value" in spec}, policy)


def run_case(case: dict):
    policy, sink = load_case(case)
    if policy is None:
        return None, sink
    return evaluate(policy, case_facts(case, policy)), sink
