# SPDX-License-Identifier: MIT
"""`yoko check [PATH...]`: load and statically check policies."""
from __future__ import annotations

import json
from pathlib import Path

from engine.base.diagnostics import YokoError, render_all


def add_parser(sub):
    p = sub.add_parser("check", help="check policy files (all policies when none is given)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="policy files or folders")
    p.add_argument("--lang", choices=["ja", "en"], default="en")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    return p


def policy_paths(paths: list[str]) -> list[str]:
    from engine.policy.registry import entries
    if not paths:
        return [e.path for e in entries()]
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(x) for x in sorted(path.rglob("*.yaml")) if not x.name.endswith(".tests.yaml"))
        else:
            out.append(p)
    return out


def run(args, out, err) -> int:
    from engine.policy.cache import load_policy_cached
    files = policy_paths(args.paths)
    if not files:
        err.write("no policy files found\n")
        return 2
    failed, warned, report = 0, 0, []
    for f in files:
        try:
            policy = load_policy_cached(f)
            diags = policy.warnings
            status = "ok"
        except YokoError as e:
            diags = e.diagnostics
            status = "error"
            failed += 1
        if any(not d.is_error for d in diags):
            warned += 1
        report.append({"file": f, "status": status, "diagnostics": [d.to_json() for d in diags]})
        if args.format == "text":
            if diags:
                err.write(render_all(diags, lang=args.lang) + "\n")
            out.write(f"{'ok' if status == 'ok' else 'FAILED'}: {f}\n")
    if args.format == "json":
        out.write(json.dumps({"files": report}, ensure_ascii=False, indent=2) + "\n")
    if failed or (args.strict and warned):
        return 2
    return 0
