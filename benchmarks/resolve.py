"""Resolve benchmark (partial, issue 3): time and memory of `pepgraph resolve --retrain` on a store.

Copies the given store (default: ./pepgraph.duckdb as `make run` builds it from ../shared/data)
and resolves the copy in a fresh process per run, so peak RSS is resolution's own. Accuracy
(FEBRL, the multi-script EveryPolitician benchmark, congress <-> EveryPolitician senators) and
throughput at 50k-200k records are in benchmarks/resolve_accuracy.py.

    .venv/bin/python benchmarks/resolve.py [--store pepgraph.duckdb] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(db: str) -> None:
    from pepgraph import Graph

    started = time.perf_counter()
    with Graph(db) as graph:
        result = graph.resolve(retrain=True)
    print(json.dumps({
        "seconds": time.perf_counter() - started, "records": result.records, "clusters": result.clusters,
        "merged": result.merged, "model_pairs": result.model_pairs, "identifier_links": result.identifier_links,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path("pepgraph.duckdb"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if not args.store.exists():
        sys.exit(f"{args.store}: no store; run `make run` first")
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="pepgraph-bench-") as tmp:
            copy = Path(tmp) / "store.duckdb"
            shutil.copy(args.store, copy)
            proc = subprocess.run([sys.executable, __file__, "--child", str(copy)], capture_output=True, text=True, check=True)
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            r = runs[-1]
            print(f"run {i + 1}: {r['seconds']:.1f}s, peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr)
    r = runs[0]
    print(f"resolve benchmark, median of {len(runs)} runs ({time.strftime('%Y-%m-%d')})")
    print(f"  records {r['records']:,} -> {r['clusters']:,} entities ({r['merged']:,} merged; "
          f"{r['model_pairs']:,} model links, {r['identifier_links']:,} identifier links)")
    print(f"  wall time {statistics.median(x['seconds'] for x in runs):.1f} s")
    print(f"  peak RSS  {statistics.median(x['peak_rss_mb'] for x in runs):.0f} MB")


if __name__ == "__main__":
    main()
