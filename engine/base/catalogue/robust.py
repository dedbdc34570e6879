# SPDX-License-Identifier: MIT
"""Words of the robustness work: interrupted runs, resource limits, rows that cannot be read."""
from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "robust.row_internal_error": ("yoko の不具合でこの行を評価できませんでした（{kind}: {detail}）。この行を添えて報告してください",
                                   "a bug in yoko stopped this row ({kind}: {detail}); please report it with the row"),
    "robust.interrupted_by": ("{signal} により中断しました", "interrupted by {signal}"),
}
