"""Ingest one version of a dataset: read its files, stage the statements, merge in one transaction.

Why stage first: readers stream millions of statements; they go into a temporary table in batches
(never into the real one), so a crash, a ``kill -9`` or a bad record while reading touches nothing
stored. Only when every file has been read does one transaction merge the stage into
``statements``: values seen before keep ``first_seen`` and get a new ``last_seen``; new values are
added; values the new version lacks are kept with ``current = false`` (the history). DuckDB's
write-ahead log makes that transaction atomic on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.statement import BASE_ID, StatementEntity

from pepgraph import settings
from pepgraph.errors import ConfigError, SourceError
from pepgraph.sources import FORMATS, detect_format, get_reader
from pepgraph.sources.base import DEFAULT_MAX_FIELD, SourceContext
from pepgraph.store import Store
from pepgraph.versions import fail_run, merge, start_run

DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")  # as followthemoney requires
STAGE_COLUMNS = ["id", "entity_id", "schema", "prop", "prop_type", "value", "original_value", "lang", "origin"]
BATCH_ROWS = 50_000
#: bytes of a line-oriented file (FtM JSON lines) that one worker reads as one task
CHUNK_BYTES = 32 << 20
#: input below which ingest reads in its own process: starting a worker (importing
#: followthemoney) costs about a second, and 16 MB take about 7 s to read in one process
PARALLEL_FROM = 16 << 20


class Progress(Protocol):
    """What the ingest reports while it works (the CLI draws it as a progress bar)."""

    def start(self, files: int, total_bytes: int) -> None: ...
    def file(self, path: Path, size: int) -> None: ...
    def entities(self, count: int) -> None: ...
    def phase(self, text: str) -> None: ...


@dataclass
class SourceFile:
    path: Path
    format: str
    origin: str  # recorded on every statement: the file relative to what the user named
    companions: list[Path] = field(default_factory=list)  # read through this file (OFAC alt.csv)


@dataclass
class IngestResult:
    dataset: str
    run_id: int
    status: str  # ok (a new version), unchanged (same content as the latest version)
    version: int
    sha256: str
    files: list[str]
    skipped: list[tuple[str, str]]
    entities: int = 0
    statements: int = 0
    added: int = 0
    retired: int = 0
    schema_counts: dict[str, int] = field(default_factory=dict)
    rejected: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["rejected"] = [e.to_dict() for e in self.rejected]
        return data


def collect_files(paths: list[str | Path], fmt: str = "auto") -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """The files to read, each with its format; folders are walked in a stable order.

    A file named on its own must be readable and of a known format; inside a folder, files no
    reader claims (or that a reader reads through another file) are skipped and reported.
    """
    if fmt != "auto":
        get_reader(fmt)  # unknown format -> ConfigError
    files: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise SourceError("no such file or folder", path=root)
        if root.is_dir():
            members = sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p, root))
            if not members:
                raise SourceError("folder holds no files", path=root)
            for path in members:
                origin = str(Path(root.name) / path.relative_to(root))
                owner = _companion_owner(path, fmt)
                chosen = None if owner else _format_of(path, fmt, explicit=False)
                if owner:
                    skipped.append((str(path), f"read through {owner.name}"))
                elif chosen is None:
                    skipped.append((str(path), "format not recognised"))
                elif _ignored(path, chosen):
                    skipped.append((str(path), f"holds nothing the {chosen} reader reads"))
                else:
                    files.append(SourceFile(path, chosen, origin, _companions(path, chosen)))
        else:
            chosen = _format_of(root, fmt, explicit=True)
            assert chosen is not None
            files.append(SourceFile(root, chosen, root.name, _companions(root, chosen)))
    if not files:
        why = "; ".join(f"{Path(p).name}: {reason}" for p, reason in skipped[:5])
        raise SourceError(
            "no readable source files found" + (f" ({why})" if why else ""),
            path=", ".join(str(p) for p in paths),
        )
    return files, skipped


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _ignored(path: Path, fmt: str) -> bool:
    ignore = getattr(get_reader(fmt), "ignore", None)
    return bool(ignore is not None and ignore(path))


def _companion_owner(path: Path, fmt: str) -> Path | None:
    """The file ``path`` is read through (OFAC's alt.csv through sdn.csv), if any."""
    for name in [fmt] if fmt != "auto" else list(FORMATS):
        owner = getattr(get_reader(name), "companion_of", None)
        found = owner(path) if owner is not None else None
        if found is not None:
            return Path(found)
    return None


def _companions(path: Path, fmt: str) -> list[Path]:
    found = getattr(get_reader(fmt), "companions", None)
    return sorted(found(path)) if found is not None else []


def _format_of(path: Path, fmt: str, explicit: bool) -> str | None:
    if not os.access(path, os.R_OK):
        raise SourceError("permission denied: cannot read the file", path=path)
    if path.stat().st_size == 0:
        if explicit:
            raise SourceError("empty file", path=path)
        return None
    if fmt != "auto":
        return fmt
    found = detect_format(path)
    if found is None and explicit:
        raise SourceError("cannot tell the format of this file; pass --format (and --mapping for CSV)", path=path)
    return found


def content_sha256(files: list[SourceFile]) -> str:
    """One digest for a dataset version: each file's origin and bytes, in order."""
    total = hashlib.sha256()
    for src in files:
        for path in [src.path, *src.companions]:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            total.update(f"{src.origin}\0{path.name}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()


class StatementRows:
    """Turns entities into stage rows, buffered by column until ``take`` hands them over as an
    Arrow table (to the stage table, or to a worker's Parquet file)."""

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.rows: dict[str, list[str | None]] = {c: [] for c in STAGE_COLUMNS}
        self.pending = 0

    def add(self, entity: StatementEntity) -> None:
        entity_id = entity.id
        assert entity_id is not None
        schema = entity.schema.name
        self._row(_id_stmt_key(self.dataset, entity_id), entity_id, schema, BASE_ID, "id", entity_id, None, None, None)
        for stmt in entity.statements:
            if stmt.prop == BASE_ID:
                continue  # FtM's own id statement carries a checksum; ours carries the id
            self._row(
                stmt.id, entity_id, schema, stmt.prop, stmt.prop_type, stmt.value,
                stmt.original_value, stmt.lang, stmt.origin,
            )

    def _row(self, *values: str | None) -> None:
        for col, value in zip(STAGE_COLUMNS, values):
            self.rows[col].append(value)
        self.pending += 1

    def take(self) -> pa.Table:
        batch = pa.table({c: pa.array(v, type=pa.string()) for c, v in self.rows.items()})
        self.rows = {c: [] for c in STAGE_COLUMNS}
        self.pending = 0
        return batch


def _create_stage(store: Store) -> None:
    store.con.execute("DROP TABLE IF EXISTS _stage")
    cols = ", ".join(f"{c} VARCHAR" for c in STAGE_COLUMNS)
    store.con.execute(f"CREATE TEMP TABLE _stage ({cols})")


def _insert_stage(store: Store, batch: pa.Table) -> None:
    store.con.register("_batch", batch)
    store.con.execute("INSERT INTO _stage SELECT * FROM _batch")
    store.con.unregister("_batch")


def _fix_schemata(store: Store, files: list[SourceFile]) -> None:
    """An entity emitted under several schemata (a LegalEntity in one record, a Person in
    another, perhaps read by different workers) takes their common schema; schemata with none
    (a Person that is also a Vessel) are an error. Found from the id rows, one per emission."""
    found = store.con.execute(
        "SELECT entity_id, list(DISTINCT schema ORDER BY schema) FROM _stage WHERE prop = ? "
        "GROUP BY entity_id HAVING count(DISTINCT schema) > 1 ORDER BY entity_id",
        [BASE_ID],
    ).fetchall()
    if not found:
        return
    fixed: list[tuple[str, str]] = []
    for entity_id, schemata in found:
        common = schemata[0]
        for other in schemata[1:]:
            try:
                common = model.common_schema(common, other).name
            except InvalidData as exc:
                raise SourceError(
                    f"entity {entity_id} is both {common} and {other}: {exc}",
                    path=", ".join(str(f.path) for f in files), record=entity_id,
                ) from exc
        fixed.append((entity_id, common))
    fixes = pa.table({"entity_id": pa.array([e for e, _ in fixed]), "schema": pa.array([c for _, c in fixed])})
    store.con.register("_fixes", fixes)
    store.con.execute("UPDATE _stage SET schema = f.schema FROM _fixes f WHERE _stage.entity_id = f.entity_id")
    store.con.unregister("_fixes")


def _now(as_of: str | datetime | None) -> datetime:
    if as_of is None:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if isinstance(as_of, datetime):
        return as_of.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(as_of).replace(tzinfo=None)
    except ValueError as exc:
        raise ConfigError(f"--as-of {as_of!r} is not an ISO date or time (e.g. 2015-11-30)") from exc


def ingest(
    store: Store,
    paths: list[str | Path],
    dataset: str,
    fmt: str = "auto",
    mapping: str | Path | None = None,
    title: str | None = None,
    licence: str | None = None,
    skip_invalid: bool = False,
    report: str | Path | None = None,
    as_of: str | datetime | None = None,
    max_field: int = DEFAULT_MAX_FIELD,
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_bytes: int | None = None,
) -> IngestResult:
    """Ingest ``paths`` as the next version of ``dataset``; all or nothing.

    ``workers`` processes read the files (and spans of ``chunk_bytes`` of FtM JSON lines) side
    by side; by default every core once the input reaches ``PARALLEL_FROM``. Each worker stages
    its rows in a Parquet file beside the store, loaded into the stage in the files' order, so
    the stored statements are the same as a one-process ingest's.
    """
    started = time.monotonic()
    if not DATASET_NAME.match(dataset or ""):
        raise ConfigError(
            f"dataset name {dataset!r}: use 1-64 lower-case letters, digits or '_' (as in FtM), starting "
            "with a letter or digit"
        )
    if dataset == "default":
        raise ConfigError("'default' is reserved (it means every dataset); choose another name")
    run_id = start_run(store, dataset, [str(p) for p in paths], fmt)
    try:
        if mapping is not None and not Path(mapping).is_file():
            raise ConfigError(f"{mapping}: mapping file not found")
        files, skipped = collect_files(list(paths), fmt)
        seen_at = _now(as_of)
        latest = store.con.execute(
            "SELECT max(seen_at) FROM dataset_versions WHERE dataset = ?", [dataset]
        ).fetchone()
        if latest and latest[0] is not None and seen_at < latest[0]:
            raise ConfigError(
                f"dataset {dataset} was last ingested as of {latest[0]}; a version cannot be older "
                f"(--as-of {seen_at})"
            )
        sha = content_sha256(files)
        store.con.execute(
            "UPDATE ingest_runs SET paths = ?, sha256 = ? WHERE id = ?",
            [json.dumps([str(p) for f in files for p in (f.path, *f.companions)]), sha, run_id],
        )
        result = IngestResult(dataset, run_id, "ok", 0, sha, [str(f.path) for f in files], skipped)
        _read_into_stage(
            store, seen_at, files, dataset, mapping, skip_invalid, max_field, result, progress,
            workers=workers, chunk_bytes=chunk_bytes,
        )
        if progress:
            progress.phase("merging into the store")
        merge(store, result, seen_at, title, licence, [str(p) for p in paths])
    except BaseException as exc:
        fail_run(store, run_id, exc)
        raise
    finally:
        store.con.execute("DROP TABLE IF EXISTS _stage")
    if result.rejected:
        result.report = str(_write_report(result, report))
    result.seconds = round(time.monotonic() - started, 3)
    return result


@dataclass
class Task:
    """One unit of reading: a whole file, or a span of lines of a line-oriented one."""

    src: SourceFile
    size: int  # bytes of input, for the progress bar
    span: tuple[int, int, int] | None = None  # start byte, end byte, number of its first line


@dataclass
class TaskResult:
    entities: int
    parquet: str | None
    rejected: list[SourceError]
    warnings: list[str]


def plan_tasks(files: list[SourceFile], chunk_bytes: int) -> list[Task]:
    """Files as tasks; a file whose reader can split it (FtM lines) in spans of ``chunk_bytes``."""
    tasks: list[Task] = []
    for src in files:
        size = src.path.stat().st_size
        split = getattr(get_reader(src.format), "split", None)
        if split is not None and size > chunk_bytes:
            tasks.extend(Task(src, end - start, (start, end, line)) for start, end, line in split(src.path, chunk_bytes))
        else:
            tasks.append(Task(src, size))
    return tasks


def ingest_workers(total_bytes: int, workers: int | None = None) -> int:
    """Processes that read: ``PEPGRAPH_INGEST_WORKERS`` (or ``workers``), else every core once
    the input is large enough (``PARALLEL_FROM``) to repay starting them."""
    if workers is None:
        workers = settings.ingest_workers()
    if workers is None:
        workers = (os.cpu_count() or 1) if total_bytes >= PARALLEL_FROM else 1
    return max(1, workers)


def _read_into_stage(
    store: Store,
    as_of: datetime,
    files: list[SourceFile],
    dataset: str,
    mapping: str | Path | None,
    skip_invalid: bool,
    max_field: int,
    result: IngestResult,
    progress: Progress | None,
    workers: int | None = None,
    chunk_bytes: int | None = None,
) -> None:
    _create_stage(store)
    total_bytes = sum(f.path.stat().st_size for f in files)
    if progress:
        progress.start(len(files), total_bytes)
    options: dict[str, Any] = {"mapping": Path(mapping)} if mapping else {}
    job = _Job(dataset, options, skip_invalid, max_field, as_of)
    processes = ingest_workers(total_bytes, workers)
    # spans small enough that every worker gets several (a 45 MB file in two spans of 32 and 13
    # would leave one worker idle), large enough that each repays its start-up
    chunk = chunk_bytes or max(1 << 20, min(CHUNK_BYTES, total_bytes // (4 * processes) + 1))
    tasks = plan_tasks(files, chunk) if processes > 1 else [Task(f, f.path.stat().st_size) for f in files]
    processes = min(processes, len(tasks))
    count = 0

    def collect(done: TaskResult) -> None:
        nonlocal count
        count += done.entities
        result.rejected.extend(done.rejected)
        result.warnings.extend(done.warnings)

    if processes <= 1:
        rows = StatementRows(dataset)
        for task in tasks:
            if progress:
                progress.file(Path(task.src.origin), task.size)
            collect(job.read(task, rows, lambda batch: _insert_stage(store, batch), progress, count))
    else:
        import multiprocessing
        import tempfile
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        spawn = multiprocessing.get_context("spawn")  # fork would copy DuckDB's threads and locks
        prefix = f".{store.path.name}-ingest-"
        for stale in store.path.parent.glob(prefix + "*"):
            # left by an ingest killed with -9; this process holds the store's write lock, so no
            # other ingest of this store is using it
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix=prefix, dir=store.path.parent) as tmp, \
                ProcessPoolExecutor(processes, mp_context=spawn, initializer=_quiet_worker) as pool:
            jobs = [(job, task, str(Path(tmp) / f"{i:06d}.parquet")) for i, task in enumerate(tasks)]
            try:
                for task, done in zip(tasks, pool.map(_read_task, jobs)):
                    if progress:
                        progress.file(Path(task.src.origin), task.size)
                    if done.parquet is not None:
                        store.con.execute("INSERT INTO _stage SELECT * FROM read_parquet(?)", [done.parquet])
                        os.unlink(done.parquet)
                    collect(done)
                    if progress:
                        progress.entities(count)
            except BrokenProcessPool as exc:
                # A worker died: killed for memory, or a script that calls ingest at import time
                # without ``if __name__ == "__main__":`` (each spawned worker imports the script).
                raise ConfigError(
                    f"ingest's worker processes stopped ({exc}); a script that calls ingest must run "
                    "it under `if __name__ == \"__main__\":`, or set PEPGRAPH_INGEST_WORKERS=1"
                ) from exc
            except BaseException:
                _stop(pool)
                raise
    if progress:
        progress.entities(count)
    if count == 0:
        raise SourceError("no records found", path=", ".join(str(f.path) for f in files))
    _fix_schemata(store, files)


@dataclass
class _Job:
    """What every task of one ingest shares; picklable, so that worker processes get it."""

    dataset: str
    options: dict[str, Any]
    skip_invalid: bool
    max_field: int
    as_of: datetime

    def read(
        self, task: Task, rows: StatementRows, flush: Any, progress: Progress | None = None, before: int = 0,
    ) -> TaskResult:
        """Read one task's entities into ``rows``, handing full batches to ``flush``."""
        src = task.src
        ctx = SourceContext(
            dataset=self.dataset, path=src.path, origin=src.origin, skip_invalid=self.skip_invalid,
            max_field=self.max_field, options=self.options, as_of=self.as_of, span=task.span,
        )
        count = 0
        try:
            for entity in get_reader(src.format).read(ctx):
                rows.add(entity)
                count += 1
                if rows.pending >= BATCH_ROWS:
                    flush(rows.take())
                if progress and count % 2000 == 0:
                    progress.entities(before + count)
        except SourceError as exc:
            exc.path = exc.path or str(src.path)
            raise
        except UnicodeDecodeError as exc:
            raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path=src.path) from exc
        except (InvalidData, ValueError) as exc:
            raise ctx.error(str(exc)) from exc
        if rows.pending:
            flush(rows.take())
        return TaskResult(count, None, ctx.rejected, ctx.warnings)


def _quiet_worker() -> None:
    """Ctrl-C is the ingesting process's to handle (it stops the workers): a worker that died of
    it on its own would look like a broken pool."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: Any) -> None:
    """Stop the workers at once, on an error or Ctrl-C: left alone, they would read the spans
    already queued to them (about 15 s each) before the ingest could end."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
    else:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _read_task(args: tuple[_Job, Task, str]) -> TaskResult:
    """In a worker process: read one task into a Parquet file of stage rows."""
    import pyarrow.parquet as pq

    job, task, out = args
    rows = StatementRows(job.dataset)
    writer: pq.ParquetWriter | None = None

    def flush(batch: pa.Table) -> None:
        nonlocal writer
        if writer is None:
            writer = pq.ParquetWriter(out, batch.schema, compression="zstd")
        writer.write_table(batch)

    try:
        done = job.read(task, rows, flush)
    finally:
        if writer is not None:
            writer.close()
    done.parquet = out if writer is not None else None
    return done


def _id_stmt_key(dataset: str, entity_id: str) -> str:
    """The statement id of an entity's own id statement, keyed as FtM keys every statement."""
    return hashlib.sha1(f"{dataset}.{entity_id}.{BASE_ID}.{entity_id}".encode()).hexdigest()


def _write_report(result: IngestResult, report: str | Path | None) -> Path:
    path = Path(report) if report else Path(f"rejected-{result.dataset}.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for err in result.rejected:
            fh.write(json.dumps(err.to_dict(), ensure_ascii=False) + "\n")
    return path


