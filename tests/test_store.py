"""The store: schema versions, migrations, and surviving a kill -9 at any point of an ingest."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from pepgraph import Graph
from pepgraph.errors import StoreError
from pepgraph.store import SCHEMA_VERSION, Store


def test_new_store_is_at_current_schema_version(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION
        tables = {r["table_name"] for r in store.query("SELECT table_name FROM information_schema.tables")}
        assert {"meta", "statements", "datasets", "dataset_versions", "ingest_runs"} <= tables


def test_store_from_a_newer_pepgraph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer than this pepgraph"):
        Store(path)


def test_read_only_store_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_migration_from_an_empty_file(tmp_path: Path) -> None:
    """A DuckDB file without pepgraph tables (version 0) is migrated, not rejected."""
    path = tmp_path / "s.duckdb"
    duckdb.connect(str(path)).close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION


CHILD = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pepgraph import Graph

    db, path, where, delay = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

    def die():
        time.sleep(delay)
        os.kill(os.getpid(), signal.SIGKILL)

    class Killer:
        def start(self, files, total): pass
        def file(self, path, size): pass
        def entities(self, count):
            if where == "reading" and count >= 20000:
                os.kill(os.getpid(), signal.SIGKILL)
        def phase(self, text):
            if where == "merging":
                threading.Thread(target=die, daemon=True).start()

    with Graph(db) as graph:
        graph.ingest(path, dataset="big", as_of="2025-01-01", progress=Killer())
    print("finished")
    """
)


def _big_file(path: Path, n: int, tag: str) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            entity = {
                "id": f"p{i}", "schema": "Person",
                "properties": {"name": [f"Person {i} {tag}"], "birthDate": [f"19{i % 90 + 10}"], "country": ["de"]},
            }
            fh.write(json.dumps(entity) + "\n")
    return path


@pytest.mark.parametrize("where,delay", [("reading", 0.0), ("merging", 0.0), ("merging", 0.05), ("merging", 0.15)])
def test_kill_9_mid_ingest_leaves_previous_version_intact(tmp_path: Path, where: str, delay: float) -> None:
    db = tmp_path / "s.duckdb"
    v1 = _big_file(tmp_path / "v1.json", 60_000, "one")
    v2 = _big_file(tmp_path / "v2.json", 60_000, "two")
    with Graph(db) as graph:
        first = graph.ingest(v1, dataset="big", as_of="2024-01-01")
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.run(
        [sys.executable, str(script), str(db), str(v2), where, str(delay)],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode == 0:
        # the merge finished before the timer fired: the new version is complete, never partial
        with Graph(db, read_only=True) as graph:
            assert graph.datasets()[0]["version"] == 2
            assert graph.store.query("SELECT count(*) AS n FROM statements WHERE current")[0]["n"] == first.statements
        pytest.skip("the ingest finished before the kill; the store holds the whole new version")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Graph(db) as graph:
        ds = graph.datasets()[0]
        assert ds["version"] == 1 and ds["statement_count"] == first.statements
        counts = graph.store.query(
            "SELECT count(*) AS n, count(*) FILTER (WHERE current) AS cur, "
            "count(*) FILTER (WHERE value LIKE '%two%') AS two FROM statements"
        )[0]
        assert counts == {"n": first.statements, "cur": first.statements, "two": 0}
        # the killed run is visible as interrupted once the store is opened for writing again
        assert graph.runs("big")[0]["status"] == "interrupted"
        # and the store takes the new version cleanly afterwards
        again = graph.ingest(v2, dataset="big", as_of="2025-01-01")
        assert again.version == 2 and again.retired == 60_000


def test_a_version_1_store_is_migrated(tmp_path: Path) -> None:
    from pepgraph.store import MIGRATIONS

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    MIGRATIONS[0](con)
    con.execute("INSERT INTO datasets (name, version) VALUES ('kept', 3)")
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.query("SELECT name, version FROM datasets") == [{"name": "kept", "version": 3}]
        assert store.query("SELECT count(*) AS n FROM judgements") == [{"n": 0}]
