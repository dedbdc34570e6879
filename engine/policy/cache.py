# SPDX-License-Identifier: MIT
"""Loading policies through two caches: memoised per process, and pickled between processes.

`load_policy_cached` is the one entry point. Between processes:

An entry is the loaded Policy, pickled without its closures (they are rebuilt on load, which is
cheap), under a key made of the policy file's SHA-256, its path as given and the working folder (paths
shown in diagnostics depend on them), the engine's own files and the Python version.
The entry also records the SHA-256 of every file the policy was built from (the chain it
extends); it is used only while all of them are unchanged. Any problem with the cache (missing
folder, unreadable or corrupt entry, a class that changed shape) is silent: the caller loads the
policy normally. The cache lives in $YOKO_CACHE_DIR, else $XDG_CACHE_HOME/yoko, else ~/.cache/yoko;
YOKO_NO_CACHE=1 turns it off.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys

from engine.base.diagnostics import YokoError, remember_source
from engine.base.files import read_bytes, settled_stamp
from engine.lang.codegen import generated
from engine.policy.load import Policy, load_policy
from engine.policy.registry import policy_dirs

FORMAT = 4  # bump when the pickled layout changes

KEPT = ("_trace_portable",)
"""Other generated code a cache entry may keep besides the policy's function, by its key on the
policy: engine.evaluation.evaluate adds its trace function with keep() once a process has built
it (this module imports nothing above it); get() puts it back under its key for its owner."""


def cache_dir() -> str | None:
    if os.environ.get("YOKO_NO_CACHE"):
        return None
    d = os.environ.get("YOKO_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "yoko")
    return d


# The engine's identity as a process has just computed it, for its lookups (engine/cli/daemon.py:
# the command's process checks it before it runs a command line); None: computed at each lookup.
KNOWN_ENGINE: str | None = None


def _engine_version() -> str:
    """The engine's identity: the package version and the modification times of its modules."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the engine package
    h = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    parts: list[str] = []
    _module_stamps(here, "", parts)
    h.update("".join(parts).encode())
    # the schema decides which policies load at all: a changed schema must not serve old verdicts
    schema = os.path.join(os.path.dirname(here), "schemas", "policy.schema.json")
    h.update(f"schema {file_hash(schema)};".encode())
    return h.hexdigest()[:16]


def _module_stamps(folder: str, rel: str, out: list[str]) -> None:
    """`name mtime size;` for every .py and .lark file under `folder`, in name order, depth first."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        if e.name == "__pycache__":
            continue
        if e.is_dir(follow_symlinks=True):
            _module_stamps(e.path, f"{rel}{e.name}/", out)
        elif e.name.endswith((".py", ".lark")):
            st = e.stat()
            out.append(f"{rel}{e.name} {st.st_mtime_ns} {st.st_size};")


def file_hash(path: str) -> str | None:
    """The file's SHA-256, or None for what the loader will refuse (missing, special, too large)."""
    raw = _bytes(path)
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _bytes(path: str) -> bytes | None:
    try:
        return read_bytes(path)
    except YokoError:
        return None


def _entry_path(d: str, path: str) -> str | None:
    h = file_hash(path)
    if h is None:
        return None
    # paths inside the policy (locations, the chain it extends) are shown as they were given or
    # relative to the working folder, so both are part of the key
    key = hashlib.sha256(f"{KNOWN_ENGINE or _engine_version()}\0{os.path.abspath(path)}\0{path}\0{os.getcwd()}\0{h}"
                         f"\0{_where_bases_are(path)}".encode()).hexdigest()
    return os.path.join(d, key[:32] + ".pickle")


def _where_bases_are(path: str) -> str:
    """Where an `extends:` could resolve: the search path and the policy files on it, by name.

    A base is found beside the policy or in the registry folders. A base file added, removed or
    renamed there changes this listing, so a cached policy is never served after its base could
    resolve elsewhere; a base edited in place is caught by the file hashes stored in the entry.
    """
    parts = [os.environ.get("YOKO_POLICY_PATH", "")]
    folders = [os.path.dirname(os.path.abspath(path))]
    for d in policy_dirs():
        for root, dirs, _ in os.walk(d):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            folders.append(root)
    for f in folders:
        try:
            names = sorted(n for n in os.listdir(f) if n.endswith((".yaml", ".yml")))
        except OSError:
            names = ["-"]
        parts.append(f"{f}:{','.join(names)}")
    return "|".join(parts)


