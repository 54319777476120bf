"""A synthetic population of key persons and sources that describe it, with the truth.

``generate(persons, out, seed, sources)`` writes ``<source>.ftm.jsonl`` for each source and
``truth.csv`` (``entity_id,person_id``) into ``out``; see docs/generator.md. Deterministic for a
seed; streams one key person at a time, so memory does not grow with ``persons``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Sequence

import orjson

from pepgraph.errors import PepgraphError
from pepgraph.synth.population import Population
from pepgraph.synth.sources import PROFILES, SOURCES, Source

__all__ = ["generate", "SOURCES", "GenerateResult"]

#: lines held per source before writing, shuffled, so that a source's order says nothing of the
#: population's (duplicates and relatives are not next to each other)
SHUFFLE_BUFFER = 20_000


class _ShuffledWriter:
    """Writes lines in a shuffled order using a bounded buffer (deterministic for its seed)."""

    def __init__(self, fh: BinaryIO, rng: random.Random, size: int = SHUFFLE_BUFFER) -> None:
        self.fh = fh
        self.rng = rng
        self.size = size
        self.buf: list[bytes] = []

    def add(self, line: bytes) -> None:
        buf = self.buf
        buf.append(line)
        if len(buf) > self.size:
            i = int(self.rng.random() * len(buf))
            buf[i], buf[-1] = buf[-1], buf[i]
            self.fh.write(buf.pop())

    def close(self) -> None:
        self.rng.shuffle(self.buf)
        self.fh.writelines(self.buf)
        self.buf = []


class GenerateResult(dict):
    """Counts of what was written (a dict, so it prints and serialises as JSON)."""


def generate(
    persons: int,
    out: str | Path,
    seed: int = 0,
    sources: Sequence[str] | str = SOURCES,
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Write a population of ``persons`` key persons described by ``sources`` into ``out``.

    Returns counts: key persons, relatives and decoys described, records per source and schema,
    corruptions per source and kind, truth rows, seconds. ``progress`` (if given) is called with
    the number of key persons done, every 1,000.
    """
    if isinstance(sources, str):
        sources = [s.strip() for s in sources.split(",") if s.strip()]
    unknown = [s for s in sources if s not in PROFILES]
    if unknown or not sources:
        raise PepgraphError(f"unknown source(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SOURCES)}")
    if persons < 0:
        raise PepgraphError("--persons must be 0 or more")
    sources = [s for s in SOURCES if s in sources]  # fixed order, whatever order was asked
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    population = Population(seed)
    srcs = [Source(PROFILES[name], seed) for name in sources]
    files = [open(folder / f"{s.name}.ftm.jsonl", "wb", buffering=1 << 20) for s in srcs]
    truth_fh = open(folder / "truth.csv", "wb", buffering=1 << 20)
    writers = [_ShuffledWriter(fh, random.Random(f"pepgraph-synth:{seed}:{s.name}:order")) for fh, s in zip(files, srcs)]
    truth_fh.write(b"entity_id,person_id\n")
    dumps = orjson.dumps
    people: Counter[str] = Counter()
    truth_rows = 0
    described: set[str] = set()  # person ids described in this key person's group (bounded: one family)
    try:
        for i in range(persons):
            kp = population.next()
            described.clear()
            for src, writer in zip(srcs, writers):
                add = writer.add
                for entity, pid in src.describe(kp):
                    add(dumps(entity) + b"\n")
                    if pid is not None:
                        truth_fh.write(f"{entity['id']},{pid}\n".encode())
                        truth_rows += 1
                        described.add(pid)
            for pid in described:
                people["decoys" if "-x" in pid else "relatives" if "-" in pid else "key_persons"] += 1
            if progress is not None and (i + 1) % 1000 == 0:
                progress(i + 1)
        for writer in writers:
            writer.close()
    finally:
        for fh in files:
            fh.close()
        truth_fh.close()
    if progress is not None:
        progress(persons)
    result = GenerateResult(
        persons=persons,
        seed=seed,
        out=str(folder),
        described=dict(sorted(people.items())),
        sources={s.name: dict(sorted(s.records.items())) for s in srcs},
        corruptions={s.name: dict(sorted(s.corruptions.items())) for s in srcs},
        truth_rows=truth_rows,
        files=[f"{s.name}.ftm.jsonl" for s in srcs] + ["truth.csv"],
        seconds=round(time.perf_counter() - started, 2),
    )
    return result


def read_truth(path: str | Path) -> dict[str, str]:
    """``truth.csv`` as {entity_id: person_id} (for tests and benchmarks; holds it all in memory)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            eid, pid = line.rstrip("\n").split(",", 1)
            out[eid] = pid
    return out


def iter_entities(path: str | Path) -> Iterable[dict[str, Any]]:
    with open(path, "rb") as fh:
        for line in fh:
            yield orjson.loads(line)
