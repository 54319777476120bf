"""Change over time on real data: congress-legislators as of 2015-11-30, then the current file."""

from __future__ import annotations

from pathlib import Path

import yaml

from pepgraph import Graph

from tests.conftest import shared


def _bioguides(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as fh:
        return {p["id"]["bioguide"] for p in yaml.load(fh, Loader=yaml.CSafeLoader)}


def test_congress_2015_snapshot_then_current(tmp_path: Path) -> None:
    old = shared("congress-legislators", "snapshots", "legislators-current@2015-11-30.yaml")
    new = shared("congress-legislators", "legislators-current.yaml")
    stayed = sorted(_bioguides(old) & _bioguides(new))
    departed = sorted(_bioguides(old) - _bioguides(new))
    assert stayed and departed
    with Graph(tmp_path / "s.duckdb") as graph:
        first = graph.ingest(old, dataset="us_congress", format="congress", as_of="2015-11-30")
        second = graph.ingest(new, dataset="us_congress", format="congress", as_of="2026-06-15")
        assert (first.version, second.version) == (1, 2)
        assert second.added > 0 and second.retired > 0

        # a member in both files keeps the first_seen of 2015 for unchanged values
        member = graph.entity(f"congress-{stayed[0]}")
        assert member is not None
        birth = member["properties"]["birthDate"][0]["sources"][0]
        assert birth["first_seen"].startswith("2015-11-30") and birth["last_seen"].startswith("2026-06-15")

        # a departed member is history: not current, still queryable with every value
        gone = f"congress-{departed[0]}"
        assert graph.entity(gone) is None
        past = graph.entity(gone, history=True)
        assert past is not None and past["current"] is False
        assert all(not s["current"] for vals in past["properties"].values() for v in vals for s in v["sources"])

        current_people = graph.store.query(
            "SELECT count(DISTINCT entity_id) AS n FROM statements "
            "WHERE current AND schema = 'Person' AND entity_id LIKE 'congress-%' AND prop = 'birthDate'"
        )[0]["n"]
        assert current_people == len(_bioguides(new))


def test_term_status_is_judged_as_of_the_snapshot(tmp_path: Path) -> None:
    """A term ending 2017-01-03 was current in the 2015 snapshot, whatever today's date is."""
    old = shared("congress-legislators", "snapshots", "legislators-current@2015-11-30.yaml")
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(old, dataset="us_congress", format="congress", as_of="2015-11-30")
        rows = graph.store.query(
            "SELECT s.value AS status FROM statements s JOIN statements e ON s.entity_id = e.entity_id "
            "WHERE s.prop = 'status' AND e.prop = 'endDate' AND e.value = '2017-01-03'"
        )
        assert rows and {r["status"] for r in rows} == {"current"}
