#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One facility through the whole `yoko evaluate` process vs `python -c pass`, paired A B A B.

    python benchmarks/cli_one.py [-n 10]

Both commands start the same interpreter (this one, i.e. the venv yoko is installed in).
Rows: the explained memo with a warm policy cache (the usual case: the policy has not changed
since the last run), the JSON output, and a cold run with the cache off (YOKO_NO_CACHE=1: YAML,
schema, parsing and checks every time); each without and with a resident process (`yoko daemon
start`, on a private socket folder started for this run and stopped after it). Targets (issue
#15): warm A/B <= 5, cold <= 12. The last row is the floor of a run without the daemon: importing
only the standard modules every run needs and the YAML reader.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FACTS = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"
FLOOR = "argparse, dataclasses, fractions, json, pathlib, pickle, re, typing, hashlib, ruamel.yaml"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10)
    a = ap.parse_args(argv)
    yoko = os.path.join(os.path.dirname(sys.executable), "yoko")
    base = f"{shlex.quote(sys.executable)} -c pass"
    abtime = [sys.executable, os.path.join(HERE, "peers", "abtime.py"), "-n", str(a.n), "--vs", base, "--"]
    prog = [yoko] if os.path.exists(yoko) else [sys.executable, "-m", "engine"]  # an uninstalled checkout
    cmd = prog + ["evaluate", FACTS, "--policy", "ibaraki", "--year", "2022"]
    # As an installed yoko runs: with its modules' bytecode written (pip compiles on install), even
    # where the environment says PYTHONDONTWRITEBYTECODE (this machine's does).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "engine")], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    env["YOKO_DAEMON"] = "off"  # the rows without a daemon: whatever daemon this user may have running
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, env=env)  # fills the cache
    with tempfile.TemporaryDirectory(prefix="yb", dir="/tmp") as folder:
        on = {"YOKO_DAEMON": "", "YOKO_DAEMON_DIR": folder}
        rows = [("memo (text), warm cache", cmd, {}),
                ("JSON with trace, warm cache", cmd + ["--format", "json"], {}),
                ("memo (text), cache off", cmd, {"YOKO_NO_CACHE": "1"}),
                ("memo (text), warm cache, daemon running", cmd, on),
                ("JSON with trace, warm cache, daemon running", cmd + ["--format", "json"], on),
                ("memo (text), cache off, daemon running", cmd, {**on, "YOKO_NO_CACHE": "1"}),
                # the floor: only the standard modules every run needs and the YAML reader, nothing of
                # yoko's own; what a warm run without the daemon can cost at least while it is written this way
                ("floor: importing " + FLOOR, [sys.executable, "-c", "import " + FLOOR], {})]
        subprocess.run(prog + ["daemon", "start", "--idle", "30"], cwd=ROOT, env={**env, **on}, check=True,
                       stdout=subprocess.DEVNULL)
        try:
            for label, c, extra in rows:
                print(f"\n{label}: {' '.join(c[len(prog):])}" if c[:len(prog)] == prog else f"\n{label}")
                sys.stdout.flush()
                r = subprocess.call(abtime + c, cwd=ROOT, env={**env, **extra})
                if r:
                    return r
        finally:
            subprocess.run(prog + ["daemon", "stop"], cwd=ROOT, env={**env, **on}, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
