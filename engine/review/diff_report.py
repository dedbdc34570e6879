# SPDX-License-Identifier: MIT
"""A DiffReport as text, Markdown or a standalone HTML page, in Japanese or English.

One builder turns the report into blocks (headings, lines, tables, side-by-side rules) made of
spans (plain, code, removed, added, strong); three small back-ends write the blocks out. Every
word comes from the catalogue (engine/base/catalogue/diff.py).
"""
from __future__ import annotations

import html
import json

from engine.base.words import named, say
from engine.present.citations import cites_text
from engine.present.format import _number, _unit
from engine.base.diagnostics import render as render_diagnostic

# spans: (kind, text) with kind "=" plain, "`" code, "-" removed, "+" added, "*" strong
Span = tuple


def render(report, fmt: str = "text", lang: str = "ja") -> str:
    """The report in `fmt` (text, markdown, html) and `lang` (ja, en)."""
    blocks = Builder(report, lang).build()
    return {"text": text_out, "markdown": markdown_out, "html": html_out}[fmt](blocks, lang, report)


# ============================================================================ the builder


class Builder:
    def __init__(self, report, lang: str):
        self.r, self.lang = report, lang
        self.old = report.old.model
        self.new = report.new.model
        self.blocks: list = []

    # ---------------------------------------------------------------- helpers
    def w(self, key: str, /, **params) -> str:
        return say(key, self.lang, **params)

    def note_head(self, n: int, kind: str) -> str:
        """注記 2（解釈）; a plain note is only 注記 2."""
        if kind in (None, "note"):
            return self.w("commands.diff.note", n=n)
        return self.w("diff.note", n=n, kind=named("policy.note", kind, self.lang))

    def h(self, level: int, *spans) -> None:
        self.blocks.append(("h", level, list(spans)))

    def li(self, *spans, depth: int = 0) -> None:
        self.blocks.append(("li", depth, list(spans)))

    def p(self, *spans) -> None:
        self.blocks.append(("p", list(spans)))

    def label(self, v) -> str:
        if isinstance(v, dict):
            return str(v.get(self.lang) or v.get("en") or v.get("ja") or "").strip()
        return "" if v is None else str(v)

    def unit(self, name: str) -> str | None:
        for p in (self.new, self.old):
            if p is None:
                continue
            for table in (p.rules, p.parameters, p.facts):
                if name in table:
                    return table[name].spec.get("unit")
        return None

    def value(self, v, unit: str | None = None) -> str:
        """A JSON value as a person reads it."""
        if v is None:
            return say("common.unknown", self.lang)
        if isinstance(v, bool):
            return say("common.yes" if v else "common.no", self.lang)
        if isinstance(v, int):
            return _number(v) + _unit(unit, self.lang)
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]" if v else say("common.none", self.lang)
        if isinstance(v, dict):
            return json.dumps(v, ensure_ascii=False)
        return str(v) + (_unit(unit, self.lang) if unit and _numeric_text(v) else "")

    def delta(self, v, unit: str | None) -> str:
        if isinstance(v, int):
            return ("+" if v > 0 else "") + self.value(v, unit)
        if isinstance(v, str) and _numeric_text(v):
            return ("" if v.startswith("-") else "+") + v + _unit(unit, self.lang)
        return self.value(v, unit)

    def cite(self, cite, policy) -> str:
        if policy is None or not cite:
            return self.w("diff.no_cite")
        return cites_text(cite, policy.meta, self.lang) or self.w("diff.no_cite")

    def at(self, o: dict | None) -> str:
        return f"{o['file']}:{o['line']}" if o else ""

    def words(self, segs: list) -> list[Span]:
        return [(op, text) for op, text in segs]

    # ---------------------------------------------------------------- the report
    def build(self) -> list:
        r = self.r
        self.h(1, ("=", self.w("diff.title", old=r.old.label, new=r.new.label)))
        self.blocks.append(("verdict", [("*", self.w("diff.verdict") + ": "), ("=", self.verdict())],
                            r.verdict["kind"]))
        for side, word in ((r.old, "diff.side.old"), (r.new, "diff.side.new")):
            self.side(side, self.w(word))
        if r.verdict["kind"] == "error":
            self.errors()
        if r.behavioural is not None:
            self.behaviour(r.behavioural)
        if r.proof is not None:
            self.proof(r.proof)
        if r.structural is not None:
            if r.verdict["kind"] == "error":
                self.h(2, ("=", self.w("diff.section.partial")))
            self.structural(r.structural)
        return self.blocks

    def verdict(self) -> str:
        v = self.r.verdict
        kind = v["kind"]
        if kind == "error":
            return self.w("diff.verdict.error", sides=self.w("diff.list_sep").join(self.w(f"diff.side.{s}")
                                                                                   for s in v["broken"]))
        if kind == "cosmetic":
            return self.w("diff.verdict.cosmetic", what=self.cosmetic_what())
        if kind == "facilities_change":
            items = [f"{name} {self.delta(d, self.unit(name))}" for name, d in v["delta"].items() if d not in (0, "0")]
            delta = self.w("diff.delta", items=self.w("diff.list_sep").join(items)) if items else ""
            return self.w("diff.verdict.facilities_change", n=v["changed"], total=v["facilities"], delta=delta)
        return self.w(f"diff.verdict.{kind}")

    def cosmetic_what(self) -> str:
        s = self.r.structural
        what = []
        if s["order"] or s["results"].get("old"):
            what.append(self.w("diff.what.order"))
        if any(r.get("expr", {}).get("equivalent") for r in s["rules"]["changed"]):
            what.append(self.w("diff.what.rewording"))
        if (any(s[sec]["changed"] for sec in ("facts", "parameters", "rules")) and
                any(set(c["changes"]) or c.get("cite") for sec in ("facts", "parameters", "rules")
                    for c in s[sec]["changed"])) or s["meta"] or s["notes"]:
            what.append(self.w("diff.what.wording"))
        return self.w("diff.list_sep").join(what) or self.w("diff.what.nothing")

    def side(self, side, word: str) -> None:
        rev = ""
        if side.rev:
            rev = self.w("diff.side.rev", rev=side.rev, sha=(side.sha or "?")[:12])
        p = side.policy
        if p is None:
            self.li(("=", self.w("diff.side.broken", side=word, file=side.path, rev=rev)))
            return
        ext = self.w("diff.side.extends", bases=", ".join(f"{s.version[0]}/{s.version[1]}" for s in p.chain[1:])) \
            if len(p.chain) > 1 else ""
        self.li(("=", self.w("diff.side.line", side=word, policy=p.id, year=p.fiscal_year, file=p.path, rev=rev,
                             extends=ext)))

    def errors(self) -> None:
        self.h(2, ("=", self.w("diff.section.errors")))
        for side, word in ((self.r.old, "diff.side.old"), (self.r.new, "diff.side.new")):
            for d in side.errors:
                self.li(("=", self.w(word) + ": "), ("`", render_diagnostic(d, lang=self.lang).splitlines()[0]))

    # ---------------------------------------------------------------- facilities
    def behaviour(self, b: dict) -> None:
        self.h(2, ("=", self.w("diff.section.groups")))
        self.li(("=", self.w("diff.corpus", corpus=b["corpus"], n=b["facilities"], changed=len(b["changed"]),
                             errors=len(b["errors"]))))
        for side, names in b["ignored_facts"].items():
            if names:
                shown = ", ".join(f"{n} ({k})" for n, k in names.items())
                self.li(("=", self.w("diff.ignored", side=self.w(f"diff.side.{side}"), names=shown)))
        for e in b["errors"]:
            d = e["diagnostics"][0] if e["diagnostics"] else {"code": "error", "message": ""}
            where = f"{d['file']}:{d['line']}:{d['column']}: " if d.get("file") else ""
            msg = d.get("message_ja") if self.lang == "ja" and d.get("message_ja") else d["message"]
            self.li(("=", self.w("diff.not_evaluated", facility=e["facility"], side=self.w(f"diff.side.{e['side']}"),
                                 message=f"{where}{d['code']}: {msg}")))
        for g in b["groups"]:
            self.group(g)
        if b["hidden"]:
            self.h(2, ("=", self.w("diff.section.hidden")))
            for hdn in b["hidden"]:
                steps = ", ".join(f"{n} {self.value(v['old'])} → {self.value(v['new'])}" for n, v in hdn["steps"].items())
                self.li(("=", self.w("diff.hidden_line", facility=hdn["name"], results=", ".join(hdn["results"]),
                                     steps=steps)), ("=", f" ({hdn['source']})"))
        self.totals(b["totals"])

    def cause(self, c: dict) -> list[Span]:
        kind = c["kind"]
        u = self.unit(c["name"])
        text = self.w(f"diff.cause.{kind}", name=c["name"], old=self.value(c.get("old"), u),
                      new=self.value(c.get("new"), u))
        return [("=", text), ("=", f" ({self.at(c['at'])})")]

    def group(self, g: dict) -> None:
        spans = []
        for i, c in enumerate(g["cause"]):
            if i:
                spans.append(("=", self.w("diff.list_sep")))
            spans += self.cause(c)
        self.h(3, ("=", self.w("diff.group", causes="")), *spans, ("=", " — " + self.w("diff.group.count", n=g["count"])))
        if g["steps"]:
            self.li(("=", self.w("diff.group.steps", steps=" → ".join(g["steps"]))))
        new_facts = [c["name"] for c in g["cause"] if c["kind"] == "fact_added"]
        if new_facts:
            self.li(("*", self.w("diff.every_needs", n=g["count"], facts=", ".join(new_facts))))
        rows = []
        for f in g["facilities"]:
            first = True
            for name, v in f["results"].items():
                rows.append([[("=", f["name"] if first else "")], [("`", name)], self.cell(v, "old", name),
                             self.cell(v, "new", name), [("=", self.change(v, name))],
                             [("=", f["source"] if first else "")]])
                first = False
        self.blocks.append(("table", [self.w(k) for k in ("diff.col.facility", "diff.col.result", "diff.col.old",
                                                          "diff.col.new", "diff.col.delta", "diff.col.source")],
                            rows))
        for name, t in g["totals"].items():
            self.group_total(name, t)

    def cell(self, v: dict, side: str, name: str) -> list[Span]:
        x = v[side]
        if x is None and f"{side}_range" in v:
            return [("=", self.range(v[f"{side}_range"], name))]
        return [("=", self.value(x, self.unit(name)))]

    def range(self, rg: dict, name: str) -> str:
        facts = ", ".join(rg["deciding"]) or "?"
        u = self.unit(name)
        if "min" in rg:
            return self.w("diff.range", lo=self.value(rg["min"], u), hi=self.value(rg["max"], u), facts=facts)
        if "values" in rg:
            return self.w("diff.range_values", values="/".join(self.value(x, u) for x in rg["values"]), facts=facts)
        return self.w("diff.range_facts", facts=facts)

    def change(self, v: dict, name: str) -> str:
        if "delta" in v:
            return self.delta(v["delta"], self.unit(name))
        if "days" in v:
            return self.w("diff.days", n=v["days"])
        return ""

    def group_total(self, name: str, t: dict) -> None:
        u = self.unit(name)
        if "days" in t:
            d = t["days"]
            text = self.w("diff.days", n=d["min"]) if d["min"] == d["max"] else self.w("diff.days_range", lo=d["min"],
                                                                                        hi=d["max"])
            self.li(("*", self.w("diff.group.total") + ": "), ("`", name), ("=", " " + text))
            return
        if "delta" not in t:
            return
        line = self.w("diff.total_line", result=name, old=self.value(t["old"], u) if isinstance(t["old"], int)
                      else t["old"], new=self.value(t["new"], u) if isinstance(t["new"], int) else t["new"],
                      delta=self.delta(t["delta"], u))
        if t["unknown_old"] or t["unknown_new"]:
            line += self.w("diff.total_unknown", old=t["unknown_old"], new=t["unknown_new"])
        if "new_range" in t:
            line += self.w("diff.total_range", lo=self.value(t["new_range"]["min"], u),
                           hi=self.value(t["new_range"]["max"], u))
        self.li(("*", self.w("diff.group.total") + ": "), ("=", line))

    def totals(self, t: dict) -> None:
        self.h(2, ("=", self.w("diff.section.totals")))
        old, new = t["old"]["results"], t["new"]["results"]
        rows = [[[("=", self.w("diff.totals.evaluated"))], [("=", str(t["old"]["evaluated"]))],
                 [("=", str(t["new"]["evaluated"]))]]]
        for name in dict.fromkeys([*old, *new]):
            rows.append([[("`", name)], [("=", self.total(old.get(name)))], [("=", self.total(new.get(name)))]])
        self.blocks.append(("table", ["", self.w("diff.col.old"), self.w("diff.col.new")], rows))

    def total(self, t: dict | None) -> str:
        if t is None:
            return self.w("diff.not_a_result")
        unknown = self.w("diff.totals.unknown", n=t["unknown"]) if t["unknown"] else ""
        if "sum" in t:
            return self.w("diff.totals.sum", sum=self.value(t["sum"], "yen"), known=t["known"], unknown=unknown)
        return self.w("diff.totals.bool", true=t["true"], false=t["false"], unknown=unknown)

    # ---------------------------------------------------------------- proof
    def proof(self, pr: dict) -> None:
        self.h(2, ("=", self.w("diff.section.proof")), ("=", " — " + self.w("diff.proof.time", seconds=pr["seconds"])))
        bounds = ", ".join(f"{k} {v}" for k, v in (pr.get("list_bounds") or {}).items()) or str(pr["list_bound"])
        self.li(("=", self.w("diff.proof.bounds", bounds=bounds)))
        for name, res in pr["results"].items():
            st = res["status"]
            if st == "equal":
                self.li(("=", self.w("diff.proof.equal", result=name)))
            elif st == "not_proved":
                self.li(("=", self.w("diff.proof.not_proved", result=name, why=res["uses"])))
            elif st == "unknown":
                self.li(("=", self.w("diff.proof.unknown", result=name, why=res.get("reason", ""))))
            else:
                self.li(("*", self.w("diff.proof.differs", result=name)))
                for wit in res["witnesses"]:
                    self.witness(wit, name)

    def witness(self, wit: dict, name: str) -> None:
        u = self.unit(name)
        region = self.region(wit["region"])
        self.li(("=", self.w("diff.proof.region", region=region)), depth=1)
        old, new = self.value(wit["old"], u), self.value(wit["new"], u)
        if wit.get("file"):
            self.li(("=", self.w("diff.proof.witness", file=wit["file"], old=old, new=new)), depth=1)
        else:
            facts = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in wit["facts"].items())
            self.li(("=", self.w("diff.proof.witness_inline", facts=facts or "{}", old=old, new=new)), depth=1)

    def region(self, parts: list[dict]) -> str:
        out = []
        policy = self.new or self.old
        for part in parts:
            fact = policy.facts.get(part["fact"]) if policy is not None else None
            label = self.label(fact.spec.get("label")) if fact else part["fact"]
            label = _short_label(label)
            unit = (fact.spec.get("unit") if fact else None)
            ustr = _unit(unit, self.lang).strip()
            ustr = (" " + ustr) if ustr else ""
            if part.get("absent"):
                out.append(self.w("diff.proof.absent", label=label))
            elif "values" in part:
                labels = (fact.spec.get("value_labels") or {}) if fact else {}
                vals = "・".join(self.label(labels.get(v)) or str(v) for v in part["values"]) if self.lang == "ja" \
                    else "/".join(self.label(labels.get(v)) or str(v) for v in part["values"])
                out.append(self.w("diff.proof.is", label=label, value=vals))
            elif part.get("date"):
                if part.get("lo") is None:
                    out.append(self.w("diff.proof.until", label=label, hi=part["hi"]))
                elif part.get("hi") is None:
                    out.append(self.w("diff.proof.from", label=label, lo=part["lo"]))
                else:
                    out.append(self.w("diff.proof.between", label=label, lo=part["lo"], hi=part["hi"], unit=""))
            elif part.get("hi") is None:
                out.append(self.w("diff.proof.at_least", label=label, lo=_number(part["lo"]), unit=ustr))
            else:
                out.append(self.w("diff.proof.between", label=label, lo=_number(part["lo"]), hi=_number(part["hi"]),
                                  unit=ustr))
        return self.w("diff.list_sep").join(out) or self.w("diff.proof.any")

    # ---------------------------------------------------------------- rules, parameters, facts
    def structural(self, s: dict) -> None:
        self.meta(s["meta"])
        for sec in s["order"]:
            self.li(("=", self.w("diff.reordered", section=self.w(f"diff.section.{sec}"))))
        self.items("parameters", s["parameters"], self.param)
        self.items("rules", s["rules"], self.rule)
        self.items("facts", s["facts"], self.fact)
        self.results(s["results"])
        self.notes(s["notes"])

    def meta(self, meta: dict) -> None:
        self.h(2, ("=", self.w("diff.section.policy")))
        if not meta:
            self.li(("=", self.w("diff.no_meta_change")))
            return
        for k, ch in meta.items():
            if k == "sources":
                for key, c in ch.items():
                    word = "diff.added" if c["old"] is None else "diff.removed" if c["new"] is None else "diff.changed"
                    doc = c["new"] or c["old"]
                    self.li(("=", self.w(word) + " "), ("`", key), ("=", ": " + self.label(doc.get("title"))))
            elif k == "title":
                self.li(("=", named("policy.field", "title", self.lang) + ": "), *self.words(ch["words"].get(self.lang, [["=", self.label(ch["new"])]])))
            else:
                self.li(("=", self.w("diff.key_change", key=named("policy.field", k, self.lang), old=self.value(ch["old"]),
                                     new=self.value(ch["new"]))))

    def items(self, sec: str, d: dict, one) -> None:
        self.h(2, ("=", self.w(f"diff.section.{sec}")))
        if not any(d.values()):
            self.li(("=", self.w("diff.no_change")))
            return
        for word in ("changed", "added", "removed"):
            for item in d[word]:
                one(word, item)

    def at_line(self, item: dict) -> None:
        if "old_at" in item:
            self.li(("=", self.w("diff.at", at=self.at(item["at"]), old_at=self.at(item["old_at"]))), depth=1)
        else:
            self.li(("=", self.w("diff.at_one", at=self.at(item["at"]))), depth=1)

    def param(self, word: str, p: dict) -> None:
        u = self.unit(p["name"])
        if word == "changed":
            spans = [("=", self.w("diff.changed") + " "), ("`", p["name"])]
            if "value" in p:
                spans += [("=", ": "), ("-", self.value(p["value"]["old"], u)), ("=", " → "),
                          ("+", self.value(p["value"]["new"], u))]
            self.li(*spans)
            c = p["cite"]
            if c["old"] != c["new"]:
                self.li(("=", self.w("diff.cite", cite="")), ("-", self.cite(c["old"], self.old)), ("=", " → "),
                        ("+", self.cite(c["new"], self.new)), depth=1)
            else:
                self.li(("=", self.w("diff.cite", cite=self.cite(c["new"], self.new))), depth=1)
            self.changes(p["changes"])
            self.at_line(p)
            return
        policy = self.new if word == "added" else self.old
        self.li(("=", self.w(f"diff.{word}") + " "), ("`", p["name"]),
                ("=", f" = {self.value(p.get('value'), u)}: {self.label(p['label'])}"))
        self.li(("=", self.w("diff.cite", cite=self.cite(p["cite"], policy))), depth=1)
        self.at_line(p)

    def rule(self, word: str, r: dict) -> None:
        moves = self.moves(r["name"])
        if word == "changed":
            rule = self.new.rules.get(r["name"])
            label = self.label(rule.spec.get("label")) if rule else ""
            self.li(("=", self.w("diff.changed") + " "), ("`", r["name"]), ("=", f": {label}"))
            if "expr" in r:
                if r["expr"].get("equivalent"):
                    self.li(("*", self.w("diff.rewording")), depth=1)
                self.blocks.append(("side", r["expr"]["old"], r["expr"]["new"], r["expr"]["diff"], moves))
            if "cite" in r:
                self.li(("=", self.w("diff.cite", cite="")), ("-", self.cite(r["cite"]["old"], self.old)),
                        ("=", " → "), ("+", self.cite(r["cite"]["new"], self.new)), depth=1)
            self.changes(r["changes"])
            self.at_line(r)
            return
        policy = self.new if word == "added" else self.old
        self.li(("=", self.w(f"diff.{word}") + " "), ("`", r["name"]), ("=", f": {self.label(r['label'])}"))
        old, new = ("", r["expr"]) if word == "added" else (r["expr"], "")
        diff = [("+ " if word == "added" else "- ") + ln for ln in r["expr"].strip("\n").splitlines()]
        self.blocks.append(("side", old, new, diff, moves))
        self.li(("=", self.w("diff.cite", cite=self.cite(r["cite"], policy))), depth=1)
        self.at_line(r)

    def moves(self, name: str) -> list[str]:
        """The facilities whose change this rule is a cause or a changed step of."""
        b = self.r.behavioural
        if not b:
            return []
        out = []
        for g in b["groups"]:
            if name in g["steps"] or any(c["name"] == name for c in g["cause"]):
                out += [f["name"] for f in g["facilities"]]
        return out

    def fact(self, word: str, f: dict) -> None:
        if word == "changed":
            self.li(("=", self.w("diff.changed") + " "), ("`", f["name"]))
            for w, names in (f.get("fields") or {}).items():
                if names:
                    self.li(("=", self.w("diff.fields", word=self.w(f"diff.{w}"), names=", ".join(names))), depth=1)
            self.changes({k: v for k, v in f["changes"].items() if not (f.get("fields") and k == "items")})
            self.at_line(f)
            return
        self.li(("=", self.w(f"diff.{word}") + " "), ("`", f["name"]), ("=", f": {self.label(f['label'])}"))
        self.at_line(f)

    def changes(self, changes: dict) -> None:
        for k, ch in changes.items():
            if k in ("label", "description"):
                segs = ch["words"].get(self.lang)
                if segs is None:
                    continue
                self.li(("=", self.w(f"diff.{k}") + ": "), *self.words(segs), depth=1)
            elif k == "notes":
                for n in ch["words"]:
                    kind = n["kind"]["new"] or n["kind"]["old"]
                    segs = n["words"].get(self.lang)
                    if segs is not None:
                        self.li(("=", self.note_head(n["index"] + 1, kind) + ": "), *self.words(segs),
                                depth=1)
                    if "cite" in n:
                        self.li(("=", self.w("diff.note_cite", n=n["index"] + 1,
                                             old=self.cite(n["cite"]["old"], self.old),
                                             new=self.cite(n["cite"]["new"], self.new))), depth=1)
            else:
                old = json.dumps(ch["old"], ensure_ascii=False) if ch["old"] is not None else "—"
                new = json.dumps(ch["new"], ensure_ascii=False) if ch["new"] is not None else "—"
                if len(old) + len(new) > 160:
                    self.li(("=", self.w("diff.key_changed", key=named("policy.field", k, self.lang))), depth=1)
                else:
                    self.li(("=", f"{named('policy.field', k, self.lang)}: "), ("-", old), ("=", " → "), ("+", new), depth=1)

    def results(self, ch: dict) -> None:
        self.h(2, ("=", self.w("diff.section.results")))
        if not ch:
            self.li(("=", self.w("diff.no_change")))
            return
        for name in ch["added"]:
            self.li(("=", self.w("diff.added") + " "), ("`", name))
        for name in ch["removed"]:
            self.li(("=", self.w("diff.removed") + " "), ("`", name))
        if not ch["added"] and not ch["removed"]:
            self.li(("=", self.w("diff.results_order", names=", ".join(ch["new"]))))

    def notes(self, ch: dict) -> None:
        self.h(2, ("=", self.w("diff.section.notes")))
        if not ch:
            self.li(("=", self.w("diff.no_change")))
            return
        for word in ("added", "removed"):
            for note in ch[word]:
                kind = named("policy.note", note.get("kind"), self.lang)
                self.li(("=", f"{self.w('diff.' + word)} {kind}: {self.label(note.get('text'))}"))
        for n in ch.get("changed", []):
            segs = n["words"].get(self.lang)
            kind = n["kind"]["new"] or n["kind"]["old"]
            if segs is not None:
                self.li(("=", self.note_head(n["index"] + 1, kind) + ": "), *self.words(segs))


