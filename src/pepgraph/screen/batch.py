"""Screening a file of queries: CSV, XLSX or FtM JSON lines in, one CSV out.

One output row per query and candidate scoring at least the floor (a query with none gets one
row with empty candidate fields): ``query_row`` (the 1-based data row, or the FtM entity's id),
``candidate_id``, ``caption``, ``score``, ``match``, ``topics``, ``explanation``, then the
query's own columns.

The input is streamed in chunks to worker processes (one per core), each with the index mapped;
at most two chunks per worker are in flight, so memory stays constant whatever the file's size.
Results are written in input order. After every chunk the output is flushed and a small progress
file (``OUT.progress``) records how many queries are done and how long the output is; a run that
is interrupted (Ctrl-C, a crash, ``kill -9``) continues from there when started again with the
same input and options (the output is cut back to the last whole chunk).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from pepgraph.errors import ConfigError, SourceError
from pepgraph.screen.engine import Screener
from pepgraph.screen.index import ScreenIndex
from pepgraph.screen.score import DEFAULT_THRESHOLD
from pepgraph.screen.subject import subject_from_properties

OUT_COLUMNS = ("query_row", "candidate_id", "caption", "score", "match", "topics", "explanation")
DEFAULT_FLOOR = 0.5
CHUNK = 250

#: Column names recognised without ``--column`` (lower case, spaces and dashes as underscores).
AUTO_COLUMNS: dict[str, str] = {
    "name": "name", "full_name": "name", "fullname": "name", "customer_name": "name",
    "first_name": "firstName", "firstname": "firstName", "given_name": "firstName",
    "middle_name": "middleName", "middlename": "middleName",
    "last_name": "lastName", "lastname": "lastName", "surname": "lastName", "family_name": "lastName",
    "alias": "alias", "date_of_birth": "birthDate", "birth_date": "birthDate", "birthdate": "birthDate",
    "dob": "birthDate", "nationality": "nationality", "country": "country", "citizenship": "citizenship",
    "gender": "gender", "sex": "gender", "id_number": "idNumber", "idnumber": "idNumber",
    "passport_number": "passportNumber", "passport": "passportNumber", "tax_number": "taxNumber",
    "registration_number": "registrationNumber", "wikidata_id": "wikidataId",
}
FORMATS = ("csv", "xlsx", "jsonl")


@dataclass
class Query:
    row: str
    schema: str
    props: dict[str, list[str]]
    own: list[str]


@dataclass
class BatchResult:
    input: str
    output: str
    queries: int = 0
    rows: int = 0
    matched: int = 0
    resumed_from: int = 0
    seconds: float = 0.0
    workers: int = 1
    columns: list[str] = field(default_factory=list)
    #: CPU seconds the screening processes used (each worker's whole life, this process's own
    #: when it screens itself; not the fork server's one-off name-tagger build).
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        done = self.queries - self.resumed_from
        return done / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rate": round(self.rate, 1)}


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".jsonl", ".ijson", ".ftm.json", ".json", ".ndjson")):
        return "jsonl"
    return "csv"


def parse_columns(specs: list[str] | None) -> dict[str, str]:
    """``["name=full_name", "birthDate=dob"]`` -> {"full_name": "name", "dob": "birthDate"}
    (input column -> FtM property)."""
    mapping: dict[str, str] = {}
    for spec in specs or []:
        prop, sep, column = spec.partition("=")
        if not sep or not prop.strip() or not column.strip():
            raise ConfigError(f"--column {spec!r}: expected PROPERTY=COLUMN, e.g. name=full_name")
        mapping[column.strip()] = prop.strip()
    return mapping


def _auto(header: list[str], explicit: dict[str, str], path: Path) -> dict[int, str]:
    """Column positions -> FtM property: the explicit mapping, else recognised names."""
    positions: dict[int, str] = {}
    missing = [c for c in explicit if c not in header]
    if missing:
        raise SourceError(f"no column {missing[0]!r} (columns: {', '.join(header)})", path=path, line=1)
    for i, col in enumerate(header):
        if col in explicit:
            positions[i] = explicit[col]
        elif not explicit:
            key = col.strip().lower().replace(" ", "_").replace("-", "_")
            if key in AUTO_COLUMNS:
                positions[i] = AUTO_COLUMNS[key]
    if not any(p in ("name", "firstName", "lastName") for p in positions.values()):
        raise SourceError(
            f"no name column (columns: {', '.join(header)}); map one with --column name=COLUMN", path=path, line=1
        )
    return positions


def _rows_to_queries(rows: Iterator[list[Any]], header: list[str], explicit: dict[str, str], path: Path,
                     schema: str) -> Iterator[Query]:  # fmt: skip
    positions = _auto(header, explicit, path)
    for n, row in enumerate(rows, 1):
        cells = ["" if v is None else str(v).strip() for v in row]
        props: dict[str, list[str]] = {}
        for i, prop in positions.items():
            if i < len(cells) and cells[i]:
                props.setdefault(prop, []).append(cells[i])
        yield Query(str(n), schema, props, cells + [""] * (len(header) - len(cells)))


def read_queries(path: str | Path, columns: dict[str, str] | None = None, fmt: str | None = None,
                 schema: str = "Person") -> tuple[list[str], Iterator[Query]]:  # fmt: skip
    """The input's own column names and its queries, streamed."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    fmt = fmt or detect_format(path)
    explicit = columns or {}
    if fmt == "csv":
        fh = open(path, newline="", encoding="utf-8-sig")
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            fh.close()
            raise SourceError("empty file: expected a header row", path=path) from None
        except UnicodeDecodeError as exc:
            fh.close()
            raise SourceError(f"not UTF-8 text ({exc.reason})", path=path, line=1) from None

        def csv_rows() -> Iterator[list[Any]]:
            with fh:
                try:
                    yield from reader
                except (csv.Error, UnicodeDecodeError) as exc:
                    raise SourceError(str(exc), path=path, line=reader.line_num) from None

        return header, _rows_to_queries(csv_rows(), header, explicit, path, schema)
    if fmt == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise SourceError(f"not a readable XLSX workbook ({exc})", path=path) from None
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = [str(c) if c is not None else "" for c in next(rows)]
        except StopIteration:
            raise SourceError("empty sheet: expected a header row", path=path) from None

        def xlsx_rows() -> Iterator[list[Any]]:
            try:
                for row in rows:
                    if any(c is not None and str(c).strip() for c in row):
                        yield list(row)
            finally:
                book.close()

        return header, _rows_to_queries(xlsx_rows(), header, explicit, path, schema)
    if fmt == "jsonl":
        return ["id", "schema", "name"], _jsonl_queries(path, schema)
    raise ConfigError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _jsonl_queries(path: Path, schema: str) -> Iterator[Query]:
    with open(path, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise SourceError(f"not JSON ({exc.msg})", path=path, line=line_no) from None
            if not isinstance(data, dict) or not isinstance(data.get("properties", {}), dict):
                raise SourceError("expected an FtM entity: {\"id\", \"schema\", \"properties\"}", path=path, line=line_no)
            props = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in data.get("properties", {}).items()}
            row = str(data.get("id") or line_no)
            ent_schema = str(data.get("schema") or schema)
            yield Query(row, ent_schema, props, [row, ent_schema, "; ".join(props.get("name", []))])


