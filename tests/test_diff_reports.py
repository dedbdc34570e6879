# SPDX-License-Identifier: MIT
"""The review reports of yoko diff, pinned in Markdown and HTML, Japanese and English, and the
HTML page checked in headless Chromium."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from edits import write_edit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edits")
    return folder, {n: str(write_edit(n, folder)) for n in ("unit-per-bed-140000", "reworded-note",
                                                           "ground-4-dropped")}


def _report(cli, edited, name, fmt, lang, *extra):
    folder, paths = edited
    r = cli("diff", "ibaraki/2022", paths[name], "--facilities", "examples/ibaraki-2022", "--format", fmt,
            "--lang", lang, *extra)
    assert r.code == 0, r.err
    return r.out.replace(str(folder), "<edits>")


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("name", ["unit-per-bed-140000", "reworded-note", "ground-4-dropped"])
def test_the_review_report_is_pinned(cli, edited, snapshot, name, fmt, lang):
    assert _report(cli, edited, name, fmt, lang) == snapshot


def _browser_or_skip():
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip("no /usr/bin/chromium here (in CI this test never skips)")
    from playwright.sync_api import sync_playwright
    return sync_playwright


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_html_report_shows_the_verdict_first_and_old_beside_new_in_chromium(cli, edited, tmp_path, lang):
    sync_playwright = _browser_or_skip()
    page_file = tmp_path / f"report-{lang}.html"
    page_file.write_text(_report(cli, edited, "ground-4-dropped", "html", lang), encoding="utf-8")
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        first = page.locator("body > *:nth-child(2)")
        assert first.get_attribute("id") == "verdict"
        verdict = page.locator("#verdict").inner_text()
        assert ("1 施設の結果が変わる" if lang == "ja" else "1 facilities change") in verdict
        assert "-1,600,000" in verdict
        assert page.locator("html").get_attribute("lang") == lang
        side = page.locator(".side").first
        old_box = side.locator(".old").bounding_box()
        new_box = side.locator(".new").bounding_box()
        assert old_box["x"] + old_box["width"] <= new_box["x"]  # old | new, side by side
        assert abs(old_box["y"] - new_box["y"]) < 2
        assert "ground_4" in side.locator(".old").inner_text()
        assert "架空 笠間在宅ケアクリニック" in side.locator(".moves").inner_text()
        assert page.locator("table").count() >= 2
        note = tmp_path / f"note-{lang}.html"
        note.write_text(_report(cli, edited, "reworded-note", "html", lang), encoding="utf-8")
        page.goto(note.as_uri())
        added = page.locator("ins").all_inner_texts()
        assert ("一覧に" in added) if lang == "ja" else ("yet " in added)
        assert page.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        browser.close()
    assert errors == []
