"""`pepgraph build`, `entity`, `graph` and `stats --topic` as a user runs them, on the built-in
sample and on the real Wikidata family graph."""

from __future__ import annotations

import json
from pathlib import Path

from pepgraph import Graph

from tests.conftest import shared
from tests.test_cli import run


def test_build_entity_graph_stats_on_the_sample(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    res = run("--db", db, "demo", "--sample", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "classified: PEPs" in res.stdout
    res = run("--db", db, "build", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "classify: 5 occupancies, 5 in a PEP category" in res.stdout
    res = run("--db", db, "entity", "reg-p2", cwd=tmp_path)
    assert "RCA: current" in res.stdout and "spouse of Ivan Petrovich Sidorenko" in res.stdout
    data = json.loads(run("--db", db, "entity", "reg-p1", "--json", cwd=tmp_path).stdout)
    assert data["pep_status"] == "current" and data["positions"][0]["category"] == "minister"
    assert [r["relationship"] for r in data["relatives"]] == ["spouse"]
    res = run("--db", db, "stats", "--by", "status", "--json", cwd=tmp_path)
    statuses = {r["key"]: r["entities"] for r in json.loads(res.stdout)["rows"]}
    assert statuses["current"] >= 3 and statuses.get("former", 0) >= 1
    res = run("--db", db, "stats", "--by", "country", "--topic", "role.rca", "--json", cwd=tmp_path)
    assert json.loads(res.stdout)["rows"]
    res = run("--db", db, "graph", "reg-p1", "--format", "json", cwd=tmp_path)
    graph = json.loads(res.stdout)
    assert any(e["label"] == "spouse" for e in graph["edges"])
    out = tmp_path / "all.graphml"
    res = run("--db", db, "export", "--format", "graphml", "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0 and "edges" in res.stderr and out.read_text(encoding="utf-8").startswith("<?xml")
    res = run("--db", db, "graph", "reg-p1", "--depth", "9", cwd=tmp_path)
    assert res.returncode == 2 and "--depth 9" in res.stderr


def test_real_wikidata_family_yields_spouses_and_children_as_rcas(tmp_path: Path) -> None:
    folder = shared("opensanctions-nomenklatura", "fixtures", "wikidata")
    with Graph(tmp_path / "wd.duckdb") as graph:
        graph.ingest(folder, dataset="wikidata_fixtures")
        report = graph.build()
        assert report["classify"].peps.get("current") == 1  # Vladimir Putin, President of Russia
        putin = graph.entity("wd-Q7747")
        assert putin["pep_status"] == "current"
        assert any("President of Russia" in r["reason"] for r in putin["roles"] if r["status"] == "current")
        relatives = {(r["caption"], r["relationship"]) for r in putin["relatives"]}
        assert ("Lyudmila Ocheretnaya", "spouse") in relatives
        assert {("Katerina Tikhonova", "child"), ("Maria Vorontsova", "child"), ("Elizaveta Rozova", "child")} <= relatives
        assert putin["relatives_hidden"] == 2  # Ivan (2015) and Vladimir Jr. (2019)
        for qid in ("Q233282", "Q19364345", "Q19816371", "Q107043381"):
            assert graph.entity(qid)["rca_status"] == "current", qid
        assert graph.entity("Q130234753") is None  # a minor: not shown...
        assert graph.entity("Q130234753", include_minors=True)["rca_status"] == "current"  # ...but classified
