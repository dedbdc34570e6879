# SPDX-License-Identifier: MIT
"""TODO markers: values that `yoko new-year` leaves for a person to fill in.

Any string value of a policy file that starts with `TODO` is an error (`unfilled_todo`),
so a policy cannot be shipped (`yoko check`, `yoko test`, the pre-commit hooks) until
every one is replaced by the real value.
"""
from __future__ import annotations

import re

from engine.base.diagnostics import Sink
from engine.policy.yamlio import location_at

_TODO = re.compile(r"TODO\b")


def is_todo(value) -> bool:
    return isinstance(value, str) and _TODO.match(value) is not None


def todo_markers(doc, root, path: str, sink: Sink) -> None:
    """Report every TODO value of a document at its line and column."""
    for where, value in _strings(doc, []):
        if is_todo(value):
            key = "/".join(map(str, where))
            sink.say("unfilled_todo", location_at(root, where, path), where=key, value=value)


def _strings(node, where):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, where + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, where + [i])
    elif isinstance(node, str):
        yield where, node
