# SPDX-License-Identifier: MIT
"""The language server, in-process through pygls's LanguageServer, on the real policies."""
from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from engine.lsp.server import build, uri_of

IBARAKI = Path("policies/ibaraki/2022.yaml")
OTHER = Path("tests/cases/authoring/other-prefecture.yaml")  # invented: a child of Ibaraki FY2022


class Client:
    """Opens documents in a server and calls its features as an editor would."""

    def __init__(self, lang="en"):
        self.server = build(lang)
        self.published: list[t.PublishDiagnosticsParams] = []
        self.server.text_document_publish_diagnostics = self.published.append
        steps = self.server.protocol.lsp_initialize(t.InitializeParams(
            capabilities=t.ClientCapabilities(), root_uri=Path(".").resolve().as_uri()))
        for _ in steps:  # the initialize handshake, as pygls runs it
            pass

    def call(self, method, params):
        return self.server.protocol.fm.features[method](params)  # pygls binds the server itself

    def open(self, path: Path, text: str | None = None) -> str:
        uri = uri_of(str(path))
        text = path.read_text("utf-8") if text is None else text
        self.server.workspace.put_text_document(t.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
        self.call(t.TEXT_DOCUMENT_DID_OPEN, t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
        return uri

    def at(self, uri, line, char):
        return dict(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=line, character=char))


def _find(path: Path, needle: str) -> tuple[int, int]:
    for i, ln in enumerate(path.read_text("utf-8").splitlines()):
        if needle in ln:
            return i, ln.index(needle)
    raise AssertionError(needle)


@pytest.fixture
def client(tmp_path, monkeypatch):
    return Client()


def test_a_shipped_policy_opens_without_error_diagnostics(client):
    client.open(IBARAKI.resolve())
    [published] = client.published
    assert [d for d in published.diagnostics if d.severity == t.DiagnosticSeverity.Error] == []


def test_a_typo_in_an_expression_is_a_diagnostic_located_in_the_yaml(client):
    text = IBARAKI.read_text("utf-8").replace("expr: beds_counted * unit_per_bed", "expr: beds_countd * unit_per_bed")
    client.open(IBARAKI.resolve(), text)
    line, col = _find(IBARAKI, "expr: beds_counted * unit_per_bed")
    [d] = [d for d in client.published[-1].diagnostics if d.code == "unknown_name"]
    assert (d.range.start.line, d.range.start.character) == (line, col + len("expr: "))
    assert "beds_counted?" in d.message


def test_a_label_quoting_an_amount_the_parameter_no_longer_has_is_warned_while_typing(client):
    text = IBARAKI.read_text("utf-8").replace("value: 133000", "value: 140000", 1)
    assert text != IBARAKI.read_text("utf-8")
    client.open(IBARAKI.resolve(), text)
    stale = [d for d in client.published[-1].diagnostics if d.code == "stale_label"]
    assert stale and all(d.severity == t.DiagnosticSeverity.Warning for d in stale)
    client.open(IBARAKI.resolve())
    assert not [d for d in client.published[-1].diagnostics if d.code == "stale_label"]


def test_diagnostics_are_in_japanese_when_asked(tmp_path):
    client = Client("ja")
    client.open(IBARAKI.resolve(), IBARAKI.read_text("utf-8").replace("beds_counted * unit_per_bed", "beds_countd * 1"))
    assert any("という名前はありません" in d.message or "名前" in d.message for d in client.published[-1].diagnostics)


def test_completion_inside_an_expression_offers_facts_parameters_rules_and_built_ins(client):
    uri = client.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, "expr: beds_counted * unit_per_bed")
    got = client.call(t.TEXT_DOCUMENT_COMPLETION, t.CompletionParams(**client.at(uri, line, col + 10)))
    labels = {i.label: i.kind for i in got.items}
    assert labels["unit_per_bed"] == t.CompletionItemKind.Constant
    assert labels["max_used_beds"] == t.CompletionItemKind.Variable
    assert labels["beds_counted"] == t.CompletionItemKind.Function
    assert "round_down" in labels or "max" in labels


def test_completion_inside_a_string_offers_the_enum_values_compared(client):
    uri = client.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, 'home_care_support == "')
    got = client.call(t.TEXT_DOCUMENT_COMPLETION, t.CompletionParams(**client.at(uri, line, col + len('home_care_support == "'))))
    assert {i.label for i in got.items} >= {"enhanced_single", "enhanced_joint", "standard", "none"}


def test_completion_outside_an_expression_offers_nothing(client):
    uri = client.open(IBARAKI.resolve())
    got = client.call(t.TEXT_DOCUMENT_COMPLETION, t.CompletionParams(**client.at(uri, 0, 3)))
    assert got.items == []


def test_hover_shows_label_type_unit_citation_and_value(client):
    uri = client.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, "expr: beds_counted * unit_per_bed")
    h = client.call(t.TEXT_DOCUMENT_HOVER, t.HoverParams(**client.at(uri, line, col + len("expr: beds_counted * u"))))
    text = h.contents.value
    assert text.startswith("**unit_per_bed** (parameter) — Amount per bed (133 thousand yen)\n\n1床当たりの額（133千円）")
    assert "type: integer, unit: yen" in text and "value: 133,000 yen" in text
    assert "citation: Guideline Art. 6(2)" in text and "\n\ndefined at: " in text and text.rstrip("0123456789").endswith("policies/ibaraki/2022.yaml:")


