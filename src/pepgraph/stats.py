"""Counts over the current store: by dataset, schema, country and topic.

Counts are of distinct canonical entities (so a person found in three datasets counts once per
country, not three times), over current values only.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model

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


def stats(store: Store, by: str = "schema", schema: str | None = None) -> dict[str, Any]:
    """Counts ``by`` one facet; ``schema`` (e.g. Person) limits them to entities of that schema
    or its descendants."""
    if by not in _QUERIES:
        raise ConfigError(f"--by {by!r}: choose one of {', '.join(BY)}")
    sql, params = _QUERIES[by], []
    if schema is not None:
        found = model.get(schema)
        if found is None:
            raise ConfigError(f"--schema {schema!r}: no such FtM schema")
        names = sorted(s.name for s in found.descendants) + [found.name]
        marks = ", ".join("?" for _ in names)
        sql = sql.replace(
            "WHERE current",
            "WHERE current AND canonical_id IN (SELECT canonical_id FROM statements "
            f"WHERE current AND prop = 'id' AND schema IN ({marks}))",
        )
        params = names
    rows = store.query(sql + " ORDER BY entities DESC, key", params)
    totals = store.query(
        "SELECT count(DISTINCT canonical_id) AS entities, count(*) AS statements, "
        "count(DISTINCT dataset) AS datasets FROM statements WHERE current"
    )[0]
    history = store.query("SELECT count(*) AS n FROM statements WHERE NOT current")[0]["n"]
    return {"by": by, "schema": schema, "total": {**totals, "history_statements": history}, "rows": rows}
