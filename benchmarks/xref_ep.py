"""Screening across scripts: ``pepgraph xref`` of two EveryPolitician sources against a graph
built from a third, with the truth of the resolution benchmark (issue 3's EveryPolitician set).

    .venv/bin/python benchmarks/xref_ep.py --workdir W [--json OUT]

The graph: ``ep_registry`` of ``resolve_ep.build`` (12,000 persons, seed 7: the names as their
parliament writes them, full birth dates, countries), ingested, resolved and indexed in
``W/graph.duckdb``. The leaks: ``ep_press`` (names in another script where EveryPolitician has
one, initials, typos, birth years at most) and ``ep_sanctions`` ("SURNAME, Given", aliases in other
scripts, partial dates), each cross-referenced with ``Graph.xref`` as ``pepgraph xref`` runs it
(threshold 0.7). Truth: a record's person is *in the graph* when a registry record has the same
EveryPolitician id; its best match is right when that match's cluster holds one.

Reported per leak and overall: precision of the best matches, recall over the records whose
person is in the graph, and that recall on the records written in other scripts than every
registry record of their person (*cross-script*) and on those in Chinese or Japanese writing
(*CJK*: characters or kana on either side). Compare two versions of the code by running the
script from each (``PYTHONPATH=CLONE/src``) on its own workdir: the graph is built by the
version that screens it. With ``--reuse-graph`` a graph already built in the workdir is kept
(for comparing changes that touch screening only, not the index or resolution).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = Path(os.environ.get("PEPGRAPH_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
LEAKS = ("ep_press", "ep_sanctions")
CJK = {"CJK", "KATAKANA", "HIRAGANA"}


def build_sources(work: Path) -> tuple[dict[str, Path], dict[str, str], dict[str, list[str]]]:
    from resolve_data import write_sources
    from resolve_ep import build

    b = build(SHARED / "everypolitician-2015", persons=12000, seed=7)
    folder = work / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    return write_sources(b.sources, folder), b.truth, {k: sorted(v) for k, v in b.scripts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--reuse-graph", action="store_true",
                        help="keep W/graph.duckdb and its index when they exist (screening-only changes)")
    args = parser.parse_args()
    if not (SHARED / "everypolitician-2015").exists():
        sys.exit(f"needs {SHARED / 'everypolitician-2015'} (../shared/data)")
    from pepgraph import Graph
    import pepgraph

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    files, truth, scripts = build_sources(work)
    db = work / "graph.duckdb"
    reuse = args.reuse_graph and db.exists() and Path(f"{db}.screen").exists()
    if not reuse:
        for p in (db, Path(f"{db}.screen")):
            p.unlink(missing_ok=True)
    report: dict[str, Any] = {"code": str(Path(pepgraph.__file__).parent)}
    started = time.perf_counter()
    with Graph(db, read_only=reuse) as g:
        if not reuse:
            g.ingest(files["ep_registry"], dataset="ep_registry", format="ftm")
            g.resolve()
            entities = g.build_index().entities
        else:
            from pepgraph.screen.index import ScreenIndex

            with ScreenIndex(f"{db}.screen") as idx:
                entities = idx.size
        canonical = dict(g.store.con.execute(
            "SELECT DISTINCT entity_id, canonical_id FROM statements WHERE prop = 'id'").fetchall())
    report["graph"] = {"seconds": round(time.perf_counter() - started, 1), "entities": entities, "reused": reuse}
    in_graph: dict[str, set[str]] = {}  # canonical id -> persons of its registry records
    registry_scripts: dict[str, set[str]] = {}  # person -> scripts of its registry records
    for eid, cid in canonical.items():
        if eid in truth:
            in_graph.setdefault(cid, set()).add(truth[eid])
            registry_scripts.setdefault(truth[eid], set()).update(scripts.get(eid, ()))
    totals: dict[str, list[int]] = {}
    with Graph(db, read_only=True) as g:
        for leak in LEAKS:
            out = work / f"xref-{leak}"
            t0 = time.perf_counter()
            g.xref(files[leak], out)
            seconds = time.perf_counter() - t0
            best = {r["record_id"]: r["candidate_id"] for r in csv.DictReader(open(out / "matches.csv", encoding="utf-8"))
                    if r["rank"] == "1"}
            counts = {k: [0, 0] for k in ("matched", "all", "cross-script", "cjk")}  # [right, of]
            for rec, person in truth.items():
                if not rec.startswith(leak[3:6] + "-"):
                    continue
                present = person in registry_scripts
                right = rec in best and person in in_graph.get(best[rec], set())
                if rec in best:
                    counts["matched"][0] += right
                    counts["matched"][1] += 1
                if not present:
                    continue
                mine, theirs = set(scripts.get(rec, ())), registry_scripts[person]
                for key, applies in (("all", True), ("cross-script", not mine & theirs),
                                     ("cjk", bool((mine | theirs) & CJK))):
                    if applies:
                        counts[key][0] += right
                        counts[key][1] += 1
            for key, (a, b) in counts.items():
                totals.setdefault(key, [0, 0])
                totals[key][0] += a
                totals[key][1] += b
            report[leak] = {"seconds": round(seconds, 1), **{k: v for k, v in counts.items()}}
            print(f"{leak}: {counts['matched'][1]:,} matched in {seconds:.1f}s; " + _line(counts))
    report["overall"] = totals
    print("overall: " + _line(totals))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


def _line(counts: dict[str, list[int]]) -> str:
    def r(key: str) -> str:
        a, b = counts[key]
        return f"{a:,}/{b:,} = {a / b:.4f}" if b else "-"

    return (f"precision {r('matched')}, recall {r('all')}, cross-script recall {r('cross-script')}, "
            f"CJK recall {r('cjk')}")


if __name__ == "__main__":
    main()
