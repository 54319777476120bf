"""`pepgraph build` while the server answers /match under load: no request fails, and the new
data is served once the build is published."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from pepgraph.api.access import Access

from tests.api.conftest import Server, sample_store, start_server


def test_build_under_load_switches_atomically(tmp_path: Path) -> None:
    db = sample_store(tmp_path)
    key = Access(db).create_key("load", "analyst")
    url, proc = start_server(db, env={"PEPGRAPH_API_RATE": "10000", "PEPGRAPH_API_BURST": "10000"})
    server = Server(url, db, {"analyst": key}, proc)
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Zora Newcomer"]}},
                        "k": {"schema": "Person", "properties": {"name": ["Ivan Sidorenko"]}}}}
    stop = threading.Event()
    statuses: list[int] = []
    seen_new: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        while not stop.is_set():
            res = server.request("POST", "/match/default", body=body, key="analyst")
            with lock:
                statuses.append(res.status)
                if res.status == 200:
                    data = res.json()["responses"]
                    # every answer is whole: the known person is always there, old or new generation
                    assert data["k"]["results"][0]["caption"] == "Ivan Petrovich Sidorenko"
                    seen_new.append(any(r["caption"] == "Zora Newcomer" for r in data["q"]["results"]))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        newcomer = tmp_path / "new.ftm.json"
        newcomer.write_text(json.dumps({"id": "new-1", "schema": "Person", "properties": {
            "name": ["Zora Newcomer"], "birthDate": ["1970-01-01"], "topics": ["sanction"]}}) + "\n", encoding="utf-8")
        for args in (["ingest", str(newcomer), "--dataset", "late_news"], ["build"]):
            res = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(db), *args],
                                 capture_output=True, text=True, timeout=600)
            assert res.returncode == 0, res.stderr
        # keep the load on until the server has switched and served the new person a few times
        for _ in range(200):
            with lock:
                if sum(seen_new) >= 5:
                    break
            threading.Event().wait(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        proc.terminate()
        proc.wait(timeout=30)
    assert len(statuses) > 20
    assert set(statuses) == {200}, f"failed requests during the rebuild: {[s for s in statuses if s != 200][:5]}"
    assert seen_new[0] is False and seen_new[-1] is True  # old generation first, new one after
    flips = sum(1 for a, b in zip(seen_new, seen_new[1:]) if a != b)
    assert flips >= 1
