# SPDX-License-Identifier: MIT
"""What every command line has: --version, shell completion, help in the chosen language."""
from __future__ import annotations

import re

import pytest

from engine.base.catalogue import WORDS
from engine.cli.main import COMMANDS, build_parser

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def test_version_prints_the_version_and_exits_0(cli):
    r = cli("--version")
    assert r.code == 0 and re.fullmatch(r"yoko \d+\.\d+\.\d+\S*\n", r.out)


@pytest.mark.parametrize("shell, marker", [("bash", "complete"), ("zsh", "#compdef")])
def test_completion_scripts_name_every_command(cli, shell, marker):
    r = cli("completion", shell)
    assert r.code == 0 and marker in r.out
    for name in ("evaluate", "new-year", "diff", "--batch"):
        assert name in r.out


def test_help_is_japanese_by_default_and_english_with_lang_en(cli):
    ja, en = cli("evaluate", "--help"), cli("evaluate", "--help", "--lang", "en")
    assert ja.code == en.code == 0
    assert "使い方: yoko evaluate" in ja.out and "オプション:" in ja.out and "施設の表" in ja.out
    assert "usage: yoko evaluate" in en.out and "options:" in en.out and not JAPANESE.search(en.out.replace("令和4", ""))


def test_help_follows_yoko_lang(cli, monkeypatch):
    monkeypatch.setenv("YOKO_LANG", "en")
    assert "show this help message and exit" in cli("--help").out


def test_argparse_errors_are_in_the_chosen_language(cli):
    assert "知らない引数です: --bogus" in cli("evaluate", "--bogus").err
    assert "unrecognized arguments: --bogus" in cli("evaluate", "--bogus", "--lang", "en").err


def _options(parser):
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for a in p._actions:
            yield name, a


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_option_of_every_command_has_a_help_text_in_the_language(lang):
    missing = [f"{name} {a.dest}" for name, a in _options(build_parser(lang)) if not a.help]
    assert missing == []
    if lang == "en":
        leaked = [f"{name} {a.dest}: {a.help}" for name, a in _options(build_parser(lang))
                  if JAPANESE.search(a.help.replace("令和4", "").replace("令和5", ""))]
        assert leaked == []


def test_every_command_has_its_one_line_help_in_the_catalogue():
    assert [c for c in COMMANDS if f"cli.help.{c}" not in WORDS] == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_parser_built_for_one_command_reads_and_helps_as_the_whole_one(lang):
    from engine.cli.main import argparse_words
    whole = build_parser(lang)
    subs = dict(_subparsers(whole))
    for command in [c.replace("_", "-") for c in COMMANDS]:
        one = build_parser(lang, only=command)
        with argparse_words(lang):
            assert one.format_help() == whole.format_help()
            assert dict(_subparsers(one))[command].format_help() == subs[command].format_help()
        others = [name for name, p in _subparsers(one) if name != command]
        assert all(len(p._actions) == 1 for name, p in _subparsers(one) if name in others)  # only -h: not built


def _subparsers(parser):
    return next(a for a in parser._actions if a.dest == "command").choices.items()


@pytest.mark.parametrize("argv, command", [
    (["evaluate", "f.yaml"], "evaluate"), (["--lang", "en", "new-year", "x"], "new-year"),
    (["--lang=en", "diff"], "diff"), (["--version"], None), (["--", "check"], None), ([], None),
])
def test_the_command_is_the_first_word_that_is_not_an_option(argv, command):
    from engine.cli.main import command_of
    assert command_of(argv) == command
