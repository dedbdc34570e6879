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
from fractions import Fraction
from pathlib import Path

from engine.base.diagnostics import Location, YokoError, diag
from engine.base.words import words
from engine.lang.values import to_json
from engine.review.textdiff import labels_diff, same_meaning
from engine.policy.cache import load_policy_cached
from engine.policy.load import load_policy, _convert_param, load_document
from engine.policy.registry import find
from engine.policy.yamlio import location_at, read_document
from engine.evaluation.tables import read_rows
from engine.evaluation.batch import FactSource, Mapping, load_mapping, BadCell, row_facts
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import check_facts
from engine.policy.periods import is_period_map
from engine.lang.interpret import interpret
from engine.review.prove import prove_equal

# ----------------------------------------------------------------------------- sides


@dataclass
class Side:
    label: str  # as the user wrote it: ibaraki/2022, ibaraki/2022@HEAD~1, a path
    policy: object | None  # None when the policy does not load (see errors, raw)
    path: str = ""
    rev: str | None = None
    sha: str | None = None  # the commit `rev` resolves to
    errors: list = field(default_factory=list)  # the diagnostics that kept the policy from loading
    raw: object | None = None  # what parsed of a broken policy, for the structural diff

    @property
    def model(self):
        """The policy, or what parsed of it."""
        return self.policy if self.policy is not None else self.raw


_SIDE = re.compile(r"^(?P<id>[a-z][a-z0-9_-]*)/(?P<year>[^@/]+)(?:@(?P<rev>.+))?$")


def load_side(spec: str) -> Side:
    """`ID/YEAR`, `ID/YEAR@REV`, `PATH` or `PATH@REV` (REV: any git revision). A policy that does
    not load gives a side with its errors and what parsed; a side that cannot be found raises."""
    path, rev = spec, None
    m = _SIDE.match(spec)
    if m and not Path(spec.split("@", 1)[0]).is_file():
        path, rev = find(m["id"], m["year"]).path, m["rev"]
    elif "@" in spec and not Path(spec).exists():
        path, rev = spec.rsplit("@", 1)
    text = git_show(path, rev) if rev is not None else None
    side = Side(spec, None, path, rev, git_sha(path, rev) if rev is not None else None)
    try:
        side.policy = load_policy_cached(path) if rev is None else load_policy(f"{path}@{rev}", text)
    except YokoError as e:
        side.errors = e.diagnostics
        side.raw = raw_policy(f"{path}@{rev}" if rev else path, text)
    return side


