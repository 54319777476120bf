"""Source readers, one module per published format; see ``base`` for the contract."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from pepgraph.errors import ConfigError
from pepgraph.sources.base import read_text_head

#: Format name -> module, in the order ``--format auto`` tries them.
FORMATS: dict[str, str] = {
    "ftm": "pepgraph.sources.ftm",
    "wikidata": "pepgraph.sources.wikidata",
    "popolo": "pepgraph.sources.popolo",
    "congress": "pepgraph.sources.congress",
    "un-sc": "pepgraph.sources.un_sc",
    "ofac-sdn": "pepgraph.sources.ofac",
    "csv": "pepgraph.sources.csv_mapping",
}


def get_reader(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose one of: auto, {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[fmt])


def detect_format(path: Path) -> str | None:
    """The first format whose ``sniff`` claims the file, or None (the generic CSV reader never
    claims a file: it needs ``--mapping``)."""
    head = read_text_head(path)
    for fmt in FORMATS:
        if fmt == "csv":
            continue
        if get_reader(fmt).sniff(path, head):
            return fmt
    return None
