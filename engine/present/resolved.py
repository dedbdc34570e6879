# SPDX-License-Identifier: MIT
"""A resolved policy as JSON: every fact, parameter and rule with where it came from (`yoko show`, the web API)."""
from __future__ import annotations
from engine.policy.periods import period_key
from engine.lang.values import to_json


def item_json(kind: str, item, policy) -> dict:
    spec = item.spec
    out = {"kind": kind, "name": item.name, "label": spec.get("label"), "cite": spec.get("cite"),
           "origin": item.origin.to_json() if item.origin else {"file": item.location.file,
                                                                 "line": item.location.line}}
    if kind == "parameter":
        out["value"] = to_json(item.value)
        out["unit"] = spec.get("unit")
    elif kind == "rule":
        out.update(expr=item.text, type=str(item.type), unit=spec.get("unit"), reads=list(item.reads),
                   notes=spec.get("notes") or [])
    else:
        out.update(type=str(item.type), unit=spec.get("unit"), period=spec.get("period"),
                   period_key=period_key(spec, policy.fiscal_year))
    return {k: v for k, v in out.items() if v is not None}


def policy_json(policy) -> dict:
    return {
        "policy": policy.id, "fiscal_year": policy.fiscal_year, "title": policy.title, "file": policy.path,
        "chain": [{"policy": s.version[0], "fiscal_year": s.version[1], "file": s.path}
                  for s in policy.chain],
        "facts": {n: item_json("fact", f, policy) for n, f in policy.facts.items()},
        "parameters": {n: item_json("parameter", p, policy) for n, p in policy.parameters.items()},
        "rules": {n: item_json("rule", r, policy) for n, r in policy.rules.items()},
        "results": policy.results,
    }
