# SPDX-License-Identifier: MIT
"""`yoko show POLICY --year Y [--rule NAME]`: the resolved policy, each item with where it came from."""
from __future__ import annotations

import json

from engine.base.words import named, render, say
from engine.lang.types import type_words
from engine.present.resolved import item_json, policy_json


def add_parser(sub):
    p = sub.add_parser("show")
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--year")
    p.add_argument("--on", metavar="DATE")
    p.add_argument("--rule", metavar="NAME")
    p.add_argument("--compiled", action="store_true")
    p.add_argument("--format", choices=["text", "json"], default="text")
    return p


def load_named(policy: str, year=None, on=None):
    """A policy by id and --year/--on, or by file path."""
    from engine.policy.cache import load_policy_cached
    from engine.policy.registry import resolve
    return load_policy_cached(resolve(policy, year, on, usage="diag.usage.show_year"))


def parts_text(item, lang: str = "en") -> str:
    """Where each patched or re-cited part of an item came from: `; label: file:line (patch)`."""
    o = item.origin
    if o is None or not o.parts:
        return ""
    out = []
    for key, part in o.parts:
        loc = part.location
        out.append(say(f"authoring.show.part.{part.how}", lang, key=key, at=f"{loc.file}:{loc.line}"))
    return "; " + "; ".join(out)


def find_item(policy, name: str):
    from engine.base.diagnostics import YokoError, diag, suggest
    for kind, table in (("rule", policy.rules), ("parameter", policy.parameters), ("fact", policy.facts)):
        if name in table:
            return kind, table[name]
    names = [*policy.rules, *policy.parameters, *policy.facts]
    raise YokoError([diag("unknown_name", key="diag.unknown_name.show", policy=policy.id, year=policy.fiscal_year,
                          name=name, suggestion=suggest(name, names))])


def render_text(policy, lang: str) -> str:
    from engine.present.citations import cites_text
    from engine.present.origin import origin_text
    from engine.policy.periods import describe, period_key
    from engine.present.format import fmt
    field = lambda k: named("policy.field", k, lang)  # noqa: E731
    lines = [f"{policy.id} {policy.fiscal_year}  {(policy.title or {}).get(lang, '')}",
             f"  {field('file')}: {policy.path}"]
    for s in policy.chain[1:]:
        lines.append(f"  {field('extends')}: {s.version[0]} {s.version[1]} ({s.path})")
    lines.append("")
    lines.append(say("commands.show.facts", lang, n=len(policy.facts)))
    for n, f in policy.facts.items():
        key = period_key(f.spec, policy.fiscal_year)
        period = f", {describe(key).text(lang)}" + (f" ({key})" if lang == "en" else "") if key else ""
        lines.append(f"  {n}: {render(type_words(f.type), lang)}{period}  @ {origin_text(f, lang)}{parts_text(f, lang)}")
    lines.append("")
    lines.append(say("commands.show.parameters", lang, n=len(policy.parameters)))
    for n, p in policy.parameters.items():
        value = fmt(p.value, lang, p.spec.get("unit"))
        lines.append(f"  {n} = {value}  [{cites_text(p.spec.get('cite'), policy.meta, lang)}]"
                     f"  @ {origin_text(p, lang)}{parts_text(p, lang)}")
    lines.append("")
    lines.append(say("commands.show.rules", lang, n=len(policy.rules)))
    for n in policy.rules:
        r = policy.rules[n]
        lines.append(f"  {n}  [{cites_text(r.spec.get('cite'), policy.meta, lang)}]  @ {origin_text(r, lang)}"
                     f"{parts_text(r, lang)}")
    lines.append("")
    lines.append(f"{field('results')}: " + ", ".join(policy.results))
    return "\n".join(lines) + "\n"


def render_item(policy, kind: str, item, lang: str) -> str:
    from engine.present.citations import cites_text
    from engine.present.origin import origin_text
    from engine.present.format import _unit, fmt
    spec = item.spec
    label = (spec.get("label") or {}).get(lang, "")
    field = lambda k: named("policy.field", k, lang)  # noqa: E731
    lines = [f"{say('kind.' + kind, lang)} {item.name}: {label}", f"  {field('defined_at')}: {origin_text(item, lang)}"]
    for key, part in (item.origin.parts if item.origin else ()):
        loc = part.location
        lines.append("  " + say(f"authoring.show.part.{part.how}", lang, key=key, at=f"{loc.file}:{loc.line}"))
    lines.append(f"  {field('cite')}: {cites_text(spec.get('cite'), policy.meta, lang)}")
    type_text = render(type_words(item.type), lang) if kind != "parameter" else ""
    if kind == "parameter":
        lines.append(f"  {field('value')}: {fmt(item.value, lang, spec.get('unit'))}")
    elif kind == "rule":
        lines.append(f"  {field('type')}: {type_text}" + (f", {field('unit')}: {_unit(spec['unit'], lang).strip()}" if spec.get("unit") else ""))
        lines.append(f"  {field('expr')}:")
        lines.extend("    " + ln for ln in item.text.rstrip("\n").splitlines())
        lines.append(f"  {field('reads')}: " + ", ".join(item.reads))
    else:
        lines.append(f"  {field('type')}: {type_text}")
        if spec.get("period"):
            lines.append(f"  {field('period')}: {json.dumps(spec['period'])}")
    for note in spec.get("notes") or []:
        text = (note.get("text") or {}).get(lang, "").strip()
        lines.append(f"  {named('policy.note', 'note', lang)} ({named('policy.note', note.get('kind'), lang)}): {text}")
    return "\n".join(lines) + "\n"


def run(args, out, err) -> int:
    policy = load_named(args.policy, args.year, args.on)
    if args.compiled:
        from engine.lang.codegen import generate
        out.write(generate(policy).source + "\n")
        return 0
    if args.rule:
        kind, item = find_item(policy, args.rule)
        if args.format == "json":
            out.write(json.dumps(item_json(kind, item, policy), ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(render_item(policy, kind, item, args.lang))
        return 0
    if args.format == "json":
        out.write(json.dumps(policy_json(policy), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.write(render_text(policy, args.lang))
    return 0
