# SPDX-License-Identifier: MIT
"""Finding policy files by id and fiscal year."""
from __future__ import annotations

import datetime
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from engine.base.dates import DateError, read_date
from engine.base.diagnostics import YokoError, diag, suggest
from engine.base.words import words
from engine.base.files import read_bytes, settled_stamp

REPO_POLICIES = Path(__file__).resolve().parents[2] / "policies"

_ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988}
_ERA_LAST = {"H": 31, "平成": 31}  # 平成31年度 = 令和元年度 (FY2019)


def parse_year(text: str) -> int:
    """2022, R4, r4, 令和4, 令和4年度, H30 -> a Gregorian fiscal year."""
    s = unicodedata.normalize("NFKC", str(text)).strip().removesuffix("年度").removesuffix("年")
    s = s.replace("元", "1")
    m = re.fullmatch(r"(\d{4})", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(R|H|令和|平成)\s*(\d{1,2})", s, re.IGNORECASE)
    if m:
        era = m.group(1).upper() if m.group(1).isascii() else m.group(1)
        n = int(m.group(2))
        last = _ERA_LAST.get(era)
        if n < 1 or (last is not None and n > last):
            raise YokoError([diag("bad_year", key="diag.bad_year.era_to" if last else "diag.bad_year.era",
                                  text=repr(text), last=last, first="元年")])
        return _ERAS[era] + n
    raise YokoError([diag("bad_year", text=repr(text), era="令和4")])


def policy_dirs() -> list[Path]:
    """Where policies are looked for: $YOKO_POLICY_PATH, ./policies, then the repository's."""
    dirs = [Path(p) for p in os.environ.get("YOKO_POLICY_PATH", "").split(os.pathsep) if p]
    for d in (Path.cwd() / "policies", REPO_POLICIES):
        if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
            dirs.append(d)
    return dirs


@dataclass(frozen=True)
class Entry:
    id: str
    fiscal_year: int
    path: str
    enacted: datetime.date | None = None
    applies_from: datetime.date | None = None
    extends: tuple[str, int] | None = None

    @property
    def starts(self) -> datetime.date:
        """First day it applies: applies_from, else enacted, else 1 April of its fiscal year."""
        return self.applies_from or self.enacted or datetime.date(self.fiscal_year, 4, 1)


_HEAD = re.compile(r"^(id|fiscal_year|enacted|applies_from):[ \t]*['\"]?([^'\"#\s]+)", re.M)
_EXTENDS = re.compile(r"^extends:[ \t]*\{?[ \t]*(?:\n[ \t]+)?policy:[ \t]*['\"]?([^'\",#\s}]+)['\"]?[ \t]*,?"
                      r"[ \t]*(?:\n[ \t]+)?fiscal_year:[ \t]*(\d{4})", re.M)


# path -> ((mtime, size, inode), head): a long-lived process (the workbench, the language server,
# the daemon's commands) reads a policy file's head again only when the file has changed (or
# changed too recently to tell: engine.base.files.settled_stamp)
_HEADS: dict[str, tuple[tuple, tuple | None]] = {}
_HEADS_KEPT = 4096


def read_head(path) -> tuple | None:
    """(id, fiscal_year, enacted, applies_from, extends) read from a file's top-level lines, or None."""
    stamp, key = settled_stamp(path), str(path)
    if stamp is None:
        _HEADS.pop(key, None)
        return _read_head(path)
    hit = _HEADS.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    head = _read_head(path)
    if len(_HEADS) >= _HEADS_KEPT:
        _HEADS.clear()
    _HEADS[key] = (stamp, head)
    return head


def _read_head(path) -> tuple | None:
    try:
        text = read_bytes(str(path)).decode("utf-8-sig")
    except (YokoError, UnicodeDecodeError):
        return None
    head: dict = {}
    for k, v in _HEAD.findall(text):
        head.setdefault(k, v)
    try:
        key = (head["id"], int(head["fiscal_year"]))
    except (KeyError, ValueError):
        return None
    ext = _EXTENDS.search(text)
    return (*key, _date(head.get("enacted")), _date(head.get("applies_from")),
            (ext.group(1), int(ext.group(2))) if ext else None)


def _date(text):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def entries() -> list[Entry]:
    """Every policy file found, read only as far as its id, fiscal year, dates and base."""
    out, seen = [], set()
    for d in policy_dirs():
        for p in sorted(d.rglob("*.yaml")):
            if p.name.endswith((".tests.yaml", ".source.yaml")) or p.name.startswith("_"):
                continue
            head = read_head(p)
            if head is None or head[:2] in seen:
                continue
            seen.add(head[:2])
            out.append(Entry(head[0], head[1], _shown(p), *head[2:]))
    return out


def _shown(p: Path) -> str:
    """A path as people should see it: relative to the working folder when inside it."""
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def parse_date(text: str) -> datetime.date:
    """A date given on the command line (--on), in any spelling engine.base.dates reads."""
    try:
        return read_date(text)
    except DateError as e:
        raise YokoError([diag("bad_date", key=e.key, **e.params)]) from None


def in_force(policy_id: str, on) -> Entry:
    """The version of `policy_id` that applies on a day: it has started (applies_from, else
    enacted, else 1 April) and its fiscal year has not ended; the latest start wins."""
    day = on if isinstance(on, datetime.date) else parse_date(on)
    versions = sorted((e for e in entries() if e.id == policy_id), key=lambda e: (e.starts, e.fiscal_year))
    if not versions:
        _unknown_id(policy_id)
    live = [e for e in versions if e.starts <= day <= datetime.date(e.fiscal_year + 1, 3, 31)]
    if live:
        return live[-1]
    spans = tuple(words("diag.no_policy_in_force.span", year=e.fiscal_year, start=e.starts,
                        end=f"{e.fiscal_year + 1}-03-31") for e in versions)
    raise YokoError([diag("no_policy_in_force", policy=policy_id, day=day, spans=spans)])


def _unknown_id(policy_id: str):
    ids = sorted({e.id for e in entries()})
    raise YokoError([diag("unknown_policy", policy=policy_id, suggestion=suggest(policy_id, ids))])


def find(policy_id: str, year) -> Entry:
    fy = parse_year(year) if not isinstance(year, int) else year
    found = entries()
    for e in found:
        if e.id == policy_id and e.fiscal_year == fy:
            return e
    if policy_id not in {e.id for e in found}:
        _unknown_id(policy_id)
    years = sorted(e.fiscal_year for e in found if e.id == policy_id)
    raise YokoError([diag("unknown_policy", key="diag.unknown_policy.year", policy=policy_id, year=fy,
                          years=", ".join(map(str, years)))])


POLICY_SUFFIXES = (".yaml", ".yml", ".json")


def resolve(policy: str, year=None, on=None, *, usage: str = "diag.usage.show_year") -> str:
    """The path of the policy a command names: a policy file, or an id with --year or --on.

    Every command that takes a policy (evaluate, show, render, diff sides) reads it here, so the
    same spelling names the same file everywhere. `usage` is the message for an id given alone,
    which names the command's own flags.
    """
    if Path(policy).suffix in POLICY_SUFFIXES or "/" in policy or os.sep in policy or Path(policy).exists():
        return policy  # a path (even one that is not a regular file: the loader refuses it, located)
    if year and on:
        raise YokoError([diag("usage", key="diag.usage.year_and_on")])
    if on:
        return in_force(policy, on).path
    if not year:
        raise YokoError([diag("usage", key=usage, policy=policy)])
    return find(policy, year).path