def git_sha(path: str, rev: str) -> str | None:
    """The commit `rev` names (`git rev-parse`), from the file's folder."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=folder,
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


@dataclass
class RawItem:
    """An item of a policy that does not load, as written."""

    name: str
    spec: dict
    location: object
    text: str = ""
    value: object = None
    origin: object = None


@dataclass
class RawPolicy:
    """What parsed of a policy that does not load: its items as written, for the structural diff."""

    path: str
    meta: dict
    facts: dict
    parameters: dict
    rules: dict
    results: list


def raw_policy(path: str, text: str | None) -> RawPolicy | None:
    """The items of a policy file as written, or None when it is not even a YAML mapping."""
    try:
        doc, root, _ = load_document(path.rsplit("@", 1)[0] if text is None else path, text)
    except YokoError:
        return None

    def items(section):
        out = {}
        for name, spec in (doc.get(section) or {}).items() if isinstance(doc.get(section), dict) else ():
            spec = spec if isinstance(spec, dict) else {"value": spec}
            loc = location_at(root, [section, name], path, key=True)
            item = RawItem(str(name), spec, loc)
            if section == "rules":
                e = spec.get("expr")
                item.text = e if isinstance(e, str) else json.dumps(e, ensure_ascii=False, default=str)
            if section == "parameters":
                try:
                    item.value = _convert_param(spec.get("value"))
                except (TypeError, ValueError):
                    item.value = spec.get("value")
            out[str(name)] = item
        return out
    results = doc.get("results") if isinstance(doc.get("results"), list) else []
    return RawPolicy(path, doc, items("facts"), items("parameters"), items("rules"), results)


def git_show(path: str, rev: str) -> str:
    """The text of `path` at git revision `rev` (`git show REV:path`, from the file's folder)."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if rev.startswith("-"):
        raise YokoError([diag("git_revision", key="diag.git_revision.not_revision", rev=repr(rev))])
    try:
        done = subprocess.run(["git", "show", f"{rev}:./{os.path.basename(path)}"], cwd=folder,
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        raise YokoError([diag("git_revision", key="diag.git_revision.run", path=path, rev=rev, detail=str(e))]) from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise YokoError([diag("git_revision", path=path, rev=rev,
                              detail=why[0] if why else words("diag.git_revision.failed"))])
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YokoError([diag("not_utf8", key="diag.not_utf8.revision", path=path, rev=rev)]) from None


# ----------------------------------------------------------------------------- structural


def structural(old, new) -> dict:
    """Items added, removed and changed, section by section, and changes to the policy's own keys."""
    out = {"meta": _meta(old, new)}
    out["facts"] = _section(old.facts, new.facts, _fact_change)
    out["parameters"] = _section(old.parameters, new.parameters, _param_change)
    out["rules"] = _section(old.rules, new.rules, _rule_change)
    out["results"] = _list_change(old.results, new.results)
    out["notes"] = _notes_change(old.meta.get("notes"), new.meta.get("notes"))
    out["order"] = [s for s in ("facts", "parameters", "rules")
                    if [n for n in getattr(old, s) if n in getattr(new, s)]
                    != [n for n in getattr(new, s) if n in getattr(old, s)]]
    return out


# what a change of each kind does: "behaviour" can change outcomes, "wording" cannot
_WORDING_KEYS = {"label", "description", "notes", "unit", "value_labels", "cite"}


def behaviour_changes(s: dict) -> list[str]:
    """The names of the items whose change can change an outcome (empty: only wording changed)."""
    out = []
    for sec in ("facts", "parameters", "rules"):
        out += [i["name"] for i in s[sec]["added"] + s[sec]["removed"]]
    for f in s["facts"]["changed"]:
        if set(f["changes"]) - _WORDING_KEYS:
            out.append(f["name"])
    out += [p["name"] for p in s["parameters"]["changed"] if "value" in p]
    for r in s["rules"]["changed"]:
        if ("expr" in r and not r["expr"].get("equivalent")) or "type" in r["changes"]:
            out.append(r["name"])
    if s["results"].get("added") or s["results"].get("removed"):
        out.append("results")
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
        out["value"] = _plain(to_json(item.value)) if not isinstance(item, RawItem) else _plain(item.value)
    return out


def _changes(a: dict, b: dict, keys) -> dict:
    out = {}
    for k in keys:
        if a.get(k) == b.get(k):
            continue
        out[k] = {"old": _plain(a.get(k)), "new": _plain(b.get(k))}
        if k in ("label", "description"):
            out[k]["words"] = labels_diff(a.get(k), b.get(k))
        elif k == "notes":
            out[k]["words"] = notes_diff(a.get(k), b.get(k))
    return out


def notes_diff(a, b) -> list[dict]:
    """Notes paired in order: for each, its kind and the word diff of its text per language."""
    a, b = a or [], b or []
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else {}
        y = b[i] if i < len(b) else {}
        if x == y:
            continue
        entry = {"index": i, "kind": {"old": x.get("kind"), "new": y.get("kind")},
                 "words": labels_diff(x.get("text"), y.get("text"))}
        if x.get("cite") != y.get("cite"):
            entry["cite"] = {"old": _plain(x.get("cite")), "new": _plain(y.get("cite"))}
        out.append(entry)
    return out


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
           "old_at": _origin(a), "at": _origin(b), "cite": {"old": _plain(a.spec.get("cite")),
                                                             "new": _plain(b.spec.get("cite"))}}
    if a.value != b.value:
        out["value"] = {"old": _plain(to_json(a.value)), "new": _plain(to_json(b.value))}
    return out


def _rule_change(a, b) -> dict | None:
    if a.spec == b.spec:
        return None
    out = {"name": b.name, "changes": _changes(a.spec, b.spec, ["type", "unit", "label", "description", "notes"]),
           "old_at": _origin(a), "at": _origin(b)}
    if a.text != b.text:
        out["expr"] = {"old": a.text, "new": b.text, "diff": expr_diff(a.text, b.text),
                       "equivalent": same_meaning(getattr(a, "node", None), getattr(b, "node", None))}
    if a.spec.get("cite") != b.spec.get("cite"):
        out["cite"] = {"old": _plain(a.spec.get("cite")), "new": _plain(b.spec.get("cite"))}
    return out


def expr_diff(old: str, new: str) -> list[str]:
    """Line diff of two expressions ("- old line", "+ new line", "  same line")."""
    a, b = old.strip("\n").splitlines(), new.strip("\n").splitlines()
    return [ln for ln in difflib.ndiff(a, b) if not ln.startswith("? ")]


def _meta(old, new) -> dict:
    keys = ["title", "enacted", "applies_from", "jurisdiction", "implements"]
    out = {k: {"old": _plain(to_json(old.meta.get(k))), "new": _plain(to_json(new.meta.get(k)))}
           for k in keys if old.meta.get(k) != new.meta.get(k)}
    if "title" in out:
        out["title"]["words"] = labels_diff(old.meta.get("title"), new.meta.get("title"))
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
    if len(a) == len(b):  # the same notes, some reworded: show the words that changed
        return {"added": [], "removed": [], "changed": notes_diff(a, b)}
    return {"added": [_plain(n) for n in b if n not in a], "removed": [_plain(n) for n in a if n not in b],
            "changed": []}


# ----------------------------------------------------------------------------- behavioural


@dataclass
class Facility:
    name: str
    data: dict | None = None
    error: list = field(default_factory=list)
    row: dict | None = None  # a raw table row (CSV/XLSX, or JSONL with --map), read per side by a mapping
    source: str = ""  # file, or file:line, it was read from


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
    raise YokoError([diag("file_unreadable", key="diag.file_unreadable.facilities", where=where)])


def _read_file(path: Path, base: Path) -> Facility:
    name = str(path.relative_to(base))
    source = str(path)
    try:  # read as `evaluate` reads a facts file
        data = read_document(source, syntax_code="facts_syntax", mapping="facts_syntax").data
    except YokoError as e:
        return Facility(name, None, e.diagnostics, source=source)
    return Facility(name, data, source=source)


def _read_jsonl(path: Path) -> list[Facility]:
    """Facilities of a JSONL file of facts, read by the one table reader (its bad lines are errors)."""
    out = []
    for i, data in read_rows(str(path))[1]:
        name = f"{path.name}:{i}"
        source = f"{path}:{i}"
        if "__error__" in data:
            code, msg = data["__error__"]
            out.append(Facility(name, None, [diag(code, Location(str(path), i, 1), key=msg)], source=source))
            continue
        out.append(Facility(f"{name} {data['name']}" if isinstance(data.get("name"), str) else name, data,
                            source=source))
    return out


def _read_table(path: str, mapping: str | None, sheet: str | None) -> Table:
    header, rows = read_rows(path, sheet)
    facilities = []
    for line, row in rows:
        rid = row.get("id") if isinstance(row, dict) else None
        name = f"{Path(path).name}:{line}" + (f" {rid}" if rid not in (None, "") else "")
        facilities.append(Facility(name, row=row, source=f"{path}:{line}"))
    return Table(path, list(header or []), facilities, mapping)


def _table_mapping(table: Table, policy, ignored: dict):
    """The mapping that reads `table` for `policy`: the --map file, or columns named like its facts."""
    if table.mapping:
        return load_mapping(table.mapping, policy, pin_year=False)
    for col in table.header:
        if col and col != "id" and col not in policy.facts:
            ignored[col] = ignored.get(col, 0) + len(table.facilities)
    cols = [c for c in table.header if c in policy.facts]
    return Mapping(None, "id" if "id" in table.header else None, [FactSource(c, column=c) for c in cols])


def _evaluate_row(policy, mapping, row: dict):
    """(evaluation, diagnostics, kept): a raw row read by a mapping, then evaluated."""
    if "__error__" in row:
        code, msg = row["__error__"]
        return None, [diag(code, key=msg)], True
    try:
        kept, facts = row_facts(row, mapping, policy)
    except BadCell as e:
        return None, [diag(e.code, key=e.words, suggestion=e.suggestion)], True
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
    """Every facility evaluated on both sides: those whose public results change, grouped by cause;
    steps that changed under a result unknown on both sides; totals."""
    changed, errors, evs, hidden = [], [], [], []
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
            cause = Causes(old, new, a, b)
            for n in results:
                cause.of_result(n)
            _add_ranges(old, new, a, b, fac, results)
            changed.append({"facility": fac.name, "name": facility_name(fac, a, b), "source": fac.source,
                            "results": results, "cause": cause.roots_json(), "steps": cause.steps,
                            "first_difference": first_difference(old, new, a, b, list(results))})
        else:
            steps = _hidden_steps(old, new, a, b)
            if steps:
                hidden.append({"facility": fac.name, "name": facility_name(fac, a, b), "source": fac.source,
                               **steps})
    return {"facilities": counted, "changed": changed, "groups": groups(changed), "hidden": hidden,
            "errors": errors, "ignored_facts": ignored,
            "totals": {"old": totals(old, [a for a, _ in evs if a]), "new": totals(new, [b for _, b in evs if b])}}


def facility_name(fac, a, b) -> str:
    """The facility's own name (its `name` fact), else where it was read from."""
    for ev in (b, a):
        v = (ev.facts.get("name") if ev is not None and isinstance(ev.facts, dict) else None)
        if isinstance(v, str) and v.strip():
            return v.strip()
    if fac.data and isinstance(fac.data.get("name"), str):
        return fac.data["name"]
    return fac.name


def _result_changes(old, new, a, b) -> dict:
    out = {}
    names = list(dict.fromkeys([*old.results, *new.results]))
    for n in names:
        va = to_json(a.env.get(n)) if n in old.results else "(not a result)"
        vb = to_json(b.env.get(n)) if n in new.results else "(not a result)"
        if va != vb:
            out[n] = {"old": va, "new": vb}
            _delta(out[n], a.env.get(n), b.env.get(n), _unit(new, n) or _unit(old, n))
    return out


def _unit(policy, name: str) -> str | None:
    for table in (policy.rules, policy.parameters, policy.facts):
        if name in table:
            return table[name].spec.get("unit")
    return None


def _delta(entry: dict, x, y, unit: str | None) -> None:
    """Δ of a number (yen and other units) and the shift of a date in days."""
    import datetime
    if isinstance(x, bool) or isinstance(y, bool):
        return
    if isinstance(x, datetime.date) and isinstance(y, datetime.date):
        entry["days"] = (y - x).days
    elif isinstance(x, (int, Fraction)) and isinstance(y, (int, Fraction)):
        entry["delta"] = to_json(y - x)


def _known(policy, n: str) -> bool:
    return n in policy.rules or n in policy.parameters or n in policy.facts


class Causes:
    """Why a facility's results change: each changed result followed, through every rule whose value
    changed, down to the roots — a parameter whose value changed, a rule whose expression changed,
    an item added or removed, a fact whose declaration changed."""

    def __init__(self, old, new, a, b):
        self.old, self.new, self.a, self.b = old, new, a, b
        self.roots: dict[tuple, dict] = {}
        self.steps: list[str] = []
        self._seen: dict[str, set] = {}

    def differs(self, n: str) -> bool:
        if not (_known(self.old, n) and _known(self.new, n)):
            return True
        return to_json(self.a.env.get(n)) != to_json(self.b.env.get(n))

    def of_result(self, name: str) -> set:
        return self.of(name)

    def of(self, name: str) -> set:
        """The root keys behind the change of `name` (recorded in self.roots)."""
        if name in self._seen:
            return self._seen[name]
        self._seen[name] = set()
        old, new = self.old, self.new
        if name not in old.rules and name not in new.rules:
            keys = {self._input_root(name)} - {None}
        elif name not in old.rules or name not in new.rules:
            side = "new" if name in new.rules else "old"
            keys = {self._root(("rule_" + ("added" if side == "new" else "removed"), name),
                               self._rule_root(name, side))}
        else:
            keys = self._rule(name)
        self._seen[name] = keys
        return keys

    def _rule(self, name: str) -> set:
        ro, rn = self.old.rules[name], self.new.rules[name]
        va, vb = self.a.env.get(name), self.b.env.get(name)
        self.steps.append(name)
        inputs = [r for r in dict.fromkeys([*rn.reads, *ro.reads]) if self.differs(r)]
        keys: set = set()
        expr_changed = ro.text != rn.text and not same_meaning(ro.node, rn.node)
        if expr_changed:
            # the old expression on the new inputs: if it gives the new value, the inputs explain it
            explained = inputs and _same(_try(interpret, ro.node, self.b.env), vb)
            if not explained:
                keys.add(self._root(("expression", name), self._rule_root(name, "both")))
            # the new expression on the old inputs: if it gives the old value, the inputs play no part
            if keys and _same(_try(interpret, rn.node, self.a.env), va):
                inputs = []
        if inputs:
            decisive = None
            for d in inputs:  # one input whose old value alone gives back the old value
                if not _known(self.old, d) or not _known(self.new, d):
                    continue
                env = dict(self.b.env)
                env[d] = self.a.env.get(d)
                if _same(_try(interpret, rn.node, env), va):
                    decisive = d
                    break
            for d in [decisive] if decisive is not None else inputs:
                keys |= self.of(d) if (d in self.old.rules or d in self.new.rules) else {self._input_root(d)}
        return keys - {None}

    def _input_root(self, n: str):
        old, new = self.old, self.new
        if n in new.parameters or n in old.parameters:
            p_old, p_new = old.parameters.get(n), new.parameters.get(n)
            kind = "parameter" if p_old and p_new else ("parameter_added" if p_new else "parameter_removed")
            item = p_new or p_old
            root = {"kind": kind, "name": n, "at": _origin(item)}
            root["old"] = to_json(p_old.value) if p_old else None
            root["new"] = to_json(p_new.value) if p_new else None
            return self._root((kind, n), root)
        if n in new.facts or n in old.facts:
            f_old, f_new = old.facts.get(n), new.facts.get(n)
            kind = "fact" if f_old and f_new else ("fact_added" if f_new else "fact_removed")
            root = {"kind": kind, "name": n, "at": _origin(f_new or f_old),
                    "label": (f_new or f_old).spec.get("label")}
            return self._root((kind, n), root)
        return None

    def _rule_root(self, name: str, side: str) -> dict:
        rule = (self.new if side in ("new", "both") else self.old).rules[name]
        kind = {"both": "expression", "new": "rule_added", "old": "rule_removed"}[side]
        out = {"kind": kind, "name": name, "at": _origin(rule), "label": rule.spec.get("label"),
               "cite": _plain(rule.spec.get("cite"))}
        if side == "both":
            out["old_at"] = _origin(self.old.rules[name])
        return out

    def _root(self, key: tuple, root: dict) -> tuple:
        self.roots.setdefault(key, root)
        return key

    def roots_json(self) -> list[dict]:
        used = set()
        for keys in self._seen.values():
            used |= keys
        return [self.roots[k] for k in sorted(used, key=lambda k: (_KIND_ORDER.index(k[0]), k[1]))]


_KIND_ORDER = ["parameter", "parameter_added", "parameter_removed", "expression", "rule_added", "rule_removed",
               "fact", "fact_added", "fact_removed"]


def _try(fn, *args):
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - a counterfactual that cannot be computed decides nothing
        return _FAILED


_FAILED = object()


def _same(x, y) -> bool:
    return x is not _FAILED and to_json(x) == to_json(y)


def _hidden_steps(old, new, a, b) -> dict | None:
    """Rules whose value changed under public results that stay unknown on both sides."""
    unknown = [n for n in new.results if n in old.results and a.env.get(n) is None and b.env.get(n) is None]
    if not unknown:
        return None
    cone = _cone(new, unknown) & _cone(old, unknown)
    steps = [n for n in new.order if n in cone and n not in unknown
             and to_json(a.env.get(n)) != to_json(b.env.get(n))]
    if not steps:
        return None
    return {"results": unknown, "steps": {n: {"old": to_json(a.env.get(n)), "new": to_json(b.env.get(n))}
                                          for n in steps}}


# ----------------------------------------------------------------------------- unknown results as a range

MAX_TRIES = 256


def _add_ranges(old, new, a, b, fac, results: dict) -> None:
    """For a result that is unknown on a side: the values it can take as the facts that would decide
    it vary (min–max, or the set of values), and those facts."""
    for name, entry in results.items():
        for side, policy, ev in (("old", old, a), ("new", new, b)):
            if entry[side] is None and name in policy.rules:
                entry[f"{side}_range"] = value_range(policy, ev, name)


def value_range(policy, ev, name: str) -> dict:
    """The values `name` takes over every combination of the facts it needs (yes/no and enum facts:
    all values; numbers: each bound and threshold of the policy, and one either side)."""
    import itertools
    deciding = ev.needed_for(name)
    out = {"deciding": deciding}
    choices = [_candidates(policy, f) for f in deciding]
    if not deciding or any(c is None for c in choices) or _product(choices) > MAX_TRIES:
        return out
    values = []
    for combo in itertools.product(*[c for c, _ in choices]):
        facts = dict(ev.facts)
        facts.update(zip(deciding, combo))
        try:
            values.append(evaluate(policy, facts).env.get(name))
        except YokoError:
            continue
    known = [v for v in values if v is not None]
    if not known:
        return out
    out["exact"] = all(exact for _, exact in choices)
    if all(isinstance(v, bool) for v in known):
        out["values"] = sorted(set(known))
    elif all(isinstance(v, (int, Fraction)) and not isinstance(v, bool) for v in known) or \
            all(isinstance(v, type(known[0])) for v in known) and not isinstance(known[0], (list, dict, str)):
        out["min"], out["max"] = to_json(min(known)), to_json(max(known))
    else:
        out["values"] = [to_json(v) for v in dict.fromkeys(json.dumps(to_json(x), sort_keys=True) for x in known)]
        out["values"] = [json.loads(v) for v in out["values"]]
    if None in values:
        out["can_stay_unknown"] = True
    return out


def _product(choices) -> int:
    n = 1
    for c in choices:
        n *= len(c[0]) if c else 1
    return n


def _candidates(policy, fact: str):
    """(values to try, whether they are all the values) for a fact, or None when it cannot be varied."""
    spec = policy.facts[fact].spec
    kind = spec.get("type")
    if kind == "bool":
        return [True, False], True
    if kind == "enum":
        return list(spec.get("values") or []), True
    if kind in ("int", "number"):
        lo = spec.get("min")
        points = {lo if lo is not None else 0}
        for p in policy.parameters.values():
            if isinstance(p.value, (int, Fraction)) and not isinstance(p.value, bool):
                for v in (p.value - 1, p.value, p.value + 1):
                    if kind == "int" and not isinstance(v, int) and getattr(v, "denominator", 1) != 1:
                        continue
                    points.add(int(v) if kind == "int" else v)
        hi = spec.get("max")
        points = sorted(x for x in points if (lo is None or x >= lo) and (hi is None or x <= hi))
        return points[:24], False
    return None


# ----------------------------------------------------------------------------- groups


def groups(changed: list[dict]) -> list[dict]:
    """Facilities whose results change, grouped by the set of root causes; totals per group."""
    by: dict[str, dict] = {}
    for c in changed:
        key = json.dumps([[r["kind"], r["name"]] for r in c["cause"]])
        g = by.setdefault(key, {"cause": c["cause"], "steps": [], "facilities": []})
        g["steps"] = list(dict.fromkeys(g["steps"] + c["steps"]))
        g["facilities"].append({k: c[k] for k in ("facility", "name", "source", "results")})
    out = []
    for g in by.values():
        g["count"] = len(g["facilities"])
        g["totals"] = _group_totals(g["facilities"])
        out.append(g)
    out.sort(key=lambda g: -g["count"])
    return out


def _group_totals(facilities: list[dict]) -> dict:
    """Per result: how many changed, sums before and after, Δ, unknowns, and the range of the sum
    when some are unknown but each has a range; date shifts as min/max days."""
    out: dict[str, dict] = {}
    for f in facilities:
        for name, v in f["results"].items():
            out.setdefault(name, []).append(v)
    return {name: _result_total(vs) for name, vs in out.items()}


def _result_total(vs: list[dict]) -> dict:
    t: dict = {"changed": len(vs)}
    for side in ("old", "new"):
        xs = [v[side] for v in vs]
        t[f"unknown_{side}"] = sum(x is None for x in xs)
        if any(x is not None and not _number(x) for x in xs):
            continue
        t[side] = _sum(x for x in xs if x is not None)
        ranges = [v.get(f"{side}_range") or {} for v in vs if v[side] is None]
        if ranges and all("min" in r and _number(r["min"]) for r in ranges):
            t[f"{side}_range"] = {"min": _add(t[side], _sum(r["min"] for r in ranges)),
                                  "max": _add(t[side], _sum(r["max"] for r in ranges))}
    deltas = [v["delta"] for v in vs if "delta" in v]
    if deltas:
        t["delta"] = _sum(deltas)
    days = [v["days"] for v in vs if "days" in v]
    if days:
        t["days"] = {"min": min(days), "max": max(days)}
    return t


def _sum(xs) -> object:
    total = 0
    for x in xs:
        total = _add(total, x)
    return total


def _number(x) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return True
    return isinstance(x, str) and bool(re.fullmatch(r"-?\d+(\.\d+)?|-?\d+/\d+", x))


def _add(x, y):
    return to_json(Fraction(str(x)) + Fraction(str(y)))


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
    evaluation order, that the results depend on and whose value differs. (Kept for tools that
    read it; `cause` follows every changed step down to its roots.)"""
    for name in results:
        if name in new.rules and name in old.rules:
            return _walk(old, new, a, b, name)
    cone = _cone(new, results) | _cone(old, results)
    for policy, other, ev, side in ((new, old, b, "new"), (old, new, a, "old")):
        for n in policy.order:
            if n in cone and n not in other.rules:
                return {"rule": n, "only_in": side, side: to_json(ev.env.get(n)),
                        "cite": _plain(policy.rules[n].spec.get("cite")), "at": _origin(policy.rules[n])}
    return None


def _walk(old, new, a, b, name: str) -> dict:

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
               "cite": _plain(rule.spec.get("cite")), "at": _origin(rule)}
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

EXIT_SAME, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2


@dataclass
class DiffReport:
    """Everything `yoko diff` found, for the text, Markdown, HTML and JSON renderers."""

    old: Side
    new: Side
    structural: dict | None  # None when neither side parsed
    behavioural: dict | None = None  # with a corpus
    proof: dict | None = None  # with --prove (engine.review.prove)
    verdict: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 no behavioural change, 1 behaviour changes, 2 a side is broken."""
        return self.verdict["exit_code"]

    def to_json(self) -> dict:
        out = {"verdict": self.verdict, "old": side_json(self.old), "new": side_json(self.new),
               "structural": self.structural}
        if self.behavioural is not None:
            out["behavioural"] = self.behavioural
        if self.proof is not None:
            out["proof"] = self.proof
        return out


def diff(old_spec: str, new_spec: str, facilities: str | None = None, mapping: str | None = None,
         sheet: str | None = None, prove: bool = False, list_bound: int | None = None) -> DiffReport:
    """Compare two policies: the rules, the facilities of a corpus, and (prove) every facility."""
    if mapping and not facilities:
        raise YokoError([diag("usage", key="diag.usage.map_facilities")])
    old, new = load_side(old_spec), load_side(new_spec)
    a, b = old.model, new.model
    report = DiffReport(old, new, structural(a, b) if a is not None and b is not None else None)
    if old.policy is not None and new.policy is not None:
        same_text = old.policy.text == new.policy.text and old.policy.files == new.policy.files
        report.structural["identical"] = same_text or _same_items(old.policy, new.policy)
        if facilities:
            report.behavioural = {"corpus": facilities,
                                  **behavioural(old.policy, new.policy, read_corpus(facilities, mapping, sheet))}
        if prove:
            report.proof = prove_equal(old.policy, new.policy, list_bound=list_bound)
    report.verdict = verdict(report)
    return report


def _same_items(a, b) -> bool:
    """Whether two policies hold the same items, in the same order, with the same text."""
    def items(p):
        return ([(n, f.spec) for n, f in p.facts.items()], [(n, x.spec) for n, x in p.parameters.items()],
                [(n, r.spec) for n, r in p.rules.items()], p.results, p.meta)
    return _plain(items(a)) == _plain(items(b))


def verdict(r: DiffReport) -> dict:
    """One line's worth: what kind of change this is, and the exit status --exit-code gives."""
    if r.old.errors or r.new.errors:
        broken = [s for s, side in (("old", r.old), ("new", r.new)) if side.errors]
        return {"kind": "error", "exit_code": EXIT_ERROR, "broken": broken}
    s = r.structural
    behaviour = behaviour_changes(s)
    out: dict = {"behaviour_items": behaviour}
    b = r.behavioural
    if b is not None:
        out["facilities"] = b["facilities"]
        out["changed"] = len(b["changed"])
        out["delta"] = _deltas(b)
    proof = r.proof
    if proof is not None:
        out["proof"] = proof["status"]
    if not behaviour:
        kind = "identical" if s.get("identical") else "cosmetic"
        code = EXIT_SAME
    elif proof is not None and proof["status"] == "proved_equal":
        kind, code = "proved_equal", EXIT_SAME
    elif b is not None and b["changed"]:
        kind, code = "facilities_change", EXIT_CHANGED
    elif proof is not None and proof["status"] == "differs":
        kind, code = "proved_different", EXIT_CHANGED
    elif b is not None:
        kind, code = "no_facility_changes", EXIT_CHANGED
    else:
        kind, code = "rules_changed", EXIT_CHANGED
    out.update(kind=kind, exit_code=code)
    return dict(sorted(out.items(), key=lambda kv: kv[0] not in ("kind", "exit_code")))


def _deltas(b: dict) -> dict:
    """Δ total of each numeric result over the facilities where it is known on both sides."""
    out: dict = {}
    for c in b["changed"]:
        for name, v in c["results"].items():
            if "delta" in v:
                out[name] = _add(out.get(name, 0), v["delta"])
    return out


def compare(old_spec: str, new_spec: str, facilities: str | None = None, mapping: str | None = None,
            sheet: str | None = None):
    """(report as JSON, old policy, new policy); raises when a side does not load (see diff())."""
    r = diff(old_spec, new_spec, facilities, mapping, sheet)
    for side in (r.old, r.new):
        if side.errors:
            raise YokoError(side.errors)
    return r.to_json(), r.old.policy, r.new.policy


def side_json(side: Side) -> dict:
    p = side.policy
    out = {"spec": side.label, "file": side.path, "rev": side.rev, "sha": side.sha}
    if p is not None:
        out.update(policy=p.id, fiscal_year=p.fiscal_year, file=p.path,
                   extends=[f"{s.version[0]}/{s.version[1]}" for s in p.chain[1:]])
    if side.errors:
        out["errors"] = [d.to_json() for d in side.errors]
    return out