def test_hover_is_in_the_language_the_server_was_started_in():
    ja = Client("ja")
    uri = ja.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, "expr: beds_counted * unit_per_bed")
    text = ja.call(t.TEXT_DOCUMENT_HOVER, t.HoverParams(**ja.at(uri, line, col + len("expr: beds_counted * u")))).contents.value
    assert text.startswith("**unit_per_bed** (パラメータ) — 1床当たりの額（133千円）\n\nAmount per bed")
    assert "型: 整数, 単位: 円" in text and "値: 133,000 円" in text and "出典: 要項第6条第2項" in text
    assert "\n\n定義の場所: " in text and "type:" not in text and "defined at" not in text


def test_hover_quotes_the_clause_of_the_source_text(client):
    uri = client.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, "expr: beds_counted * unit_per_bed")
    text = client.call(t.TEXT_DOCUMENT_HOVER, t.HoverParams(**client.at(uri, line, col + 23))).contents.value
    assert "\n> " in text  # the words of Art. 6(2), from policies/ibaraki/2022.source.yaml


def test_go_to_definition_follows_extends_into_the_base(client):
    uri = client.open(OTHER.resolve())
    line, col = _find(OTHER, "expr: sum(e.amount for e in expenses")
    loc = client.call(t.TEXT_DOCUMENT_DEFINITION, t.DefinitionParams(**client.at(uri, line, col + len("expr: sum(e.amount for e in exp"))))
    assert loc.uri == IBARAKI.resolve().as_uri()
    assert loc.range.start.line == _find(IBARAKI, "  expenses:")[0]


def test_rename_of_a_rule_changes_its_key_its_readers_and_the_results(client):
    uri = client.open(IBARAKI.resolve())
    line, col = _find(IBARAKI, "  beds_counted:")
    edit = client.call(t.TEXT_DOCUMENT_RENAME, t.RenameParams(new_name="beds_for_amount", **client.at(uri, line, col + 3)))
    edits = edit.changes[uri]
    text = IBARAKI.read_text("utf-8").splitlines()
    lines = sorted(e.range.start.line for e in edits)
    assert line in lines and _find(IBARAKI, "expr: beds_counted * unit_per_bed")[0] in lines
    assert all(text[e.range.start.line][e.range.start.character:e.range.end.character] == "beds_counted" for e in edits)
    renamed = list(text)
    for e in sorted(edits, key=lambda e: (e.range.start.line, -e.range.start.character)):
        ln = renamed[e.range.start.line]
        renamed[e.range.start.line] = ln[:e.range.start.character] + e.new_text + ln[e.range.end.character:]
    from engine.policy.load import load_policy
    policy = load_policy(str(IBARAKI), "\n".join(renamed) + "\n")
    assert "beds_for_amount" in policy.rules and "beds_counted" not in policy.rules


def test_rename_of_an_inherited_rule_is_refused_in_the_child(client):
    uri = client.open(OTHER.resolve())
    line, col = _find(OTHER, "[asset_costs]")
    assert client.call(t.TEXT_DOCUMENT_RENAME, t.RenameParams(new_name="x", **client.at(uri, line, col + 2))) is not None
    line, col = _find(OTHER, "    per_bed_cap:")
    assert client.call(t.TEXT_DOCUMENT_RENAME, t.RenameParams(new_name="x", **client.at(uri, line, col + 6))) is None


def test_formatting_gives_the_layout_yoko_fmt_writes_and_nothing_when_it_is_in_layout(client, tmp_path):
    from engine.policy.fmt import format_text
    text = IBARAKI.read_text("utf-8")
    assert format_text(text, str(IBARAKI)) == text  # the shipped policy is in layout: no edit
    uri = client.open(IBARAKI.resolve())
    assert client.call(t.TEXT_DOCUMENT_FORMATTING, t.DocumentFormattingParams(
        text_document=t.TextDocumentIdentifier(uri=uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True))) == []
    # keys out of the canonical order; the last line (no newline after it) holds a comment in Japanese
    messy = text.replace("id: ibaraki\n", "", 1).rstrip("\n") + "\nid: ibaraki  # 茨城県"
    path = tmp_path / "2022.yaml"
    uri = client.open(path, messy)
    edits = client.call(t.TEXT_DOCUMENT_FORMATTING, t.DocumentFormattingParams(
        text_document=t.TextDocumentIdentifier(uri=uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert len(edits) == 1 and edits[0].range.start == t.Position(line=0, character=0)
    lines = messy.split("\n")
    assert edits[0].range.end == t.Position(line=len(lines) - 1, character=len("id: ibaraki  # 茨城県"))
    assert edits[0].new_text == format_text(messy, str(path)) != messy
    assert edits[0].new_text.index("id: ibaraki") < edits[0].new_text.index("facts:")


def test_formatting_a_document_that_does_not_parse_changes_nothing(client, tmp_path):
    uri = client.open(tmp_path / "broken.yaml", "id: [unclosed\n")
    assert client.call(t.TEXT_DOCUMENT_FORMATTING, t.DocumentFormattingParams(
        text_document=t.TextDocumentIdentifier(uri=uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True))) is None
