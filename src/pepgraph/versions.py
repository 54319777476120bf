"""Dataset versions: merging a staged version into the store, and the log of ingest runs.

The merge is the only place that writes statements, in one transaction: values seen before keep
``first_seen`` and get a new ``last_seen``; new values are added (joining the cluster their entity
already belongs to); values the new version lacks stay as history with ``current = false``.
The version number goes up only when the content's sha256 changes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pepgraph.errors import SourceError
from pepgraph.store import Store

if TYPE_CHECKING:
    from pepgraph.ingest import IngestResult


def merge(
    store: Store,
    result: "IngestResult",
    seen_at: datetime,
    title: str | None,
    licence: str | None,
    source: list[str],
) -> None:
    con = store.con
    ds = result.dataset
    # One row per statement id: a value emitted twice (the same position in two terms, say) is
    # one statement; its original form and origin are taken deterministically.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _stage_d AS
        SELECT id, min(entity_id) AS entity_id, min(schema) AS schema, min(prop) AS prop,
               min(prop_type) AS prop_type, min(value) AS value, min(original_value) AS original_value,
               min(lang) AS lang, min(origin) AS origin
        FROM _stage GROUP BY id
        """
    )
    result.statements = _scalar(con, "SELECT count(*) FROM _stage_d")
    result.entities = _scalar(con, "SELECT count(*) FROM _stage_d WHERE prop = 'id'")
    result.schema_counts = dict(
        con.execute(
            "SELECT schema, count(*) FROM _stage_d WHERE prop = 'id' GROUP BY schema ORDER BY 2 DESC"
        ).fetchall()
    )
    try:
        with store.transaction():
            prev = con.execute(
                "SELECT version, sha256 FROM datasets WHERE name = ?", [ds]
            ).fetchone()
            version = 1 if prev is None else (prev[0] if prev[1] == result.sha256 else prev[0] + 1)
            result.version = version
            con.execute(
                """
                UPDATE statements AS s
                SET last_seen = ?, current = TRUE, original_value = d.original_value,
                    origin = d.origin, schema = d.schema
                FROM _stage_d AS d
                WHERE s.dataset = ? AND s.id = d.id
                """,
                [seen_at, ds],
            )
            result.retired = _scalar(
                con,
                """
                SELECT count(*) FROM statements s
                WHERE s.dataset = ? AND s.current AND NOT EXISTS (SELECT 1 FROM _stage_d d WHERE d.id = s.id)
                """,
                [ds],
            )
            con.execute(
                """
                UPDATE statements AS s SET current = FALSE
                WHERE s.dataset = ? AND s.current AND NOT EXISTS (SELECT 1 FROM _stage_d d WHERE d.id = s.id)
                """,
                [ds],
            )
            result.added = _scalar(
                con,
                "SELECT count(*) FROM _stage_d d WHERE NOT EXISTS "
                "(SELECT 1 FROM statements s WHERE s.dataset = ? AND s.id = d.id)",
                [ds],
            )
            # New statements join the cluster their entity already belongs to, if any.
            con.execute(
                """
                INSERT INTO statements
                SELECT d.id, d.entity_id, coalesce(c.canonical_id, d.entity_id), d.schema, d.prop,
                       d.prop_type, d.value, d.original_value, d.lang, ?, d.origin, ?, ?, TRUE
                FROM _stage_d d
                LEFT JOIN (SELECT entity_id, min(canonical_id) AS canonical_id FROM statements
                           GROUP BY entity_id) c ON c.entity_id = d.entity_id
                WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.dataset = ? AND s.id = d.id)
                """,
                [ds, seen_at, seen_at, ds],
            )
            if prev is not None and prev[1] == result.sha256 and result.added == 0 and result.retired == 0:
                result.status = "unchanged"
            record_dataset(con, result, seen_at, title, licence, source, prev is None)
            con.execute(
                """
                UPDATE ingest_runs SET ended_at = ?, status = ?, version = ?, entities = ?,
                    statements = ?, added = ?, retired = ?, rejected = ?, errors = ?
                WHERE id = ?
                """,
                [
                    datetime.now(UTC).replace(tzinfo=None), result.status, version, result.entities,
                    result.statements, result.added, result.retired, len(result.rejected),
                    json.dumps(
                        [e.to_dict() for e in result.rejected[:100]]
                        + [{"level": "warning", "message": w} for w in result.warnings[:100]]
                    ), result.run_id,
                ],
            )
    finally:
        con.execute("DROP TABLE IF EXISTS _stage_d")


def record_dataset(
    con: Any, result: "IngestResult", seen_at: datetime, title: str | None, licence: str | None,
    source: list[str], new: bool,
) -> None:
    counts = json.dumps(result.schema_counts)
    if new:
        con.execute(
            """
            INSERT INTO datasets (name, title, licence, source, sha256, version, first_ingested_at,
                                  ingested_at, entity_count, statement_count, schema_counts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [result.dataset, title or result.dataset, licence, json.dumps(source), result.sha256,
             result.version, seen_at, seen_at, result.entities, result.statements, counts],
        )
    else:
        con.execute(
            """
            UPDATE datasets SET title = coalesce(?, title), licence = coalesce(?, licence), source = ?,
                sha256 = ?, version = ?, ingested_at = ?, entity_count = ?, statement_count = ?,
                schema_counts = ?
            WHERE name = ?
            """,
            [title, licence, json.dumps(source), result.sha256, result.version, seen_at,
             result.entities, result.statements, counts, result.dataset],
        )
    known = con.execute(
        "SELECT count(*) FROM dataset_versions WHERE dataset = ? AND version = ?",
        [result.dataset, result.version],
    ).fetchone()[0]
    if not known:
        con.execute(
            "INSERT INTO dataset_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [result.dataset, result.version, result.sha256, seen_at, result.run_id,
             result.entities, result.statements],
        )


def start_run(store: Store, dataset: str, paths: list[str], fmt: str) -> int:
    """Log the run before any work, committed on its own, so a failed or killed run is visible."""
    row = store.con.execute(
        """
        INSERT INTO ingest_runs (dataset, paths, format, started_at, status)
        VALUES (?, ?, ?, ?, 'running') RETURNING id
        """,
        [dataset, json.dumps(paths), fmt, datetime.now(UTC).replace(tzinfo=None)],
    ).fetchone()
    assert row is not None
    return int(row[0])


def fail_run(store: Store, run_id: int, exc: BaseException) -> None:
    detail = exc.to_dict() if isinstance(exc, SourceError) else {"message": str(exc) or type(exc).__name__}
    try:
        store.con.execute(
            "UPDATE ingest_runs SET status = 'failed', ended_at = ?, errors = ? WHERE id = ?",
            [datetime.now(UTC).replace(tzinfo=None), json.dumps([detail]), run_id],
        )
    except Exception:  # the store itself may be the problem; the original error matters more
        pass


def _scalar(con: Any, sql: str, params: list[Any] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
