# SPDX-License-Identifier: MIT
"""`yoko diff OLD NEW [--facilities DIR|FILE.jsonl]`: what changes in the rules and for whom."""
from __future__ import annotations

import json

HELP_SIDE = "ID/YEAR (ibaraki/2022), ID/YEAR@REV (ibaraki/2022@HEAD~1), a policy file, or FILE@REV"


def add_parser(sub):
    p = sub.add_parser("diff", help="compare two policies: rules changed, and facilities whose outcome changes")
    p.add_argument("old", metavar="OLD", help=HELP_SIDE)
    p.add_argument("new", metavar="NEW", help=HELP_SIDE)
    p.add_argument("--facilities", metavar="DIR|FILE",
                   help="facilities to evaluate on both sides: a folder of YAML/JSON facts files, a .jsonl "
                        "file, or a .csv/.xlsx table")
    p.add_argument("--map", metavar="MAPPING", help="YAML mapping of table columns to facts (as for evaluate --batch)")
    p.add_argument("--sheet", help="worksheet of an .xlsx table (default: the first)")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="en", help="language of labels and citations")
    return p


def run(args, out, err) -> int:
    from engine.review.diff import compare
    report, old, new = compare(args.old, args.new, args.facilities, args.map, args.sheet)
    if args.format == "json":
        out.write(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.write(Report(report, old, new, args.lang, args.format == "markdown").render())
    return 0


class Report:
    """The report as text for a terminal, or as Markdown to paste into a review."""

    def __init__(self, report: dict, old, new, lang: str, markdown: bool):
        self.r, self.old, self.new, self.lang, self.md = report, old, new, lang, markdown
        self.lines: list[str] = []

    # -------------------------------------------------------------- helpers
    def h(self, text: str, level: int = 2) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.append(f"{'#' * level} {text}" if self.md else (text if level <= 2 else f"  {text}"))

    def code(self, text: str) -> str:
        return f"`{text}`" if self.md else text

    def cite(self, cite, policy) -> str:
        from engine.present.citations import cites_text
        return cites_text(cite, policy.meta, self.lang) or "no citation"

    def label(self, spec_label) -> str:
        return (spec_label or {}).get(self.lang, "")

    def at(self, origin: dict) -> str:
        return f"{origin['file']}:{origin['line']}"

    def value(self, v, unit: str | None = None) -> str:
        if v is None:
            return "unknown"
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, int):
            return f"{v:,}" + (" yen" if unit == "yen" else "")
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        if isinstance(v, dict):
            return json.dumps(v, ensure_ascii=False)
        return str(v)

    def unit(self, name: str) -> str | None:
        for p in (self.new, self.old):
            for table in (p.rules, p.parameters, p.facts):
                if name in table:
                    return table[name].spec.get("unit")
        return None

    def bullet(self, text: str, depth: int = 0) -> None:
        self.lines.append("  " * depth + "- " + text if self.md else "  " + "  " * depth + text)

    def block(self, lines: list[str], depth: int = 1, lang: str = "") -> None:
        if self.md:
            pad = "  " * depth
            self.lines.append(f"{pad}```{lang}")
            self.lines.extend(pad + ln for ln in lines)
            self.lines.append(f"{pad}```")
        else:
            self.lines.extend("  " + "  " * depth + "  " + ln for ln in lines)

    # -------------------------------------------------------------- sections
    def render(self) -> str:
        o, n = self.r["old"], self.r["new"]
        title = f"yoko diff: {o['spec']} → {n['spec']}"
        self.lines.append(f"# {title}" if self.md else title)
        for side, word in ((o, "old"), (n, "new")):
            ext = f", extends {', '.join(side['extends'])}" if side["extends"] else ""
            self.bullet(f"{word}: {side['policy']} {side['fiscal_year']} ({self.code(side['file'])}{ext})")
        s = self.r["structural"]
        self.meta(s["meta"])
        self.items("Parameters", s["parameters"], self.param)
        self.items("Rules", s["rules"], self.rule)
        self.items("Facts", s["facts"], self.fact)
        self.results(s["results"])
        self.notes(s["notes"])
        if "behavioural" in self.r:
            self.behaviour(self.r["behavioural"])
        return "\n".join(self.lines).rstrip() + "\n"

    def meta(self, meta: dict) -> None:
        self.h("Policy")
        if not meta:
            self.bullet("no change to title, dates or sources")
            return
        for k, ch in meta.items():
            if k == "sources":
                for key, c in ch.items():
                    word = "added" if c["old"] is None else "removed" if c["new"] is None else "changed"
                    doc = c["new"] or c["old"]
                    self.bullet(f"source {self.code(key)} {word}: {self.label(doc.get('title'))}")
            elif k == "title":
                self.bullet(f"title: {self.label(ch['old'])} → {self.label(ch['new'])}")
            else:
                self.bullet(f"{k}: {self.value(ch['old'])} → {self.value(ch['new'])}")

    def items(self, title: str, sec: dict, one) -> None:
        self.h(title)
        if not any(sec.values()):
            self.bullet("no change")
            return
        for word in ("changed", "added", "removed"):
            for item in sec[word]:
                one(word, item)

    def param(self, word: str, p: dict) -> None:
        unit = self.unit(p["name"])
        if word == "changed":
            text = f"changed {self.code(p['name'])}"
            if "value" in p:
                text += f": {self.value(p['value']['old'], unit)} → {self.value(p['value']['new'], unit)}"
            self.bullet(text)
            c = p["cite"]
            self.bullet(f"cite: {self.cite(c['old'], self.old)}" + ("" if c["old"] == c["new"]
                                                                    else f" → {self.cite(c['new'], self.new)}"), 1)
            self.changes(p["changes"])
            self.bullet(f"at {self.at(p['at'])} (was {self.at(p['old_at'])})", 1)
            return
        policy = self.new if word == "added" else self.old
        self.bullet(f"{word} {self.code(p['name'])} = {self.value(p['value'], unit)}: {self.label(p['label'])}")
        self.bullet(f"cite: {self.cite(p['cite'], policy)}; at {self.at(p['at'])}", 1)

    def rule(self, word: str, r: dict) -> None:
        if word == "changed":
            self.bullet(f"changed {self.code(r['name'])}: {self.label(self.new.rules[r['name']].spec.get('label'))}")
            if "expr" in r:
                self.block(r["expr"]["diff"], 1, "diff")
            if "cite" in r:
                self.bullet(f"cite: {self.cite(r['cite']['old'], self.old)} → {self.cite(r['cite']['new'], self.new)}", 1)
            self.changes(r["changes"])
            self.bullet(f"at {self.at(r['at'])} (was {self.at(r['old_at'])})", 1)
            return
        policy = self.new if word == "added" else self.old
        self.bullet(f"{word} {self.code(r['name'])}: {self.label(r['label'])}")
        self.block(r["expr"].strip("\n").splitlines(), 1)
        self.bullet(f"cite: {self.cite(r['cite'], policy)}; at {self.at(r['at'])}", 1)

    def fact(self, word: str, f: dict) -> None:
        if word == "changed":
            self.bullet(f"changed {self.code(f['name'])}")
            for word, names in (f.get("fields") or {}).items():
                if names:
                    self.bullet(f"fields {word}: {', '.join(names)}", 1)
            self.changes({k: v for k, v in f["changes"].items() if not (f.get("fields") and k == "items")})
            self.bullet(f"at {self.at(f['at'])} (was {self.at(f['old_at'])})", 1)
            return
        self.bullet(f"{word} {self.code(f['name'])}: {self.label(f['label'])}")

    def changes(self, changes: dict) -> None:
        for k, ch in changes.items():
            if k == "label":
                self.bullet(f"label: {self.label(ch['old'])} → {self.label(ch['new'])}", 1)
            elif k == "notes":
                self.bullet("notes changed", 1)
            else:
                old = json.dumps(ch["old"], ensure_ascii=False) if ch["old"] is not None else "none"
                new = json.dumps(ch["new"], ensure_ascii=False) if ch["new"] is not None else "none"
                if len(old) + len(new) > 160:
                    self.bullet(f"{k} changed", 1)
                else:
                    self.bullet(f"{k}: {old} → {new}", 1)

    def results(self, ch: dict) -> None:
        self.h("Public results")
        if not ch:
            self.bullet("no change")
            return
        for name in ch["added"]:
            self.bullet(f"added {self.code(name)}")
        for name in ch["removed"]:
            self.bullet(f"removed {self.code(name)}")
        if not ch["added"] and not ch["removed"]:
            self.bullet("order changed: " + ", ".join(ch["new"]))

    def notes(self, ch: dict) -> None:
        self.h("Notes on the whole policy")
        if not ch:
            self.bullet("no change")
            return
        for word in ("added", "removed"):
            for note in ch[word]:
                self.bullet(f"{word} {note.get('kind')}: {self.label(note.get('text')).strip()}")

    def behaviour(self, b: dict) -> None:
        self.h("Facilities")
        self.bullet(f"corpus: {self.code(b['corpus'])}: {b['facilities']} facilities, "
                    f"{len(b['changed'])} change outcome, {len(b['errors'])} could not be evaluated")
        for side, names in b["ignored_facts"].items():
            if names:
                shown = ", ".join(f"{self.code(n)} ({k})" for n, k in names.items())
                self.bullet(f"facts the {side} policy does not declare, left aside (facilities): {shown}")
        for e in b["errors"]:
            d = e["diagnostics"][0] if e["diagnostics"] else {"code": "error", "message": ""}
            where = f"{d['file']}:{d['line']}:{d['column']}: " if d.get("file") else ""
            more = f" (and {len(e['diagnostics']) - 1} more)" if len(e["diagnostics"]) > 1 else ""
            self.bullet(f"not evaluated: {e['facility']} ({e['side']}): {where}{d['code']}: {d['message']}{more}")
        for fac in b["changed"]:
            self.h(fac["facility"], 3)
            if self.md:
                self.lines.append("")
                self.lines.append("| result | old | new |")
                self.lines.append("|---|---|---|")
                for name, v in fac["results"].items():
                    u = self.unit(name)
                    self.lines.append(f"| `{name}` | {self.value(v['old'], u)} | {self.value(v['new'], u)} |")
                self.lines.append("")
            else:
                for name, v in fac["results"].items():
                    u = self.unit(name)
                    self.bullet(f"{name}: {self.value(v['old'], u)} → {self.value(v['new'], u)}", 1)
            self.first(fac["first_difference"])
        self.totals(b["totals"])

    def first(self, d: dict | None) -> None:
        if d is None:
            return
        u = self.unit(d["rule"])
        policy = self.new if d["rule"] in self.new.rules else self.old
        if "only_in" in d:
            side = d["only_in"]
            what = f"{self.value(d[side], u)}, a rule only the {side} policy has"
        else:
            what = f"{self.value(d['old'], u)} → {self.value(d['new'], u)}"
        text = f"first difference: {self.code(d['rule'])} {what} [{self.cite(d['cite'], policy)}] at {self.at(d['at'])}"
        self.lines.append(("- " if self.md else "    ") + text)
        why = []
        if d.get("expr_changed"):
            why.append("its expression changed")
        for n, v in (d.get("inputs") or {}).items():
            u = self.unit(n)
            old = v["old"] if v["old"] == "(not in the old policy)" else self.value(v["old"], u)
            why.append(f"{self.code(n)} {old} → {self.value(v['new'], u)}")
        if why:
            self.lines.append(("  - " if self.md else "      ") + "because: " + "; ".join(why))

    def totals(self, t: dict) -> None:
        self.h("Totals")
        old, new = t["old"]["results"], t["new"]["results"]
        rows = [("evaluated", str(t["old"]["evaluated"]), str(t["new"]["evaluated"]))]
        for name in dict.fromkeys([*old, *new]):
            rows.append((name, self.total(old.get(name), name), self.total(new.get(name), name)))
        if self.md:
            self.lines.append("")
            self.lines.append("| | old | new |")
            self.lines.append("|---|---|---|")
            self.lines.extend(f"| `{a}` | {b} | {c} |" if a != "evaluated" else f"| {a} | {b} | {c} |"
                              for a, b, c in rows)
            return
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows + [("", "old", "")])
        self.lines.append(f"  {'':<{w0}}  {'old':<{w1}}  new")
        self.lines.extend(f"  {a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows)

    def total(self, t: dict | None, name: str) -> str:
        if t is None:
            return "(not a result)"
        unknown = f", {t['unknown']} unknown" if t["unknown"] else ""
        if "sum" in t:
            return f"{self.value(t['sum'], 'yen')} over {t['known']}{unknown}"
        return f"{t['true']} yes, {t['false']} no{unknown}"
