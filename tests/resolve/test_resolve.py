"""Resolution on a real store: the built-in sample (three sources, several scripts)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pepgraph import Graph
from pepgraph.sample import DATASETS, write_sample


@pytest.fixture()
def graph(tmp_path: Path):
    write_sample(tmp_path / "sample")
    g = Graph(tmp_path / "s.duckdb")
    for dataset, (name, _) in DATASETS.items():
        g.ingest(tmp_path / "sample" / name, dataset=dataset)
    yield g
    g.close()


def canon(graph: Graph, entity_id: str) -> str:
    entity = graph.entity(entity_id)
    assert entity is not None
    return entity["id"]


def test_resolve_links_across_sources_scripts_and_name_order(graph: Graph) -> None:
    result = graph.resolve()
    assert result.records == 14 and result.trained  # 13 people, 1 company
    # "Ivan Petrovich Sidorenko / Иван Петрович Сидоренко" and "SIDORENKO, Ivan", same birth date
    assert canon(graph, "reg-p1") == canon(graph, "san-3")
    # "Wang Jianguo / 王建国" and "Jianguo WANG"
    assert canon(graph, "reg-p3") == canon(graph, "press-1")
    # the namesake born 11 years later is never linked (birth years far apart)
    assert canon(graph, "reg-p7") != canon(graph, "press-4")
    # a merged profile shows each value with its sources from both datasets
    merged = graph.entity("san-3")
    assert merged is not None and set(merged["datasets"]) == {"sample_registry", "sample_sanctions"}
    assert {"reg-p1", "san-3"} <= set(merged["referents"]) | {merged["id"]}


def test_resolve_reports_its_phases_in_order_with_their_times(graph: Graph) -> None:
    seen: list[str] = []
    result = graph.resolve(phase=seen.append)
    assert seen == ["rows", "training", "scoring", "clustering", "writing"]
    assert list(result.phases) == seen and all(t >= 0 for t in result.phases.values())
    # each phase and the total are rounded to 0.01 s: the sum may pass the total by half a unit each
    assert sum(result.phases.values()) <= result.seconds + 0.005 * (len(result.phases) + 1)
    logged = graph.store.con.execute("SELECT details FROM resolve_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert list(json.loads(logged)["phases"]) == seen[:-1]  # the run's log is written in "writing"
    again = graph.resolve(phase=None)  # the stored model: no training phase
    assert list(again.phases) == ["rows", "scoring", "clustering", "writing"]


def test_a_large_store_is_trained_on_a_sample_that_keeps_judged_records(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pepgraph.resolve as resolution

    seen: list[int] = []
    real = resolution.make_model

    def spy(rows: Any, stored: Any = None, **kwargs: Any) -> Any:
        # the trainer's sample as Arrow; the engine's rows as the Parquet file resolve wrote
        table = pq.read_table(rows) if isinstance(rows, str) else rows
        seen.append(table.num_rows)
        if stored is None:  # the trainer: it sees the judged records whatever the sample drew
            assert {"reg-p4", "press-2"} <= set(table["unique_id"].to_pylist())
        return real(rows, stored, **kwargs)

    graph.judge("reg-p4", "press-2", "same")
    monkeypatch.setattr(resolution, "TRAIN_SAMPLE", 6)
    monkeypatch.setattr(resolution, "make_model", spy)
    result = graph.resolve(reclassify=False)
    assert result.trained and any("trained on a sample of" in n and "of 14 records" in n for n in result.notes)
    assert seen[0] in (6, 7, 8) and seen[1] == 14  # trainer on the sample, then scoring on every record
    assert canon(graph, "reg-p4") == canon(graph, "press-2")


def test_a_large_store_is_trained_in_a_process_of_its_own_with_the_same_model(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From TRAIN_APART_FROM records training runs in a spawned process (its memory goes back
    to the system when it ends); what it learns is what training here learns."""
    from concurrent.futures import ProcessPoolExecutor

    import pepgraph.resolve as resolution

    here = graph.resolve(reclassify=False, retrain=True)
    model_here = graph.store.con.execute("SELECT model FROM resolver_models ORDER BY id DESC LIMIT 1").fetchone()[0]
    submitted: list[str] = []
    real_submit = ProcessPoolExecutor.submit

    def submit(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(fn.__name__)
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(resolution, "TRAIN_APART_FROM", 0)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    apart = graph.resolve(reclassify=False, retrain=True)
    assert submitted == ["_train_rows"]
    model_apart = graph.store.con.execute("SELECT model FROM resolver_models ORDER BY id DESC LIMIT 1").fetchone()[0]
    learnt = [{k: v for k, v in json.loads(m).items() if k != "linker_uid"} for m in (model_here, model_apart)]
    assert apart.trained and learnt[0] == learnt[1]
    assert (apart.clusters, apart.merged) == (here.clusters, here.merged)


def test_rows_read_in_parts_are_the_rows_read_at_once(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """build_rows reads the store in ranges of entity ids (PART_RECORDS records a query, for
    memory); the rows, and their order, are those of one query over every record."""
    from pepgraph.resolve import rows

    def canonical(table: Any) -> list[tuple[Any, ...]]:  # lists gathered without ORDER BY may come in any order
        return [tuple(sorted(v, key=repr) if isinstance(v, list) else v for v in r.values()) for r in table.to_pylist()]

    whole = canonical(rows.build_rows(graph.store).table)
    monkeypatch.setattr(rows, "PART_RECORDS", 3)
    parted = canonical(rows.build_rows(graph.store).table)
    assert len(whole) == 14 and parted == whole


def test_rows_capped_a_few_at_a_time_are_the_rows_capped_at_once(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """build_rows counts keys over all rows (in DuckDB, over its Parquet file of them), then caps
    the rows CAP_BATCH at a time into ``out``: what a key's count drops, it drops from every
    batch."""
    import pyarrow.parquet as pq

    from pepgraph.resolve import rows

    at_once = rows.build_rows(graph.store, key_cap=2)
    assert at_once.capped_keys  # keys held by more than 2 of the 14 records are dropped
    monkeypatch.setattr(rows, "CAP_BATCH", 3)
    out = str(tmp_path / "rows.parquet")
    batched = rows.build_rows(graph.store, key_cap=2, out=out)
    assert batched.table is None and batched.records == at_once.records == 14
    assert pq.read_table(out).to_pylist() == at_once.table.to_pylist()
    assert (batched.capped_keys, batched.common_keys) == (at_once.capped_keys, at_once.common_keys)
    dropped = set(at_once.capped_keys)
    assert not any(dropped & set(r["keys"]) for r in at_once.table.to_pylist())


def test_resolve_empties_the_stores_cache_and_keeps_its_memory_limit(graph: Graph) -> None:
    con = graph.store.con
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    graph.resolve(reclassify=False)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
    assert con.execute("SELECT count(*) FROM statements").fetchone()[0] > 0  # the store still works


def test_training_runs_under_a_smaller_engine_limit_than_scoring(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splink's u estimate fills whatever memory the engine may use, with the same model under
    1 GB as under 6 GB: training gets TRAIN_CAP_MB, scoring ENGINE_CAP_MB, unless
    PEPGRAPH_RESOLVE_MEMORY says otherwise. Counting the rows' blocking keys runs under
    training's limit too."""
    import pepgraph.resolve as resolution
    import pepgraph.resolve.model as model

    monkeypatch.delenv("PEPGRAPH_RESOLVE_MEMORY", raising=False)
    monkeypatch.setattr(model, "TRAIN_CAP_MB", 300)
    monkeypatch.setattr(model, "ENGINE_CAP_MB", 700)
    monkeypatch.setattr(resolution, "TRAIN_CAP_MB", 300)
    limits: list[str] = []
    real_connect = model.duckdb.connect

    def connect(database: str = ":memory:", **kwargs: Any) -> Any:
        limits.append(kwargs["config"]["memory_limit"])
        return real_connect(database, **kwargs)

    monkeypatch.setattr(model.duckdb, "connect", connect)
    graph.resolve(reclassify=False, retrain=True)
    assert limits == ["300MB", "300MB", "700MB"]  # the key counter, the trainer, the scoring engine
    limits.clear()
    monkeypatch.setenv("PEPGRAPH_RESOLVE_MEMORY", "500MB")
    graph.resolve(reclassify=False, retrain=True)
    assert limits == ["500MB", "500MB", "500MB"]


def test_a_large_store_is_linked_in_a_database_file_that_is_removed_after(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pepgraph.resolve.model as model

    in_memory = graph.resolve(reclassify=False)
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(model, "ON_DISK_FROM", 0)
    monkeypatch.setenv("TMPDIR", str(spill))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    opened: list[str] = []
    real_connect = model.duckdb.connect

    def connect(database: str = ":memory:", **kwargs: Any) -> Any:
        opened.append(database)
        return real_connect(database, **kwargs)

    monkeypatch.setattr(model.duckdb, "connect", connect)
    result = graph.resolve(reclassify=False)
    engines = [p for p in opened if p != ":memory:"]  # the rows' key counter is in memory (and spills)
    assert engines and all(p.startswith(str(spill)) and p.endswith("linkage.duckdb") for p in engines)
    # the same clusters as in memory (with the model the first run trained and stored)
    assert result.clusters == in_memory.clusters and canon(graph, "reg-p1") == canon(graph, "san-3")
    assert list(spill.iterdir()) == []  # the engine's file and spill directory are gone


def test_blocking_on_integer_ids_gives_splinks_own_candidate_pairs(graph: Graph) -> None:
    """predict_batches blocks on (hashed key, integer id) postings and scores with Splink's SQL;
    its pairs and probabilities are those of Splink's own predict with the same rules (which
    differ only on initials keys that a name with initials looks up and full names offer, or
    that many full names offer: the sample has none)."""
    from pepgraph.resolve.model import make_model, predict_batches, settings
    from pepgraph.resolve.rows import build_rows

    model = make_model(build_rows(graph.store).table, settings())
    try:
        theirs = model.con.sql(f"SELECT unique_id_l, unique_id_r, match_probability FROM "
                               f"{model.linker.inference.predict().physical_name}").fetchall()
        ours = [(r["unique_id_l"], r["unique_id_r"], r["match_probability"])
                for batch in predict_batches(model, 0.0, part_pairs=1) for r in batch.to_pylist()]
    finally:
        model.close()
    assert len(theirs) >= 8  # the sample's keys give eight candidate pairs
    assert sorted((min(a, b), max(a, b), round(p, 9)) for a, b, p in ours) == \
        sorted((min(a, b), max(a, b), round(p, 9)) for a, b, p in theirs)


def test_scoring_in_parts_gives_the_same_pairs_as_in_one(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    first = graph.resolve(reclassify=False)
    pairs = graph.store.con.execute("SELECT left_id, right_id, probability FROM resolve_pairs ORDER BY ALL").fetchall()
    seen: list[str] = []
    monkeypatch.setenv("PEPGRAPH_RESOLVE_PART_PAIRS", "1")  # a part for every candidate pair or so
    again = graph.resolve(reclassify=False, phase=seen.append)
    parts = [name for name in seen if name.startswith("scoring, part ")]
    assert len(parts) > 3 and parts[-1].startswith(f"scoring, part {len(parts)} of {len(parts)} ")
    assert again.candidate_pairs == first.candidate_pairs > 0
    assert graph.store.con.execute("SELECT left_id, right_id, probability FROM resolve_pairs ORDER BY ALL").fetchall() == pairs
    assert again.clusters == first.clusters


def test_canonical_ids_are_stable_across_rebuilds(graph: Graph) -> None:
    graph.resolve()
    first = {e: canon(graph, e) for e in ("reg-p1", "san-3", "reg-p3", "press-1", "reg-p5")}
    again = graph.resolve()
    assert not again.trained  # the stored model is reused
    assert {e: canon(graph, e) for e in first} == first
    assert first["reg-p5"] == "reg-p5"  # a lone record keeps its own id


def test_a_stored_model_without_todays_levels_is_retrained(graph: Graph) -> None:
    """A model stored before a level was split (here: "same full name, common name" taken out, as
    a store resolved by an older version has it) would score that level's pairs by a weaker one."""
    graph.resolve(reclassify=False)
    con = graph.store.con
    model_id, stored = con.execute("SELECT id, model FROM resolver_models ORDER BY id DESC LIMIT 1").fetchone()
    stored = json.loads(stored)
    name = next(c for c in stored["comparisons"] if c["output_column_name"] == "name")
    name["comparison_levels"] = [lv for lv in name["comparison_levels"]
                                 if lv.get("label_for_charts") != "same full name, common name"]
    con.execute("UPDATE resolver_models SET model = ? WHERE id = ?", [json.dumps(stored), model_id])
    again = graph.resolve(reclassify=False)
    assert again.trained and any("predates" in n for n in again.notes)
    assert not graph.resolve(reclassify=False).trained  # the model it stored is current


def test_judgements_are_applied_and_never_overwritten(graph: Graph) -> None:
    graph.resolve()
    old = canon(graph, "reg-p1")
    graph.judge("reg-p1", "san-3", "different", note="different fathers")
    graph.resolve()
    assert canon(graph, "reg-p1") != canon(graph, "san-3")
    # the cluster id that disappeared redirects to a successor
    assert graph.entity(old) is not None
    graph.judge("reg-p1", "san-3", "same")
    graph.judge("reg-p4", "press-2", "same", note="same deputy")
    graph.resolve()
    assert canon(graph, "reg-p1") == canon(graph, "san-3")
    assert canon(graph, "reg-p4") == canon(graph, "press-2")
    history = graph.judgements("reg-p1")
    assert [h["judgement"] for h in history] == ["different", "same"]
    # after three rebuilds every redirect leads from an id that is gone to one that is current
    con = graph.store.con
    current = {r[0] for r in con.execute("SELECT DISTINCT canonical_id FROM statements").fetchall()}
    moves = con.execute("SELECT old_id, new_id FROM canonical_redirects").fetchall()
    assert moves and all(old_id not in current and new_id in current for old_id, new_id in moves)
    assert history[0]["note"] == "different fathers"


def test_explain_gives_weights_per_comparison(graph: Graph) -> None:
    graph.resolve()
    data = graph.explain("reg-p7", "press-4")
    assert set(data["comparisons"]) == {"name", "birth", "country", "position", "gender", "number", "address", "source"}
    assert data["comparisons"]["source"]["level"] == "else"  # a registry record and a press one
    assert data["comparisons"]["name"]["weight"] > 0
    assert data["comparisons"]["name"]["level"] not in ("null", "else")
    # records without id numbers or addresses are not compared on them (no weight either way)
    assert data["comparisons"]["number"] == {"level": "null", "weight": 0.0}
    assert data["veto"] and "years apart" in data["veto"]
    assert data["same_cluster"] is False


def test_export_clusters_lists_every_source_id(graph: Graph, tmp_path: Path) -> None:
    graph.resolve()
    n = graph.export("clusters", tmp_path / "c.csv")
    rows = list(csv.DictReader(open(tmp_path / "c.csv", encoding="utf-8")))
    assert len(rows) == n == graph.store.query("SELECT count(DISTINCT entity_id) AS n FROM statements")[0]["n"]
    by_id = {r["entity_id"]: r["canonical_id"] for r in rows}
    assert by_id["reg-p1"] == by_id["san-3"] and by_id["reg-pos1"] == "reg-pos1"


def test_new_statements_join_the_cluster_of_their_entity(graph: Graph, tmp_path: Path) -> None:
    graph.resolve()
    target = canon(graph, "san-3")
    path = tmp_path / "more.json"
    path.write_text('{"id": "san-3", "schema": "Person", "properties": {"name": ["SIDORENKO, Ivan"], '
                    '"birthDate": ["1961-03-14"], "nationality": ["ru"], "topics": ["sanction"], '
                    '"passportNumber": ["123"]}}\n', encoding="utf-8")
    graph.ingest(path, dataset="sample_sanctions")
    rows = graph.store.query("SELECT canonical_id FROM statements WHERE prop = 'passportNumber'")
    assert rows == [{"canonical_id": target}]
