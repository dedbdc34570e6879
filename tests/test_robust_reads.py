# SPDX-License-Identifier: MIT
"""Reads stop at their limit, special files are refused unread, diagnostics never re-read a file."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.base import limits
from engine.base.diagnostics import Diagnostic, Location, remember_source, render
from engine.base.files import read_bytes
from engine.base.diagnostics import YokoError

POLICY = "tests/hostile/policy.yaml"


def _special_files(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    out = {"fifo": str(fifo), "directory": str(folder)}
    if os.path.exists("/dev/zero"):
        out["device"] = "/dev/zero"
    return out


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
@pytest.mark.parametrize("command", ["evaluate", "check", "render", "batch", "map"])
def test_a_special_file_is_refused_unread_with_its_place(kind, command, tmp_path, cli):
    path = _special_files(tmp_path).get(kind)
    if path is None:
        pytest.skip("no /dev/zero here")
    if (command, kind) == ("check", "directory"):
        return  # yoko check FOLDER checks the policies inside it
    argv = {"evaluate": ["evaluate", "--policy-file", POLICY, path],
            "check": ["check", path], "render": ["render", path],
            "batch": ["evaluate", "--policy-file", POLICY, "--batch", path + ".csv" if kind != "device" else path],
            "map": ["evaluate", "--policy-file", POLICY, "--batch", "tests/hostile/batch/rows.jsonl", "--map", path],
            }[command]
    if command == "batch" and kind != "device":  # a table is chosen by its extension
        os.rename(path, path + ".csv")
    r = cli(*argv, "--lang", "en")
    assert r.code == 2, r.err
    assert "Traceback" not in r.err and "internal_error" not in r.err
    if command == "batch" and kind == "device":
        assert "batch_format" in r.err  # /dev/zero is not named .csv/.xlsx/.jsonl: refused before opening
        return
    assert "not_a_file" in r.err
    assert r.err.splitlines()[0].startswith(path.rstrip("/") + (".csv" if command == "batch" else "") + ":1:1: ")


def test_a_file_over_the_limit_is_refused_after_reading_one_byte_past_it(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (limits.MAX_FILE_BYTES + 10))
    with pytest.raises(YokoError) as e:
        read_bytes(str(big))
    assert e.value.diagnostics[0].code == "file_too_large"


def test_a_diagnostic_shows_its_line_from_the_text_read_not_from_the_disk(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("a: 1\nb: 2\n", "utf-8")
    remember_source(str(f), "a: 1\nb: wrong\n")
    f.write_text("changed on disk\n", "utf-8")
    shown = render(Diagnostic("x", "m", Location(str(f), 2, 4)))
    assert "b: wrong" in shown and "changed" not in shown


def test_a_file_that_was_never_read_gets_no_source_line(tmp_path):
    f = tmp_path / "never.yaml"
    f.write_text("secret: 1\n", "utf-8")
    assert render(Diagnostic("x", "m", Location(str(f), 1, 1))).splitlines() == [f"{f}:1:1: x: m"]


def test_a_file_not_named_like_an_input_is_never_quoted(tmp_path, cli):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", "utf-8")
    for argv in (["render", str(secret)], ["check", str(secret)],
                 ["evaluate", "--policy-file", POLICY, str(secret)]):
        r = cli(*argv, "--lang", "en")
        assert r.code == 2
        assert "root:x" not in r.err + r.out, argv


def test_a_caret_under_a_very_long_line_is_capped(tmp_path, cli):
    f = tmp_path / "f.yaml"
    f.write_text("expenses: [" + ", ".join(["1"] * 2000) + ", x]\n", "utf-8")
    r = cli("evaluate", "--policy-file", POLICY, str(f), "--lang", "en")
    assert r.code == 2
    assert max(len(line) for line in r.err.splitlines()) < 400


def test_a_flow_list_of_a_hundred_thousand_items_stops_at_the_node_limit(tmp_path, cli):
    f = tmp_path / "f.yaml"
    f.write_text("expenses: [" + ", ".join(["1"] * (limits.MAX_YAML_NODES + 10)) + "]\n", "utf-8")
    r = cli("evaluate", "--policy-file", POLICY, str(f), "--lang", "en", "--format", "json")
    assert r.code == 2 and '"yaml_too_large"' in r.err


@pytest.mark.parametrize("error, code", [(MemoryError(), "out_of_memory"), (RecursionError(), "too_deeply_nested"),
                                         (UnicodeEncodeError("utf-8", "\udfff", 0, 1, "surrogates"), "bad_text")])
def test_what_slips_past_every_limit_is_a_diagnostic_with_exit_2(error, code, monkeypatch, cli):
    import engine.cli.check as check

    def fail(args, out, err):
        raise error
    monkeypatch.setattr(check, "run", fail)
    r = cli("check", POLICY)
    assert (r.code, r.err.split(": ")[0]) == (2, code)
