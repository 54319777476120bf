"""Ingest benchmark: EveryPolitician 2015 + congress-legislators + UN SC + OFAC SDN into a fresh store.

Each run is a fresh child process with a fresh store file, so peak RSS is the ingest's own. Prints
per-dataset and total wall time, entities/s, statements/s and peak RSS; the median over runs is
what docs/benchmarks.md records. Target (issue 2): the whole set in under 60 s, peak RSS under 2 GB.

    .venv/bin/python benchmarks/ingest.py [--runs 3] [--data ../shared/data] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETS = [
    ("everypolitician", ["everypolitician-2015/data"], "popolo"),
    ("us_congress", ["congress-legislators/legislators-current.yaml", "congress-legislators/executive.yaml",
                     "congress-legislators/gh-pages/legislators-historical.csv"], "congress"),
    ("un_sc", ["un-sc-2018/consolidated.xml"], "un-sc"),
    ("us_ofac_sdn", ["ofac-sdn/2024-05-03/sdn.csv"], "ofac-sdn"),
]


def child(db: str, data: Path) -> None:
    from pepgraph import Graph

    out = {"datasets": {}}
    started = time.perf_counter()
    with Graph(db) as graph:
        for name, paths, fmt in SETS:
            t0 = time.perf_counter()
            result = graph.ingest([data / p for p in paths], dataset=name, format=fmt)
            out["datasets"][name] = {
                "seconds": time.perf_counter() - t0, "entities": result.entities, "statements": result.statements,
            }
    out["seconds"] = time.perf_counter() - started
    out["entities"] = sum(d["entities"] for d in out["datasets"].values())
    out["statements"] = sum(d["statements"] for d in out["datasets"].values())
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["store_mb"] = Path(db).stat().st_size / 1e6
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
        return
    if not args.data.is_dir():
        sys.exit(f"benchmark data not found: {args.data} (needs ../shared/data)")
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="pepgraph-bench-") as tmp:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(Path(tmp) / "bench.duckdb"), "--data", str(args.data)],
                capture_output=True, text=True, check=True,
            )
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            r = runs[-1]
            print(f"run {i + 1}: {r['seconds']:.1f}s, {r['entities']:,} entities, {r['statements']:,} statements, "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr)
    med = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "peak_rss_mb", "store_mb")}
    summary = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "runs": len(runs),
        "median_seconds": round(med["seconds"], 2),
        "median_peak_rss_mb": round(med["peak_rss_mb"]),
        "store_mb": round(med["store_mb"], 1),
        "entities": runs[0]["entities"],
        "statements": runs[0]["statements"],
        "entities_per_s": round(runs[0]["entities"] / med["seconds"]),
        "statements_per_s": round(runs[0]["statements"] / med["seconds"]),
        "per_dataset_median_seconds": {
            name: round(statistics.median(r["datasets"][name]["seconds"] for r in runs), 2) for name, _, _ in SETS
        },
        "per_dataset_entities": {name: runs[0]["datasets"][name]["entities"] for name, _, _ in SETS},
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"ingest benchmark, median of {summary['runs']} runs ({summary['machine']}, {summary['date']})")
    print(f"  wall time      {summary['median_seconds']:.1f} s   (target < 60 s)")
    print(f"  peak RSS       {summary['median_peak_rss_mb']} MB   (target < 2048 MB)")
    print(f"  entities       {summary['entities']:,}  ({summary['entities_per_s']:,}/s)")
    print(f"  statements     {summary['statements']:,}  ({summary['statements_per_s']:,}/s)")
    print(f"  store file     {summary['store_mb']} MB")
    for name, secs in summary["per_dataset_median_seconds"].items():
        print(f"  {name:<16} {secs:6.1f} s  {summary['per_dataset_entities'][name]:>9,} entities")


if __name__ == "__main__":
    main()
