"""FollowTheMoney entity JSON lines, as OpenSanctions, Aleph and ``ftm`` export them.

Each line is ``{"id", "schema", "properties": {prop: [values]}}``. Lines that also carry
``statements`` (FtM 4's statement-entity form, which ``pepgraph export --format ftm`` writes) keep
each value's language, original form and origin, so an export re-ingested gives the same
statements back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from followthemoney.statement import BASE_ID, StatementEntity

from pepgraph.sources.base import SourceContext, line_spans

FORMAT = "ftm"
#: one entity a line: workers may read spans of lines of one file (``ctx.span``)
split = line_spans


def sniff(path: Path, head: str) -> bool:
    first = head.lstrip()[:4096]
    return first.startswith("{") and '"schema"' in first and '"id"' in first and (
        '"properties"' in first or '"statements"' in first
    )


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    start, end, first = ctx.span or (0, None, 1)
    with open(ctx.path, "rb") as fh:
        fh.seek(start)
        at = start
        for lineno, raw in enumerate(fh, start=first):
            if end is not None and at >= end:
                break
            at += len(raw)
            if not raw.strip():
                continue
            with ctx.record(line=lineno) as rec:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ctx.error(f"not valid UTF-8 ({exc.reason} at column {exc.start + 1})")
                try:
                    data = orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    raise ctx.error(f"malformed JSON: {exc}")
                rec.emit(_entity(ctx, data))
            yield from rec.entities


def _entity(ctx: SourceContext, data: Any) -> StatementEntity:
    if not isinstance(data, dict):
        raise ctx.error("expected a JSON object (one entity per line)")
    entity_id = data.get("id")
    schema = data.get("schema")
    if not isinstance(entity_id, str) or not entity_id:
        raise ctx.error("entity without an 'id'")
    ctx.record_id = entity_id
    if not isinstance(schema, str):
        raise ctx.error("entity without a 'schema'")
    entity = ctx.make(schema, entity_id)
    statements = data.get("statements")
    if isinstance(statements, list) and statements:
        for stmt in statements:
            if not isinstance(stmt, dict) or stmt.get("prop") in (None, BASE_ID):
                continue
            # Values in a statement export are already clean; re-cleaning is idempotent and
            # guards against hand-edited files.
            ctx.add(
                entity, stmt["prop"], stmt.get("value"), lang=stmt.get("lang"),
                original_value=stmt.get("original_value"), origin=stmt.get("origin"),
            )
        return entity
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise ctx.error("'properties' must be an object of lists")
    for prop, values in properties.items():
        if isinstance(values, dict):
            raise ctx.error(f"property {prop!r}: expected a list of values, got an object")
        ctx.add(entity, prop, values)
    return entity
