"""HTTP API benchmark: POST /match/default with one query per request.

    .venv/bin/python benchmarks/api.py --db pepgraph.duckdb [--workers 2] [--seconds 15]
        [--levels 1,16,64] [--paced 64 --think-ms 100] [--driver auto|wrk|python]

Starts `pepgraph serve` on a free loopback port over a built store (`make run` builds one),
creates a throw-away analyst key, and drives the server with keep-alive HTTP/1.1 clients:

- closed-loop levels (`--levels`): N clients, each sends its next request as soon as the last
  answer arrives. This finds the throughput ceiling; latency there is mostly queueing (by
  Little's law the mean is N / throughput).
- a paced level (`--paced N --think-ms T`): N clients, each waits a random (exponential) think
  time of mean T ms between requests, like N users of a screening tool. This measures latency
  under a given load rather than at saturation.

The driver is `wrk` (C, `apt-get install wrk`) when it is on PATH, so that the load generator
takes little of the 2 cores it shares with the server; otherwise clients written on asyncio
streams. Query names are all different within a run (the server caches name analysis, so a
repeated name would flatter it): the yente Congress positives when ../shared/data is present,
then distinct person names from the store. Prints one row per level and one JSON line to paste
into docs/benchmarks.md. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query_bodies(db: Path, n: int) -> list[str]:
    """``n`` request bodies, each a different name: real screening names first, then the store's."""
    from pepgraph import settings

    shared = settings.shared_data()
    seen: set[str] = set()
    out: list[dict] = []
    positives = shared / "opensanctions-yente/screening/positives_us_congress_untreated.csv" if shared else None
    if positives is not None and positives.exists():
        with open(positives, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = row.get("full_name") or row.get("name") or next(iter(row.values()))
                if not name or name in seen:
                    continue
                seen.add(name)
                props = {"name": [name]}
                year = row.get("date_of_birth") or row.get("birth_year")
                if year:
                    props["birthDate"] = [str(year)]
                out.append({"schema": "Person", "properties": props})
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT DISTINCT value FROM statements WHERE prop = 'name' AND schema = 'Person' AND length(value) < 80 "
        "ORDER BY hash(value) LIMIT ?", [n],
    ).fetchall()
    con.close()
    out += [{"schema": "Person", "properties": {"name": [r[0]]}} for r in rows if r[0] not in seen]
    random.Random(7).shuffle(out)
    return [json.dumps({"queries": {"q": q}}, ensure_ascii=False) for q in out[:n]]


