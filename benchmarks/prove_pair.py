# SPDX-License-Identifier: MIT
"""`yoko diff --prove` on Ibaraki FY2022 against each invented edit of tests/cases/edits (target:
under 10 s a pair), and `yoko check --prove` on both real policies.

    .venv/bin/python benchmarks/prove_pair.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from edits import NAMES, write_edit  # noqa: E402

from engine.policy.cache import load_policy_cached  # noqa: E402
from engine.review.prove import prove_equal, prove_policy, read_properties  # noqa: E402


def main() -> None:
    old = load_policy_cached(str(ROOT / "policies/ibaraki/2022.yaml"))
    folder = Path(tempfile.mkdtemp())
    print(f"{'pair':<34} {'wall s':>7} {'cpu s':>6}  status")
    worst = 0.0
    for name in NAMES:
        if name == "typo-on-new-side":
            continue
        new = load_policy_cached(str(write_edit(name, folder)))
        t, c = time.perf_counter(), time.process_time()
        proof = prove_equal(old, new)
        s, cpu = time.perf_counter() - t, time.process_time() - c
        worst = max(worst, cpu)
        print(f"{name:<34} {s:7.1f} {cpu:6.1f}  {proof['status']}")
    print(f"slowest pair: {worst:.1f} s of cpu (target < 10 s)")
    for path in ("policies/ibaraki/2022.yaml", "policies/national/2020.yaml"):
        policy = load_policy_cached(str(ROOT / path))
        t, c = time.perf_counter(), time.process_time()
        r = prove_policy(policy, read_properties(str(ROOT / path).replace(".yaml", ".tests.yaml")))
        print(f"check --prove {path}: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s cpu, "
              f"{len(r['findings'])} findings, "
              f"{len(r['properties'])} properties, {len(r['not_translated'])} rules not translated")


if __name__ == "__main__":
    main()
