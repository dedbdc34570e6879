# SPDX-License-Identifier: MIT
"""`yoko render`: the policy as a document for review, in Markdown and standalone HTML."""
from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

from pathlib import Path

import pytest

import engine
from engine.base.dates import era_year as era
from engine.present.render import Reader, render

POLICY = "policies/ibaraki/2022.yaml"


NATIONAL = "policies/national/2020.yaml"


@pytest.mark.parametrize("path", [POLICY, NATIONAL])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_document_of_each_real_policy_in_markdown_is_pinned(cli, snapshot, path, lang):
    r = cli("render", path, "--lang", lang)
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
    assert (r.code, r.out) == (0, f"{out} に書き出しました\n")
    assert out.read_text("utf-8") == cli("render", POLICY, "--format", "html").out


def test_clauses_come_in_the_order_of_the_guideline_then_the_notice(cli):
    md = cli("render", POLICY).out
    articles = re.findall(r"^### 要項第(\d+)条", md, re.M)
    assert articles == [str(n) for n in range(1, 18)] + ["17", "18", "19"]
    assert md.index("## 要項: ") < md.index("### 要項「付則」") < md.index("## 通知: ") < md.index("### 通知「前文」")


def test_each_rule_is_shown_once_under_the_text_of_the_first_clause_it_cites(cli):
    md = cli("render", POLICY).out
    item_1 = md.split("#### 要項第5条第1号\n")[1].split("#### 要項第5条第2号")[0]
    assert item_1.startswith("\n> 勤務医の負担の軽減及び処遇の改善のため、勤務医の勤務状況の把握")
    assert "参照: `requirement_1`" in item_1
    for name in engine.load_file(POLICY).rules:
        assert md.count(f"参照: `{name}`") == 1, name


def test_an_item_citing_several_clauses_is_referred_to_from_the_others(cli):
    md = cli("render", POLICY, "--lang", "en").out
    art2 = md.split("### Guideline Art. 2 (")[1].split("\n#### ")[0]
    assert md.count("Reference: `eligible`") == 1 and "Reference: `eligible`" in art2
    art5 = md.split("### Guideline Art. 5 (")[1].split("\n#### ")[0]
    assert "- → Rule “Eligible for the subsidy” is shown under Guideline Art. 2\n" in art5


def test_a_clause_stated_by_a_note_is_marked_as_not_computed_with_the_notes_reason(cli):
    md = cli("render", POLICY).out
    art3 = md.split("### 要項第3条（補助対象事業）")[1].split("### 要項第4条")[0]
    assert "▸ **この条項は計算しない（注）**" in art3
    assert "本ポリシーは事業の内容を審査しない" in art3
    art9_2 = md.split("#### 要項第9条第2項")[1].split("####")[0]
    assert "この条項は計算しない" in art9_2


def test_a_noted_clause_under_one_a_rule_computes_is_marked_as_computed_there(cli):
    md = cli("render", POLICY).out
    proviso = md.split("#### 要項第4条第1項「ただし書」")[1].split("\n#### ")[0]
    assert "▸ **要項第4条第1項に掲げる規則等で計算する**" in proviso and "計算しない" not in proviso


def test_an_out_of_scope_clause_is_marked_with_its_reason(cli):
    md = cli("render", NATIONAL, "--lang", "en").out
    last = md.split("### 都道府県へのお願い")[1]
    assert "▸ **Out of scope: The last heading, 「都道府県へのお願い」" in last


def test_a_clause_nobody_accounts_for_is_marked_as_handled_by_no_rule(cli, tmp_path):
    text = Path(POLICY).read_text("utf-8")
    assert text.count("    cite: {source: guideline, article: 3}\n") == 1
    (tmp_path / "2022.yaml").write_text(text.replace("    cite: {source: guideline, article: 3}\n",
                                                     "    cite: {source: guideline, article: 4, paragraph: 1}\n"))
    (tmp_path / "2022.source.yaml").write_text(Path(POLICY.replace(".yaml", ".source.yaml")).read_text("utf-8"))
    md = cli("render", str(tmp_path / "2022.yaml"), "--lang", "en").out
    art3 = md.split("### Guideline Art. 3 (")[1].split("### ")[0]
    assert "▸ **No rule or note handles this clause**" in art3
    assert "88 clauses: computed 51, stated 36, out of scope 0, not accounted for 1" in md


def test_every_clause_text_is_printed_verbatim_in_both_languages(cli):
    from engine.policy.sources import find_source
    src = find_source(POLICY)
    for lang in ("ja", "en"):
        md = cli("render", POLICY, "--lang", lang).out
        quoted = "\n".join(line[2:] for line in md.splitlines() if line.startswith("> "))
        for c in src.clauses:
            if c.text:
                assert _md_unescape(c.text) in _md_unescape(quoted), c.key


def _md_unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def test_the_header_names_the_documents_date_and_section_in_wareki_in_japanese(cli):
    ja = cli("render", POLICY).out.split("## ")[0]
    assert "- **日付**: 令和4年10月7日\n- **担当**: 茨城県保健医療部医療局医療人材課\n" in ja
    assert "- **施行日**: 令和4年10月7日\n- **適用日**: 令和4年4月1日\n" in ja
    en = cli("render", POLICY, "--lang", "en").out.split("## ")[0]
    assert "- **Date**: 2022-10-07\n- **Responsible section**: Medical Workforce Division" in en


def test_a_policy_without_a_document_block_has_no_version_date_or_section(cli):
    head = cli("render", NATIONAL).out.split("## ")[0]
    assert "**版**" not in head and "**日付**" not in head and "**担当**" not in head


