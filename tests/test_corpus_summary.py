# SPDX-License-Identifier: MIT
"""The example mapping over a slice of the real MHLW corpus: what Ibaraki FY2022 can and cannot decide."""
from __future__ import annotations

SLICE = "tests/data/mhlw-r7-slice.csv"
MAP = "examples/mappings/mhlw-r7-ibaraki.yaml"


def test_summary_of_the_corpus_slice(cli, snapshot):
    r = cli("evaluate", "--batch", SLICE, "--map", MAP, "--policy", "ibaraki", "--year", "2022",
            "--summary", "--count", "any_ground", "--count", "basis", "--count", "eligible")
    assert r.code == 0
    assert r.err == "41 rows: 41 evaluated, 0 error rows, 2 left out by where\n"
    assert r.out == snapshot


def test_only_transports_and_tier_establish_a_ground_from_this_table(cli):
    """The three facilities with a ground hold ground 1: secondary or tertiary, 1,000 to 1,999 acceptances."""
    import csv
    import json
    r = cli("evaluate", "--batch", SLICE, "--map", MAP, "--policy", "ibaraki", "--year", "2022")
    held = {x["id"] for x in map(json.loads, r.out.splitlines()) if x["results"]["basis"]}
    want = {row["id"] for row in csv.DictReader(open(SLICE, encoding="utf-8"))
            if row["prefecture"] == "茨城県" and row["reported"] == "yes"
            and row["emergency_tier"] in ("secondary", "tertiary")
            and row["ambulance_acceptances"] and 1000 <= int(row["ambulance_acceptances"]) < 2000}
    assert held == want and len(want) == 3
