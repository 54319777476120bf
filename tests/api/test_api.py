"""The HTTP API against a real server process on loopback: yente's /match shapes, search,
entities, reconciliation, keys and roles, the audit log, limits and error envelopes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest

from pepgraph.api.access import Access, access_path

from tests.api.conftest import Server, start_server

# Request bodies in the form of yente's documented examples (POST /match/default).
YENTE_EXAMPLE = {
    "queries": {
        "q1": {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"], "birthDate": ["1961"], "nationality": ["ru"]}},
        "q2": {"schema": "Person", "properties": {"firstName": ["Ivan"], "lastName": ["Sidorenko"]}},
        "q3": {"schema": "Company", "properties": {"name": ["Nobody Holdings Ltd"], "jurisdiction": ["gb"]}},
    }
}


def test_health_needs_no_key_but_everything_else_does(server: Server) -> None:
    assert server.request("GET", "/healthz", key=None).json() == {"status": "ok"}
    res = server.request("GET", "/readyz", key=None)
    assert res.status == 401 and res.json()["detail"].startswith("an API key is required")
    assert server.request("GET", "/readyz", key="pgk_not-a-key").status == 401
    assert server.request("GET", "/readyz").json()["status"] == "ok"
    assert "access-control-allow-origin" not in {k.lower() for k in server.request("GET", "/healthz", key=None).headers}


def test_match_in_yente_shapes(server: Server) -> None:
    res = server.request("POST", "/match/default?limit=3&threshold=0.7", body=YENTE_EXAMPLE)
    assert res.status == 200
    data = res.json()
    assert set(data) == {"responses", "matcher", "limit"} and data["limit"] == 3
    assert data["matcher"]["name"] and data["matcher"]["features"]
    q1 = data["responses"]["q1"]
    assert q1["status"] == 200 and q1["total"]["relation"] == "eq"
    top = q1["results"][0]
    for field in ("id", "caption", "schema", "properties", "datasets", "referents", "target", "score", "features", "match"):
        assert field in top, field
    assert top["caption"] == "Ivan Petrovich Sidorenko" and top["match"] is True and top["target"] is True
    assert top["explanations"]["name"]["detail"]
    assert data["responses"]["q2"]["results"][0]["id"] == top["id"]  # name parts make a name
    assert not [r for r in data["responses"]["q3"]["results"] if r["match"]]
    assert q1["query"]["properties"]["name"] == ["Ivan Sidorenko"]


def test_match_filters_and_dataset_scope(server: Server) -> None:
    body = {"queries": {"q": YENTE_EXAMPLE["queries"]["q1"]}}
    top = server.request("POST", "/match/default", body=body).json()["responses"]["q"]["results"][0]
    gone = server.request("POST", f"/match/default?exclude_entity_ids={top['id']}", body=body).json()
    assert top["id"] not in [r["id"] for r in gone["responses"]["q"]["results"]]
    only_sanctions = server.request("POST", "/match/sample_sanctions", body=body).json()
    assert all("sample_sanctions" in r["datasets"] for r in only_sanctions["responses"]["q"]["results"])
    peps = server.request("POST", "/match/default?topics=role.rca", body=body).json()
    assert all("role.rca" in r["topics"] for r in peps["responses"]["q"]["results"])
    assert server.request("POST", "/match/no_such_dataset", body=body).status == 404
    assert server.request("POST", "/match/default?algorithm=nope", body=body).status == 400


def test_roles_and_batch_limits(server: Server) -> None:
    many = {"queries": {f"q{i}": {"schema": "Person", "properties": {"name": [f"Person {i}"]}} for i in range(11)}}
    res = server.request("POST", "/match/default", body=many, key="reader")
    assert res.status == 403 and "analyst" in res.json()["detail"]
    assert server.request("POST", "/match/default", body=many, key="analyst").status == 200
    too_many = {"queries": {f"q{i}": {"schema": "Person", "properties": {"name": ["x"]}} for i in range(101)}}
    assert server.request("POST", "/match/default", body=too_many, key="admin").status == 400
    assert server.request("GET", "/audit", key="analyst").status == 403
    assert server.request("POST", "/match/default?include_minors=true", body=YENTE_EXAMPLE, key="reader").status == 403


def test_search_facets_and_cursor_pages(server: Server) -> None:
    data = server.request("GET", "/search/default?q=sidorenko").json()
    assert data["total"]["value"] >= 2
    assert {v["name"] for v in data["facets"]["topics"]["values"]} >= {"role.pep", "role.rca"}
    pages, cursor = [], ""
    while True:
        page = server.request("GET", f"/search/default?limit=3{'&cursor=' + cursor if cursor else ''}").json()
        pages.extend(r["id"] for r in page["results"])
        if not page["next"]:
            break
        cursor = page["next"]
    total = server.request("GET", "/search/default?limit=500").json()
    assert pages == [r["id"] for r in total["results"]] and len(pages) == total["total"]["value"]
    assert len(pages) == len(set(pages))
    filtered = server.request("GET", "/search/default?q=sidorenko&topics=role.rca").json()
    assert [r["caption"] for r in filtered["results"]] == ["Elena Sidorenko"]
    assert server.request("GET", "/search/default?cursor=garbage").status == 400


def test_entities_redirect_and_adjacent(server: Server) -> None:
    res = server.request("GET", "/entities/reg-p1")
    assert res.status == 308
    canonical = res.headers["location"].rsplit("/", 1)[1]
    data = server.request("GET", f"/entities/{canonical}").json()
    assert data["caption"] == "Ivan Petrovich Sidorenko" and data["pep_status"] == "current"
    assert data["properties"]["name"][0]["sources"][0]["dataset"]
    adj = server.request("GET", f"/entities/{canonical}/adjacent?limit=1").json()
    assert adj["total"] >= 2 and len(adj["edges"]) == 1 and adj["next"] == 1
    assert server.request("GET", "/entities/nobody").status == 404


def test_reconciliation_as_openrefine_calls_it(server: Server) -> None:
    manifest = server.request("GET", "/reconcile/default").json()
    assert manifest["versions"] == ["0.2"] and manifest["identifierSpace"].endswith("/entities/")
    queries = {"q0": {"query": "Sidorenko, Ivan", "type": "Person", "limit": 3,
                      "properties": [{"pid": "birthDate", "v": "1961-03-14"}]}}
    res = server.request("POST", "/reconcile/default", form={"queries": json.dumps(queries)}).json()
    best = res["q0"]["result"][0]
    assert best["name"] == "Ivan Petrovich Sidorenko" and best["match"] is True and 0 < best["score"] <= 100
    suggest = server.request("GET", "/reconcile/default/suggest/entity?prefix=Elena").json()
    assert suggest["result"][0]["name"] == "Elena Sidorenko"
    extend = server.request("POST", "/reconcile/default", form={
        "extend": json.dumps({"ids": ["reg-p2"], "properties": [{"id": "birthDate"}]})}).json()
    assert extend["rows"]["reg-p2"]["birthDate"] == [{"str": "1965-07-02"}]
    preview = server.request("GET", "/reconcile/default/preview?id=reg-p2")
    assert preview.status == 200 and b"Elena Sidorenko" in preview.body
    assert server.request("POST", "/reconcile/default", form={"queries": "{not json"}).status == 400


def test_statistics_and_catalog(server: Server) -> None:
    stats = server.request("GET", "/statistics").json()
    assert {r["key"] for r in stats["topic"]} >= {"role.pep", "sanction"}
    catalog = server.request("GET", "/catalog").json()
    assert {d["name"] for d in catalog["datasets"]} == {"sample_press", "sample_registry", "sample_sanctions"}
    assert catalog["datasets"][0]["versions"]


def test_errors_are_one_envelope_without_traces(server: Server) -> None:
    res = server.request("POST", "/match/default", raw=b'{"queries": ', headers={"Content-Type": "application/json"})
    assert res.status == 422 and set(res.json()) == {"status", "detail"}
    # an oversized body is refused from its declared length, before it is sent (so no race with the upload)
    import http.client

    conn = http.client.HTTPConnection(server.url.split("//")[1], timeout=30)
    conn.putrequest("POST", "/match/default")
    conn.putheader("Authorization", f"ApiKey {server.keys['reader']}")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", "1100000")
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    res = server.request("GET", "/no/such/route")
    assert res.status == 404 and set(res.json()) == {"status", "detail"}
    res = server.request("POST", "/match/default", body={"queries": {"q": {"schema": "NoSuchSchema", "properties": {"name": "x"}}}})
    assert res.status in (200, 400) and b"Traceback" not in res.body
    assert b"Traceback" not in server.request("GET", "/search/default?limit=-1").body


def test_audit_records_who_asked_what_and_cannot_be_changed(server: Server) -> None:
    server.request("POST", "/match/default", body={"queries": {"q": YENTE_EXAMPLE["queries"]["q1"]}}, key="analyst")
    entries = server.request("GET", "/audit?key=test-analyst&limit=5", key="admin").json()["entries"]
    last = next(e for e in entries if e["endpoint"] == "/match/default")
    assert last["role"] == "analyst" and last["status"] == 200
    assert last["query"]["queries"]["q"]["properties"]["name"] == ["Ivan Sidorenko"]
    assert last["returned"]  # the ids the analyst saw
    denied = server.request("GET", "/readyz", key="pgk_wrong")
    assert denied.status == 401
    con = sqlite3.connect(access_path(server.db), isolation_level=None)
    try:
        assert con.execute("SELECT count(*) FROM audit_log WHERE status = 401").fetchone()[0] >= 1
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE audit_log SET key_name = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM audit_log")
    finally:
        con.close()
    cli = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(server.db), "audit", "--key", "test-analyst", "--json"],
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0 and json.loads(cli.stdout)[0]["key"] == "test-analyst"


def test_revoked_key_is_refused(server: Server) -> None:
    access = Access(server.db)
    secret = access.create_key("short-lived", "reader")
    assert server.request("GET", "/readyz", key=secret).status == 200
    res = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(server.db), "keys", "revoke", "short-lived"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    time.sleep(5.5)  # workers re-check a key at most every 5 s
    assert server.request("GET", "/readyz", key=secret).status == 401
    listed = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(server.db), "keys", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["short-lived"]["revoked_at"] and "key_hash" not in rows["short-lived"]


def test_rate_limit_per_key(server: Server) -> None:
    url, proc = start_server(server.db, env={"PEPGRAPH_API_RATE": "1", "PEPGRAPH_API_BURST": "3"})
    try:
        limited = Server(url, server.db, server.keys, proc)
        codes = [limited.request("GET", "/readyz").status for _ in range(6)]
        assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
        res = limited.request("GET", "/readyz")
        assert res.status == 429 and "retry-after" in {k.lower() for k in res.headers}
        assert limited.request("GET", "/readyz", key="admin").status == 200  # another key, its own bucket
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_no_auth_only_on_loopback(server: Server, tmp_path) -> None:
    res = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(server.db), "serve", "--host", "0.0.0.0", "--no-auth"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "loopback" in res.stderr
    url, proc = start_server(server.db, extra=["--no-auth"])
    try:
        open_server = Server(url, server.db, {}, proc)
        assert open_server.request("GET", "/readyz", key=None).status == 200
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert b"WITHOUT API keys" in stderr


def test_review_and_judgements_queue_for_the_next_build(server: Server) -> None:
    assert server.request("GET", "/review", key="reader").status == 403
    review = server.request("GET", "/review?limit=5", key="analyst").json()
    assert "pairs" in review
    body = {"left": "reg-p1", "right": "san-3", "judgement": "different", "note": "different fathers"}
    assert server.request("POST", "/judgements", body=body, key="reader").status == 403
    res = server.request("POST", "/judgements", body=body, key="analyst")
    assert res.status == 201 and res.json()["status"] == "queued"
    bad = server.request("POST", "/judgements", body={**body, "judgement": "maybe"}, key="analyst")
    assert bad.status == 422
    pending = Access(server.db).pending_judgements()
    assert pending[-1]["left"] == "reg-p1" and pending[-1]["key"] == "test-analyst"


def test_queued_judgements_are_applied_by_build(tmp_path) -> None:
    from pepgraph import Graph
    from pepgraph.api.access import Key

    from tests.api.conftest import sample_store

    db = sample_store(tmp_path)
    Access(db).add_judgement(Key("web", "analyst"), "reg-p1", "san-3", "different", "seen on the review page")
    with Graph(db) as graph:
        report = graph.build()
        assert report["judgements_imported"] == 1
        history = graph.judgements("reg-p1")
        assert history[-1]["judgement"] == "different" and "via API key web" in history[-1]["note"]
        assert graph.entity("reg-p1")["id"] != graph.entity("san-3")["id"]
    assert Access(db).pending_judgements() == []


def test_make_run_ends_by_serving_with_a_first_admin_key(tmp_path) -> None:
    """`make run` runs `pepgraph demo --serve`: build, then serve the pages with a new admin key."""
    import os
    import urllib.request

    from tests.api.conftest import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pepgraph", "--db", str(tmp_path / "d.duckdb"), "demo", "--sample",
                             "--serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        key = None
        deadline = time.time() + 600
        while time.time() < deadline and key is None:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("admin key"):
                key = line.rsplit(" ", 1)[1].strip()
        assert key and key.startswith("pgk_")
        for _ in range(100):
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/ui/search", headers={"Authorization": f"ApiKey {key}"})
                with urllib.request.urlopen(req, timeout=5) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the demo server did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
