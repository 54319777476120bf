"""Batch uploads hold customers' names: a stopped server leaves none of them in the machine's
temporary folder. A real server on 127.0.0.1, stopped as a service manager stops it (SIGTERM)."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from pathlib import Path

from pepgraph.api.access import Access
from tests.api.conftest import sample_store, start_server


def _upload(url: str, key: str, name: str, data: bytes) -> dict:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "/ui/screen/batch", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json",
        "Authorization": f"ApiKey {key}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 202
        return json.loads(resp.read())


def _job(url: str, key: str, job: str) -> dict:
    req = urllib.request.Request(f"{url}/ui/screen/batch/{job}.json", headers={"Authorization": f"ApiKey {key}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["job"]


def test_stopping_the_server_removes_batch_folders(tmp_path: Path) -> None:
    db = sample_store(tmp_path)
    key = Access(db).create_key("batch-analyst", "analyst")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    url, proc = start_server(db, env={"TMPDIR": str(scratch)})
    try:
        job = _upload(url, key, "customers.csv", b"ref,name\nc1,Ivan Sidorenko\nc2,Nobody Atall\n")["id"]
        deadline = time.time() + 60
        while (status := _job(url, key, job)["status"]) not in ("done", "failed") and time.time() < deadline:
            time.sleep(0.2)
        assert status == "done"
        folders = list(scratch.glob("pepgraph-batch-*"))
        assert len(folders) == 1 and (folders[0] / "results.csv").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # uvicorn shuts down gracefully (lifespan's end runs), then re-raises the signal it caught
    assert proc.returncode in (0, -15), proc.stderr.read().decode() if proc.stderr else ""
    assert not list(scratch.glob("pepgraph-batch-*"))
