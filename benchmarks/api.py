"""HTTP API benchmark: POST /match/default with one query, at 1, 16 and 64 concurrent clients.

    .venv/bin/python benchmarks/api.py --db pepgraph.duckdb [--workers 2] [--requests 3000] [--seconds 30]

Starts `pepgraph serve` on a free loopback port over a built store (`make run` builds one),
creates a throw-away analyst key, and drives the server with keep-alive HTTP/1.1 clients written
on asyncio streams (light enough that the load generator does not starve a 2-core server).
Queries are real names: the yente Congress positives when ../shared/data is present, otherwise
names read from the store. Each level is bounded in requests and in time. Prints throughput,
p50 / p95 / p99 latency and errors per level, and one JSON line to paste into docs/benchmarks.md.
Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def names(db: Path, n: int = 2000) -> list[dict]:
    from pepgraph import settings

    shared = settings.shared_data()
    out: list[dict] = []
    if shared and (shared / "opensanctions-yente/screening/positives_us_congress_untreated.csv").exists():
        with open(shared / "opensanctions-yente/screening/positives_us_congress_untreated.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = row.get("full_name") or row.get("name") or next(iter(row.values()))
                props = {"name": [name]}
                year = row.get("date_of_birth") or row.get("birth_year")
                if year:
                    props["birthDate"] = [str(year)]
                out.append({"schema": "Person", "properties": props})
    if not out:
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute("SELECT DISTINCT value FROM statements WHERE prop = 'name' AND schema = 'Person' LIMIT ?", [n]).fetchall()
        con.close()
        out = [{"schema": "Person", "properties": {"name": [r[0]]}} for r in rows]
    random.Random(7).shuffle(out)
    return out[:n]


async def client(port: int, key: str, queries: list[dict], deadline: float, budget: list[int],
                 latencies: list[float], errors: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = random.randrange(len(queries))
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            i = (i + 1) % len(queries)
            body = json.dumps({"queries": {"q": queries[i]}}).encode()
            head = (f"POST /match/default?limit=5 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ApiKey {key}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            t = time.perf_counter()
            writer.write(head + body)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - t) * 1000)
            if b" 200 " not in status_line:
                errors.append(int(status_line.split()[1]))
    finally:
        writer.close()


async def level(port: int, key: str, queries: list[dict], concurrency: int, requests: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    budget = [requests]
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(client(port, key, queries, deadline, budget, latencies, errors) for _ in range(concurrency)))
    wall = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    return {"clients": concurrency, "requests": len(latencies), "rps": round(len(latencies) / wall, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0, "errors": len(errors)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="pepgraph.duckdb", help="a built store (make run builds pepgraph.duckdb)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=3000, help="most requests per level")
    ap.add_argument("--seconds", type=float, default=30, help="longest time per level")
    ap.add_argument("--levels", default="1,16,64")
    args = ap.parse_args()
    db = Path(args.db).resolve()
    if not db.exists():
        sys.exit(f"{db}: no store; run `make run` (or pepgraph demo) first")
    from pepgraph.api.access import Access

    key = Access(db).create_key(f"bench-{int(time.time())}", "analyst")
    port = free_port()
    env = {**os.environ, "PEPGRAPH_API_RATE": "1000000", "PEPGRAPH_API_BURST": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "pepgraph", "--db", str(db), "serve", "--port", str(port),
                             "--workers", str(args.workers)], env=env, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        queries = names(db)
        asyncio.run(level(port, key, queries, 4, 200, 20))  # warm both workers' caches
        results = [asyncio.run(level(port, key, queries, int(c), args.requests, args.seconds))
                   for c in args.levels.split(",")]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{'clients':>8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results:
        print(f"{r['clients']:>8} {r['requests']:>9} {r['rps']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7}")
    print(json.dumps({"machine": f"{platform.machine()} {os.cpu_count()} cpus", "workers": args.workers,
                      "date": time.strftime("%Y-%m-%d"), "levels": results}))


if __name__ == "__main__":
    main()
