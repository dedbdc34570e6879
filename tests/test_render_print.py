# SPDX-License-Identifier: MIT
"""`yoko render --format html` printed by headless Chromium (Playwright with Debian's chromium): the PDF
is A4 on every page and no heading is left alone at the foot of a page.

These run in CI and never skip there: without Chromium, Playwright or pypdf they fail under CI=true.
A screenshot and the PDF of each document go to test-artefacts/ (git-ignored).

Where each heading falls is read from the PDF's structure tree (`page.pdf(tagged=True)`): every
piece of marked content belongs to a tag (H1–H6, P, …) and a page, in document order. A heading is
orphaned when the content after it starts on a later page than the heading's own. This needs no
fonts and no text extraction (CI's Chromium may have no Japanese font at all).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from browser_util import ARTEFACTS, browser, require_browser  # noqa: F401 (browser: a fixture)
from conftest import run_cli

A4 = (595.28, 841.89)  # 210 × 297 mm in points

try:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject
except ImportError:  # pragma: no cover - CI installs them (the test extra)
    sync_playwright = None

require_browser(sync_playwright is not None, "playwright and pypdf")

HEADINGS = {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}


def _print(browser, html: str, name: str) -> bytes:
    """The page's screenshot (kept as an artefact) and its PDF as Chromium prints it."""
    page = browser.new_page()
    try:
        page.set_content(html, wait_until="load")
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=False)
        pdf = page.pdf(prefer_css_page_size=True, tagged=True, print_background=True)
    finally:
        page.close()
    (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf


def content_pages(pdf: bytes) -> list[tuple[int, int | None]]:
    """(page, heading) of every piece of marked content, in document order; heading is the id of the
    H1–H6 tag the content belongs to, or None."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = {pg.indirect_reference.idnum: n for n, pg in enumerate(reader.pages)}
    out: list[tuple[int, int | None]] = []

    def walk(el, page, heading):
        el = el.get_object() if isinstance(el, IndirectObject) else el
        if isinstance(el, int):  # a marked-content id on the page of the nearest tag
            out.append((page, heading))
            return
        if not hasattr(el, "get"):
            return
        if el.get("/Pg") is not None:
            page = pages[el.raw_get("/Pg").idnum]
        if el.get("/Type") == "/MCR":
            out.append((page, heading))
            return
        if el.get("/S") in HEADINGS:
            heading = id(el)
        kids = el.get("/K")
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        for k in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            walk(k, page, heading)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None, None)
    return out


def orphaned_headings(pdf: bytes) -> list[int]:
    """The pages that end with a heading whose following content starts on the next page."""
    seq = content_pages(pdf)
    return [a[0] for a, b in zip(seq, seq[1:]) if a[1] is not None and b[1] != a[1] and b[0] != a[0]]


def _html(path: str, lang: str) -> str:
    r = run_cli("render", path, "--lang", lang, "--format", "html")
    assert r.code == 0, r.err
    return r.out


@pytest.mark.parametrize("path, lang", [("policies/ibaraki/2022.yaml", "ja"), ("policies/ibaraki/2022.yaml", "en")])
def test_the_printed_document_is_a4_with_no_heading_alone_at_a_page_foot(browser, path, lang):
    pdf = _print(browser, _html(path, lang), f"render-{Path(path).parent.name}-{lang}")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 5
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - A4[0]) <= 1 and abs(float(box.height) - A4[1]) <= 1, box
    headings = {h for _, h in content_pages(pdf) if h is not None}
    assert len(headings) > 20  # the tags are there, so the next line checks something
    assert orphaned_headings(pdf) == []


# A page whose heading falls at the foot of the first page, followed by a block that cannot be split.
SPLIT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 10mm; }} body {{ margin: 0; }}
.fill {{ height: 230mm; }} .block {{ height: 80mm; break-inside: avoid; }} {extra}
</style></head><body><div class="fill"><p>first page</p></div><h2>heading</h2>
<div class="block"><p>the block under the heading</p></div></body></html>"""


@pytest.mark.parametrize("extra, orphans", [("", 1), ("h2 { break-after: avoid; }", 0)])
def test_the_orphan_check_finds_a_heading_left_alone_and_only_then(browser, extra, orphans):
    pdf = _print(browser, SPLIT.format(extra=extra), f"orphan-check-{orphans}")
    assert len(orphaned_headings(pdf)) == orphans
