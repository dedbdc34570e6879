# SPDX-License-Identifier: MIT
"""CSV files as Japanese spreadsheets save them: UTF-8, UTF-8 with BOM, CP932 (Shift_JIS) and
UTF-16 'Unicode text' read to the same rows; the encoding is reported; undecodable text is refused."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from engine.base.diagnostics import YokoError
from engine.evaluation.tables import read_rows

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "mhlw-r7-facilities.csv"
MAPPING = ROOT / "examples" / "mappings" / "mhlw-r7-ibaraki.yaml"
# the real table holds two characters that CP932 cannot (U+FA4F, a compatibility 祐, and U+20BB7 𠮷); Excel writes '?' for them
NOT_IN_CP932 = {"\ufa4f", "\U00020bb7"}


def _save(tmp_path: Path, text: str, encoding: str, name: str) -> Path:
    p = tmp_path / name
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with BOM, tab-separated
        rows = list(csv.reader(io.StringIO(text)))
        buf = io.StringIO()
        csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
        p.write_bytes(buf.getvalue().encode("utf-16"))
    else:
        p.write_bytes(text.encode(encoding, errors="replace"))
    return p


def _rows(path: Path):
    header, rows = read_rows(str(path))
    return header, [(n, r) for n, r in rows]


@pytest.fixture(scope="module")
def corpus_text():
    return CORPUS.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, reported", [("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"), ("utf-16", "utf-16")])
def test_the_real_table_reads_the_same_in_every_encoding_excel_saves(tmp_path, corpus_text, encoding, reported):
    plain = _rows(_save(tmp_path, corpus_text, "utf-8", "plain.csv"))
    other = _rows(_save(tmp_path, corpus_text, encoding, f"t-{encoding}.csv"))
    assert other[0] == plain[0] and other[0].encoding == reported
    assert len(other[1]) == len(plain[1]) == 11_760
    replaced = 0
    for (n1, a), (n2, b) in zip(plain[1], other[1]):
        if encoding == "cp932" and any(c in "".join(a.values()) for c in NOT_IN_CP932):
            replaced += 1
            a = {k: v for k, v in a.items() if not any(c in v for c in NOT_IN_CP932)}
            b = {k: b[k] for k in a}
        assert a == b
    assert replaced == (2 if encoding == "cp932" else 0)


def test_the_real_table_as_cp932_gives_exactly_the_results_of_the_utf8_file(tmp_path, corpus_text, cli):
    lines = corpus_text.splitlines(keepends=True)  # the mapping keeps Ibaraki's rows; the others are read above
    head = lines[0] + "".join(line for line in lines[1:] if ",茨城県," in line)
    outs = {}
    for enc in ("utf-8", "utf-8-sig", "cp932"):
        p = _save(tmp_path, head, enc, f"s-{enc}.csv")
        r = cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(p), "--map", str(MAPPING),
                "--lang", "en")
        outs[enc] = [json.loads(line) for line in r.out.splitlines()]
        if enc == "cp932":
            assert "read as cp932" in r.err
    assert len(outs["utf-8"]) > 0
    assert outs["utf-8"] == outs["utf-8-sig"] == outs["cp932"]


def test_a_file_in_no_japanese_encoding_is_refused_with_a_location(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"id,name\n" + bytes(range(0x80, 0x100)) * 4 + b"\n")
    with pytest.raises(YokoError) as info:
        header, rows = read_rows(str(p))
        list(rows)
    d = info.value.diagnostics[0]
    assert d.code == "batch_read" and d.location.line >= 1


def test_csv_output_is_utf8_with_a_bom_by_default_and_cp932_on_request(cli, tmp_path):
    facts = tmp_path / "in.jsonl"
    facts.write_text('{"id": "茨城1", "emergency_tier": "secondary", "ambulance_transports": 1500}\n', encoding="utf-8")
    default, sjis = tmp_path / "out.csv", tmp_path / "out-sjis.csv"
    cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(facts), "--out", str(default))
    cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(facts), "--out", str(sjis),
        "--encoding", "cp932")
    assert default.read_bytes().startswith(b"\xef\xbb\xbf")
    assert sjis.read_bytes().decode("cp932") == default.read_bytes().decode("utf-8-sig")
    assert _rows(sjis)[1] == _rows(default)[1]


def test_a_character_cp932_cannot_hold_is_a_clear_error_and_no_file_is_left(cli, tmp_path):
    facts = tmp_path / "in.jsonl"
    facts.write_text('{"id": "\U00020bb7野家", "emergency_tier": "secondary"}\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    r = cli("evaluate", "--policy", "ibaraki", "--year", "2022", "--batch", str(facts), "--out", str(out),
            "--encoding", "cp932", "--lang", "en")
    assert r.code == 2 and "batch_write" in r.err and "U+20BB7" in r.err
    assert not out.exists() and not list(tmp_path.glob(".yoko-*"))
