# SPDX-License-Identifier: MIT
"""Japanese messages for diagnostics, by code, from the English message's parameters."""
from __future__ import annotations


def japanese(code: str, message: str) -> str | None:
    """The Japanese form of an English diagnostic message, or None when the catalogue has none."""
    return None
