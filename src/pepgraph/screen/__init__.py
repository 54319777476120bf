"""Screening: names (and birth dates, countries, gender, identifiers) against every PEP, relative,
close associate and sanctioned entity in the store, with explained scores.

    >>> from pepgraph import Graph, compare
    >>> with Graph("pepgraph.duckdb", read_only=True) as graph:
    ...     graph.screen("Ivan Sidorenko", birth_date="1961")["results"][0]["score"]
    >>> compare({"schema": "Person", "properties": {"name": ["Ivan Sidorenko"]}},
    ...         {"schema": "Person", "properties": {"name": ["Иван Сидоренко"]}})["score"]

- ``index``: building (``build``) and memory-mapping (``ScreenIndex``) the index file;
- ``engine``: candidates by keys, filters, pre-score and scoring of one query (``Screener``);
- ``score``: the registry of scoring algorithms and their features (``ALGORITHMS``);
- ``subject``: queries and candidates as the evidence they carry (``Subject``);
- ``batch``: files of queries (CSV, XLSX, FtM JSON lines) in, CSV out, on every core, resumable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pepgraph.screen.engine import Hit, Screener, response
from pepgraph.screen.index import IndexInfo, ScreenIndex, build, index_path
from pepgraph.screen.score import ALGORITHMS, DEFAULT_ALGORITHM, DEFAULT_THRESHOLD, get_algorithm
from pepgraph.screen.subject import Subject, query_subject, subject_from_entity


def compare(
    query: Mapping[str, Any] | Subject, candidate: Mapping[str, Any] | Subject,
    threshold: float = DEFAULT_THRESHOLD, algorithm: str | None = None,
) -> dict[str, Any]:
    """Score two FtM entities (dicts with ``schema`` and ``properties``) without a store:
    ``{"score", "match", "features", "explanations", "explanation"}``."""
    q = query if isinstance(query, Subject) else subject_from_entity(query)
    c = candidate if isinstance(candidate, Subject) else subject_from_entity(candidate)
    scored = get_algorithm(algorithm).score(q, c)
    return {
        "score": scored.score, "match": scored.score >= threshold,
        "features": {k: round(f.score, 4) for k, f in scored.features.items()},
        "explanations": scored.explanations(), "explanation": scored.explanation(),
    }


__all__ = [
    "ALGORITHMS", "DEFAULT_ALGORITHM", "DEFAULT_THRESHOLD", "Hit", "IndexInfo", "ScreenIndex", "Screener",
    "Subject", "build", "compare", "index_path", "query_subject", "response", "subject_from_entity",
]
