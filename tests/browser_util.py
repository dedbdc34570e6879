# SPDX-License-Identifier: MIT
"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright, never skipped in CI."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("YOKO_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTEFACTS = ROOT / "test-artefacts"  # screenshots and PDFs (git-ignored)


def require_browser(have_modules: bool, what: str = "playwright") -> None:
    """Skip the calling test module when the browser or its modules are missing, except in CI, where
    that is an error: browser tests must run there."""
    if have_modules and Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"browser tests must run in CI: need {what} and {CHROMIUM}")
    pytest.skip(f"{what} or chromium not installed (CI never skips these)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (the module calls require_browser first)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
