# SPDX-License-Identifier: MIT
"""Loading policies by path: memoised per process, and cached between processes (engine.cache)."""
from __future__ import annotations

import os

from .policy import Policy, load_policy

_CACHE: dict[str, tuple[tuple, Policy]] = {}


def _stamp(paths) -> tuple | None:
    try:
        return tuple(os.stat(p).st_mtime_ns for p in paths)
    except OSError:
        return None


def load_policy_cached(path: str) -> Policy:
    """load_policy, reused while the file and the files it extends are unchanged (same process)."""
    key = os.path.abspath(path)
    hit = _CACHE.get(key)
    if hit and hit[0] == _stamp(hit[1].files):
        return hit[1]
    from . import cache
    policy = cache.get(path)
    if policy is None:
        policy = load_policy(path)
        cache.put(path, policy)
    stamp = _stamp(policy.files)
    if stamp is not None:
        _CACHE[key] = (stamp, policy)
    return policy
