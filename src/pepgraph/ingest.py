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
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.statement import BASE_ID, StatementEntity

from pepgraph.errors import ConfigError, SourceError
from pepgraph.sources import FORMATS, detect_format, get_reader
from pepgraph.sources.base import DEFAULT_MAX_FIELD, SourceContext
from pepgraph.store import Store
from pepgraph.versions import fail_run, merge, start_run

DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")  # as followthemoney requires
STAGE_COLUMNS = ["id", "entity_id", "schema", "prop", "prop_type", "value", "original_value", "lang", "origin"]
BATCH_ROWS = 50_000


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


class Stager:
    """Buffers statement rows and appends them to a temporary table in Arrow batches."""

    def __init__(self, store: Store, dataset: str) -> None:
        self.con = store.con
        self.dataset = dataset
        self.con.execute("DROP TABLE IF EXISTS _stage")
        cols = ", ".join(f"{c} VARCHAR" for c in STAGE_COLUMNS)
        self.con.execute(f"CREATE TEMP TABLE _stage ({cols})")
        self.rows: dict[str, list[str | None]] = {c: [] for c in STAGE_COLUMNS}
        self.pending = 0
        self.schemas: dict[str, str] = {}
        self.conflicts: set[str] = set()

    def add(self, entity: StatementEntity) -> None:
        entity_id = entity.id
        assert entity_id is not None
        schema = entity.schema.name
        known = self.schemas.get(entity_id)
        if known is None:
            self.schemas[entity_id] = schema
        elif known != schema:
            try:
                common = model.common_schema(known, schema)
            except InvalidData as exc:
                raise SourceError(f"entity {entity_id} is both {known} and {schema}: {exc}") from exc
            self.schemas[entity_id] = common.name
            self.conflicts.add(entity_id)
        self._row(_id_stmt_key(self.dataset, entity_id), entity_id, schema, BASE_ID, "id", entity_id, None, None, None)
        for stmt in entity.statements:
            if stmt.prop == BASE_ID:
                continue  # FtM's own id statement carries a checksum; ours carries the id
            self._row(
                stmt.id, entity_id, schema, stmt.prop, stmt.prop_type, stmt.value,
                stmt.original_value, stmt.lang, stmt.origin,
            )
        if self.pending >= BATCH_ROWS:
            self.flush()

    def _row(self, *values: str | None) -> None:
        for col, value in zip(STAGE_COLUMNS, values):
            self.rows[col].append(value)
        self.pending += 1

    def flush(self) -> None:
        if not self.pending:
            return
        batch = pa.table({c: pa.array(v, type=pa.string()) for c, v in self.rows.items()})
        self.con.register("_batch", batch)
        self.con.execute("INSERT INTO _stage SELECT * FROM _batch")
        self.con.unregister("_batch")
        self.rows = {c: [] for c in STAGE_COLUMNS}
        self.pending = 0

    def finish(self) -> None:
        """Flush, and fix the schema of entities emitted under several schemata."""
        self.flush()
        if self.conflicts:
            fixes = pa.table(
                {
                    "entity_id": pa.array(sorted(self.conflicts)),
                    "schema": pa.array([self.schemas[e] for e in sorted(self.conflicts)]),
                }
            )
            self.con.register("_fixes", fixes)
            self.con.execute(
                "UPDATE _stage SET schema = f.schema FROM _fixes f WHERE _stage.entity_id = f.entity_id"
            )
            self.con.unregister("_fixes")


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
) -> IngestResult:
    """Ingest ``paths`` as the next version of ``dataset``; all or nothing."""
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
        _read_into_stage(store, seen_at, files, dataset, mapping, skip_invalid, max_field, result, progress)
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
) -> None:
    stager = Stager(store, dataset)
    if progress:
        progress.start(len(files), sum(f.path.stat().st_size for f in files))
    options: dict[str, Any] = {"mapping": Path(mapping)} if mapping else {}
    count = 0
    for src in files:
        if progress:
            progress.file(Path(src.origin), src.path.stat().st_size)
        ctx = SourceContext(
            dataset=dataset, path=src.path, origin=src.origin, skip_invalid=skip_invalid,
            max_field=max_field, options=options, as_of=as_of,
        )
        try:
            for entity in get_reader(src.format).read(ctx):
                stager.add(entity)
                count += 1
                if progress and count % 2000 == 0:
                    progress.entities(count)
        except SourceError as exc:
            exc.path = exc.path or str(src.path)
            raise
        except UnicodeDecodeError as exc:
            raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path=src.path) from exc
        except (InvalidData, ValueError) as exc:
            raise ctx.error(str(exc)) from exc
        result.rejected.extend(ctx.rejected)
        result.warnings.extend(ctx.warnings)
    if progress:
        progress.entities(count)
    stager.finish()
    if count == 0:
        raise SourceError("no records found", path=", ".join(str(f.path) for f in files))


def _id_stmt_key(dataset: str, entity_id: str) -> str:
    """The statement id of an entity's own id statement, keyed as FtM keys every statement."""
    return hashlib.sha1(f"{dataset}.{entity_id}.{BASE_ID}.{entity_id}".encode()).hexdigest()


def _write_report(result: IngestResult, report: str | Path | None) -> Path:
    path = Path(report) if report else Path(f"rejected-{result.dataset}.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for err in result.rejected:
            fh.write(json.dumps(err.to_dict(), ensure_ascii=False) + "\n")
    return path


