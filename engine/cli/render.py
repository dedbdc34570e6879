# SPDX-License-Identifier: MIT
"""`yoko render POLICY`: the policy as a document to review and circulate: Markdown, printable HTML, or JSON."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub):
    p = sub.add_parser("render")
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--year")
    p.add_argument("--format", choices=["markdown", "html", "json"], default="markdown")
    p.add_argument("--out", metavar="FILE")
    return p


def load(policy: str, year):
    """A policy given as a file, or as an id (with a year)."""
    from engine.policy.cache import load_policy_cached
    from engine.policy.registry import resolve
    return load_policy_cached(resolve(policy, year, usage="diag.usage.render_year"))


def run(args, out, err) -> int:
    from engine.present.render import render
    policy = load(args.policy, args.year)
    text = render(policy, args.lang, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        from engine.base.words import say
        out.write(say("render.wrote", args.lang, path=args.out) + "\n")
    else:
        out.write(text)
    return 0