def test_japanese_units_and_no_raw_periods_in_the_japanese_document(cli):
    md = cli("render", POLICY).out
    assert "整数 / yen" not in md and "| yen |" not in md and "cases" not in md and "暦年 -1" not in md
    assert "| 2021年（暦年） |" in md and "| 円 |" in md and "| 件 |" in md


def _policy_words(path: str, lang: str) -> list[str]:
    """Every text the policy and its source supply (labels, notes, titles, source text), longest first."""
    from engine.policy.sources import find_source
    out: list[str] = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == lang or k not in ("ja", "en"):
                    out.append(str(k))
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            out.append(x)
    policy = engine.load_file(path)
    walk(policy.meta)
    for table in (policy.facts, policy.parameters, policy.rules):
        for name, item in table.items():
            out.append(name)
            walk(item.spec)
            out.extend(_all_strings(getattr(item, "value", None)))
            out += re.findall(r"[A-Za-z_][A-Za-z0-9_]*", getattr(item, "text", ""))  # names the reading shows
    src = find_source(path)
    out += [c.text for c in src.clauses if c.text] + [c.heading for c in src.clauses if c.heading]
    walk(src.documents)
    return sorted({s for s in out if len(s) > 1 or not s.isascii()}, key=len, reverse=True)


def _all_strings(x) -> list[str]:
    """Every key and text in a value (a table's columns may be named ja and en: none is skipped here)."""
    if isinstance(x, dict):
        return [s for k, v in x.items() for s in [str(k), *_all_strings(v)]]
    if isinstance(x, list):
        return [s for v in x for s in _all_strings(v)]
    return [x] if isinstance(x, str) else []


def _without_source_text(md: str) -> str:
    """The document without the clause text (quoted lines) and the code (fences and spans)."""
    md = "\n".join(line for line in md.splitlines() if not line.startswith(">"))
    return re.sub(r"```.*?```", "", md, flags=re.S)


@pytest.mark.parametrize("path", [POLICY, NATIONAL])
def test_the_japanese_document_has_no_english_interface_words(cli, path):
    md = _without_source_text(cli("render", path).out)
    md = re.sub(r"`[^`]*`", "", _md_unescape(md))
    for s in _policy_words(path, "ja"):
        md = md.replace(s, "")
    assert re.findall(r"[A-Za-z]{2,}", md) == []


@pytest.mark.parametrize("path", [POLICY, NATIONAL])
def test_the_english_document_has_no_japanese_interface_words(cli, path):
    md = _without_source_text(cli("render", path, "--lang", "en").out)
    md = re.sub(r"`[^`]*`", "", _md_unescape(md))
    for s in _policy_words(path, "en"):
        md = md.replace(s, "")
    assert re.findall(r"[\u3040-\u30ff\u3400-\u9fff]+", md) == []


def test_json_metadata_lists_every_clause_with_its_items_and_the_coverage(cli):
    import json
    from engine.review.clauses import clause_coverage
    from engine.policy.sources import find_source
    r = cli("render", POLICY, "--format", "json", "--lang", "en")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert (data["policy"], data["fiscal_year"]) == ("ibaraki", 2022)
    assert data["document"] == {"date": "2022-10-07", "section": {
        "ja": "茨城県保健医療部医療局医療人材課",
        "en": "Medical Workforce Division, Health and Medical Care Department, Ibaraki Prefecture"}}
    cov = clause_coverage(engine.load_file(POLICY), find_source(POLICY))
    assert data["coverage"] == {"total": cov.total, **cov.counts()} and data["coverage"]["missing"] == 0
    assert len(data["clauses"]) == cov.total
    shown = [i["name"] for c in data["clauses"] for i in c["items"] if i["kind"] == "rule"]
    assert sorted(shown) == sorted(engine.load_file(POLICY).rules)
    art5_1 = next(c for c in data["clauses"] if c["cite"] == {"source": "guideline", "article": 5, "item": 1})
    assert art5_1["label"] == "Guideline Art. 5(i)" and art5_1["text"].startswith("勤務医の負担の軽減")
    assert {"kind": "rule", "name": "requirement_1"} in art5_1["items"]


def test_the_html_prints_on_a4_and_keeps_headings_with_what_follows(cli):
    page = cli("render", POLICY, "--format", "html").out
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@page { size: A4;" in style
    assert "h1, h2, h3, h4, h5, h6 { break-after: avoid;" in style
    assert re.search(r"section\.entry \{[^}]*break-inside: avoid", style)
    assert "<script" not in page and "<link" not in page


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
    assert parser.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "h5", "p",
                           "strong", "code", "pre", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "dl",
                           "dt", "dd", "section", "div", "aside", "blockquote"}
    assert set(parser.attrs) <= {"lang", "charset", "name", "content", "id", "class"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@import" not in style and "url(" not in style


def test_markdown_escapes_markup_and_table_bars(hostile):
    md = render(hostile, "en", "markdown")
    assert md.startswith("# \\<script\\>alert(1)\\</script\\> \\| \\*guideline\\*\n")
    assert "| \\<i\\>G\\</i\\> | a\\|b |  |  |" in md
    assert "##### a \\| b \\`c\\` \\*\\*d\\*\\*\n\n" in md and "Reference: `r`" in md
    assert "<iframe>" not in md and "<script>" not in md.split("```")[0]


def test_a_table_parameter_is_shown_as_its_own_table(cli):
    md = cli("render", "policies/national/2020.yaml", "--lang", "en").out
    entry = md.split("##### Parameter: The programmes\n\n")[1].split("#####")[0]
    assert entry.startswith("- **Value**: (table below)\n")
    assert "| id | name | audiences | online | commissioned | funding | funds | apply\\_via | budget | section |" in entry
    assert "| \"centre\\_advice\" | \"Advice to the support centres\" |" in entry  # name_en in English


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
