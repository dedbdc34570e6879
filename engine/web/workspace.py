# SPDX-License-Identifier: MIT
"""The policies folder a workbench serves: its versions, found only inside it, and its git history.

Every id, year and revision a request names is checked here before it reaches a file or git: an id
is a plain name (no path), a version is looked up among the files found under the folder, and a
revision is a plain git name (`HEAD~1`, `main`, `a1b2c3d`, `v2023`), never an option or a range.
"""
from __future__ import annotations

import os
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.base.diagnostics import YokoError, diag, suggest
from engine.policy.registry import Entry, parse_year, read_head
from engine.policy.cache import load_policy_cached
from engine.policy.load import load_policy
from engine.review.diff import git_show

_ID = re.compile(r"[a-z][a-z0-9_-]{0,63}\Z")
_REV = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^-]{0,79}\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")


@dataclass(frozen=True)
class Version:
    """One policy file of the folder."""

    id: str
    fiscal_year: int
    path: Path
    entry: Entry


class Workspace:
    """The policies under one folder (and, beside it, the examples of each policy).

    The folder is scanned when a list is asked for, or when a version asked for is not among those
    last found; a version found before is used after one `stat` of its file shows it unchanged
    (same modification time and size), so a request does not walk the folder.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).resolve()
        self._index: dict[tuple, tuple] = {}  # (id, year) -> (Version, (mtime_ns, size))
        self._policies: dict[Path, tuple] = {}  # file -> (stamps of the files it was built from, Policy)
        self._lock = threading.Lock()

    def versions(self) -> list[Version]:
        out, seen = [], set()
        for p in sorted(self.folder.rglob("*.yaml")):
            if p.name.endswith((".tests.yaml", ".source.yaml")) or p.name.startswith("_"):
                continue
            stamp = _stamp(p)
            head = read_head(p)
            if head is None or head[:2] in seen or not _ID.match(head[0]):
                continue
            seen.add(head[:2])
            out.append((Version(head[0], head[1], p, Entry(head[0], head[1], str(p), *head[2:])), stamp))
        with self._lock:
            self._index = {(v.id, v.fiscal_year): (v, stamp) for v, stamp in out}
        return sorted((v for v, _ in out), key=lambda v: (v.id, v.fiscal_year))

    def _known(self, key: tuple) -> Version | None:
        """The version last found under `key`, if its file is still the one that was read."""
        with self._lock:
            hit = self._index.get(key)
        if hit is None or hit[1] is None or _stamp(hit[0].path) != hit[1]:
            return None
        return hit[0]

    def find(self, policy_id: str, year) -> Version:
        """The version `policy_id` for `year` (2022, R4, 令和4); unknown_policy / bad_year otherwise."""
        if not isinstance(policy_id, str) or not _ID.match(policy_id):
            raise YokoError([diag("unknown_policy", policy=str(policy_id)[:80])])
        fy = parse_year(str(year)[:40])
        known = self._known((policy_id, fy))
        if known is not None:
            return known
        versions = self.versions()
        for v in versions:
            if v.id == policy_id and v.fiscal_year == fy:
                return v
        ids = sorted({v.id for v in versions})
        if policy_id not in ids:
            raise YokoError([diag("unknown_policy", policy=policy_id, suggestion=suggest(policy_id, ids))])
        years = ", ".join(str(v.fiscal_year) for v in versions if v.id == policy_id)
        raise YokoError([diag("unknown_policy", key="diag.unknown_policy.year", policy=policy_id, year=fy, years=years)])

    def load(self, policy_id: str, year, rev: str | None = None):
        """The loaded policy; at git revision `rev` when given (read with `git show`, not checked out)."""
        v = self.find(policy_id, year)
        if not rev:
            policy = self._loaded(v.path)
            if policy is None:
                policy = load_policy_cached(str(v.path))
                with self._lock:
                    self._policies[v.path] = (_stamps(policy.files), policy)
            return policy
        sha = self.resolve(rev)
        return load_policy(f"{v.path}@{sha}", git_show(str(v.path), sha))

    def loaded(self, policy_id: str, year):
        """The policy when it is loaded already and none of its files changed since, else None: a
        request can then be answered on the event loop, without a worker thread."""
        if not isinstance(policy_id, str) or not _ID.match(policy_id):
            return None
        try:
            fy = parse_year(str(year)[:40])
        except YokoError:
            return None
        known = self._known((policy_id, fy))  # never a walk of the folder: this runs on the event loop
        return self._loaded(known.path) if known is not None else None

    def _loaded(self, path: Path):
        with self._lock:
            hit = self._policies.get(path)
        if hit is None or hit[0] != _stamps(hit[1].files):
            return None
        return hit[1]

    def side_spec(self, policy_id: str, year, rev: str | None = None) -> str:
        """The `yoko diff` side naming this version (`PATH` or `PATH@COMMIT`), after checking both:
        a revision is passed on only as the full commit id git resolved it to."""
        v = self.find(policy_id, year)
        if rev:
            return f"{v.path}@{self.resolve(rev)}"
        return str(v.path)

    # ------------------------------------------------------------------ git

    def is_git(self) -> bool:
        try:
            done = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=self.folder,
                                  capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0 and done.stdout.strip() == b"true"

    def require_git(self) -> None:
        if not self.is_git():
            raise YokoError([diag("git_revision", key="diag.git_revision.no_repository", folder=self.folder.name)])

    def resolve(self, rev: str) -> str:
        """The full commit id a plain revision name names in the folder's repository, or git_revision.

        The name is checked against a strict pattern first, and given to git only after
        `--end-of-options`, so it can never be read as an option."""
        rev = check_revision(rev)
        self.require_git()
        try:
            done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                                  cwd=self.folder, capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError) as e:
            raise YokoError([diag("git_revision", key="diag.git_revision.run", path=self.folder.name, rev=rev,
                                  detail=str(e))]) from None
        sha = done.stdout.decode("ascii", "replace").strip()
        if done.returncode != 0 or not _SHA.match(sha):
            raise YokoError([diag("git_revision", key="diag.git_revision.unknown", rev=repr(rev))])
        return sha

    def revisions(self, limit: int = 30) -> list[tuple[str, str]]:
        """(short hash, subject) of the latest commits that touched the folder, newest first."""
        if not self.is_git():
            return []
        try:
            done = subprocess.run(["git", "log", f"-n{limit}", "--format=%h\t%s", "--", "."], cwd=self.folder,
                                  capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return []
        rows = done.stdout.decode("utf-8", "replace").splitlines() if done.returncode == 0 else []
        return [tuple(r.split("\t", 1)) for r in rows if "\t" in r]

    # ------------------------------------------------------------------ examples

    def examples(self, policy) -> list[Path]:
        """Example facilities of a policy: examples/ID-YEAR/*.yaml beside the policies folder."""
        d = self.folder.parent / "examples" / f"{policy.id}-{policy.fiscal_year}"
        return sorted(d.glob("*.yaml")) if d.is_dir() else []

    def mappings(self, policy) -> list[Path]:
        """Column mappings written for a policy: examples/mappings/*.yaml naming its id."""
        d = self.folder.parent / "examples" / "mappings"
        out = []
        for p in sorted(d.glob("*.yaml")) if d.is_dir() else []:
            try:
                head = p.read_text("utf-8")[:4000]
            except (OSError, UnicodeDecodeError):
                continue
            if re.search(rf"^policy:\s*{re.escape(policy.id)}\s*$", head, re.M):
                out.append(p)
        return out


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _stamps(paths) -> tuple:
    return tuple(_stamp(p) for p in paths)


def check_revision(rev: str) -> str:
    """A git revision as a plain name, or git_revision: never an option (-x), a range (a..b) or a path."""
    if not isinstance(rev, str) or not _REV.match(rev) or ".." in rev or rev.endswith((".", "/")):
        raise YokoError([diag("git_revision", key="diag.git_revision.not_revision", rev=repr(str(rev)[:80]))])
    return rev
