"""``pepgraph xref`` of a generated leak at size: precision, recall and throughput against the
generator's truth (issue 8; ``tests/test_xref.py`` is the same at 400 key persons).

    .venv/bin/python benchmarks/xref_gen.py --persons 20000 --workdir W [--json OUT]

The graph: the generator's ``registry`` and ``press`` sources for N key persons (seed 0),
ingested and built (``Graph.build``: resolve, classify, index) in ``W/graph.duckdb``. The leak:
its ``leak`` source, cross-referenced with ``Graph.xref`` as ``pepgraph xref`` runs it (threshold
0.7), nothing stored. Truth: a leak record's person is *in the graph* when a registry or press
record is the same generated person; its best match is right when that match's cluster holds
one. Reported: precision of the best matches, recall over the leak records whose person is in
the graph, the records screened per second, and the time of each stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    from pepgraph import Graph
    from pepgraph.synth import generate, read_truth

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"persons": args.persons, "seed": args.seed}
    t0 = time.perf_counter()
    data = work / "data"
    generate(args.persons, data, seed=args.seed, sources=["registry", "press", "leak"])
    report["generate_s"] = round(time.perf_counter() - t0, 1)
    db = work / "graph.duckdb"
    for p in (db, Path(f"{db}.screen")):
        p.unlink(missing_ok=True)
    with Graph(db) as g:
        t0 = time.perf_counter()
        for source in ("registry", "press"):
            g.ingest(data / f"{source}.ftm.jsonl", dataset=f"synth_{source}")
        report["ingest_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        g.build()
        report["build_s"] = round(time.perf_counter() - t0, 1)
        truth = read_truth(data / "truth.csv")
        clusters: dict[str, set[str]] = {}
        for eid, cid in g.store.con.execute("SELECT entity_id, canonical_id FROM statements WHERE prop = 'id'").fetchall():
            if eid in truth:
                clusters.setdefault(cid, set()).add(truth[eid])
    out = work / "xref"
    with Graph(db, read_only=True) as g:
        t0 = time.perf_counter()
        result = g.xref(data / "leak.ftm.jsonl", out)
        seconds = time.perf_counter() - t0
    best = {r["record_id"]: r["candidate_id"] for r in csv.DictReader(open(out / "matches.csv", encoding="utf-8"))
            if r["rank"] == "1"}
    known = {p for people in clusters.values() for p in people}
    leak = [eid for eid in truth if eid.startswith("leak")]
    present = sum(1 for eid in leak if truth[eid] in known)
    correct = sum(1 for rec, cid in best.items() if truth.get(rec) in clusters.get(cid, set()))
    report.update({
        "xref_s": round(seconds, 1), "records": result.records, "screened": result.screened,
        "matched": result.matched, "records_per_s": round(result.screened / seconds, 1),
        "precision": round(correct / len(best), 4) if best else None,
        "recall": round(correct / present, 4) if present else None,
        "right": correct, "present": present, "by_class": result.by_class,
    })
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
