# SPDX-License-Identifier: MIT
"""What changes between two policies: in the rules (structural) and for facilities (behavioural).

Items are compared as resolved, so an item inherited untouched is equal on both sides and
never reported. Facilities are evaluated against both sides; for each whose public results
change, the first rule (in evaluation order) whose value differs, among those the changed
results depend on, says where the two traces part.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from engine.base.diagnostics import Diagnostic, Location, YokoError
from engine.lang.values import to_json

# ----------------------------------------------------------------------------- sides


@dataclass
class Side:
    label: str  # as the user wrote it: ibaraki/2022, ibaraki/2022@HEAD~1, a path
    policy: object


_SIDE = re.compile(r"^(?P<id>[a-z][a-z0-9_-]*)/(?P<year>[^@/]+)(?:@(?P<rev>.+))?$")


def load_side(spec: str) -> Side:
    """`ID/YEAR`, `ID/YEAR@REV`, `PATH` or `PATH@REV` (REV: any git revision)."""
    from engine.policy.cache import load_policy_cached
    from engine.policy.load import load_policy
    from engine.policy.registry import find
    path, rev = spec, None
    m = _SIDE.match(spec)
    if m and not Path(spec.split("@", 1)[0]).is_file():
        path, rev = find(m["id"], m["year"]).path, m["rev"]
    elif "@" in spec and not Path(spec).exists():
        path, rev = spec.rsplit("@", 1)
    if rev is None:
        return Side(spec, load_policy_cached(path))
    return Side(spec, load_policy(f"{path}@{rev}", git_show(path, rev)))


def git_show(path: str, rev: str) -> str:
    """The text of `path` at git revision `rev` (`git show REV:path`, from the file's folder)."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if rev.startswith("-"):
        raise YokoError([Diagnostic("git_revision", f"{rev!r} is not a git revision")])
    try:
        done = subprocess.run(["git", "show", f"{rev}:./{os.path.basename(path)}"], cwd=folder,
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        raise YokoError([Diagnostic("git_revision", f"cannot run git to read {path} at {rev}: {e}")]) from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise YokoError([Diagnostic("git_revision", f"cannot read {path} at {rev}: "
                                                    f"{why[0] if why else 'git failed'}")])
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YokoError([Diagnostic("not_utf8", f"{path} at {rev} is not UTF-8 text")]) from None


# ----------------------------------------------------------------------------- structural


def structural(old, new) -> dict:
    """Items added, removed and changed, section by section, and changes to the policy's own keys."""
    out = {"meta": _meta(old, new)}
    out["facts"] = _section(old.facts, new.facts, _fact_change)
    out["parameters"] = _section(old.parameters, new.parameters, _param_change)
    out["rules"] = _section(old.rules, new.rules, _rule_change)
    out["results"] = _list_change(old.results, new.results)
    out["notes"] = _notes_change(old.meta.get("notes"), new.meta.get("notes"))
    return out


def _section(a: dict, b: dict, change) -> dict:
    added = [_brief(b[n]) for n in b if n not in a]
    removed = [_brief(a[n]) for n in a if n not in b]
    changed = [c for n in b if n in a for c in [change(a[n], b[n])] if c]
    return {"added": added, "removed": removed, "changed": changed}


def _origin(item) -> dict:
    o = getattr(item, "origin", None)
    if o is not None:
        return o.to_json()
    return {"file": item.location.file, "line": item.location.line}


def _brief(item) -> dict:
    out = {"name": item.name, "label": item.spec.get("label"), "cite": item.spec.get("cite"),
           "at": _origin(item)}
    if hasattr(item, "text"):
        out["expr"] = item.text
    if hasattr(item, "value"):
        out["value"] = to_json(item.value)
    return out


def _changes(a: dict, b: dict, keys) -> dict:
    return {k: {"old": a.get(k), "new": b.get(k)} for k in keys if a.get(k) != b.get(k)}


def _fact_change(a, b) -> dict | None:
    if a.spec == b.spec:
        return None
    keys = sorted(set(a.spec) | set(b.spec), key=lambda k: (k != "type", k))
    out = {"name": b.name, "changes": _changes(a.spec, b.spec, keys), "old_at": _origin(a), "at": _origin(b)}
    fa, fb = _fields(a.spec), _fields(b.spec)
    if fa is not None and fb is not None and fa != fb:
        out["fields"] = {"added": [k for k in fb if k not in fa], "removed": [k for k in fa if k not in fb],
                         "changed": [k for k in fb if k in fa and fa[k] != fb[k]]}
    return out


def _fields(spec: dict) -> dict | None:
    """The fields of a record fact, or of the records of a list fact."""
    if spec.get("type") == "list":
        spec = spec.get("items") or {}
    return spec.get("fields") if spec.get("type") == "record" else None


def _param_change(a, b) -> dict | None:
    if a.spec == b.spec and a.value == b.value:
        return None
    out = {"name": b.name, "changes": _changes(a.spec, b.spec, ["unit", "type", "label", "description",
                                                                "notes"]),
           "old_at": _origin(a), "at": _origin(b), "cite": {"old": a.spec.get("cite"), "new": b.spec.get("cite")}}
    if a.value != b.value:
        out["value"] = {"old": to_json(a.value), "new": to_json(b.value)}
    return out


def _rule_change(a, b) -> dict | None:
    if a.spec == b.spec:
        return None
    out = {"name": b.name, "changes": _changes(a.spec, b.spec, ["type", "unit", "label", "description", "notes"]),
           "old_at": _origin(a), "at": _origin(b)}
    if a.text != b.text:
        out["expr"] = {"old": a.text, "new": b.text, "diff": expr_diff(a.text, b.text)}
    if a.spec.get("cite") != b.spec.get("cite"):
        out["cite"] = {"old": a.spec.get("cite"), "new": b.spec.get("cite")}
    return out


def expr_diff(old: str, new: str) -> list[str]:
    """Line diff of two expressions ("- old line", "+ new line", "  same line")."""
    a, b = old.strip("\n").splitlines(), new.strip("\n").splitlines()
    return [ln for ln in difflib.ndiff(a, b) if not ln.startswith("? ")]


def _meta(old, new) -> dict:
    keys = ["title", "enacted", "applies_from", "jurisdiction", "implements"]
    out = {k: {"old": to_json(old.meta.get(k)), "new": to_json(new.meta.get(k))}
           for k in keys if old.meta.get(k) != new.meta.get(k)}
    a, b = old.meta.get("sources") or {}, new.meta.get("sources") or {}
    src = {k: {"old": _plain(a.get(k)), "new": _plain(b.get(k))} for k in sorted(set(a) | set(b))
           if a.get(k) != b.get(k)}
    if src:
        out["sources"] = src
    return out


def _plain(v):
    return json.loads(json.dumps(v, default=str, ensure_ascii=False)) if v is not None else None


def _list_change(a: list, b: list) -> dict:
    if a == b:
        return {}
    return {"old": a, "new": b, "added": [x for x in b if x not in a], "removed": [x for x in a if x not in b]}


def _notes_change(a, b) -> dict:
    a, b = a or [], b or []
    if a == b:
        return {}
    return {"added": [n for n in b if n not in a], "removed": [n for n in a if n not in b]}


# ----------------------------------------------------------------------------- behavioural


@dataclass
class Facility:
    name: str
    data: dict | None = None
    error: list = field(default_factory=list)
    row: dict | None = None  # a raw table row (CSV/XLSX, or JSONL with --map), read per side by a mapping


@dataclass
class Table:
    """Facilities from a table, with what each side needs to read them."""

    path: str
    header: list
    facilities: list
    mapping: str | None = None


def read_corpus(where: str, mapping: str | None = None, sheet: str | None = None):
    """Facilities of a folder of YAML/JSON facts files, a JSONL file, or a CSV/XLSX table (a Table)."""
    p = Path(where)
    if p.suffix.lower() in (".csv", ".xlsx") or (mapping and p.suffix.lower() == ".jsonl"):
        return _read_table(str(p), mapping, sheet)
    if p.is_dir():
        files = sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json")
                       and not x.name.endswith(".tests.yaml"))
        return [_read_file(x, p) for x in files]
    if p.suffix == ".jsonl":
        return _read_jsonl(p)
    if p.suffix in (".csv", ".xlsx"):
        return _read_table(p)
    if p.is_file():
        return [_read_file(p, p.parent)]
    raise YokoError([Diagnostic("file_unreadable", f"no facilities at {where}: give a folder of YAML/JSON "
                                                   "facts files or a .jsonl file")])


def _read_file(path: Path, base: Path) -> Facility:
    from engine.base.diagnostics import Sink
    from engine.policy.yamlio import PlainConverter, parse_yaml, read_text
    name = str(path.relative_to(base))
    try:
        text = read_text(str(path))
        root = parse_yaml(text, str(path), syntax_code="facts_syntax")
        sink = Sink()
        data = PlainConverter(str(path), sink).convert(root) if root is not None else {}
        sink.raise_if_errors()
    except YokoError as e:
        return Facility(name, None, e.diagnostics)
    if not isinstance(data, dict):
        return Facility(name, None, [Diagnostic("facts_syntax", "a facts file must be a mapping")])
    return Facility(name, data)


def _read_jsonl(path: Path) -> list[Facility]:
    """Facilities of a JSONL file of facts, read by the one table reader (its bad lines are errors)."""
    from engine.evaluation.tables import read_rows
    out = []
    for i, data in read_rows(str(path))[1]:
        name = f"{path.name}:{i}"
        if "__error__" in data:
            code, msg = data["__error__"]
            out.append(Facility(name, None, [Diagnostic(code, msg, Location(str(path), i, 1))]))
            continue
        out.append(Facility(f"{name} {data['name']}" if isinstance(data.get("name"), str) else name, data))
    return out


def _read_table(path: str, mapping: str | None, sheet: str | None) -> Table:
    from engine.evaluation.tables import read_rows
    header, rows = read_rows(path, sheet)
    facilities = []
    for line, row in rows:
        rid = row.get("id") if isinstance(row, dict) else None
        name = f"{Path(path).name}:{line}" + (f" {rid}" if rid not in (None, "") else "")
        facilities.append(Facility(name, row=row))
    return Table(path, list(header or []), facilities, mapping)


def _table_mapping(table: Table, policy, ignored: dict):
    """The mapping that reads `table` for `policy`: the --map file, or columns named like its facts."""
    from engine.evaluation.batch import FactSource, Mapping, load_mapping
    if table.mapping:
        return load_mapping(table.mapping, policy, pin_year=False)
    for col in table.header:
        if col and col != "id" and col not in policy.facts:
            ignored[col] = ignored.get(col, 0) + len(table.facilities)
    cols = [c for c in table.header if c in policy.facts]
    return Mapping(None, "id" if "id" in table.header else None, [FactSource(c, column=c) for c in cols])


def _evaluate_row(policy, mapping, row: dict):
    """(evaluation, diagnostics, kept): a raw row read by a mapping, then evaluated."""
    from engine.evaluation.batch import BadCell, row_facts
    from engine.evaluation.evaluate import evaluate
    if "__error__" in row:
        code, msg = row["__error__"]
        return None, [Diagnostic(code, msg)], True
    try:
        kept, facts = row_facts(row, mapping, policy)
    except BadCell as e:
        return None, [Diagnostic(e.code, e.message)], True
    if not kept:
        return None, None, False
    try:
        return evaluate(policy, facts), None, True
    except YokoError as e:
        return None, e.diagnostics, True


def _evaluate(policy, data: dict, ignored: dict):
    """(evaluation, None) or (None, diagnostics). Facts and record fields the policy does not
    declare are left aside (one side of a diff may know facts the other does not) and counted
    in `ignored` by name."""
    from engine.evaluation.evaluate import evaluate
    from engine.evaluation.facts import check_facts
    known = {}
    for k, v in data.items():
        if k in policy.facts:
            known[k] = _known_fields(v, policy.facts[k].spec, k, ignored)
        else:
            ignored[k] = ignored.get(k, 0) + 1
    try:
        return evaluate(policy, check_facts(known, policy)), None
    except YokoError as e:
        return None, e.diagnostics


def _known_fields(value, spec: dict, name: str, ignored: dict, seen: set | None = None):
    """`value` without the record fields `spec` does not declare (each counted once per value)."""
    from engine.policy.periods import is_period_map
    seen = set() if seen is None else seen
    if is_period_map(value):
        return {k: _known_fields(v, spec, name, ignored, seen) for k, v in value.items()}
    if spec.get("type") == "list" and isinstance(value, list):
        return [_known_fields(x, spec.get("items") or {}, f"{name}[]", ignored, seen) for x in value]
    if spec.get("type") == "record" and isinstance(value, dict):
        fields = spec.get("fields") or {}
        for k in value:
            if k not in fields and f"{name}.{k}" not in seen:
                seen.add(f"{name}.{k}")
                ignored[f"{name}.{k}"] = ignored.get(f"{name}.{k}", 0) + 1
        return {k: _known_fields(v, fields[k], f"{name}.{k}", ignored, seen) for k, v in value.items() if k in fields}
    return value


def behavioural(old, new, corpus) -> dict:
    """Facilities whose public results change, with the first rule where the traces differ; totals."""
    changed, errors, evs = [], [], []
    ignored: dict[str, dict] = {"old": {}, "new": {}}
    mappings = None
    if isinstance(corpus, Table):
        mappings = (_table_mapping(corpus, old, ignored["old"]), _table_mapping(corpus, new, ignored["new"]))
        corpus = corpus.facilities
    counted = 0
    for fac in corpus:
        if fac.row is not None:
            a, ea, kept_a = _evaluate_row(old, mappings[0], fac.row)
            b, eb, kept_b = _evaluate_row(new, mappings[1], fac.row)
            if not (kept_a or kept_b):  # left out by the mapping's where: on both sides
                continue
        elif fac.data is None:
            counted += 1
            errors.append({"facility": fac.name, "side": "both", "diagnostics": [d.to_json() for d in fac.error]})
            continue
        else:
            a, ea = _evaluate(old, fac.data, ignored["old"])
            b, eb = _evaluate(new, fac.data, ignored["new"])
        counted += 1
        for side, e in (("old", ea), ("new", eb)):
            if e:
                errors.append({"facility": fac.name, "side": side, "diagnostics": [d.to_json() for d in e]})
        evs.append((a, b))
        if a is None or b is None:
            continue
        results = _result_changes(old, new, a, b)
        if results:
            changed.append({"facility": fac.name, "results": results,
                            "first_difference": first_difference(old, new, a, b, list(results))})
    return {"facilities": counted, "changed": changed, "errors": errors, "ignored_facts": ignored,
            "totals": {"old": totals(old, [a for a, _ in evs if a]), "new": totals(new, [b for _, b in evs if b])}}


def _result_changes(old, new, a, b) -> dict:
    out = {}
    names = list(dict.fromkeys([*old.results, *new.results]))
    for n in names:
        va = to_json(a.env.get(n)) if n in old.results else "(not a result)"
        vb = to_json(b.env.get(n)) if n in new.results else "(not a result)"
        if va != vb:
            out[n] = {"old": va, "new": vb}
    return out


def _cone(policy, names) -> set[str]:
    """The rules that `names` depend on, themselves included."""
    seen, todo = set(), [n for n in names if n in policy.rules]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(r for r in policy.rules[n].reads if r in policy.rules)
    return seen


def first_difference(old, new, a, b, results: list[str]) -> dict | None:
    """Where the change starts. From the first changed result, follow the input whose old value
    alone would give back the rule's old value, down to the rule where no such input exists:
    its own expression changed, or a parameter or fact it reads did (`inputs`), or several of
    its inputs changed together. Without a common changed result: the first rule, in
    evaluation order, that the results depend on and whose value differs."""
    for name in results:
        if name in new.rules and name in old.rules:
            return _walk(old, new, a, b, name)
    cone = _cone(new, results) | _cone(old, results)
    for policy, other, ev, side in ((new, old, b, "new"), (old, new, a, "old")):
        for n in policy.order:
            if n in cone and n not in other.rules:
                return {"rule": n, "only_in": side, side: to_json(ev.env.get(n)),
                        "cite": policy.rules[n].spec.get("cite"), "at": _origin(policy.rules[n])}
    return None


def _walk(old, new, a, b, name: str) -> dict:
    from engine.lang.interpret import interpret

    def known_in_old(n):
        return n in old.rules or n in old.parameters or n in old.facts

    def differs(n):
        return not known_in_old(n) or to_json(a.env.get(n)) != to_json(b.env.get(n))

    for _ in range(len(new.rules) + 1):
        rule = new.rules[name]
        changed = [r for r in rule.reads if differs(r)]
        target = to_json(a.env.get(name))
        decisive = None
        for d in changed:
            if not known_in_old(d):
                continue
            env = dict(b.env)
            env[d] = a.env.get(d)
            try:
                if to_json(interpret(rule.node, env)) == target:
                    decisive = d
                    break
            except Exception:  # noqa: BLE001 - a counterfactual that cannot be computed decides nothing
                continue
        if decisive is not None and decisive in new.rules and decisive in old.rules:
            name = decisive
            continue
        out = {"rule": name, "old": target, "new": to_json(b.env.get(name)),
               "cite": rule.spec.get("cite"), "at": _origin(rule)}
        inputs = [decisive] if decisive is not None else changed
        if inputs:
            out["inputs"] = {n: {"old": to_json(a.env.get(n)) if known_in_old(n) else "(not in the old policy)",
                                 "new": to_json(b.env.get(n))} for n in inputs}
        if name in old.rules and old.rules[name].text != rule.text:
            out["expr_changed"] = True
        return out
    raise AssertionError("rules form a cycle")  # never: policies are acyclic


def totals(policy, evs) -> dict:
    """For each public result: yes/no results counted, yen results summed, unknowns counted."""
    out = {}
    for n in policy.results:
        rule = policy.rules[n]
        vals = [e.env.get(n) for e in evs]
        unknown = sum(v is None for v in vals)
        if rule.type.kind == "bool":
            out[n] = {"true": sum(v is True for v in vals), "false": sum(v is False for v in vals),
                      "unknown": unknown}
        elif rule.spec.get("unit") == "yen":
            out[n] = {"sum": to_json(sum(v for v in vals if v is not None)), "known": len(vals) - unknown,
                      "unknown": unknown}
    return {"evaluated": len(evs), "results": out}


# ----------------------------------------------------------------------------- the whole report


def compare(old_spec: str, new_spec: str, facilities: str | None = None, mapping: str | None = None,
            sheet: str | None = None):
    """(report, old policy, new policy): the structural diff, and the behavioural one over a corpus."""
    old, new = load_side(old_spec), load_side(new_spec)
    report = {"old": _side_json(old), "new": _side_json(new),
              "structural": structural(old.policy, new.policy)}
    if facilities:
        report["behavioural"] = {"corpus": facilities,
                                 **behavioural(old.policy, new.policy, read_corpus(facilities, mapping, sheet))}
    elif mapping:
        raise YokoError([Diagnostic("usage", "--map reads a table given with --facilities")])
    return report, old.policy, new.policy


def _side_json(side: Side) -> dict:
    p = side.policy
    return {"spec": side.label, "policy": p.id, "fiscal_year": p.fiscal_year, "file": p.path,
            "extends": [f"{s.version[0]}/{s.version[1]}" for s in p.chain[1:]]}
