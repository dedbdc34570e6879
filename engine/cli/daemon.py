# SPDX-License-Identifier: MIT
"""`yoko daemon start|stop|status`: a resident process that has imported yoko once, so that each
later `yoko` command line starts in a few milliseconds instead of importing everything again.

How a command line runs in it (the client side is engine/cli/launch.py):
- The daemon keeps two processes forked ahead ("spares") waiting on the socket. Before it forks
  them it has imported every module a command may use and evaluated one policy, so that what is
  built on first use (the expression parser, compiled patterns, the YAML reader) is built once.
- `yoko` connects to the daemon's Unix socket and sends its command line, working folder,
  environment, umask and the encodings of its standard streams. Only the same user may connect
  (SO_PEERCRED), through a folder only that user can open.
- A spare takes the connection (the daemon forks another) and says its process id, so that
  `yoko` can pass it SIGINT, SIGTERM and SIGHUP (and stop and continue it with Ctrl-Z and fg).
  Only then does `yoko` send the three stream file descriptors themselves (SCM_RIGHTS): a daemon
  that does not answer holds none of them. If `yoko` ends first (killed), the command gets
  SIGHUP, as from a terminal that hung up.
- The spare takes the streams as its 0, 1 and 2, the folder, environment and umask, runs
  engine.cli.main.main(argv) as a fresh `yoko` would, sends the exit status and ends. Nothing of
  one command line is left for the next: each runs in its own process, forked from the daemon
  as it was after start. The policy cache on disk is shared, as between any two `yoko` processes.
- When yoko's own modules or the policy schema change (the policy cache's engine identity), the
  daemon refuses the command line, which then runs in `yoko` itself, and stops.
- It stops after --idle minutes without a command line (0: never), on `yoko daemon stop`, and on
  SIGTERM, SIGHUP or SIGINT. One runs per installation and socket folder (an flock on
  <socket>.lock): a second `start` finds it.
- It follows no change of PYTHONPATH or of installed libraries: restart it after one.
"""
from __future__ import annotations

import os
import sys
import time

IDLE_MINUTES = 60.0
MAX_SOCKET_PATH = 107  # bytes of a Unix socket's path (sun_path is 108 with its terminating NUL)
START_WITHIN = 60.0  # seconds for a starting daemon to answer before `start` gives up


def add_parser(sub):  # help texts: cli.help.daemon.* in the catalogue
    p = sub.add_parser("daemon")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--idle", type=float, default=IDLE_MINUTES, metavar="MINUTES")
    return p


def run(args, out, err) -> int:
    from engine.base.diagnostics import YokoError, diag
    from engine.base.words import say
    from engine.cli.launch import socket_path
    path = socket_path()
    if args.action == "status":
        st = ask(path, "status")
        if st is None:
            out.write(say("daemon.not_running", args.lang, socket=path) + "\n")
            return 3
        out.write(say("daemon.running", args.lang, pid=st["pid"], socket=path, served=st["served"],
                      since=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st["started"]))) + "\n")
        return 0
    if args.action == "stop":
        st = ask(path, "stop")
        if st is not None:
            _wait_gone(st["pid"])
        out.write(say("daemon.stopped" if st else "daemon.not_running", args.lang, socket=path,
                      pid=st and st["pid"]) + "\n")
        return 0
    if not args.idle >= 0 or args.idle == float("inf"):
        raise YokoError([diag("usage", key="diag.usage.daemon_idle")])
    st = ask(path, "status")
    if st is not None:
        out.write(say("daemon.already", args.lang, pid=st["pid"], socket=path) + "\n")
        return 0
    if not ensure_private(os.path.dirname(path)):
        err.write(say("daemon.folder_not_private", args.lang, folder=os.path.dirname(path)) + "\n")
        return 2
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        err.write(say("daemon.path_too_long", args.lang, socket=path, limit=MAX_SOCKET_PATH) + "\n")
        return 2
    pid = start(path, args.idle)
    if pid is None:
        err.write(say("daemon.not_started", args.lang, socket=path, log=log_path(path)) + "\n")
        return 70
    out.write(say("daemon.started", args.lang, pid=pid, socket=path, idle=f"{args.idle:g}") + "\n")
    return 0


