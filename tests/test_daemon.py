# SPDX-License-Identifier: MIT
"""`yoko daemon`: a command line run by the resident process gives what `yoko` gives by itself.

Every test here starts its own daemon on a private socket folder ($YOKO_DAEMON_DIR) and runs `yoko`
as a user does (`python -m engine`, the console script's code), once through the daemon and once
with YOKO_DAEMON=off, and compares standard output, standard error and exit status. That each run
went through the daemon is checked by its count of command lines (`yoko daemon status`)."""
from __future__ import annotations

import marshal
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from hostile_util import big_table, interrupted_batch, wait_until_writing

ROOT = Path(__file__).resolve().parent.parent
FACTS = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"
POLICY = "tests/hostile/policy.yaml"


class Daemon:
    """A daemon for one test: its folder, environment and the `yoko` runs made against it."""

    def __init__(self, root: Path = ROOT):
        self.dir = tempfile.mkdtemp(prefix="yd", dir="/tmp")  # short: a socket path has ~100 bytes
        os.chmod(self.dir, 0o700)
        self.root = root
        self.env = {**os.environ, "YOKO_DAEMON_DIR": self.dir, "PYTHONPATH": str(root), "YOKO_LANG": "ja"}
        self.env.pop("YOKO_DAEMON", None)

    def yoko(self, *args, cwd=None, env=None, stdin=None, daemon=True, timeout=120):
        e = {**self.env, **(env or {})}
        if not daemon:
            e["YOKO_DAEMON"] = "off"
        return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd or self.root, env=e, input=stdin,
                              capture_output=True, timeout=timeout)

    def status(self) -> dict | None:
        """The daemon's answer to `status` (asked directly: `yoko daemon status` says the same)."""
        from engine.cli.daemon import ask
        socks = list(Path(self.dir).glob("*.sock"))
        return ask(str(socks[0]), "status") if len(socks) == 1 else None

    def served(self) -> int | None:
        st = self.status()
        return None if st is None else st["served"]

    def start(self, *extra) -> subprocess.CompletedProcess:
        r = self.yoko("daemon", "start", *extra, "--lang", "en")
        assert r.returncode == 0, r
        return r

    def pid(self) -> int:
        return self.status()["pid"]

    def stop(self) -> None:
        self.yoko("daemon", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _running():
    d = Daemon()
    d.start("--idle", "10")
    try:
        yield d
    finally:
        d.stop()


# one daemon for the tests that leave it running (each counts its own command lines), and one of
# its own for a test that kills it
daemon = pytest.fixture(scope="module")(_running)
own_daemon = pytest.fixture(_running)


def same_through_the_daemon(d: Daemon, *args, **kw) -> subprocess.CompletedProcess:
    """Run the command line both ways; the outputs and statuses must be the same, and the daemon's
    run must have been the daemon's (its count went up by one)."""
    here = d.yoko(*args, daemon=False, **kw)
    before = d.served()
    there = d.yoko(*args, **kw)
    assert d.served() == before + 1, "the command line did not run in the daemon"
    assert (there.returncode, there.stdout.decode(), there.stderr.decode()) == \
           (here.returncode, here.stdout.decode(), here.stderr.decode())
    return there


CASES = {
    "memo": ["evaluate", FACTS, "--policy", "ibaraki", "--year", "2022"],
    "memo_en_detail": ["evaluate", FACTS, "--policy", "ibaraki", "--year", "R4", "--detail", "--lang", "en"],
    "json": ["evaluate", FACTS, "--policy", "ibaraki", "--year", "2022", "--format", "json"],
    "missing_facts_file": ["evaluate", "no-such-facts.yaml", "--policy", "ibaraki", "--year", "2022"],
    "no_such_year": ["evaluate", FACTS, "--policy", "ibaraki", "--year", "1999"],
    "usage_error": ["evaluate", FACTS, "--policy", "ibaraki", "--no-such-option"],
    "check": ["check", "policies/ibaraki/2022.yaml"],
    "list": ["list"],
    "show": ["show", "ibaraki", "--year", "2022"],
    "diff_exit_code": ["diff", "ibaraki/2022", "policies/ibaraki/2022.yaml", "--exit-code"],
    "broken_policy": ["check", "tests/hostile/policy.yaml"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_command_line_gives_the_same_output_and_status_through_the_daemon(case, daemon):
    same_through_the_daemon(daemon, *CASES[case])


def test_the_memo_through_the_daemon_is_the_memo(daemon):
    r = same_through_the_daemon(daemon, *CASES["memo"])
    assert r.returncode == 0 and "交付額: 6,833,000 円" in r.stdout.decode()


def test_a_bad_facts_file_is_a_located_error_with_exit_2_through_the_daemon(daemon, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("ambulance_transports: [1, 2\n", "utf-8")
    r = same_through_the_daemon(daemon, "evaluate", str(bad), "--policy", "ibaraki", "--year", "2022")
    assert r.returncode == 2
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: facts_syntax: ", r.stderr.decode())


def test_relative_paths_environment_and_stdin_are_the_caller_s(daemon, tmp_path):
    # the working folder: a relative facts path and a relative --out are the caller's
    shutil.copy(ROOT / FACTS, tmp_path / "f.yaml")
    policy = str(ROOT / "policies/ibaraki/2022.yaml")
    same_through_the_daemon(daemon, "evaluate", "f.yaml", "--policy-file", policy, cwd=tmp_path)
    # the environment: the language from YOKO_LANG, the width from COLUMNS is not read for a pipe
    r = same_through_the_daemon(daemon, "evaluate", "f.yaml", "--policy-file", policy, cwd=tmp_path,
                                env={"YOKO_LANG": "en"})
    assert "Amount:" in r.stdout.decode() or "amount" in r.stdout.decode().lower()
    # a batch read from a file and written to a relative --out, with the caller's umask
    table = tmp_path / "t.csv"
    table.write_text("transports,rate,sole_hospital\n" + "".join(f"{i},{i % 7},true\n" for i in range(300)), "utf-8")
    before = daemon.served()
    r = daemon.yoko("evaluate", "--policy-file", str(ROOT / POLICY), "--batch", "t.csv", "--out", "out.csv",
                    cwd=tmp_path)
    assert daemon.served() == before + 1
    r2 = daemon.yoko("evaluate", "--policy-file", str(ROOT / POLICY), "--batch", "t.csv", "--out", "out2.csv",
                     cwd=tmp_path, daemon=False)
    assert (r.returncode, r.stderr) == (r2.returncode, r2.stderr.replace(b"out2.csv", b"out.csv"))
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "out2.csv").read_bytes()
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == (tmp_path / "out2.csv").stat().st_mode & 0o777


def test_the_caller_s_umask_and_stream_encoding_are_the_command_s(daemon, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("transports,rate,sole_hospital\n" + "".join(f"{i},{i % 7},true\n" for i in range(10)), "utf-8")
    runs = {}
    for name, on in (("here", False), ("there", True)):
        before = daemon.served()
        r = subprocess.run([sys.executable, "-m", "engine", "evaluate", "--policy-file", str(ROOT / POLICY),
                            "--batch", "t.csv", "--out", f"{name}.csv"], cwd=tmp_path,
                           env={**daemon.env, "PYTHONIOENCODING": "ascii", **({} if on else {"YOKO_DAEMON": "off"})},
                           capture_output=True, preexec_fn=lambda: os.umask(0o077))
        assert daemon.served() == before + on
        runs[name] = (r.returncode, r.stdout, r.stderr.replace(f"{name}.csv".encode(), b"OUT"),
                      (tmp_path / f"{name}.csv").stat().st_mode & 0o777)
    assert runs["there"] == runs["here"]
    assert runs["here"][3] == 0o600  # the umask 077, not the daemon's
    assert b"\\u" in runs["here"][2]  # Japanese escaped on an ASCII stderr, not an error


def test_standard_input_is_the_caller_s(daemon):
    # /dev/stdin is the process's own descriptor 0: in the daemon's process, the caller's
    facts = (ROOT / FACTS).open("rb")
    here = subprocess.run([sys.executable, "-m", "engine", "evaluate", "/dev/stdin", "--policy", "ibaraki",
                           "--year", "2022"], cwd=ROOT, env={**daemon.env, "YOKO_DAEMON": "off"}, stdin=facts,
                          capture_output=True)
    facts.seek(0)
    before = daemon.served()
    there = subprocess.run([sys.executable, "-m", "engine", "evaluate", "/dev/stdin", "--policy", "ibaraki",
                            "--year", "2022"], cwd=ROOT, env=daemon.env, stdin=facts, capture_output=True)
    facts.close()
    assert daemon.served() == before + 1
    assert here.returncode == 0 and "交付額: 6,833,000 円" in here.stdout.decode()
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, here.stderr)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_to_yoko_reaches_the_command_and_its_status_comes_back(sig, daemon, tmp_path):
    signum = getattr(signal, sig)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = daemon.served()
    code, err = interrupted_batch("engine.cli.launch", out_dir / "r.csv", {**daemon.env, "YOKO_LANG": "en"}, signum,
                                  big_table(tmp_path))
    assert code == 128 + signum, err
    assert err == f"interrupted by {sig}\n"
    assert list(out_dir.iterdir()) == []
    assert daemon.served() == before + 1


def test_a_command_killed_in_the_daemon_is_reported_not_hung(own_daemon, tmp_path):
    daemon = own_daemon
    proc = _long_batch(daemon, tmp_path, tmp_path, env={"YOKO_LANG": "en"}, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    wait_until_writing(proc, tmp_path)
    # the command's process is the daemon's child that is not one of its waiting spares: kill it
    children = _children(daemon.pid())
    busy = [p for p in children if _open_fd_names(p) & {str(tmp_path / "big.csv")}]
    assert len(busy) == 1, children
    os.kill(busy[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 70
    assert err.strip() == "the command's process in the resident process ended without an exit status"


def _until(condition, proc=None, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline and (proc is None or proc.poll() is None), \
            proc.communicate() if proc is not None else "timed out"
        time.sleep(0.02)


def _long_batch(daemon, tmp_path, out_dir, env=None, **popen):
    """`yoko evaluate --batch` of 60,000 rows, --jobs 1 (the command's process writes), through the
    daemon, into out_dir/r.csv."""
    return subprocess.Popen([sys.executable, "-m", "engine", "evaluate", "--policy-file", POLICY, "--batch",
                             str(big_table(tmp_path)), "--out", str(out_dir / "r.csv"), "--jobs", "1"],
                            cwd=ROOT, env={**daemon.env, **(env or {})}, **popen)


def _stat(pid) -> list[bytes]:
    """/proc/PID/stat after the command name: state, parent pid, ... ([] when there is no such process)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return []


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            stat = _stat(p.name)
            if stat and int(stat[1]) == pid and stat[0] != b"Z":
                out.append(int(p.name))
    return out


def _open_fd_names(pid: int) -> set[str]:
    names = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                names.add(os.readlink(fd))
            except OSError:
                pass
    except OSError:
        pass
    return names


def test_start_status_stop(tmp_path):
    d = Daemon()
    try:
        st = d.yoko("daemon", "status", "--lang", "en")
        assert st.returncode == 3 and st.stdout.decode().startswith("no resident process is running")
        r = d.start()
        assert re.match(r"started the resident process \(pid \d+, socket /tmp/yd\w+/[0-9a-f]{8}\.sock\)",
                        r.stdout.decode())
        again = d.yoko("daemon", "start")
        assert again.returncode == 0 and "すでに動いています" in again.stdout.decode()
        pid = d.pid()
        st = d.yoko("daemon", "status")
        assert st.returncode == 0 and f"pid {pid}" in st.stdout.decode()
        stop = d.yoko("daemon", "stop", "--lang", "en")
        assert stop.stdout.decode() == f"stopped the resident process (pid {pid})\n"
        assert not list(Path(d.dir).glob("*.sock"))  # it removed its socket
        assert d.yoko("daemon", "stop").stdout.decode().startswith("常駐プロセスは動いていません")
        # and with none running, a command runs in `yoko` itself
        assert d.yoko(*CASES["json"]).returncode == 0
    finally:
        d.stop()


def test_a_bad_idle_is_a_usage_error():
    d = Daemon()
    try:
        r = d.yoko("daemon", "start", "--idle", "-1", "--lang", "en")
        assert r.returncode == 2
        assert "--idle must be a number of minutes, 0 or more" in r.stderr.decode()
        assert d.served() is None  # nothing started
    finally:
        d.stop()


def test_it_stops_when_idle():
    d = Daemon()
    try:
        d.start("--idle", "0.02")  # 1.2 seconds
        deadline = time.monotonic() + 30
        while d.served() is not None:
            assert time.monotonic() < deadline, "the daemon did not stop when idle"
            time.sleep(0.2)
        assert not list(Path(d.dir).glob("*.sock"))
    finally:
        d.stop()


def test_a_socket_folder_others_can_open_is_not_used(daemon):
    before = daemon.served()
    os.chmod(daemon.dir, 0o755)
    try:
        r = daemon.yoko(*CASES["json"])
        assert r.returncode == 0 and b'"policy": "ibaraki"' in r.stdout
    finally:
        os.chmod(daemon.dir, 0o700)
    assert daemon.served() == before  # the command ran in `yoko` itself


def test_a_daemon_that_died_leaves_a_socket_yoko_goes_past(own_daemon):
    daemon = own_daemon
    pid = daemon.pid()
    os.kill(pid, signal.SIGSTOP)
    _until(lambda: _state(pid) == "T")
    spares = _children(pid)
    os.kill(pid, signal.SIGKILL)  # the daemon alone: its spares are left, another's children now
    _until(lambda: all(_state(p) in ("", "Z") for p in spares), within=30)  # they end by themselves
    assert daemon.served() is None
    assert list(Path(daemon.dir).glob("*.sock"))  # the socket is still there, and no one listens
    r = daemon.yoko(*CASES["json"])
    assert r.returncode == 0 and b'"policy": "ibaraki"' in r.stdout
    # and `start` starts a new one over it
    daemon.start()
    assert daemon.served() == 0


@contextmanager
def not_answering(daemon):
    """The daemon and its spares stopped (SIGSTOP) for a while: connections wait unanswered."""
    pid = daemon.pid()
    os.kill(pid, signal.SIGSTOP)  # first, and stopped: then it forks no spare after its children are listed
    _until(lambda: _state(pid) == "T")
    stopped = [pid]
    try:
        for p in _children(pid):
            try:
                os.kill(p, signal.SIGSTOP)
            except ProcessLookupError:  # a spare that has just answered, ending
                continue
            stopped.append(p)
        for p in stopped:
            _until(lambda: _state(p) in ("T", "Z", ""))
        yield
    finally:
        for p in stopped:
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass


def test_a_daemon_that_does_not_answer_is_said_in_time(daemon):
    before = daemon.served()
    with not_answering(daemon):
        r = daemon.yoko(*CASES["json"], env={"YOKO_DAEMON_WAIT": "0.5", "YOKO_LANG": "en"})
        assert r.returncode == 70
        assert r.stdout == b""
        assert "did not answer within 0.5 s" in r.stderr.decode()
    # the spare that took the connection found `yoko` gone, and ran nothing: the next command line
    # is the only one counted
    same_through_the_daemon(daemon, *CASES["json"])
    assert daemon.served() == before + 1


def test_a_signal_while_yoko_waits_for_the_daemon_ends_the_wait_and_nothing_runs(daemon):
    before = daemon.served()
    with not_answering(daemon):
        proc = subprocess.Popen([sys.executable, "-m", "engine", *CASES["json"]], cwd=ROOT,
                                env={**daemon.env, "YOKO_LANG": "en", "YOKO_DAEMON_WAIT": "60"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _until(lambda: any(name.startswith("socket:") for name in _open_fd_names(proc.pid)), proc)  # connected
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)  # at once, not after YOKO_DAEMON_WAIT
        assert (proc.returncode, out, err) == (130, b"", b"interrupted by SIGINT\n")
    same_through_the_daemon(daemon, *CASES["json"])
    assert daemon.served() == before + 1


def test_a_socket_folder_others_can_open_is_refused_by_start():
    d = Daemon()
    try:
        os.chmod(d.dir, 0o755)
        r = d.yoko("daemon", "start", "--lang", "en")
        assert r.returncode == 2
        assert r.stderr.decode() == f"{d.dir} can be opened by other users, so the resident process's socket " \
                                    "cannot go there (make it the owner's alone: mode 0700)\n"
        assert not list(Path(d.dir).iterdir())
    finally:
        d.stop()


def test_a_request_from_another_yoko_is_refused_and_the_daemon_keeps_running(daemon):
    path = next(Path(daemon.dir).glob("*.sock"))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(path))
    payload = marshal.dumps({"op": "run", "protocol": 1, "identity": "another yoko", "argv": ["list"],
                             "cwd": "/", "env": {}, "umask": 0o022, "streams": [("utf-8", "strict")] * 3,
                             "sigint_ignored": False})
    before = daemon.served()
    s.sendall(len(payload).to_bytes(8, "little") + payload)
    assert s.recv(8) == (0).to_bytes(8, "little")
    s.close()
    assert daemon.served() == before
    same_through_the_daemon(daemon, *CASES["list"])


def test_a_changed_engine_is_refused_and_the_daemon_stops(tmp_path):
    # a copy of the engine, so that one of its modules can change while its daemon runs
    root = tmp_path / "yoko"
    root.mkdir()
    shutil.copytree(ROOT / "engine", root / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("schemas", "policies", "examples"):
        (root / name).symlink_to(ROOT / name)
    d = Daemon(root)
    try:
        d.start()
        same_through_the_daemon(d, *CASES["json"])
        module = root / "engine" / "present" / "format.py"
        module.write_text(module.read_text("utf-8") + "\n# changed\n", "utf-8")
        r = d.yoko(*CASES["json"])
        assert r.returncode == 0 and b'"policy": "ibaraki"' in r.stdout  # run by `yoko` itself
        deadline = time.monotonic() + 10
        while d.served() is not None:
            assert time.monotonic() < deadline, "the daemon of a changed engine did not stop"
            time.sleep(0.05)
    finally:
        d.stop()


def test_serve_lsp_and_no_command_never_go_to_the_daemon():
    from engine.cli.launch import ROUTED, wanted
    assert not wanted(["serve"], {}) and not wanted(["lsp"], {}) and not wanted(["daemon", "stop"], {})
    assert not wanted(["--help"], {}) and not wanted([], {})
    assert wanted(["--lang", "en", "evaluate", "f.yaml"], {})
    assert not wanted(["evaluate", "f.yaml"], {"YOKO_DAEMON": "off"})
    from engine.cli.main import COMMANDS
    assert ROUTED == {c.replace("_", "-") for c in COMMANDS} - {"serve", "lsp", "daemon"}


def test_a_command_whose_yoko_was_killed_stops_and_leaves_no_file(daemon, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = daemon.served()
    proc = _long_batch(daemon, tmp_path, out_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_writing(proc, out_dir)
    proc.kill()  # SIGKILL: nothing passes it on; the command finds its yoko gone
    proc.wait()
    _until(lambda: not list(out_dir.iterdir()))  # the temporary file removed, and no result written
    time.sleep(0.5)
    assert list(out_dir.iterdir()) == []
    assert daemon.served() == before + 1


def test_ctrl_z_stops_the_command_too_and_fg_continues_it(daemon, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = _long_batch(daemon, tmp_path, out_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_writing(proc, out_dir)
    command = next(p for p in _children(daemon.pid()) if any(str(out_dir) in n for n in _open_fd_names(p)))
    proc.send_signal(signal.SIGTSTP)
    _until(lambda: _state(command) == "T" and _state(proc.pid) == "T")
    temp = next(out_dir.iterdir())
    size = temp.stat().st_size
    time.sleep(0.5)
    assert temp.stat().st_size == size  # stopped: writes nothing
    proc.send_signal(signal.SIGCONT)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert [p.name for p in out_dir.iterdir()] == ["r.csv"]


def _state(pid: int) -> str:
    stat = _stat(pid)
    return stat[0].decode() if stat else ""


def test_sigint_ignored_by_yoko_s_caller_is_ignored_by_the_command(daemon, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = _long_batch(daemon, tmp_path, out_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    wait_until_writing(proc, out_dir)
    proc.send_signal(signal.SIGINT)  # as to a command started with `&` by a shell script
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert [p.name for p in out_dir.iterdir()] == ["r.csv"]


def test_a_signal_as_the_command_starts_ends_it_as_main_would(daemon):
    # yoko passes SIGTERM on the moment it learns the command's pid, before the streams are even sent
    code = ("import os, signal, sys; sys.argv[0] = 'yoko'; import engine.cli.launch as l\n"
            "to = l._Forward.to\n"
            "def at_once(self, child):\n"
            "    to(self, child); os.kill(child, signal.SIGTERM)\n"
            "l._Forward.to = at_once\n"
            "sys.exit(l.main())")
    before = daemon.served()
    r = subprocess.run([sys.executable, "-c", code, *CASES["json"], "--lang", "en"], cwd=ROOT, env=daemon.env,
                       capture_output=True, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (143, b"", b"interrupted by SIGTERM\n")
    assert daemon.served() == before + 1


def test_two_starts_at_once_leave_one_daemon(tmp_path):
    d = Daemon()
    try:
        starts = [subprocess.Popen([sys.executable, "-m", "engine", "daemon", "start", "--lang", "en"], cwd=ROOT,
                                   env=d.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
        outs = [p.communicate(timeout=120) for p in starts]
        assert all(p.returncode == 0 for p in starts), outs
        pid = d.pid()
        assert all(f"pid {pid}," in out.decode() for out, _ in outs), outs
        sock = next(Path(d.dir).glob("*.sock"))
        daemons = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _state(int(p.name)) not in ("", "Z")
                   and str(sock).encode() in _cmdline(p) and int(p.name) not in _all_children(pid)]
        assert [int(p.name) for p in daemons] == [pid]
    finally:
        d.stop()


def _cmdline(p: Path) -> bytes:
    try:
        return (p / "cmdline").read_bytes()
    except OSError:
        return b""


def _all_children(pid: int) -> set[int]:
    return set(_children(pid))


def test_a_daemon_with_a_full_queue_is_gone_past_at_once(daemon):
    # connecting to a listening socket whose queue is full fails at once (EAGAIN): the command runs
    # in `yoko` itself, rather than waiting for a daemon that is not taking connections
    here = daemon.yoko(*CASES["json"], daemon=False)
    sock = str(next(Path(daemon.dir).glob("*.sock")))
    with not_answering(daemon):
        held = []
        try:
            while True:  # fill the listening queue of the stopped daemon
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.setblocking(False)
                try:
                    c.connect(sock)
                except BlockingIOError:
                    c.close()
                    break
                held.append(c)
                assert len(held) < 10_000
            r = daemon.yoko(*CASES["json"], env={"YOKO_DAEMON_WAIT": "30"}, timeout=20)
            assert (r.returncode, r.stdout, r.stderr) == (here.returncode, here.stdout, here.stderr)
        finally:
            for c in held:
                c.close()


def test_a_socket_path_too_long_is_said_before_starting():
    d = Daemon()
    try:
        long_dir = Path(d.dir) / ("x" * 100)
        long_dir.mkdir(mode=0o700)
        r = d.yoko("daemon", "start", "--lang", "en", env={"YOKO_DAEMON_DIR": str(long_dir)})
        assert r.returncode == 2
        assert "is longer than 107 bytes; set YOKO_DAEMON_DIR to a shorter folder" in r.stderr.decode()
        assert list(long_dir.iterdir()) == []
    finally:
        d.stop()


@pytest.mark.parametrize("junk", [b"", b"\x00" * 3, (5).to_bytes(8, "little") + b"\xff\xff\xff\xff\xff",
                                  (1 << 40).to_bytes(8, "little"), (3).to_bytes(8, "little") + marshal.dumps(7)[:3]])
def test_a_malformed_request_is_dropped_and_the_daemon_keeps_serving(junk, daemon):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(next(Path(daemon.dir).glob("*.sock"))))
    s.sendall(junk)
    s.shutdown(socket.SHUT_WR)
    assert s.recv(8) == b""  # closed without an answer
    s.close()
    same_through_the_daemon(daemon, *CASES["list"])


def test_a_daemon_started_with_another_file_name_encoding_is_not_used(tmp_path):
    # a daemon started under LC_ALL=C without UTF-8 mode could not open a Japanese file name that
    # `yoko` itself opens: its identity (and socket) differs, so `yoko` does not use it
    d = Daemon()
    try:
        c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
        assert d.yoko("daemon", "start", env=c_locale).returncode == 0
        facts = tmp_path / "日本" / "f.yaml"
        facts.parent.mkdir()
        shutil.copy(ROOT / FACTS, facts)
        r = d.yoko("evaluate", str(facts), "--policy", "ibaraki", "--year", "2022", "--format", "json")
        assert r.returncode == 0 and b'"policy": "ibaraki"' in r.stdout, r.stderr
        assert d.served() == 0
    finally:
        if d.status() is not None:
            os.kill(d.pid(), signal.SIGTERM)
        d.stop()