# -- the wrk driver --------------------------------------------------------------------------------
WRK_SCRIPT = r"""
dofile(os.getenv("PG_BODIES"))
local counter = tonumber(os.getenv("PG_OFFSET"))
local think = tonumber(os.getenv("PG_THINK_MS"))
local key = os.getenv("PG_KEY")
local headers = {["Authorization"] = "ApiKey " .. key, ["Content-Type"] = "application/json"}
request = function()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/match/default?limit=5", headers, bodies[counter])
end
if think > 0 then
  delay = function() return math.floor(-math.log(1 - math.random()) * think) end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('PGJSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_level(wrk: str, port: int, key: str, bodies_lua: Path, script: Path, clients: int, seconds: float,
              think_ms: float, offset: int) -> dict:  # fmt: skip
    env = {**os.environ, "PG_BODIES": str(bodies_lua), "PG_OFFSET": str(offset), "PG_THINK_MS": str(think_ms), "PG_KEY": key}
    out = subprocess.run([wrk, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script),
                          f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^PGJSON (.*)$", out, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{out}")
    r = json.loads(found.group(1))
    return {"clients": clients, "think_ms": think_ms, "requests": r["requests"],
            "rps": round(r["requests"] / r["seconds"], 1), "p50_ms": r["p50_ms"], "p95_ms": r["p95_ms"],
            "p99_ms": r["p99_ms"], "mean_ms": r["mean_ms"], "errors": r["errors"]}


# -- the asyncio driver (no wrk) -------------------------------------------------------------------
async def client(port: int, key: str, bodies: list[str], cursor: list[int], deadline: float, think_ms: float,
                 latencies: list[float], errors: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    try:
        while time.perf_counter() < deadline:
            cursor[0] += 1
            body = bodies[cursor[0] % len(bodies)].encode()
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
            if think_ms:
                await asyncio.sleep(-math.log(1 - rng.random()) * think_ms / 1000)
    finally:
        writer.close()


async def python_level(port: int, key: str, bodies: list[str], clients: int, seconds: float, think_ms: float,
                       offset: int) -> dict:  # fmt: skip
    latencies: list[float] = []
    errors: list[int] = []
    start = time.perf_counter()
    cursor = [offset]
    await asyncio.gather(*(client(port, key, bodies, cursor, start + seconds, think_ms, latencies, errors)
                           for _ in range(clients)))
    wall = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    return {"clients": clients, "think_ms": think_ms, "requests": len(latencies),
            "rps": round(len(latencies) / wall, 1), "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0, "errors": len(errors)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="pepgraph.duckdb", help="a built store (make run builds pepgraph.duckdb)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15, help="time per level")
    ap.add_argument("--levels", default="1,16,64", help="closed-loop client counts")
    ap.add_argument("--paced", type=int, default=64, help="clients of the paced level (0: none)")
    ap.add_argument("--think-ms", type=float, default=100, help="mean think time of a paced client")
    ap.add_argument("--names", type=int, default=60_000, help="different query names to cycle through")
    ap.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    args = ap.parse_args()
    db = Path(args.db).resolve()
    if not db.exists():
        sys.exit(f"{db}: no store; run `make run` (or pepgraph demo) first")
    wrk = shutil.which("wrk") if args.driver in ("auto", "wrk") else None
    if args.driver == "wrk" and not wrk:
        sys.exit("--driver wrk: wrk is not on PATH (Debian/Ubuntu: apt-get install wrk)")
    driver = "wrk" if wrk else "python"
    from pepgraph.api.access import Access

    key = Access(db).create_key(f"bench-{int(time.time())}", "analyst")
    bodies = query_bodies(db, args.names)
    plan = [(int(c), 0.0) for c in args.levels.split(",") if c] + ([(args.paced, args.think_ms)] if args.paced else [])
    port = free_port()
    env = {**os.environ, "PEPGRAPH_API_RATE": "1000000", "PEPGRAPH_API_BURST": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "pepgraph", "--db", str(db), "serve", "--port", str(port),
                             "--workers", str(args.workers)], env=env, stderr=subprocess.PIPE)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        bodies_lua = Path(tmp) / "bodies.lua"
        script = Path(tmp) / "match.lua"
        if driver == "wrk":
            with open(bodies_lua, "w", encoding="utf-8") as fh:  # long brackets: no escaping needed
                fh.write("bodies = {\n" + "".join(f"[==[{b}]==],\n" for b in bodies) + "}\n")
            script.write_text(WRK_SCRIPT, encoding="utf-8")
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.3)
            offset = 0
            for i, (clients, think) in enumerate([(4, 0.0)] + plan):  # the first: warm-up, not reported
                seconds = 3 if i == 0 else args.seconds
                if driver == "wrk":
                    r = wrk_level(wrk, port, key, bodies_lua, script, clients, seconds, think, offset)
                else:
                    r = asyncio.run(python_level(port, key, bodies, clients, seconds, think, offset))
                offset += r["requests"] + clients
                if i:
                    results.append(r)
                    print(f"  {clients} clients, think {think:g} ms: {r['rps']} req/s, p95 {r['p95_ms']} ms", file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if offset > len(bodies):
        print(f"note: {offset:,} requests cycled through {len(bodies):,} names; some repeated", file=sys.stderr)
    print(f"{'clients':>8} {'think ms':>9} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results:
        print(f"{r['clients']:>8} {r['think_ms']:>9g} {r['requests']:>9} {r['rps']:>8} {r['p50_ms']:>8} "
              f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>7}")
    print(json.dumps({"machine": f"{platform.machine()} {os.cpu_count()} cpus", "workers": args.workers,
                      "driver": driver, "date": time.strftime("%Y-%m-%d"), "levels": results}))


if __name__ == "__main__":
    main()
