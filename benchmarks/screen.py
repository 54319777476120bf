"""Screening benchmark: recall, false positives and speed on the yente fixtures, beside a peer.

    .venv/bin/python benchmarks/screen.py                   # everything (about 5 minutes)
    .venv/bin/python benchmarks/screen.py --negatives 5000  # a quicker run
    ./benchmarks/peer_setup.sh                              # once: the peer's own venv

Indexed data: congress-legislators (current, executives, historical), the UN Security Council
list (2018) and OFAC's SDN list (2024-05-03), ingested and resolved with pepgraph into
``artifacts/screen-bench.duckdb`` (built on the first run, reused after; ``--rebuild``), then
indexed (timed on every run).

Queries: ``../shared/data/opensanctions-yente/screening/`` -- ``positives_us_congress_untreated.csv``
(1,254 members of Congress as a user would type them, with birth year), ``positives_un_untreated.csv``
(683 UN-listed persons) and ``negatives_us.csv`` (50,000 synthetic people on no list). Each row
becomes a Person query: ``full_name``, ``date_of_birth``, ``nationality``, ``gender``.

Truth, defined without the scorer:

- Congress: a member of the indexed congress data born the same year whose last name's words
  all appear in the query and whose first name, middle name or a nickname does too (ASCII-folded,
  case-free). Rows with no such member are unresolvable and left out of recall.
- UN: a UN-listed person (in the 2018 list) with a name or alias made of the same letters as the
  query (ASCII-folded, letters only, any order and spacing) and, when the query has a birth date,
  a birth date in the same year. The 2018 list lacks later listings, so fewer rows are resolvable.

Metrics: recall = the share of resolvable positives whose intended person comes back with
``match`` (score >= 0.7, among the 5 results); false-positive rate = the share of negatives with
any ``match``; speed = single in-process queries (p50 / p95 latency, queries/s on one core, end
to end from the raw row) and ``pepgraph screen --batch`` run as a command (CSV in, CSV out, one
and two processes, timed from the command's start; ``--batch-rows`` more distinct queries on two
processes to show the start-up amortised). The peer, nomenklatura 4.17.4's logic-v2
(``benchmarks/peer_setup.sh``), runs in its own venv as a subprocess twice: scoring the same
candidate sets pepgraph retrieves, and its whole query as the issue measured it (50 candidates
from a rapidfuzz pre-selection, then scoring); skipped with a message when the peer venv is
absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from normality import ascii_text  # noqa: E402

from pepgraph import Graph  # noqa: E402
from pepgraph.screen import ScreenIndex, Screener  # noqa: E402
from pepgraph.screen.subject import compatible, subject_from_properties  # noqa: E402

FIXTURES = ("positives_us_congress_untreated.csv", "positives_un_untreated.csv", "negatives_us.csv")
PEER_VENV = REPO / ".venv-peer"
THRESHOLD = 0.7
_WORD = re.compile(r"[a-z0-9]+")


def shared_data() -> Path:
    return Path(os.environ.get("PEPGRAPH_SHARED_DATA", REPO.parent / "shared" / "data"))


def fold_words(text: str) -> list[str]:
    return _WORD.findall((ascii_text(text) or "").lower())


def letters(text: str) -> str:
    return "".join(sorted("".join(fold_words(text))))


def build_store(db: Path, data: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    cl = data / "congress-legislators"
    sources = [
        ("us_congress", [cl / "legislators-current.yaml", cl / "executive.yaml", cl / "gh-pages" / "legislators-historical.csv"], "congress"),
        ("un_sc", [data / "un-sc-2018" / "consolidated.xml"], "un-sc"),
        ("us_ofac_sdn", [data / "ofac-sdn" / "2024-05-03" / "sdn.csv"], "ofac-sdn"),
    ]
    with Graph(db) as graph:
        for dataset, paths, fmt in sources:
            started = time.perf_counter()
            graph.ingest(paths, dataset=dataset, format=fmt)
            times[f"ingest {dataset}"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        graph.resolve()
        times["resolve"] = round(time.perf_counter() - started, 1)
    return times


def read_fixture(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = []
        for row in csv.DictReader(fh):
            rows.append(row)
            if limit and len(rows) >= limit:
                break
    return rows


def query_props(row: dict[str, str]) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for col, prop in (("full_name", "name"), ("date_of_birth", "birthDate"), ("nationality", "nationality"), ("gender", "gender")):
        if row.get(col):
            props[prop] = [row[col]]
    if "name" not in props:
        parts = [row.get(c, "") for c in ("first_name", "middle_name", "last_name")]
        if any(parts):
            props["name"] = [" ".join(p for p in parts if p)]
    return props


# -- truth -----------------------------------------------------------------------------------------

def people(graph: Graph, dataset: str) -> dict[str, dict[str, list[str]]]:
    rows = graph.store.con.execute(
        """
        SELECT canonical_id, prop, value FROM statements
        WHERE current AND schema = 'Person' AND dataset = ?
          AND prop IN ('name', 'alias', 'weakAlias', 'firstName', 'middleName', 'lastName', 'birthDate')
        """,
        [dataset],
    ).fetchall()
    out: dict[str, dict[str, list[str]]] = {}
    for cid, prop, value in rows:
        out.setdefault(cid, {}).setdefault(prop, []).append(value)
    return out


def congress_truth(rows: list[dict[str, str]], members: dict[str, dict[str, list[str]]]) -> list[set[str]]:
    by_year: dict[str, list[tuple[str, dict[str, list[str]]]]] = {}
    for cid, p in members.items():
        for year in {d[:4] for d in p.get("birthDate", [])}:
            by_year.setdefault(year, []).append((cid, p))
    truth = []
    for row in rows:
        words = set(fold_words(row["full_name"]))
        found = set()
        for cid, p in by_year.get(row["date_of_birth"][:4], []):
            last = [w for v in p.get("lastName", []) for w in fold_words(v)]
            if not last or not set(last) <= words:
                continue
            given = {w for prop in ("firstName", "middleName", "weakAlias", "alias") for v in p.get(prop, [])
                     for w in fold_words(v)} - set(last)
            if given & words:
                found.add(cid)
        truth.append(found)
    return truth


def un_truth(rows: list[dict[str, str]], listed: dict[str, dict[str, list[str]]]) -> list[set[str]]:
    by_letters: dict[str, set[str]] = {}
    for cid, p in listed.items():
        for prop in ("name", "alias", "weakAlias"):
            for v in p.get(prop, []):
                by_letters.setdefault(letters(v), set()).add(cid)
    truth = []
    for row in rows:
        found = set()
        for cid in by_letters.get(letters(row["full_name"]), set()):
            years = {d[:4] for d in listed[cid].get("birthDate", [])}
            if not row["date_of_birth"] or not years or row["date_of_birth"][:4] in years:
                found.add(cid)
        truth.append(found)
    return truth


# -- runs ------------------------------------------------------------------------------------------

def run_ours(screener: Screener, rows: list[dict[str, str]]) -> tuple[list[list[tuple[str, float, bool]]], list[float], float]:
    """Each query end to end (from the raw row: analysis, keys, candidates, scoring); also the
    CPU seconds the whole loop took (the machine is shared: CPU time is the steadier measure)."""
    results, latencies = [], []
    cpu = time.process_time()
    for row in rows:
        started = time.perf_counter()
        subject = subject_from_properties("Person", query_props(row))
        hits = screener.screen(subject, limit=5, threshold=THRESHOLD)
        latencies.append(time.perf_counter() - started)
        results.append([(h.entity.id or "", h.scored.score, h.match) for h in hits])
    return results, latencies, time.process_time() - cpu


def recall(results: list[list[tuple[str, float, bool]]], truth: list[set[str]]) -> tuple[int, int, list[int]]:
    found = total = 0
    missed = []
    for i, (hits, want) in enumerate(zip(results, truth)):
        if not want:
            continue
        total += 1
        if any(cid in want and m for cid, _, m in hits):
            found += 1
        else:
            missed.append(i)
    return found, total, missed


def as_ftm(idx: ScreenIndex, n: int) -> dict[str, Any]:
    """Index entity ``n`` as an FtM entity for the peer: what the index keeps (names, birth dates,
    countries, gender, identifiers)."""
    e = idx.entity(n)
    idx.load_names(e)
    props: dict[str, list[str]] = {"name": [f.original for f in e.names]}
    for key, values in (("birthDate", e.birth_dates), ("country", sorted(e.countries)),
                        ("gender", sorted(e.genders)), ("idNumber", sorted(e.identifiers))):  # fmt: skip
        if values:
            props[key] = list(values)
    return {"id": e.id, "schema": e.schema, "properties": props}


def peer_candidates(screener: Screener, rows: list[dict[str, str]], qids: list[str]) -> tuple[list[dict[str, Any]], float]:
    """The candidate sets pepgraph retrieves (before its gate), as FtM for the peer; and the time
    pepgraph's scorer takes on exactly these sets (scoring only, every candidate)."""
    idx = screener.index
    items = []
    spent = 0.0
    for qid, row in zip(qids, rows):
        props = query_props(row)
        subject = subject_from_properties("Person", props)
        ranked = screener.candidates(subject) if subject.names else []
        numbers = [n for _, n in ranked]
        cands = [as_ftm(idx, n) for n in numbers]
        started = time.perf_counter()
        for n in numbers:
            screener.algorithm.score(subject, idx.entity(n))
        spent += time.perf_counter() - started
        items.append({"qid": qid, "query": {"id": qid, "schema": "Person", "properties": props}, "candidates": cands})
    return items, spent


