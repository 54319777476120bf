"""Ingest: versions, first/last seen, history, all-or-nothing, and bad input naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pepgraph import Graph
from pepgraph.errors import ConfigError, SourceError

from tests.conftest import FIXTURES

FTM = FIXTURES / "ftm"


def write_ftm(path: Path, entities: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    return path


def person(id: str, *names: str, **props: list[str]) -> dict:
    return {"id": id, "schema": "Person", "properties": {"name": list(names), **props}}


def statements(graph: Graph, dataset: str | None = None) -> list[dict]:
    sql = "SELECT * FROM statements" + (" WHERE dataset = ?" if dataset else "") + " ORDER BY id"
    return graph.store.query(sql, [dataset] if dataset else [])


def test_ingest_stores_statements_with_provenance(tmp_path: Path) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        result = graph.ingest(FTM / "good.ftm.json", dataset="t", title="Test", licence="CC0-1.0")
        assert result.status == "ok" and result.version == 1
        assert result.entities == 3
        assert result.schema_counts == {"Person": 1, "Organization": 1, "Ownership": 1}
        rows = statements(graph)
        assert len(rows) == result.statements
        nationality = [r for r in rows if r["prop"] == "nationality"][0]
        # followthemoney cleaned the country name, and the original was kept
        assert nationality["value"] == "de" and nationality["original_value"] == "Germany"
        assert nationality["prop_type"] == "country"
        assert {r["origin"] for r in rows if r["prop"] != "id"} == {"good.ftm.json"}
        assert all(r["canonical_id"] == r["entity_id"] for r in rows)
        ds = graph.datasets()[0]
        assert (ds["name"], ds["title"], ds["licence"], ds["version"]) == ("t", "Test", "CC0-1.0", 1)
        assert json.loads(ds["schema_counts"])["Person"] == 1


def test_statement_ids_are_stable_and_follow_ftm(tmp_path: Path) -> None:
    from followthemoney.statement import Statement

    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(FTM / "good.ftm.json", dataset="t")
        row = [r for r in statements(graph) if r["prop"] == "birthDate"][0]
        assert row["id"] == Statement.make_key("t", "t-p1", "birthDate", "1970-01-02", False)


def test_reingest_same_file_changes_only_last_seen(tmp_path: Path) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(FTM / "good.ftm.json", dataset="t", as_of="2020-01-01")
        before = statements(graph)
        result = graph.ingest(FTM / "good.ftm.json", dataset="t", as_of="2021-06-30")
        after = statements(graph)
        assert result.status == "unchanged" and result.version == 1 and result.added == 0
        assert len(before) == len(after)
        for b, a in zip(before, after):
            assert {k: v for k, v in a.items() if k != "last_seen"} == {k: v for k, v in b.items() if k != "last_seen"}
            assert str(a["last_seen"]).startswith("2021-06-30")
        assert [r["version"] for r in graph.store.query("SELECT version FROM dataset_versions")] == [1]


def test_new_version_keeps_first_seen_and_history(tmp_path: Path) -> None:
    v1 = write_ftm(tmp_path / "v1.json", [
        person("a", "Alice Old", birthDate=["1960"]),
        person("b", "Bob Gone"),
    ])
    v2 = write_ftm(tmp_path / "v2.json", [
        person("a", "Alice Old", birthDate=["1960-05-06"], nationality=["fr"]),
        person("c", "Carol New"),
    ])
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(v1, dataset="t", as_of="2015-11-30")
        result = graph.ingest(v2, dataset="t", as_of="2024-01-01")
        assert result.version == 2 and result.status == "ok"
        assert result.added == 4  # a's new date and nationality, c's id and name
        assert result.retired == 3  # a's old date, b's id and name
        alice = graph.entity("a")
        assert alice is not None
        name = alice["properties"]["name"][0]["sources"][0]
        assert name["first_seen"].startswith("2015-11-30") and name["last_seen"].startswith("2024-01-01")
        assert [v["value"] for v in alice["properties"]["birthDate"]] == ["1960-05-06"]
        # the old value is history: not current, still queryable
        full = graph.entity("a", history=True)
        assert full is not None
        dates = {v["value"]: v["sources"][0]["current"] for v in full["properties"]["birthDate"]}
        assert dates == {"1960": False, "1960-05-06": True}
        assert graph.entity("b") is None
        gone = graph.entity("b", history=True)
        assert gone is not None and gone["current"] is False
        assert graph.stats("schema")["total"]["entities"] == 2
        versions = graph.store.query("SELECT version, sha256 FROM dataset_versions ORDER BY version")
        assert [v["version"] for v in versions] == [1, 2]


def test_as_of_cannot_go_back_in_time(tmp_path: Path) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(FTM / "good.ftm.json", dataset="t", as_of="2024-01-01")
        with pytest.raises(ConfigError, match="cannot be older"):
            graph.ingest(FTM / "good.ftm.json", dataset="t", as_of="2015-01-01")


def test_datasets_are_independent(tmp_path: Path) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(FTM / "good.ftm.json", dataset="one")
        graph.ingest(FTM / "good.ftm.json", dataset="two")
        assert len(statements(graph, "one")) == len(statements(graph, "two"))
        entity = graph.entity("t-p1")
        assert entity is not None and entity["datasets"] == ["one", "two"]
        sources = entity["properties"]["name"][0]["sources"]
        assert {s["dataset"] for s in sources} == {"one", "two"}


def test_entity_emitted_twice_with_compatible_schemata_is_merged(tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "twice.json", [
        {"id": "x", "schema": "LegalEntity", "properties": {"name": ["X"]}},
        {"id": "x", "schema": "Person", "properties": {"birthDate": ["1980"]}},
    ])
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(path, dataset="t")
        assert {r["schema"] for r in statements(graph)} == {"Person"}


def test_incompatible_schemata_are_an_error(tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "clash.json", [
        {"id": "x", "schema": "Person", "properties": {"name": ["X"]}},
        {"id": "x", "schema": "Vessel", "properties": {"name": ["X"]}},
    ])
    with Graph(tmp_path / "s.duckdb") as graph, pytest.raises(SourceError, match="both Person and Vessel"):
        graph.ingest(path, dataset="t")


# -- bad input: one clear error naming file and line, and nothing of that version stored -----------

BAD_CASES = [
    ("malformed.ftm.json", "ftm", r"malformed\.ftm\.json:2: malformed JSON"),
    ("unknown-prop.ftm.json", "ftm", r"unknown-prop\.ftm\.json:2 \(record t-p2\): schema Person has no property 'colour'"),
    ("latin1.ftm.json", "ftm", r"latin1\.ftm\.json:1: not valid UTF-8"),
    ("empty.ftm.json", "ftm", r"empty\.ftm\.json: empty file"),
]


@pytest.mark.parametrize("name,fmt,message", BAD_CASES)
def test_bad_input_names_file_and_line_and_stores_nothing(tmp_path: Path, name: str, fmt: str, message: str) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        graph.ingest(FTM / "good.ftm.json", dataset="t", as_of="2020-01-01")
        before = statements(graph)
        with pytest.raises(SourceError, match=message):
            graph.ingest(FTM / name, dataset="t", format=fmt)
        assert statements(graph) == before
        assert graph.datasets()[0]["version"] == 1
        failed = graph.runs("t")[0]
        assert failed["status"] == "failed" and name in failed["errors"]


def test_huge_field_is_rejected(tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "huge.json", [person("h", "x" * 10_000_000)])
    with Graph(tmp_path / "s.duckdb") as graph, pytest.raises(SourceError, match=r"huge\.json:1 \(record h\): value of Person\.name is 10,000,000 characters"):
        graph.ingest(path, dataset="t")


def test_unreadable_and_missing_paths(tmp_path: Path) -> None:
    with Graph(tmp_path / "s.duckdb") as graph:
        with pytest.raises(SourceError, match="no such file or folder"):
            graph.ingest(tmp_path / "nope.json", dataset="t")
        (tmp_path / "mystery.bin").write_bytes(b"\x00\x01\x02 not a known format")
        with pytest.raises(SourceError, match="cannot tell the format"):
            graph.ingest(tmp_path / "mystery.bin", dataset="t")
        with pytest.raises(ConfigError, match="unknown format"):
            graph.ingest(FTM / "good.ftm.json", dataset="t", format="xml-of-doom")
        with pytest.raises(ConfigError, match="dataset name"):
            graph.ingest(FTM / "good.ftm.json", dataset="Bad Name!")


def test_skip_invalid_keeps_valid_records_and_reports(tmp_path: Path) -> None:
    report = tmp_path / "rejected.jsonl"
    with Graph(tmp_path / "s.duckdb") as graph:
        result = graph.ingest(FTM / "unknown-prop.ftm.json", dataset="t", skip_invalid=True, report=report)
        assert result.entities == 2
        assert len(result.rejected) == 1 and result.report == str(report)
        lines = [json.loads(x) for x in report.read_text().splitlines()]
        assert lines[0]["line"] == 2 and lines[0]["record"] == "t-p2" and "colour" in lines[0]["message"]
        assert graph.runs("t")[0]["rejected"] == 1


def test_folder_is_walked_and_unknown_files_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_ftm(folder / "a.json", [person("a", "Alice")])
    write_ftm(folder / "sub.json", [person("b", "Bob")])
    (folder / "README.txt").write_text("just notes")
    with Graph(tmp_path / "s.duckdb") as graph:
        result = graph.ingest(folder, dataset="t")
        assert result.entities == 2
        assert [Path(p).name for p, _ in result.skipped] == ["README.txt"]
        origins = {r["origin"] for r in statements(graph) if r["prop"] == "name"}
        assert origins == {"in/a.json", "in/sub.json"}


# -- reading in several processes -------------------------------------------------------------------


def many(count: int) -> list[dict]:
    return [person(f"p{i}", f"Person Number {i}", birthDate=[f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}"],
                   nationality=["fr" if i % 2 else "Germany"]) for i in range(count)]


def test_line_spans_cover_the_file_at_line_ends(tmp_path: Path) -> None:
    from pepgraph.sources.base import line_spans

    path = write_ftm(tmp_path / "many.json", many(300))
    data = path.read_bytes()
    spans = line_spans(path, 1000)
    assert len(spans) > 10 and spans[0][:1] == (0,) and spans[-1][1] == len(data)
    for (start, end, first), (following, _, _) in zip(spans, spans[1:]):
        assert end == following and data[end - 1:end] == b"\n"
    for start, _, first in spans:
        assert data[:start].count(b"\n") + 1 == first


def stored(graph: Graph) -> list[tuple]:
    return [tuple(r[k] for k in ("id", "entity_id", "schema", "prop", "value", "original_value", "origin"))
            for r in statements(graph)]


def test_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    """Two worker processes reading 1 KB spans of one file give the same statements, and an
    entity emitted as LegalEntity in the first span and Person in the last still ends Person."""
    from pepgraph.ingest import ingest

    records = [{"id": "x", "schema": "LegalEntity", "properties": {"name": ["X"]}}, *many(300),
               {"id": "x", "schema": "Person", "properties": {"birthDate": ["1980"]}}]
    path = write_ftm(tmp_path / "many.json", records)
    stale = tmp_path / ".two.duckdb-ingest-left-by-a-kill"  # an ingest killed with -9 leaves its spans
    stale.mkdir()
    (stale / "000000.parquet").write_bytes(b"x")
    results = []
    for name, workers in (("one", 1), ("two", 2)):
        with Graph(tmp_path / f"{name}.duckdb") as graph:
            res = ingest(graph.store, [path], "t", as_of="2020-01-01", workers=workers, chunk_bytes=1024)
            results.append((res.entities, res.statements, stored(graph)))
            assert {r["schema"] for r in statements(graph) if r["entity_id"] == "x"} == {"Person"}
    assert results[0][0] == 301 and results[0] == results[1]
    assert not list(tmp_path.glob(".*-ingest-*"))


def test_workers_report_the_real_line_and_store_nothing(tmp_path: Path) -> None:
    from pepgraph.ingest import ingest

    lines = [json.dumps(e) for e in many(300)]
    lines[249] = '{"id": "broken", "schema": "Person", '
    path = tmp_path / "bad.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clash = write_ftm(tmp_path / "clash.json", [person("x", "X"), *many(200),
                                                {"id": "x", "schema": "Vessel", "properties": {"name": ["X"]}}])
    with Graph(tmp_path / "s.duckdb") as graph:
        with pytest.raises(SourceError, match=r"bad\.json:250: malformed JSON"):
            ingest(graph.store, [path], "t", workers=2, chunk_bytes=2048)
        assert statements(graph) == []
        with pytest.raises(SourceError, match="both Person and Vessel"):
            ingest(graph.store, [clash], "t", workers=2, chunk_bytes=2048)
        assert statements(graph) == []
        res = ingest(graph.store, [path], "t", workers=2, chunk_bytes=2048, skip_invalid=True,
                     report=tmp_path / "rejected.jsonl")
        assert res.entities == 299 and [e.line for e in res.rejected] == [250]


def test_a_script_without_a_main_guard_gets_an_error_not_a_hang(tmp_path: Path) -> None:
    """Spawned workers import the calling script; one that ingests at import time breaks them,
    and the ingest must say what to do instead of respawning workers for ever."""
    import subprocess
    import sys

    path = write_ftm(tmp_path / "many.json", many(50))
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pepgraph.ingest import ingest\nfrom pepgraph.store import Store\n"
        f"ingest(Store({str(tmp_path / 's.duckdb')!r}), [{str(path)!r}], 't', workers=2, chunk_bytes=1024)\n",
        encoding="utf-8",
    )
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert res.returncode != 0 and "__main__" in res.stderr and "PEPGRAPH_INGEST_WORKERS=1" in res.stderr


def test_ctrl_c_stops_the_workers_says_so_and_stores_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    path = write_ftm(tmp_path / "many.json", many(60_000))
    db = tmp_path / "s.duckdb"
    env = {**os.environ, "PEPGRAPH_INGEST_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pepgraph", "--db", str(db), "ingest", str(path), "--dataset", "t"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background job ignores it
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".s.duckdb-ingest-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are reading
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted: nothing of an unfinished ingest was stored" in stderr
    assert not list(tmp_path.glob(".s.duckdb-ingest-*"))
    with Graph(db) as graph:
        assert statements(graph) == [] and graph.datasets() == [] and graph.runs("t")[0]["status"] == "failed"