def _numeric_text(v) -> bool:
    import re
    return isinstance(v, str) and bool(re.fullmatch(r"-?\d+(\.\d+)?|-?\d+/\d+", v))


def _short_label(label: str) -> str:
    """A fact's label without its trailing parenthesised period, for a region in words."""
    for open_, close in (("（", "）"), ("(", ")")):
        if label.endswith(close) and open_ in label:
            return label[: label.rindex(open_)].strip()
    return label


# ============================================================================ back-ends


def _plain_spans(spans, mark) -> str:
    return "".join(mark(kind, text) for kind, text in spans)


def text_out(blocks, lang: str, report) -> str:
    def mark(kind, text):
        return {"-": f"[-{text}-]", "+": f"{{+{text}+}}"}.get(kind, text)
    out: list[str] = []
    for b in blocks:
        kind = b[0]
        if kind == "h":
            if out:
                out.append("")
            text = _plain_spans(b[2], mark)
            out.append(text if b[1] <= 2 else f"  {text}")
        elif kind == "verdict":
            out.append(_plain_spans(b[1], mark))
        elif kind in ("li", "p"):
            depth = b[1] if kind == "li" else 0
            out.append("  " + "  " * depth + _plain_spans(b[-1], mark))
        elif kind == "table":
            out.extend(_text_table(b[1], [[_plain_spans(c, mark) for c in row] for row in b[2]]))
        elif kind == "side":
            out.extend("      " + ln for ln in b[3])
            if b[4]:
                out.append("    " + say("diff.moves", lang, names=", ".join(b[4])))
    return "\n".join(out).rstrip() + "\n"


