# SPDX-License-Identifier: MIT
"""`yoko`'s entry point: a command line runs in this installation's `yoko daemon` when one is
running, else here (engine.cli.main.main).

The daemon (engine/cli/daemon.py) imported yoko's modules once. For each command line it forks a
process that takes this process's standard streams (the file descriptors themselves, passed over a
Unix socket), working folder, environment and umask, and runs engine.cli.main.main as this process
would have. Its exit status becomes this process's (a process killed before it said one is
reported, and exits 70). SIGINT, SIGTERM and SIGHUP sent to this process are passed on to it;
Ctrl-Z (SIGTSTP) stops it and this process, SIGCONT continues both. If this process ends first
(killed), the command gets SIGHUP, as from a terminal that hung up.

No daemon (the usual case; `yoko daemon start` starts one) costs a stat of its socket. This module
imports only modules the interpreter has built in or loaded at start-up, _socket and zlib.

YOKO_DAEMON=off runs every command here. `serve`, `lsp` and `daemon` always run here, as do a
command line with no command (`yoko --help`) and one the daemon refuses (the daemon was started
by other yoko code: it then stops and this process runs the command itself).
"""
from __future__ import annotations

import os
import sys

PROTOCOL = 1
# Commands a daemon runs; every other command line runs here.
ROUTED = frozenset({"evaluate", "check", "list", "show", "diff", "test", "render", "new-year", "completion", "fmt"})
ANSWER_WITHIN = 10.0  # seconds for the daemon to say it started the command ($YOKO_DAEMON_WAIT)
_FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGTSTP", "SIGCONT")


def main() -> int:
    """The console script: the exit status of the command line in sys.argv."""
    argv = sys.argv[1:]
    status = run_in_daemon(argv)
    if status is None:
        from engine.cli.main import main as run_here
        return run_here(argv)
    return status


def command_of(argv: list[str]) -> str | None:
    """The command a command line names: its first word that is neither an option nor --lang's value."""
    after_lang = False
    for a in argv:
        if after_lang:
            after_lang = False
        elif a == "--lang":
            after_lang = True
        elif a == "--":
            return None
        elif not a.startswith("-"):
            return a
    return None


def engine_dir() -> str:
    """The engine package this process runs (the daemon must run the same one)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def identity() -> str:
    """What a daemon must share with this process: interpreter, Python version, engine package, and
    what the interpreter fixed at its start (file name encoding, -X/-W/-O flags). A daemon does not
    follow changes of PYTHONPATH or installed libraries: restart it after them."""
    return f"{sys.executable}\0{sys.version}\0{engine_dir()}\0{sys.getfilesystemencoding()}\0{sys.flags}"


def daemon_dir() -> str:
    """The folder of this user's daemon sockets: $YOKO_DAEMON_DIR, else $XDG_RUNTIME_DIR/yoko,
    else /tmp/yoko-daemon-<uid>."""
    d = os.environ.get("YOKO_DAEMON_DIR")
    if d:
        return d
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, "yoko") if runtime else f"/tmp/yoko-daemon-{os.getuid()}"


def socket_path() -> str:
    """This installation's daemon socket: one per interpreter and engine package."""
    import zlib
    return os.path.join(daemon_dir(), f"{zlib.crc32(identity().encode('utf-8', 'surrogateescape')):08x}.sock")


def private(folder: str) -> bool:
    """Whether `folder` is this user's alone (a socket anyone could replace is not used)."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return (st.st_mode & 0o170000) == 0o040000 and st.st_uid == os.getuid() and not st.st_mode & 0o077


def wanted(argv: list[str], env=os.environ) -> bool:
    """Whether this command line goes to a daemon, if one runs."""
    return env.get("YOKO_DAEMON", "").strip().lower() not in ("off", "0", "no", "false") and \
        command_of(argv) in ROUTED


def run_in_daemon(argv: list[str]) -> int | None:
    """The exit status of the command line run by this installation's daemon, or None when no
    daemon ran it (none runs, it refused, or the command line is not for one)."""
    if not hasattr(os, "fork") or not wanted(argv):
        return None
    path = socket_path()
    if not os.path.exists(path) or not private(os.path.dirname(path)):
        return None
    request = _request(argv)
    if request is None:
        return None
    import _signal
    import _socket
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    forward = _Forward(_signal)
    try:
        try:
            forward.install()
            s.settimeout(_answer_within())  # connecting too: a daemon's queue can be full
            s.connect(path)
            if not peer_is_this_user(s, _socket):  # whoever listens must be this user (as the daemon checks `yoko`)
                return None
            s.sendall(len(request).to_bytes(8, "little") + request)
            child = _receive_int(s)
            if child is not None and child > 0:
                forward.to(child)  # from here on, signals are passed on
        except TimeoutError:
            return _no_answer(argv, path)
        except _Interrupted as e:  # before anything ran: as yoko interrupted by itself
            return _interrupted(argv, e.signum)
        except OSError:  # no daemon listens (it stopped), or it closed: nothing ran
            return None
        if child is None or child <= 0:  # refused: another engine, or it changed since it started
            return None
        s.settimeout(None)
        try:
            # the streams go only to a process that has answered: none is held by a daemon that
            # does not (a pipe from `yoko` would not end until it did)
            fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
            s.sendmsg([b"\0"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
            status = _receive_int(s)
        except OSError:
            status = None
    finally:
        s.close()
        forward.restore()
    if status is None or not 0 <= status < 256:
        return _lost(argv)
    return status


def peer_is_this_user(s, _socket) -> bool:
    """Whether the process listening on the socket is this user's (SO_PEERCRED: pid, uid, gid)."""
    try:
        cred = s.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    except (OSError, AttributeError):
        return False
    return int.from_bytes(cred[4:8], sys.byteorder) == os.getuid()


