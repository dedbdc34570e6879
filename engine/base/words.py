# SPDX-License-Identifier: MIT
"""Every word yoko shows, from one ja/en catalogue: `say(key, lang, **params)`.

Keys are dotted (`memo.conclusion.eligible`, `diag.unknown_name.fact`); each catalogue entry is a
pair of `str.format` templates (Japanese, English) with the same named fields. A parameter that is
itself a `Words` is rendered in the same language, so a message can contain a translated word (a
type name, yes/no) without the caller knowing the language. The language is chosen once per run:
`--lang`, else $YOKO_LANG, else Japanese.
"""
from __future__ import annotations

import os
import string
from dataclasses import dataclass

from engine.base.catalogue import WORDS

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"


@dataclass(frozen=True, slots=True)
class Words:
    """A catalogue key with its parameters, rendered later in whatever language is asked for."""

    key: str
    params: tuple = ()

    def __str__(self) -> str:  # pragma: no cover - a Words must be rendered with say()
        return self.key

    def text(self, lang: str) -> str:
        """This entry rendered in `lang`."""
        return say(self.key, lang, **dict(self.params))


def words(key: str, /, **params) -> Words:
    """A deferred catalogue entry (see Words)."""
    if key not in WORDS:
        raise KeyError(f"no catalogue entry {key!r}")
    return Words(key, tuple(sorted(params.items())))


def default_lang(env: dict | None = None) -> str:
    """$YOKO_LANG when it names a language, else Japanese."""
    v = (env if env is not None else os.environ).get("YOKO_LANG", "").strip().lower()
    return v if v in LANGS else DEFAULT_LANG


def say(key: str, lang: str, /, **params) -> str:
    """The catalogue entry `key` in `lang`, its fields filled from params."""
    try:
        ja, en = WORDS[key]
    except KeyError:
        raise KeyError(f"no catalogue entry {key!r}") from None
    template = ja if lang == "ja" else en
    return template.format_map({k: render(v, lang) for k, v in params.items()})


def render(value, lang: str):
    """A parameter in `lang`: a Words rendered, a tuple as its items joined with ", ", anything else as it is."""
    if isinstance(value, Words):
        return say(value.key, lang, **dict(value.params))
    if isinstance(value, tuple):
        return ", ".join(str(render(v, lang)) for v in value)
    return value


def fields(template: str) -> set[str]:
    """The named fields of a template (for the catalogue's own consistency test)."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def named(prefix: str, name: str, lang: str) -> str:
    """The catalogue word `prefix.name` in `lang` (a note kind, a policy key), else `name` as it is."""
    key = f"{prefix}.{name}"
    return say(key, lang) if key in WORDS else str(name)
