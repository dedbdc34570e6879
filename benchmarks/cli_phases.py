#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where one warm `yoko evaluate` spends its time: each step of engine.cli.main timed in one process.

    python benchmarks/cli_phases.py [-n 3]

Runs itself -n times in fresh processes (imports are the larger part, so every run must start cold)
and prints, per run, milliseconds for: importing the CLI, building the evaluate parser, importing the
evaluation layer, finding and loading the cached policy, reading the facts file, evaluating,
importing and rendering the memo. Run it once before to fill the policy cache.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGV = ["evaluate", "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml", "--policy", "ibaraki", "--year", "2022"]


def one_run() -> str:
    import io
    t0 = time.perf_counter()
    laps, last = [], [t0]

    def lap(name):
        now = time.perf_counter()
        laps.append((name, now - last[0]))
        last[0] = now
    import engine.cli.main as m
    lap("import cli")
    args = m.build_parser("ja", only="evaluate").parse_args(ARGV)
    lap("parser")
    from engine.cli.evaluate import memo_options, resolve_policy
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.facts import load_facts_file
    lap("import evaluation")
    policy = resolve_policy(args, sys.stderr)
    lap("policy (cache)")
    facts = load_facts_file(args.facts, policy)
    lap("facts file")
    ev = evaluate(policy, facts)
    lap("evaluate")
    from engine.present.memo import render_text
    lap("import memo")
    render_text(ev, "ja", memo_options(args, io.StringIO()))
    lap("memo")
    return " ".join(f"{n}={1000 * d:.0f}" for n, d in laps) + f" total={1000 * (time.perf_counter() - t0):.0f} ms"


def main() -> int:
    if "--one" in sys.argv:
        print(one_run())
        return 0
    n = int(sys.argv[sys.argv.index("-n") + 1]) if "-n" in sys.argv else 3
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = ROOT
    print(f"load average {os.getloadavg()[0]:.2f}")
    for _ in range(n):
        subprocess.run([sys.executable, os.path.abspath(__file__), "--one"], cwd=ROOT, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
