"""Writing the store out: FtM entity JSON lines, a flat CSV of entities, or FtM statement CSV.

``ftm`` lines carry ``properties`` (what every FtM tool reads) and ``statements`` (each value's
dataset, language, original form, origin and first/last seen), so nothing is lost on a round trip:
``pepgraph ingest`` of an export under the same dataset name gives the same statements.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson
from followthemoney.statement import BASE_ID
from followthemoney.statement.serialize import CSV, get_statement_writer

from pepgraph.entities import iter_entities
from pepgraph.errors import ConfigError
from pepgraph.store import Store

FORMATS = ("ftm", "csv", "statements", "clusters", "graphml", "gexf")


@contextmanager
def _open_out(out: str | Path) -> Iterator[IO[bytes]]:
    if str(out) == "-":
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    with open(out, "wb") as fh:
        yield fh


def export(
    store: Store, fmt: str, out: str | Path, datasets: list[str] | None = None, history: bool = False,
    include_minors: bool = False,
) -> int:
    """Write every entity (or statement) to ``out`` (``-`` for stdout); returns how many.

    Minors, and the links that name them, are left out unless ``include_minors`` (see
    ``pepgraph.privacy``); ``clusters`` lists ids only and keeps every record, as resolution's
    output must."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt in ("graphml", "gexf"):
        from pepgraph.graph import whole_graph, write_graph_file

        nodes, edges = whole_graph(store, include_minors=include_minors)
        return write_graph_file(nodes, edges, fmt, out)
    hidden = _Hidden(store, include_minors)
    with _open_out(out) as fh:
        if fmt == "ftm":
            return _ftm(store, fh, datasets, history, hidden)
        if fmt == "csv":
            return _csv(store, fh, datasets, hidden)
        if fmt == "clusters":
            return _clusters(store, fh, datasets)
        return _statements(store, fh, datasets, history, hidden)


class _Hidden:
    """Minors and the entities (family links, occupancies) that point at them."""

    def __init__(self, store: Store, include_minors: bool) -> None:
        from pepgraph.graph import minors

        self.canonical = set() if include_minors else minors(store)
        self.records: set[str] = set()
        if self.canonical:
            self.records = {r[0] for r in store.con.execute(
                "SELECT DISTINCT entity_id FROM statements WHERE list_contains(?, canonical_id)",
                [sorted(self.canonical)],
            ).fetchall()}

    def __call__(self, entity: Any, stmts: list[Any]) -> bool:
        if not self.canonical:
            return False
        if entity.id in self.canonical:
            return True
        return any(s.prop_type == "entity" and s.value in self.records for s in stmts)


def _ftm(store: Store, fh: IO[bytes], datasets: list[str] | None, history: bool, hidden: _Hidden) -> int:
    count = 0
    for entity, stmts in iter_entities(store, datasets, history=history):
        if hidden(entity, stmts):
            continue
        data = entity.to_dict()
        data.pop("origin", None)
        data["statements"] = [
            {
                "prop": s.prop, "value": s.value, "lang": s.lang, "original_value": s.original_value,
                "dataset": s.dataset, "entity_id": s.entity_id, "origin": s.origin,
                "first_seen": s.first_seen, "last_seen": s.last_seen,
            }
            for s in stmts
            if s.prop != BASE_ID
        ]
        fh.write(orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE))
        count += 1
    return count


def _csv(store: Store, fh: IO[bytes], datasets: list[str] | None, hidden: _Hidden) -> int:
    props = [r[0] for r in store.con.execute(
        "SELECT DISTINCT prop FROM statements WHERE current AND prop <> 'id' ORDER BY prop"
    ).fetchall()]
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(["id", "schema", "caption", "datasets", "first_seen", "last_seen", *props])
    count = 0
    for entity, stmts in iter_entities(store, datasets):
        if hidden(entity, stmts):
            continue
        ctx = entity.to_context_dict()
        row: list[Any] = [
            entity.id, entity.schema.name, entity.caption, ";".join(sorted(ctx["datasets"])),
            ctx.get("first_seen"), ctx.get("last_seen"),
        ]
        row.extend("; ".join(entity.get(p, quiet=True)) for p in props)
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()
    return count


def _clusters(store: Store, fh: IO[bytes], datasets: list[str] | None) -> int:
    """``entity_id,canonical_id`` for every source entity id (singletons included)."""
    where, params = "", []
    if datasets:
        where = f"AND dataset IN ({', '.join('?' for _ in datasets)})"
        params = list(datasets)
    rows = store.con.execute(
        f"SELECT DISTINCT entity_id, canonical_id FROM statements WHERE prop = 'id' {where} "
        "ORDER BY entity_id", params,
    ).fetchall()
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(["entity_id", "canonical_id"])
    writer.writerows(rows)
    text.flush()
    text.detach()
    return len(rows)


def _statements(store: Store, fh: IO[bytes], datasets: list[str] | None, history: bool, hidden: _Hidden) -> int:
    writer = get_statement_writer(fh, CSV)
    count = 0
    for entity, stmts in iter_entities(store, datasets, history=history):
        if hidden(entity, stmts):
            continue
        for stmt in stmts:
            writer.write(stmt)
            count += 1
    writer.close()
    writer.fh.detach()  # type: ignore[attr-defined]  # leave the caller's file (or stdout) open
    return count
