# SPDX-License-Identifier: MIT
"""Load on the JSON API (by hand): `yoko serve` in another process, N concurrent clients for S seconds.

    python benchmarks/web_load.py [--clients 50] [--seconds 30] [--port 8765] [--yaml]

Every client posts one facility (examples/ibaraki-2022/ground-1-cost-share-smaller.yaml, as JSON;
with --yaml as the YAML file itself) to /api/policies/ibaraki/2022/evaluate over loopback, again
and again; prints requests/s, p50/p95/p99 latency, errors, and the load average before and after
(the machine may be shared). Target (issue 19): 0 errors, p95 under 100 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ibaraki-2022" / "ground-1-cost-share-smaller.yaml"
FACTS = b""


def facts_body(yaml: bool) -> bytes:
    if yaml:
        return EXAMPLE.read_bytes()
    import json

    from ruamel.yaml import YAML
    return json.dumps(YAML(typ="safe").load(EXAMPLE.read_text("utf-8")), ensure_ascii=False, default=str).encode()


async def client(port: int, request: bytes, until: float, lat: list, errors: list) -> None:
    """One keep-alive connection posting the facility again and again (a minimal HTTP/1.1 client:
    a general one such as httpx costs more CPU per request than the server and would measure itself)."""
    reader = writer = None
    while time.perf_counter() < until:
        t = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))
            body = await reader.readexactly(length)
            ok = head.startswith(b"HTTP/1.1 200") and b'"conclusion":"eligible"' in body
        except Exception:  # noqa: BLE001 - counted, not raised; the next request opens a new connection
            ok, writer = False, None
        lat.append(time.perf_counter() - t)
        if not ok:
            errors.append(1)
    if writer is not None:
        writer.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(port: int, clients: int, seconds: float, server_pid: int | None = None):
    path = "/api/policies/ibaraki/2022/evaluate"
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(FACTS)}\r\n\r\n").encode() + FACTS
    lat: list[float] = []
    errors: list[int] = []
    await client(port, request, time.perf_counter() + 0.5, [], [])  # warm: the policy is loaded and compiled
    cpu0 = cpu_seconds(server_pid) if server_pid else None
    start = time.perf_counter()
    await asyncio.gather(*(client(port, request, start + seconds, lat, errors) for _ in range(clients)))
    wall = time.perf_counter() - start
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000
    print(f"{clients} clients, {wall:.1f} s: {len(lat)} requests, {len(lat) / wall:.0f} requests/s, "
          f"p50 {pct(50):.1f} ms, p95 {pct(95):.1f} ms, p99 {pct(99):.1f} ms, {len(errors)} errors")
    if cpu0 is not None:
        used = cpu_seconds(server_pid) - cpu0
        print(f"server cpu: {used:.1f} s in {wall:.1f} s ({used / wall:.0%} of one core), "
              f"{used / max(1, len(lat)) * 1000:.2f} ms a request")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--yaml", action="store_true", help="post the YAML file instead of JSON")
    a = ap.parse_args()
    global FACTS
    FACTS = facts_body(a.yaml)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(a.port)], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE)
    try:
        server.stderr.readline()  # "yoko workbench: http://..." once it is about to listen
        time.sleep(1.0)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cpus")
        asyncio.run(drive(a.port, a.clients, a.seconds, server.pid))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
