"""Wikidata entity JSON: the project's invented dump fixture and nomenklatura's real API answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from pepgraph import Graph
from pepgraph.errors import SourceError
from pepgraph.sources import detect_format

from tests.conftest import FIXTURES, by_schema, read_source, shared

DUMP = FIXTURES / "wikidata" / "family.dump.json"


def _props(entities, entity_id):
    merged: dict[str, set[str]] = {}
    for e in entities:
        if e.id == entity_id:
            for prop, values in e.to_dict()["properties"].items():
                merged.setdefault(prop, set()).update(values)
    return merged


def test_dump_person_names_dates_and_countries() -> None:
    entities, ctx = read_source("wikidata", DUMP)
    ivan = _props(entities, "wd-Q900001")
    assert ivan["name"] == {"Ivan Testov"}
    assert ivan["alias"] == {"Иван Тестов", "Иван Петрович Тестов"}  # every language kept
    assert ivan["birthDate"] == {"1950-03-02"} and ivan["citizenship"] == {"ru"}
    olga = _props(entities, "wd-Q900002")
    assert olga["birthDate"] == {"1955"}  # year precision stays a year
    lang = {s.value: s.lang for e in entities if e.id == "wd-Q900001" for s in e.statements if s.prop == "alias"}
    assert lang["Иван Тестов"] == "rus"
    assert not [e for e in entities if e.schema.name not in ("Person", "Position", "Occupancy", "Family")]


def test_dump_positions_with_qualifiers_and_deprecated_rank_dropped() -> None:
    entities, _ = read_source("wikidata", DUMP)
    occupancies = {o.first("post"): o for o in by_schema(entities, "Occupancy")}
    assert set(occupancies) == {"wd-Q900100", "wd-Q900101"}  # the deprecated claim is not read twice
    minister = occupancies["wd-Q900100"]
    assert (minister.first("startDate"), minister.first("endDate"), minister.first("status")) == ("2001", "2005-06", "ended")
    assert occupancies["wd-Q900101"].first("status") == "current"
    positions = {p.id: p for p in by_schema(entities, "Position")}
    assert positions["wd-Q900100"].first("name") == "Minister of Testing of Russia"
    assert positions["wd-Q900101"].first("country") == "ru"  # from the position's P1001


def test_dump_family_links_and_kinship_qualifier() -> None:
    entities, _ = read_source("wikidata", DUMP)
    links = {(f.first("person"), f.first("relative"), f.first("relationship")) for f in by_schema(entities, "Family")}
    assert ("wd-Q900001", "wd-Q900002", "spouse") in links
    assert ("wd-Q900001", "wd-Q900003", "child") in links
    assert ("wd-Q900003", "wd-Q900001", "father") in links
    assert ("wd-Q900001", "wd-Q900004", "nephew") in links  # P1038 with its P1039 kinship label
    # Q900099 has no label anywhere: no nameless person is made for it
    assert not [f for f in by_schema(entities, "Family") if f.first("relative") == "wd-Q900099"]


def test_sniffed_and_malformed_line_located(tmp_path: Path) -> None:
    assert detect_format(DUMP) == "wikidata"
    bad = tmp_path / "bad.json"
    lines = DUMP.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:40]  # a truncated entity
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_source("wikidata", bad)
    assert err.value.line == 4 and "malformed JSON" in str(err.value)


def test_real_nomenklatura_family_graph(tmp_path: Path) -> None:
    folder = shared("opensanctions-nomenklatura", "fixtures", "wikidata")
    with Graph(tmp_path / "wd.duckdb") as graph:
        result = graph.ingest(folder, dataset="wikidata_fixtures")
        assert result.entities > 90
        putin = graph.entity("wd-Q7747")
        assert putin and putin["caption"] == "Vladimir Putin"
        rows = graph.store.query(
            "SELECT r.value AS relative, k.value AS kind FROM statements p "
            "JOIN statements r ON r.entity_id = p.entity_id AND r.prop = 'relative' "
            "JOIN statements k ON k.entity_id = p.entity_id AND k.prop = 'relationship' "
            "WHERE p.prop = 'person' AND p.value = 'wd-Q7747'"
        )
        kinds = {(r["relative"], r["kind"]) for r in rows}
        assert ("wd-Q233282", "spouse") in kinds  # Lyudmila Ocheretnaya
        assert ("wd-Q19364345", "child") in kinds  # Katerina Tikhonova
        assert ("wd-Q130234753", "child") in kinds  # Ivan Putin, born 2015
        posts = graph.store.query(
            "SELECT n.value AS name FROM statements h JOIN statements o ON o.entity_id = h.entity_id AND o.prop = 'post' "
            "JOIN statements n ON n.entity_id = o.value AND n.prop = 'name' WHERE h.prop = 'holder' AND h.value = 'wd-Q7747'"
        )
        assert "President of Russia" in {p["name"] for p in posts}
