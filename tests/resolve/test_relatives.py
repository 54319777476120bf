"""Relatives as evidence (resolve/relatives.py): a pair the model leaves under the threshold is
linked when a relative of each, of the same kind, is in one cluster; the link meets every rule a
model link meets, and judgements still win."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pepgraph import Graph
from pepgraph.resolve import relatives
from pepgraph.resolve.cluster import cluster
from pepgraph.sample import DATASETS, write_sample

#: the sample's "María Fernández López" (reg-p4) and the press's "Maria Fernandez" (press-2) score
#: under THRESHOLD; their husbands, one in each source, are one man by name and birth date
THRESHOLD = 0.95


def _person(id: str, **props: Any) -> dict[str, Any]:
    return {"id": id, "schema": "Person", "properties": {k: [v] for k, v in props.items()}}


def _family(id: str, person: str, relative: str, relationship: str) -> dict[str, Any]:
    return {"id": id, "schema": "Family",
            "properties": {"person": [person], "relative": [relative], "relationship": [relationship]}}


def _graph(tmp_path: Path, press_relationship: str | None) -> Graph:
    """The sample, resolved once to train the model, then the husbands added: later resolves score
    with that stored model, so that the pair's score does not move with what the test adds."""
    folder = tmp_path / "sample"
    write_sample(folder)
    g = Graph(tmp_path / "s.duckdb")
    for dataset, (name, _) in DATASETS.items():
        g.ingest(folder / name, dataset=dataset)
    g.resolve()
    extra = {
        "sample_registry": [
            _person("reg-h", name="Juan García Ruiz", birthDate="1969-04-12", gender="male", nationality="es"),
            _family("reg-fh", "reg-p4", "reg-h", "husband"),
        ],
        "sample_press": [_person("press-h", name="Juan Garcia Ruiz", birthDate="1969-04-12", nationality="es")],
    }
    if press_relationship:
        extra["sample_press"].append(_family("press-fh", "press-2", "press-h", press_relationship))
    for dataset, entities in extra.items():
        name = DATASETS[dataset][0]
        with open(folder / name, "a", encoding="utf-8") as f:
            for entity in entities:
                f.write(json.dumps(entity) + "\n")
        g.ingest(folder / name, dataset=dataset)
    return g


def _pair(g: Graph, a: str, b: str) -> tuple[float, str, dict[str, Any]]:
    row = g.store.con.execute(
        "SELECT probability, evidence, explanation FROM resolve_pairs WHERE left_id = ? AND right_id = ?",
        [min(a, b), max(a, b)]).fetchone()
    assert row is not None, f"{a} / {b} was not scored"
    return row[0], row[1], json.loads(row[2])


def _canon(g: Graph, entity_id: str) -> str:
    entity = g.entity(entity_id)
    assert entity is not None
    return entity["id"]


def test_a_pair_under_the_threshold_is_linked_when_their_spouses_are_one_person(tmp_path: Path) -> None:
    with _graph(tmp_path, "spouse") as g:
        result = g.resolve(threshold=THRESHOLD)
        assert _canon(g, "reg-h") == _canon(g, "press-h")  # the husbands, by the model
        prob, evidence, why = _pair(g, "reg-p4", "press-2")
        assert 0.2 <= prob < THRESHOLD  # the model alone would leave them apart
        assert evidence == "relatives" and result.relative_links == 1
        assert why["relatives"] == {"kind": "spouse", "left": "press-h", "right": "reg-h"}
        assert _canon(g, "reg-p4") == _canon(g, "press-2")
        assert g.explain("reg-p4", "press-2")["relatives"] == why["relatives"]
        # the review queue offers it like a model pair: a person can still judge it
        assert ("press-2", "reg-p4") in {(p["left_id"], p["right_id"]) for p in g.review_queue(limit=50)}


def test_relatives_of_different_kinds_are_no_evidence(tmp_path: Path) -> None:
    # the press says the man is her son: she is his mother there, his wife in the registry
    with _graph(tmp_path, "son") as g:
        result = g.resolve(threshold=THRESHOLD)
        assert _canon(g, "reg-h") == _canon(g, "press-h")
        prob, evidence, why = _pair(g, "reg-p4", "press-2")
        assert prob < THRESHOLD and evidence == "model" and "relatives" not in why
        assert result.relative_links == 0
        assert _canon(g, "reg-p4") != _canon(g, "press-2")


def test_a_different_judgement_beats_relatives(tmp_path: Path) -> None:
    with _graph(tmp_path, "wife") as g:
        g.judge("reg-p4", "press-2", "different", note="two women married to namesakes")
        result = g.resolve(threshold=THRESHOLD)
        assert result.relative_links == 1  # proposed, then refused by the judgement
        assert _canon(g, "reg-p4") != _canon(g, "press-2")
        assert any(r[2].startswith("judged different") for r in result.refused)


def test_load_reads_kinds_both_ways_and_skips_words_it_does_not_know(tmp_path: Path) -> None:
    with _graph(tmp_path, "spouse") as g:
        g.store.con.execute(
            "INSERT INTO statements SELECT * REPLACE ('reg-fx' AS entity_id, 'grandson' AS value) "
            "FROM statements WHERE entity_id = 'reg-f2' AND prop = 'relationship'")
        kin = relatives.load(g.store, kinds={"spouse", "child", "parent", "sibling"})
        # reg-f2: person reg-p5, relative reg-p6, "son": reg-p6 is reg-p5's child, reg-p5 reg-p6's parent
        assert ("child", "reg-p6") in kin["reg-p5"] and ("parent", "reg-p5") in kin["reg-p6"]
        assert ("spouse", "reg-h") in kin["reg-p4"] and ("spouse", "reg-p4") in kin["reg-h"]
        # by default only the kinds that point at few people: a parent is every sibling's
        assert "reg-p6" not in relatives.load(g.store)


def test_shared_needs_one_kind_and_a_cluster_that_is_neither_records_own() -> None:
    kin = {"a": [("spouse", "x1")], "b": [("spouse", "x2"), ("child", "y2")], "c": [("child", "x2")]}
    same = {"x1": "X", "x2": "X"}
    assert relatives.shared("a", "b", kin, same) == ("spouse", "x1", "x2")
    assert relatives.shared("a", "c", kin, same) is None  # her spouse, his child
    assert relatives.shared("a", "b", kin, {"x1": "X", "x2": "Z"}) is None  # two men
    # a record whose "spouse" is in its own cluster says nothing about the pair
    assert relatives.shared("a", "b", kin, {"x1": "A", "x2": "A", "a": "A"}) is None


@pytest.mark.parametrize("evidence", ["relatives", "model"])
def test_a_relatives_link_meets_the_rules_a_model_link_meets(evidence: str) -> None:
    # b has no birth date and would bridge a (1950) and c (1980): refused whatever made the link
    births = {"a": (1950, ["1950-01-01"]), "c": (1980, ["1980-01-01"])}
    done = cluster(["a", "b", "c"], [("a", "b", 0.9, "model"), ("b", "c", 0.5, evidence)], different=[],
                   qids={}, births=births)
    assert done.mapping["a"] == done.mapping["b"] != done.mapping["c"]
    assert done.refused and done.refused[0][2].startswith(f"{evidence} link refused")
