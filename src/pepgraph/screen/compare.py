"""``pepgraph compare``: score pairs of FtM entities without a store.

Each input line is ``{"query": <FtM entity>, "candidate": <FtM entity>}``; the output CSV has one
row per line: ``pair`` (the 1-based line number), ``score``, ``match``, ``explanation``. For
tuning thresholds and running labelled name benchmarks, as nomenklatura's name bench does.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from pepgraph.errors import ConfigError, PepgraphError, SourceError
from pepgraph.screen.score import DEFAULT_THRESHOLD, get_algorithm
from pepgraph.screen.subject import Subject, subject_from_entity

COLUMNS = ("pair", "score", "match", "explanation")


def read_pairs(path: str | Path) -> Iterator[tuple[int, Subject, Subject]]:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    with open(path, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data: Any = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise SourceError(f"not JSON ({exc.msg})", path=path, line=line_no) from None
            if not isinstance(data, dict):
                raise SourceError('expected {"query": {...}, "candidate": {...}}', path=path, line=line_no)
            sides = []
            for side in ("query", "candidate"):
                entity = data.get(side)
                if not isinstance(entity, dict):
                    raise SourceError(f"field {side!r}: expected an FtM entity object", path=path, line=line_no)
                try:
                    sides.append(subject_from_entity(entity))
                except PepgraphError as exc:
                    raise SourceError(f"field {side!r}: {exc}", path=path, line=line_no) from None
            yield line_no, sides[0], sides[1]


def compare_file(path: str | Path, out: IO[str], threshold: float = DEFAULT_THRESHOLD,
                 algorithm: str | None = None) -> tuple[int, int]:  # fmt: skip
    """Score every pair of ``path`` into ``out`` (CSV); returns (pairs, matches)."""
    algo = get_algorithm(algorithm)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = matched = 0
    for line_no, query, candidate in read_pairs(path):
        scored = algo.score(query, candidate)
        is_match = scored.score >= threshold
        writer.writerow([line_no, f"{scored.score:.4f}", "true" if is_match else "false", scored.explanation()])
        count += 1
        matched += is_match
    return count, matched