def _width(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _text_table(header, rows) -> list[str]:
    cols = len(header)
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(cols)]
    def line(cells):
        return ("  " + "  ".join(str(c) + " " * (widths[i] - _width(str(c))) for i, c in enumerate(cells))).rstrip()
    return [line(header), *[line(r) for r in rows]]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_out(blocks, lang: str, report) -> str:
    def mark(kind, text):
        core = text.strip()
        if not core or kind == "=":
            return text
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        sign = {"`": "`", "-": "~~", "+": "**", "*": "**"}[kind]
        return f"{lead}{sign}{core}{sign}{trail}"
    out: list[str] = []
    for b in blocks:
        kind = b[0]
        if kind == "h":
            out += ["", "#" * b[1] + " " + _plain_spans(b[2], mark)] if out else ["# " + _plain_spans(b[2], mark)]
        elif kind == "verdict":
            out += ["", "> " + _plain_spans(b[1], mark), ""]
        elif kind == "li":
            out.append("  " * b[1] + "- " + _plain_spans(b[2], mark))
        elif kind == "p":
            out.append(_plain_spans(b[1], mark))
        elif kind == "table":
            out += ["", "| " + " | ".join(b[1]) + " |", "|" + "---|" * len(b[1])]
            out += ["| " + " | ".join(_md_escape(_plain_spans(c, mark)) for c in row) + " |" for row in b[2]]
            out.append("")
        elif kind == "side":
            out += ["  ```diff", *["  " + ln for ln in b[3]], "  ```"]
            if b[4]:
                out.append("  - " + say("diff.moves", lang, names=", ".join(b[4])))
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


