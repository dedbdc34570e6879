# SPDX-License-Identifier: MIT
"""The pygls wiring of the language server: each LSP request answered by engine.lsp.analysis."""
from __future__ import annotations

from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from engine.lsp import analysis

KINDS = {"fact": t.CompletionItemKind.Variable, "parameter": t.CompletionItemKind.Constant,
         "rule": t.CompletionItemKind.Function, "function": t.CompletionItemKind.Method,
         "enum": t.CompletionItemKind.EnumMember}


def path_of(uri: str) -> str:
    return unquote(urlparse(uri).path) if uri.startswith("file:") else uri


def uri_of(path: str) -> str:
    from pathlib import Path
    return Path(path).resolve().as_uri()


def lsp_diagnostics(path: str, text: str, lang: str = "ja") -> list[t.Diagnostic]:
    """`yoko check`'s diagnostics located in this file, as LSP diagnostics."""
    out = []
    for d in analysis.check(path, text):
        loc = d.location
        if loc is None or (loc.file != path and not path.endswith(loc.file)):
            continue
        pos = t.Position(line=loc.line - 1, character=max(loc.column - 1, 0))
        end = t.Position(line=loc.line - 1, character=pos.character + 1)
        message = d.text(lang) + (f" ({d.suggestion}?)" if d.suggestion else "")
        out.append(t.Diagnostic(range=t.Range(start=pos, end=end), message=message, code=d.code, source="yoko",
                                severity=t.DiagnosticSeverity.Error if d.is_error else t.DiagnosticSeverity.Warning))
    return out


def build(lang: str = "ja") -> LanguageServer:
    server = LanguageServer("yoko", "1")

    def publish(uri: str) -> None:
        doc = server.workspace.get_text_document(uri)
        server.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=lsp_diagnostics(path_of(uri), doc.source, lang)))

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: t.DidOpenTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: t.DidChangeTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=['"', "(", " "]))
    def completion(ls, params: t.CompletionParams):
        doc = server.workspace.get_text_document(params.text_document.uri)
        items = analysis.completion(path_of(doc.uri), doc.source, params.position.line, params.position.character)
        return t.CompletionList(is_incomplete=False, items=[
            t.CompletionItem(label=label, kind=KINDS[kind], detail=detail) for label, kind, detail in items])

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: t.HoverParams):
        doc = server.workspace.get_text_document(params.text_document.uri)
        md = analysis.hover(path_of(doc.uri), doc.source, params.position.line, params.position.character, lang)
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=md)) if md else None

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def definition(ls, params: t.DefinitionParams):
        doc = server.workspace.get_text_document(params.text_document.uri)
        span = analysis.definition(path_of(doc.uri), doc.source, params.position.line, params.position.character)
        return _location(span) if span else None

    @server.feature(t.TEXT_DOCUMENT_RENAME)
    def rename(ls, params: t.RenameParams):
        doc = server.workspace.get_text_document(params.text_document.uri)
        spans = analysis.rename(path_of(doc.uri), doc.source, params.position.line, params.position.character,
                                params.new_name)
        if not spans:
            return None
        return t.WorkspaceEdit(changes={doc.uri: [t.TextEdit(range=_location(s).range, new_text=params.new_name)
                                                  for s in spans]})

    @server.feature(t.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls, params: t.DocumentFormattingParams):
        """`yoko fmt` from the editor: one edit replacing the document, none when it is in layout already."""
        doc = server.workspace.get_text_document(params.text_document.uri)
        new = analysis.formatted(path_of(doc.uri), doc.source)
        if new is None or new == doc.source:
            return [] if new is not None else None
        lines = doc.source.split("\n")
        end = t.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
        return [t.TextEdit(range=t.Range(start=t.Position(line=0, character=0), end=end), new_text=new)]

    return server


def _location(span: analysis.Span) -> t.Location:
    return t.Location(uri=uri_of(span.path), range=t.Range(start=t.Position(line=span.line, character=span.start),
                                                            end=t.Position(line=span.line, character=span.end)))