def get(path: str):
    """The cached policy for `path`, or None (no entry, a changed file, or any problem)."""
    d = cache_dir()
    if d is None:
        return None
    try:
        entry = _entry_path(d, path)
        if entry is None or not os.path.exists(entry):
            return None
        with open(entry, "rb") as f:
            files, policy, portable, kept = pickle.load(f)
        if any(file_hash(p) != h for p, h in files):
            return None
        if portable is not None:
            policy.__dict__["_portable"] = portable  # engine.lang.codegen.generated takes it
        policy.__dict__.update((k, v) for k, v in kept.items() if v is not None and k in KEPT)
        policy.__dict__["_cache_entry"] = (entry, files)  # where keep() adds to, and what it was read from
        return policy
    except Exception:  # noqa: BLE001 - a cache must never be the reason a load fails
        return None


def put(path: str, policy) -> None:
    """Store a freshly loaded policy; silently does nothing when it cannot."""
    d = cache_dir()
    if d is None:
        return
    try:
        files = [(p, file_hash(p)) for p in policy.files]
        if any(h is None for _, h in files):
            return
        entry = _entry_path(d, path)
        if entry is not None:
            _write(entry, files, policy, {})
            policy.__dict__["_cache_entry"] = (entry, files)
    except Exception:  # noqa: BLE001 - e.g. a read-only home, a full disk, an unpicklable value
        return


def keep(policy, key: str, value) -> None:
    """Add `value` (picklable) under `key` (one of KEPT) to the cache entry the policy was read from
    or written to, for the next process; silently does nothing when it cannot."""
    where = policy.__dict__.get("_cache_entry")
    if where is None or key not in KEPT or cache_dir() is None:
        return
    try:
        kept = {k: policy.__dict__[k] for k in KEPT if k in policy.__dict__}  # kept and not yet used
        kept[key] = value
        entry, files = where  # the file hashes as they were when the policy was read: never newer
        _write(entry, files, policy, kept)
    except Exception:  # noqa: BLE001 - a cache is never the reason anything fails
        return


def _write(entry: str, files: list, policy, kept: dict) -> None:
    """Pickle the files' hashes, the policy (without its live functions), its generated function
    and `kept` to entry."""
    portable = _portable(policy)
    saved = _strip(policy)
    try:
        buf = io.BytesIO()
        pickle.dump((files, policy, portable, kept), buf, protocol=pickle.HIGHEST_PROTOCOL)  # (ExactFloat reduces itself)
    finally:
        _restore(policy, saved)
    import tempfile
    d = os.path.dirname(entry)
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, entry)


def _portable(policy):
    """The policy's generated function in a form the pickle can keep (None when there is none)."""
    try:
        g = generated(policy)
    except (RecursionError, MemoryError, SyntaxError, ValueError):  # as evaluate._generated
        return None
    return g.portable() if g is not None else None


_LIVE = ("_runner", "_tracer", "_steps", "_generated", "_portable", "_trace_fn", "_trace_portable", "_trace_fn_failed",
         "_traces", "_cache_entry")


def _strip(policy):
    """Take the closures and generated functions off (they cannot be pickled), and the counts of
    this process; give back what was taken."""
    return {k: policy.__dict__.pop(k) for k in _LIVE if k in policy.__dict__}


def _restore(policy, extras) -> None:
    policy.__dict__.update(extras)


# ---- in-process memo, in front of the cross-process cache ----

_MEMO: dict[tuple, tuple[tuple, Policy]] = {}  # (absolute path, path as given, cwd) -> (stamp, policy)


def _stamp(paths) -> tuple | None:
    """The files' stamps, or None when one is missing or changed too recently to trust its stamp."""
    stamps = tuple(settled_stamp(p) for p in paths)
    return None if None in stamps else stamps


def load_policy_cached(path: str) -> Policy:
    """load_policy, reused while the file and the files it extends are unchanged (same process).

    Keyed as the disk cache is: a policy shows its paths as they were given, relative to the
    working folder, so `policies/x.yaml` and `/abs/policies/x.yaml` are two entries (a memo header
    must not show another caller's path)."""
    key = (os.path.abspath(path), path, os.getcwd())
    hit = _MEMO.get(key)
    if hit and hit[0] == _stamp(hit[1].files):
        return _remembered(hit[1])
    _MEMO.pop(key, None)
    policy = get(path)
    if policy is None:
        policy = load_policy(path)
        put(path, policy)
    stamp = _stamp(policy.files)
    if stamp is not None:
        _MEMO[key] = (stamp, policy)
    return _remembered(policy)


def _remembered(policy: Policy) -> Policy:
    """The policy, its files' texts kept for the source lines of diagnostics (never read again)."""
    for src in policy.chain:
        remember_source(src.path, src.text)
    return policy