def count_rows(path: str | Path, fmt: str | None = None) -> int | None:
    """About how many queries a file holds (lines, for text), for the progress bar."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            rows = book.worksheets[0].max_row
        finally:
            book.close()
        return max(0, (rows or 1) - 1)
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(0, lines - (1 if fmt == "csv" else 0))


# -- workers -------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init(index_file: str, algorithm: str | None, options: dict[str, Any], own_process: bool = True) -> None:
    _WORKER["screener"] = Screener(ScreenIndex(index_file), algorithm)
    _WORKER["options"] = options
    if own_process:  # a worker of ours; never change the GC of a caller's process
        from pepgraph.gcpolicy import freeze_after_collections

        freeze_after_collections()  # collections walk only what is new (pepgraph.gcpolicy)


def _run_chunk(chunk: list[Query]) -> tuple[list[list[str]], int, tuple[int, float]]:
    screener: Screener = _WORKER["screener"]
    opts = _WORKER["options"]
    out: list[list[str]] = []
    matched = 0
    for q in chunk:
        hits = []
        try:
            subject = subject_from_properties(q.schema, q.props)
        except ConfigError as exc:
            out.append([q.row, "", "", "", "", "", f"error: {exc}", *q.own])
            continue
        hits = screener.screen(
            subject, limit=opts["limit"], threshold=opts["threshold"], topics=opts["topics"],
            datasets=opts["datasets"], include_minors=opts["include_minors"], floor=opts["floor"],
        )
        if not hits:
            out.append([q.row, "", "", "", "", "", "" if subject.names else "no name", *q.own])
            continue
        matched += any(h.match for h in hits)
        for h in hits:
            out.append([q.row, h.entity.id or "", h.entity.caption, f"{h.scored.score:.4f}",
                        "true" if h.match else "false", ";".join(h.entity.topics), h.scored.explanation(), *q.own])
    return out, matched, (os.getpid(), time.process_time())


def _worker_context() -> Any:
    """Where workers come from: a fork server that has built rigour's name tagger once
    (``pepgraph.screen.warm``), so that each worker does not spend seconds building its own; a
    fresh interpreter per worker (``spawn``) where there is no fork server (Windows). Never a
    plain ``fork`` of the caller, which may hold DuckDB's threads."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["pepgraph.screen.warm"])
        return ctx
    return multiprocessing.get_context("spawn")


