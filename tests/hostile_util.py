# SPDX-License-Identifier: MIT
"""Shared by the hostile-input tests: the pinned expectations and the first error of a run."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED = YAML(typ="safe").load((HOSTILE / "expected.yaml").read_text("utf-8"))


def first_error(json_text: str) -> dict:
    """The first error diagnostic of a --format json diagnostics report (check or evaluate)."""
    data = json.loads(json_text)
    diags = data["diagnostics"] if "diagnostics" in data else data["files"][0]["diagnostics"]
    return next(d for d in diags if d["severity"] == "error")


def assert_no_crash(*texts: str) -> None:
    for t in texts:
        assert "Traceback" not in t and "internal_error" not in t, t


def big_table(folder: Path) -> Path:
    """60,000 rows for tests/hostile/policy.yaml: a batch long enough to be interrupted while it writes."""
    table = folder / "big.csv"
    table.write_text("transports,rate,sole_hospital\n" + "".join(f"{i},{i % 7},true\n" for i in range(60000)),
                     "utf-8")
    return table


def wait_until_writing(proc, out_dir: Path, within: float = 60) -> None:
    """Until the batch run by `proc` has its temporary output file in `out_dir`."""
    deadline = time.monotonic() + within
    while not any(p.name.startswith(".yoko-") for p in out_dir.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)


def interrupted_batch(entry: str, out, env: dict, signum: int, table: Path) -> tuple[int, str]:
    """`yoko evaluate --batch TABLE --out OUT` on tests/hostile/policy.yaml through `entry`
    (engine.cli.main, or engine.cli.launch as the console script), sent `signum` once it writes:
    its exit status and stderr."""
    proc = subprocess.Popen([sys.executable, "-c",
                             "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
                             f"sys.argv[0] = 'yoko'; from {entry} import main; sys.exit(main())",
                             "evaluate", "--policy-file", "tests/hostile/policy.yaml", "--batch", str(table),
                             "--out", str(out)],
                            cwd=HOSTILE.parent.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    wait_until_writing(proc, Path(out).parent)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err