def _wait_gone(pid: int, within: float = 10.0) -> None:
    """Wait until the daemon `pid` has ended (so that a `start` right after starts a new one)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        if _zombie(pid):
            return
        time.sleep(0.02)


def _zombie(pid: int) -> bool:
    """Whether `pid` has ended and waits only to be collected by its parent (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def log_path(path: str) -> str:
    """Where a daemon writes what it could not otherwise report (its own errors, never a command's)."""
    return _beside(path, ".log")


def _beside(path: str, suffix: str) -> str:
    """The file named as the socket `path` with another suffix (its log, its lock)."""
    return path[: -len(".sock")] + suffix


def ensure_private(folder: str) -> bool:
    """Make the sockets' folder (mode 0700) if need be; whether it is this user's alone."""
    from engine.cli.launch import private
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    return private(folder)


def start(path: str, idle: float) -> int | None:
    """Start a daemon on `path` (in a private folder: run checked) in a new session; its process id
    once it answers, else None."""
    import subprocess
    code = f"from engine.cli.daemon import serve; serve({path!r}, {idle!r})"
    engine_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [engine_parent, os.environ.get("PYTHONPATH")]))}
    with open(log_path(path), "ab") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                cwd="/", env=env, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        st = ask(path, "status")
        if st is not None:
            return st["pid"]
        if proc.poll() not in (None, 0):
            return None  # it failed (its log says why); 0: another start's daemon serves, wait for it
        time.sleep(0.05)
    proc.kill()  # said not to have started: it must not start later
    return None


def ask(path: str, op: str) -> dict | None:
    """The daemon's answer to `status` or `stop`, or None when none answers on `path`."""
    import marshal
    import socket

    from engine.cli.launch import peer_is_this_user, private
    if not os.path.exists(path) or not private(os.path.dirname(path)):
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        if not peer_is_this_user(s, socket):
            return None
        payload = marshal.dumps({"op": op})
        s.sendall(len(payload).to_bytes(8, "little") + payload)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return marshal.loads(data) if data else None
    except (OSError, EOFError, ValueError, TypeError):
        return None
    finally:
        s.close()


# ---- the daemon itself ----

SPARES = 2  # processes forked ahead, each waiting for a command line
REPLENISH_EVERY = 5.0  # seconds between the daemon's looks at its spares when nothing happens


