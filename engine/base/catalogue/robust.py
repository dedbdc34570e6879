# SPDX-License-Identifier: MIT
"""Words of the robustness work: interrupted runs, resource limits, rows that cannot be read."""
from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "robust.interrupted_by": ("{signal} により中断しました", "interrupted by {signal}"),
}
