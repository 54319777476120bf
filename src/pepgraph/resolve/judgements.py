"""Human judgements on pairs of records: appended, never overwritten; the latest one wins."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Any

from pepgraph.entities import resolve_id
from pepgraph.errors import ConfigError, NotFound
from pepgraph.store import Store

JUDGEMENTS = ("same", "different", "unsure")


def _source_id(store: Store, entity_id: str) -> str:
    """A judgement is about source records; a canonical id stands for one of its records."""
    row = store.con.execute(
        "SELECT entity_id FROM statements WHERE entity_id = ? LIMIT 1", [entity_id]
    ).fetchone()
    if row:
        return row[0]
    canonical = resolve_id(store, entity_id)
    if canonical is None:
        raise NotFound(f"no entity {entity_id!r}")
    row = store.con.execute(
        "SELECT min(entity_id) FROM statements WHERE canonical_id = ?", [canonical]
    ).fetchone()
    assert row is not None
    return row[0]


def judge(store: Store, a: str, b: str, judgement: str, note: str | None = None,
          author: str | None = None) -> dict[str, Any]:
    if judgement not in JUDGEMENTS:
        raise ConfigError(f"judgement {judgement!r}: choose one of {', '.join(JUDGEMENTS)}")
    left, right = sorted((_source_id(store, a), _source_id(store, b)))
    if left == right:
        raise ConfigError(f"{a} and {b} are the same record")
    row = store.con.execute(
        "INSERT INTO judgements (left_id, right_id, judgement, note, author, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [left, right, judgement, note, author or _user(), datetime.now(UTC).replace(tzinfo=None)],
    ).fetchone()
    assert row is not None
    return {"id": row[0], "left_id": left, "right_id": right, "judgement": judgement, "note": note}


def latest(store: Store) -> dict[tuple[str, str], str]:
    """The judgement in force for every judged pair (the latest one)."""
    rows = store.con.execute(
        "SELECT left_id, right_id, arg_max(judgement, id) FROM judgements GROUP BY left_id, right_id"
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def history(store: Store, a: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM judgements"
    params: list[Any] = []
    if a:
        sql += " WHERE left_id = ? OR right_id = ?"
        params = [a, a]
    return store.query(sql + " ORDER BY id", params)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
