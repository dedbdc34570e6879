# SPDX-License-Identifier: MIT
"""`yoko fmt [--check] [--diff] [PATH...]`: policy, source and tests files in the canonical layout
(engine/policy/fmt.py; docs/language.md "Layout")."""
from __future__ import annotations

import difflib
from pathlib import Path

from engine.base.diagnostics import YokoError, render_all
from engine.base.words import say


def add_parser(sub):
    p = sub.add_parser("fmt")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--check", action="store_true")
    p.add_argument("--diff", action="store_true")
    return p


def fmt_paths(paths: list[str]) -> list[str]:
    """The YAML files named, or found in the folders named (the policy folders when none is)."""
    from engine.policy.registry import _shown, policy_dirs
    if not paths:
        return [_shown(p) for d in policy_dirs() for p in sorted(d.rglob("*.yaml"))]
    out = []
    for p in paths:
        path = Path(p)
        out.extend(str(x) for x in sorted(path.rglob("*.yaml"))) if path.is_dir() else out.append(p)
    return list(dict.fromkeys(out))


def run(args, out, err) -> int:
    from engine.policy.fmt import format_text
    from engine.policy.yamlio import read_text
    files = fmt_paths(args.paths)
    if not files:
        err.write(say("fmt.no_files", args.lang) + "\n")
        return 2
    changed, broken = [], 0
    for f in files:
        try:
            text = read_text(f)
            new = format_text(text, f)
        except YokoError as e:
            err.write(render_all(e.diagnostics, lang=args.lang) + "\n")
            broken += 1
            continue
        if new == text:
            continue
        changed.append(f)
        if args.diff:
            out.writelines(difflib.unified_diff(text.splitlines(keepends=True), new.splitlines(keepends=True),
                                                f"{f}", f"{f} (yoko fmt)"))
        if args.check:
            err.write(say("fmt.would_reformat", args.lang, file=f) + "\n")
        elif not args.diff:
            Path(f).write_text(new, encoding="utf-8")
            err.write(say("fmt.reformatted", args.lang, file=f) + "\n")
    total = len(files) - broken
    key = "fmt.summary.same" if not changed else "fmt.summary.check" if args.check or args.diff else "fmt.summary.done"
    err.write(say(key, args.lang, changed=len(changed), total=total) + "\n")
    if broken:
        return 2
    return 1 if args.check and changed else 0