_CSS = """
body{font-family:system-ui,"Noto Sans JP",sans-serif;margin:2rem;max-width:80rem;line-height:1.5;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;margin-top:2rem}h3{font-size:1rem}
.verdict{font-size:1.1rem;padding:.6rem 1rem;border-left:6px solid #888;background:#f4f4f4}
.verdict.facilities_change,.verdict.proved_different,.verdict.no_facility_changes,.verdict.rules_changed{border-color:#c60}
.verdict.error{border-color:#c00;background:#fee}
.verdict.identical,.verdict.cosmetic,.verdict.proved_equal{border-color:#080}
del{background:#fdd;text-decoration:line-through}ins{background:#dfd;text-decoration:none}
code{background:#f0f0f0;padding:0 .2em}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;vertical-align:top}
.side{display:grid;grid-template-columns:1fr 1fr 16rem;gap:.5rem;margin:.3rem 0 .6rem 1.5rem}
.side pre{margin:0;padding:.4rem;background:#fafafa;border:1px solid #ddd;white-space:pre-wrap}
.side .old pre{background:#fff5f5}.side .new pre{background:#f5fff5}.side .moves{font-size:.9rem}
ul{margin:.2rem 0}
"""


def html_out(blocks, lang: str, report) -> str:
    esc = html.escape

    def mark(kind, text):
        t = esc(text)
        return {"`": f"<code>{t}</code>", "-": f"<del>{t}</del>", "+": f"<ins>{t}</ins>",
                "*": f"<strong>{t}</strong>"}.get(kind, t)
    title = esc(say("diff.title", lang, old=report.old.label, new=report.new.label))
    out = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>',
           f"<style>{_CSS.strip()}</style>\n</head>\n<body>"]
    depth = -1

    def close_lists(to: int):
        nonlocal depth
        while depth > to:
            out.append("</ul>")
            depth -= 1
    for b in blocks:
        kind = b[0]
        if kind != "li":
            close_lists(-1)
        if kind == "h":
            out.append(f"<h{b[1]}>{_plain_spans(b[2], mark)}</h{b[1]}>")
        elif kind == "verdict":
            out.append(f'<p class="verdict {esc(b[2])}" id="verdict">{_plain_spans(b[1], mark)}</p>')
        elif kind == "li":
            close_lists(b[1])
            while depth < b[1]:
                out.append("<ul>")
                depth += 1
            out.append(f"<li>{_plain_spans(b[2], mark)}</li>")
        elif kind == "p":
            out.append(f"<p>{_plain_spans(b[1], mark)}</p>")
        elif kind == "table":
            out.append("<table>\n<tr>" + "".join(f"<th>{esc(h)}</th>" for h in b[1]) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{_plain_spans(c, mark)}</td>" for c in row) + "</tr>" for row in b[2]]
            out.append("</table>")
        elif kind == "side":
            moves = esc(say("diff.moves", lang, names=", ".join(b[4]))) if b[4] else ""
            out.append(f'<div class="side"><div class="old"><div>{esc(say("diff.side_by_side.old", lang))}</div>'
                       f"<pre>{esc(b[1].strip())}</pre></div>"
                       f'<div class="new"><div>{esc(say("diff.side_by_side.new", lang))}</div>'
                       f"<pre>{esc(b[2].strip())}</pre></div>"
                       f'<div class="moves">{moves}</div></div>')
    close_lists(-1)
    out.append("</body>\n</html>")
    return "\n".join(out) + "\n"
