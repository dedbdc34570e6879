# SPDX-License-Identifier: MIT
"""Load on the JSON API (by hand): `yoko serve` in another process, N concurrent clients for S seconds.

    python benchmarks/web_load.py [--clients 50] [--seconds 30] [--port 8765]

Every client posts one facility (examples/ibaraki-2022/ground-1-cost-share-smaller.yaml) to
/api/policies/ibaraki/2022/evaluate over loopback, again and again; prints requests/s, p50/p95/p99
latency and errors. Target (issue 19): 0 errors, p95 under 100 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = (ROOT / "examples" / "ibaraki-2022" / "ground-1-cost-share-smaller.yaml").read_bytes()


async def client(http, url, until, lat, errors):
    while time.perf_counter() < until:
        t = time.perf_counter()
        try:
            r = await http.post(url, content=FACTS)
            ok = r.status_code == 200 and r.json()["conclusion"] == "eligible"
        except Exception:  # noqa: BLE001 - counted, not raised
            ok = False
        lat.append(time.perf_counter() - t)
        if not ok:
            errors.append(1)


async def drive(port: int, clients: int, seconds: float):
    import httpx
    url = f"http://127.0.0.1:{port}/api/policies/ibaraki/2022/evaluate"
    lat, errors = [], []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        await http.post(url, content=FACTS)  # warm: the policy is loaded and compiled
        start = time.perf_counter()
        await asyncio.gather(*(client(http, url, start + seconds, lat, errors) for _ in range(clients)))
        wall = time.perf_counter() - start
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000
    print(f"{clients} clients, {wall:.1f} s: {len(lat)} requests, {len(lat) / wall:.0f} requests/s, "
          f"p50 {pct(50):.1f} ms, p95 {pct(95):.1f} ms, p99 {pct(99):.1f} ms, {len(errors)} errors")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--port", type=int, default=8765)
    a = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(a.port)], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE)
    try:
        server.stderr.readline()  # "yoko workbench: http://..." once it is about to listen
        time.sleep(1.0)
        asyncio.run(drive(a.port, a.clients, a.seconds))
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
