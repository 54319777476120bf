"""Export: FtM, CSV and statements; an FtM export re-ingested gives the same statements."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pepgraph import Graph
from pepgraph.sample import DATASETS, write_sample

KEY = ("id", "entity_id", "canonical_id", "schema", "prop", "prop_type", "value", "original_value", "lang", "dataset", "origin")


def _build(tmp_path: Path) -> Graph:
    write_sample(tmp_path / "sample")
    graph = Graph(tmp_path / "s.duckdb")
    for dataset, (name, _) in DATASETS.items():
        graph.ingest(tmp_path / "sample" / name, dataset=dataset)
    return graph


def _statement_set(graph: Graph) -> set[tuple]:
    return {tuple(r[k] for k in KEY) for r in graph.store.query("SELECT * FROM statements WHERE current")}


def test_ftm_export_round_trips_to_the_same_statements(tmp_path: Path) -> None:
    with _build(tmp_path) as graph:
        original = _statement_set(graph)
        for dataset in DATASETS:
            n = graph.export("ftm", tmp_path / f"{dataset}.json", datasets=[dataset])
            assert n > 0
    with Graph(tmp_path / "again.duckdb") as again:
        for dataset in DATASETS:
            again.ingest(tmp_path / f"{dataset}.json", dataset=dataset)
        assert _statement_set(again) == original


def test_ftm_export_with_lang_and_original_values_round_trips(tmp_path: Path) -> None:
    """Values with a language and an original form (which plain FtM JSON cannot carry) survive."""
    from tests.test_ingest import write_ftm

    src = write_ftm(tmp_path / "src.json", [
        {"id": "x", "schema": "Person", "statements": [
            {"prop": "name", "value": "Иван", "lang": "rus"},
            {"prop": "nationality", "value": "Russia"},
        ]},
    ])
    with Graph(tmp_path / "a.duckdb") as graph:
        graph.ingest(src, dataset="t")
        before = _statement_set(graph)
        assert {(r[4], r[8], r[7]) for r in before if r[4] != "id"} == {("name", "rus", None), ("nationality", None, "Russia")}
        graph.export("ftm", tmp_path / "out.json")
    with Graph(tmp_path / "b.duckdb") as again:
        again.ingest(tmp_path / "out.json", dataset="t")
        assert _statement_set(again) == before


def test_ftm_export_lines_are_plain_ftm_too(tmp_path: Path) -> None:
    with _build(tmp_path) as graph:
        graph.export("ftm", tmp_path / "all.json")
    lines = [json.loads(x) for x in (tmp_path / "all.json").read_text().splitlines()]
    person = next(e for e in lines if e["id"] == "reg-p1")
    assert person["schema"] == "Person"
    assert "Иван Петрович Сидоренко" in person["properties"]["name"]
    assert person["datasets"] == ["sample_registry"]
    assert all(s["dataset"] == "sample_registry" for s in person["statements"])


def test_csv_and_statement_exports(tmp_path: Path) -> None:
    with _build(tmp_path) as graph:
        n = graph.export("csv", tmp_path / "e.csv")
        total = graph.stats()["total"]
        assert n == total["entities"]
        rows = list(csv.DictReader(io.open(tmp_path / "e.csv", encoding="utf-8")))
        assert len(rows) == n
        assert next(r for r in rows if r["id"] == "reg-p3")["name"] in ("Wang Jianguo; 王建国", "王建国; Wang Jianguo")
        m = graph.export("statements", tmp_path / "s.csv")
        assert m == total["statements"]
        stmts = list(csv.DictReader(io.open(tmp_path / "s.csv", encoding="utf-8")))
        assert len(stmts) == m and {"entity_id", "prop", "value", "dataset", "first_seen"} <= set(stmts[0])
