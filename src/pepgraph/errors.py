"""One exception tree for pepgraph, translated at the edges (CLI exit codes, API envelopes).

Every error a user can cause names *where* the problem is: the file and line, or the record id,
or the field, so that a 2-million-line ingest that fails can be fixed without a debugger.
"""

from __future__ import annotations

from pathlib import Path


class PepgraphError(Exception):
    """Base class of every error pepgraph raises on purpose."""

    exit_code = 1


class ConfigError(PepgraphError):
    """A setting, option or mapping file is wrong."""

    exit_code = 2


class StoreError(PepgraphError):
    """The store cannot be opened, is from a newer pepgraph, or a query failed."""


class NotFound(PepgraphError):
    """An entity, dataset or other named thing does not exist."""


class SourceError(PepgraphError):
    """A source file (or one record in it) cannot be read.

    ``path`` and ``line`` (1-based, when the format has lines) or ``record`` (the record's own id)
    say where; ``str(err)`` reads like a compiler message: ``file.csv:12: unknown column 'foo'``.
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(str(self.line))
        where = ":".join(parts)
        if self.record:
            where = f"{where} (record {self.record})" if where else f"record {self.record}"
        return where

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "record": self.record, "message": self.message}
