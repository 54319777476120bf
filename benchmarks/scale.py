"""The full build at scale (issue 8): generate → ingest → resolve → classify → index → screen.

Each stage runs in a fresh process, so that its wall time and peak RSS are its own; the store
and the generated files stay in ``--workdir`` between stages. Resolution is scored against the
generator's ``truth.csv`` (pairwise precision / recall / F1 over Person records, from
``pepgraph export --format clusters``). Classify, index and screen run only when ``Graph`` has
them (``classify``, ``build_index``, ``screen``), so the script works while those are written.

    .venv/bin/python benchmarks/scale.py --persons 100000                 # the whole build
    .venv/bin/python benchmarks/scale.py --persons 100000 --generate-only --runs 3
    .venv/bin/python benchmarks/scale.py --persons 100000 300000 1000000 --json scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

STAGES = ("generate", "ingest", "resolve", "evaluate", "classify", "index", "screen")


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _tree_rss_mb() -> float:
    """RSS of this process and all its descendants now (Linux /proc; 0 elsewhere): resolve's row
    workers and its training process hold memory beside the stage's own."""
    children: dict[int, list[int]] = {}
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                        children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
    except OSError:
        return 0.0
    total, stack = 0, [os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS")), 0)
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total / 1024


class TreePeak:
    """Samples the process tree's RSS twice a second: the peak of all its processes at once (the
    stage's own ru_maxrss misses its children), overall and per named phase."""

    def __init__(self) -> None:
        import threading

        self.phase, self.peak, self.phases = "", 0.0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            now = _tree_rss_mb()
            self.peak = max(self.peak, now)
            if self.phase:
                self.phases[self.phase] = round(max(self.phases.get(self.phase, 0.0), now), 1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak, 1)


TREE: TreePeak | None = None


def _size_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    if path.is_file():
        return round(path.stat().st_size / 2**20, 1)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


# --- stages (each runs in its own process: `scale.py --stage NAME ...`) ---------------------------


def stage_generate(work: Path, persons: int, seed: int, **_: Any) -> dict[str, Any]:
    from pepgraph.synth import generate

    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    result = generate(persons, data, seed=seed)
    records = sum(sum(c.values()) for c in result["sources"].values())
    return {"records": records, "person_records": result["truth_rows"], "described": result["described"],
            "disk_mb": _size_mb(data)}


def stage_ingest(work: Path, **_: Any) -> dict[str, Any]:
    from pepgraph import Graph
    from pepgraph.synth import SOURCES

    db = work / "scale.duckdb"
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    out: dict[str, Any] = {}
    with Graph(db) as graph:
        for source in SOURCES:
            path = work / "data" / f"{source}.ftm.jsonl"
            if path.exists():
                res = graph.ingest([path], dataset=f"synth_{source}", title=f"Synthetic {source} (invented)")
                out[source] = {"entities": res.entities, "statements": res.statements, "seconds": round(res.seconds, 1)}
    out["disk_mb"] = _size_mb(db)
    return out


def stage_resolve(work: Path, **_: Any) -> dict[str, Any]:
    import inspect

    from pepgraph import Graph

    with Graph(work / "scale.duckdb") as graph:
        params = inspect.signature(graph.resolve).parameters
        kwargs = {"reclassify": False} if "reclassify" in params else {}
        if "retrain" in params:
            kwargs["retrain"] = True  # a build trains; a store resolved before (kept, copied) must not reuse its model
        if "phase" in params:  # where a long resolve is, on stderr as it goes

            def phase(name: str) -> None:
                if TREE is not None:
                    TREE.phase = name.split(",")[0]
                print(time.strftime("%H:%M:%S"), "resolve:", name, file=sys.stderr, flush=True)

            kwargs["phase"] = phase
        res = graph.resolve(**kwargs)
    data = res.to_dict() if hasattr(res, "to_dict") else dict(getattr(res, "__dict__", {}))
    keep = ("records", "candidate_pairs", "clusters", "merged", "model_pairs", "identifier_links", "vetoed", "relative_links", "phases", "notes")
    out = {k: data[k] for k in keep if k in data} | {"disk_mb": _size_mb(work / "scale.duckdb")}
    if TREE is not None:
        out["phase_peak_tree_rss_mb"] = dict(TREE.phases)
    return out


def stage_evaluate(work: Path, **_: Any) -> dict[str, Any]:
    from pepgraph import Graph
    from pepgraph.synth import read_truth

    clusters_csv = work / "clusters.csv"
    with Graph(work / "scale.duckdb", read_only=True) as graph:
        graph.export("clusters", clusters_csv)
    truth = read_truth(work / "data" / "truth.csv")
    canonical: dict[str, str] = {}
    with open(clusters_csv, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            eid, cid = line.rstrip("\n").split(",", 1)
            if eid in truth:
                canonical[eid] = cid
    return _pairwise(truth, canonical)


def _pairwise(truth: dict[str, str], canonical: dict[str, str]) -> dict[str, Any]:
    """Pairwise precision / recall / F1 of the clustering of Person records against the truth."""
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    missing = [e for e in truth if e not in canonical]
    for eid in missing:  # a record resolution did not see counts as its own cluster
        canonical[eid] = f"missing:{eid}"
    predicted = sum(pairs(n) for n in Counter(canonical[e] for e in truth).values())
    actual = sum(pairs(n) for n in Counter(truth.values()).values())
    both = sum(pairs(n) for n in Counter((canonical[e], p) for e, p in truth.items()).values())
    # where the errors are: recall by the pair of sources, wrong links by what they join
    groups: dict[str, list[str]] = {}
    for eid, pid in truth.items():
        groups.setdefault(pid, []).append(eid)
    by_sources: Counter[str] = Counter()
    found_by_sources: Counter[str] = Counter()
    for eids in groups.values():
        for i, a in enumerate(eids):
            for b in eids[i + 1:]:
                key = "+".join(sorted((a.split("-")[0], b.split("-")[0])))
                by_sources[key] += 1
                found_by_sources[key] += canonical[a] == canonical[b]
    clusters: dict[str, list[str]] = {}
    for eid in truth:
        clusters.setdefault(canonical[eid], []).append(eid)
    wrong: Counter[str] = Counter()
    for eids in clusters.values():
        if len(eids) < 2 or len(eids) > 50:
            continue
        for i, a in enumerate(eids):
            for b in eids[i + 1:]:
                pa, pb = truth[a], truth[b]
                if pa == pb:
                    continue
                if "-x" in pa or "-x" in pb:
                    wrong["decoy"] += 1
                elif pa.split("-")[0] == pb.split("-")[0]:
                    wrong["same family"] += 1
                else:
                    wrong["unrelated"] += 1
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": len(truth), "true_pairs": actual, "predicted_pairs": predicted, "correct_pairs": both,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "records_not_in_clusters": len(missing),
            "recall_by_sources": {k: round(found_by_sources[k] / n, 4) for k, n in sorted(by_sources.items())},
            "wrong_pairs": dict(wrong)}


def stage_classify(work: Path, **_: Any) -> dict[str, Any]:
    from pepgraph import Graph

    if not hasattr(Graph, "classify"):
        return {"skipped": "Graph has no classify()"}
    with Graph(work / "scale.duckdb") as graph:
        res = graph.classify()
    return {"result": _plain(res), "disk_mb": _size_mb(work / "scale.duckdb")}


def stage_index(work: Path, **_: Any) -> dict[str, Any]:
    from pepgraph import Graph

    if not hasattr(Graph, "build_index"):
        return {"skipped": "Graph has no build_index()"}
    with Graph(work / "scale.duckdb") as graph:
        res = graph.build_index()
    return {"result": _plain(res), "disk_mb": _size_mb(work)}


def stage_screen(work: Path, queries: int = 100_000, **_: Any) -> dict[str, Any]:
    """Screen names taken from the leak (noisy, like a customer file) one at a time."""
    import orjson

    from pepgraph import Graph

    if not hasattr(Graph, "screen"):
        return {"skipped": "Graph has no screen()"}
    names: list[str] = []
    with open(work / "data" / "leak.ftm.jsonl", "rb") as fh:
        for line in fh:
            data = orjson.loads(line)
            if data["schema"] == "Person":
                names.append(data["properties"]["name"][0])
                if len(names) >= queries:
                    break
    times: list[float] = []
    with Graph(work / "scale.duckdb", read_only=True) as graph:
        started = time.perf_counter()
        for name in names:
            t = time.perf_counter()
            graph.screen(name)
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - started
    times.sort()
    q = lambda p: round(times[min(len(times) - 1, int(p * len(times)))] * 1000, 2)  # noqa: E731
    return {"queries": len(times), "p50_ms": q(0.50), "p95_ms": q(0.95), "p99_ms": q(0.99),
            "per_second": round(len(times) / total, 1) if total else None}


def _plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (dict, list, str, int, float)) or value is None:
        return value
    return {k: v for k, v in getattr(value, "__dict__", {}).items() if isinstance(v, (int, float, str))}


