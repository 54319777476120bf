"""Batch screening and ``pepgraph compare`` on files, as a user runs them: CSV, XLSX and FtM JSON
lines in, CSV out, several processes, an interruption and a resume; the CLI in a real process."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pepgraph import Graph
from pepgraph.errors import ConfigError, SourceError
from pepgraph.screen.batch import OUT_COLUMNS, progress_path

QUERIES = [
    {"full_name": "Иван Сидоренко", "date_of_birth": "1961", "nationality": "Russia", "customer_ref": "c1"},
    {"full_name": "Nobody Atall Here", "date_of_birth": "1990-01-01", "nationality": "", "customer_ref": "c2"},
    {"full_name": "Nino Beridze", "date_of_birth": "1980-09-09", "nationality": "ge", "customer_ref": "c3"},
    {"full_name": "", "date_of_birth": "", "nationality": "", "customer_ref": "c4"},
    {"full_name": "Jianguo Wang", "date_of_birth": "1958", "nationality": "cn", "customer_ref": "c5"},
] * 3


def write_csv(path: Path, rows: list[dict[str, str]] = QUERIES) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_batch_rows_and_columns(graph: Graph, tmp_path: Path) -> None:
    result = graph.screen_batch(write_csv(tmp_path / "in.csv"), tmp_path / "out.csv", workers=1)
    rows = read_csv(tmp_path / "out.csv")
    assert list(rows[0]) == [*OUT_COLUMNS, "full_name", "date_of_birth", "nationality", "customer_ref"]
    assert result.queries == len(QUERIES) and result.rows == len(rows)
    by_query: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_query.setdefault(row["query_row"], []).append(row)
    assert set(by_query) == {str(i) for i in range(1, len(QUERIES) + 1)}  # every query has a row
    first = by_query["1"][0]
    assert first["match"] == "true" and float(first["score"]) >= 0.7 and "sanction" in first["topics"]
    assert first["customer_ref"] == "c1" and first["explanation"].startswith("name ")
    nobody = by_query["2"]
    assert len(nobody) == 1 and nobody[0]["candidate_id"] == "" and nobody[0]["customer_ref"] == "c2"
    assert by_query["4"][0]["explanation"] == "no name"
    assert all(float(r["score"]) >= 0.5 for r in rows if r["score"])
    assert not progress_path(tmp_path / "out.csv").exists()  # removed when complete


def test_processes_give_the_same_output(graph: Graph, tmp_path: Path) -> None:
    inp = write_csv(tmp_path / "in.csv")
    graph.screen_batch(inp, tmp_path / "one.csv", workers=1)
    result = graph.screen_batch(inp, tmp_path / "two.csv", workers=2)
    assert result.workers == 2
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert result.cpu_seconds > 0  # the workers report their CPU time


def test_workers_come_from_a_warmed_fork_server() -> None:
    """rigour builds its name tagger in the fork server once, not in every worker."""
    import multiprocessing

    from pepgraph.screen.batch import _worker_context

    ctx = _worker_context()
    if "forkserver" not in multiprocessing.get_all_start_methods():
        assert ctx.get_start_method() == "spawn"
        return
    assert ctx.get_start_method() == "forkserver"
    with ctx.Pool(1) as pool:  # a worker forked from the server already holds the warmed module
        assert pool.apply(_warmed_here)


def _warmed_here() -> bool:
    import sys

    return "pepgraph.screen.warm" in sys.modules


def test_interrupted_batch_resumes(graph: Graph, tmp_path: Path) -> None:
    from pepgraph.screen.batch import run_batch

    inp = write_csv(tmp_path / "in.csv")
    graph.screen_batch(inp, tmp_path / "whole.csv", workers=1)
    out = tmp_path / "out.csv"
    calls = []

    def stop_after_two_chunks(done: int, _: object) -> None:
        calls.append(done)
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(graph.index_path, inp, out, workers=1, chunk=2, progress=stop_after_two_chunks)
    assert progress_path(out).exists()
    with open(out, "ab") as fh:  # a torn last line, as a kill mid-write leaves
        fh.write(b"99,half-a-ro")
    result = run_batch(graph.index_path, inp, out, workers=1, chunk=2)
    assert result.resumed_from == 4 and result.queries == len(QUERIES)
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    # another input (or other options) starts over instead of mixing outputs
    other = write_csv(tmp_path / "other.csv", QUERIES[:2])
    with pytest.raises(KeyboardInterrupt):
        run_batch(graph.index_path, inp, out, workers=1, chunk=2, progress=stop_after_two_chunks)
    fresh = run_batch(graph.index_path, other, out, workers=1, chunk=2)
    assert fresh.resumed_from == 0 and fresh.queries == 2


def test_xlsx_and_jsonl_inputs(graph: Graph, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Customer", "Born"])
    sheet.append(["Ivan Sidorenko", "1961-03-14"])
    sheet.append(["Wang Jianguo", 1958])
    book.save(tmp_path / "in.xlsx")
    graph.screen_batch(tmp_path / "in.xlsx", tmp_path / "x.csv", columns=["name=Customer", "birthDate=Born"], workers=1)
    rows = read_csv(tmp_path / "x.csv")
    assert rows[0]["query_row"] == "1" and rows[0]["match"] == "true" and rows[0]["Customer"] == "Ivan Sidorenko"
    assert any(r["query_row"] == "2" and r["match"] == "true" for r in rows)

    with open(tmp_path / "in.ftm.json", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "q-1", "schema": "Person", "properties": {"name": ["Ahmed Kareemi"], "nationality": ["ir"]}}) + "\n")
        fh.write(json.dumps({"id": "q-2", "schema": "Company", "properties": {"name": ["Northwind Trading"]}}) + "\n")
    graph.screen_batch(tmp_path / "in.ftm.json", tmp_path / "j.csv", workers=1)
    rows = read_csv(tmp_path / "j.csv")
    assert {r["query_row"] for r in rows} == {"q-1", "q-2"}
    firsts = {q: next(r for r in rows if r["query_row"] == q) for q in ("q-1", "q-2")}
    assert all(r["match"] == "true" for r in firsts.values())
    assert next(r for r in rows if r["query_row"] == "q-2")["caption"] == "Northwind Trading LLC"


def test_bad_inputs_name_the_file_and_line(graph: Graph, tmp_path: Path) -> None:
    inp = write_csv(tmp_path / "in.csv")
    with pytest.raises(SourceError, match=r"in.csv:1: no column 'nom'"):
        graph.screen_batch(inp, tmp_path / "o.csv", columns=["name=nom"], workers=1)
    with pytest.raises(ConfigError, match="PROPERTY=COLUMN"):
        graph.screen_batch(inp, tmp_path / "o.csv", columns=["name"], workers=1)
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "properties": {"name": ["X"]}}\n{oops\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.jsonl:2: not JSON"):
        graph.screen_batch(tmp_path / "bad.jsonl", tmp_path / "o.csv", workers=1)
    (tmp_path / "nonames.csv").write_text("colour,size\nred,3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no name column"):
        graph.screen_batch(tmp_path / "nonames.csv", tmp_path / "o.csv", workers=1)


# -- the command line ----------------------------------------------------------------------------

def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pepgraph", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_index_screen_batch_compare(store_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    (tmp_path / "s.duckdb").write_bytes((store_dir / "s.duckdb").read_bytes())
    res = run("--db", db, "index", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "screening index" in res.stdout and "entities" in res.stdout
    res = run("--db", db, "screen", "SIDORENKO, Ivan", "--birth-date", "1961", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["results"][0]["match"] and data["total"] >= 1
    res = run("--db", db, "screen", "Ivan Sidorenko", "--topics", "sanction", "--limit", "2", cwd=tmp_path)
    assert res.returncode == 0 and "match" in res.stdout and "name" in res.stdout
    write_csv(tmp_path / "in.csv")
    res = run("--db", db, "screen", "--batch", "in.csv", "--out", "out.csv", "--workers", "2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"{len(QUERIES)} queries" in res.stdout and (tmp_path / "out.csv").exists()
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"query": {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"]}},
                    "candidate": {"schema": "Person", "properties": {"name": ["Иван Сидоренко"]}}}) + "\n"
        + json.dumps({"query": {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"]}},
                      "candidate": {"schema": "Person", "properties": {"name": ["Nino Beridze"]}}}) + "\n",
        encoding="utf-8",
    )
    res = run("compare", "--pairs", str(pairs), "--out", "scores.csv", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = read_csv(tmp_path / "scores.csv")
    assert [r["pair"] for r in rows] == ["1", "2"] and list(rows[0]) == ["pair", "score", "match", "explanation"]
    assert rows[0]["match"] == "true" and rows[1]["match"] == "false"
    # errors: one line, the file and line, a non-zero exit
    pairs.write_text('{"query": {"schema": "Person", "properties": {}}}\n', encoding="utf-8")
    res = run("compare", "--pairs", str(pairs), cwd=tmp_path)
    assert res.returncode == 1 and "pairs.jsonl:1" in res.stderr and "candidate" in res.stderr
    assert "Traceback" not in res.stderr
    (tmp_path / "s.duckdb.screen").unlink()
    res = run("--db", db, "screen", "x", cwd=tmp_path)
    assert res.returncode == 1 and "pepgraph index" in res.stderr and "Traceback" not in res.stderr
