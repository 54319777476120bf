"""A real server on a free loopback port, over the built-in sample, with one key per role."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pepgraph.api.access import Access


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    url: str
    db: Path
    keys: dict[str, str]
    proc: subprocess.Popen[bytes]

    def request(self, method: str, path: str, key: str | None = "reader", body: Any = None,
                form: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                raw: bytes | None = None) -> Reply:  # fmt: skip
        data, hdrs = raw, dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if key is not None:
            hdrs["Authorization"] = f"ApiKey {self.keys.get(key, key)}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=60) as resp:
                return Reply(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read())


def start_server(db: Path, env: dict[str, str] | None = None, extra: list[str] | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pepgraph", "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port), *(extra or [])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start in 90 s")


def sample_store(folder: Path) -> Path:
    db = folder / "api.duckdb"
    res = subprocess.run([sys.executable, "-m", "pepgraph", "--db", str(db), "demo", "--sample"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return db


def serve_sample(folder: Path, key_prefix: str) -> Server:
    """The built-in sample, built and served, with one key per role named ``<prefix>-<role>``."""
    db = sample_store(folder)
    access = Access(db)
    keys = {role: access.create_key(f"{key_prefix}-{role}", role) for role in ("reader", "analyst", "admin")}
    url, proc = start_server(db, env={"PEPGRAPH_API_RATE": "1000", "PEPGRAPH_API_BURST": "1000"})
    return Server(url, db, keys, proc)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    served = serve_sample(tmp_path_factory.mktemp("api"), "test")
    yield served
    served.proc.terminate()
    served.proc.wait(timeout=30)