# --- driver ---------------------------------------------------------------------------------------


def run_stage(name: str, work: Path, persons: int, seed: int, queries: int) -> dict[str, Any]:
    """Run one stage in a fresh process; returns its report with wall time and peak RSS."""
    cmd = [sys.executable, __file__, "--stage", name, "--workdir", str(work), "--persons", str(persons),
           "--seed", str(seed), "--queries", str(queries)]
    started = time.perf_counter()
    # stderr passes through as it comes (a long stage says where it is), its last line kept for
    # the report when the stage fails; stdout (its last line is the stage's JSON report) goes to
    # a file, so that a chatty stage cannot fill a pipe nobody reads while stderr is followed
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stdout:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True)
        last: list[str] = []
        assert proc.stderr is not None
        for line in proc.stderr:
            sys.stderr.write(line)
            sys.stderr.flush()
            if line.strip():
                last = [line.strip()]
        proc.wait()
        stdout.seek(0)
        out = stdout.read()
    wall = round(time.perf_counter() - started, 1)
    if proc.returncode != 0:
        return {"stage": name, "error": last or ["failed"], "seconds": wall}
    report = json.loads(out.strip().splitlines()[-1])
    report["seconds"] = wall
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "pepgraph-scale")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of " + ",".join(STAGES))
    parser.add_argument("--generate-only", action="store_true", help="time the generator alone (median of --runs)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100_000, help="screening queries")
    parser.add_argument("--json", type=Path, help="also write the reports here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:  # child process: one stage
        fn = globals()[f"stage_{args.stage}"]
        args.workdir.mkdir(parents=True, exist_ok=True)
        global TREE
        TREE = TreePeak()
        report = fn(args.workdir, persons=args.persons[0], seed=args.seed, queries=args.queries)
        report = {"stage": args.stage, **report, "peak_rss_mb": _peak_mb(), "peak_tree_rss_mb": TREE.stop()}
        print(json.dumps(report, default=str))
        return

    stages = ["generate"] if args.generate_only else [s for s in args.stages.split(",") if s]
    reports = []
    for persons in args.persons:
        work = args.workdir / f"n{persons}"
        work.mkdir(parents=True, exist_ok=True)
        print(f"== {persons:,} key persons ({work})", flush=True)
        for stage in stages:
            runs = [run_stage(stage, work, persons, args.seed, args.queries) for _ in range(args.runs if stage == "generate" else 1)]
            report = runs[len(runs) // 2] if len(runs) == 1 else dict(runs[-1])
            if len(runs) > 1:
                report["seconds_runs"] = [r["seconds"] for r in runs]
                report["seconds"] = statistics.median(report["seconds_runs"])
                report["peak_rss_mb_runs"] = [r.get("peak_rss_mb") for r in runs]
                report["peak_rss_mb"] = statistics.median(r.get("peak_rss_mb") or 0 for r in runs)
            report["persons"] = persons
            reports.append(report)
            extra = {k: v for k, v in report.items() if k not in ("stage", "seconds", "peak_rss_mb", "persons")}
            print(f"  {stage:<9} {report['seconds']:>8.1f} s  {report.get('peak_rss_mb', 0):>8,.0f} MB  "
                  f"{json.dumps(extra, default=str)}", flush=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2, default=str))


if __name__ == "__main__":
    main()
