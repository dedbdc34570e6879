# SPDX-License-Identifier: MIT
"""Limits on what an input may ask of yoko; each is refused with a located diagnostic.

Why each exists and which code refuses it: docs/errors.md ("Limits").
"""
from __future__ import annotations

from fractions import Fraction

from engine.base.words import Words, words

# files -------------------------------------------------------------------------
MAX_FILE_BYTES = 4 * 1024 * 1024  # file_too_large: a policy, facts, mapping or tests file, a table
MAX_TABLE_BYTES = 512 * 1024 * 1024  # file_too_large: a CSV, XLSX or JSONL table (read row by row)
MAX_TABLE_ROWS = 1_000_000  # batch_read: rows of a table
MAX_YAML_NODES = 50_000  # yaml_too_large: values read, and after expanding aliases (no billion laughs)
MAX_YAML_DEPTH = 64  # yaml_too_deep: nesting of mappings and lists

# expressions -------------------------------------------------------------------
MAX_EXPR_CHARS = 10_000  # expr_too_long
MAX_EXPR_DEPTH = 64  # expr_too_deep: nesting of the syntax tree (a + b + c is depth 3)
MAX_LOOP_NESTING = 2  # loops_too_deep: for ... in inside for ... in inside for ... in
MAX_LIST_ITEMS = 1_000  # list_too_long: items of a list literal, a parameter list or a fact list

# numbers -----------------------------------------------------------------------
MAX_MAGNITUDE = 10 ** 30  # number_too_large: literals, parameters and every computed value
MAX_FACT_MAGNITUDE = 10 ** 18  # bad_fact: no count or amount of a facility is larger


def number_too_large(x) -> bool:
    """True when an exact number is beyond MAX_MAGNITUDE, or needs more than 30 decimal places."""
    if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
        return False
    if abs(x) > MAX_MAGNITUDE:
        return True
    return isinstance(x, Fraction) and x.denominator > MAX_MAGNITUDE


def value_problem(v) -> tuple[str, Words] | None:
    """(code, words) when a parameter value breaks a limit: a number beyond 10^30, a list too long."""
    stack = [v]
    while stack:
        x = stack.pop()
        if number_too_large(x):
            return "number_too_large", words("diag.number_too_large.value")
        if isinstance(x, list):
            if len(x) > MAX_LIST_ITEMS:
                return "list_too_long", words("diag.list_too_long.value", count=f"{len(x):,}", limit=f"{MAX_LIST_ITEMS:,}")
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return None
