# SPDX-License-Identifier: MIT
"""`yoko diff OLD NEW [--facilities DIR|FILE] [--prove] [--exit-code]`: what changes in the rules and for whom."""
from __future__ import annotations

import json

def add_parser(sub):  # help texts: cli.help.<command>.* in the catalogue
    p = sub.add_parser("diff")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--facilities", metavar="DIR|FILE")
    p.add_argument("--map", metavar="MAPPING")
    p.add_argument("--sheet")
    p.add_argument("--format", choices=["text", "markdown", "html", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    p.add_argument("--exit-code", action="store_true")
    p.add_argument("--prove", action="store_true")
    p.add_argument("--witness-dir", metavar="DIR")
    p.add_argument("--list-bound", type=int, default=None, metavar="N")
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
