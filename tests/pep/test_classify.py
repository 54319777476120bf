"""Classification pinned on an invented world: expiry windows, death and age cut-offs, RCA only
through a recorded link, relatives by name, minors hidden, idempotent rebuilds."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pepgraph import Graph

from tests.pep.conftest import TODAY, roles, write_world, world


def _best(graph: Graph, entity_id: str, role: str = "pep") -> str | None:
    rows = roles(graph, entity_id, role)
    order = {"current": 0, "former": 1, "expired": 2}
    return min((r["status"] for r in rows), key=order.__getitem__) if rows else None


def _topics(graph: Graph, entity_id: str) -> set[str]:
    return {r["value"] for r in graph.store.query(
        "SELECT value FROM statements WHERE current AND prop = 'topics' AND canonical_id = "
        "(SELECT min(canonical_id) FROM statements WHERE entity_id = ?)", [entity_id])}


def test_expiry_windows(classified) -> None:
    graph, _ = classified
    assert _best(graph, "p-cora") == "current"          # President, no end date
    assert _best(graph, "p-anna") == "former"           # minister until 2010: tier 2, 20 years
    anna = roles(graph, "p-anna")[0]
    assert str(anna["until"]) == "2030-01-01" and "Minister of Finance" in anna["reason"]
    assert "source world" in anna["reason"]
    assert _best(graph, "p-bert") == "expired"          # mayor until mid-2015: municipal, 5 years
    assert str(roles(graph, "p-bert")[0]["until"]) == "2020-06-30"
    assert _topics(graph, "p-anna") == {"role.pep"} and _topics(graph, "p-bert") == set()


def test_death_and_age_cut_offs(classified) -> None:
    graph, _ = classified
    gus = roles(graph, "p-gus")[0]
    assert gus["status"] == "expired" and "died 2000-06-01" in gus["reason"]
    hal = roles(graph, "p-hal")[0]
    assert hal["status"] == "expired" and "presumed dead" in hal["reason"]


def test_unclassified_positions_make_nobody_a_pep(classified) -> None:
    graph, result = classified
    assert _best(graph, "p-jon") is None
    assert ("Conductor of the Testville Choir", 1) in result.unclassified_positions


def test_rca_only_through_links(classified) -> None:
    graph, result = classified
    dora = roles(graph, "p-dora", "rca")
    assert len(dora) == 1 and dora[0]["relationship"] == "spouse" and dora[0]["status"] == "former"
    assert "f-anna-dora" in dora[0]["reason"]
    # the other Dora Spouse shares the name and nothing else: not an RCA
    assert roles(graph, "p-dora2", "rca") == [] and "role.rca" not in _topics(graph, "p-dora2")
    # Ida is the associate of an expired PEP (Bert) and of a non-PEP (Jon): not an RCA
    assert roles(graph, "p-ida", "rca") == []
    assert result.rcas >= 2


def test_relatives_by_name(classified) -> None:
    graph, result = classified
    assert result.relatives_named == 2
    assert result.relatives_matched == 1 and result.relatives_matched_same_dataset == 1
    matched = graph.store.query("SELECT entity_id, canonical_id FROM relative_matches")
    assert [(m["entity_id"]) for m in matched] == ["rel-1"]
    # Karl Known is Cora's parent ("daughter" says Cora is his daughter), found through the name
    karl = roles(graph, "p-karl", "rca")
    assert karl and karl[0]["relationship"] == "parent"
    # two Max Musters: the mention stays unmatched, neither becomes an RCA
    assert roles(graph, "p-max1", "rca") == [] and roles(graph, "p-max2", "rca") == []
    # the mention itself stays a person of its own: "son" says Anna is Max's son, so Max is her parent
    assert roles(graph, "rel-2", "rca")[0]["relationship"] == "parent"


def test_minors_hidden_by_default(classified, tmp_path: Path) -> None:
    graph, _ = classified
    assert roles(graph, "p-finn", "rca")  # classified like anyone else...
    assert graph.entity("p-finn") is None  # ...but not shown
    assert graph.entity("p-finn", include_minors=True)["minor"] is True
    cora = graph.entity("p-cora")
    assert cora["relatives_hidden"] == 1 and "p-finn" not in json.dumps(cora["relatives"])
    rca = graph.stats("country", topic="role.rca")
    rca_all = graph.stats("country", topic="role.rca", include_minors=True)
    assert sum(r["entities"] for r in rca_all["rows"]) == sum(r["entities"] for r in rca["rows"]) + 1
    out = tmp_path / "out.ftm.json"
    graph.export("ftm", out)
    text = out.read_text(encoding="utf-8")
    assert "Finn Presidento" not in text and "f-cora-finn" not in text
    graph.export("ftm", out, include_minors=True)
    assert "Finn Presidento" in out.read_text(encoding="utf-8")
    data = graph.graph("p-cora", depth=2)
    assert data["minors_hidden"] == 1 and not [n for n in data["nodes"] if n["caption"] == "Finn Presidento"]


def test_rebuild_is_idempotent(classified) -> None:
    graph, first = classified
    before = graph.store.query(
        "SELECT * EXCLUDE (built_at) FROM pep_roles ORDER BY canonical_id, role, reason")
    topics_before = graph.store.query(
        "SELECT id, entity_id, value, first_seen FROM statements WHERE dataset = 'derived_pep' ORDER BY id")
    second = graph.classify(today=TODAY)
    after = graph.store.query("SELECT * EXCLUDE (built_at) FROM pep_roles ORDER BY canonical_id, role, reason")
    topics_after = graph.store.query(
        "SELECT id, entity_id, value, first_seen FROM statements WHERE dataset = 'derived_pep' ORDER BY id")
    assert before == after and topics_before == topics_after  # first_seen kept too
    assert first.peps == second.peps and first.rcas == second.rcas


def test_stale_current_and_custom_rules(tmp_path: Path) -> None:
    # a snapshot from 2015 says Cora is "current": eleven years on she counts as former
    with Graph(tmp_path / "old.duckdb") as graph:
        graph.ingest(write_world(tmp_path / "w.ftm.json"), dataset="world", as_of="2015-11-30")
        graph.resolve()
        graph.classify(today=TODAY)
        cora = roles(graph, "p-cora")[0]
        assert cora["status"] == "former" and "last listed as current on 2015-11-30" in cora["reason"]
        # a stricter window in the user's own rules file: 10 years for tier 2
        from pepgraph.pep.rules import DEFAULT_RULES

        strict = tmp_path / "strict.yml"
        strict.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace("  2: 20 ", "  2: 10 "), encoding="utf-8")
        graph.classify(rules=strict, today=TODAY)
        assert roles(graph, "p-anna")[0]["status"] == "expired"


def test_graph_export_formats(classified, tmp_path: Path) -> None:
    graph, _ = classified
    import xml.dom.minidom

    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"g.{fmt}"
        edges = graph.export(fmt, path)
        doc = xml.dom.minidom.parse(str(path))
        assert edges > 5 and doc.getElementsByTagName("edge")
        assert "Finn Presidento" not in path.read_text(encoding="utf-8")
    data = graph.graph("p-anna", depth=1)
    labels = {(e["source"], e["label"], e["target"]) for e in data["edges"]}
    anna = data["root"]
    assert any(s == anna and label == "spouse" for s, label, _ in labels)
    assert any(label.startswith("2005") for _, label, _ in labels)  # the occupancy edge, with its dates
