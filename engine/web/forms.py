# SPDX-License-Identifier: MIT
"""The evaluation form, generated from a policy's fact declarations, and read back into facts.

Every fact is a field named `f.NAME` (a record row's field `f.NAME.ROW.FIELD`), so the form's own
query string is a permalink that restores it. An empty field is an unknown fact; nothing is
defaulted. Values are read into the plain data a facts file holds and then checked by the engine's
own facts checker, so the form refuses exactly what a facts file would.
"""
from __future__ import annotations

import re

from engine.base.diagnostics import Location
from engine.evaluation.facts import BadCell, cell_value
from engine.lang.values import to_json

PREFIX = "f."
NONE = "__none__"  # "an empty list": ticked, it says the list is known to be empty


def field_id(path) -> str:
    return "f-" + "-".join(str(p) for p in path)


def kind_of(spec: dict) -> str:
    """The widget a declaration gets: text, enum, bool, number, date, choices, rows or json."""
    t = spec.get("type")
    if t in ("int", "number"):
        return "number"
    if t in ("text", "enum", "bool", "date"):
        return t
    if t == "list":
        items = spec.get("items") or {}
        if items.get("type") == "enum":
            return "choices"
        if items.get("type") == "record" and all(kind_of(f) in ("text", "enum", "bool", "number", "date")
                                                 for f in (items.get("fields") or {}).values()):
            return "rows"
    return "json"


# --------------------------------------------------------------------------- reading

def _scalar(raw: str, spec: dict, name: str):
    """One field's text as the value of its declared type, read as a table cell is; text that does
    not read is passed on as it is, for the facts checker to refuse where a facts file would be."""
    try:
        return cell_value(raw, spec, name)
    except BadCell:
        return raw.strip()


def read(policy, params) -> dict:
    """The facts the form's fields give (a MultiDict of query or form fields); empty fields are left out."""
    import json
    data: dict = {}
    for name, decl in policy.facts.items():
        spec, key = decl.spec, PREFIX + name
        kind = kind_of(spec)
        if kind == "choices":
            picked = [v for v in params.getlist(key) if v]
            if NONE in picked:
                data[name] = []
            elif picked:
                data[name] = picked
        elif kind == "rows":
            rows = read_rows(name, spec, params)
            if rows is not None:
                data[name] = rows
        elif kind == "json":
            s = (params.get(key) or "").strip()
            if s:
                try:
                    data[name] = json.loads(s)
                except ValueError:
                    data[name] = s
        else:
            s = params.get(key) or ""
            if s.strip():
                data[name] = _scalar(s, spec, name)
    return data


def row_indexes(name: str, params) -> list[int]:
    found = set()
    pat = re.compile(re.escape(PREFIX + name) + r"\.(\d{1,3})\.")
    for k in params.keys():
        m = pat.match(k)
        if m:
            found.add(int(m.group(1)))
    return sorted(found)


def read_rows(name: str, spec: dict, params) -> list | None:
    """A list of records from its rows; a row with every field empty is no row."""
    fields = (spec.get("items") or {}).get("fields") or {}
    if params.get(f"{PREFIX}{name}.{NONE}"):
        return []
    out = []
    for i in row_indexes(name, params):
        rec = {}
        for f, fspec in fields.items():
            s = params.get(f"{PREFIX}{name}.{i}.{f}") or ""
            if s.strip():
                rec[f] = _scalar(s, fspec, f)
        if rec:
            out.append({f: rec.get(f) for f in fields})
    return out or None


def locate(key_path, key: bool = False) -> Location:
    """Where a fact problem is: the field, as a Location whose file is the field's id."""
    return Location(field_id(key_path), 1, 1)


# --------------------------------------------------------------------------- writing

def params_of(policy, facts: dict) -> list[tuple[str, str]]:
    """Facts (runtime or JSON form) as the form's fields, for the permalink of an uploaded file."""
    out = []
    for name, value in facts.items():
        decl = policy.facts.get(name)
        if decl is None or value is None:
            continue
        kind = kind_of(decl.spec)
        v = to_json(value)
        if kind == "choices":
            out += [(PREFIX + name, str(x)) for x in v] or [(PREFIX + name, NONE)]
        elif kind == "rows":
            if not v:
                out.append((f"{PREFIX}{name}.{NONE}", "1"))
            for i, rec in enumerate(v):
                out += [(f"{PREFIX}{name}.{i}.{f}", _text(x)) for f, x in rec.items() if x is not None]
        elif kind == "json":
            import json
            out.append((PREFIX + name, json.dumps(v, ensure_ascii=False)))
        else:
            out.append((PREFIX + name, _text(v)))
    return out


def _text(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def widgets(policy, params, lang: str, add: str | None = None, remove: tuple[str, int] | None = None) -> list[dict]:
    """What the template draws for each fact, with the current field values."""
    out = []
    for name, decl in policy.facts.items():
        spec = decl.spec
        w = {"name": name, "key": PREFIX + name, "id": field_id([name]), "kind": kind_of(spec),
             "label": (spec.get("label") or {}).get(lang) or name, "unit": spec.get("unit"),
             "value": params.get(PREFIX + name, "")}
        if w["kind"] in ("enum", "choices"):
            values = spec.get("values") if w["kind"] == "enum" else (spec.get("items") or {}).get("values")
            labels = spec.get("value_labels") if w["kind"] == "enum" else (spec.get("items") or {}).get("value_labels")
            w["options"] = [(str(v), ((labels or {}).get(v) or {}).get(lang) or str(v)) for v in values or []]
            w["picked"] = set(params.getlist(PREFIX + name))
        if w["kind"] == "rows":
            w.update(_rows(name, spec, params, lang, add == name, remove[1] if remove and remove[0] == name else None))
        out.append(w)
    return out


def _rows(name, spec, params, lang, add: bool, drop: int | None) -> dict:
    fields = (spec.get("items") or {}).get("fields") or {}
    idx = row_indexes(name, params)
    rows = [{f: params.get(f"{PREFIX}{name}.{i}.{f}", "") for f in fields} for i in idx if i != drop]
    if add or not rows:
        rows.append({f: "" for f in fields})
    cols = []
    for f, fspec in fields.items():
        col = {"name": f, "kind": kind_of(fspec), "label": (fspec.get("label") or {}).get(lang) or f,
               "unit": fspec.get("unit")}
        if col["kind"] == "enum":
            col["options"] = [(str(v), ((fspec.get("value_labels") or {}).get(v) or {}).get(lang) or str(v))
                              for v in fspec.get("values") or []]
        cols.append(col)
    return {"columns": cols, "rows": rows, "none": bool(params.get(f"{PREFIX}{name}.{NONE}"))}
