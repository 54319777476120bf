"""Shared test helpers: where the real data lives, and a way to run one source reader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from followthemoney.statement import StatementEntity

from pepgraph.sources import get_reader
from pepgraph.sources.base import SourceContext

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(os.environ.get("PEPGRAPH_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared(*parts: str) -> Path:
    """A path under ../shared/data; skips the test with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent on a user's clone)")
    return path


def read_source(
    fmt: str, path: Path, dataset: str = "test", skip_invalid: bool = False, **options: Any
) -> tuple[list[StatementEntity], SourceContext]:
    """Run one reader over one file, as the ingest would, and return its entities and context."""
    ctx = SourceContext(
        dataset=dataset, path=Path(path), origin=Path(path).name, skip_invalid=skip_invalid, options=options
    )
    entities = list(get_reader(fmt).read(ctx))
    return entities, ctx


def by_schema(entities: list[StatementEntity], schema: str) -> list[StatementEntity]:
    return [e for e in entities if e.schema.name == schema]
