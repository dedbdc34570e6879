# SPDX-License-Identifier: MIT
"""The summary of a batch run in words (`evaluate --batch --summary`) and as rows of a sheet; the
data is engine.evaluation.batch.Summary.to_json."""
from __future__ import annotations

from fractions import Fraction

from engine.base.words import say
from engine.present.format import fmt

TOP = 12  # facts still needed shown in the text (all of them are in JSON and the workbook)


def value_words(v, lang: str) -> str:
    """A counted value in words: はい/いいえ, 「1」, （なし） for an empty list."""
    if isinstance(v, bool):
        return say("common.yes" if v else "common.no", lang)
    if isinstance(v, list):  # as the workbook writes a list: 「1、2a」
        return say("diff.list_sep", lang).join(str(x) for x in v) if v else say("xlsx.empty_list", lang)
    return fmt(v, lang)


def _unit(policy, name: str) -> str | None:
    rule = policy.rules.get(name)
    return rule.spec.get("unit") if rule is not None else None


def amount_words(total, policy, name: str, lang: str) -> str:
    """A total of a numeric result, with its unit (78,493,000 円)."""
    value = Fraction(total) if isinstance(total, str) else total
    return fmt(value, lang, _unit(policy, name))


def summary_text(data: dict, policy, lang: str, top: int = TOP) -> str:
    """The summary of a run (Summary.to_json) as lines of text in `lang`."""
    rows = data["rows"]
    lines = [say("commands.batch.head", lang, policy=policy.id, year=policy.fiscal_year, rows=rows["read"],
                 skipped=rows["left_out"], errors=rows["errors"], evaluated=rows["evaluated"])]
    lines += [say("commands.batch.error_rows", lang, code=c, n=n) for c, n in data["error_codes"].items()]
    if data["results"]:
        lines.append(say("commands.batch.results", lang))
    for name, r in data["results"].items():
        if "total" in r:
            shown = [say("commands.batch.sum", lang, sum=amount_words(r["total"], policy, name, lang), known=r["known"])
                     if r["known"] else "", f"{say('common.unknown', lang)} {r['unknown']}" if r["unknown"] else ""]
            shown = say("diff.list_sep", lang).join(x for x in shown if x) or say("commands.batch.none", lang)
        else:
            shown = _counts(r, lang)
        lines.append(f"  {name}: {shown}")
    for name, c in data["counted"].items():
        lines.append(f"{name}: {_counts(c, lang)}")
        if c["needed_facts"]:
            lines.append(say("commands.batch.needed_where", lang, rule=name))
            lines.extend(f"    {f['fact']:<40} {f['facilities']}" for f in c["needed_facts"])
    needed = data["needed_facts"]
    lines.append(say("commands.batch.needed_any", lang))
    lines.extend(f"  {f['fact']:<42} {f['facilities']}" for f in needed[:top])
    if len(needed) > top:
        lines.append(say("commands.batch.more", lang, n=len(needed) - top))
    return "\n".join(lines) + "\n"


def _pairs(r: dict, lang: str) -> list[tuple[str, int]]:
    """(value in words, facilities) of a counted result, the unknown last; a date result as known/unknown."""
    pairs = [(value_words(v["value"], lang), v["facilities"]) for v in r.get("values", [])]
    if "values" not in r:
        pairs.append((say("commands.batch.decided", lang), r["known"]))
    if r.get("unknown"):
        pairs.append((say("common.unknown", lang), r["unknown"]))
    return pairs


def _counts(r: dict, lang: str) -> str:
    pairs = _pairs(r, lang)
    if not pairs:
        return say("commands.batch.none", lang)
    return say("diff.list_sep", lang).join(f"{w} {n}" for w, n in pairs)


def summary_rows(data: dict, policy, lang: str, label) -> list[list]:
    """The summary as rows of typed cells (a header row per part, a blank row between parts);
    `label(name)` is a result's column heading."""
    rows = data["rows"]
    out: list[list] = [[say("commands.batch.col.what", lang), say("commands.batch.col.value", lang)]]
    for key, n in (("rows", rows["read"]), ("skipped", rows["left_out"]), ("errors", rows["errors"]),
                   ("evaluated", rows["evaluated"])):
        out.append([say(f"commands.batch.{key}", lang), n])
    out += [[say("commands.batch.error_code", lang, code=c), n] for c, n in data["error_codes"].items()]
    out.append([])
    out.append([say("commands.batch.col.result", lang), say("commands.batch.col.value", lang),
                say("commands.batch.col.count", lang)])
    for name, r in data["results"].items():
        if "total" in r:
            # an exact total: an integer cell, else its exact text (a cell would hold a double)
            out.append([label(name), say("commands.batch.total", lang), r["total"]])
            out.append([label(name), say("commands.batch.known", lang), r["known"]])
            out.append([label(name), say("common.unknown", lang), r["unknown"]])
        else:
            out += [[label(name), w, n] for w, n in _pairs(r, lang)]
    for name, c in data["counted"].items():
        if name not in data["results"]:
            out += [[label(name), w, n] for w, n in _pairs(c, lang)]
    out.append([])
    out.append([say("commands.batch.col.fact", lang), say("xlsx.col.identifier", lang),
                say("commands.batch.col.count", lang)])
    out += [[_fact_label(policy, f["fact"], lang), f["fact"], f["facilities"]] for f in data["needed_facts"]]
    return out


def _fact_label(policy, name: str, lang: str) -> str:
    decl = policy.facts.get(name)
    label = (decl.spec.get("label") or {}) if decl is not None else {}
    return (label.get(lang) or label.get("ja") or name) if isinstance(label, dict) else str(label)
