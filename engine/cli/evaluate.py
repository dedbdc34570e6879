# SPDX-License-Identifier: MIT
"""`yoko evaluate FACTS --policy ID --year YEAR`: one facility, explained."""
from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser("evaluate", help="evaluate a facility's facts against a policy")
    p.add_argument("facts", metavar="FACTS", nargs="?", help="YAML or JSON file: a mapping of fact name to value")
    p.add_argument("--policy", help="policy id, e.g. ibaraki")
    p.add_argument("--year", help="fiscal year: 2022, R4 or 令和4")
    p.add_argument("--on", metavar="DATE", help="instead of --year: the version in force on DATE (2022-11-01)")
    p.add_argument("--policy-file", help="a policy file instead of --policy/--year")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("--no-trace", action="store_true", help="JSON without the trace")
    add_batch_arguments(p)
    return p


def add_batch_arguments(p):
    g = p.add_argument_group("batch (a table of facilities instead of FACTS)")
    g.add_argument("--batch", metavar="FILE", help="table of facilities: .csv, .xlsx or .jsonl")
    g.add_argument("--map", metavar="MAPPING", help="YAML mapping of columns to facts (default: columns are facts)")
    g.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
    g.add_argument("--out", metavar="FILE", help="write results to .csv, .xlsx or .jsonl (default: JSONL on stdout)")
    g.add_argument("--encoding", choices=["utf-8-sig", "utf-8", "cp932"], default="utf-8-sig",
                   help="text encoding of a .csv --out (default utf-8-sig: UTF-8 with the BOM Excel needs)")
    g.add_argument("--jobs", type=int, default=1, metavar="N", help="spread rows over N processes")
    g.add_argument("--summary", action="store_true",
                   help="print what the run decided and which missing facts matter most (stdout)")
    g.add_argument("--count", action="append", default=[], metavar="RULE",
                   help="with --summary: also count the values of RULE (repeatable), e.g. any_ground")


def resolve_policy(args, err):
    """The policy named by --policy/--year or --policy-file."""
    from engine.base.diagnostics import YokoError, diag
    from engine.policy.cache import load_policy_cached
    from engine.policy.registry import find
    if args.policy_file:
        return load_policy_cached(args.policy_file)
    if getattr(args, "on", None):  # the version in force on a day
        from engine.policy.registry import in_force
        if not args.policy or args.year:
            raise YokoError([diag("usage", key="diag.usage.on")])
        return load_policy_cached(in_force(args.policy, args.on).path)
    if not args.policy or not args.year:
        raise YokoError([diag("usage", key="diag.usage.policy")])
    return load_policy_cached(find(args.policy, args.year).path)


def run(args, out, err) -> int:
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.facts import load_facts_file
    policy = resolve_policy(args, err)
    if args.batch or args.facts is None:
        from functools import partial

        from engine.evaluation.batch import run_command
        from engine.present.xlsx import ResultsSheet
        return run_command(args, policy, out, err, xlsx_sheet=partial(ResultsSheet, policy=policy, lang=args.lang))
    facts = load_facts_file(args.facts, policy)
    ev = evaluate(policy, facts)
    if args.format == "json":
        out.write(json.dumps(ev.to_json(trace=not args.no_trace), ensure_ascii=False, indent=2) + "\n")
    else:
        from engine.present.memo import render_text
        out.write(render_text(ev, args.lang))
    return 0
