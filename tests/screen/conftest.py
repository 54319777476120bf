"""A real store for screening tests: the built-in sample, plus a child and a PEP-tagged person,
resolved and indexed once per session (DuckDB file and index file on disk)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pepgraph import Graph
from pepgraph.sample import DATASETS, write_sample

EXTRA = [
    # a minor: hidden from screening unless include_minors
    {"id": "kid-1", "schema": "Person", "properties": {"name": ["Lena Sidorenko"], "birthDate": ["2016-05-01"],
                                                        "nationality": ["ru"]}},
    # topics from another dataset than the lists: picked up like any topics statement
    {"id": "pep-1", "schema": "Person", "properties": {"name": ["Olusegun Adebayo"], "birthDate": ["1966-02-03"],
                                                        "nationality": ["ng"], "topics": ["role.pep"]}},
    {"id": "co-1", "schema": "Company", "properties": {"name": ["Adebayo Holdings Ltd"], "country": ["ng"]}},
]


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("screen")
    write_sample(root / "sample")
    with open(root / "extra.ftm.json", "w", encoding="utf-8") as fh:
        for entity in EXTRA:
            fh.write(json.dumps(entity) + "\n")
    with Graph(root / "s.duckdb") as g:
        for dataset, (name, _) in DATASETS.items():
            g.ingest(root / "sample" / name, dataset=dataset)
        g.ingest(root / "extra.ftm.json", dataset="extra")
        g.resolve()
        g.build_index()
    return root


@pytest.fixture()
def graph(store_dir: Path):
    g = Graph(store_dir / "s.duckdb", read_only=True)
    yield g
    g.close()