def _request(argv: list[str]) -> bytes | None:
    """The command line, as the daemon needs it to run the command as this process would."""
    import marshal
    try:
        cwd = os.getcwd()
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:  # no working folder, or a standard stream closed: run here, where it is reported
        return None
    umask = os.umask(0o022)
    os.umask(umask)
    streams = []
    for s in (sys.stdin, sys.stdout, sys.stderr):
        if s is None or not hasattr(s, "encoding"):
            return None
        streams.append((s.encoding, s.errors))
    import _signal
    sigint_ignored = _signal.getsignal(_signal.SIGINT) is _signal.SIG_IGN
    return marshal.dumps({"op": "run", "protocol": PROTOCOL, "identity": identity(), "argv": list(argv),
                          "cwd": cwd, "env": dict(os.environ), "umask": umask, "streams": streams,
                          "sigint_ignored": sigint_ignored})


def _receive_int(s) -> int | None:
    """An 8-byte signed integer from the daemon, or None when it closed first."""
    buf = b""
    while len(buf) < 8:
        chunk = s.recv(8 - len(buf))
        if not chunk:
            return None
        buf += chunk
    return int.from_bytes(buf, "little", signed=True)


class _Interrupted(BaseException):
    """A signal to `yoko` before the daemon's process was known: nothing has run."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Forward:
    """Signals to this process: before the daemon's process running the command is known, they end
    the wait (_Interrupted); after, they are passed on to it."""

    def __init__(self, _signal):
        self._signal, self.saved, self.child = _signal, {}, None

    def install(self) -> None:
        sig = self._signal
        for name in _FORWARDED:
            num = getattr(sig, name, None)
            if num is None or sig.getsignal(num) is sig.SIG_IGN:
                continue
            self.saved[num] = sig.signal(num, self._on)

    def _on(self, signum, frame) -> None:
        sig = self._signal
        if signum == sig.SIGTSTP:  # Ctrl-Z: the command stops, and so does `yoko` (its shell's job)
            if self.child is not None:
                self._kill(sig.SIGSTOP)
            os.kill(os.getpid(), sig.SIGSTOP)
        elif signum == sig.SIGCONT:  # `fg`/`bg`: `yoko` runs again, and so does the command
            if self.child is not None:
                self._kill(sig.SIGCONT)
        elif self.child is None:
            raise _Interrupted(signum)
        else:
            self._kill(signum)

    def _kill(self, signum: int) -> None:
        try:
            os.kill(self.child, signum)
        except OSError:
            pass

    def to(self, child: int) -> None:
        self.child = child

    def restore(self) -> None:
        for num, handler in self.saved.items():
            self._signal.signal(num, handler)
        self.saved.clear()


def _answer_within() -> float:
    try:
        wait = float(os.environ.get("YOKO_DAEMON_WAIT", ANSWER_WITHIN))
    except ValueError:
        return ANSWER_WITHIN
    return wait if 0 < wait < 1e6 else ANSWER_WITHIN


def _no_answer(argv, path) -> int:
    return said(argv, 70, "daemon.no_answer", socket=path, seconds=f"{_answer_within():g}")


def _interrupted(argv, signum: int) -> int:
    """As main says a run it was interrupted: the signal's name, and 128 + its number."""
    import _signal
    name = next((n for n in ("SIGINT", "SIGTERM", "SIGHUP") if getattr(_signal, n, None) == signum), str(signum))
    return said(argv, 128 + signum, "robust.interrupted_by", signal=name)


def _lost(argv) -> int:
    return said(argv, 70, "daemon.lost")


def said(argv: list[str], status: int, key: str, **params) -> int:
    """A message of the catalogue on stderr, in the command line's language; gives `status` back."""
    from engine.base.words import say
    from engine.cli.main import lang_of
    sys.stderr.write(say(key, lang_of(argv), **params) + "\n")
    return status
