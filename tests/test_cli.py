"""The command line, run as a user runs it: a real process, exit codes, stdout and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pepgraph", *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=300
    )


def test_ingest_then_read_back(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    res = run("--db", db, "ingest", str(FIXTURES / "ftm" / "good.ftm.json"), "--dataset", "t", "--licence", "CC0-1.0", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "t version 1: 3 entities" in res.stdout
    res = run("--db", db, "datasets", "--json", cwd=tmp_path)
    assert json.loads(res.stdout)[0]["licence"] == "CC0-1.0"
    res = run("entity", "t-p1", "--json", cwd=tmp_path, env={"PEPGRAPH_DB": db})
    data = json.loads(res.stdout)
    assert data["caption"] == "Anna Example" and data["properties"]["nationality"][0]["value"] == "de"
    res = run("--db", db, "stats", "--by", "country", "--json", cwd=tmp_path)
    assert {r["key"]: r["entities"] for r in json.loads(res.stdout)["rows"]} == {"de": 2}
    res = run("--db", db, "export", "--format", "ftm", "--out", "-", cwd=tmp_path)
    assert len(res.stdout.splitlines()) == 3


def test_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    res = run("--db", db, "ingest", str(FIXTURES / "ftm" / "malformed.ftm.json"), "--dataset", "t", cwd=tmp_path)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "malformed.ftm.json:2: malformed JSON" in lines[0]
    res = run("--db", db, "entity", "nobody", cwd=tmp_path)
    assert res.returncode == 1 and "no entity 'nobody'" in res.stderr
    res = run("--db", str(tmp_path / "none.duckdb"), "datasets", cwd=tmp_path)
    assert res.returncode == 1 and "no such store" in res.stderr
    res = run("--db", db, "ingest", "x.json", cwd=tmp_path)  # missing --dataset
    assert res.returncode == 2 and "--dataset" in res.stderr


def test_demo_with_the_builtin_sample(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.duckdb")
    res = run("--db", db, "demo", "--sample", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "sample_registry" in res.stdout and "resolved: 14 records → 10 entities" in res.stdout
    again = run("--db", db, "demo", "--sample", cwd=tmp_path)
    assert again.stdout.count("unchanged, last seen updated") == 3


def test_sample_command_writes_files(tmp_path: Path) -> None:
    res = run("sample", "--out", str(tmp_path / "s"), cwd=tmp_path)
    assert res.returncode == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "sample-press.ftm.json", "sample-registry.ftm.json", "sample-sanctions.ftm.json"
    ]


def test_resolve_judge_explain_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "r.duckdb")
    assert run("--db", db, "demo", "--sample", cwd=tmp_path).returncode == 0
    res = run("--db", db, "resolve", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "14 records → 10 entities" in res.stdout
    assert "time: rows " in res.stdout and "scoring " in res.stdout
    res = run("--db", db, "explain", "reg-p7", "press-4", cwd=tmp_path)
    assert res.returncode == 0 and "never linked: born 11 years apart" in res.stdout
    res = run("--db", db, "judge", "reg-p7", "press-4", "maybe", cwd=tmp_path)
    assert res.returncode == 2 and "choose one of same, different, unsure" in res.stderr
    res = run("--db", db, "judge", "reg-p4", "press-2", "same", "--note", "checked", cwd=tmp_path)
    assert res.returncode == 0 and "= same" in res.stdout
    res = run("--db", db, "judgements", "--json", cwd=tmp_path)
    assert json.loads(res.stdout)[0]["note"] == "checked"
    res = run("--db", db, "export", "--format", "clusters", cwd=tmp_path)
    assert res.stdout.splitlines()[0] == "entity_id,canonical_id"


def test_review_loop_records_judgements_from_keys(tmp_path: Path) -> None:
    db = str(tmp_path / "r.duckdb")
    assert run("--db", db, "demo", "--sample", cwd=tmp_path).returncode == 0
    proc = subprocess.run(
        [sys.executable, "-m", "pepgraph", "--db", db, "review", "--limit", "2"], cwd=tmp_path,
        input="d\nq\n", capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "160"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "pair 1 of" in proc.stdout and "1 judgement(s) recorded" in proc.stdout
    res = run("--db", db, "judgements", "--json", cwd=tmp_path)
    assert [j["judgement"] for j in json.loads(res.stdout)] == ["different"]
