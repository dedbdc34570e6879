#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A behavioural diff of two policies over the national corpus vs evaluating it once (whole processes).

    python benchmarks/diff_corpus.py [-n 5]

The MHLW corpus (shared/corpus/mhlw-r7-facilities.csv, 11,760 facilities, all prefectures) is read
with examples/mappings/mhlw-r7-ibaraki.yaml minus its prefecture filter and written once as facts
(benchmarks/data/national-facts.jsonl). Then, paired A B A B by benchmarks/peers/abtime.py:

  A  yoko diff ibaraki/2022 tests/policies/ibaraki-2023.yaml --facilities national-facts.jsonl
  B  yoko evaluate --batch national-facts.jsonl --policy ibaraki --year 2022 --out results.jsonl

A evaluates every facility against both policies and compares their traces; B evaluates once and
writes a row per facility. Target: A/B <= 3.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "mhlw-r7-facilities.csv")
MAPPING = os.path.join(ROOT, "examples", "mappings", "mhlw-r7-ibaraki.yaml")
FACTS = os.path.join(HERE, "data", "national-facts.jsonl")


def write_facts() -> int:
    """The corpus as one facts object per line (unknown facts left out)."""
    sys.path.insert(0, ROOT)
    import engine
    from engine.evaluation.batch import BadCell, load_mapping, row_facts
    from engine.evaluation.tables import read_rows
    from engine.lang.values import to_json
    policy = engine.load("ibaraki", 2022)
    mapping = load_mapping(MAPPING, policy)
    mapping.where = None  # every prefecture
    _, rows = read_rows(CORPUS)
    n = 0
    os.makedirs(os.path.dirname(FACTS), exist_ok=True)
    with open(FACTS, "w", encoding="utf-8") as out:
        for _, row in rows:
            try:
                _, facts = row_facts(row, mapping, policy)
            except BadCell:
                continue
            out.write(json.dumps({"id": row["id"], **{k: to_json(v) for k, v in facts.items()}},
                                 ensure_ascii=False) + "\n")
            n += 1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5, help="pairs (after one warm-up pair)")
    a = ap.parse_args(argv)
    n = write_facts()
    print(f"{n:,} facilities of the national corpus written to {os.path.relpath(FACTS, ROOT)}")
    yoko = os.path.join(os.path.dirname(sys.executable), "yoko")
    out = os.path.join(HERE, "data", "national-results.jsonl")
    diff = [yoko, "diff", "ibaraki/2022", "tests/policies/ibaraki-2023.yaml", "--facilities", FACTS,
            "--format", "json"]
    once = [yoko, "evaluate", "--batch", FACTS, "--policy", "ibaraki", "--year", "2022", "--out", out]
    r = subprocess.run(diff, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"yoko diff failed ({r.returncode}):\n{r.stderr[-2000:]}")
        return 1
    report = json.loads(r.stdout)
    beh = report.get("behavioural") or {}
    print(f"yoko diff: {beh.get('facilities')} facilities compared, {beh.get('changed')} with a changed "
          f"public result, {beh.get('errors')} errors")
    abtime = os.path.join(HERE, "peers", "abtime.py")
    cmd = [sys.executable, abtime, "-n", str(a.n), "--label", "diff-vs-once",
           "--vs", " ".join(once), "--", *diff]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
