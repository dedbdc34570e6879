# SPDX-License-Identifier: MIT
"""Loading policies by path, memoised per process."""
from __future__ import annotations

import os

from .policy import Policy, load_policy

_CACHE: dict[str, tuple[float, Policy]] = {}


def load_policy_cached(path: str) -> Policy:
    """load_policy, reused while the file is unchanged (same process)."""
    key = os.path.abspath(path)
    try:
        mtime = os.stat(key).st_mtime_ns
    except OSError:
        return load_policy(path)
    hit = _CACHE.get(key)
    if hit and hit[0] == mtime:
        return hit[1]
    policy = load_policy(path)
    _CACHE[key] = (mtime, policy)
    return policy
