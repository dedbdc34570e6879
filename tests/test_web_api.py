# SPDX-License-Identifier: MIT
"""The JSON API and the pages through Starlette's test client: every endpoint, each error path, the limits."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from engine.web.app import create_app
from engine.web.service import Limits
from web_util import ROOT, git_workspace

GROUND_1 = ROOT / "examples" / "ibaraki-2022" / "ground-1-cost-share-smaller.yaml"
CORPUS = Path("/work/shared/corpus/mhlw-r7-facilities.csv")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ROOT / "policies")) as c:
        yield c


@pytest.fixture(scope="module")
def small():
    """A server with tiny limits: 2,000 bytes a body, 3 rows a batch."""
    with TestClient(create_app(ROOT / "policies", Limits(upload_bytes=2000, rows=3))) as c:
        yield c


@pytest.fixture(scope="module")
def gitted(tmp_path_factory):
    with TestClient(create_app(git_workspace(tmp_path_factory.mktemp("ws")))) as c:
        yield c


def codes(r) -> list[str]:
    return [d["code"] for d in r.json()["diagnostics"]]


# --------------------------------------------------------------------------- policies

def test_the_policy_list_names_each_version_with_its_era_year_and_title(client):
    r = client.get("/api/policies")
    assert r.status_code == 200
    ibaraki = next(p for p in r.json()["policies"] if p["id"] == "ibaraki")
    assert (ibaraki["fiscal_year"], ibaraki["era"]) == (2022, "令和4")
    assert ibaraki["title"]["ja"].startswith("令和4年度")
    assert "eligible" in ibaraki["results"]


def test_a_resolved_policy_gives_each_fact_its_declaration_and_each_rule_its_origin(client):
    r = client.get("/api/policies/ibaraki/R4")
    assert r.status_code == 200
    body = r.json()
    assert body["facts"]["emergency_tier"]["spec"]["values"] == ["none", "secondary", "tertiary"]
    assert body["rules"]["eligible"]["origin"]["line"] > 0


@pytest.mark.parametrize("url, code", [
    ("/api/policies/ibarak/2022", "unknown_policy"),
    ("/api/policies/ibaraki/2031", "unknown_policy"),
    ("/api/policies/ibaraki/R44x", "bad_year"),
    ("/api/policies/..%5C..%5Cetc/2022", "unknown_policy"),
    ("/api/policies/IBARAKI/2022", "unknown_policy"),
])
def test_a_policy_that_is_not_in_the_folder_is_a_422_with_the_cli_code(client, url, code):
    r = client.get(url)
    assert r.status_code == 422
    assert codes(r) == [code]


def test_a_policy_outside_the_folder_cannot_be_named_by_a_path(client):
    r = client.get("/api/policies/../../etc/passwd")
    assert r.status_code == 404


# --------------------------------------------------------------------------- one facility

def test_one_facility_is_evaluated_with_its_conclusion_and_amount(client):
    r = client.post("/api/policies/ibaraki/2022/evaluate", content=GROUND_1.read_bytes())
    assert r.status_code == 200
    body = r.json()
    assert body["conclusion"] == "eligible"
    assert body["results"]["grant_amount"] == 6833000
    assert "trace" not in body


def test_the_trace_is_given_on_request(client):
    r = client.post("/api/policies/ibaraki/2022/evaluate?trace=true", json={"emergency_tier": "secondary"})
    assert r.status_code == 200
    body = r.json()
    assert body["conclusion"] == "undecided"
    assert "ambulance_transports" in body["needed_facts"]
    assert {e["rule"] for e in body["trace"]} >= {"eligible", "grant_amount"}


def test_a_bad_fact_is_located_in_the_body_with_the_clis_message(client):
    r = client.post("/api/policies/ibaraki/2022/evaluate",
                    content='{"emergency_tier": "secondary",\n "ambulance_transports": "abc"}'.encode())
    assert r.status_code == 422
    (d,) = r.json()["diagnostics"]
    assert (d["code"], d["file"], d["line"], d["column"]) == ("bad_fact", "body", 2, 26)
    assert d["message"] == 'ambulance_transports must be a whole number but got "abc"'
    assert "整数" in d["message_ja"]


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples" / "ibaraki-2022").glob("*.yaml")))
def test_a_facility_posted_as_json_gets_the_same_answer_as_its_yaml_file(client, example):
    text = (ROOT / "examples" / "ibaraki-2022" / example).read_bytes()
    as_json = json.dumps(_yaml(ROOT / "examples" / "ibaraki-2022" / example), ensure_ascii=False, default=str)
    a = client.post("/api/policies/ibaraki/2022/evaluate", content=text)
    b = client.post("/api/policies/ibaraki/2022/evaluate", content=as_json.encode())
    assert (a.status_code, a.json()) == (b.status_code, b.json())


@pytest.mark.parametrize("body, where", [
    ('{"emergency_tier": "secondary",\n "emergency_tier": "tertiary"}', (2, 2)),  # a repeated key
    ('{"emergency_tier": "secondary",\n "ambulance_transports": NaN}', (2, 26)),
    ('{"ambulance_transports": 1450,\n "completion_date": "2023/02/28"}', None),  # a note, not an error
])
def test_json_the_quick_reader_leaves_to_the_yaml_reader_is_still_located(client, body, where):
    from engine.evaluation.facts import load_facts_file
    from engine.policy.cache import load_policy_cached
    policy = load_policy_cached(str(ROOT / "policies" / "ibaraki" / "2022.yaml"))
    if where is None:
        facts = load_facts_file("body", policy, text=body)
        assert [(n.code, n.location.line) for n in facts.notes] == [("fact_normalised", 2)]
        from engine.evaluation.facts import check_facts
        from engine.policy.yamlio import read_document
        doc = read_document("body", body, syntax_code="facts_syntax", mapping="facts_syntax")
        assert facts == check_facts(doc.data, policy, doc.at)  # what the YAML reader alone gives
        return
    r = client.post("/api/policies/ibaraki/2022/evaluate", content=body.encode())
    d = r.json()["diagnostics"][0]
    assert (r.status_code, d["file"], d["line"]) == (422, "body", where[0])


def test_a_decimal_in_json_keeps_the_exact_value_it_was_written_as():
    from fractions import Fraction

    from engine.policy.yamlio import plain_json
    assert plain_json('{"x": 0.1000000000000000055511}')["x"].exact == Fraction("0.1000000000000000055511")
    assert plain_json('{"x": 1e999}') is None and plain_json("[1]") is None and plain_json('{"x": 1, "x": 2}') is None


@pytest.mark.parametrize("body, code", [
    (b"", "facts_syntax"),
    (b"[1, 2]", "facts_syntax"),
    (b"{emergency_tier: [", "facts_syntax"),
    (b'{"no_such_fact": 1}', "unknown_fact"),
    (b"\xff\xfe{}", "not_utf8"),
])
def test_a_body_that_is_not_a_facts_mapping_is_a_422(client, body, code):
    r = client.post("/api/policies/ibaraki/2022/evaluate", content=body)
    assert r.status_code == 422
    assert codes(r)[0] == code


def test_trace_must_be_true_or_false(client):
    r = client.post("/api/policies/ibaraki/2022/evaluate?trace=maybe", json={})
    assert (r.status_code, codes(r)) == (422, ["usage"])


# --------------------------------------------------------------------------- batch

def test_a_batch_streams_one_record_a_line_and_a_bad_row_does_not_sink_the_others(client):
    rows = [{"id": "a", "emergency_tier": "secondary"}, {"id": "b", "emergency_tier": "bogus"},
            json.loads(json.dumps({"id": "c", **_yaml(GROUND_1)}, default=str))]
    body = "\n".join(json.dumps(x, ensure_ascii=False, default=str) for x in rows) + "\n"
    r = client.post("/api/policies/ibaraki/2022/batch", content=body.encode())
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(x) for x in r.text.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert out[0]["results"]["eligible"] is None
    assert out[1]["error"]["code"] == "bad_fact"
    assert out[2]["results"]["grant_amount"] == 6833000


def _yaml(path: Path) -> dict:
    from ruamel.yaml import YAML
    return YAML(typ="safe").load(path.read_text("utf-8"))


def test_a_batch_over_the_row_limit_is_refused_before_it_runs(small):
    body = b"".join(b'{"id": "%d"}\n' % i for i in range(4))
    r = small.post("/api/policies/ibaraki/2022/batch", content=body)
    assert r.status_code == 422
    (d,) = r.json()["diagnostics"]
    assert d["code"] == "too_many_rows"
    assert "at most 3" in d["message"] and "3 行" in d["message_ja"]


def test_a_body_over_the_upload_limit_is_a_413_that_says_the_limit(small):
    r = small.post("/api/policies/ibaraki/2022/evaluate", content=b"{" + b" " * 80_000 + b"}")
    assert r.status_code == 413
    (d,) = r.json()["diagnostics"]
    assert d["code"] == "file_too_large" and "2,000 bytes" in d["message"]


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(small):
    def chunks():
        for _ in range(100):
            yield b" " * 1000
    r = small.post("/api/policies/ibaraki/2022/evaluate", content=chunks())
    assert r.status_code == 413


# --------------------------------------------------------------------------- diff

def test_a_diff_of_two_git_revisions_shows_the_changed_parameter_and_the_money(gitted):
    r = gitted.post("/api/diff", json={"old": {"policy": "ibaraki", "year": 2022, "rev": "HEAD~1"},
                                       "new": {"policy": "ibaraki", "year": "R4"}, "facilities": "examples"})
    assert r.status_code == 200
    report = r.json()
    assert [c["name"] for c in report["structural"]["parameters"]["changed"]] == ["unit_per_bed"]
    assert report["verdict"]["kind"] == "facilities_change" and report["verdict"]["delta"] == {"grant_amount": 1291000}
    assert report["behavioural"]["facilities"] == 14
    (group,) = report["behavioural"]["groups"]
    assert group["count"] == 4 and group["totals"]["grant_amount"]["delta"] == 1291000
    assert re.fullmatch(r"[0-9a-f]{40}", report["old"]["rev"]) and report["old"]["spec"] == "ibaraki/2022@HEAD~1"
    assert "proof" not in report


def test_a_diff_with_prove_gives_the_solvers_verdict(gitted):
    r = gitted.post("/api/diff", json={"old": {"policy": "ibaraki", "year": 2022, "rev": "HEAD~1"},
                                       "new": {"policy": "ibaraki", "year": 2022}, "prove": True})
    assert r.status_code == 200
    report = r.json()
    assert report["proof"]["status"] == "differs" and report["verdict"]["kind"] == "proved_different"
    assert report["proof"]["results"]["eligible"]["status"] == "equal"
    r = gitted.post("/api/diff", json={"old": {"policy": "ibaraki", "year": 2022},
                                       "new": {"policy": "ibaraki", "year": 2022}, "prove": "yes"})
    assert (r.status_code, codes(r)) == (422, ["usage"])


def test_a_diff_over_the_callers_own_facilities_reads_each_as_a_row_and_keeps_bad_ones_to_their_row(gitted):
    from ruamel.yaml import YAML
    example = YAML(typ="safe").load((ROOT / "examples/ibaraki-2022/ground-2a-bed-cap-smaller.yaml").read_text("utf-8"))
    own = json.dumps({k: v for k, v in example.items() if k != "name"}, ensure_ascii=False, default=str)
    # the second item repeats a field: the same error as that line of a JSONL file, and only for that row
    body = ('{"old": {"policy": "ibaraki", "year": 2022, "rev": "HEAD~1"}, "new": {"policy": "ibaraki", "year": 2022},'
            ' "facilities": [' + own + ', {"ambulance_transports": 1200, "ambulance_transports": 900}]}')
    r = gitted.post("/api/diff", content=body.encode("utf-8"))
    assert r.status_code == 200, r.text
    report = r.json()["behavioural"]
    assert report["facilities"] == 2
    (group,) = report["groups"]
    assert group["count"] == 1 and group["totals"]["grant_amount"]["delta"] > 0
    (bad,) = report["errors"]
    assert bad["facility"] == "facilities.jsonl:2" and [d["code"] for d in bad["diagnostics"]] == ["bad_row"]


def test_own_facilities_past_the_row_limit_are_refused_before_the_review_runs(small):
    body = {"old": {"policy": "ibaraki", "year": 2022}, "new": {"policy": "ibaraki", "year": 2022},
            "facilities": [{"beds": i} for i in range(4)]}
    r = small.post("/api/diff", json=body)
    assert (r.status_code, codes(r)) == (422, ["too_many_rows"])
    assert small.post("/api/diff", json={**body, "facilities": body["facilities"][:3]}).status_code == 200


@pytest.mark.parametrize("rev", ["--output=/tmp/x", "HEAD..main", "a b", "HEAD:../../etc/passwd", "@{-1}", "",
                                 "no-such-branch", "HEAD~5", "--end-of-options"])
def test_a_revision_that_is_not_a_plain_git_name_is_refused(gitted, rev):
    r = gitted.post("/api/diff", json={"old": {"policy": "ibaraki", "year": 2022, "rev": rev or "-"},
                                       "new": {"policy": "ibaraki", "year": 2022}})
    assert (r.status_code, codes(r)) == (422, ["git_revision"])


def test_a_revision_in_a_folder_outside_git_is_refused(client, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "2022.yaml").write_bytes((ROOT / "policies" / "ibaraki" / "2022.yaml").read_bytes())
    with TestClient(create_app(tmp_path / "p")) as c:
        r = c.post("/api/diff", json={"old": {"policy": "ibaraki", "year": 2022, "rev": "HEAD"},
                                      "new": {"policy": "ibaraki", "year": 2022}})
    assert (r.status_code, codes(r)) == (422, ["git_revision"])


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"old": {}}', b'{"old": {"policy": "ibaraki", "year": true}}',
                                  b'{"old": {"policy": "ibaraki", "year": 2022}, "new": {"policy": "ibaraki", '
                                  b'"year": 2022}, "facilities": "/etc"}',
                                  b'{"old": {"policy": "ibaraki", "year": 2022}, "new": {"policy": "ibaraki", '
                                  b'"year": 2022}, "facilities": "table"}'])
def test_a_diff_body_that_does_not_name_two_versions_is_a_usage_error(client, body):
    r = client.post("/api/diff", content=body)
    assert (r.status_code, codes(r)) == (422, ["usage"])


# --------------------------------------------------------------------------- check

def test_a_draft_is_checked_in_memory_with_its_versions_tests_and_coverage(client):
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8")
    r = client.post("/api/check", json={"text": text, "name": "2022.yaml"})
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True and body["tests"]["fail"] == 0 and body["tests"]["pass"] > 10
    assert 0 < body["coverage"]["covered"] <= body["coverage"]["total"]
    assert 0 < body["clause_coverage"]["accounted"] <= body["clause_coverage"]["total"]


def test_a_broken_draft_gives_located_diagnostics_and_writes_nothing(client, tmp_path):
    before = sorted(p.name for p in (ROOT / "policies").rglob("*"))
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8").replace(
        "fiscal_year: 2022\n", "fiscal_year: 2022\nno_such_key: 1\n", 1)
    r = client.post("/api/check", json={"text": text})
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is False
    d = body["diagnostics"][0]
    assert (d["code"], d["file"], d["line"]) == ("policy_schema", "draft.yaml", 12)
    assert sorted(p.name for p in (ROOT / "policies").rglob("*")) == before


@pytest.mark.parametrize("body", [{"text": 1}, {}, {"text": "", "name": "../x.yaml"}, {"text": "", "name": "x.txt"}])
def test_a_check_body_without_text_or_with_a_path_as_name_is_a_usage_error(client, body):
    r = client.post("/api/check", json=body)
    assert (r.status_code, codes(r)) == (422, ["usage"])


# --------------------------------------------------------------------------- documents and headers

def test_the_openapi_document_lists_every_endpoint(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/api/policies", "/api/policies/{policy}/{year}", "/api/policies/{policy}/{year}/evaluate",
                                 "/api/policies/{policy}/{year}/batch", "/api/diff", "/api/check"}


def test_the_api_docs_page_describes_each_operation(client):
    r = client.get("/api/docs")
    assert r.status_code == 200 and "POST /api/diff" in r.text


@pytest.mark.parametrize("url", ["/", "/api/policies", "/static/workbench.css", "/no/such/page"])
def test_every_response_carries_the_security_headers(client, url):
    h = client.get(url).headers
    assert "script-src 'self'" in h["content-security-policy"] and "unsafe-inline" not in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"


def test_pages_hold_no_inline_script(client):
    for url in ["/", "/policies/ibaraki/2022", "/evaluate/ibaraki/2022", "/batch", "/review", "/check", "/api/docs"]:
        html = client.get(url).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url
        assert " on" not in re.sub(r"<[^>]*>", "", html) or not re.search(r"<[^>]+\son[a-z]+=", html), url


# --------------------------------------------------------------------------- pages

def _conclusion(html: str) -> str:
    return re.search(r'id="conclusion">([^<]*)<', html).group(1)


@pytest.mark.parametrize("example, want", [("ground-1-cost-share-smaller", "対象"),
                                           ("excluded-regional-care-addon", "対象外"),
                                           ("missing-facts-under-review", "判定不能")])
def test_an_example_loads_into_the_form_and_leads_with_its_conclusion(client, example, want):
    r = client.get(f"/evaluate/ibaraki/2022?example={example}", follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and _conclusion(page.text) == want


def test_the_form_url_is_a_permalink_and_empty_fields_stay_unknown(client):
    r = client.get("/evaluate/ibaraki/2022?run=1&f.emergency_tier=secondary&f.ambulance_transports=&f.has_acute_ward=yes")
    assert _conclusion(r.text) == "判定不能"
    assert 'href="#f-ambulance_transports"' in r.text
    assert '<option value="secondary" selected>' in r.text


def test_a_bad_field_is_shown_with_a_link_to_it_and_a_422(client):
    r = client.get("/evaluate/ibaraki/2022?run=1&f.ambulance_transports=%EF%BC%91%EF%BC%92")
    assert r.status_code == 422
    assert 'href="#f-ambulance_transports"' in r.text and "bad_fact" in r.text


def test_rows_of_a_list_of_records_are_added_and_removed_without_javascript(client):
    base = "/evaluate/ibaraki/2022?f.expenses.0.item=a&f.expenses.0.amount=1&f.expenses.1.item=b"
    added = client.get(base + "&action=add:expenses").text
    assert 'name="f.expenses.2.item"' in added
    removed = client.get(base + "&action=remove:expenses:0").text
    assert 'name="f.expenses.1.item"' not in removed and 'value="b"' in removed


def test_facts_download_as_yaml_and_upload_back_to_the_same_form(client):
    url = "/evaluate/ibaraki/2022/facts.yaml?f.emergency_tier=secondary&f.expenses.0.item=x&f.expenses.0.amount=1,000"
    y = client.get(url)
    assert y.status_code == 200 and "attachment" in y.headers["content-disposition"]
    assert "amount: 1000" in y.text
    r = client.post("/evaluate/ibaraki/2022/upload", files={"facts": ("f.yaml", y.content)}, follow_redirects=False)
    assert r.status_code == 303
    assert "f.expenses.0.amount=1000" in r.headers["location"] and "f.emergency_tier=secondary" in r.headers["location"]
    j = client.get(url.replace("facts.yaml", "facts.json"))
    assert j.json()["expenses"][0]["amount"] == 1000


def test_an_uploaded_facts_file_with_an_error_is_shown_located(client):
    r = client.post("/evaluate/ibaraki/2022/upload", files={"facts": ("f.yaml", b"ambulance_transports: [1\n")})
    assert r.status_code == 422 and "facts_syntax" in r.text and "f.yaml:" in r.text


def test_the_policy_page_finds_rules_by_word_and_by_article(client):
    all_rules = client.get("/policies/ibaraki/2022").text.count('<tr id="r-')
    by_word = client.get("/policies/ibaraki/2022?q=grant_amount").text.count('<tr id="r-')
    by_article = client.get("/policies/ibaraki/2022?article=第６条").text
    assert 0 < by_word < all_rules
    assert 'id="r-grant_amount"' in by_article and 'id="r-report_due"' not in by_article


def test_the_policy_page_shows_the_clause_text_beside_a_rule(client):
    page = client.get("/policies/ibaraki/2022?q=grant_amount").text
    row = page[page.index('<tr id="r-grant_amount"'):]
    row = row[:row.index("</tr>")]
    assert "<blockquote>" in row and "補助金" in row


def test_pages_are_japanese_by_default_and_english_on_request(client):
    assert "交付要項の一覧" in client.get("/").text
    r = client.get("/?lang=en")
    assert "Subsidy guidelines" in r.text and "yoko_lang=en" in r.headers["set-cookie"]
    client.cookies.clear()


def test_a_batch_runs_off_the_event_loop_and_offers_xlsx_and_csv(client):
    table = b"id,emergency_tier,ambulance_transports\nA,secondary,1500\nB,tertiary,x\n"
    r = client.post("/batch", data={"policy": "ibaraki/2022"}, files={"table": ("t.csv", table)}, follow_redirects=False)
    assert r.status_code == 303
    page = _finished(client, r.headers["location"])
    assert "2 行" in re.search(r'id="summary">([^<]*)<', page).group(1)
    assert "<svg" in page
    csv = client.get(r.headers["location"] + "/results.csv")
    assert csv.status_code == 200 and csv.text.splitlines()[2].startswith("3,B,")
    assert client.get(r.headers["location"] + "/results.xlsx").content[:2] == b"PK"


def _finished(client, url: str) -> str:
    for _ in range(200):
        page = client.get(url).text
        if 'class="status running"' not in page:
            return page
        time.sleep(0.05)
    raise AssertionError("the batch did not finish")


def test_a_batch_over_the_row_limit_fails_with_a_clear_message(small):
    table = b"id,emergency_tier\n" + b"".join(b"%d,secondary\n" % i for i in range(5))
    r = small.post("/batch", data={"policy": "ibaraki/2022"}, files={"table": ("t.csv", table)}, follow_redirects=False)
    page = _finished(small, r.headers["location"])
    assert "too_many_rows" in page and "3 行" in page
    assert small.get(r.headers["location"] + "/results.csv").status_code == 404


def test_a_batch_upload_that_is_not_a_table_is_refused(client):
    r = client.post("/batch", data={"policy": "ibaraki/2022"}, files={"table": ("t.txt", b"x")})
    assert r.status_code == 422 and "batch_format" in r.text
    assert client.get("/batch/nosuchjob").status_code == 404


def test_a_review_of_two_revisions_shows_the_verdict_and_the_money_by_cause(gitted):
    r = gitted.get("/review?old=ibaraki/2022&old_rev=HEAD~1&new=ibaraki/2022&new_rev=&facilities=examples")
    assert r.status_code == 200
    verdict = re.sub(r"<[^>]+>", "", re.search(r'<p class="verdict [a-z_]+" id="verdict">(.*?)</p>', r.text).group(1))
    assert verdict == "判定: 4 施設の結果が変わる（14 施設中）、Δ合計 grant_amount +1,291,000 円"
    assert 'data-verdict="facilities_change"' in r.text and "ibaraki/2022@HEAD~1" in r.text
    cause = re.search(r"<h4>(原因: パラメータ unit_per_bed[^<]*)</h4>", r.text).group(1)
    assert "133,000 円 → 140,000 円" in cause and cause.endswith("— 4 施設")
    assert re.search(r'<div class="side">.*133000.*140000', r.text, re.S) or "<del>133,000" in r.text
    assert 'id="no-proof"' in r.text  # the proof only when asked for


def test_a_review_with_the_solver_shows_where_the_versions_differ_for_every_facility(gitted):
    r = gitted.get("/review?old=ibaraki/2022&old_rev=HEAD~1&new=ibaraki/2022&facilities=none&prove=1")
    assert r.status_code == 200 and 'id="no-proof"' not in r.text
    assert "<strong>grant_amount: 異なる施設がある</strong>" in r.text
    assert "eligible: すべての施設で等しい（証明済み）" in r.text


def test_a_review_of_two_fiscal_years_needs_no_git(client):
    r = client.get("/review?old=ibaraki/2022&new=ibaraki/2022&facilities=none")
    assert r.status_code == 200 and 'data-verdict="identical"' in r.text


@pytest.mark.parametrize("rev", ["--output=/tmp/x", "HEAD..main", "-1", "main:x", "no-such-branch", "HEAD~99"])
def test_the_review_page_refuses_a_revision_that_is_not_a_commit_name(gitted, rev):
    from urllib.parse import quote
    r = gitted.get(f"/review?old=ibaraki/2022&old_rev={quote(rev)}&new=ibaraki/2022")
    assert r.status_code == 422 and "git_revision" in r.text


def test_the_review_style_sheet_is_scoped_to_the_report(client):
    r = client.get("/review.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    rules = re.findall(r"([^{}]+)\{", r.text)
    assert rules and all(sel.strip().startswith(".diff-report ") for rule in rules for sel in rule.split(","))


def test_the_check_page_highlights_the_line_of_each_error(client):
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8").replace(
        "fiscal_year: 2022\n", "fiscal_year: 2022\nno_such_key: 1\n", 1)
    r = client.post("/check", data={"text": text})
    assert r.status_code == 200
    assert re.search(r'<li id="L12" class="marked"><code>no_such_key: 1</code>', r.text)


def test_the_serve_command_warns_only_when_reachable_from_other_machines():
    from engine.cli.serve import exposed
    assert [exposed(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5")] == \
        [False, False, False, True, True]


def test_a_policy_edited_while_the_server_runs_is_read_again(tmp_path):
    (tmp_path / "p").mkdir()
    path = tmp_path / "p" / "2022.yaml"
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8")
    path.write_text(text, "utf-8")
    with TestClient(create_app(tmp_path / "p")) as c:
        def per_bed():
            assert c.post("/api/policies/ibaraki/2022/evaluate", content=GROUND_1.read_bytes()).status_code == 200
            return c.get("/api/policies/ibaraki/2022").json()["parameters"]["unit_per_bed"]["value"]
        assert per_bed() == 133000
        path.write_text(text.replace("    value: 133000\n", "    value: 140000  # invented\n", 1), "utf-8")
        assert per_bed() == 140000
        (tmp_path / "p" / "2023.yaml").write_text(text.replace("fiscal_year: 2022\n", "fiscal_year: 2023\n", 1))
        assert c.get("/api/policies/ibaraki/2023").status_code == 200
        path.unlink()
        assert codes(c.get("/api/policies/ibaraki/2022")) == ["unknown_policy"]


@pytest.mark.parametrize("argv, want", [
    (["--max-upload-mb", "0.5", "--max-rows", "7"], (524288, 7)),
    ([], (20 * 1024 * 1024, 100_000)),
    (["--max-rows", "0"], "usage"), (["--max-upload-mb", "-1"], "usage"), (["--max-upload-mb", "nan"], "usage"),
    (["--max-upload-mb", "inf"], "usage"),
])
def test_the_serve_limits_are_its_own_options_and_refused_when_not_positive(argv, want):
    import argparse

    from engine.base.diagnostics import YokoError
    from engine.cli.serve import add_parser, limits_of
    args = add_parser(argparse.ArgumentParser().add_subparsers()).parse_args(argv)
    try:
        got = limits_of(args)
    except YokoError as e:
        got = e.diagnostics[0].code
    else:
        got = (got.upload_bytes, got.rows)
    assert got == want


def test_the_batch_chart_counts_each_outcome_and_the_bad_row_apart(client):
    rows = [{"id": ex, **_yaml(ROOT / "examples" / "ibaraki-2022" / f"{ex}.yaml")}
            for ex in ("ground-1-cost-share-smaller", "excluded-regional-care-addon", "missing-facts-under-review")]
    rows.append({"id": "bad", "emergency_tier": "bogus"})
    body = "\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows) + "\n"
    r = client.post("/batch", data={"policy": "ibaraki/2022"}, files={"table": ("t.jsonl", body.encode())},
                    follow_redirects=False)
    page = _finished(client, r.headers["location"])
    outcome = re.search(r'<svg class="chart"[^>]*>(.*?)</svg>', page, re.S).group(1)
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", outcome)
    assert dict(zip(texts[::2], texts[1::2])) == {"対象": "1", "対象外": "1", "判定不能": "1", "エラー行": "1"}
    assert page.count('<svg class="chart"') == 3  # outcomes, grounds, amounts


def test_the_check_page_shows_the_versions_tests_and_clause_coverage(client):
    text = (ROOT / "policies" / "ibaraki" / "2022.yaml").read_text("utf-8")
    r = client.post("/check", data={"text": text})
    assert r.status_code == 200 and 'id="check-status" class="ok"' in r.text
    assert re.search(r'<p id="tests">[^<]*\d', r.text) and 'id="coverage"' in r.text and 'id="clause-coverage"' in r.text


def _jsonl(*examples: str) -> bytes:
    rows = [{"id": ex, **_yaml(ROOT / "examples" / "ibaraki-2022" / f"{ex}.yaml")} for ex in examples]
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows).encode("utf-8")


def test_a_review_runs_an_uploaded_table_of_facilities_on_both_versions(gitted):
    table = _jsonl("small-hospital-under-20-beds", "ground-2a-bed-cap-smaller", "ground-1-cost-share-smaller")
    r = gitted.post("/review", data={"old": "ibaraki/2022", "old_rev": "HEAD~1", "new": "ibaraki/2022",
                                     "facilities": "table"}, files={"table": ("施設 一覧.jsonl", table)})
    assert r.status_code == 200, r.text
    verdict = re.sub(r"<[^>]+>", "", re.search(r'id="verdict">(.*?)</p>', r.text).group(1))
    assert verdict.startswith("判定: 2 施設の結果が変わる（3 施設中）")
    assert "施設_一覧.jsonl:1 架空 城里町立病院 (fictional)" in r.text


@pytest.mark.parametrize("files, code", [({}, "batch_read"), ({"table": ("t.txt", b"x")}, "batch_format")])
def test_a_review_over_a_table_needs_a_table(client, files, code):
    r = client.post("/review", data={"old": "ibaraki/2022", "new": "ibaraki/2022", "facilities": "table"}, files=files)
    assert r.status_code == 422 and code in r.text


def test_a_review_table_over_the_row_limit_is_refused(small):
    table = b"id\n1\n2\n3\n4\n"
    r = small.post("/review", data={"old": "ibaraki/2022", "new": "ibaraki/2022", "facilities": "table"},
                   files={"table": ("t.csv", table)})
    assert r.status_code == 422 and "too_many_rows" in r.text


def test_a_page_upload_over_the_limit_is_a_413_page_that_names_the_limit(small):
    r = small.post("/check", data={"text": "x" * 5000})
    assert r.status_code == 413 and "file_too_large" in r.text and "2,000" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_a_batch_body_that_is_not_utf8_is_a_422_located_in_the_body(client):
    r = client.post("/api/policies/ibaraki/2022/batch", content=b'{"id": "a"}\n\xff\n')
    assert (r.status_code, codes(r)) == (422, ["not_utf8"]) and r.json()["diagnostics"][0]["file"] == "body"


def test_an_excluded_facility_lists_no_deadline_and_an_eligible_one_does(client):
    def page(example):
        r = client.get(f"/evaluate/ibaraki/2022?example={example}", follow_redirects=False)
        return client.get(r.headers["location"]).text
    deadline = "実績報告の提出期限"  # report_due: applies_if eligible in the policy
    excluded, eligible = page("excluded-regional-care-addon"), page("ground-1-cost-share-smaller")
    block = re.compile(r'<ul id="deadlines">.*?</ul>', re.S)
    assert deadline in block.search(eligible).group(0)
    assert block.search(excluded) is None  # 該当なし: the deadlines of a grantee are not this facility's
