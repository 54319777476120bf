"""An invented little world for the PEP tests: positions with known dates, a family, an
associate, a minor, and relatives given by name only. Every date is chosen against TODAY."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pepgraph import Graph

TODAY = date(2026, 11, 23)


def _e(id: str, schema: str, **props: Any) -> dict[str, Any]:
    return {"id": id, "schema": schema, "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()}}


def world() -> list[dict[str, Any]]:
    return [
        _e("p-anna", "Person", name="Anna Ministerova", birthDate="1960-02-01", nationality="de"),
        _e("p-bert", "Person", name="Bert Mayor", birthDate="1955", nationality="de"),
        _e("p-cora", "Person", name="Cora Presidenta", birthDate="1950-05-05", nationality="de"),
        _e("p-dora", "Person", name="Dora Spouse", birthDate="1962", nationality="de"),
        _e("p-dora2", "Person", name="Dora Spouse", birthDate="1971", nationality="fr"),  # same name, no link
        _e("p-finn", "Person", name="Finn Presidento", birthDate="2015-03-01", nationality="de"),  # a minor
        _e("p-gus", "Person", name="Gus Late", birthDate="1930", deathDate="2000-06-01", nationality="de"),
        _e("p-hal", "Person", name="Hal Ancient", birthDate="1900", nationality="de"),
        _e("p-ida", "Person", name="Ida Associate", birthDate="1970", nationality="de"),
        _e("p-jon", "Person", name="Jon Friend", birthDate="1965", nationality="de"),
        _e("pos-min", "Position", name="Minister of Finance of Testland", country="de"),
        _e("pos-mayor", "Position", name="Mayor of Testville", country="de"),
        _e("pos-pres", "Position", name="President of Germany", country="de"),
        _e("pos-mp", "Position", name="Member of the Bundestag", country="de"),
        _e("pos-choir", "Position", name="Conductor of the Testville Choir", country="de"),
        _e("o-anna", "Occupancy", holder="p-anna", post="pos-min", startDate="2005", endDate="2010-01-01", status="ended"),
        _e("o-bert", "Occupancy", holder="p-bert", post="pos-mayor", startDate="2010", endDate="2015-06-30", status="ended"),
        _e("o-cora", "Occupancy", holder="p-cora", post="pos-pres", startDate="2022-03-19", status="current"),
        _e("o-gus", "Occupancy", holder="p-gus", post="pos-mp", startDate="1990", endDate="1998", status="ended"),
        _e("o-hal", "Occupancy", holder="p-hal", post="pos-mp", startDate="1950", status="current"),
        _e("o-jon", "Occupancy", holder="p-jon", post="pos-choir", startDate="2000", status="current"),
        _e("f-anna-dora", "Family", person="p-anna", relative="p-dora", relationship="spouse"),
        _e("f-cora-finn", "Family", person="p-cora", relative="p-finn", relationship="son"),
        _e("a-bert-ida", "Associate", person="p-bert", associate="p-ida", relationship="business partner"),
        _e("a-jon-ida", "Associate", person="p-jon", associate="p-ida", relationship="friend"),
        # relatives known only by name, as congress-legislators gives them
        _e("rel-1", "Person", name="Karl Known"),
        _e("p-karl", "Person", name="Karl Known", birthDate="1940", nationality="de"),
        _e("f-karl", "Family", person="rel-1", relative="p-cora", relationship="daughter"),
        _e("rel-2", "Person", name="Max Muster"),
        _e("p-max1", "Person", name="Max Muster", birthDate="1930"),
        _e("p-max2", "Person", name="Max Muster", birthDate="1980"),
        _e("f-max", "Family", person="rel-2", relative="p-anna", relationship="son"),
    ]


def write_world(path: Path, entities: list[dict[str, Any]] | None = None) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for entity in entities or world():
            fh.write(json.dumps(entity) + "\n")
    return path


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory):
    """A store holding the world, resolved and classified as of TODAY (shared by a module's
    tests: they read it, and re-classifying it is idempotent)."""
    tmp_path = tmp_path_factory.mktemp("pep")
    graph = Graph(tmp_path / "pep.duckdb")
    graph.ingest(write_world(tmp_path / "world.ftm.json"), dataset="world")
    graph.resolve()
    result = graph.classify(today=TODAY)
    yield graph, result
    graph.close()


def roles(graph: Graph, canonical: str, role: str = "pep") -> list[dict[str, Any]]:
    return graph.store.query(
        "SELECT * FROM pep_roles WHERE canonical_id = (SELECT min(canonical_id) FROM statements WHERE entity_id = ?) "
        "AND role = ? ORDER BY status", [canonical, role],
    )
