"""Counts over the current store: by dataset, schema, country and topic.

Counts are of distinct canonical entities (so a person found in three datasets counts once per
country, not three times), over current values only.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model

from pepgraph.errors import ConfigError
from pepgraph.store import Store

BY = ("dataset", "schema", "country", "topic", "category", "status")

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
#: PEP facets, from the classification (``pepgraph build``): each person counted once, under the
#: role row that best describes them (current before former before expired, senior tier first)
_ROLE_QUERY = """
    SELECT {column} AS key, count(*) AS entities, count(*) AS statements FROM (
        SELECT canonical_id, arg_min({column}, (CASE status WHEN 'current' THEN 0 WHEN 'former' THEN 1 ELSE 2 END) * 10 + coalesce(tier, 9)) AS {column}
        FROM pep_roles WHERE role = ? AND canonical_id IN (SELECT canonical_id FROM statements WHERE current) GROUP BY canonical_id
    ) WHERE TRUE GROUP BY {column}
"""


def stats(store: Store, by: str = "schema", schema: str | None = None, topic: str | None = None,
          include_minors: bool = False) -> dict[str, Any]:  # fmt: skip
    """Counts ``by`` one facet; ``schema`` (e.g. Person) limits them to entities of that schema
    or its descendants, ``topic`` (e.g. role.pep) to entities with that topic. ``category`` and
    ``status`` count PEPs (or, with ``topic="role.rca"``, RCAs) by their best classification.
    Minors are not counted unless ``include_minors``."""
    from pepgraph.privacy import minor_sql

    if by not in BY:
        raise ConfigError(f"--by {by!r}: choose one of {', '.join(BY)}")
    role_facet = by in ("category", "status")
    if role_facet:
        sql = _ROLE_QUERY.format(column=by)
        params: list[Any] = ["rca" if topic == "role.rca" else "pep"]
        marker = "WHERE TRUE"
    else:
        sql, params, marker = _QUERIES[by], [], "WHERE current"
    filters: list[str] = []
    if topic is not None and not role_facet:
        filters.append("canonical_id IN (SELECT canonical_id FROM statements "
                       "WHERE current AND prop = 'topics' AND value = ?)")
        params.append(topic)
    if schema is not None:
        found = model.get(schema)
        if found is None:
            raise ConfigError(f"--schema {schema!r}: no such FtM schema")
        names = sorted(s.name for s in found.descendants) + [found.name]
        filters.append("canonical_id IN (SELECT canonical_id FROM statements WHERE current AND prop = 'id' "
                       f"AND schema IN ({', '.join('?' for _ in names)}))")
        params.extend(names)
    if not include_minors:
        filters.append("canonical_id NOT IN (SELECT canonical_id FROM statements "
                       f"WHERE current AND prop = 'birthDate' AND {minor_sql('value')})")
    if filters:
        sql = sql.replace(marker, marker + " AND " + " AND ".join(filters), 1)
    rows = store.query(sql + " ORDER BY entities DESC, key", params)
    totals = store.query(
        "SELECT count(DISTINCT canonical_id) AS entities, count(*) AS statements, "
        "count(DISTINCT dataset) AS datasets FROM statements WHERE current"
    )[0]
    history = store.query("SELECT count(*) AS n FROM statements WHERE NOT current")[0]["n"]
    return {"by": by, "schema": schema, "topic": topic, "total": {**totals, "history_statements": history}, "rows": rows}
