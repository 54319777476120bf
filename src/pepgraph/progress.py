"""Progress bars for long jobs, drawn on stderr only when it is a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class IngestBar:
    """Implements ``pepgraph.ingest.Progress``: bytes of input done, files, entities so far."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.enabled = enabled and console.is_terminal
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[entities]:,} entities"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.enabled,
        )
        self.task: TaskID | None = None
        self.done_bytes = 0
        self.current = 0

    def __enter__(self) -> "IngestBar":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def start(self, files: int, total_bytes: int) -> None:
        self.task = self.progress.add_task("reading", total=total_bytes, entities=0)

    def file(self, path: Path, size: int) -> None:
        assert self.task is not None
        self.done_bytes += self.current
        self.current = size
        name = str(path)
        name = name if len(name) <= 48 else "…" + name[-47:]
        self.progress.update(self.task, completed=self.done_bytes, description=f"reading {name}")

    def entities(self, count: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, entities=count)

    def phase(self, text: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.done_bytes + self.current, description=text)
