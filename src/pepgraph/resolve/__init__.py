"""Resolution: which source records describe the same person or organisation.

``resolve(store)`` builds linkage rows, scores candidate pairs with the stored (or newly trained)
Splink model, adds hard evidence (an equal strong identifier links; conflicting identifiers or
birth years far apart never do), applies the judgements in force, clusters under their
constraints, and rewrites ``canonical_id`` on the statements in one transaction, keeping a
redirect for every canonical id that disappears.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from datetime import UTC, datetime
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pepgraph import settings
from pepgraph.resolve import relatives
from pepgraph.resolve.cluster import FUZZY_NAME_LEVELS, cluster, redirects
from pepgraph.resolve.judgements import latest
from pepgraph.resolve.model import (
    TRAIN_CAP_MB, explanation, has_current_levels, level_factors, make_model, predict_batches, train,
)
from pepgraph.resolve.rows import DEFAULT_KEY_CAP, build_rows
from pepgraph.store import Store

DEFAULT_THRESHOLD = 0.8  # the model is calibrated (see model.correct_u): 0.8 gave the best F1 on generated data, the same on EveryPolitician and FEBRL
REVIEW_FLOOR = 0.2  # pairs kept for review and explanations start here
#: pairs from this score up may be linked through relatives (relatives.py); under REVIEW_FLOOR
#: only those that are are kept. On 100,000 generated key persons every link made from 0.001 up
#: was right (164 links from 0.02, 190 from 0.001: docs/benchmarks.md, "Relatives as evidence")
RELATIVES_FLOOR = 0.01
MAX_BIRTH_GAP = 5  # years: records born further apart are never the same person...
#: ...unless everything else alone is decisive: the pair's match weight without the birth
#: comparison (a shared id number, name and address) is at least this. A wrong birth date is a
#: common clerical error; a shared id number, name and address by chance is not. 9 bits is odds
#: of 500 to 1 (probability 0.998); at 10, five FEBRL4 pairs with the same id number and address,
#: a replaced name and a wrong birth date fell 0.05 bit short (FEBRL4 F1 0.9987 -> 0.9992, FEBRL3
#: 0.9957 -> 0.9969; nothing changed on EveryPolitician or the generated data).
BIRTH_VETO_OVERRIDE = 9.0
#: schemes whose values, when both records have one and none is shared, forbid a link
CONFLICT_SCHEMES = ("wikidata", "bioguide", "icpsr", "govtrack", "lis", "thomas")


@dataclass
class ResolveResult:
    records: int = 0
    model_pairs: int = 0
    identifier_links: int = 0
    judged_same: int = 0
    judged_different: int = 0
    candidate_pairs: int = 0  # distinct pairs blocking gave the model to score
    vetoed: int = 0  # model pairs dropped by conflicting identifiers or birth years
    #: pairs under the threshold linked because a relative of each is in one cluster (relatives.py)
    relative_links: int = 0
    clusters: int = 0
    merged: int = 0
    redirects: int = 0
    trained: bool = False
    notes: list[str] = field(default_factory=list)
    capped_keys: list[tuple[str, int]] = field(default_factory=list)
    #: sources whose 1 January birth dates were read as years -> their share of such dates
    year_as_date: dict[str, float] = field(default_factory=dict)
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: wall seconds per phase (rows, training, scoring, clustering, writing): where a slow resolve
    #: spends its time
    phases: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _stored_model(store: Store) -> dict[str, Any] | None:
    row = store.con.execute("SELECT model FROM resolver_models ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0]) if row else None


def _conflict(ids_a: list[str] | None, ids_b: list[str] | None) -> str | None:
    """Why two records cannot be one person: a scheme both have with no value in common. A shared
    strong identifier outweighs that: Wikidata merges duplicate items (EveryPolitician 2015 still
    gives Dan Sullivan's old QID beside his bioguide id) and ICPSR gives a member who changes
    party a new number (Richard Shelby)."""
    if not ids_a or not ids_b or set(ids_a) & set(ids_b):
        return None
    by_a: dict[str, set[str]] = {}
    by_b: dict[str, set[str]] = {}
    for item in ids_a:
        scheme, _, value = item.partition(":")
        by_a.setdefault(scheme, set()).add(value)
    for item in ids_b:
        scheme, _, value = item.partition(":")
        by_b.setdefault(scheme, set()).add(value)
    for scheme in CONFLICT_SCHEMES:
        if scheme in by_a and scheme in by_b and not by_a[scheme] & by_b[scheme]:
            return f"different {scheme} ids"
    return None


#: the comparisons one of which must agree for the override: a name alone, however rare, with a
#: country is a namesake born apart (EveryPolitician's "IVAN GEORGIEV IVANOV", born 1949 and 1957,
#: had passed the override on the name's weight)
CORROBORATING = ("number", "address")


def _overrides_birth_gap(match_weight: float, weights: dict[str, float]) -> bool:
    """Whether a pair born more than MAX_BIRTH_GAP years apart links anyway: its weight without
    the birth comparison is decisive and an id number or address agrees (``weights``: the
    comparisons' match weights in bits, as ``explanation`` gives them)."""
    corroborated = any(weights.get(name, 0.0) > 0 for name in CORROBORATING)
    return corroborated and match_weight - weights.get("birth", 0.0) >= BIRTH_VETO_OVERRIDE


def _decisive_without_birth(row: dict[str, Any]) -> bool:
    weights = {name: math.log2(float(row.get(f"bf_{name}") or 1.0)) for name in ("birth", *CORROBORATING)}
    return _overrides_birth_gap(float(row["match_weight"]), weights)


def resolve(
    store: Store, threshold: float = DEFAULT_THRESHOLD, retrain: bool = False, key_cap: int = DEFAULT_KEY_CAP,
    phase: Callable[[str], None] | None = None,
) -> ResolveResult:
    """``phase`` is called with the name of each phase as it starts (for a progress display)."""
    started = time.monotonic()
    result = ResolveResult()
    current, since = "", started

    def enter(name: str) -> None:
        nonlocal current, since
        now = time.monotonic()
        if current:
            result.phases[current] = round(now - since, 2)
        current, since = name, now
        if phase and name:
            phase(name)

    engine = settings.resolve_engine()
    if engine == "spark":
        from pepgraph.resolve import spark

        spark.check()  # now, not after the rows and training
    enter("rows")
    # The linkage rows go to a Parquet file that training and the engine read, and never sit whole
    # in this process's memory: at 2.4 million key persons they are ~6 GB as Arrow, and held here
    # beside training's and the engine's DuckDB they took resolve past 22 GB. The pairs kept for
    # review and explanations go to a Parquet file too, batch by batch, read into the store in the
    # writing transaction (their explanations are ~400 bytes of JSON a pair).
    work = tempfile.mkdtemp(prefix="pepgraph-resolve-work-")
    rows_path = os.path.join(work, "rows.parquet")
    pairs_path = os.path.join(work, "pairs.parquet")
    model = writer = None
    try:
        rows = build_rows(store, key_cap=key_cap, out=rows_path)
        result.records = rows.records
        result.capped_keys = rows.report()
        result.year_as_date = rows.year_as_date
        for dataset, share in rows.year_as_date.items():
            result.notes.append(f"{dataset}: {share:.1%} of its full birth dates are 1 January; "
                                "there they are read as the year alone")
        if rows.records == 0:
            result.notes.append("no persons or organisations to resolve")
            return result
        stored = None if retrain else _stored_model(store)
        if stored is not None and not has_current_levels(stored):
            result.notes.append("the stored model predates this version's comparison levels: retrained")
            stored = None
        judged = latest(store)
        # per record only what the vetoes and clusters need, and only where present: one dict per
        # record of every column had taken gigabytes at a million records
        records, ids, births, countries = _record_facts(
            pq.read_table(rows_path, columns=["unique_id", "ids", "birth_year", "birth_full", "countries"]))
        common_keys, count = rows.common_keys, rows.records
        del rows
        kin = relatives.load(store)
        _release_memory(store)
        # Arrow's allocator keeps what it frees for reuse; nothing here needs it again
        pa.default_memory_pool().release_unused()
        if stored is None:
            enter("training")
            stored = _train(rows_path, count, [pair for pair, j in judged.items() if j == "same"], result)
            result.trained = True
        model = make_model(rows_path, stored)
        writer = pq.ParquetWriter(pairs_path, PAIR_SCHEMA, compression="zstd")
        qids = {k: [i.split(":", 1)[1] for i in v if i.startswith("wikidata:")] for k, v in ids.items()}
        qids = {k: v for k, v in qids.items() if v}

        edges: list[tuple[str, str, float, str]] = []
        fuzzy: set[tuple[str, str]] = set()  # model links made on a loose name match (cluster.py)
        kept_pairs: list[tuple[str, str, float, float, str, str]] = []
        # pairs under the threshold whose records both have relatives: the second pass may link
        # them (relatives.py); (a, b, probability, match weight, explanation JSON, loose name
        # match); JSON, not dicts, since at 2.4 million key persons they are hundreds of thousands
        near: list[tuple[str, str, float, float, str, bool]] = []
        factors = level_factors(model)
        enter("scoring")

        def scored(done: int, parts: int, pairs: int) -> None:
            result.candidate_pairs += pairs
            if phase and parts > 1:
                phase(f"scoring, part {done} of {parts} ({result.candidate_pairs:,} pairs)")

        floor = min(REVIEW_FLOOR, RELATIVES_FLOOR) if kin else REVIEW_FLOOR
        related = pa.array(list(kin), pa.string()) if floor < REVIEW_FLOOR else None
        batches = (spark.predict_batches(model, rows_path, floor, progress=scored) if engine == "spark"
                   else predict_batches(model, floor, progress=scored))
        for batch in batches:
            if related is not None:  # under the review floor, only pairs that relatives may link
                batch = batch.filter(pc.or_(
                    pc.greater_equal(batch.column("match_probability"), REVIEW_FLOOR),
                    pc.and_(pc.is_in(batch.column("unique_id_l"), value_set=related),
                            pc.is_in(batch.column("unique_id_r"), value_set=related))))
            for row in batch.to_pylist():
                a, b = sorted((row["unique_id_l"], row["unique_id_r"]))
                why = _conflict(ids.get(a), ids.get(b))
                ya, yb = births.get(a, (None,))[0], births.get(b, (None,))[0]
                if why is None and ya and yb and abs(ya - yb) > MAX_BIRTH_GAP and not _decisive_without_birth(row):
                    why = f"born {abs(ya - yb)} years apart"
                prob = float(row["match_probability"])
                if why and prob < REVIEW_FLOOR:
                    continue
                expl = explanation(row, factors)
                if why:
                    expl["veto"] = why
                    if prob >= threshold:
                        result.vetoed += 1
                elif prob >= threshold:
                    edges.append((a, b, prob, "model"))
                    result.model_pairs += 1
                    if expl.get("name", {}).get("level", "").startswith(FUZZY_NAME_LEVELS):
                        fuzzy.add((a, b))
                elif a in kin and b in kin:
                    near.append((a, b, prob, float(row["match_weight"]), json.dumps(expl),
                                 expl.get("name", {}).get("level", "").startswith(FUZZY_NAME_LEVELS)))
                    continue
                kept_pairs.append((a, b, prob, float(row["match_weight"]), "model", json.dumps(expl)))
            writer.write_table(_pair_table(kept_pairs))
            kept_pairs.clear()

        id_pairs = model.con.execute(
            """
            WITH x AS (SELECT unique_id, unnest(ids) AS ident FROM linkage_rows WHERE ids IS NOT NULL)
            SELECT DISTINCT least(a.unique_id, b.unique_id), greatest(a.unique_id, b.unique_id), a.ident
            FROM x a JOIN x b ON a.ident = b.ident AND a.unique_id < b.unique_id
            """
        ).fetchall()
        for a, b, ident in id_pairs:
            if _conflict(ids.get(a), ids.get(b)) is None:
                edges.append((a, b, 1.0, "identifier"))
                kept_pairs.append((a, b, 1.0, 99.0, "identifier", json.dumps({"identifier": ident})))
                result.identifier_links += 1

        different = [pair for pair, j in judged.items() if j == "different"]
        for (a, b), j in judged.items():
            if j == "same":
                edges.append((a, b, 1.0, "judgement"))
                result.judged_same += 1
        result.judged_different = len(different)

        writer.write_table(_pair_table(kept_pairs))
        kept_pairs.clear()

        enter("clustering")
        linked = edges + [(a, b, p, "relatives") for a, b, p, _w, _e, _loose in near]
        names, sources = (_linked_names(model, linked) if fuzzy or any(pair[5] for pair in near)
                          else (None, None))
        del linked
        # the engine is done: its memory (up to PEPGRAPH_RESOLVE_MEMORY) is free for the rest
        trained = model.to_json()
        model.close()
        model = None
        clusters = partial(cluster, births=births, max_birth_gap=MAX_BIRTH_GAP, countries=countries,
                           identifiers=ids, conflict=_conflict, names=names, sources=sources)
        done = clusters(records, edges, different, qids, fuzzy=fuzzy)
        if near:
            # the second pass: relatives in one cluster link a pair the model left under the threshold
            added: list[tuple[str, str, float, str]] = []
            for a, b, prob, weight, text, loose in near:
                found = relatives.shared(a, b, kin, done.mapping)
                evidence = "model"
                if found is not None:
                    expl = json.loads(text)
                    expl["relatives"] = {"kind": found[0], "left": found[1], "right": found[2]}
                    text = json.dumps(expl)
                    added.append((a, b, prob, "relatives"))
                    evidence = "relatives"
                    if loose:
                        fuzzy.add((a, b))
                elif prob < REVIEW_FLOOR:
                    continue
                kept_pairs.append((a, b, prob, weight, evidence, text))
            writer.write_table(_pair_table(kept_pairs))
            result.relative_links = len(added)
            if added:
                done = clusters(records, edges + added, different, qids, fuzzy=fuzzy)
        writer.close()
        del kept_pairs, near, kin
        result.clusters, result.merged, result.refused = done.clusters, done.merged, done.refused
        mapping = done.mapping
        del done, edges, fuzzy, names, sources, records, ids, births, countries, qids, clusters
        enter("writing")
        result.redirects = _write(store, mapping, pairs_path, trained, result, common_keys)
    finally:
        if writer is not None:
            writer.close()
        if model is not None:
            model.close()  # and its spill directory, whatever happened
        shutil.rmtree(work, ignore_errors=True)
    enter("")
    result.seconds = round(time.monotonic() - started, 2)
    return result


#: Training runs on a uniform sample of this many records at most. EM's blocks (same sorted name,
#: same birth date) grow with the square of their size: on 1.64 million generated records training
#: on all of them had not finished after 16 minutes. A uniform sample keeps what training
#: estimates: m and u are per pair, and the share of pairs that match falls with the sample's
#: true pairs (f^2) as fast as the number of pairs does.
TRAIN_SAMPLE = 200_000
#: From this many records training runs in a process of its own, whose memory (Splink's tables,
#: the sample) goes back to the system when it ends; below, the process start (2-3 s of imports)
#: would cost more than it saves.
TRAIN_APART_FROM = 500_000


def _train(rows_path: str, count: int, judged_same: list[tuple[str, str]], result: ResolveResult) -> dict[str, Any]:
    """A newly trained model (Splink's JSON), on all rows or a sample with every judged record."""
    if count < TRAIN_APART_FROM:
        trained, notes = _train_rows(rows_path, count, judged_same)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from pepgraph.errors import PepgraphError

        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            try:
                trained, notes = pool.submit(_train_rows, rows_path, count, judged_same).result()
            except BrokenProcessPool as exc:
                raise PepgraphError(
                    f"resolve: training on {count:,} records ended without a model (its process was killed, "
                    "most often for memory; set PEPGRAPH_RESOLVE_MEMORY lower)") from exc
    result.notes.extend(notes)
    return trained


def _train_rows(rows_path: str, count: int, judged_same: list[tuple[str, str]]) -> tuple[dict[str, Any], list[str]]:
    """Train on the rows in ``rows_path`` (all ``count`` of them, or a uniform sample of
    ``TRAIN_SAMPLE`` plus every judged record): the model's JSON and notes for the result."""
    import numpy as np

    notes: list[str] = []
    if count > TRAIN_SAMPLE:
        rng = np.random.default_rng(42)
        picked = set(rng.choice(count, size=TRAIN_SAMPLE, replace=False).tolist())
        judged_ids = {x for pair in judged_same for x in pair}
        if judged_ids:
            ids = pq.read_table(rows_path, columns=["unique_id"])["unique_id"].to_pylist()
            picked |= {i for i, rec in enumerate(ids) if rec in judged_ids}
            del ids
        mask = np.zeros(count, dtype=bool)
        mask[sorted(picked)] = True
        # batch by batch, a slice of the mask each: the file is never whole in memory
        parts, start = [], 0
        for batch in pq.ParquetFile(rows_path).iter_batches(batch_size=100_000):
            parts.append(batch.filter(pa.array(mask[start:start + batch.num_rows])))
            start += batch.num_rows
        sample: Any = pa.Table.from_batches(parts)
        del parts
        notes.append(f"trained on a sample of {sample.num_rows:,} of {count:,} records")
    else:
        sample = rows_path
    trainer = make_model(sample, None, cap_mb=TRAIN_CAP_MB)
    try:
        notes.extend(train(trainer, judged_same=judged_same))
        return trainer.to_json(), notes
    finally:
        trainer.close()


def _release_memory(store: Store) -> None:
    """Let the store's DuckDB give back the pages it cached while the rows were read: its buffer
    pool keeps them up to its memory limit (8 GB at most), though nothing reads the store again
    until writing. Lowering the limit evicts them (3.7 GB -> 0.2 GB in a test); it is put back
    at once."""
    con = store.con
    try:
        con.execute("SET memory_limit = '64MB'")
    except Exception:  # memory still pinned: nothing is lost but the saving
        pass
    finally:
        con.execute(f"SET memory_limit = '{store.memory_limit}'")


def _linked_names(model: Any, edges: list[tuple[str, str, float, str]],
                  ) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """The names and the dataset of every record that some link touches, for the clustering's
    rule on names; names as (script, Latin form with word order folded), the script that of the
    record's first name as its source writes it. Records no link touches stay alone and need none."""
    import pyarrow as pa

    from pepgraph.names.translit import dominant_script

    linked = pa.table({"unique_id": sorted({x for a, b, _p, _e in edges for x in (a, b)})})
    model.con.register("_linked", linked)
    try:
        query = model.con.sql("SELECT r.unique_id, r.display, r.names, r.dataset FROM linkage_rows r "
                              "JOIN _linked USING (unique_id) WHERE r.names IS NOT NULL")
        names: dict[str, list[tuple[str, str]]] = {}
        sources: dict[str, str] = {}
        for batch in query.to_arrow_reader(100_000):
            for rec, display, found, dataset in zip(*(batch.column(i).to_pylist() for i in range(4))):
                script = dominant_script((display or "").split())
                names[rec] = sorted({(script, " ".join(sorted(n.split()))) for n in found})
                sources[rec] = dataset
    finally:
        model.con.unregister("_linked")
    return names, sources


def _record_facts(table: Any) -> tuple[list[str], dict[str, list[str]], dict[str, tuple[int | None, list[str]]],
                                       dict[str, list[str]]]:
    """Every record id; strong ids of the records that have any; (birth year, full dates) of the
    records that have either; countries of the records that have any."""
    import pyarrow.compute as pc

    # select, then filter: a filter copies every column it is given (the whole table, 2 GB at
    # 500,000 records, had been copied three times for three columns)
    records = table["unique_id"].to_pylist()
    with_ids = table.select(["unique_id", "ids"]).filter(pc.is_valid(table["ids"]))
    ids = dict(zip(with_ids["unique_id"].to_pylist(), with_ids["ids"].to_pylist()))
    dated = table.select(["unique_id", "birth_year", "birth_full"]).filter(
        pc.or_(pc.is_valid(table["birth_year"]), pc.is_valid(table["birth_full"])))
    births = {k: (y, full or []) for k, y, full in zip(
        dated["unique_id"].to_pylist(), dated["birth_year"].to_pylist(), dated["birth_full"].to_pylist())}
    placed = table.select(["unique_id", "countries"]).filter(pc.is_valid(table["countries"]))
    countries = dict(zip(placed["unique_id"].to_pylist(), placed["countries"].to_pylist()))
    return records, ids, births, countries


PAIR_SCHEMA = pa.schema([("left_id", pa.string()), ("right_id", pa.string()), ("probability", pa.float64()),
                         ("match_weight", pa.float64()), ("evidence", pa.string()), ("explanation", pa.string())])


def _pair_table(pairs: list[tuple[str, str, float, float, str, str]]) -> pa.Table:
    """Scored pairs (left, right, probability, match weight, evidence, explanation JSON) as rows of
    ``resolve_pairs``."""
    return pa.table([list(col) for col in zip(*pairs)] if pairs else [[] for _ in PAIR_SCHEMA], schema=PAIR_SCHEMA)


def _write(store: Store, mapping: dict[str, str], pairs_path: str, trained: dict[str, Any], result: ResolveResult,
           common_keys: dict[str, int]) -> int:
    con = store.con
    old = dict(con.execute(
        "SELECT entity_id, min(canonical_id) FROM statements WHERE prop = 'id' GROUP BY entity_id"
    ).fetchall())
    moved = redirects({k: v for k, v in old.items() if k in mapping}, mapping)
    table = pa.table({"entity_id": list(mapping), "canonical_id": list(mapping.values())})
    now = datetime.now(UTC).replace(tzinfo=None)
    moved_table = pa.table({"old_id": list(moved), "new_id": list(moved.values())},
                           schema=pa.schema([("old_id", pa.string()), ("new_id", pa.string())]))
    common_table = pa.table({"key": list(common_keys), "records": list(common_keys.values())},
                            schema=pa.schema([("key", pa.string()), ("records", pa.int64())]))
    con.register("_mapping", table)
    con.register("_moved", moved_table)
    con.register("_common", common_table)
    try:
        with store.transaction():
            con.execute(
                "UPDATE statements SET canonical_id = m.canonical_id FROM _mapping m "
                "WHERE statements.entity_id = m.entity_id AND statements.canonical_id <> m.canonical_id"
            )
            # set-based (one statement each, not three per id: a first resolve moves nearly every
            # record's id, and 90,000 single statements took 40 s of a 110 s resolve of 33k records).
            # Gone ids are never current and successors always are, so the order does not matter.
            # Earlier redirects that pointed at an id now gone follow it to its successor.
            con.execute(
                "UPDATE canonical_redirects SET new_id = mv.new_id FROM _moved mv WHERE canonical_redirects.new_id = mv.old_id"
            )
            con.execute("DELETE FROM canonical_redirects WHERE old_id IN (SELECT old_id FROM _moved)")
            con.execute("INSERT INTO canonical_redirects SELECT old_id, new_id, ? FROM _moved", [now])
            con.execute("DELETE FROM canonical_redirects WHERE old_id IN (SELECT canonical_id FROM _mapping)")
            con.execute("DELETE FROM resolve_pairs")
            con.execute("INSERT INTO resolve_pairs SELECT * FROM read_parquet(?)", [pairs_path])
            con.execute("DELETE FROM resolve_common_keys")
            con.execute("INSERT INTO resolve_common_keys SELECT key, records FROM _common")
            if result.trained:
                con.execute(
                    "INSERT INTO resolver_models VALUES ((SELECT coalesce(max(id), 0) + 1 FROM resolver_models), ?, ?, ?)",
                    [now, result.records, json.dumps(trained)],
                )
            con.execute(
                "INSERT INTO resolve_runs VALUES ((SELECT coalesce(max(id), 0) + 1 FROM resolve_runs), ?, ?, ?, ?, ?, ?, ?)",
                [now, datetime.now(UTC).replace(tzinfo=None), result.records, result.model_pairs,
                 result.clusters, result.merged, json.dumps({"notes": result.notes, "vetoed": result.vetoed,
                                                              "relative_links": result.relative_links,
                                                              "candidate_pairs": result.candidate_pairs,
                                                              "phases": dict(result.phases),
                                                              "year_as_date": result.year_as_date})],
            )
    finally:
        con.unregister("_mapping")
        con.unregister("_moved")
        con.unregister("_common")
    return len(moved)


def explain(store: Store, a: str, b: str) -> dict[str, Any]:
    """How the stored model scores two records, comparison by comparison (a Splink waterfall),
    with any identifier link or veto and the judgement in force."""
    from pepgraph.errors import NotFound
    from pepgraph.resolve.judgements import _source_id
    from pepgraph.resolve.model import compare_records

    left, right = sorted((_source_id(store, a), _source_id(store, b)))
    rows = build_rows(store, only=[left, right])
    assert rows.table is not None  # built in memory: no ``out``
    found = {r["unique_id"]: r for r in rows.table.to_pylist()}
    for rec in (left, right):
        if rec not in found:
            raise NotFound(f"{rec} is not a person or organisation with a name")
    stored = _stored_model(store)
    model = make_model(rows.table, stored)
    try:
        out = compare_records(model, found[left], found[right])
    finally:
        model.close()
    ya, yb = found[left]["birth_year"], found[right]["birth_year"]
    veto = _conflict(found[left]["ids"], found[right]["ids"])
    weights = {name: level["weight"] for name, level in out["comparisons"].items()}
    if veto is None and ya and yb and abs(ya - yb) > MAX_BIRTH_GAP and not _overrides_birth_gap(
            float(out["match_weight"]), weights):
        veto = f"born {abs(ya - yb)} years apart"
    shared = sorted(set(found[left]["ids"] or []) & set(found[right]["ids"] or []))
    # the relatives' second pass is not a comparison of the two records: the latest resolve says
    stored_pair = store.con.execute(
        "SELECT explanation FROM resolve_pairs WHERE left_id = ? AND right_id = ? AND evidence = 'relatives'",
        [left, right]).fetchone()
    out.update({
        "relatives": json.loads(stored_pair[0]).get("relatives") if stored_pair else None,
        "left": left, "right": right, "trained_model": stored is not None,
        "left_name": found[left]["display"], "right_name": found[right]["display"],
        "identifier": shared[0] if shared and veto is None else None, "veto": veto,
        "judgement": latest(store).get((left, right)),
        "same_cluster": _canonical(store, left) == _canonical(store, right),
    })
    return out


def _canonical(store: Store, entity_id: str) -> str | None:
    row = store.con.execute("SELECT min(canonical_id) FROM statements WHERE entity_id = ?", [entity_id]).fetchone()
    return row[0] if row else None


def review_queue(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """Model pairs of the latest resolve that no judgement covers, most uncertain first."""
    return store.query(
        """
        SELECT p.* FROM resolve_pairs p
        LEFT JOIN judgements j ON j.left_id = p.left_id AND j.right_id = p.right_id
        WHERE p.evidence IN ('model', 'relatives') AND j.id IS NULL
        ORDER BY abs(p.match_weight), p.left_id, p.right_id
        LIMIT ?
        """,
        [limit],
    )
