"""Reading entities back out of the store: one merged entity with every value's sources.

An entity is found by its canonical id or by any source entity id merged into it; its values are
grouped so that each shows which datasets and files said it, and when they first and last did.
Values that disappeared from their dataset's latest version are history: left out unless asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from followthemoney.dataset import Dataset
from followthemoney.statement import BASE_ID, Statement, StatementEntity

from pepgraph.store import Store

STATEMENT_COLUMNS = (
    "id, entity_id, canonical_id, schema, prop, prop_type, value, original_value, lang, dataset, "
    "origin, first_seen, last_seen, current"
)
_UNDEFINED = Dataset.make({"name": "pepgraph", "title": "pepgraph"})


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def row_statement(row: tuple[Any, ...]) -> Statement:
    """A store row (in ``STATEMENT_COLUMNS`` order) as a followthemoney Statement."""
    return Statement(
        id=row[0], entity_id=row[1], canonical_id=row[2], schema=row[3], prop=row[4], value=row[6],
        original_value=row[7], lang=row[8], dataset=row[9], origin=row[10],
        first_seen=iso(row[11]), last_seen=iso(row[12]),
    )


def make_entity(statements: Iterable[Statement]) -> StatementEntity:
    """Merge statements (of one canonical id) into an entity; mixed schemata take the most
    specific common one, as followthemoney does."""
    return StatementEntity.from_statements(_UNDEFINED, statements)


def resolve_id(store: Store, entity_id: str) -> str | None:
    """The canonical id for a source id, a canonical id, or a canonical id merged away (followed
    through its redirect)."""
    row = store.con.execute(
        "SELECT canonical_id FROM statements WHERE entity_id = ? OR canonical_id = ? LIMIT 1",
        [entity_id, entity_id],
    ).fetchone()
    if row:
        return row[0]
    moved = store.con.execute(
        "SELECT new_id FROM canonical_redirects WHERE old_id = ?", [entity_id]
    ).fetchone()
    return resolve_id(store, moved[0]) if moved and moved[0] != entity_id else None


def get_entity(store: Store, entity_id: str, history: bool = False) -> dict[str, Any] | None:
    """The merged entity as a dict: properties map to values, each with its sources."""
    canonical = resolve_id(store, entity_id)
    if canonical is None:
        return None
    rows = store.con.execute(
        f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE canonical_id = ? "
        + ("" if history else "AND current ")
        + "ORDER BY prop, value, dataset, entity_id",
        [canonical],
    ).fetchall()
    if not rows:
        return None
    # Caption and schema from the current values; from the history when nothing is current.
    entity = make_entity(row_statement(r) for r in ([r for r in rows if r[13]] or rows))
    properties: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row[4] == BASE_ID:
            continue
        values = properties.setdefault(row[4], [])
        key = (row[6], row[8])
        item = next((v for v in values if (v["value"], v["lang"]) == key), None)
        if item is None:
            item = {"value": row[6], "lang": row[8], "type": row[5], "sources": []}
            values.append(item)
        item["sources"].append(
            {
                "dataset": row[9], "entity_id": row[1], "origin": row[10],
                "original_value": row[7], "first_seen": iso(row[11]), "last_seen": iso(row[12]),
                "current": row[13],
            }
        )
    return {
        "id": canonical,
        "schema": entity.schema.name,
        "caption": entity.caption,
        "datasets": sorted({r[9] for r in rows}),
        "referents": sorted({r[1] for r in rows} - {canonical}),
        "first_seen": iso(min(r[11] for r in rows)),
        "last_seen": iso(max(r[12] for r in rows)),
        "current": any(r[13] for r in rows),
        "properties": properties,
        "linked": linked_from(store, canonical),
    }


def linked_from(store: Store, canonical: str, limit: int = 200) -> list[dict[str, Any]]:
    """Entities whose entity-typed properties point at this one (its occupancies, identifiers,
    family links, sanctions), each with a short description: the start of its neighbourhood."""
    links = store.con.execute(
        """
        SELECT DISTINCT canonical_id, schema, prop FROM statements
        WHERE current AND prop_type = 'entity'
          AND value IN (SELECT DISTINCT entity_id FROM statements WHERE canonical_id = ?)
        ORDER BY schema, prop, canonical_id LIMIT ?
        """,
        [canonical, limit],
    ).fetchall()
    if not links:
        return []
    ids = sorted({r[0] for r in links})
    marks = ", ".join("?" for _ in ids)
    rows = store.con.execute(
        f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE current AND canonical_id IN ({marks}) "
        "ORDER BY canonical_id, prop, value",
        ids,
    ).fetchall()
    grouped: dict[str, list[Statement]] = {}
    for row in rows:
        grouped.setdefault(row[2], []).append(row_statement(row))
    others = sorted({s.value for stmts in grouped.values() for s in stmts
                     if s.prop_type == "entity" and s.value not in (canonical,)})
    names = _names(store, others)
    out = []
    for link_id, schema, prop in links:
        entity = make_entity(grouped.get(link_id, []))
        out.append({"id": link_id, "schema": schema, "prop": prop, "caption": _describe(entity, prop, names)})
    return out


def _names(store: Store, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = store.con.execute(
        f"SELECT entity_id, min(value) FROM statements WHERE current AND prop = 'name' "
        f"AND entity_id IN ({marks}) GROUP BY entity_id",
        ids,
    ).fetchall()
    return dict(rows)


def _describe(entity: StatementEntity, back_prop: str, names: dict[str, str]) -> str:
    """The entity's caption, or for captionless links (an occupancy, an identifier) its key
    values: the post's name and dates, the identifier's type and number."""
    if entity.schema.is_a("Thing") and entity.caption not in (entity.id, entity.schema.label):
        return entity.caption
    parts: list[tuple[int, str, str]] = []
    for prop, value in entity.itervalues():
        if prop.name == back_prop or prop.type.name in ("url", "topic", "country") or prop.name == "status":
            continue
        text = names.get(value, value) if prop.type.name == "entity" else value
        rank = _DESCRIBE_ORDER.index(prop.name) if prop.name in _DESCRIBE_ORDER else len(_DESCRIBE_ORDER)
        parts.append((rank, prop.name, text))
    parts.sort()
    return " ".join(text for _, _, text in parts[:6]) or str(entity.id)


_DESCRIBE_ORDER = ("post", "organization", "person", "relative", "relationship", "type", "number",
                   "authority", "program", "startDate", "endDate", "listingDate")



def iter_entities(
    store: Store, datasets: list[str] | None = None, history: bool = False, batch: int = 20_000
) -> Iterator[tuple[StatementEntity, list[Statement]]]:
    """Every entity, merged by canonical id, streamed in canonical-id order (constant memory
    per entity, never the whole store)."""
    where = ["TRUE"] if history else ["current"]
    params: list[Any] = []
    if datasets:
        where.append(f"dataset IN ({', '.join('?' for _ in datasets)})")
        params.extend(datasets)
    cur = store.con.execute(
        f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE {' AND '.join(where)} "
        "ORDER BY canonical_id, prop, value, dataset, id",
        params,
    )
    group: list[Statement] = []
    current: str | None = None
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            break
        for row in rows:
            if row[2] != current and group:
                yield make_entity(group), group
                group = []
            current = row[2]
            group.append(row_statement(row))
    if group:
        yield make_entity(group), group
