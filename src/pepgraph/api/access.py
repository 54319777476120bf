"""API keys, roles and the audit log.

The database that inspired pepgraph leaked because it was left open. A served pepgraph needs a
key for every endpoint but ``/healthz``, and every lookup is written to an append-only log.

Both live in ``<store>.access.sqlite`` beside the store, not in the DuckDB file: DuckDB admits
one writing process, and the server must keep writing audit rows while ``pepgraph build`` rewrites
the store, and ``pepgraph keys create`` must work while the server runs. SQLite in WAL mode lets
all of them write. The audit table refuses UPDATE and DELETE with triggers, so nothing in the
API (or anyone with the library) can rewrite history short of dropping the file.

Keys are shown once and stored as SHA-256 hashes; a key is ``pgk_`` + 32 random bytes, so a hash
without a salt is enough (there is nothing to guess).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pepgraph.errors import ConfigError, NotFound

ROLES = ("reader", "analyst", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
PREFIX = "pgk_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    key_name TEXT,
    role TEXT,
    method TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    status INTEGER NOT NULL,
    query TEXT,
    returned TEXT,
    client TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit_log (at);
CREATE TABLE IF NOT EXISTS pending_judgements (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    key_name TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    judgement TEXT NOT NULL,
    note TEXT,
    imported_at TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def access_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.name + ".access.sqlite")


@dataclass(frozen=True)
class Key:
    name: str
    role: str

    def allows(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Access:
    """Keys and the audit log of one store. Thread-safe: one connection per thread."""

    def __init__(self, db: str | Path) -> None:
        self.path = access_path(db)
        self._local = threading.local()
        self._cache: dict[str, tuple[Key | None, float]] = {}
        con = self._con()
        con.executescript(_SCHEMA)
        con.commit()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    # -- keys ----------------------------------------------------------------------------------
    def create_key(self, name: str, role: str) -> str:
        """A new key for ``name`` with ``role``; the secret is returned once and never stored."""
        if role not in ROLES:
            raise ConfigError(f"--role {role!r}: choose one of {', '.join(ROLES)}")
        if not name or len(name) > 100 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ConfigError(f"--name {name!r}: use 1-100 letters, digits, '-', '_' or '.'")
        secret = PREFIX + secrets.token_urlsafe(32)
        try:
            self._con().execute(
                "INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
                [name, role, _hash(secret), _now()],
            )
        except sqlite3.IntegrityError as exc:
            raise ConfigError(f"a key named {name!r} exists already (revoke it, or pick another name)") from exc
        return secret

    def list_keys(self) -> list[dict[str, Any]]:
        rows = self._con().execute(
            "SELECT name, role, created_at, revoked_at FROM api_keys ORDER BY id"
        ).fetchall()
        return [{"name": r[0], "role": r[1], "created_at": r[2], "revoked_at": r[3]} for r in rows]

    def revoke(self, name: str) -> None:
        cur = self._con().execute(
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [_now(), name]
        )
        if cur.rowcount == 0:
            raise NotFound(f"no active key named {name!r}")
        self._cache.clear()

    def verify(self, secret: str, ttl: float = 5.0) -> Key | None:
        """The key a secret belongs to, if it exists and is not revoked. Answers are cached for
        ``ttl`` seconds, so a revocation takes effect within that time in every worker."""
        import time

        now = time.monotonic()
        hit = self._cache.get(secret)
        if hit is not None and now - hit[1] < ttl:
            return hit[0]
        row = self._con().execute(
            "SELECT name, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [_hash(secret)]
        ).fetchone()
        key = Key(row[0], row[1]) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[secret] = (key, now)
        return key

    # -- judgements made through the API -------------------------------------------------------
    def add_judgement(self, key: Key, left: str, right: str, judgement: str, note: str | None) -> int:
        """Queue a judgement made in the API or the pages; ``pepgraph build`` moves it into the
        store's append-only judgements (the server cannot write the store itself)."""
        if judgement not in ("same", "different", "unsure"):
            raise ConfigError(f"judgement {judgement!r}: choose same, different or unsure")
        cur = self._con().execute(
            "INSERT INTO pending_judgements (at, key_name, left_id, right_id, judgement, note) VALUES (?, ?, ?, ?, ?, ?)",
            [_now(), key.name, left, right, judgement, note],
        )
        return int(cur.lastrowid or 0)

    def pending_judgements(self) -> list[dict[str, Any]]:
        rows = self._con().execute(
            "SELECT id, at, key_name, left_id, right_id, judgement, note FROM pending_judgements "
            "WHERE imported_at IS NULL ORDER BY id"
        ).fetchall()
        cols = ("id", "at", "key", "left", "right", "judgement", "note")
        return [dict(zip(cols, r)) for r in rows]

    def mark_imported(self, ids: list[int]) -> None:
        if ids:
            self._con().executemany("UPDATE pending_judgements SET imported_at = ? WHERE id = ?", [[_now(), i] for i in ids])

    # -- audit ---------------------------------------------------------------------------------
    def audit(self, key: Key | None, method: str, endpoint: str, status: int, query: Any = None,
              returned: list[str] | None = None, client: str | None = None) -> None:  # fmt: skip
        self._con().execute(
            "INSERT INTO audit_log (at, key_name, role, method, endpoint, status, query, returned, client) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_now(), key.name if key else None, key.role if key else None, method, endpoint, status,
             json.dumps(query, ensure_ascii=False, default=str)[:20_000] if query is not None else None,
             json.dumps(returned[:1000]) if returned else None, client],
        )

    def read_audit(self, since: str | None = None, key: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        sql = "SELECT id, at, key_name, role, method, endpoint, status, query, returned, client FROM audit_log WHERE 1=1"
        params: list[Any] = []
        if since:
            sql += " AND at >= ?"
            params.append(since)
        if key:
            sql += " AND key_name = ?"
            params.append(key)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        cols = ("id", "at", "key", "role", "method", "endpoint", "status", "query", "returned", "client")
        out = []
        for row in self._con().execute(sql, params).fetchall():
            item = dict(zip(cols, row))
            for field in ("query", "returned"):
                if item[field]:
                    item[field] = json.loads(item[field])
            out.append(item)
        return out
