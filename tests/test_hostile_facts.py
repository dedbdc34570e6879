# SPDX-License-Identifier: MIT
"""Hostile facts files (tests/hostile/facts): refused at their place, or accepted with a note; never guessed."""
from __future__ import annotations

import datetime
import json
from fractions import Fraction

import pytest

import engine
from engine.base.diagnostics import YokoError
from hostile_util import EXPECTED, HOSTILE, assert_no_crash, first_error

FACTS = EXPECTED["facts"]
POLICY = "tests/hostile/policy.yaml"


def _evaluate(cli, name, *extra):
    return cli("evaluate", "--policy-file", POLICY, *extra, f"tests/hostile/facts/{name}")


def test_every_hostile_facts_file_has_a_pinned_expectation():
    assert sorted(p.name for p in (HOSTILE / "facts").iterdir()) == sorted(FACTS)


@pytest.mark.parametrize("name", sorted(FACTS))
def test_hostile_facts_give_their_code_at_their_place(name, cli):
    want = FACTS[name]
    r = _evaluate(cli, name, "--format", "json", "--no-trace")
    assert_no_crash(r.out, r.err)
    assert r.code == want["exit"]
    if want["exit"] == 0:
        assert [n["code"] for n in json.loads(r.out).get("notes", [])] == want["notes"]
        return
    assert r.out == ""  # nothing half-printed
    d = first_error(r.err)
    assert (d["code"], d["line"], d["column"]) == (want["code"], want["line"], want["column"])


def _pinned(cli, name, lang):
    """Exit status and errors as text; for an accepted file, the JSON results and notes (the memo has its own tests)."""
    r = _evaluate(cli, name, "--lang", lang)
    if r.code != 0:
        return r.code, r.err
    j = _evaluate(cli, name, "--lang", lang, "--format", "json", "--no-trace")
    return r.code, r.err, j.out


@pytest.mark.parametrize("name", sorted(FACTS))
def test_hostile_facts_output_is_pinned(name, cli, snapshot):
    assert _pinned(cli, name, "en") == snapshot


@pytest.mark.parametrize("name", sorted(FACTS))
def test_hostile_facts_output_in_japanese_is_pinned(name, cli, snapshot):
    assert _pinned(cli, name, "ja") == snapshot


def test_a_normalised_date_is_said_in_the_json_and_in_the_memo(cli):
    r = _evaluate(cli, "date_era.yaml", "--format", "json", "--no-trace")
    note = json.loads(r.out)["notes"][0]
    assert note == {"code": "fact_normalised", "severity": "note",
                    "message": 'opened_on: read "令和4年4月1日" as 2022-04-01',
                    "message_ja": "opened_on: 「令和4年4月1日」を 2022-04-01 と読みました",
                    "file": "tests/hostile/facts/date_era.yaml", "line": 2, "column": 12}
    assert json.loads(r.out)["results"]["opened_this_year"] is True
    memo = _evaluate(cli, "date_era.yaml", "--lang", "en", "--width", "200").out
    assert 'Note: opened_on: read "令和4年4月1日" as 2022-04-01 (tests/hostile/facts/date_era.yaml:2:12)' in memo


@pytest.mark.parametrize("text, want", [
    ("2022-04-01", (2022, 4, 1)),
    ("2022/4/1", (2022, 4, 1)),
    ("2022/04/01", (2022, 4, 1)),
    ("2022-4-1", (2022, 4, 1)),
    ("2022年4月1日", (2022, 4, 1)),
    ("令和4年4月1日", (2022, 4, 1)),
    ("令和４年４月１日", (2022, 4, 1)),  # full-width digits
    ("令和元年5月1日", (2019, 5, 1)),
    ("平成31年4月30日", (2019, 4, 30)),
    ("昭和64年1月7日", (1989, 1, 7)),
    ("平成元年1月8日", (1989, 1, 8)),
])
def test_dates_in_japanese_and_slashed_forms_are_read_exactly(text, want):
    policy = engine.load_file(POLICY)
    ev = engine.evaluate(policy, {"opened_on": text})
    assert ev.facts["opened_on"] == datetime.date(*want)
    assert len(ev.facts.notes) == (0 if text == "2022-04-01" else 1)


@pytest.mark.parametrize("text", ["令和1年4月1日", "平成31年5月1日", "昭和64年1月8日", "平成元年1月7日", "令和0年5月1日",
                                  "04/01/2022", "2022.04.01", "2022/02/30", "2022/4-1", "きのう", ""])
def test_dates_that_name_no_day_or_an_ambiguous_one_are_refused(text):
    policy = engine.load_file(POLICY)
    with pytest.raises(YokoError) as info:
        engine.evaluate(policy, {"opened_on": text})
    assert info.value.diagnostics[0].code == "bad_fact"


@pytest.mark.parametrize("value", ["1,200", "１２００", "1200", "true", True, 1200.0, 1200.5, float("nan"),
                                   float("inf"), -1, 10 ** 19, [1200], {"n": 1200}])
