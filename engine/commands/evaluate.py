# SPDX-License-Identifier: MIT
"""`yoko evaluate FACTS --policy ID --year YEAR`: one facility, explained."""
from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser("evaluate", help="evaluate a facility's facts against a policy")
    p.add_argument("facts", metavar="FACTS", help="YAML or JSON file: a mapping of fact name to value")
    p.add_argument("--policy", help="policy id, e.g. ibaraki")
    p.add_argument("--year", help="fiscal year: 2022, R4 or 令和4")
    p.add_argument("--policy-file", help="a policy file instead of --policy/--year")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("--no-trace", action="store_true", help="JSON without the trace")
    return p


def resolve_policy(args, err):
    """The policy named by --policy/--year or --policy-file."""
    from ..diagnostics import Diagnostic, YokoError
    from ..loader import load_policy_cached
    from ..registry import find
    if args.policy_file:
        return load_policy_cached(args.policy_file)
    if not args.policy or not args.year:
        raise YokoError([Diagnostic("usage", "give --policy ID and --year YEAR (or --policy-file PATH)")])
    return load_policy_cached(find(args.policy, args.year).path)


def run(args, out, err) -> int:
    from ..evaluate import evaluate
    from ..facts import load_facts_file
    policy = resolve_policy(args, err)
    facts = load_facts_file(args.facts, policy)
    ev = evaluate(policy, facts)
    if args.format == "json":
        out.write(json.dumps(ev.to_json(trace=not args.no_trace), ensure_ascii=False, indent=2) + "\n")
    else:
        from ..explain import render_text
        out.write(render_text(ev, args.lang))
    return 0
