"""Counts over the current store: by dataset, schema, country and topic.

Counts are of distinct canonical entities (so a person found in three datasets counts once per
country, not three times), over current values only.
"""

from __future__ import annotations

from typing import Any

from pepgraph.errors import ConfigError
from pepgraph.store import Store

BY = ("dataset", "schema", "country", "topic")

_QUERIES = {
    "dataset": "SELECT dataset AS key, count(DISTINCT canonical_id) AS entities, count(*) AS statements "
    "FROM statements WHERE current GROUP BY dataset",
    "schema": "SELECT schema AS key, count(DISTINCT canonical_id) AS entities, count(*) AS statements "
    "FROM statements WHERE current AND prop = 'id' GROUP BY schema",
    "country": "SELECT value AS key, count(DISTINCT canonical_id) AS entities, count(*) AS statements "
    "FROM statements WHERE current AND prop_type = 'country' GROUP BY value",
    "topic": "SELECT value AS key, count(DISTINCT canonical_id) AS entities, count(*) AS statements "
    "FROM statements WHERE current AND prop = 'topics' GROUP BY value",
}


def stats(store: Store, by: str = "schema") -> dict[str, Any]:
    if by not in _QUERIES:
        raise ConfigError(f"--by {by!r}: choose one of {', '.join(BY)}")
    rows = store.query(_QUERIES[by] + " ORDER BY entities DESC, key")
    totals = store.query(
        "SELECT count(DISTINCT canonical_id) AS entities, count(*) AS statements, "
        "count(DISTINCT dataset) AS datasets FROM statements WHERE current"
    )[0]
    history = store.query("SELECT count(*) AS n FROM statements WHERE NOT current")[0]["n"]
    return {"by": by, "total": {**totals, "history_statements": history}, "rows": rows}