def serve(path: str, idle_minutes: float) -> None:
    """Listen on `path` until stopped, idle or stale. The daemon keeps SPARES processes forked
    ahead; each takes one connection and runs its command line, and is replaced at once."""
    import fcntl
    import gc
    import mmap
    import selectors
    import signal

    from engine.policy.cache import _engine_version
    lock = os.open(_beside(path, ".lock"), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another daemon of this installation runs or is starting: it serves
        return
    engine = _engine_version()
    preload()
    if _engine_version() != engine:  # yoko changed while it was being imported: which code runs is unknown
        raise SystemExit("yoko daemon: yoko's modules changed while they were being imported; not started")
    gc.collect()
    gc.freeze()  # what preload made is never scanned again, so a command's collections copy fewer pages
    served = mmap.mmap(-1, 8)  # shared with the spares: command lines run so far, for `status`
    state = {"engine": engine, "started": time.time(), "socket": path, "served": served, "pid": os.getpid()}
    listener = _listen(path)
    inode = os.stat(path).st_ino
    taken_r, taken_w = os.pipe()  # a spare writes its pid here when it takes a connection
    # A stopping signal only notes itself and wakes the loop (raising in the handler could land
    # inside the hooks the standard library runs around fork, which swallow exceptions); SIGCHLD
    # wakes it to collect a spare that has run its command.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_w)
    spares: set[int] = set()
    sel = selectors.DefaultSelector()
    sel.register(taken_r, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    last = time.monotonic()
    try:
        while not stopping and (idle_minutes <= 0 or time.monotonic() - last < idle_minutes * 60):
            _reap(spares)  # also a spare that died waiting: it is replaced here
            while len(spares) < SPARES and not stopping:
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    for fd in (wake_r, wake_w, lock):  # the lock is the daemon's alone
                        os.close(fd)
                    _spare(listener, taken_r, taken_w, state)  # never returns
                spares.add(pid)
            wait = REPLENISH_EVERY
            if idle_minutes > 0:
                wait = max(0.0, min(wait, last + idle_minutes * 60 - time.monotonic()))
            for key, _ in sel.select(wait):
                if key.fd == wake_r:
                    os.read(wake_r, 4096)
                    continue
                for pid in _pids(os.read(taken_r, 4096)):
                    if pid > 0:  # a spare took a connection
                        spares.discard(pid)
                    else:  # and it runs a command line (`status` and `stop` do not keep it from idling)
                        served[:] = (int.from_bytes(served[:], "little") + 1).to_bytes(8, "little")
                        last = time.monotonic()
    finally:
        for pid in spares:  # waiting spares only: a command already running finishes
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap(spares, block=True)
        listener.close()
        try:
            if os.stat(path).st_ino == inode:  # still ours
                os.unlink(path)
        except OSError:
            pass
        os.close(lock)


def _pids(data: bytes) -> list[int]:
    """What spares wrote: their pid when they take a connection, minus it when they run a command."""
    return [int.from_bytes(data[i:i + 8], "little", signed=True) for i in range(0, len(data) - len(data) % 8, 8)]


def _reap(spares: set[int], block: bool = False) -> None:
    """Collect every child that ended (spares that ran their command, or were stopped)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block and spares else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        spares.discard(pid)


def _listen(path: str):
    import socket
    if not ensure_private(os.path.dirname(path)):
        raise SystemExit(f"yoko daemon: {os.path.dirname(path)} is not this user's alone")
    try:
        os.unlink(path)  # a socket left by a daemon that died (`start` asked first: none answers)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    listener.setblocking(False)  # the spares wait with select, so that one whose daemon died notices
    return listener


def _read(conn) -> dict:
    """One request (its length, then the marshalled dict), from this user only."""
    import marshal
    import socket

    from engine.cli.launch import peer_is_this_user
    if not peer_is_this_user(conn, socket):
        raise ValueError("a process of another user connected")
    size = int.from_bytes(_exactly(conn, 8), "little")
    if size > 1 << 26:
        raise ValueError("request too large")
    request = marshal.loads(_exactly(conn, size))
    if not isinstance(request, dict):
        raise ValueError("not a request")
    return request


def _exactly(conn, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = conn.recv(min(1 << 20, n - len(data)))
        if not chunk:
            raise EOFError("request cut short")
        data += chunk
    return bytes(data)


def _streams(conn) -> list[int] | None:
    """The caller's three standard streams (SCM_RIGHTS), or None when it has gone."""
    import socket
    msg, ancdata, _flags, _addr = conn.recvmsg(1, socket.CMSG_SPACE(3 * 4))
    fds: list[int] = []
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds += [int.from_bytes(data[i:i + 4], sys.byteorder) for i in range(0, len(data) - len(data) % 4, 4)]
    if msg and len(fds) == 3:
        return fds
    for fd in fds:
        os.close(fd)
    return None


def _reply(conn, answer: dict) -> None:
    import marshal
    conn.sendall(marshal.dumps(answer))


def _spare(listener, taken_r: int, taken_w: int, state: dict) -> None:
    """A process forked ahead: take one connection, answer it, and end (never returns)."""
    import signal
    code = 0
    log = os.dup(2)  # the daemon's log: 2 becomes the caller's stderr, which the spare's own errors must not reach
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # until a command line says otherwise
        os.close(taken_r)
        # (Warming each spare with an evaluation of its own, so that the pages a command writes are
        # copied before anyone waits, was measured: ~10 ms less for the command it then runs, but the
        # warming competes with that command and the next for a 2-core machine's CPU; slower overall.)
        conn = _take(listener, state["pid"])
        listener.close()
        if conn is None:  # the daemon is gone (killed): so is this spare
            return
        os.write(taken_w, os.getpid().to_bytes(8, "little", signed=True))
        conn.settimeout(5)
        code = _answer(conn, _read(conn), state, taken_w)
    except BaseException as e:  # noqa: BLE001 - one bad client, not the daemon; said in its log
        try:
            os.write(log, f"yoko daemon: {type(e).__name__}: {e}\n".encode("utf-8", "backslashreplace"))
        except OSError:
            pass
        code = 70
    finally:
        os._exit(code)


def _take(listener, daemon: int):
    """The next connection, or None once the daemon has died (this spare is then another's child:
    it takes nothing more, and a connection it took unanswered makes `yoko` run the command itself)."""
    import select
    while os.getppid() == daemon:
        if not select.select([listener], [], [], REPLENISH_EVERY)[0]:
            continue
        try:
            conn, _ = listener.accept()  # (non-blocking: the other spare may have taken it)
        except BlockingIOError:
            continue
        if os.getppid() == daemon:
            return conn
        conn.close()
    return None


def _answer(conn, request: dict, state: dict, taken_w: int) -> int:
    """Answer `status` or `stop`, or run a command line; the spare's exit status."""
    import signal

    from engine.cli.launch import identity
    from engine.policy import cache
    op = request.get("op")
    if op in ("status", "stop"):
        _reply(conn, {"pid": state["pid"], "started": state["started"], "socket": state["socket"],
                      "served": int.from_bytes(state["served"][:], "little")})
        if op == "stop":
            os.kill(state["pid"], signal.SIGTERM)
        return 0
    if op != "run":
        raise ValueError(f"unknown request {op!r}")
    refuse = (0).to_bytes(8, "little", signed=True)
    if request.get("protocol") != 1 or request.get("identity") != identity():
        conn.sendall(refuse)  # another yoko's client: it runs the command itself
        return 0
    engine = cache._engine_version()
    if engine != state["engine"]:  # yoko changed since the daemon started: refuse, and stop it
        conn.sendall(refuse)
        os.kill(state["pid"], signal.SIGTERM)
        return 0
    cache.KNOWN_ENGINE = engine  # just computed: the policy cache need not walk the package again
    # From the moment `yoko` knows this process, it passes signals on: until main takes them, a
    # signal is noted here and ends the command before it starts, as main would say it
    early: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        if not (sig == signal.SIGINT and request["sigint_ignored"]):
            signal.signal(sig, lambda signum, frame: early.append(signum))
    conn.sendall(os.getpid().to_bytes(8, "little", signed=True))
    fds = _streams(conn)
    if fds is None:  # `yoko` stopped waiting (YOKO_DAEMON_WAIT) and said so: nothing runs
        return 0
    os.write(taken_w, (-os.getpid()).to_bytes(8, "little", signed=True))
    os.close(taken_w)
    conn.settimeout(None)
    _hang_up_when_gone(conn)
    code = _command(request, fds, early)
    conn.sendall(code.to_bytes(8, "little", signed=True))
    return code


def _hang_up_when_gone(conn) -> None:
    """When `yoko` ends before the command (killed, or by a signal it does not pass on), the
    command gets SIGHUP, as from a terminal that hung up: it stops and removes its temporary files.
    The socket signals (O_ASYNC) when it becomes readable, which, since `yoko` sends nothing more,
    is when it closes."""
    import fcntl
    import signal
    import socket

    def on_io(signum, frame):
        try:
            gone = conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            gone = False
        except OSError:
            gone = True
        if gone:
            signal.signal(signal.SIGIO, signal.SIG_IGN)
            os.kill(os.getpid(), signal.SIGHUP)
    signal.signal(signal.SIGIO, on_io)
    fcntl.fcntl(conn.fileno(), fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(conn.fileno(), fcntl.F_SETFL, fcntl.fcntl(conn.fileno(), fcntl.F_GETFL) | os.O_ASYNC)
    on_io(signal.SIGIO, None)  # gone already


def _command(request: dict, fds: list[int], early: list[int]) -> int:
    """Take the caller's streams, folder, environment and umask, and run the command line."""
    import signal

    from engine.cli import main as cli
    from engine.cli.launch import said
    for target, fd in enumerate(fds):
        if fd != target:
            os.dup2(fd, target)
    for fd in set(fds) - {0, 1, 2}:
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # the caller's time zone (nothing in yoko reads the clock today; a command that did would)
    os.umask(request["umask"])
    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = request["streams"]
    # as CPython makes its standard streams on POSIX: no newline translation
    sys.stdin = sys.__stdin__ = open(0, encoding=in_enc, errors=in_err, newline="\n", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1 if os.isatty(1) else -1, encoding=out_enc,
                                       errors=out_err, newline="\n", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, encoding=err_enc, errors=err_err, newline="\n",
                                       closefd=False)
    argv = list(request["argv"])
    sys.argv = ["yoko", *argv]

    def abort(signum, frame):
        raise _Early(signum)
    try:
        # until main takes SIGTERM and SIGHUP, they end the command before it starts (a signal
        # noted earlier does so now); SIGINT is KeyboardInterrupt, as main expects to find it
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, abort)
        if not request["sigint_ignored"]:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        if early:
            raise _Early(early[0])
        # the streams given, so that main returns its status (as the real command it would leave
        # with os._exit on a signal, and the status would be lost); they escape as main's own do
        code = cli.main(argv, stdout=cli._escaping(sys.stdout), stderr=cli._escaping(sys.stderr))
    except _Early as e:
        code = said(argv, 128 + e.signum, "robust.interrupted_by", signal=signal.Signals(e.signum).name)
    except KeyboardInterrupt:  # before main took SIGINT
        code = said(argv, 130, "robust.interrupted_by", signal="SIGINT")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except BaseException:  # noqa: BLE001 - as an uncaught exception ends a process: a traceback, status 1
        import traceback
        traceback.print_exc()
        code = 1
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # done: the status is what is left to send
        signal.signal(sig, signal.SIG_IGN)
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except (OSError, ValueError):
            pass
    return code if isinstance(code, int) and 0 <= code < 256 else 1


class _Early(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


# ---- what the daemon holds: yoko's modules, imported and warmed once ----

SKIPPED = ("engine.__main__", "engine.web", "engine.lsp", "engine.cli.serve", "engine.cli.lsp")


def preload() -> None:
    """Import every engine module a routed command may use, then run one evaluation so that what is
    built on first use (the expression parser, compiled patterns, the YAML reader) is built once."""
    import importlib
    import pkgutil

    from engine.cli.launch import engine_dir
    for info in pkgutil.walk_packages([engine_dir()], "engine."):
        if not info.name.startswith(SKIPPED):
            importlib.import_module(info.name)
    for name in LIBRARIES:
        importlib.import_module(name)
    _warm()


# What engine modules import inside the functions that use them, so that a command that does not
# use them does not pay for them: in the daemon they are imported once for every command.
LIBRARIES = ("jsonschema", "openpyxl", "z3", "jpholiday", "tqdm", "shutil", "difflib")


def _warm() -> None:
    """Evaluate and explain the first policy found with no facts; then forget it (no command of a
    client may find anything of it)."""
    from engine.base import diagnostics
    from engine.base.diagnostics import YokoError
    from engine.evaluation.evaluate import evaluate
    from engine.lang import bounds
    from engine.policy import cache, registry
    from engine.policy.load import load_policy
    from engine.present.memo import MemoOptions, render_text
    try:
        entries = registry.entries()
        if entries:
            ev = evaluate(load_policy(entries[0].path), {})
            for lang in ("ja", "en"):
                render_text(ev, lang, MemoOptions(width=80))
            ev.to_json(trace=True)
    except YokoError:
        pass
    finally:
        cache._MEMO.clear()
        diagnostics._SOURCES.clear()
        bounds._MEMOS.clear()
