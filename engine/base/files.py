# SPDX-License-Identifier: MIT
"""Reading an input file: a regular file only, never more than its size limit, read once.

`/dev/zero`, a FIFO or a directory named as a policy, facts file, table or mapping would make a
plain `read()` block or grow without end; they are refused before a byte is read. The text read
is remembered (engine.base.diagnostics.remember_source), so that showing a diagnostic's source
line never reads the file a second time.
"""
from __future__ import annotations

import os
import stat
import time
from contextlib import contextmanager

from engine.base.diagnostics import Location, YokoError, diag
from engine.base.limits import MAX_FILE_BYTES
from engine.base.words import words

_KINDS = ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "device"),
          (stat.S_ISBLK, "device"), (stat.S_ISSOCK, "socket"))


def open_regular(path: str, max_bytes: int | None = MAX_FILE_BYTES):
    """A binary file object for `path`, refused unless it is a regular file within `max_bytes`."""
    where = Location(str(path), 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise YokoError([diag("not_a_file", where, kind=_kind_words("directory"))]) from None
    except OSError as e:
        raise unreadable(path, e) from None
    try:
        st = os.fstat(fd)
        kind = next((name for test, name in _KINDS if test(st.st_mode)), None)
        if kind is not None or not stat.S_ISREG(st.st_mode):
            raise YokoError([diag("not_a_file", where, kind=_kind_words(kind or "special"))])
        if max_bytes is not None and st.st_size > max_bytes:
            raise too_large(path, max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, stopping at `max_bytes` (file_too_large beyond it)."""
    with open_regular(path, max_bytes) as f:
        try:
            raw = f.read(max_bytes + 1)
        except OSError as e:
            raise unreadable(path, e) from None
    if len(raw) > max_bytes:  # grew after it was opened
        raise too_large(path, max_bytes)
    return raw


def unreadable(path, e: OSError) -> YokoError:
    return YokoError([diag("file_unreadable", Location(str(path), 1, 1), reason=e.strerror or str(e))])


# A file changed less than this long ago may change again within the same timestamp (file times
# advance in clock ticks, often 4 ms): its stamp does not yet say that its content is the one read.
SETTLING_NS = 2_000_000_000


def settled_stamp(path) -> tuple | None:
    """(mtime, size, inode) of a file for a process that keeps what it read from it until these
    change; None when it cannot be read or changed too recently to be trusted so (as git treats a
    "racily clean" file): the caller then reads it again next time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - st.st_mtime_ns < SETTLING_NS:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def too_large(path, max_bytes: int) -> YokoError:
    return YokoError([diag("file_too_large", Location(str(path), 1, 1), limit=f"{max_bytes:,}")])


def _kind_words(kind: str):
    return words(f"diag.not_a_file.{kind}")


# Temporary files being written (engine.evaluation.tables.AtomicFile): removed by the command line
# when a signal ends the run, wherever the signal arrived.
_TEMP_FILES: set[str] = set()
_HELD = ("SIGINT", "SIGTERM", "SIGHUP")


def _held():
    """The signal module and the signals to hold, or None where signals cannot be held."""
    import signal
    return (signal, {getattr(signal, n) for n in _HELD if hasattr(signal, n)}) if hasattr(signal, "pthread_sigmask") \
        else None


@contextmanager
def signals_held():
    """SIGINT, SIGTERM and SIGHUP wait (blocked) until the block ends, then arrive: for steps a
    handler raising in the middle of would leave half done, or whose Python hooks would swallow it."""
    held = _held()
    if held is None:
        yield
        return
    signal, sigs = held
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def release_signals() -> None:
    """In a process forked while they were held (a batch worker): take them again."""
    held = _held()
    if held is not None:
        held[0].pthread_sigmask(held[0].SIG_UNBLOCK, held[1])


def make_temp_file(folder: str, suffix: str) -> tuple[int, str]:
    """mkstemp in `folder`, recorded before any signal can be handled (they are held meanwhile)."""
    import tempfile
    with signals_held():
        fd, path = tempfile.mkstemp(prefix=".yoko-", suffix=suffix, dir=folder)
        _TEMP_FILES.add(path)
    return fd, path


def forget_temp_file(path: str) -> None:
    _TEMP_FILES.discard(path)


# A signal whose exception was lost: C code that clears errors can swallow what a signal handler
# raised (seen: SIGHUP arriving while xml.etree's C accelerator was being imported, the run then
# going on to write its whole output). The command line notes each signal's exception here before
# raising it; a writer raises it again between rows and before it commits (engine.evaluation), so
# the run still ends as interrupted with its temporary file removed.
_SIGNALLED: list[BaseException] = []


def note_signal(exc: BaseException) -> None:
    _SIGNALLED.append(exc)


def raise_if_signalled() -> None:
    """Raise again the exception of a signal that arrived during this run (one some code lost)."""
    if _SIGNALLED:
        raise _SIGNALLED[0]


def clear_signals() -> None:
    _SIGNALLED.clear()


def remove_temp_files() -> None:
    """Remove every temporary file still recorded (after a signal)."""
    for path in list(_TEMP_FILES):
        try:
            os.unlink(path)
        except OSError:
            pass
        _TEMP_FILES.discard(path)
