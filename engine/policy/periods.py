# SPDX-License-Identifier: MIT
"""Reference periods: a facts file may give one value per period; the policy picks its own.

A fact declared with `period: {calendar_year: -1}` in the FY2022 policy describes calendar 2021;
with `period: {fiscal_year: -2}`, fiscal 2020. A facts file may give that fact as a mapping of
period to value, `ambulance_transports: {CY2021: 1450, CY2022: 1500}`, and each policy takes the
value of its period. A period the file does not give is unknown: another period's value is never
used. A single value (no mapping) is taken as the value for the policy's period, as before.
"""
from __future__ import annotations

import re

from engine.base.words import Words, words

PERIOD_KEY = re.compile(r"^(CY|FY)(\d{4})$")
_KINDS = {"calendar_year": "CY", "fiscal_year": "FY"}


def period_key(spec: dict, fiscal_year: int) -> str | None:
    """The period a fact declaration names for a fiscal year: "CY2021", "FY2020", or None."""
    period = spec.get("period") or {}
    for kind, prefix in _KINDS.items():
        if kind in period:
            return f"{prefix}{fiscal_year + int(period[kind])}"
    return None


def is_period_map(value) -> bool:
    """A non-empty mapping whose keys are all CY#### or FY####."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and PERIOD_KEY.match(k) for k in value)


def describe(key: str) -> Words:
    return words(f"common.period.{key[:2]}", year=key[2:])


def select(data: dict, policy, locate, sink):
    """Facts with each period mapping replaced by the value of the policy's period (None when
    absent), and a locator that points into the mapping; bad mappings are reported to `sink`."""
    out, chosen = dict(data), {}
    for name, value in data.items():
        decl = policy.facts.get(name)
        if decl is None or not is_period_map(value):
            continue
        key = period_key(decl.spec, policy.fiscal_year)
        if key is None:
            sink.say("bad_fact", locate([name]), key="diag.bad_fact.no_period", name=name, policy=policy.id,
                     year=policy.fiscal_year)
            del out[name]
        elif not any(k.startswith(key[:2]) for k in value):
            sink.say("bad_fact", locate([name]), key="diag.bad_fact.other_period", name=name, period=describe(key),
                     key_=key, policy=policy.id, year=policy.fiscal_year, given=", ".join(value))
            del out[name]
        else:
            out[name] = value.get(key)
            chosen[name] = key

    def where(path, key=False):
        if path and path[0] in chosen:
            path = [path[0], chosen[path[0]], *path[1:]]
        return locate(path, key=key)

    return out, where
