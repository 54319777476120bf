"""Candidate pairs and scoring time of resolve's blocking against a peer blocking, in the same run:
by default the blocking before initials keys were split into looked up ("A:") and offered
("a:"); with ``--peer-caps`` the same keys under other caps by kind of key.

    .venv/bin/python benchmarks/blocking.py STORE TRUTH.csv [--rows ROWS.parquet] [--runs 2] [--json OUT]
    .venv/bin/python benchmarks/blocking.py STORE TRUTH.csv --peer-caps '{"2:": 100, "s:": 30, "y:": 100}'

STORE is a resolved store (its stored model scores the pairs; the store is opened read-only),
TRUTH a ``entity_id,person_id`` file (``pepgraph generate`` writes one). The linkage rows are
built once (or read from ``--rows``); the peer is the same rows with every initials key looked
up, which pairs every two records sharing one, as pepgraph did before; or, with
``--peer-caps``, rows built again with ``rows.KIND_CAPS`` updated by the given caps. Each variant scores every
candidate pair with the stored model, ``--runs`` times alternately; the report gives the
candidate pairs, the median scoring time, and the pairs at or above 0.8 that are one person and
that are not (pairwise, before clustering).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import tempfile
import time

import duckdb


def _every_key_looked_up(rows: str, out: str) -> None:
    duckdb.execute(
        f"COPY (SELECT * REPLACE (list_transform(keys, lambda k: CASE WHEN starts_with(k, 'a:') "
        f"THEN 'A:' || k[3:] ELSE k END) AS keys) FROM read_parquet('{rows}')) TO '{out}' (FORMAT parquet)")


def _score(stored: dict, rows: str, truth: dict[str, str]) -> dict[str, float]:
    from pepgraph.resolve.model import make_model, predict_batches

    model = make_model(rows, stored)
    parts: list[int] = []
    kept = right = wrong = 0
    started = time.monotonic()
    try:
        for batch in predict_batches(model, 0.01, progress=lambda done, total, pairs: parts.append(pairs)):
            for a, b, p in zip(batch.column("unique_id_l").to_pylist(), batch.column("unique_id_r").to_pylist(),
                               batch.column("match_probability").to_pylist()):
                kept += 1
                if p >= 0.8:
                    if truth.get(a) is not None and truth.get(a) == truth.get(b):
                        right += 1
                    else:
                        wrong += 1
    finally:
        model.close()
    return {"candidates": sum(parts), "parts": len(parts), "seconds": round(time.monotonic() - started, 1),
            "kept": kept, "right_at_0.8": right, "wrong_at_0.8": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("truth")
    parser.add_argument("--rows", help="linkage rows built by this version (else built here)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json")
    parser.add_argument("--peer-caps", help="JSON caps by kind of key for the peer's rows, e.g. '{\"2:\": 100}'")
    args = parser.parse_args()

    from pepgraph.resolve import _stored_model
    from pepgraph.resolve.rows import DEFAULT_KEY_CAP, KIND_CAPS, build_rows
    from pepgraph.store import Store

    with open(args.truth, newline="", encoding="utf-8") as fh:
        truth = {r["entity_id"]: r["person_id"] for r in csv.DictReader(fh)}
    work = tempfile.mkdtemp(prefix="pepgraph-blocking-")
    store = Store(args.store, read_only=True)
    try:
        stored = _stored_model(store)
        if stored is None:
            raise SystemExit(f"{args.store}: no stored model (resolve it first)")
        rows = args.rows
        if rows is None:
            rows = os.path.join(work, "rows.parquet")
            started = time.monotonic()
            build_rows(store, key_cap=DEFAULT_KEY_CAP, out=rows)
            print(f"rows built in {time.monotonic() - started:.0f} s", flush=True)
        before = os.path.join(work, "peer.parquet")
        if args.peer_caps:
            build_rows(store, key_cap=DEFAULT_KEY_CAP, out=before, kind_caps={**KIND_CAPS, **json.loads(args.peer_caps)})
    finally:
        store.close()
    if not args.peer_caps:
        _every_key_looked_up(rows, before)
    runs: dict[str, list[dict[str, float]]] = {"before": [], "now": []}
    for _ in range(args.runs):
        for name, path in (("before", before), ("now", rows)):
            runs[name].append(_score(stored, path, truth))
            print(name, runs[name][-1], flush=True)
    report = {name: {**r[-1], "seconds": round(statistics.median(x["seconds"] for x in r), 1), "runs": [x["seconds"] for x in r]}
              for name, r in runs.items()}
    report["ratio"] = {"candidates": round(report["now"]["candidates"] / report["before"]["candidates"], 3),
                       "seconds": round(report["now"]["seconds"] / report["before"]["seconds"], 3)}
    print(json.dumps(report, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
    for path in (before,) + (() if args.rows else (rows,)):
        os.remove(path)
    os.rmdir(work)


if __name__ == "__main__":
    main()
