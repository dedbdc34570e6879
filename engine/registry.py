# SPDX-License-Identifier: MIT
"""Finding policy files by id and fiscal year."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, YokoError, suggest

REPO_POLICIES = Path(__file__).resolve().parent.parent / "policies"

_ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988}


def parse_year(text: str) -> int:
    """2022, R4, r4, 令和4, 令和4年度, H30 -> a Gregorian fiscal year."""
    s = unicodedata.normalize("NFKC", str(text)).strip().removesuffix("年度").removesuffix("年")
    s = s.replace("元", "1")
    m = re.fullmatch(r"(\d{4})", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(R|H|令和|平成)\s*(\d{1,2})", s, re.IGNORECASE)
    if m:
        return _ERAS[m.group(1).upper() if m.group(1).isascii() else m.group(1)] + int(m.group(2))
    raise YokoError([Diagnostic("bad_year", f"cannot read {text!r} as a fiscal year; write 2022, R4 or 令和4")])


def policy_dirs() -> list[Path]:
    """Where policies are looked for: $YOKO_POLICY_PATH, ./policies, then the repository's."""
    dirs = [Path(p) for p in os.environ.get("YOKO_POLICY_PATH", "").split(os.pathsep) if p]
    for d in (Path.cwd() / "policies", REPO_POLICIES):
        if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
            dirs.append(d)
    return dirs


def display_path(p) -> str:
    """A path relative to the working directory when it lies below it (stable in outputs)."""
    rel = os.path.relpath(p)
    return str(p) if rel.startswith("..") else rel


@dataclass(frozen=True)
class Entry:
    id: str
    fiscal_year: int
    path: str


_HEAD = re.compile(r"^(id|fiscal_year):\s*['\"]?([^'\"#\s]+)", re.M)


def entries() -> list[Entry]:
    """Every policy file found, read only as far as its id and fiscal year."""
    out, seen = [], set()
    for d in policy_dirs():
        for p in sorted(d.rglob("*.yaml")):
            if p.name.endswith(".tests.yaml") or p.name.startswith("_"):
                continue
            try:
                head = dict(_HEAD.findall(p.read_text(encoding="utf-8-sig")))
                key = (head["id"], int(head["fiscal_year"]))
            except (OSError, UnicodeDecodeError, KeyError, ValueError):
                continue
            if key not in seen:
                seen.add(key)
                out.append(Entry(key[0], key[1], display_path(p)))
    return out


def find(policy_id: str, year) -> Entry:
    fy = parse_year(year) if not isinstance(year, int) else year
    found = entries()
    for e in found:
        if e.id == policy_id and e.fiscal_year == fy:
            return e
    ids = sorted({e.id for e in found})
    if policy_id not in ids:
        raise YokoError([Diagnostic("unknown_policy", f"no policy with id {policy_id}",
                                    suggestion=suggest(policy_id, ids))])
    years = sorted(e.fiscal_year for e in found if e.id == policy_id)
    raise YokoError([Diagnostic("unknown_policy", f"policy {policy_id} has no fiscal year {fy}; "
                                                  f"it has {', '.join(map(str, years))}")])
