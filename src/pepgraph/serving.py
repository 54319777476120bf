"""What a running server reads: published, immutable generations of the store and its index.

DuckDB lets one process write a file, and no other process open it meanwhile. A server that held
the store open would block ``pepgraph build``; a server that closed it during a build would fail
requests. So ``pepgraph build`` ends by *publishing* a generation: a copy of the store (taken
after a checkpoint, so it is whole) and a hard link to the screening index, in a new folder under
``<store>.serve/``, and then points the ``current`` symlink at it with one atomic rename.

A server (``Serving``) checks ``current`` at most once a second. When it has moved, the server
opens the new generation and sends new requests to it; requests already running finish on the
old one, which is closed when the last of them releases it. No request fails, and none sees half
of an old generation and half of a new one. Old generations are deleted at the next publish
(keeping the two newest), which is safe on POSIX: open files outlive their names.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterator

import duckdb

from pepgraph.errors import StoreError

KEEP = 2
CHECK_EVERY = 1.0  # seconds between looks at the ``current`` link


def serve_dir(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".serve")


def publish(graph: Any) -> Path:
    """Publish the store (and its screening index, when built) as the new current generation."""
    db = Path(graph.path)
    root = serve_dir(db)
    root.mkdir(exist_ok=True)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    gen = root / name
    tmp = root / f".{name}.tmp"
    tmp.mkdir()
    graph.store.con.execute("CHECKPOINT")
    shutil.copyfile(db, tmp / "store.duckdb")
    index = Path(str(getattr(graph, "index_path", "")) or "")
    if index and index.is_file():
        try:
            os.link(index, tmp / "index.screen")  # the index is immutable: share its blocks
        except OSError:
            shutil.copyfile(index, tmp / "index.screen")
    os.rename(tmp, gen)
    link = root / "current"
    staging = root / f".current.{name}"
    os.symlink(name, staging)
    os.replace(staging, link)  # the atomic switch
    _prune(root, keep=KEEP)
    return gen


def _prune(root: Path, keep: int) -> None:
    current = os.readlink(root / "current") if (root / "current").is_symlink() else None
    gens = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in gens[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".*.tmp"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def current_generation(db: str | Path) -> Path | None:
    link = serve_dir(db) / "current"
    if not link.is_symlink():
        return None
    target = serve_dir(db) / os.readlink(link)
    return target if target.is_dir() else None


@dataclass
class Generation:
    """One published generation, open: a read-only store and (when present) the screener."""

    path: Path
    con: duckdb.DuckDBPyConnection
    index: Any = None
    users: int = 0
    retired: bool = False
    screeners: dict[str, Any] = field(default_factory=dict)
    opened_at: float = field(default_factory=time.time)

    @classmethod
    def open(cls, path: Path) -> "Generation":
        try:
            con = duckdb.connect(str(path / "store.duckdb"), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: cannot open the published store: {exc}") from exc
        index = None
        if (path / "index.screen").is_file():
            from pepgraph.screen import ScreenIndex

            index = ScreenIndex(path / "index.screen")
        return cls(path=path, con=con, index=index)

    @property
    def name(self) -> str:
        return self.path.name

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def screener(self, algorithm: str | None = None) -> Any:
        """A screener per thread and algorithm (they keep small caches)."""
        if self.index is None:
            return None
        from pepgraph.screen import Screener

        key = f"{threading.get_ident()}:{algorithm or ''}"
        found = self.screeners.get(key)
        if found is None:
            found = self.screeners[key] = Screener(self.index, algorithm)
        return found

    def close(self) -> None:
        self.con.close()
        if self.index is not None and hasattr(self.index, "close"):
            try:
                self.index.close()
            except Exception:  # noqa: BLE001 - an mmap still referenced by a finished view
                pass


class Serving:
    """The generation new requests should use, switched atomically when a new one is published."""

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db)
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._checked = 0.0
        self.switches = 0

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < CHECK_EVERY and self._current is not None:
            return
        self._checked = now
        path = current_generation(self.db)
        if path is None or (self._current is not None and self._current.path == path):
            return
        fresh = Generation.open(path)
        old, self._current = self._current, fresh
        self.switches += 1
        if old is not None:
            old.retired = True
            if old.users == 0:
                old.close()

    @contextmanager
    def use(self) -> Iterator[Generation]:
        """The current generation for the length of one request."""
        with self._lock:
            self._refresh()
            gen = self._current
            if gen is None:
                raise StoreError(f"{self.db}: nothing published to serve; run `pepgraph build` first")
            gen.users += 1
        try:
            yield gen
        finally:
            with self._lock:
                gen.users -= 1
                if gen.retired and gen.users == 0:
                    gen.close()

    def ready(self) -> bool:
        try:
            with self.use():
                return True
        except StoreError:
            return False

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None