def _jsonl(items: Iterable[dict[str, Any]]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        return fh.name


def run_peer(mode: str, *inputs: Iterable[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]] | None:
    """``peer_score.py MODE FILES...`` in the peer's venv: its answer per qid and its summary."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"peer skipped: {PEER_VENV} is absent (run ./benchmarks/peer_setup.sh to set it up)")
        return None
    paths = [_jsonl(items) for items in inputs]
    try:
        proc = subprocess.run([str(python), str(REPO / "benchmarks" / "peer_score.py"), mode, *paths],
                              capture_output=True, text=True)
    finally:
        for path in paths:
            os.unlink(path)
    if proc.returncode != 0:
        print(f"peer failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
        return None
    answers: dict[str, dict[str, Any]] = {}
    summary: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        data = json.loads(line)
        if "summary" in data:
            summary = data["summary"]
        else:
            answers[data["qid"]] = data
    return answers, summary


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f} % ({a:,}/{b:,})" if b else "n/a"


def run_peers(args: argparse.Namespace, report: dict[str, Any], index_file: Path, congress: list[dict[str, str]],
              un: list[dict[str, str]], negatives: list[dict[str, str]], truth_congress: list[set[str]],
              truth_un: list[set[str]], out_n: list[list[tuple[str, float, bool]]]) -> None:
    """logic-v2 in two set-ups, beside pepgraph: scoring pepgraph's candidate sets ("same"), and
    its whole query as the issue measured it, 50 candidates from a rapidfuzz pre-selection over
    every indexed name ("own"). Accuracy on the same rows; speeds per core."""
    n_peer = min(len(negatives), args.peer_negatives)
    rows = congress + un + negatives[:n_peer]
    qids = [f"c{i}" for i in range(len(congress))] + [f"u{i}" for i in range(len(un))] + [f"n{i}" for i in range(n_peer)]
    screener = Screener(ScreenIndex(index_file))
    items, ours_scoring = peer_candidates(screener, rows, qids)
    tc, tu = sum(1 for w in truth_congress if w), sum(1 for w in truth_un if w)

    def metrics(answers: dict[str, dict[str, Any]], ids: dict[str, list[str]]) -> dict[str, list[int]]:
        def hit(qid: str, want: set[str]) -> bool:
            return any(cid in want and sc >= THRESHOLD for cid, sc in zip(ids[qid], answers[qid]["scores"]))

        return {
            "congress_recall": [sum(1 for i, w in enumerate(truth_congress) if w and hit(f"c{i}", w)), tc],
            "un_recall": [sum(1 for i, w in enumerate(truth_un) if w and hit(f"u{i}", w)), tu],
            "false_positives": [sum(1 for i in range(n_peer) if any(sc >= THRESHOLD for sc in answers[f"n{i}"]["scores"])),
                                n_peer],
        }

    ours = report["ours"]
    columns: dict[str, dict[str, Any]] = {"pepgraph-v1": {
        "congress_recall": ours["congress_recall"][:2], "un_recall": ours["un_recall"][:2],
        "false_positives": [sum(1 for hits in out_n[:n_peer] if any(m for _, _, m in hits)), n_peer],
        "scoring_qps": round(len(items) / ours_scoring, 1), "end_to_end_qps": ours["in_process_qps_cpu"],
    }}
    print(f"\npeer: nomenklatura logic-v2 on pepgraph's candidate sets ({len(items):,} queries, "
          f"{sum(len(i['candidates']) for i in items):,} pairs) …", flush=True)
    same = run_peer("same", items)
    if same is not None:
        answers, summary = same
        ids = {it["qid"]: [c["id"] for c in it["candidates"]] for it in items}
        columns["logic-v2, pepgraph's candidates"] = {
            **metrics(answers, ids), "version": summary["version"], "pairs": summary["pairs"],
            "scoring_qps": round(summary["queries"] / summary["seconds"], 1), "end_to_end_qps": None,
        }
    if not args.no_peer_own and same is not None:
        idx = screener.index
        entities = [as_ftm(idx, n) for n in range(idx.size) if compatible("Person", idx.entity(n).schema)]
        queries = [{"qid": it["qid"], "query": it["query"]} for it in items]
        print(f"peer: logic-v2 on its own 50 candidates from a rapidfuzz pre-selection over {len(entities):,} "
              f"entities ({len(queries):,} queries) …", flush=True)
        own = run_peer("own", entities, queries)
        if own is not None:
            answers, summary = own
            ids = {qid: a["ids"] for qid, a in answers.items()}
            columns["logic-v2, own 50 candidates"] = {
                **metrics(answers, ids), "version": summary["version"], "pairs": summary["pairs"],
                "scoring_qps": round(summary["queries"] / summary["seconds"], 1),
                "end_to_end_qps": round(summary["queries"] / (summary["seconds"] + summary["select_seconds"]), 1),
            }
    report["peer"] = columns
    names = list(columns)
    print(f"{'':26}" + "".join(f"{n:>34}" for n in names))
    for label, key in (("congress recall", "congress_recall"), ("UN recall", "un_recall"),
                       (f"false positives (first {n_peer:,})", "false_positives")):  # fmt: skip
        print(f"{label:26}" + "".join(f"{pct(*columns[n][key]):>34}" for n in names))
    for label, key in (("scoring, queries/s", "scoring_qps"), ("end to end, queries/s", "end_to_end_qps")):
        print(f"{label:26}" + "".join(f"{columns[n][key]:>34,.1f}" if columns[n][key] else f"{'-':>34}" for n in names))
    ours_e2e = columns["pepgraph-v1"]["end_to_end_qps"]
    for n in names[1:]:
        c = columns[n]
        line = f"ratio against {n}: scoring {columns['pepgraph-v1']['scoring_qps'] / c['scoring_qps']:,.1f}×, " \
               f"pepgraph end to end / its scoring {ours_e2e / c['scoring_qps']:,.1f}×"
        if c["end_to_end_qps"]:
            line += f", end to end / end to end {ours_e2e / c['end_to_end_qps']:,.1f}×"
        print(line)


def write_recombined(negatives: list[dict[str, str]], path: Path, n: int, seed: int = 7) -> None:
    """``n`` distinct queries for a long batch: the negatives' given names, surnames, birth dates,
    genders and nationalities recombined at random (seeded), no full name twice, so that no
    query is answered from a cache. Like the negatives, they are people on no list."""
    import random

    rng = random.Random(seed)
    seen: set[str] = set()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["full_name", "date_of_birth", "nationality", "gender"])
        writer.writeheader()
        while len(seen) < n:
            a, b, c = rng.choice(negatives), rng.choice(negatives), rng.choice(negatives)
            name = f"{a['first_name']} {b['last_name']}"
            if name in seen or not a["first_name"] or not b["last_name"]:
                continue
            seen.add(name)
            writer.writerow({"full_name": name, "date_of_birth": c["date_of_birth"], "nationality": c["nationality"],
                             "gender": a["gender"]})


def run_cli_batch(db: Path, inp: Path, out: Path, workers: int) -> dict[str, Any]:
    """``pepgraph screen --batch`` as a user runs it, in its own process: the wall clock from the
    command's start (interpreter, imports and rigour's tagger build included) to its exit. CPU:
    the command's own (``RUSAGE_CHILDREN``) plus its workers' as they report it
    (``cpu_seconds``); the fork server's one-off tagger build is in the wall clock only."""
    import resource

    cli = Path(sys.executable).with_name("pepgraph")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([str(cli), "--db", str(db), "screen", "--batch", str(inp), "--out", str(out),
                           "--workers", str(workers), "--restart", "--json"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"pepgraph screen --batch failed: {proc.stderr.strip()[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(proc.stdout)
    own = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    cpu = own + (result["cpu_seconds"] if workers > 1 else 0.0)
    n = result["queries"]
    row = {"queries": n, "wall_seconds": round(wall, 2), "screening_seconds": result["seconds"],
           "qps": round(n / wall, 1), "per_core": round(n / wall / workers, 1),
           "steady_per_core": round(n / result["seconds"] / workers, 1), "per_cpu_second": round(n / cpu, 1)}
    print(f"batch CLI, CSV → CSV, {workers} process(es): {n:,} queries in {wall:.1f}s from the command's start = "
          f"{row['qps']:,.0f} queries/s ({row['per_core']:,.0f} per core; {row['steady_per_core']:,.0f} per core "
          f"without the interpreter's start and imports; {row['per_cpu_second']:,.0f} per CPU-second)")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=REPO / "artifacts" / "screen-bench.duckdb")
    parser.add_argument("--rebuild", action="store_true", help="ingest and resolve again")
    parser.add_argument("--negatives", type=int, default=None, help="only the first N negatives")
    parser.add_argument("--peer-negatives", type=int, default=2000, help="negatives the peer scores")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-peer-own", action="store_true", help="skip the peer's own pre-selection run")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--batch-rows", type=int, default=200_000,
                        help="also a batch of this many recombined distinct queries on 2 processes (0: skip)")
    parser.add_argument("--json", type=Path, default=REPO / "artifacts" / "screen-bench.json")
    args = parser.parse_args()
    data = shared_data()
    folder = data / "opensanctions-yente" / "screening"
    if not folder.is_dir():
        sys.exit(f"skipped: {folder} is absent (../shared/data is needed for this benchmark)")
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count()}
    if args.rebuild or not args.db.exists():
        print(f"building {args.db}: ingest congress-legislators, UN 2018, OFAC 2024 and resolve …", flush=True)
        report["store"] = build_store(args.db, data)
        print(f"  {report['store']}")
    with Graph(args.db, read_only=True) as graph:
        started = time.perf_counter()
        info = graph.build_index()
        report["index"] = {"entities": info.entities, "keys": info.keys, "bytes": info.bytes,
                           "build_seconds": round(time.perf_counter() - started, 1)}
        loads = []
        for _ in range(5):
            started = time.perf_counter()
            ScreenIndex(graph.index_path).close()
            loads.append(time.perf_counter() - started)
        report["index"]["load_ms"] = round(statistics.median(loads) * 1000, 2)
        print(f"index: {info.entities:,} entities, {info.keys:,} keys, {info.bytes / 1e6:.1f} MB, built in "
              f"{report['index']['build_seconds']}s, opens in {report['index']['load_ms']} ms (median of 5)")
        congress = read_fixture(folder / FIXTURES[0])
        un = read_fixture(folder / FIXTURES[1])
        negatives = read_fixture(folder / FIXTURES[2], args.negatives)
        truth_congress = congress_truth(congress, people(graph, "us_congress"))
        truth_un = un_truth(un, people(graph, "un_sc"))
        index_file = graph.index_path

    screener = Screener(ScreenIndex(index_file))
    subject_from_properties("Person", {"name": ["Warm Up"]})  # rigour's tagger loads on first use
    out_c, lat_c, _ = run_ours(screener, congress)
    out_u, lat_u, _ = run_ours(screener, un)
    screener = Screener(ScreenIndex(index_file))  # cold caches for the negatives' timing
    out_n, lat_n, cpu_n = run_ours(screener, negatives)
    fc, tc, missed_c = recall(out_c, truth_congress)
    fu, tu, missed_u = recall(out_u, truth_un)
    fp = sum(1 for hits in out_n if any(m for _, _, m in hits))
    lat_all = sorted(lat_c + lat_u + lat_n)
    report["ours"] = {
        "congress_recall": [fc, tc, len(congress)], "un_recall": [fu, tu, len(un)], "false_positives": [fp, len(negatives)],
        "p50_ms": round(lat_all[len(lat_all) // 2] * 1000, 3), "p95_ms": round(lat_all[int(len(lat_all) * 0.95)] * 1000, 3),
        "in_process_qps": round(len(lat_n) / sum(lat_n), 1), "in_process_qps_cpu": round(len(lat_n) / cpu_n, 1),
    }
    print()
    print(f"pepgraph-v1  congress recall {pct(fc, tc)} of {len(congress):,} rows ({tc:,} resolvable)")
    print(f"pepgraph-v1  UN recall       {pct(fu, tu)} of {len(un):,} rows ({tu:,} resolvable)")
    print(f"pepgraph-v1  false positives {pct(fp, len(negatives))}")
    print(f"pepgraph-v1  single queries in process: p50 {report['ours']['p50_ms']} ms, p95 {report['ours']['p95_ms']} ms; "
          f"{report['ours']['in_process_qps']:,} queries/s on one core (negatives, end to end from the row; "
          f"{report['ours']['in_process_qps_cpu']:,} per CPU-second)")
    report["missed"] = {
        "congress": [congress[i]["full_name"] + " " + congress[i]["date_of_birth"] for i in missed_c],
        "un": [un[i]["full_name"] + " " + un[i]["date_of_birth"] for i in missed_u],
        "false_positives": [negatives[i]["full_name"] for i, hits in enumerate(out_n) if any(m for _, _, m in hits)],
    }

    if not args.no_batch:
        with tempfile.TemporaryDirectory() as tmp:
            inp = Path(tmp) / "negatives.csv"
            with open(inp, "w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(negatives[0]))
                writer.writeheader()
                writer.writerows(negatives)
            report["batch"] = {}
            for workers in (1, 2):
                report["batch"][workers] = run_cli_batch(args.db, inp, Path(tmp) / f"out{workers}.csv", workers)
            if args.batch_rows:  # a longer file: how the fixed start-up amortises
                big = Path(tmp) / "recombined.csv"
                write_recombined(negatives, big, args.batch_rows)
                report["batch"][f"2x{args.batch_rows}"] = run_cli_batch(args.db, big, Path(tmp) / "big.csv", 2)

    if not args.no_peer:
        run_peers(args, report, index_file, congress, un, negatives, truth_congress, truth_un, out_n)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"\nfull results (with every miss) in {args.json}")


if __name__ == "__main__":
    main()
