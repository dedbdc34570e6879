# SPDX-License-Identifier: MIT
"""The workbench's real pages in headless Chromium (Playwright with Debian's chromium).

These run in CI and never skip there: without Chromium or Playwright they fail under CI=true.
Screenshots of each page go to test-artefacts/ (git-ignored).
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from browser_util import ARTEFACTS, browser, require_browser  # noqa: F401 (browser: a fixture)
from web_util import ROOT, git_workspace

CORPUS = Path(os.environ.get("YOKO_CORPUS", "/work/shared/corpus/mhlw-r7-facilities.csv"))

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - CI installs it (the test extra)
    sync_playwright = None

require_browser(sync_playwright is not None)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The workbench over a git folder holding Ibaraki 2022 twice, served by uvicorn on a free port."""
    import uvicorn

    from engine.web.app import create_app
    base = tmp_path_factory.mktemp("served")
    policies = git_workspace(base)
    shutil.copytree(ROOT / "examples" / "mappings", base / "examples" / "mappings")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(policies), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture
def page(browser):
    ctx = browser.new_context(accept_downloads=True, locale="ja-JP")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()
    assert errors == [], errors  # a CSP violation or a script error shows up here


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def fill_form(page, facts: dict) -> None:
    """Type an example facility's facts into the form, field by field, as a person would."""
    for name, value in facts.items():
        if name == "expenses":
            for i, rec in enumerate(value):
                if i > 0:
                    page.click("fieldset#f-expenses button.add-row")
                for field, v in rec.items():
                    target = f"#f-expenses-{i}-{field}"
                    _set(page, target, v)
        elif isinstance(value, list):
            for v in value:
                page.check(f'fieldset#f-{name} input[value="{v}"]')
            if not value:
                page.check(f'fieldset#f-{name} input[value="__none__"]')
        else:
            _set(page, f"#f-{name}", value)


def _set(page, selector: str, value) -> None:
    el = page.locator(selector)
    if el.evaluate("e => e.tagName") == "SELECT":
        el.select_option("yes" if value is True else "no" if value is False else str(value))
    else:
        el.fill(str(value))


@pytest.mark.parametrize("example, want", [("ground-1-cost-share-smaller", "対象"),
                                           ("excluded-regional-care-addon", "対象外"),
                                           ("missing-facts-under-review", "判定不能")])
def test_the_evaluation_form_filled_by_hand_leads_with_the_conclusion(server, page, example, want):
    facts = YAML(typ="safe").load((ROOT / "examples" / "ibaraki-2022" / f"{example}.yaml").read_text("utf-8"))
    page.goto(f"{server}/evaluate/ibaraki/2022")
    fill_form(page, facts)
    page.click("#run")
    assert page.inner_text("#conclusion") == want
    if want == "判定不能":  # each fact still needed links back to its field
        page.click('ul.needed a[href="#f-ambulance_transports"]')
        assert page.evaluate("document.activeElement.id || location.hash") in ("f-ambulance_transports",
                                                                               "#f-ambulance_transports")
    permalink = page.get_attribute("#permalink", "href")
    page.goto(permalink)
    assert page.inner_text("#conclusion") == want
    shot(page, f"evaluate-{example}")


def test_the_real_facility_table_as_cp932_is_evaluated_and_downloaded_as_xlsx(server, page, tmp_path):
    if not CORPUS.exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"the facility table {CORPUS} is missing")
        pytest.skip("the shared facility table is not on this machine")
    table = tmp_path / "facilities-cp932.csv"
    # 2 of the 11,760 names hold a character CP932 lacks (𠮷); an Excel export writes "?" for it too
    table.write_bytes(CORPUS.read_text("utf-8").encode("cp932", errors="replace"))
    page.goto(f"{server}/batch?policy=ibaraki/2022")
    page.set_input_files("#table", str(table))
    page.select_option("#mapping", "mhlw-r7-ibaraki.yaml")
    page.click("#start")
    page.wait_for_selector("#status.done, #status.failed", timeout=60_000)
    shot(page, "batch")
    assert "done" in page.get_attribute("#status", "class"), page.inner_text("main")
    assert "11760 行" in page.inner_text("#summary")
    with page.expect_download() as dl:
        page.click("#download-xlsx")
    path = tmp_path / "results.xlsx"
    dl.value.save_as(path)
    import openpyxl
    ws = openpyxl.load_workbook(path, read_only=True).active
    assert sum(1 for _ in ws.iter_rows()) == 2 + 237  # labels, identifiers and Ibaraki's facilities



def test_a_review_of_two_git_revisions_shows_the_verdict_and_the_changed_rule(server, page):
    page.goto(f"{server}/review")
    page.select_option("#old", "ibaraki/2022")
    page.fill("#old-rev", "HEAD~1")
    page.select_option("#new", "ibaraki/2022")
    assert page.is_checked("#prove")  # the solver's proof is on unless unticked
    page.click("#compare")
    assert page.inner_text("#verdict") == "判定: 4 施設の結果が変わる（14 施設中）、Δ合計 grant_amount +1,291,000 円"
    report = page.inner_text("#report")
    assert "原因: パラメータ unit_per_bed 133,000 円 → 140,000 円" in report
    assert "grant_amount: 異なる施設がある" in report and "eligible: すべての施設で等しい（証明済み）" in report
    assert page.locator("#report .side .old pre").count() + page.locator("#report del").count() > 0
    shot(page, "review")


def test_a_pasted_broken_policy_shows_its_error_on_the_highlighted_line(server, page):
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8")
    broken = text.replace("  ambulance_transports:\n    type: int\n", "  ambulance_transports:\n    type: integer\n", 1)
    assert broken != text
    page.goto(f"{server}/check")
    page.fill("#draft", broken)
    page.click("#check")
    assert "failed" in page.get_attribute("#check-status", "class")
    marked = page.locator("ol.source li.marked").first
    line = int(marked.get_attribute("id")[1:])
    assert broken.splitlines()[line - 1].strip() == "type: integer"
    assert "policy_schema" in marked.inner_text()
    shot(page, "check")


def test_the_policy_page_and_the_language_switch(server, page):
    page.goto(f"{server}/policies/ibaraki/2022")
    assert "令和4年度" in page.inner_text("h1")
    shot(page, "policy")
    page.click("nav a.lang")
    assert page.inner_text("nav a.lang") == "Japanese"
    page.goto(f"{server}/")
    assert "Subsidy guidelines" in page.inner_text("h1")
