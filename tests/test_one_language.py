# SPDX-License-Identifier: MIT
"""One language setting: each staff-facing command, run in Japanese and in English, shows no interface
word of the other language (issue 13, "Done when").

What a policy or a facility says itself is not an interface word: labels, notes, titles, source
quotes and expressions (the policy's code), and the names of facts, parameters, rules, enum values
and record fields. These are taken from the input files and cut out of the output before looking,
whole words only, so that an interface word which merely contains a name (`integer` and `int`) is
still seen. In Japanese output only the policy's Japanese texts are cut out (an English label shown
there would be a leak). What is left must be in the language asked for: no Japanese in English
output; in Japanese output, no ASCII word of two letters or more outside a short list of names that
are the same in both (yoko, YAML, CSV, ...). Paths and the stable diagnostic codes are identifiers.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from engine.base.catalogue import WORDS
from engine.lang.builtins import NAMES
from engine.policy.yamlio import read_text

ROOT = Path(__file__).resolve().parent.parent
POLICY = ["--policy", "ibaraki", "--year", "2022"]
FACILITY = "examples/ibaraki-2022/missing-facts-under-review.yaml"
TABLE, MAP = "tests/data/mhlw-r7-slice.csv", "examples/mappings/mhlw-r7-ibaraki.yaml"
BROKEN = ["tests/cases/broken/unknown_name.yaml", "tests/cases/broken/type_mismatch.yaml",
          "tests/cases/broken/schema_violation.yaml", "tests/cases/broken/bad_yaml.yaml",
          "tests/cases/broken/unknown_function.yaml"]

# An invented case for a copy of the FY2022 policy; its grant amount is wrong on purpose, so that
# `test` shows a failure (expected and got) and not only the counts.
FAILING_CASE = textwrap.dedent("""\
    # invented for tests/test_one_language.py: the amount is wrong on purpose
    cases:
      - name: 第4号の診療所、交付額を誤って期待する
        facts_file: ../examples/ibaraki-2022/ground-4-home-care-clinic.yaml
        expect:
          eligible: true
          grant_amount: 1700000
