"""``pepgraph.Graph``: the one object the CLI, the API and the pages stay thin over."""

from __future__ import annotations

from collections.abc import Callable
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

    def entity(self, entity_id: str, history: bool = False, include_minors: bool = False) -> dict[str, Any] | None:
        """The merged entity with every value's sources, its PEP / RCA status with reasons, its
        positions as a timeline and its relatives and associates; None when there is no such
        entity, or when it is a minor and ``include_minors`` is not set."""
        from pepgraph.profile import enrich

        data = get_entity(self.store, entity_id, history=history)
        if data is None:
            return None
        return enrich(self.store, data, include_minors=include_minors)

    def stats(self, by: str = "schema", schema: str | None = None, topic: str | None = None,
              include_minors: bool = False) -> dict[str, Any]:  # fmt: skip
        """Entity counts by dataset, schema, country, topic, or PEP category / status
        (optionally of one schema, or of entities with one topic such as ``role.pep``)."""
        return stats(self.store, by, schema, topic=topic, include_minors=include_minors)

    def export(
        self, format: str, out: str | Path, datasets: list[str] | None = None, history: bool = False,
        include_minors: bool = False,
    ) -> int:
        return export(self.store, format, out, datasets=datasets, history=history, include_minors=include_minors)

    # -- classification and the graph ------------------------------------------------------------
    def classify(self, rules: str | Path | None = None, today: Any = None) -> Any:
        """PEP and RCA classification from the rules (``pep/rules.yml`` by default); rewrites the
        derived ``role.pep`` / ``role.rca`` topics whole."""
        from pepgraph.pep import classify

        return classify(self.store, rules, today=today)

    def build(self, rules: str | Path | None = None, threshold: float | None = None,
              retrain: bool = False, index: bool = True, publish: bool = True,
              step: Any = None) -> dict[str, Any]:  # fmt: skip
        """Everything derived, in order: resolve → classify → screening index (when available),
        then publish the result for running servers (``pepgraph.serving``).
        ``step(name, seconds, result)`` is called after each stage."""
        import time as _time
        from datetime import UTC, datetime

        from pepgraph.pep.classify import record_build

        started = datetime.now(UTC).replace(tzinfo=None)
        report: dict[str, Any] = {"judgements_imported": self.import_api_judgements()}
        t = _time.perf_counter()
        report["resolve"] = self.resolve(threshold=threshold, retrain=retrain, reclassify=False)
        report["resolve_seconds"] = round(_time.perf_counter() - t, 2)
        if step:
            step("resolve", report["resolve_seconds"], report["resolve"])
        t = _time.perf_counter()
        report["classify"] = self.classify(rules)
        report["classify_seconds"] = round(_time.perf_counter() - t, 2)
        if step:
            step("classify", report["classify_seconds"], report["classify"])
        if index and hasattr(self, "build_index"):
            t = _time.perf_counter()
            report["index"] = self.build_index()
            report["index_seconds"] = round(_time.perf_counter() - t, 2)
            if step:
                step("index", report["index_seconds"], report["index"])
        record_build(self.store, started, {k: v if isinstance(v, (int, float)) else getattr(v, "__dict__", str(v))
                                           for k, v in report.items()})
        if publish:
            from pepgraph.serving import publish as publish_generation

            t = _time.perf_counter()
            report["published"] = str(publish_generation(self))
            report["publish_seconds"] = round(_time.perf_counter() - t, 2)
            if step:
                step("publish", report["publish_seconds"], report["published"])
        return report

    def xref(self, paths: list[str | Path] | str | Path, out: str | Path, format: str = "auto",
             mapping: str | Path | None = None, threshold: float = 0.7, limit: int = 3,
             progress: Any = None) -> Any:  # fmt: skip
        """Screen every record of an external dataset against the graph (nothing is stored) and
        write matches.csv, unmatched.csv, summary.json and report.html into ``out``."""
        from pepgraph.xref import xref

        if isinstance(paths, (str, Path)):
            paths = [paths]
        return xref(self, list(paths), out, fmt=format, mapping=mapping, threshold=threshold, limit=limit,
                    progress=progress)

    def import_api_judgements(self) -> int:
        """Move judgements made through the API or the pages (queued beside the store, since a
        server cannot write the store) into the store's append-only judgements."""
        from pepgraph.api.access import Access, access_path

        if not access_path(self.path).exists():
            return 0
        access = Access(self.path)
        done = []
        for item in access.pending_judgements():
            note = f"{item['note'] or ''} [via API key {item['key']}, {item['at']}]".strip()
            try:
                self.judge(item["left"], item["right"], item["judgement"], note)
            except Exception:  # noqa: BLE001 - an id gone since: keep it queued, do not lose it
                continue
            done.append(item["id"])
        access.mark_imported(done)
        return len(done)

    def graph(self, entity_id: str, depth: int = 1, limit: int = 50, include_minors: bool = False) -> dict[str, Any]:
        """Nodes and labelled edges ``depth`` hops around an entity (family, associates,
        positions, organisations); at most ``limit`` new edges per node."""
        from pepgraph.graph import neighbourhood

        return neighbourhood(self.store, entity_id, depth=depth, limit=limit, include_minors=include_minors)

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, threshold: float | None = None, retrain: bool = False, reclassify: bool = True,
                phase: Callable[[str], None] | None = None) -> Any:
        """Cluster records of the same person or organisation; rewrites canonical ids. A store
        that was classified before is classified again, so that PEP / RCA topics follow the new
        canonical ids (``reclassify=False`` leaves that to the caller, as ``build`` does)."""
        from pepgraph.resolve import DEFAULT_THRESHOLD, resolve

        result = resolve(self.store, threshold=threshold or DEFAULT_THRESHOLD, retrain=retrain, phase=phase)
        classified = "SELECT (SELECT count(*) FROM pep_roles) + (SELECT count(*) FROM build_runs)"
        if reclassify and self.store.con.execute(classified).fetchone()[0]:
            self.classify()
        return result

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

    # -- screening -----------------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        """The screening index file of this store: ``<store>.screen``."""
        from pepgraph.screen import index_path

        return index_path(self.path)

    def build_index(self, progress: Any = None) -> Any:
        """Build the screening index of the current canonical entities (replaced atomically;
        readers keep the old one until they reopen). Returns an ``IndexInfo``."""
        from pepgraph.screen import build

        info = build(self.store, self.index_path, progress=progress)
        self.__dict__.pop("_screener", None)
        return info

    def screener(self, algorithm: str | None = None) -> Any:
        """The ``Screener`` over this store's index, opened once and reopened when the index
        file has been replaced since."""
        from pepgraph.screen import ScreenIndex, Screener

        path = self.index_path
        try:
            st = path.stat()
            stamp = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        cached = self.__dict__.get("_screener")
        if cached is None or cached[0] != stamp or cached[2] != algorithm:
            if cached is not None:
                cached[1].index.close()
            screener = Screener(ScreenIndex(path), algorithm)
            self.__dict__["_screener"] = cached = (stamp, screener, algorithm)
        return cached[1]

    def screen(
        self, name: str | list[str] | None = None, birth_date: str | list[str] | None = None,
        country: str | list[str] | None = None, gender: str | None = None, schema: str = "Person",
        topics: list[str] | None = None, datasets: list[str] | None = None, limit: int = 5,
        threshold: float | None = None, identifiers: str | list[str] | None = None,
        properties: dict[str, Any] | None = None, include_minors: bool = False, algorithm: str | None = None,
    ) -> dict[str, Any]:
        """Screen one name (with optional birth date, country, gender, identifiers) against the
        index: yente's match response ``{"query", "results": [{"id", "caption", "schema",
        "properties", "datasets", "topics", "score", "match", "explanations"}], "total"}``.
        Minors are left out unless ``include_minors`` (for admins)."""
        from pepgraph.screen import DEFAULT_THRESHOLD, query_subject, response

        query = query_subject(name, schema=schema, birth_date=birth_date, country=country, gender=gender,
                              identifiers=identifiers, properties=properties)
        hits = self.screener(algorithm).screen(
            query, limit=limit, threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            topics=topics, datasets=datasets, include_minors=include_minors,
        )
        return response(query, hits)

    def screen_batch(
        self, input: str | Path, out: str | Path, columns: dict[str, str] | list[str] | None = None,
        format: str | None = None, schema: str = "Person", limit: int = 5, threshold: float | None = None,
        floor: float | None = None, topics: list[str] | None = None, datasets: list[str] | None = None,
        include_minors: bool = False, algorithm: str | None = None, workers: int | None = None,
        resume: bool = True, progress: Any = None,
    ) -> Any:
        """Screen a CSV / XLSX / FtM JSON lines file of queries into a CSV (streamed, on every
        core, resumable); ``columns`` maps FtM properties to input columns, as ``{"full_name":
        "name"}`` or ``["name=full_name"]``. Returns a ``BatchResult``."""
        from pepgraph.screen.batch import DEFAULT_FLOOR, parse_columns, run_batch
        from pepgraph.screen.score import DEFAULT_THRESHOLD

        mapping = parse_columns(columns) if isinstance(columns, list) else columns
        return run_batch(
            self.index_path, input, out, columns=mapping, fmt=format, schema=schema, limit=limit,
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            floor=DEFAULT_FLOOR if floor is None else floor, topics=topics, datasets=datasets,
            include_minors=include_minors, algorithm=algorithm, workers=workers, resume=resume,
            progress=progress,
        )

    def close(self) -> None:
        cached = self.__dict__.pop("_screener", None)
        if cached is not None:
            cached[1].index.close()
        self.store.close()

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
