# SPDX-License-Identifier: MIT
"""Run the hypothesis tests of tests/test_fuzz.py for a given time, round after round, at random.

    PYTHONPATH=$PWD nice -n 10 python tests/fuzz_for.py --minutes 10

Each round runs every fuzz test for ROUND examples on a fresh random seed (YOKO_FUZZ_RANDOM); the
run stops at the first round that ends after the time is up, or at the first failure, which
hypothesis prints with its shrunk example. At the end: one line per test with the examples run,
and the total. docs/robustness.md records the runs made. Not part of the suite (not test_*).
"""
from __future__ import annotations

import argparse
import inspect
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROUND = 100


class _TmpFactory:
    """What the tests ask of pytest's tmp_path_factory."""

    def __init__(self, root: Path):
        self.root, self.n = root, 0

    def mktemp(self, name: str) -> Path:
        self.n += 1
        d = self.root / f"{name}{self.n}"
        d.mkdir()
        return d


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("-k", default="", help="only tests whose name holds this text")
    args = ap.parse_args(argv)
    os.environ["YOKO_FUZZ_EXAMPLES"] = str(ROUND * 4)  # tests that divide it by 4 still run ROUND
    os.environ["YOKO_FUZZ_RANDOM"] = "1"
    sys.path.insert(0, str(Path(__file__).parent))
    import test_fuzz
    tests = [(n, f) for n, f in vars(test_fuzz).items()
             if n.startswith("test_") and callable(f) and hasattr(f, "hypothesis") and args.k in n]
    end = time.monotonic() + args.minutes * 60
    counts = {n: 0 for n, _ in tests}
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    failed = None
    with tempfile.TemporaryDirectory(prefix="yoko-fuzz-") as tmp:
        factory = _TmpFactory(Path(tmp))
        while time.monotonic() < end and failed is None:
            for name, fn in tests:
                kwargs = {"tmp_path_factory": factory} if "tmp_path_factory" in inspect.signature(fn).parameters else {}
                try:
                    fn(**kwargs)
                except BaseException as e:  # noqa: BLE001 - report the failure and stop
                    if isinstance(e, KeyboardInterrupt):
                        failed = "interrupted"
                        break
                    traceback.print_exc()
                    failed = name
                    break
                counts[name] += _examples(fn)
    for name, n in counts.items():
        print(f"{n:>8}  {name}")
    print(f"{sum(counts.values()):>8}  examples in all, from {started} for {args.minutes:g} minutes: "
          + ("nothing found" if failed is None else f"FAILED in {failed}"))
    return 0 if failed is None else 1


def _examples(fn) -> int:
    """Examples one call of a test runs (its settings' max_examples)."""
    settings = getattr(fn, "_hypothesis_internal_use_settings", None)
    return settings.max_examples if settings is not None else ROUND


if __name__ == "__main__":
    sys.exit(main())
