# SPDX-License-Identifier: MIT
"""`yoko evaluate FACTS --policy ID --year YEAR`: one facility, explained."""
from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser("evaluate")
    p.add_argument("facts", metavar="FACTS", nargs="?")
    p.add_argument("--policy")
    p.add_argument("--year")
    p.add_argument("--on", metavar="DATE")
    p.add_argument("--policy-file")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--no-trace", action="store_true")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--detail", action="store_true")
    shape.add_argument("--brief", action="store_true")
    p.add_argument("--show-expr", action="store_true")
    p.add_argument("--quote", action="store_true")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--width", type=int, metavar="N")
    add_batch_arguments(p)
    return p


def add_batch_arguments(p):
    g = p.add_argument_group("batch")
    g.add_argument("--batch", metavar="FILE")
    g.add_argument("--map", metavar="MAPPING")
    g.add_argument("--sheet")
    g.add_argument("--out", metavar="FILE")
    g.add_argument("--encoding", choices=["utf-8-sig", "utf-8", "cp932"], default="utf-8-sig")
    g.add_argument("--jobs", type=int, default=default_jobs(), metavar="N")
    g.add_argument("--summary", action="store_true")
    g.add_argument("--count", action="append", default=[], metavar="RULE")


def default_jobs() -> int:
    """Two processes where there are two cores or more, else one.

    Measured on an idle 2-core machine (benchmarks/batch_jobs.py, 150,000 rows): --jobs 2 took
    0.53 of --jobs 1's time, every row out once and in order, 32 MB at most in any process. More
    than two was not measured, so the default stops at two; a table of one chunk (256 rows) is
    evaluated in the one process whatever --jobs says."""
    import os
    return min(2, os.cpu_count() or 1)


def resolve_policy(args, err):
    """The policy named by --policy/--year, --policy/--on or --policy-file."""
    from engine.base.diagnostics import YokoError, diag
    from engine.policy.cache import load_policy_cached
    from engine.policy.registry import resolve
    if args.policy_file:
        return load_policy_cached(args.policy_file)
    if not args.policy:
        raise YokoError([diag("usage", key="diag.usage.policy")])
    return load_policy_cached(resolve(args.policy, args.year, getattr(args, "on", None), usage="diag.usage.policy"))


def run(args, out, err) -> int:
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.facts import load_facts_file
    policy = resolve_policy(args, err)
    if args.batch or args.facts is None:
        from functools import partial

        from engine.cli.batch import run_command
        from engine.present.xlsx import ResultsSheet
        return run_command(args, policy, out, err, xlsx_sheet=partial(ResultsSheet, policy=policy, lang=args.lang))
    facts = load_facts_file(args.facts, policy)
    ev = evaluate(policy, facts)
    if args.format == "json":
        out.write(json.dumps(ev.to_json(trace=not args.no_trace), ensure_ascii=False, indent=2) + "\n")
    else:
        from engine.present.memo import render_text
        out.write(render_text(ev, args.lang, memo_options(args, out)))
    return 0


def memo_options(args, out):
    """The memo's shape from the command line: detail, expressions, quotes, width and colour."""
    from engine.present import terminal
    from engine.present.memo import MemoOptions
    width = args.width if args.width and args.width > 0 else terminal.width_for(out)
    return MemoOptions(detail="full" if args.detail else "brief" if args.brief else "normal",
                       show_expr=args.show_expr, quote=args.quote, width=max(width, terminal.MIN_WIDTH),
                       colour=terminal.colour_wanted(args.color, out))
