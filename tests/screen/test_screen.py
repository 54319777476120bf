"""Screening one name on a real store (the sample, resolved and indexed): candidates across
scripts and name orders, secondary evidence, filters, minors, the yente response shape."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from pepgraph import Graph, compare
from pepgraph.errors import NotFound, StoreError
from pepgraph.screen import ALGORITHMS, ScreenIndex, index_path


def ids(data: dict) -> list[str]:
    return [r["id"] for r in data["results"]]


def canon(graph: Graph, entity_id: str) -> str:
    entity = graph.entity(entity_id, include_minors=True)
    assert entity is not None
    return entity["id"]


def test_index_is_beside_the_store_and_loads_fast(graph: Graph, store_dir: Path) -> None:
    path = index_path(store_dir / "s.duckdb")
    assert path == store_dir / "s.duckdb.screen" and path.exists()
    started = time.perf_counter()
    with ScreenIndex(path) as index:
        assert time.perf_counter() - started < 1.0
        info = index.info()
    # 13 sample people, 1 company, and the three extra records (persons resolved across sources)
    assert info["entities"] >= 12 and info["minors"] == 1
    assert "sanction" in info["topics"] and "role.pep" in info["topics"]


def test_cross_script_and_name_order(graph: Graph) -> None:
    data = graph.screen("Иван Сидоренко", birth_date="1961")
    top = data["results"][0]
    assert top["id"] == canon(graph, "san-3") == canon(graph, "reg-p1")
    assert top["match"] and 0.7 <= top["score"] <= 1.0
    assert "sanction" in top["topics"] and set(top["datasets"]) >= {"sample_registry", "sample_sanctions"}
    assert "transliteration" in top["explanations"]["name"]["detail"] or "exact" in top["explanations"]["name"]["detail"]
    assert top["explanations"]["birth_date"]["score"] > 0
    # surname first, upper case, a missing middle name
    again = graph.screen("SIDORENKO, Ivan")
    assert again["results"][0]["id"] == top["id"] and again["results"][0]["match"]


def test_yente_response_shape(graph: Graph) -> None:
    data = graph.screen("Ahmad Karimi", country="ir")
    assert set(data) == {"query", "results", "total"}
    assert data["query"]["schema"] == "Person" and data["query"]["properties"]["name"] == ["Ahmad Karimi"]
    assert data["total"] == len(data["results"]) >= 1
    result = data["results"][0]
    assert {"id", "caption", "schema", "properties", "datasets", "topics", "score", "match", "explanations"} <= set(result)
    assert all({"score", "detail"} == set(v) for v in result["explanations"].values())


def test_same_name_different_people_do_not_all_score_one(graph: Graph) -> None:
    # two Nino Beridzes: the judge born 1980, a namesake born 1991
    judge, namesake = canon(graph, "reg-p7"), canon(graph, "press-4")
    assert judge != namesake
    data = graph.screen("Nino Beridze", birth_date="1980-09-09")
    scores = {r["id"]: r for r in data["results"]}
    assert scores[judge]["match"] and scores[judge]["score"] > scores[namesake]["score"]
    assert not scores[namesake]["match"]
    assert scores[namesake]["explanations"]["birth_date"]["score"] < 0
    # without a birth date both are name-only matches, neither is 1.0
    plain = graph.screen("Nino Beridze")
    assert all(r["score"] < 1.0 for r in plain["results"])
    # a conflicting gender lowers the score
    female = graph.screen("Ivan Sidorenko", gender="female")["results"][0]
    male = graph.screen("Ivan Sidorenko")["results"][0]
    assert female["score"] < male["score"] and female["explanations"]["gender"]["score"] < 0


def test_initials_and_missing_middle_names(graph: Graph) -> None:
    smithers = canon(graph, "reg-p5")
    assert graph.screen("J. Q. Smithers")["results"][0]["id"] == smithers
    top = graph.screen("John Smithers", birth_date="1950")["results"][0]
    assert top["id"] == smithers and top["match"]


def test_filters_schema_topics_datasets(graph: Graph) -> None:
    # a Person query never returns a Company, and the other way round
    assert canon(graph, "co-1") not in ids(graph.screen("Adebayo Holdings Ltd"))
    orgs = graph.screen("Adebayo Holdings", schema="Company")
    assert orgs["results"] and orgs["results"][0]["id"] == canon(graph, "co-1")
    assert all(r["schema"] != "Person" for r in orgs["results"])
    # topics from any dataset's topics statements (here: role.pep from "extra")
    pep = graph.screen("Olusegun Adebayo", topics=["role.pep"])
    assert ids(pep) == [canon(graph, "pep-1")]
    assert graph.screen("Olusegun Adebayo", topics=["sanction"])["results"] == []
    assert graph.screen("Ivan Sidorenko", datasets=["sample_press"])["results"] == []
    assert graph.screen("Ivan Sidorenko", datasets=["sample_sanctions"])["results"]


def test_minors_are_hidden_unless_asked(graph: Graph) -> None:
    kid = canon(graph, "kid-1")
    assert kid not in ids(graph.screen("Lena Sidorenko"))
    assert kid in ids(graph.screen("Lena Sidorenko", include_minors=True))


def test_threshold_and_limit(graph: Graph) -> None:
    data = graph.screen("Ivan Sidorenko", threshold=0.99, limit=1)
    assert len(data["results"]) == 1 and not data["results"][0]["match"]


def test_screening_needs_no_writable_store(store_dir: Path, tmp_path: Path) -> None:
    # a copy of the store and its index, both read-only on disk
    for name in ("s.duckdb", "s.duckdb.screen"):
        shutil.copy(store_dir / name, tmp_path / name)
        os.chmod(tmp_path / name, 0o444)
    with Graph(tmp_path / "s.duckdb", read_only=True) as g:
        assert g.screen("Ivan Sidorenko")["results"][0]["match"]


def test_missing_or_foreign_index_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="pepgraph index"):
        ScreenIndex(tmp_path / "none.duckdb.screen")
    bad = tmp_path / "bad.screen"
    bad.write_bytes(b"not an index at all")
    with pytest.raises(StoreError, match="not a pepgraph screening index"):
        ScreenIndex(bad)


def test_rebuild_replaces_the_index_atomically(store_dir: Path, tmp_path: Path) -> None:
    shutil.copy(store_dir / "s.duckdb", tmp_path / "s.duckdb")
    with Graph(tmp_path / "s.duckdb") as g:
        g.build_index()
        path = g.index_path
        old = ScreenIndex(path)
        before = old.info()["entities"]
        inode = path.stat().st_ino
        first = g.screen("Ivan Sidorenko")["results"][0]["id"]
        g.build_index()
        assert path.stat().st_ino != inode  # a new file renamed over the old one
        assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob("*.records"))
        # a reader of the old file keeps a whole index
        assert old.info()["entities"] == before and old.entity(0).id
        old.close()
        # the Graph picks up the new file
        assert g.screen("Ivan Sidorenko")["results"][0]["id"] == first


def test_compare_without_a_store() -> None:
    a = {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"], "birthDate": ["1961-03-14"]}}
    b = {"schema": "Person", "properties": {"name": ["Иван Петрович Сидоренко"], "birthDate": ["1961-03-14"]}}
    c = {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"], "birthDate": ["1990"]}}
    same, other = compare(a, b), compare(a, c)
    assert same["match"] and same["score"] > other["score"] and not other["match"]
    assert "birth_date" in same["explanations"] and same["explanation"].startswith("name ")
    company = {"schema": "Company", "properties": {"name": ["Ivan Sidorenko"]}}
    assert compare(a, company)["score"] == 0.0


def test_algorithms_document_their_features() -> None:
    assert {"pepgraph-v1", "name-only", "rapidfuzz-baseline"} <= set(ALGORITHMS)
    for cls in ALGORITHMS.values():
        info = cls.describe()
        assert info["description"] and info["features"] and "name" in info["features"]
    a = {"schema": "Person", "properties": {"name": ["Nino Beridze"]}}
    assert compare(a, a, algorithm="name-only")["score"] == 1.0
    assert compare(a, a)["score"] < 1.0  # a name alone never reaches 1.0


def test_parallel_build_gives_the_same_index(store_dir: Path, tmp_path: Path) -> None:
    from pepgraph.screen import build
    from pepgraph.store import Store

    store = Store(store_dir / "s.duckdb", read_only=True)
    try:
        one = build(store, tmp_path / "one.screen", workers=1)
        two = build(store, tmp_path / "two.screen", workers=2)
    finally:
        store.close()
    assert (one.entities, one.keys, one.postings) == (two.entities, two.keys, two.postings)
    with ScreenIndex(tmp_path / "one.screen") as a, ScreenIndex(tmp_path / "two.screen") as b:
        assert bytes(a.records) == bytes(b.records) and bytes(a.postings) == bytes(b.postings)
