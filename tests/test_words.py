# SPDX-License-Identifier: MIT
"""The ja/en catalogue: every entry whole in both languages, with the same fields."""
from __future__ import annotations

import re

import pytest

from engine.base.catalogue import WORDS
from engine.base.diagnostics import diag
from engine.base.words import default_lang, fields, say, words

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_entry_has_both_languages_with_the_same_fields(key):
    ja, en = WORDS[key]
    assert ja.strip() and en.strip()
    assert fields(ja) == fields(en)


@pytest.mark.parametrize("key", sorted(WORDS))
def test_english_entries_hold_no_japanese_interface_words(key):
    assert not JAPANESE.search(WORDS[key][1])


def test_a_deferred_word_renders_in_the_language_of_the_message_around_it():
    assert say("common.more_errors", "ja", n=words("common.yes"), limit=10).startswith("... ほか はい 件")
    assert say("common.more_errors", "en", n=words("common.yes"), limit=10).startswith("... and yes more")


def test_an_unknown_key_is_an_error_not_a_silent_english_fallback():
    with pytest.raises(KeyError):
        say("no.such.key", "ja")


@pytest.mark.parametrize("env, want", [({}, "ja"), ({"YOKO_LANG": "en"}, "en"), ({"YOKO_LANG": "EN "}, "en"),
                                       ({"YOKO_LANG": "fr"}, "ja")])
def test_the_language_defaults_to_japanese_and_follows_yoko_lang(env, want):
    assert default_lang(env) == want


def test_a_catalogue_diagnostic_carries_both_languages():
    d = diag("x", key="common.more_errors", n=3, limit=10)
    assert d.text("ja") == "... ほか 3 件のエラー（10 件で打ち切り）"
    assert d.text("en") == "... and 3 more errors (stopped after 10)"