def test_a_count_must_be_a_whole_number_written_as_one(value):
    policy = engine.load_file(POLICY)
    with pytest.raises(YokoError) as info:
        engine.evaluate(policy, {"transports": value})
    assert [d.code for d in info.value.diagnostics] == ["bad_fact"]


@pytest.mark.parametrize("value", ["true", "1", 1, 0, "maybe"])  # yes/はい are read (test_fact_labels)
def test_a_boolean_must_be_true_or_false_written_as_one(value):
    policy = engine.load_file(POLICY)
    with pytest.raises(YokoError):
        engine.evaluate(policy, {"sole_hospital": value})


def test_a_decimal_fact_keeps_every_digit_it_was_written_with(cli):
    r = _evaluate(cli, "rate_exact_decimal.json", "--format", "json", "--no-trace")
    assert r.code == 0
    # 1200 x 0.12345678901234567891, exactly; a float would have given 148.14814681481482
    assert json.loads(r.out)["results"]["weighted"] == "148.148146814814814692"
    assert Fraction("148.148146814814814692") == 1200 * Fraction("0.12345678901234567891")


def test_every_bad_fact_is_reported_not_only_the_first(tmp_path, cli):
    f = tmp_path / "facts.json"
    f.write_text('{"transports": "1,200", "sole_hospital": "true", "opened_on": "04/01/2022", "transport": 1}',
                 encoding="utf-8")
    r = cli("evaluate", "--policy-file", POLICY, "--format", "json", str(f))
    assert r.code == 2
    codes = [(d["code"], d["column"]) for d in json.loads(r.err)["diagnostics"]]
    assert codes == [("bad_fact", 16), ("bad_fact", 42), ("bad_fact", 63), ("unknown_fact", 77)]


def test_an_empty_mapping_is_a_facility_of_which_nothing_is_known(tmp_path, cli):
    f = tmp_path / "facts.json"
    f.write_text("{}", encoding="utf-8")
    r = cli("evaluate", "--policy-file", POLICY, "--format", "json", "--no-trace", str(f))
    assert r.code == 0
    assert json.loads(r.out)["results"]["busy"] is None


# --------------------------------------------------------------------------- batch: one bad row never sinks the others

BATCH = "tests/hostile/batch/rows.jsonl"
# Rows of tests/hostile/batch/rows.jsonl that must become error rows, with why (code); every other row is evaluated.
BATCH_ERRORS = {3: "bad_fact", 5: "bad_fact", 6: "bad_fact", 8: "bad_fact", 9: "bad_fact", 11: "bad_fact", 12: "unknown_fact",
                13: "bad_fact", 14: "number_too_large", 15: "bad_row", 16: "bad_row"}


def test_a_batch_with_hostile_rows_gives_error_rows_that_say_why_and_evaluates_the_others(cli):
    r = cli("evaluate", "--policy-file", POLICY, "--batch", BATCH, "--lang", "en")
    assert_no_crash(r.out, r.err)
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert [row["row"] for row in rows] == list(range(1, 18))  # every input row, in order: nothing lost
    errors = {row["row"]: row["error"]["code"] for row in rows if "error" in row}
    assert errors == BATCH_ERRORS
    assert all(row["error"]["message"] for row in rows if "error" in row)
    good = {row["id"]: row["results"] for row in rows if "results" in row}
    assert good["good-1"]["squared"] == 1_440_000 and good["good-2"]["costs"] == 5000
    assert good["era-date"]["opened_this_year"] is not None  # 令和4年4月1日 reads as in a facts file
    assert r.err.endswith("17 rows: 6 evaluated, 11 error rows\n")
    assert r.code == 1  # some rows are error rows


def test_an_error_row_says_what_was_wrong_with_the_row(cli, snapshot):
    r = cli("evaluate", "--policy-file", POLICY, "--batch", BATCH, "--lang", "en")
    assert [line for line in r.out.splitlines() if '"error"' in line] == snapshot


def test_batch_output_is_written_whole_or_not_at_all(cli, tmp_path, monkeypatch):
    import engine.evaluation.batch
    out = tmp_path / "results.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    real = engine.evaluation.batch.run_batch

    def interrupted_after_two_rows(policy, mapping, rows, emit, **kw):
        seen = []

        def emit_then_stop(rec):
            if len(seen) == 2:
                raise KeyboardInterrupt
            seen.append(rec)
            emit(rec)
        return real(policy, mapping, rows, emit_then_stop, **kw)

    monkeypatch.setattr(engine.evaluation.batch, "run_batch", interrupted_after_two_rows)
    r = cli("evaluate", "--policy-file", POLICY, "--batch", BATCH, "--out", str(out))
    assert r.code == 130
    assert out.read_text("utf-8") == "previous results\n"  # the old file, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]  # no half-written temporary left

    monkeypatch.setattr(engine.evaluation.batch, "run_batch", real)
    r = cli("evaluate", "--policy-file", POLICY, "--batch", BATCH, "--out", str(out))
    assert r.code == 1
    assert len(out.read_text("utf-8").splitlines()) == 17
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]
