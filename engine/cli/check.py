# SPDX-License-Identifier: MIT
"""`yoko check [PATH...] [--clauses [--fail-under N]]`: load and statically check policies, resolve
their citations against the source text beside them, and report clause coverage."""
from __future__ import annotations

import json
from pathlib import Path

from engine.base.diagnostics import YokoError, render_all
from engine.base.words import say
from engine.policy.sources import find_source, is_source_file, policy_path_for, source_path_for

def add_parser(sub):
    p = sub.add_parser("check")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--strict", action="store_true")  # help texts: cli.help.check.* in the catalogue
    p.add_argument("--clauses", action="store_true")
    p.add_argument("--fail-under", type=float, metavar="PERCENT")
    p.add_argument("--prove", action="store_true")
    p.add_argument("--witness-dir", metavar="DIR")
    return p


def policy_paths(paths: list[str]) -> list[str]:
    from engine.policy.registry import entries
    if not paths:
        return [e.path for e in entries()]
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(x) for x in sorted(path.rglob("*.yaml"))
                       if not x.name.endswith((".tests.yaml", ".source.yaml")))
        else:
            out.append(policy_path_for(p) if is_source_file(p) else p)
    return list(dict.fromkeys(out))


def _prove(policy, args) -> dict:
    """check --prove for one loaded policy, with the always: properties of its tests file."""
    from engine.review.policy_tests import tests_path_for
    from engine.review.prove import prove_policy, read_properties, write_witnesses
    proof = prove_policy(policy, read_properties(tests_path_for(policy.path)))
    if args.witness_dir:
        write_witnesses({"results": {p["name"]: p for p in proof["properties"]}}, args.witness_dir)
    return proof


def run(args, out, err) -> int:
    from engine.policy.cache import load_policy_cached
    from engine.review.stale import stale_labels
    files = policy_paths(args.paths)
    if not files:
        err.write(say("commands.test.none_found", args.lang) + "\n")
        return 2
    failed, warned, short, report = 0, 0, [], []
    for f in files:
        entry, coverage = {"file": f}, None
        try:
            policy = load_policy_cached(f)
            diags, coverage = _source_checks(policy, f, args.clauses)
            diags = policy.warnings + diags + stale_labels(policy)
        except YokoError as e:
            diags = e.diagnostics
        status = "error" if any(d.is_error for d in diags) else "ok"
        failed += status == "error"
        if any(not d.is_error for d in diags):
            warned += 1
        entry.update(status=status, diagnostics=[d.to_json() for d in diags])
        if args.clauses and status == "ok":
            entry["clauses"] = _coverage_json(coverage)
            percent = coverage.percent if coverage else 0.0
            if args.fail_under is not None and percent < args.fail_under:
                short.append(say("commands.check.under", args.lang, percent=percent, file=f, limit=args.fail_under))
        if args.prove and status == "ok":
            entry["proof"] = _prove(policy, args)
            failed += any(p["status"] == "refuted" for p in entry["proof"]["properties"])
            warned += bool(entry["proof"]["findings"])
        report.append(entry)
        if args.format == "text":
            if diags:
                err.write(render_all(diags, lang=args.lang) + "\n")
            if args.clauses and status == "ok":
                err.write((say("commands.check.clauses", args.lang, accounted=coverage.accounted, total=coverage.total,
                               percent=coverage.percent, file=f)
                           if coverage else say("commands.check.no_source", args.lang, file=f, source=source_path_for(f)))
                          + "\n")
            out.write(say("commands.check.ok" if status == "ok" else "commands.check.failed", args.lang, file=f) + "\n")
            if "proof" in entry:
                from engine.review.prove import proof_lines
                lang = args.lang
                out.write("".join(f"  {line}\n" for line in proof_lines(entry["proof"], policy, lang)))
    if args.format == "json":
        out.write(json.dumps({"files": report}, ensure_ascii=False, indent=2) + "\n")
    if failed or (args.strict and warned):
        return 2
    for line in short:
        err.write(line + "\n")
    return 1 if short else 0


def _source_checks(policy, path: str, clauses: bool):
    """Citation errors against the source text beside the policy, and its clause coverage."""
    from engine.policy.sources import check_citations
    from engine.review.clauses import clause_coverage, uncovered_warnings
    src = find_source(path)
    if src is None:
        return [], None
    diags = check_citations(policy, src)
    if not clauses or any(d.is_error for d in diags):
        return diags, None
    cov = clause_coverage(policy, src)
    return diags + uncovered_warnings(policy, cov), cov


def _coverage_json(cov) -> dict | None:
    if cov is None:
        return None
    from engine.policy.sources import clause_cite
    from engine.base.words import say
    return {"source": cov.src.path, "total": cov.total, "accounted": cov.accounted,
            "percent": round(cov.percent, 1),
            "clauses": [{"cite": clause_cite(cov.src, s.index), "status": s.status, "how": s.how or None,
                         "status_ja": say(f"commands.clause_status.{s.status or 'none'}", "ja")}
                        for s in cov.statuses]}
