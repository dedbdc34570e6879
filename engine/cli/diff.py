# SPDX-License-Identifier: MIT
"""`yoko diff OLD NEW [--facilities DIR|FILE] [--prove] [--exit-code]`: what changes in the rules and for whom."""
from __future__ import annotations

import json

HELP_SIDE = "ID/YEAR (ibaraki/2022), ID/YEAR@REV (ibaraki/2022@HEAD~1), a policy file, or FILE@REV"


def add_parser(sub):
    p = sub.add_parser("diff", help="compare two policies: a verdict, facilities grouped by cause, a proof")
    p.add_argument("old", metavar="OLD", help=HELP_SIDE)
    p.add_argument("new", metavar="NEW", help=HELP_SIDE)
    p.add_argument("--facilities", metavar="DIR|FILE",
                   help="facilities to evaluate on both sides: a folder of YAML/JSON facts files, a .jsonl "
                        "file, or a .csv/.xlsx table")
    p.add_argument("--map", metavar="MAPPING", help="YAML mapping of table columns to facts (as for evaluate --batch)")
    p.add_argument("--sheet", help="worksheet of an .xlsx table (default: the first)")
    p.add_argument("--format", choices=["text", "markdown", "html", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default=None, help="language of the report (default $YOKO_LANG, else ja)")
    p.add_argument("--exit-code", action="store_true",
                   help="exit 0 when no behaviour changes, 1 when it does, 2 on errors (as git diff --exit-code)")
    p.add_argument("--prove", action="store_true",
                   help="prove every public result equal for every facility, or give witness facilities")
    p.add_argument("--witness-dir", metavar="DIR", help="with --prove: write witness facilities here as facts files")
    p.add_argument("--list-bound", type=int, default=None, metavar="N",
                   help="with --prove: lists of up to N items (default 3)")
    return p


def run(args, out, err) -> int:
    from engine.base.diagnostics import render
    from engine.base.words import default_lang
    from engine.review.diff import EXIT_ERROR, diff
    from engine.review.diff_report import render as render_report
    lang = args.lang or default_lang()
    report = diff(args.old, args.new, args.facilities, args.map, args.sheet,
                  prove=args.prove or bool(args.witness_dir), list_bound=args.list_bound)
    if report.proof is not None and args.witness_dir:
        from engine.review.prove import write_witnesses
        write_witnesses(report.proof, args.witness_dir)
    if args.format == "json":
        out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.write(render_report(report, args.format, lang))
    for side in (report.old, report.new):
        for d in side.errors:
            err.write(render(d, lang=lang) + "\n")
    if report.exit_code == EXIT_ERROR:
        return EXIT_ERROR
    return report.exit_code if args.exit_code else 0
