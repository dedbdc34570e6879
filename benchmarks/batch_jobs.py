#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`yoko evaluate --batch` at `--jobs 1` and `--jobs 2`: wall time, peak memory of the largest
process, every row out exactly once and in order (whole processes, passes interleaved).

    python benchmarks/batch_jobs.py [-n 300000] [--rounds 1] [--settle] [--where] [--xlsx ROWS]

The facts are the national corpus (benchmarks/data/national-facts.jsonl, 11,760 facilities,
written by benchmarks/diff_corpus.py's write_facts when missing) repeated to N rows, each copy
with its own id (benchmarks/data/batch-N.jsonl). Each round runs, in turn,

  yoko evaluate --batch batch-N.jsonl --policy ibaraki --year 2022 --out OUT.jsonl --jobs J

for J = 1 and 2 (the order alternates from round to round). For every run it reports the wall
time, the cpu time of the whole process tree (os.wait4), and the peak resident memory (VmHWM,
polled from /proc/PID/status every 20 ms) of the parent and of each worker, the largest of them
being the figure the target is about. Every output file is then checked: one record per input
row, rows in input order, ids as written.

--settle adds a pair of --jobs 1 runs with the decided-means-known pass (engine.lang.bounds,
called by engine.evaluation.evaluate._settle) switched off in the process, to price it.
--where adds --jobs 1 and 2 over the corpus CSV (repeated to N rows) read through
examples/mappings/mhlw-r7-ibaraki.yaml, whose `where: prefecture == "茨城県"` keeps 1 row in 40.
--xlsx ROWS adds --jobs 2 over the corpus repeated to ROWS rows as a workbook (written once with
openpyxl, slowly), every prefecture, results written as a workbook.

Targets (issue #15): at most 150 MB in the largest process at --jobs 2; --jobs 2 at least 1.6x
faster than --jobs 1 on an idle 2-core machine. The load average is printed before and after:
read the speed-up against it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "mhlw-r7-facilities.csv")
MAPPING = os.path.join(ROOT, "examples", "mappings", "mhlw-r7-ibaraki.yaml")

# a process with the decided-means-known pass switched off (for --settle only)
NO_SETTLE = ("import sys, engine.evaluation.evaluate as e; e._settle = lambda policy, env: None; "
             "from engine.cli.main import main; sys.exit(main(sys.argv[1:]))")


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model or platform.machine()}), Python {platform.python_version()}"


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def facts_file(n: int) -> str:
    """The national facts repeated to n rows, ids made unique by a copy suffix."""
    path = os.path.join(DATA, f"batch-{n}.jsonl")
    if os.path.exists(path):
        return path
    national = os.path.join(DATA, "national-facts.jsonl")
    if not os.path.exists(national):
        sys.path.insert(0, HERE)
        from diff_corpus import write_facts
        write_facts()
    with open(national, encoding="utf-8") as f:
        lines = [json.loads(ln) for ln in f if ln.strip()]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        for i in range(n):
            rec = dict(lines[i % len(lines)])
            rec["id"] = f"{rec['id']}#{i // len(lines)}"
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)
    return path


def corpus_file(n: int) -> str:
    """The corpus CSV (every prefecture) repeated to n rows, ids made unique by a copy suffix."""
    path = os.path.join(DATA, f"batch-corpus-{n}.csv")
    if os.path.exists(path):
        return path
    with open(CORPUS, encoding="utf-8") as f:
        header, *lines = f.read().splitlines()
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        out.write(header + "\n")
        for i in range(n):
            rid, rest = lines[i % len(lines)].split(",", 1)
            out.write(f"{rid}#{i // len(lines)},{rest}\n")
    os.replace(path + ".tmp", path)
    return path


