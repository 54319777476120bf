"""`pepgraph xref` end to end on a small generated leak with known truth."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from pepgraph import Graph
from pepgraph.synth import generate, read_truth

from tests.test_cli import run


def test_xref_a_generated_leak(tmp_path: Path) -> None:
    generate(400, tmp_path / "gen", seed=3, sources=["registry", "press", "leak"])
    db = tmp_path / "x.duckdb"
    with Graph(db) as graph:
        graph.ingest(tmp_path / "gen" / "registry.ftm.jsonl", dataset="synth_registry")
        graph.ingest(tmp_path / "gen" / "press.ftm.jsonl", dataset="synth_press")
        graph.build()
        truth = read_truth(tmp_path / "gen" / "truth.csv")
        clusters: dict[str, set[str]] = {}
        for eid, cid in graph.store.con.execute("SELECT entity_id, canonical_id FROM statements WHERE prop = 'id'").fetchall():
            if eid in truth:
                clusters.setdefault(cid, set()).add(truth[eid])
    # the command line, read-only over the built store, as an analyst runs it
    out = tmp_path / "report"
    res = run("--db", str(db), "xref", str(tmp_path / "gen" / "leak.ftm.jsonl"), "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "records screened" in res.stdout and "PEP:" in res.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["screened"] >= 150 and summary["matched"] > 0 and summary["by_country"]["PEP"]
    best = {r["record_id"]: r["candidate_id"] for r in csv.DictReader(open(out / "matches.csv", encoding="utf-8")) if r["rank"] == "1"}
    unmatched = list(csv.DictReader(open(out / "unmatched.csv", encoding="utf-8")))
    assert len(best) + len(unmatched) == summary["screened"]
    known = {p for people in clusters.values() for p in people}
    present = sum(1 for eid, person in truth.items() if eid.startswith("leak") and person in known)
    correct = sum(1 for rec, cid in best.items() if truth.get(rec) in clusters.get(cid, set()))
    precision, recall = correct / len(best), correct / present
    print(f"xref of the generated leak: precision {precision:.3f}, recall {recall:.3f} ({correct} of {present})")
    assert precision >= 0.9 and recall >= 0.8
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "Strongest matches" in report
    assert not re.search(r'(src|href)="https?://', report)  # self-contained: nothing fetched