def _chunks(queries: Iterator[Query], size: int) -> Iterator[list[Query]]:
    chunk: list[Query] = []
    for q in queries:
        chunk.append(q)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- the run -------------------------------------------------------------------------------------

def _fingerprint(path: Path, options: dict[str, Any]) -> str:
    st = path.stat()
    data = json.dumps([str(path.resolve()), st.st_size, st.st_mtime_ns, options], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def progress_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".progress")


def _save_progress(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(state))
    os.replace(tmp, path)


def run_batch(
    index_file: str | Path, inp: str | Path, out: str | Path, columns: dict[str, str] | None = None,
    fmt: str | None = None, schema: str = "Person", limit: int = 5, threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR, topics: list[str] | None = None, datasets: list[str] | None = None,
    include_minors: bool = False, algorithm: str | None = None, workers: int | None = None,
    resume: bool = True, chunk: int = CHUNK, progress: Callable[[int, int | None], None] | None = None,
) -> BatchResult:
    """Screen every query of ``inp`` into the CSV ``out``; see the module's docstring."""
    started = time.perf_counter()
    inp, out, index_file = Path(inp), Path(out), Path(index_file)
    ScreenIndex(index_file).close()  # a missing or stale index fails here, not in a worker
    options = {"limit": limit, "threshold": threshold, "floor": floor, "topics": sorted(topics or []) or None,
               "datasets": sorted(datasets or []) or None, "include_minors": include_minors}
    fingerprint = _fingerprint(inp, {**options, "columns": columns, "fmt": fmt, "schema": schema,
                                     "algorithm": algorithm, "index": str(index_file)})
    header, queries = read_queries(inp, columns, fmt, schema)
    own = [f"query_{c}" if c in OUT_COLUMNS else c for c in header]
    result = BatchResult(str(inp), str(out), columns=[*OUT_COLUMNS, *own])
    state_file = progress_path(out)
    done = 0
    if resume and state_file.exists() and out.exists():
        state = orjson.loads(state_file.read_bytes())
        if state.get("fingerprint") == fingerprint and out.stat().st_size >= state["bytes"]:
            done = int(state["queries"])
            with open(out, "r+b") as fh:
                fh.truncate(state["bytes"])
            result.rows, result.matched = int(state["rows"]), int(state["matched"])
    result.resumed_from = done
    workers = max(1, workers or os.cpu_count() or 1)
    result.workers = workers
    with open(out, "ab" if done else "wb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        if not done:
            writer.writerow(result.columns)
        skipped = 0
        pending_iter = queries
        if done:
            for _ in range(done):
                if next(queries, None) is None:
                    break
                skipped += 1
        result.queries = done
        if progress:
            progress(done, None)

        def write(rows: list[list[str]], matched: int, n: int) -> None:
            writer.writerows(rows)
            text.flush()
            raw.flush()
            os.fsync(raw.fileno())
            result.rows += len(rows)
            result.matched += matched
            result.queries += n
            _save_progress(state_file, {"fingerprint": fingerprint, "queries": result.queries,
                                        "bytes": raw.tell(), "rows": result.rows, "matched": result.matched})
            if progress:
                progress(result.queries, None)

        cpu: dict[int, float] = {}  # worker pid -> its CPU time at its latest chunk
        if workers == 1:
            cpu0 = time.process_time()
            _init(str(index_file), algorithm, options, own_process=False)
            for part in _chunks(pending_iter, chunk):
                rows, matched, _ = _run_chunk(part)
                write(rows, matched, len(part))
            cpu[os.getpid()] = time.process_time() - cpu0
        else:
            ctx = _worker_context()
            with ctx.Pool(workers, initializer=_init, initargs=(str(index_file), algorithm, options)) as pool:
                window: deque[tuple[Any, int]] = deque()

                def collect() -> None:  # the oldest chunk in flight, written in input order
                    res, n = window.popleft()
                    rows, matched, (pid, used) = res.get()
                    cpu[pid] = used
                    write(rows, matched, n)

                for part in _chunks(pending_iter, chunk):
                    window.append((pool.apply_async(_run_chunk, (part,)), len(part)))
                    while len(window) >= 2 * workers:
                        collect()
                while window:
                    collect()
        text.detach()
    state_file.unlink(missing_ok=True)
    result.seconds = round(time.perf_counter() - started, 2)
    result.cpu_seconds = round(sum(cpu.values()), 2)
    return result
