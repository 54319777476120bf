"""The synthetic population generator: deterministic, valid FtM, truthful, noisy in known ways."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from pepgraph import Graph
from pepgraph.errors import PepgraphError
from pepgraph.synth import SOURCES, generate, iter_entities, read_truth
from pepgraph.synth.population import REF_DATE

N = 3000
SEED = 3


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth")
    return out, generate(N, out, seed=SEED)


@pytest.fixture(scope="module")
def entities(gen: tuple[Path, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out, _ = gen
    return {s: list(iter_entities(out / f"{s}.ftm.jsonl")) for s in SOURCES}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".jsonl", ".csv")}


def test_writes_one_file_per_source_and_the_truth(gen: tuple[Path, dict[str, Any]]) -> None:
    out, result = gen
    assert set(_files(out)) == {"registry.ftm.jsonl", "press.ftm.jsonl", "leak.ftm.jsonl", "truth.csv"}
    assert (out / "truth.csv").read_text().splitlines()[0] == "entity_id,person_id"
    assert result["persons"] == N and result["truth_rows"] > N


def test_same_seed_same_bytes(gen: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = gen
    generate(N, tmp_path, seed=SEED)
    assert _files(tmp_path) == _files(out)


def test_other_seed_other_population(gen: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = gen
    generate(N, tmp_path, seed=SEED + 1)
    mine, theirs = _files(out), _files(tmp_path)
    assert all(mine[name] != theirs[name] for name in mine)


def test_a_source_is_the_same_whichever_others_are_written(gen: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = gen
    generate(N, tmp_path, seed=SEED, sources="leak")
    assert set(_files(tmp_path)) == {"leak.ftm.jsonl", "truth.csv"}
    assert (tmp_path / "leak.ftm.jsonl").read_bytes() == (out / "leak.ftm.jsonl").read_bytes()


def test_unknown_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PepgraphError, match="unknown source"):
        generate(10, tmp_path, sources="registry,gossip")


def test_every_entity_is_valid_followthemoney(entities: dict[str, list[dict[str, Any]]]) -> None:
    ids: set[str] = set()
    for source, items in entities.items():
        for data in items:
            assert data["id"].startswith(f"{source}-")
            assert data["id"] not in ids
            ids.add(data["id"])
            proxy = model.get_proxy(data, cleaned=False)  # unknown schema or property raises
            for prop_name, values in data["properties"].items():
                prop = proxy.schema.get(prop_name)
                assert prop is not None, (data, prop_name)
                for value in values:
                    assert prop.type.clean(value) is not None, (data["id"], prop_name, value)
    for source in ("press", "leak"):
        assert {d["schema"] for d in entities[source]} <= {"Person", "Family"}
    assert {d["schema"] for d in entities["registry"]} == {"Person", "Position", "Occupancy", "Family"}


def test_references_point_inside_the_source(entities: dict[str, list[dict[str, Any]]]) -> None:
    for items in entities.values():
        ids = {d["id"] for d in items}
        for d in items:
            for prop in ("holder", "post", "person", "relative"):
                for value in d["properties"].get(prop, []):
                    assert value in ids


def test_truth_covers_every_person_and_nothing_else(gen: tuple[Path, dict[str, Any]],
                                                    entities: dict[str, list[dict[str, Any]]]) -> None:
    out, _ = gen
    truth = read_truth(out / "truth.csv")
    persons = {d["id"] for items in entities.values() for d in items if d["schema"] == "Person"}
    assert set(truth) == persons
    pids = set(truth.values())
    assert any("-x" in p for p in pids), "decoys have their own person ids"
    assert any(re.fullmatch(r"p\d+-(s|c\d|f|m|b\d)", p) for p in pids), "relatives are persons"


def test_many_scripts(entities: dict[str, list[dict[str, Any]]]) -> None:
    scripts: Counter[str] = Counter()
    for d in entities["registry"]:
        if d["schema"] != "Person":
            continue
        for ch in d["properties"]["name"][0]:
            if ch.isalpha():
                scripts[unicodedata.name(ch, "?").split(" ")[0]] += 1
                break
    for script in ("LATIN", "CYRILLIC", "ARABIC", "CJK", "HANGUL", "GREEK", "DEVANAGARI", "HEBREW", "GEORGIAN",
                   "ARMENIAN", "THAI"):
        assert scripts[script], f"no {script} names in {dict(scripts)}"
    # a native name comes with a Latin alias in the registry
    cyr = [d for d in entities["registry"] if d["schema"] == "Person" and re.search("[а-я]", d["properties"]["name"][0])]
    assert sum(1 for d in cyr if "alias" in d["properties"] and d["properties"]["alias"][0].isascii()) > len(cyr) / 2


def test_corruption_kinds_are_present(gen: tuple[Path, dict[str, Any]], entities: dict[str, list[dict[str, Any]]]) -> None:
    out, result = gen
    kinds = {"other_romanisation", "other_script", "name_order", "initials", "typo", "partial_date", "missing_field",
             "wrong_date", "duplicate", "decoy", "dropped_middle"}
    assert kinds <= set(result["corruptions"]["leak"]), result["corruptions"]["leak"]
    leak = entities["leak"]
    names = [d["properties"]["name"][0] for d in leak if d["schema"] == "Person"]
    assert any(re.match(r"^[^,a-z]+, ", n) for n in names), "LAST, First"
    assert any(re.search(r"\b[A-Z]\. ", n) for n in names), "initials"
    births = [b for d in leak for b in d["properties"].get("birthDate", [])]
    assert any(len(b) == 4 for b in births) and any(len(b) == 10 for b in births)
    truth = read_truth(out / "truth.csv")
    leak_pids = Counter(truth[d["id"]] for d in leak if d["schema"] == "Person")
    assert any(n > 1 for n in leak_pids.values()), "duplicates inside the leak"
    # a decoy shares its name with the person it imitates but is someone else
    by_pid = defaultdict(list)
    for source_items in entities.values():
        for d in source_items:
            if d["schema"] == "Person":
                by_pid[truth[d["id"]]].append(d)
    decoys = [p for p in by_pid if "-x" in p]
    assert decoys and all(p.split("-x")[0] in by_pid for p in decoys)
    # ... born years apart: no decoy shares a full birth date with its original
    for p in decoys:
        births = {b for d in by_pid[p] for b in d["properties"].get("birthDate", []) if len(b) == 10}
        original = {b for d in by_pid[p.split("-x")[0]] for b in d["properties"].get("birthDate", []) if len(b) == 10}
        assert not births & original, p


def test_sources_overlap_without_covering_each_other(gen: tuple[Path, dict[str, Any]],
                                                    entities: dict[str, list[dict[str, Any]]]) -> None:
    out, _ = gen
    truth = read_truth(out / "truth.csv")
    people = {s: {truth[d["id"]] for d in items if d["schema"] == "Person"} for s, items in entities.items()}
    for a in SOURCES:
        for b in SOURCES:
            if a != b:
                assert people[a] & people[b], (a, b)
                assert people[a] - people[b], (a, b)


def test_positions_terms_and_families(entities: dict[str, list[dict[str, Any]]]) -> None:
    registry = entities["registry"]
    positions = [d for d in registry if d["schema"] == "Position"]
    topics = Counter(t for d in positions for t in d["properties"]["topics"])
    for topic in ("gov.national", "gov.legislative", "gov.executive", "gov.judicial", "gov.security", "gov.soe",
                  "role.diplo"):
        assert topics[topic], topic
    assert len({d["properties"]["country"][0] for d in positions if "country" in d["properties"]}) > 100
    occupancies = [d for d in registry if d["schema"] == "Occupancy"]
    status = Counter(d["properties"]["status"][0] for d in occupancies)
    assert status["current"] and status["ended"]
    for d in occupancies:
        if "endDate" in d["properties"]:
            assert d["properties"]["endDate"][0] > d["properties"]["startDate"][0]
    relations = Counter(d["properties"]["relationship"][0] for d in registry if d["schema"] == "Family")
    assert set(relations) == {"spouse", "child", "parent", "sibling"}
    # relatives include minors (kept here; the rest of pepgraph hides them)
    ref = "%04d-%02d-%02d" % (REF_DATE[0] - 18, REF_DATE[1], REF_DATE[2])
    relatives = {d["properties"]["relative"][0] for d in registry if d["schema"] == "Family"}
    births = [d["properties"].get("birthDate", [""])[0] for d in registry if d["id"] in relatives]
    assert any(b > ref for b in births)


def test_ingest_round_trip_and_resolve_runs(gen: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, result = gen
    with Graph(tmp_path / "synth.duckdb") as graph:
        for source in SOURCES:
            res = graph.ingest([out / f"{source}.ftm.jsonl"], dataset=f"synth_{source}")
            assert res.entities == sum(result["sources"][source].values())
            assert res.schema_counts["Person"] == result["sources"][source]["Person"]
        rows = graph.store.query("SELECT count(DISTINCT entity_id) AS n FROM statements WHERE schema = 'Person'")
        assert rows[0]["n"] == result["truth_rows"]


def test_cli(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    res = subprocess.run(
        [sys.executable, "-m", "pepgraph", "generate", "--persons", "40", "--out", str(tmp_path / "g"), "--seed", "5",
         "--sources", "registry,leak"],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "40 key persons" in res.stdout
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["leak.ftm.jsonl", "registry.ftm.jsonl", "truth.csv"]
