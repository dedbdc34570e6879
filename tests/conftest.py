# SPDX-License-Identifier: MIT
"""Shared fixtures: the repository root and a CLI runner with injected streams."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from engine.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    """Run every test from the repository root so relative paths in outputs are stable."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("YOKO_POLICY_PATH", raising=False)
    monkeypatch.delenv("YOKO_LANG", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests use their own policy cache, never the user's ~/.cache/yoko."""
    old = os.environ.get("YOKO_CACHE_DIR")
    os.environ["YOKO_CACHE_DIR"] = str(tmp_path_factory.mktemp("yoko-cache"))
    yield
    if old is None:
        os.environ.pop("YOKO_CACHE_DIR", None)
    else:
        os.environ["YOKO_CACHE_DIR"] = old


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


# Before one language setting, these commands spoke English by default; the tests written then pin
# their English output, so they ask for it. (Japanese, the default for every command, is tested with
# --lang ja and in tests/test_one_language.py.)
ENGLISH_BEFORE = {"check", "test", "diff", "new-year"}


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    argv = list(argv)
    before = argv and (argv[0] in ENGLISH_BEFORE or argv[0] == "evaluate" and "--batch" in argv)  # its summary too
    if before and not any(a == "--lang" or a.startswith("--lang=") for a in argv):
        argv += ["--lang", "en"]
    code = main(argv, out, err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli
