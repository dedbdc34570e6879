# SPDX-License-Identifier: MIT
"""`yoko render`: the policy as a document for review, in Markdown and standalone HTML."""
from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

import pytest

import engine
from engine.base.dates import era_year as era
from engine.present.render import Reader, render

POLICY = "policies/ibaraki/2022.yaml"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ibaraki_2022_document_in_markdown_is_pinned(cli, snapshot, lang):
    r = cli("render", POLICY, "--lang", lang)
    assert r.code == 0, r.err
    assert r.out == snapshot


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ibaraki_2022_document_in_html_is_pinned(cli, snapshot, lang):
    r = cli("render", POLICY, "--lang", lang, "--format", "html")
    assert r.code == 0, r.err
    assert r.out == snapshot


def test_japanese_is_the_default_and_a_policy_can_be_named_by_id_and_year(cli):
    by_path = cli("render", POLICY).out
    assert by_path == cli("render", "ibaraki", "--year", "R4").out
    assert by_path.startswith("# 令和4年度 地域医療勤務環境改善体制整備事業補助金\n")


def test_an_id_without_a_year_is_a_usage_error(cli):
    r = cli("render", "ibaraki", "--lang", "en")
    assert r.code == 2 and "usage: ibaraki is not a policy file; give --year YEAR" in r.err


def test_out_writes_the_document_to_a_file(cli, tmp_path):
    out = tmp_path / "ibaraki.html"
    r = cli("render", POLICY, "--format", "html", "--out", str(out))
    assert (r.code, r.out) == (0, f"wrote {out}\n")
    assert out.read_text("utf-8") == cli("render", POLICY, "--format", "html").out


def test_rules_are_grouped_by_the_article_of_their_first_citation_in_order(cli):
    md = cli("render", POLICY).out
    articles = re.findall(r"^### 要項第(\d+)条", md, re.M)
    assert articles == ["2", "4", "5", "6", "7", "8", "10", "14", "16"]
    section_5 = md.split("### 要項第5条")[1].split("### 要項第6条")[0]
    assert re.findall(r"^#### .* `(\w+)`$", section_5, re.M) == [
        "requirement_1", "requirement_2", "requirement_3", "requirement_4", "requirements_met"]
    assert "`eligible`" in md.split("### 要項第2条")[1].split("### 要項第4条")[0]  # cites Art. 2 first


def test_a_rule_reads_with_labels_parameter_values_and_enum_value_labels(cli):
    md = cli("render", POLICY).out
    assert ("- **式**: 「救急医療体制（2次救急・3次救急）」が \\[「2次救急」、「3次救急」\\] のいずれか"
            in md)
    assert "「1床当たりの額（133千円）」（133,000 円）" in md
    assert "```\nemergency_tier in [\"secondary\", \"tertiary\"]\n```" in md


def test_a_chain_of_three_conditions_is_a_list(cli):
    md = cli("render", POLICY, "--lang", "en").out
    block = md.split("#### All requirements of Article 5 met `requirements_met`\n")[1].split("```")[0]
    assert "- **Rule**: all of the following:\n  - “Responsible person appointed”\n" in block


# An invented policy (not a real document) whose texts carry markup that must not survive.
HOSTILE = textwrap.dedent("""\
    # INVENTED for tests of yoko render: labels full of markup.
    id: hostile
    jurisdiction: {code: JP-08, name: {ja: "<b>県</b>", en: "<b>Pref</b>"}}
    fiscal_year: 2022
    title: {ja: "<script>alert(1)</script> | *要項*", en: "<script>alert(1)</script> | *guideline*"}
    sources:
      g: {title: {ja: "a|b", en: "a|b"}, abbrev: {ja: "<i>要項</i>", en: "<i>G</i>"}, url: "https://example.invalid/x.js"}
    facts:
      x: {type: text, label: {ja: "<img src=x onerror=alert(1)>", en: "<img src=x onerror=alert(1)>"}}
    rules:
      r:
        expr: x == "</code><script>"
        label: {ja: "a | b `c` **d**", en: "a | b `c` **d**"}
        cite: {source: g, article: 1}
        notes:
          - kind: note
            text: {ja: "<iframe>", en: "<iframe>"}
    results: [r]
    """)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [k for k, _ in attrs]


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, "utf-8")
    return engine.load_file(path)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_escapes_every_text_and_loads_nothing_from_outside(hostile, lang):
    page = render(hostile, lang, "html")
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p",
                           "strong", "code", "pre", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(parser.attrs) <= {"lang", "charset", "name", "content", "id"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@import" not in style and "url(" not in style


def test_markdown_escapes_markup_and_table_bars(hostile):
    md = render(hostile, "en", "markdown")
    assert md.startswith("# \\<script\\>alert(1)\\</script\\> \\| \\*guideline\\*\n")
    assert "| \\<i\\>G\\</i\\> | a\\|b |  |  |" in md
    assert "#### a \\| b \\`c\\` \\*\\*d\\*\\* `r`" in md
    assert "<iframe>" not in md and "<script>" not in md.split("```")[0]


def test_a_table_parameter_is_shown_as_its_own_table(cli):
    md = cli("render", "policies/national/2020.yaml", "--lang", "en").out
    assert "| The programmes | `programmes` | (table below) |" in md
    assert "### The programmes `programmes`\n\n| id | name | name\\_en | audiences | online | commissioned | funding | funds | funds\\_en | apply\\_via | apply\\_via\\_en | budget | section |" in md


@pytest.mark.parametrize("year, name", [(2019, "令和元"), (2022, "令和4"), (2023, "令和5"), (2018, "平成30")])
def test_fiscal_years_are_named_by_their_era(year, name):
    assert era(year) == name


def test_operators_keep_their_grouping_in_words(hostile, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(HOSTILE.replace('x == "</code><script>"', '(x == "a" or x == "b") and not (x == "c")'), "utf-8")
    p = engine.load_file(path)
    reader = Reader(p, "en")
    assert reader.text(p.rules["r"].node) == (
        '(“<img src=x onerror=alert(1)>” = "a" or “<img src=x onerror=alert(1)>” = "b") '
        'and not (“<img src=x onerror=alert(1)>” = "c")')