def _status(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                k, _, v = ln.partition(":")
                if k in ("VmHWM", "PPid"):
                    out[k] = int(v.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def _cpu(pid: int) -> float | None:
    """User + system seconds of one process so far (/proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def run(argv: list[str], out: str) -> dict:
    """One whole process: wall, cpu of the tree, peak MB of the largest process, and VmHWM polled
    per process (the parent and each worker)."""
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t = time.monotonic()
    p = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    hwm: dict[int, int] = {}
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            for pid in [p.pid, *_children(p.pid)]:
                v = _status(pid).get("VmHWM")
                if v:
                    hwm[pid] = max(hwm.get(pid, 0), v)
                c = _cpu(pid)
                if c is not None and pid != p.pid:
                    cpu[pid] = max(cpu.get(pid, 0), c)
            stop.wait(0.02)
    th = threading.Thread(target=poll, daemon=True)
    th.start()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    stop.set()
    th.join()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"command failed ({code}): {' '.join(argv)}\n{err.decode(errors='replace')[-2000:]}")
    parent = hwm.pop(p.pid, 0) / 1024
    total = ru.ru_utime + ru.ru_stime
    # not ru.ru_maxrss: at exec the kernel counts the forking process's own peak (this script's,
    # which holds the expected ids) into the child's, so it overstates; VmHWM is the new process's
    return {"wall": wall, "cpu": total, "peak": max([parent, *(v / 1024 for v in hwm.values())]), "parent": parent,
            "workers": sorted((v / 1024 for v in hwm.values()), reverse=True), "out": out,
            # cpu seconds of the busiest process: the parent's own (the tree's less its workers'), or a worker's
            "busiest": max([total - sum(cpu.values()), *cpu.values()])}


def expected_ids(path: str) -> list:
    if path.endswith(".csv"):
        with open(path, encoding="utf-8") as f:
            next(f)
            return [ln.split(",", 1)[0] for ln in f if ln.strip()]
    with open(path, encoding="utf-8") as f:
        return [json.loads(ln)["id"] for ln in f if ln.strip()]


def output_ids(out: str) -> tuple[list, list]:
    """(row numbers, ids) of an output file, in file order."""
    if out.endswith(".xlsx"):
        import openpyxl
        wb = openpyxl.load_workbook(out, read_only=True)
        it = wb.worksheets[0].iter_rows(values_only=True)
        next(it), next(it)  # labels, identifiers
        pairs = [(r[0], r[1]) for r in it]
        wb.close()
        return [p[0] for p in pairs], [p[1] for p in pairs]
    rows, ids = [], []
    with open(out, encoding="utf-8") as f:
        for ln in f:
            rec = json.loads(ln)
            rows.append(rec["row"])
            ids.append(rec["id"])
    return rows, ids


def check(out: str, want: list) -> str:
    """'ok' when the output holds every kept input row exactly once, in input order."""
    rows, got = output_ids(out)
    if got != want:
        return f"WRONG: {len(got):,} records for {len(want):,} rows, {len(set(want) - set(got)):,} missing, " \
               f"{len(got) - len(set(got)):,} twice, in order: {rows == sorted(rows)}"
    if rows != sorted(rows) or len(set(rows)) != len(rows):
        return "WRONG: row numbers out of order"
    return "ok"


def xlsx_file(csv_path: str) -> str:
    """The corpus CSV as a workbook (written once, write-only)."""
    path = csv_path[:-4] + ".xlsx"
    if os.path.exists(path):
        return path
    import csv
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("facilities")
    with open(csv_path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            ws.append(row)
    wb.save(path + ".tmp.xlsx")
    os.replace(path + ".tmp.xlsx", path)
    return path


def cmd(prog: list[str], table: str, out: str, jobs: int, extra=()) -> list[str]:
    return [*prog, "evaluate", "--batch", table, "--policy", "ibaraki", "--year", "2022", "--out", out,
            "--jobs", str(jobs), *extra]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300_000, help="rows (default 300,000)")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds of --jobs 1 and 2 (default 1)")
    ap.add_argument("--settle", action="store_true", help="also price the decided-means-known pass")
    ap.add_argument("--where", action="store_true", help="also the corpus CSV through a mapping's where:")
    ap.add_argument("--xlsx", type=int, default=0, metavar="ROWS",
                    help="also the corpus repeated to ROWS rows as a workbook, in and out, at --jobs 2")
    a = ap.parse_args(argv)
    print(f"machine: {machine()}")
    started = time.monotonic()
    table = facts_file(a.n)
    ids = expected_ids(table)
    print(f"{len(ids):,} rows: {os.path.relpath(table, ROOT)} ({os.path.getsize(table) / 1e6:.0f} MB)")
    yoko = os.path.join(os.path.dirname(sys.executable), "yoko")
    prog = [yoko] if os.path.exists(yoko) else [sys.executable, "-m", "engine"]
    warm = os.path.join(DATA, "batch-warm.jsonl")
    with open(table, encoding="utf-8") as f, open(warm, "w", encoding="utf-8") as w:
        w.writelines(ln for _, ln in zip(range(10), f))
    subprocess.run(cmd(prog, warm, os.path.join(DATA, "batch-out-warm.jsonl"), 1), cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fills the policy cache
    # (label, command prefix, table, jobs, extra arguments, output extension, ids expected out)
    plan = [("--jobs 1", prog, table, 1, (), "jsonl", ids), ("--jobs 2", prog, table, 2, (), "jsonl", ids)]
    if a.settle:
        plan.append(("--jobs 1, decided-means-known off", [sys.executable, "-c", NO_SETTLE], table, 1, (),
                     "jsonl", ids))
    if a.where:
        corpus = corpus_file(a.n)
        with open(corpus, encoding="utf-8") as f:
            next(f)
            kept = [ln.split(",", 1)[0] for ln in f if ln.split(",", 2)[1:2] == ["茨城県"]]
        plan += [(f"--jobs {j}, CSV + mapping with where: ({len(kept):,} rows kept)", prog, corpus, j,
                  ("--map", MAPPING), "jsonl", kept) for j in (1, 2)]
    if a.xlsx:
        book = xlsx_file(corpus_file(a.xlsx))
        plan.append((f"--jobs 2, XLSX in and out, {a.xlsx:,} rows", prog, book, 2, ("--map", _no_where(MAPPING)),
                     "xlsx", expected_ids(book[:-5] + ".csv")))
    print(f"load average before: {load()}")
    rows: dict[str, list] = {}
    bad = 0
    for r in range(a.rounds):
        for label, pr, tab, jobs, extra, ext, want in (plan if r % 2 == 0 else plan[::-1]):
            o = os.path.join(DATA, f"batch-out-{len(rows)}.{ext}")
            res = run(cmd(pr, tab, o, jobs, extra), o)
            res["check"] = check(o, want)
            bad += res["check"] != "ok"
            os.unlink(o)
            rows.setdefault(label, []).append(res)
            workers = " ".join(f"{w:.0f}" for w in res["workers"]) or "-"
            print(f"  round {r + 1} {label}: {res['wall']:.1f} s wall, {res['cpu']:.1f} s cpu, largest "
                  f"{res['peak']:.0f} MB (parent {res['parent']:.0f}, workers {workers}); {res['check']}; "
                  f"load {load()}", flush=True)
    print(f"load average after: {load()}; {time.monotonic() - started:.0f} s in all\n")
    print("| run | wall s | cpu s | busiest process cpu s | largest process MB | parent MB | each worker MB | rows out |")
    print("|---|---|---|---|---|---|---|---|")
    for label, rs in rows.items():
        w = max((x["workers"] for x in rs), key=lambda ws: max(ws, default=0))
        print(f"| {label} | {statistics.median(x['wall'] for x in rs):.1f} | "
              f"{statistics.median(x['cpu'] for x in rs):.1f} | {statistics.median(x['busiest'] for x in rs):.1f} | "
              f"{max(x['peak'] for x in rs):.0f} | "
              f"{max(x['parent'] for x in rs):.0f} | {' '.join(f'{v:.0f}' for v in w) or '-'} | "
              f"{'every row once, in order' if all(x['check'] == 'ok' for x in rs) else 'WRONG'} |")
    j1, j2 = rows["--jobs 1"], rows["--jobs 2"]
    ratios = [x["wall"] / y["wall"] for x, y in zip(j1, j2)]
    print(f"\n--jobs 2 vs --jobs 1: {statistics.median(ratios):.2f}x faster (per round: "
          f"{' '.join(f'{x:.2f}' for x in ratios)}; target >= 1.6x on an idle machine)")
    cores = os.cpu_count() or 1
    bound = [x["cpu"] / max(y["busiest"], y["cpu"] / cores) for x, y in zip(j1, j2)]
    print(f"  (from cpu seconds, which the load changes less: at most {statistics.median(bound):.2f}x on "
          f"{cores} idle cores, --jobs 1's cpu over the larger of the busiest --jobs 2 process's and the "
          f"tree's cpu per core)")
    print(f"largest process at --jobs 2: {max(x['peak'] for x in j2):.0f} MB (target <= 150 MB)")
    if a.settle:
        off = rows["--jobs 1, decided-means-known off"]
        ratio = statistics.median(x["wall"] / y["wall"] for x, y in zip(j1, off))
        print(f"decided-means-known pass: --jobs 1 takes {ratio:.2f}x the wall time of the same run without it")
    return 1 if bad else 0


def _no_where(mapping: str) -> str:
    """The mapping without its where: line (every prefecture), beside the generated tables."""
    path = os.path.join(DATA, "mhlw-r7-every-prefecture.yaml")
    with open(mapping, encoding="utf-8") as f:
        text = "".join(ln for ln in f if not ln.startswith("where:"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    sys.exit(main())
