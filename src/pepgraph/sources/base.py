"""What every source reader gets: a context that makes entities, checks values and reports errors.

A reader is a module in ``pepgraph.sources`` with:

- ``FORMAT``: its name on the command line (``--format popolo``);
- ``sniff(path, head) -> bool``: does this file look like mine? (``head`` is the first 64 KiB, decoded
  leniently); used by ``--format auto``;
- ``ignore(path) -> bool`` (optional): in a folder walked with this format, files it deliberately
  does not read (congress-legislators' committee files, say);
- ``companions(path) -> list[Path]`` and ``companion_of(path) -> Path | None`` (optional): the files
  read through ``path`` (OFAC's ``alt.csv`` and ``add.csv`` through ``sdn.csv``), so that a change in
  one makes a new dataset version and a folder walk does not read them on their own;
- ``read(ctx) -> Iterator[StatementEntity]``: the entities in ``ctx.path``.

Readers build entities through ``ctx.make`` and fill them through ``ctx.add`` so that values go through
followthemoney's type system, keep their original form and language, carry the file as ``origin``, and
are checked for size and for properties the schema lacks. Each record is read inside
``with ctx.record(line=..., record=...) as rec`` and its entities handed to ``rec.emit``: a bad record
either stops the ingest with an error naming the file and line, or (``--skip-invalid``) is dropped
whole and reported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.dataset import Dataset
from followthemoney.exc import InvalidData
from followthemoney.statement import StatementEntity

from pepgraph.errors import SourceError

#: Largest value, in characters, accepted into the store. A 10 MB "name" is an attack or a broken
#: export, never a fact; followthemoney's own longest type (text) stops at 65,000.
DEFAULT_MAX_FIELD = 65_536


@dataclass
class RecordScope:
    """Collects the entities of one source record so that a bad record is dropped whole."""

    ctx: "SourceContext"
    line: int | None
    record: str | None
    entities: list[StatementEntity] = field(default_factory=list)

    def emit(self, *entities: StatementEntity | None) -> None:
        self.entities.extend(e for e in entities if e is not None)

    def __enter__(self) -> "RecordScope":
        self.ctx.line = self.line
        self.ctx.record_id = self.record
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        record_id = self.ctx.record_id or self.record  # a reader may learn the id mid-record
        self.ctx.record_id = None
        self.ctx.line = None
        if exc is None:
            return False
        if isinstance(exc, InvalidData):
            exc = SourceError(str(exc), path=self.ctx.path, line=self.line, record=record_id)
        elif isinstance(exc, SourceError):
            exc.path = exc.path or str(self.ctx.path)
            exc.line = exc.line if exc.line is not None else self.line
            exc.record = exc.record or record_id
        elif isinstance(exc, Exception):
            # A reader bug or a shape of data nobody foresaw: say where, and never skip it
            # silently under --skip-invalid (it may hit every record).
            raise SourceError(
                f"cannot read this record ({type(exc).__name__}: {exc})",
                path=self.ctx.path, line=self.line, record=record_id,
            ) from exc
        else:
            return False
        self.entities = []
        if self.ctx.skip_invalid:
            self.ctx.rejected.append(exc)
            return True
        raise exc


@dataclass
class SourceContext:
    """Everything a reader needs to turn one file into entities for one dataset."""

    dataset: str
    path: Path
    origin: str
    skip_invalid: bool = False
    max_field: int = DEFAULT_MAX_FIELD
    options: dict[str, Any] = field(default_factory=dict)
    rejected: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    line: int | None = None
    record_id: str | None = None
    #: the date the data describes (``--as-of``), so that "current" and "ended" terms are judged
    #: as of the snapshot, not as of the machine's clock
    as_of: datetime | None = None
    #: for a reader that can ``split`` its files: read only the lines from byte ``start`` to
    #: ``end``, the first of them being line number ``first_line`` (so errors name the real line)
    span: tuple[int, int, int] | None = None

    @property
    def today(self) -> str:
        return (self.as_of or datetime.now(UTC)).date().isoformat()

    def __post_init__(self) -> None:
        self._dataset = Dataset.make({"name": self.dataset, "title": self.dataset})

    # -- errors -----------------------------------------------------------------------------
    def error(self, message: str, line: int | None = None, record: str | None = None) -> SourceError:
        """An error located at ``line``/``record``, or at the record being read."""
        return SourceError(
            message,
            path=self.path,
            line=line if line is not None else self.line,
            record=record or self.record_id,
        )

    def warn(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        """Something the user should know that is not an error (a fallback encoding, rows of a
        companion file that match no record); shown after the ingest and kept in the run log."""
        where = str(path or self.path) + (f":{line}" if line is not None else "")
        self.warnings.append(f"{where}: {message}")

    def record(self, line: int | None = None, record: str | None = None) -> RecordScope:
        return RecordScope(self, line, record)

    # -- entities ---------------------------------------------------------------------------
    def make_id(self, *parts: Any, prefix: str | None = None) -> str:
        """A deterministic id from ``parts`` (same parts, same id, in every run)."""
        key = "\x1f".join("" if p is None else str(p) for p in parts)
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]
        return f"{prefix or self.dataset}-{digest}"

    def make(self, schema: str, id: str) -> StatementEntity:
        found = model.get(schema)
        if found is None:
            raise self.error(f"unknown schema {schema!r}")
        if found.abstract:
            raise self.error(f"schema {schema} is abstract; use one of its concrete descendants")
        if not id:
            raise self.error(f"{schema} without an id")
        if len(id) > 1024:
            raise self.error(f"entity id of {len(id)} characters (limit 1024)")
        return StatementEntity(self._dataset, {"schema": schema, "id": id})

    def add(
        self,
        entity: StatementEntity,
        prop: str,
        value: Any,
        lang: str | None = None,
        original_value: str | None = None,
        fuzzy: bool = False,
        format: str | None = None,
        quiet: bool = False,
        origin: str | None = None,
    ) -> None:
        """Add one value (or a list) after cleaning it with the property's type.

        An unknown property is an error unless ``quiet``; a value that cleans to nothing (an
        unparseable date, say) is dropped, as followthemoney does; an oversized value is an error.
        ``origin`` overrides the file as the value's origin (for re-ingested exports).
        """
        if value is None:
            return
        if prop not in entity.schema.properties:
            if quiet:
                return
            raise self.error(f"schema {entity.schema.name} has no property {prop!r}")
        values = value if isinstance(value, (list, tuple, set)) else [value]
        for item in values:
            if item is None:
                continue
            text = item if isinstance(item, str) else str(item)
            if len(text) > self.max_field:
                raise self.error(
                    f"value of {entity.schema.name}.{prop} is {len(text):,} characters "
                    f"(limit {self.max_field:,})"
                )
            text = text.strip()
            if not text:
                continue
            entity.add(
                prop,
                text,
                lang=lang,
                original_value=original_value,
                fuzzy=fuzzy,
                format=format,
                origin=origin or self.origin,
            )


def line_spans(path: Path, size: int) -> list[tuple[int, int, int]]:
    """``path`` cut into spans of about ``size`` bytes that end at line ends, as (start byte,
    end byte, number of the span's first line): what lets several processes read one file of
    JSON lines. One pass over the file counts the lines."""
    total = path.stat().st_size
    spans: list[tuple[int, int, int]] = []
    start, line = 0, 1
    with open(path, "rb") as fh:
        while start < total:
            end = start + size
            if end < total:
                fh.seek(end - 1)
                fh.readline()  # to the end of the line that crosses the cut
                end = fh.tell()
            else:
                end = total
            spans.append((start, end, line))
            fh.seek(start)
            left = end - start
            while left:
                block = fh.read(min(left, 1 << 22))
                line += block.count(b"\n")
                left -= len(block)
            start = end
    return spans


def read_text_head(path: Path, size: int = 65_536) -> str:
    """The first bytes of a file as text, for sniffing (never fails on encoding)."""
    with open(path, "rb") as fh:
        return fh.read(size).decode("utf-8", errors="replace")


