# SPDX-License-Identifier: MIT
"""`yoko list`: the policies found, with their sources."""
from __future__ import annotations

import json


def add_parser(sub):
    p = sub.add_parser("list")
    p.add_argument("--format", choices=["text", "json"], default="text")
    return p


def run(args, out, err) -> int:
    from engine.base.diagnostics import YokoError
    from engine.policy.cache import load_policy_cached
    from engine.policy.registry import entries
    rows = []
    for e in sorted(entries(), key=lambda e: (e.id, e.fiscal_year)):
        try:
            meta = load_policy_cached(e.path).meta
        except YokoError as x:
            rows.append({"id": e.id, "fiscal_year": e.fiscal_year, "path": e.path, "error": x.diagnostics[0].code})
            continue
        rows.append({
            "id": e.id, "fiscal_year": e.fiscal_year, "path": e.path,
            "title": meta.get("title"), "jurisdiction": meta.get("jurisdiction"),
            "enacted": _iso(meta.get("enacted")), "applies_from": _iso(meta.get("applies_from")),
            "extends": meta.get("extends"),
            "sources": {k: {"title": v.get("title"), "number": v.get("number"), "date": _iso(v.get("date"))}
                        for k, v in (meta.get("sources") or {}).items()},
        })
    if args.format == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    from engine.base.words import named, say
    field = lambda k: named("policy.field", k, args.lang)  # noqa: E731
    for r in rows:
        if "error" in r:
            out.write(f"{r['id']}  {r['fiscal_year']}  ({r['error']})  {r['path']}\n")
            continue
        title = (r["title"] or {}).get(args.lang, "")
        out.write(f"{r['id']}  {r['fiscal_year']}  {title}\n")
        dates = say("commands.list.dates", args.lang, enacted=r["enacted"] or "-", applies_from=r["applies_from"] or "-")
        out.write(f"    {field('file')}: {r['path']}  {dates}\n")
        if r["extends"]:
            out.write(f"    {field('extends')}: {r['extends']['policy']} {r['extends']['fiscal_year']}\n")
        for key, s in r["sources"].items():
            num = f" {s['number']}" if s.get("number") else ""
            date = f" ({s['date']})" if s.get("date") else ""
            out.write(f"    {field('source')} {key}: {(s['title'] or {}).get(args.lang, '')}{num}{date}\n")
    return 0


def _iso(d):
    return d.isoformat() if hasattr(d, "isoformat") else d
