"""``pepgraph.Graph``: the one object the CLI, the API and the pages stay thin over."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pepgraph import settings
from pepgraph.entities import get_entity
from pepgraph.export import export
from pepgraph.ingest import IngestResult, Progress, ingest
from pepgraph.stats import stats
from pepgraph.store import Store


class Graph:
    """An open pepgraph store.

    >>> with Graph("pepgraph.duckdb") as graph:
    ...     graph.ingest(["legislators-current.yaml"], dataset="us_congress")
    ...     graph.entity("congress-S000148")
    """

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path or settings.DB.get() or "pepgraph.duckdb")
        self.store = Store(self.path, read_only=read_only)

    def ingest(
        self,
        paths: list[str | Path] | str | Path,
        dataset: str,
        format: str = "auto",
        mapping: str | Path | None = None,
        title: str | None = None,
        licence: str | None = None,
        skip_invalid: bool = False,
        report: str | Path | None = None,
        as_of: str | datetime | None = None,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Ingest files (or folders) as the next version of ``dataset``; all or nothing."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return ingest(
            self.store, list(paths), dataset, fmt=format, mapping=mapping, title=title,
            licence=licence, skip_invalid=skip_invalid, report=report, as_of=as_of,
            max_field=settings.max_field(), progress=progress,
        )

    def datasets(self) -> list[dict[str, Any]]:
        return self.store.query(
            "SELECT name, title, version, entity_count, statement_count, licence, source, sha256, "
            "first_ingested_at, ingested_at, schema_counts FROM datasets ORDER BY name"
        )

    def runs(self, dataset: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        sql = "SELECT * FROM ingest_runs"
        params: list[Any] = []
        if dataset:
            sql += " WHERE dataset = ?"
            params.append(dataset)
        return self.store.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])

    def entity(self, entity_id: str, history: bool = False) -> dict[str, Any] | None:
        """The merged entity with every value's sources, or None."""
        return get_entity(self.store, entity_id, history=history)

    def stats(self, by: str = "schema", schema: str | None = None) -> dict[str, Any]:
        """Entity counts by dataset, schema, country or topic (optionally of one schema only)."""
        return stats(self.store, by, schema)

    def export(
        self, format: str, out: str | Path, datasets: list[str] | None = None, history: bool = False
    ) -> int:
        return export(self.store, format, out, datasets=datasets, history=history)

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, threshold: float | None = None, retrain: bool = False) -> Any:
        """Cluster records of the same person or organisation; rewrites canonical ids."""
        from pepgraph.resolve import DEFAULT_THRESHOLD, resolve

        return resolve(self.store, threshold=threshold or DEFAULT_THRESHOLD, retrain=retrain)

    def judge(self, a: str, b: str, judgement: str, note: str | None = None) -> dict[str, Any]:
        """Record a human judgement (same / different / unsure); applied at the next resolve."""
        from pepgraph.resolve.judgements import judge

        return judge(self.store, a, b, judgement, note)

    def judgements(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        from pepgraph.resolve.judgements import history

        return history(self.store, entity_id)

    def explain(self, a: str, b: str) -> dict[str, Any]:
        """The model's score for two records, comparison by comparison."""
        from pepgraph.resolve import explain

        return explain(self.store, a, b)

    def review_queue(self, limit: int = 50) -> list[dict[str, Any]]:
        from pepgraph.resolve import review_queue

        return review_queue(self.store, limit)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
