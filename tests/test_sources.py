# SPDX-License-Identifier: MIT
"""The source text beside each real policy (policies/*/*.source.yaml): it follows its schema, and
its words are the extracted documents' words — nothing missing, nothing added but layout."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
EXTRACTS = ROOT / "tests" / "data" / "sources"
SOURCE_FILES = ["policies/ibaraki/2022.source.yaml", "policies/national/2020.source.yaml"]

# What may remain of an extracted file once every clause's words are taken out of it: the
# numbers and captions that the source file keeps as keys, bullets, and the documents' own
# header lines, which the source file keeps as metadata.
STRUCTURE = re.compile(
    r"(第\d+条|\(\d\)|[アイ]|[a-g]|\d|付則|記|（交付要項）|・|"
    r"第2条第\d号[アイ]?：|【問合せ先】)*"
)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _load(path: str) -> dict:
    return _plain(YAML(typ="safe").load((ROOT / path).read_text(encoding="utf-8")))


def _squash(text: str) -> str:
    """Layout removed: list markers at line starts, math dollars, every space and line break."""
    text = re.sub(r"^\s*- ", "", text, flags=re.M)
    return re.sub(r"\s+", "", text.replace("$", ""))


def _words(clauses: list) -> list[str]:
    out = []
    for c in clauses:
        if "【" in c.get("heading", ""):
            out.append(c["heading"])
        if c.get("text"):
            out.append(c["text"])
        out.extend(_words(c.get("clauses") or []))
    return out


def _metadata(doc: dict) -> list[str]:
    return [doc[k] for k in ("title", "number", "addressee", "issuer", "contact") if doc.get(k)]


@pytest.mark.parametrize("path", SOURCE_FILES)
def test_source_file_follows_its_schema(path):
    schema = json.loads((ROOT / "schemas" / "source.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(_load(path))] == []


@pytest.mark.parametrize("path", SOURCE_FILES)
def test_every_clause_is_verbatim_and_in_document_order(path):
    doc = _load(path)
    for name, d in doc["documents"].items():
        extract = _squash((EXTRACTS / d["origin"]["file"]).read_text(encoding="utf-8"))
        at = 0
        for words in _words(d["clauses"]):
            found = extract.find(_squash(words), at)
            assert found >= 0, f"{name}: not in the extract (or out of order): {words[:40]}"
            at = found + len(_squash(words))


@pytest.mark.parametrize("path", SOURCE_FILES)
def test_nothing_of_the_extract_is_left_out_but_numbers_captions_and_headers(path):
    doc = _load(path)
    files = {d["origin"]["file"] for d in doc["documents"].values()}
    assert len(files) == 1
    rest = _squash((EXTRACTS / files.pop()).read_text(encoding="utf-8"))
    for d in doc["documents"].values():
        for words in _words(d["clauses"]):
            rest = rest.replace(_squash(words), "|", 1)
    for words in sorted((m for d in doc["documents"].values() for m in _metadata(d)), key=len, reverse=True):
        rest = rest.replace(_squash(words), "|", 1)
    for d in doc["documents"].values():
        for c in _all(d["clauses"]):
            h = c.get("heading")
            for caption in (f"({h})", f"（{h}）", h) if h else ():  # a slide heading may repeat
                if caption in rest:
                    rest = rest.replace(caption, "|", 1 if caption != h else -1)
                    break
    rest = rest.replace("令和4年10月7日", "|").replace("令和2年度の厚労省の事業", "|")  # dates and footers
    left = [piece for piece in rest.split("|") if not STRUCTURE.fullmatch(piece)]
    assert left == []


def _all(clauses: list):
    for c in clauses:
        yield c
        yield from _all(c.get("clauses") or [])


def test_the_guideline_keeps_both_articles_numbered_17_apart():
    arts = [c for c in _load(SOURCE_FILES[0])["documents"]["guideline"]["clauses"] if c.get("article") == 17]
    assert [(c["heading"], c.get("occurrence")) for c in arts] == [("補助金の返還等", None), ("財産の管理等", 2)]


def test_the_three_parts_of_the_notices_last_bullet_join_into_the_bullet():
    notice = _load(SOURCE_FILES[0])["documents"]["notice"]["clauses"]
    parts = {c["clause"]: c["text"] for c in _all(notice)}
    joined = "".join(parts[f"第2条第3号イ（{k}）"] for k in ("がん", "移植医療等", "児童精神科"))
    assert joined == ("そのほか、高度のがん治療を専門に行っている施設のうち、急性期・高度急性期病棟を持つ医療機関、"
                      "移植医療等極めて高度な手術・病棟管理を行う医療機関、"
                      "児童精神科を行う病院（この場合は精神科病床数を対象として交付）等")


# --------------------------------------------------------------------------- citations resolve to clauses

import engine  # noqa: E402
from engine.policy.sources import check_citations, find_source, squash  # noqa: E402
from engine.review.clauses import clause_coverage  # noqa: E402

IBARAKI = "policies/ibaraki/2022.yaml"
NATIONAL = "policies/national/2020.yaml"


@pytest.fixture(scope="module")
def ibaraki_src():
    return find_source(IBARAKI)


@pytest.mark.parametrize("policy", [IBARAKI, NATIONAL])
def test_every_citation_of_a_real_policy_names_a_clause_and_every_quote_is_in_it(policy):
    assert check_citations(engine.load_file(policy), find_source(policy)) == []


def _named(src, cite):
    i, why = src.resolve(cite)
    if i is None:
        return why[0]
    c = src.clauses[i]
    return c.heading or c.text


@pytest.mark.parametrize("cite, named", [
    ({"article": 17, "heading": "返還等"}, "補助金の返還等"),
    ({"article": 17, "occurrence": 2}, "財産の管理等"),
    ({"article": 17, "heading": "財産の管理等", "occurrence": 2}, "財産の管理等"),
    ({"article": 17}, "ambiguous"),
    ({"article": 17, "heading": "財産の管理等", "occurrence": 3}, "no_article"),
    ({"article": 20}, "no_article"),
    ({"article": 5, "item": 1}, "勤務医の負担の軽減及び"),
    ({"article": 5, "paragraph": 1, "item": 1}, "勤務医の負担の軽減及び"),
    ({"article": 10, "paragraph": 1}, "申請の取下げ期間"),
    ({"article": 4, "clause": "ただし書"}, "ただし、診療報酬により"),
    ({"article": 4, "paragraph": 1, "clause": "ただし書"}, "ただし、診療報酬により"),
    ({"article": 6, "paragraph": 5}, "no_clause"),
    ({"article": 8, "item": 7}, "no_clause"),
    ({"article": 5, "item": 3, "subitem": "イ", "point": "g"}, "育児休業、介護休業等"),
    ({"clause": "付則"}, "この要項は、令和 4 年"),
])
def test_a_guideline_citation_names_the_clause_a_lawyer_would_read(ibaraki_src, cite, named):
    assert _named(ibaraki_src, {"source": "guideline", **cite}).startswith(named)


def test_a_notice_entry_names_its_bullet_and_a_missing_document_names_nothing(ibaraki_src):
    assert _named(ibaraki_src, {"source": "notice", "clause": "第2条第3号ア（精神科救急）"}).startswith("精神科救急")
    assert _named(ibaraki_src, {"source": "notice", "clause": "第2条第3号ウ"}) == "no_clause"
    assert _named(ibaraki_src, {"source": "manual", "article": 1}) == "no_document"


def test_a_page_must_be_the_page_the_section_is_on():
    src = find_source(NATIONAL)
    section = "医療機関向け事業【女性医師支援センター事業】"
    assert src.resolve({"source": "overview", "section": section, "page": 5})[0] is not None
    assert src.resolve({"source": "overview", "section": section, "page": 4})[1][0] == "not_on_page"


@pytest.mark.parametrize("quote, found", [
    ("14日以内", True), ("１４日以内", True), ("14 日 以内", True), ("15日以内", False),
])
def test_quotes_ignore_digit_width_and_spaces_but_nothing_else(ibaraki_src, quote, found):
    i, _ = ibaraki_src.resolve({"source": "guideline", "article": 10})
    assert (squash(quote) in squash(ibaraki_src.full_text(i))) is found


def test_a_quote_is_checked_against_the_clauses_under_the_one_cited(ibaraki_src):
    i, _ = ibaraki_src.resolve({"source": "guideline", "article": 6, "paragraph": 2})
    assert squash("20 床未満") in squash(ibaraki_src.full_text(i))  # in its ただし書
    assert squash("20 床未満") not in squash(ibaraki_src.clauses[i].text)


def _copy(tmp_path, edit) -> str:
    for name in ("2022.yaml", "2022.source.yaml"):
        text = (ROOT / "policies" / "ibaraki" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(edit(text) if name == "2022.yaml" else text, encoding="utf-8")
    return str(tmp_path / "2022.yaml")


def test_check_reports_a_located_error_for_a_citation_that_names_no_clause(tmp_path, cli):
    path = _copy(tmp_path, lambda t: t.replace("cite: {source: guideline, article: 8, item: 5}",
                                               "cite: {source: guideline, article: 8, item: 9}", 1))
    r = cli("check", path)
    assert r.code == 2
    line = next(n for n, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1)
                if "item: 9}" in text)
    assert (f"{path}:{line}:11: unknown_clause: citation names no clause of the source text: "
            "guideline has no clause {article: 8, item: 9}") in r.err
    assert "did you mean: {article: 8, item: 6}" in r.err  # the nearest key
    assert "guideline に条項 {article: 8, item: 9} はありません" in cli("check", "--lang", "ja", path).err


def test_check_reports_a_quote_that_is_not_in_the_cited_clause(tmp_path, cli):
    path = _copy(tmp_path, lambda t: t.replace("cite: {source: guideline, article: 10}",
                                               "cite: {source: guideline, article: 10, quote: 15日以内}", 1))
    r = cli("check", path)
    assert r.code == 2
    assert 'quote_not_found: quote "15日以内" is not in the cited clause {article: 10}' in r.err


def test_a_changed_source_text_checks_the_policy_beside_it(cli):
    r = cli("check", "policies/ibaraki/2022.source.yaml")
    assert (r.code, r.out) == (0, "ok: policies/ibaraki/2022.yaml\n")


def test_a_citation_inherited_from_the_base_reads_the_clause_text_beside_the_base():
    from engine.policy.sources import clause_text
    child = engine.load_file("tests/policies/ibaraki-2023.yaml")  # invented; extends ibaraki 2022, no source text
    base = engine.load("ibaraki", 2022)
    cite = base.rules["eligible"].spec["cite"]
    cite = cite[0] if isinstance(cite, list) else cite
    text = clause_text(child, cite)
    assert text and text == clause_text(base, cite)
    assert clause_text(child, {"source": "guideline_2023", "article": 6}) is None  # the child has no source text
    assert clause_text(base, {"source": "guideline", "article": 99}) is None