""")

# (name, argv) of the staff-facing outputs; "{tmp}" is a folder with a copy of the policy and FAILING_CASE
COMMANDS = [
    ("evaluate", ["evaluate", FACILITY, *POLICY]),
    ("evaluate eligible", ["evaluate", "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml", *POLICY]),
    ("diff", ["diff", "ibaraki/2022", "tests/policies/ibaraki-2023.yaml", "--facilities", "examples/ibaraki-2022",
              "--format", "markdown"]),
    ("batch summary", ["evaluate", "--batch", TABLE, "--map", MAP, *POLICY, "--summary", "--count", "basis"]),
    ("show", ["show", "ibaraki", "--year", "2022"]),
    ("list", ["list"]),
    *[(f"check {Path(b).stem}", ["check", b]) for b in BROKEN],
    ("test", ["test", "policies/ibaraki/2022.yaml"]),
    ("test failing", ["test", "{tmp}/2022.yaml"]),
]

# Inputs whose own words may appear in the outputs above
TEXTS_OF = ["{tmp}", "policies/ibaraki/2022.yaml", "policies/ibaraki/2022.source.yaml", "policies/ibaraki/2022.tests.yaml",
            "tests/policies/ibaraki-2023.yaml", MAP, *BROKEN,
            *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "examples/ibaraki-2022").glob("*.yaml")))]
# the policies `list` shows: their ids and titles are theirs
TEXTS_OF += sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").glob("*/*.yaml")
                   if not p.name.endswith((".source.yaml", ".tests.yaml")) and p.parent.name != "ibaraki")

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60\u3000-\u303f]+")
ASCII_WORD = "A-Za-z0-9_"
ENGLISH = re.compile(rf"(?<![{ASCII_WORD}.])[A-Za-z]{{2,}}(?![{ASCII_WORD}])")
# Words that are the same in both languages: names of formats, tools and yoko itself.
SAME_IN_BOTH = {"yoko", "YAML", "JSON", "JSONL", "CSV", "XLSX", "xlsx", "csv", "yaml", "jsonl", "git", "HEAD",
                "ID", "TODO", "OK"}
# The words of the policy format (keys and their fixed values): not a policy's own text
_schema = json.loads((ROOT / "schemas/policy.schema.json").read_text("utf-8"))
VOCABULARY = {"yen", "cases", "beds", "hours", "days", "years", "months", "percent"}
NAMED = {"facts", "parameters", "rules", "fields", "value_labels", "sources"}  # whose keys are names


# Calls of the expression language's built-in functions, as the memo shows a calculation: code
CODE_WORDS = {f"{name}(" for name in NAMES}


def _vocabulary(node) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "properties" and isinstance(v, dict):
                VOCABULARY.update(v)
            if k == "enum":
                VOCABULARY.update(map(str, v))
            _vocabulary(v)
    elif isinstance(node, list):
        for v in node:
            _vocabulary(v)


_vocabulary(_schema)


def _texts(node, lang: str, parent: str = ""):
    """The texts of a parsed input in `lang` (Japanese: its Japanese ones only; English: all of them)."""
    if isinstance(node, dict):
        if node and set(node) <= {"ja", "en"}:
            yield from (_texts(node[k], lang) for k in node if lang == "en" or lang[:2] == k)
            return
        for k, v in node.items():
            if parent in NAMED or str(k) not in VOCABULARY:
                yield [str(k)]
            if k not in ("type", "unit", "kind"):
                yield from _texts(v, lang, str(k))
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v, lang, parent)
    elif node is not None and not isinstance(node, bool):
        s = str(node)
        yield [s, *s.splitlines()]


def _flatten(gen):
    for item in gen:
        if isinstance(item, list):
            yield from item
        else:
            yield from _flatten(item)


def own_words(lang: str) -> list[str]:
    """Every text the inputs say themselves, in `lang` (see the module docstring), longest first."""
    out = set()
    for path in TEXTS_OF:
        text = read_text(str(ROOT / path)) if path != "{tmp}" else FAILING_CASE
        try:
            doc = yaml.load(text, Loader=yaml.CSafeLoader)  # the C loader: these files are only read for their words
        except yaml.YAMLError:  # a broken input still has its lines (shown under a caret)
            doc = None
        texts = {s.strip() for s in _flatten(_texts(doc, lang))}
        out.update(texts)
        if path in BROKEN:  # its lines are shown under a caret, and messages quote its names
            out.update(line.strip() for line in text.splitlines())
            out.update(line.split(": ", 1)[1].strip() for line in text.splitlines() if ": " in line)  # quoted values
            out.update(line.split(":", 1)[0].strip(" -") for line in text.splitlines() if ":" in line)  # its keys
            out.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(re.findall(r"expr:.*", text))))
    out.update(CODE_WORDS)
    out.update(" ".join(s.split()) for s in list(out))  # an expression as the memo prints it, on one line
    out -= {"", *SAME_IN_BOTH}
    return sorted((s for s in out if len(s) > 1), key=len, reverse=True)


OWN = {lang: own_words(lang) for lang in ("ja", "en")}
CODES = sorted((k.split(".")[1] for k in WORDS if k.startswith("diag.")), key=len, reverse=True)
PATH = re.compile(rf"(?<![{ASCII_WORD}])(?:\.\./)*(?:policies|tests|examples|schemas|docs|ibaraki|national)/[^\s:）)（(,、]*")


def _cut(text: str, s: str) -> str:
    if s not in text:
        return text
    before = rf"(?<![{ASCII_WORD}])" if re.match(rf"[{ASCII_WORD}]", s) else ""
    after = rf"(?![{ASCII_WORD}])" if re.search(rf"[{ASCII_WORD}]$", s) else ""
    return re.sub(before + re.escape(s) + after, " ", text)


def _sides(line: str) -> str:
    """A line of a Markdown word diff (~~old~~**new**) as its old and its new text, each whole."""
    if "~~" not in line:
        return line
    old = re.sub(r"\*\*(.*?)\*\*", "", line).replace("~~", "")
    new = re.sub(r"~~(.*?)~~", "", line).replace("**", "")
    return old + "\n" + new


def _unwrap(text: str) -> str:
    """Lines wrapped to the terminal's width joined again (a quote of the policy may be cut anywhere):
    an indented line continues the one before, with a space between two ASCII letters, else none."""
    def join(m):
        a, b = m.group(1), m.group(2)
        return a + (" " if a.isascii() and b.isascii() else "") + b
    return re.sub(r"(\S)\n[ \t]+(\S)", join, text)


def interface_words(text: str, lang: str, tmp: str = "") -> str:
    """`text` without paths, diagnostic codes and what the inputs say themselves (in `lang`)."""
    text = "\n".join(_sides(line) for line in text.splitlines())
    text = _unwrap(text)
    if tmp:
        text = text.replace(tmp, " ")
    text = PATH.sub(" ", text).replace("```diff", " ")  # a Markdown code block's language
    text = re.sub(r"yoko [a-z-]+", " ", text)  # a command as it is typed
    text = re.sub(r"(?<![\w-])--[a-z][a-z-]*", " ", text)  # an option as it is typed
    for s in OWN[lang]:
        text = _cut(text, s)
    for code in CODES:
        text = _cut(text, code)
    return text


def english_left(text: str, tmp: str = "") -> list[str]:
    return sorted({w for w in ENGLISH.findall(interface_words(text, "ja", tmp)) if w not in SAME_IN_BOTH})


def japanese_left(text: str, tmp: str = "") -> list[str]:
    return sorted(set(JAPANESE.findall(interface_words(text, "en", tmp))))


def test_the_check_finds_an_interface_word_of_the_other_language():
    assert english_left("ほか 3 rows を評価しました") == ["rows"]
    assert english_left("3件rows") == ["rows"]
    assert japanese_left("3 rows evaluated, 件") == ["件"]
    assert english_left("交付額 (grant_amount): 6,833,000 円") == []  # a name is the policy's own
    assert english_left("beds_floor: integer") == ["integer"]  # `int` is a type, not a word to cut
    assert "Emergency" in english_left("救急医療体制 Emergency care tier")  # the English label, in Japanese
    assert english_left("tests/cases/broken/unknown_name.yaml:43:35: unknown_name: なし") == []
    assert english_left("（詳細: --detail で注記も表示）") == []  # an option as typed
    assert japanese_left('Notice "第2条第3号ア（小児救急医\n      療）"') == []  # a quote wrapped to the width
    assert japanese_left("Ground 1 (要項第2条第1号)") == []  # a citation as the policy writes it
    # a word diff of the policy's own text (the old and the new label), and an interface word in one
    assert english_left("ラベル: 夜間・休日・時間外の入院件数（令和~~3~~**4**年1月〜12月）") == []
    assert japanese_left("label: ~~件~~**cases**") == ["件"]


@pytest.fixture
def failing_cases(tmp_path):
    """A copy of the FY2022 policy with FAILING_CASE beside it."""
    shutil.copy(ROOT / "policies/ibaraki/2022.yaml", tmp_path / "2022.yaml")
    (tmp_path / "2022.tests.yaml").write_text(FAILING_CASE.replace("../examples", str(ROOT / "examples")), "utf-8")
    return tmp_path


def _run(cli, argv, lang, tmp):
    r = cli(*(a.replace("{tmp}", str(tmp)) for a in argv), "--lang", lang)
    assert r.code in (0, 1, 2) and "Traceback" not in r.err, r.err
    assert r.out.strip() or r.err.strip()
    return r


@pytest.mark.parametrize("name, argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_japanese_output_has_no_english_interface_words(cli, failing_cases, name, argv):
    r = _run(cli, argv, "ja", failing_cases)
    assert english_left(r.out + r.err, str(failing_cases)) == []


@pytest.mark.parametrize("name, argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_english_output_has_no_japanese_interface_words(cli, failing_cases, name, argv):
    r = _run(cli, argv, "en", failing_cases)
    assert japanese_left(r.out + r.err, str(failing_cases)) == []


@pytest.mark.parametrize("name, argv", [COMMANDS[3], COMMANDS[4], COMMANDS[6]], ids=["batch summary", "show", "check"])
def test_yoko_lang_chooses_the_language_when_no_flag_does(monkeypatch, name, argv):
    from engine.cli.main import main

    def run() -> str:
        out, err = io.StringIO(), io.StringIO()
        main(list(argv), out, err)  # not the cli fixture: it asks for English where tests pin it
        return out.getvalue() + err.getvalue()

    monkeypatch.setenv("YOKO_LANG", "en")
    assert japanese_left(run()) == []
    monkeypatch.setenv("YOKO_LANG", "ja")
    assert english_left(run()) == []
    assert japanese_left(run()) != []
