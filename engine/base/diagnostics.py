# SPDX-License-Identifier: MIT
"""Locations, diagnostics and their rendering, shared by every stage."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.base.words import Words, say

MAX_ERRORS = 10


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position in a file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable code, a message and where it applies."""

    code: str
    message: str
    location: Location | None = None
    severity: str = "error"
    suggestion: str | None = None
    message_ja: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def text(self, lang: str = "en") -> str:
        """The message in `lang`."""
        return self.message_ja if lang == "ja" and self.message_ja else self.message

    def sort_key(self):
        loc = self.location
        return (loc.file, loc.line, loc.column) if loc else ("", 0, 0)

    def to_json(self) -> dict:
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        ja = self.text("ja")
        if ja != self.message:
            out["message_ja"] = ja
        if self.location:
            out.update(file=self.location.file, line=self.location.line, column=self.location.column)
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out


def diag(code: str, location: Location | None = None, *, key: str | Words | None = None, severity: str = "error",
         suggestion: str | None = None, **params) -> Diagnostic:
    """A diagnostic built in one step from the catalogue: `diag.<code>` (or `key`) filled with params.

    `key` may be a Words already holding its parameters (what an exception such as EvalError carries).
    """
    if isinstance(key, Words):
        key, params = key.key, {**dict(key.params), **params}
    key = key or f"diag.{code}"
    return Diagnostic(code, say(key, "en", **params), location, severity, suggestion, say(key, "ja", **params))


class YokoError(Exception):
    """Raised when input cannot be used; carries the diagnostics that say why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("; ".join(f"{d.code}: {d.message}" for d in self.diagnostics[:3]))


@dataclass
class Sink:
    """Collects diagnostics from the stages of loading."""

    items: list[Diagnostic] = field(default_factory=list)

    def say(self, code: str, location: Location | None = None, **kwargs) -> None:
        """Add a catalogue-built diagnostic (see diag)."""
        self.items.append(diag(code, location, **kwargs))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise YokoError(self.items)


def suggest(name: str, candidates) -> str | None:
    """The closest candidate to a misspelt name, if any is close enough."""
    import difflib

    found = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return found[0] if found else None


def render(d: Diagnostic, sources: dict[str, str] | None = None, lang: str = "en") -> str:
    """`file:line:col: code: message`, then the source line and a caret."""
    where = f"{d.location}: " if d.location else ""
    msg = d.text(lang)
    sev = "" if d.is_error else say(f"common.severity.{d.severity}", lang) + ": "
    lines = [f"{where}{sev}{d.code}: {msg}"]
    if d.suggestion:
        lines.append(f"  {say('common.did_you_mean', lang)}: {d.suggestion}")
    text = _source_line(d.location, sources)
    if text is not None:
        text, column = _excerpt(text, d.location.column)
        before = _printable(text[:max(column - 1, 0)].expandtabs(1))
        lines.append("  " + _printable(text.expandtabs(1)))
        lines.append("  " + _caret_pad(before, len(before) + 1) + "^")
    return "\n".join(lines)


# Texts of the files read in this process (engine.base.files), so that a diagnostic's source line
# is shown without reading its file again: a file can change, grow without end (/dev/zero) or be
# one whose content must not be shown. Bounded: the last _KEEP files.
_SOURCES: dict[str, str] = {}
_KEEP = 64
# Only files with the names of yoko's own inputs are quoted in a diagnostic: `yoko render
# /etc/passwd` says the file is not a policy without showing its first line.
SHOWN_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".ndjson", ".csv")
MAX_SHOWN = 120  # characters of a source line shown around the caret


def remember_source(path: str, text: str) -> None:
    """Keep the text of a file just read, for the source lines of its diagnostics."""
    if not str(path).lower().endswith(SHOWN_SUFFIXES):
        return
    _SOURCES.pop(path, None)
    _SOURCES[path] = text
    while len(_SOURCES) > _KEEP:
        _SOURCES.pop(next(iter(_SOURCES)))


def _source_line(loc: Location | None, sources: dict[str, str] | None) -> str | None:
    if loc is None:
        return None
    src = (sources or {}).get(loc.file)
    if src is None:
        src = _SOURCES.get(loc.file)
    if src is None or loc.line < 1:
        return None
    start = 0
    for _ in range(loc.line - 1):  # the line without splitting the whole text
        nl = src.find("\n", start)
        if nl < 0:
            return None
        start = nl + 1
    end = src.find("\n", start)
    line = src[start:] if end < 0 else src[start:end]
    return line.rstrip("\r") if start < len(src) or loc.line == 1 else None


def _excerpt(text: str, column: int) -> tuple[str, int]:
    """At most MAX_SHOWN characters of a long line around `column`, and the column within them."""
    if len(text) <= MAX_SHOWN:
        return text, column
    lo = max(0, min(column - 1 - MAX_SHOWN // 2, len(text) - MAX_SHOWN))
    cut = text[lo:lo + MAX_SHOWN]
    head = "..." if lo > 0 else ""
    tail = "..." if lo + MAX_SHOWN < len(text) else ""
    return head + cut + tail, column - lo + len(head)


def _printable(text: str) -> str:
    """A source line as it can be written to any terminal: control characters and lone surrogates escaped."""
    if text.isprintable() and not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join(ch if ch.isprintable() and not "\ud800" <= ch <= "\udfff" else f"\\x{ord(ch):02x}"
                   if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in text)


def _caret_pad(text: str, column: int) -> str:
    """Spaces under `text` up to `column`, wide (East Asian) characters counting double."""
    import unicodedata

    pad = 0
    for ch in text[: max(column - 1, 0)]:
        pad += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return " " * pad


def render_all(diags: list[Diagnostic], sources: dict[str, str] | None = None, lang: str = "en") -> str:
    """Render diagnostics sorted by location, capped at MAX_ERRORS errors."""
    out, errors = [], 0
    for d in sorted(diags, key=Diagnostic.sort_key):
        if d.is_error:
            errors += 1
            if errors > MAX_ERRORS:
                continue
        out.append(render(d, sources, lang))
    hidden = errors - MAX_ERRORS
    if hidden > 0:
        out.append(say("common.more_errors", lang, n=hidden, limit=MAX_ERRORS))
    return "\n".join(out)
