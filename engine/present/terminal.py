# SPDX-License-Identifier: MIT
"""Text for a terminal: display width (full-width characters take 2 columns), wrapping with a
hanging indent, and colour only where it is wanted (NO_COLOR, https://no-color.org)."""
from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

PIPE_WIDTH = 80  # columns when stdout is not a terminal
MIN_WIDTH = 40
# A line's hanging indent: its leading spaces and the mark that opens it (■ ✓ ✗ ? • ※ - =).
_LEAD = re.compile(r"^( *)((?:[■✓✗?•※=\->]|==) )?")
# Characters that must not start a line (閉じ括弧・句読点), and that must not end one (開き括弧).
_NO_START = set("、。，．）」』】〕〉》〙〗）］｝,.;:)]}!?ー…・％%")
_NO_END = set("（「『【〔〈《〘〖［｛([{")


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns a character takes: 2 for wide and full-width characters, 0 for combining marks."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns a string takes on a terminal (escape sequences take none)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text.isascii():  # printable ASCII is one column a character (a memo holds no other control)
        return len(text)
    return sum(map(char_width, text))


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: a Latin word with what follows it, each wide character."""
    out: list[str] = []
    for piece in re.findall(r"[^\s]+\s*|\s+", text):
        cur = ""
        for ch in piece:
            if char_width(ch) == 2 and ch not in _NO_START:
                if cur and not (cur[-1] in _NO_END):
                    out.append(cur)
                    cur = ""
                cur += ch
            elif cur and char_width(cur[-1]) == 2 and ch.isalnum() and cur[-1] not in _NO_END:
                out.append(cur)
                cur = ch
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


def wrap(line: str, width: int) -> list[str]:
    """One line cut to `width` columns; continuation lines hang under the text after the mark."""
    if display_width(line) <= width:
        return [line]
    m = _LEAD.match(line)
    hang = len(m.group(1)) + display_width(m.group(2) or "")
    if not m.group(2):
        hang += 2
    hang = min(hang, width // 2)
    head, rest = line[:m.end()], line[m.end():]
    lines, cur, cur_w = [], head, display_width(head)
    for tok in _tokens(rest):
        body = tok.rstrip()
        w = display_width(body)
        if cur_w + w > width and cur.strip():
            lines.append(cur.rstrip())
            cur, cur_w = " " * hang, hang
            tok = tok.lstrip()
            body = tok.rstrip()
            w = display_width(body)
        while cur_w + w > width:  # a word longer than the line: cut it
            room = width - cur_w
            cut, used = "", 0
            for ch in tok:
                if used + char_width(ch) > room:
                    break
                cut += ch
                used += char_width(ch)
            if not cut:
                break
            lines.append(cur + cut)
            tok = tok[len(cut):]
            cur, cur_w = " " * hang, hang
            body = tok.rstrip()
            w = display_width(body)
        cur += tok
        cur_w += w if len(body) == len(tok) else w + display_width(tok[len(body):])
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def wrap_all(text: str, width: int | None) -> str:
    """Every line of a text wrapped to `width` (None: left as it is)."""
    if not width:
        return text
    return "\n".join(part for line in text.split("\n") for part in wrap(line, width))


def width_for(stream) -> int:
    """80 columns when the stream is not a terminal, else the terminal's width."""
    if _isatty(stream):
        import shutil  # only for a terminal: most runs write to a pipe or a file
        return max(MIN_WIDTH, shutil.get_terminal_size((PIPE_WIDTH, 24)).columns)
    return PIPE_WIDTH


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def colour_wanted(mode: str, stream, env: dict | None = None) -> bool:
    """--color always|never|auto: auto is a terminal with NO_COLOR unset (or empty)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    env = os.environ if env is None else env
    return _isatty(stream) and not env.get("NO_COLOR")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STYLE = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def paint(text: str, style: str) -> str:
    """`text` in a style (bold, dim, red, green, yellow, cyan)."""
    return f"\x1b[{_STYLE[style]}m{text}\x1b[0m"


def strip_colour(text: str) -> str:
    return _ANSI.sub("", text)
