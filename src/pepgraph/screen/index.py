"""The screening index: name keys -> canonical entities, plus what the scorer needs of each.

Built from the store's current statements, grouped by ``canonical_id`` (so after resolution one
entity per person, whatever the number of sources), of every schema that can be screened
(persons, organisations, companies, legal entities, vessels, aircraft). Topics are the ``topics``
statements of any dataset: sanctions from the lists, ``role.pep`` / ``role.rca`` from the PEP
classification (dataset ``derived_pep``).

One file, ``<store>.screen`` (``pepgraph.duckdb.screen``), written to a temporary name beside it
and renamed over the old one: a reader has the old index or the new one, never half of one, and
an open reader keeps its (unlinked) file until it closes. Layout, little-endian::

    b"PGSCREEN" | u64 header length | header (JSON: counts, vocabularies, section offsets)
    keys      u64[K]    sorted blake2b-64 hashes of the name keys (``pepgraph.names.name_keys``)
    key_off   u64[K+1]  where each key's postings start in ``postings``
    postings  u32[P]    entity numbers, ascending within a key
    ent_off   u64[N+1]  where each entity's record starts in ``records``
    schema    u8[N]     schema number (header ``schemata``)
    flags     u8[N]     bit 0: a minor when the index was built
    topics    u64[N]    bit mask over header ``topics`` (the first 64)
    datasets  u64[N]    bit mask over header ``datasets`` (the first 64)
    byear_lo  u16[N]    earliest birth year (0: none)
    byear_hi  u16[N]    latest birth year (0: none)
    records   bytes     one JSON array per entity: id, schema, caption, packed names, weak name
                        positions, birth dates, countries, genders, identifiers, topics, datasets,
                        [position, what, script read] of the names that are readings of another

Opening maps the file and reads the header only (milliseconds for any size); an entity's record
is decoded when it is first a candidate, and kept in a bounded cache.
"""

from __future__ import annotations

import hashlib
import math
import mmap
import os
import sys
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from followthemoney import model
from followthemoney.types import registry

from pepgraph.errors import NotFound, StoreError
from pepgraph.names import name_keys
from pepgraph.privacy import is_minor
from pepgraph.screen.nameforms import pack, unpack
from pepgraph.screen.subject import (
    NAME_PROPS,
    NOT_IDENTIFIERS,
    PART_PROPS,
    SCREENED_ROOTS,
    Reading,
    Subject,
    clean_country,
    clean_date,
    clean_gender,
    common_schema,
    compact_identifier,
    full_names,
    name_forms,
)
from pepgraph.store import Store

MAGIC = b"PGSCREEN"
#: raised whenever the keys a name gives change (``pepgraph.names.name_keys``): an index built
#: with other keys would miss queries silently, so it asks to be rebuilt. 2: x is "ks" in
#: consonant skeletons; 3: readings of Chinese, Japanese and Korean names (``names.readings``)
#: as names; 4: Korean syllables of Korean names (``names.readings.ScreenReading``), Hunterian
#: readings of Devanagari, and two neighbouring tokens as one word (``t:`` keys).
FORMAT_VERSION = 4
SUFFIX = ".screen"
MINOR_FLAG = 1


def index_path(db: str | Path) -> Path:
    """Where the index of a store lives: beside it, ``<store>.screen``."""
    db = Path(db)
    return db.with_name(db.name + SUFFIX)


def key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def _screened_schemata() -> list[str]:
    return sorted(s.name for s in model.schemata.values() if any(s.is_a(r) for r in SCREENED_ROOTS))


def _identifier_props() -> list[str]:
    props = {p.name for s in model.schemata.values() for p in s.properties.values()
             if p.type == registry.identifier and p.name not in NOT_IDENTIFIERS}
    return sorted(props)


def _country_props() -> list[str]:
    return sorted({p.name for s in model.schemata.values() for p in s.properties.values() if p.type == registry.country})


@dataclass
class IndexInfo:
    path: str
    entities: int
    keys: int
    postings: int
    minors: int
    bytes: int
    seconds: float
    built_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# -- building --------------------------------------------------------------------------------------

def _stream(store: Store, batch: int = 50_000) -> Iterator[tuple[str, list[tuple[str, str, str, str]]]]:
    """(canonical_id, [(schema, prop, value, dataset), ...]) for every screenable entity."""
    schemata = _screened_schemata()
    props = sorted(set(NAME_PROPS) | set(PART_PROPS) | {"birthDate", "gender", "topics", "id"}
                   | set(_identifier_props()) | set(_country_props()))
    marks_s = ", ".join("?" for _ in schemata)
    marks_p = ", ".join("?" for _ in props)
    # DuckDB's own progress bar would draw over ours (and into logs): off for this query
    bar = store.con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
    store.con.execute("SET enable_progress_bar = false")
    cur = store.con.execute(
        f"""
        SELECT canonical_id, schema, prop, value, dataset FROM statements
        WHERE current AND prop IN ({marks_p}) AND canonical_id IN (
            SELECT DISTINCT canonical_id FROM statements
            WHERE current AND prop = 'id' AND schema IN ({marks_s}))
        ORDER BY canonical_id, prop, value
        """,
        [*props, *schemata],
    )
    group: list[tuple[str, str, str, str]] = []
    current: str | None = None
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            break
        for cid, schema, prop, value, dataset in rows:
            if cid != current and group:
                yield current, group  # type: ignore[misc]
                group = []
            current = cid
            group.append((schema, prop, value, dataset))
    # only now: another statement on the connection would end the result being read
    if bar and str(bar[0]).lower() in ("true", "1"):
        store.con.execute("SET enable_progress_bar = true")
    if group and current is not None:
        yield current, group


def _record(cid: str, rows: list[tuple[str, str, str, str]], ids: set[str], countries: set[str]) -> tuple[list[Any], list[Any]] | None:
    """The index record of one entity and its analysed names; None when it has no name."""
    schema_names = tuple(dict.fromkeys(r[0] for r in rows))
    schema = common_schema(schema_names)
    props: dict[str, list[str]] = {}
    datasets: set[str] = set()
    for _, prop, value, dataset in rows:
        props.setdefault(prop, []).append(value)
        datasets.add(dataset)
    names: list[tuple[str, bool]] = []
    for prop in NAME_PROPS:
        names.extend((v, prop == "weakAlias") for v in props.get(prop, []))
    if not names:  # name parts only when no whole name is given
        names.extend((v, False) for v in full_names(props))
    found_countries = sorted({c for p in countries if p in props for v in props[p] if (c := clean_country(v))})
    forms, weak, readings = name_forms(names, schema, found_countries)
    if not forms:
        return None
    births = sorted({d for v in props.get("birthDate", []) if (d := clean_date(v))})
    genders = sorted({g for v in props.get("gender", []) if (g := clean_gender(v))})
    identifiers = sorted({c for p in ids if p in props for v in props[p] if len(c := compact_identifier(v)) >= 4})
    topics = sorted(set(props.get("topics", [])))
    caption = next((v for prop in ("name", "alias") for v in props.get(prop, [])), forms[0].original)
    record = [cid, schema, caption, [pack(f) for f in forms], sorted(weak), births, found_countries,
              genders, identifiers, topics, sorted(datasets), [[i, *r] for i, r in sorted(readings.items())]]
    return record, forms


_KEY_HASHES: dict[str, int] = {}  # key hashes memoised (keys repeat a lot)
_PROPS: tuple[set[str], set[str]] | None = None


def _analyse(chunk: list[tuple[str, list[tuple[str, str, str, str]]]]) -> list[tuple[list[Any], list[int]]]:
    """Records and key hashes of a chunk of entities (in a worker process, or in this one)."""
    global _PROPS
    if _PROPS is None:
        _PROPS = (set(_identifier_props()), set(_country_props()))
    ids, countries = _PROPS
    out = []
    for cid, rows in chunk:
        built = _record(cid, rows, ids, countries)
        if built is None:
            continue
        record, forms = built
        keys: set[str] = set()
        for form in forms:
            keys |= name_keys(form)
        hashes = []
        for key in keys:
            h = _KEY_HASHES.get(key)
            if h is None:
                if len(_KEY_HASHES) > 2_000_000:
                    _KEY_HASHES.clear()
                h = _KEY_HASHES[key] = key_hash(key)
            hashes.append(h)
        out.append((record, hashes))
    return out


#: Below this many entities the index is built in one process (workers cost a start-up each).
PARALLEL_FROM = 100_000
BUILD_CHUNK = 500


def _analysed(store: Store, workers: int) -> Iterator[tuple[list[Any], list[int]]]:
    chunks = _chunked(_stream(store), BUILD_CHUNK)
    if workers <= 1:
        for chunk in chunks:
            yield from _analyse(chunk)
        return
    import multiprocessing
    from collections import deque

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        window: deque[Any] = deque()
        for chunk in chunks:
            window.append(pool.apply_async(_analyse, (chunk,)))
            while len(window) >= 3 * workers:
                yield from window.popleft().get()
        while window:
            yield from window.popleft().get()


def _chunked(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _count(store: Store) -> int:
    schemata = _screened_schemata()
    marks = ", ".join("?" for _ in schemata)
    row = store.con.execute(
        f"SELECT count(DISTINCT canonical_id) FROM statements WHERE current AND prop = 'id' AND schema IN ({marks})",
        schemata,
    ).fetchone()
    return int(row[0]) if row else 0


def build(store: Store, out: str | Path, progress: Callable[[int], None] | None = None,
          workers: int | None = None) -> IndexInfo:  # fmt: skip
    """Build the index of ``store`` into ``out`` (atomically replaced). Name analysis runs in
    ``workers`` processes (default: one per core) when the store has ``PARALLEL_FROM`` entities
    or more."""
    started = time.perf_counter()
    out = Path(out)
    if workers is None:
        workers = (os.cpu_count() or 1) if _count(store) >= PARALLEL_FROM else 1
    schemata: list[str] = []
    topics: dict[str, int] = {}
    datasets: dict[str, int] = {}
    pair_keys = array("Q")
    pair_ents = array("I")
    ent_off = array("Q", [0])
    ent_schema = array("B")
    ent_flags = array("B")
    ent_topics = array("Q")
    ent_datasets = array("Q")
    byear_lo = array("H")
    byear_hi = array("H")
    minors = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_records = tempfile.mkstemp(prefix=out.name + ".", suffix=".records", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as records:
            n = 0
            for record, hashes in _analysed(store, workers):
                blob = orjson.dumps(record)
                records.write(blob)
                ent_off.append(ent_off[-1] + len(blob))
                schema = record[1]
                if schema not in schemata:
                    schemata.append(schema)
                ent_schema.append(schemata.index(schema))
                minor = record[1] == "Person" and bool(record[5]) and is_minor(record[5])
                minors += minor
                ent_flags.append(MINOR_FLAG if minor else 0)
                ent_topics.append(_mask(record[9], topics))
                ent_datasets.append(_mask(record[10], datasets))
                years = [int(d[:4]) for d in record[5] if 0 < int(d[:4]) < 65536]
                byear_lo.append(min(years) if years else 0)
                byear_hi.append(max(years) if years else 0)
                pair_keys.extend(hashes)
                pair_ents.extend([n] * len(hashes))
                n += 1
                if progress and n % 1000 == 0:
                    progress(n)
        columns = {"schema": ent_schema, "flags": ent_flags, "topics": ent_topics, "datasets": ent_datasets,
                   "byear_lo": byear_lo, "byear_hi": byear_hi}
        info = _write(out, tmp_records, n, pair_keys, pair_ents, ent_off, columns, schemata, topics,
                      datasets, minors, started)
    finally:
        if os.path.exists(tmp_records):
            os.unlink(tmp_records)
    return info


def _mask(values: list[str], vocab: dict[str, int]) -> int:
    mask = 0
    for v in values:
        bit = vocab.setdefault(v, len(vocab))
        if bit < 64:
            mask |= 1 << bit
    return mask


def _write(out: Path, tmp_records: str, n: int, pair_keys: array, pair_ents: array, ent_off: array,
           columns: dict[str, array], schemata: list[str], topics: dict[str, int],
           datasets: dict[str, int], minors: int, started: float) -> IndexInfo:  # fmt: skip
    import numpy as np

    hashes = np.frombuffer(pair_keys, dtype="<u8")
    ents = np.frombuffer(pair_ents, dtype="<u4")
    order = np.lexsort((ents, hashes))
    hashes, ents = hashes[order], ents[order]
    if len(hashes):
        starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
    else:
        starts = np.zeros(0, dtype=np.int64)
    keys = hashes[starts]
    key_off = np.concatenate((starts, [len(hashes)])).astype("<u8")
    sections: list[tuple[str, bytes | str]] = [
        ("keys", keys.astype("<u8").tobytes()),
        ("key_off", key_off.tobytes()),
        ("postings", ents.astype("<u4").tobytes()),
        ("ent_off", np.frombuffer(ent_off, dtype="<u8").tobytes()),
        *((name, _le(col)) for name, col in columns.items()),
        ("records", tmp_records),
    ]
    built_at = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    header: dict[str, Any] = {
        "format": FORMAT_VERSION, "built_at": built_at, "entities": n, "keys": int(len(keys)),
        "postings": int(len(ents)), "minors": minors, "schemata": schemata,
        "topics": sorted(topics, key=topics.__getitem__), "datasets": sorted(datasets, key=datasets.__getitem__),
    }
    # section offsets depend on the header's length; lay out with a fixed-width placeholder
    sizes = [(name, os.path.getsize(data) if isinstance(data, str) else len(data)) for name, data in sections]
    header["sections"] = {name: [0, size] for name, size in sizes}
    head_len = len(orjson.dumps(header)) + 64 * len(sections)  # room for the offsets' digits
    pos = _align(len(MAGIC) + 8 + head_len)
    for name, size in sizes:
        header["sections"][name] = [pos, size]
        pos = _align(pos + size)
    head = orjson.dumps(header).ljust(head_len)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(8, "little") + head)
            for name, data in sections:
                fh.write(b"\0" * (header["sections"][name][0] - fh.tell()))
                if isinstance(data, str):
                    with open(data, "rb") as src:
                        while chunk := src.read(1 << 20):
                            fh.write(chunk)
                else:
                    fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return IndexInfo(str(out), n, int(len(keys)), int(len(ents)), minors, out.stat().st_size,
                     round(time.perf_counter() - started, 2), built_at)


def _le(col: array) -> bytes:
    """An array's bytes, little-endian whatever the machine."""
    if sys.byteorder != "little" and col.itemsize > 1:
        col = array(col.typecode, col)
        col.byteswap()
    return col.tobytes()


def _align(pos: int) -> int:
    return (pos + 7) & ~7


# -- reading ---------------------------------------------------------------------------------------

class ScreenIndex:
    """A built index, memory-mapped. Thread-safe for reading except the record cache, which is a
    plain dict (one index per process or thread is the intended use)."""

    CACHE_MAX = 200_000

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            raise NotFound(f"{self.path}: no screening index; build it with `pepgraph index`") from None
        with fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        mm = self._mm
        if mm[: len(MAGIC)] != MAGIC:
            raise StoreError(f"{self.path}: not a pepgraph screening index; rebuild it with `pepgraph index`")
        head_len = int.from_bytes(mm[8:16], "little")
        self.header: dict[str, Any] = orjson.loads(bytes(mm[16 : 16 + head_len]))
        if self.header.get("format") != FORMAT_VERSION:
            raise StoreError(
                f"{self.path}: index format {self.header.get('format')} (this pepgraph reads {FORMAT_VERSION}); "
                "rebuild it with `pepgraph index`"
            )
        view = memoryview(mm)
        sec = self.header["sections"]

        def part(name: str, fmt: str | None) -> memoryview:
            start, size = sec[name]
            mv = view[start : start + size]
            return mv.cast(fmt) if fmt else mv

        self.keys = part("keys", "Q")
        self.key_off = part("key_off", "Q")
        self.postings = part("postings", "I")
        self.ent_off = part("ent_off", "Q")
        self.schema_codes = part("schema", "B")
        self.flags = part("flags", "B")
        self.topic_masks = part("topics", "Q")
        self.dataset_masks = part("datasets", "Q")
        self.byear_lo = part("byear_lo", "H")
        self.byear_hi = part("byear_hi", "H")
        self.records = part("records", None)
        import numpy as np

        def column(name: str, dtype: str) -> Any:
            start, size = sec[name]
            return np.frombuffer(mm, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=start)

        self.postings_np = column("postings", "<u4")
        self.schema_np = column("schema", "u1")
        self.topic_np = column("topics", "<u8")
        self.dataset_np = column("datasets", "<u8")
        self.byear_lo_np = column("byear_lo", "<u2")
        self.byear_hi_np = column("byear_hi", "<u2")
        self.size = int(self.header["entities"])
        self.schemata: list[str] = self.header["schemata"]
        self.topics: list[str] = self.header["topics"]
        self.datasets: list[str] = self.header["datasets"]
        self._cache: dict[int, Subject] = {}
        self._log_n = math.log(max(self.size, 1) + 1)

    def close(self) -> None:
        for name in ("keys", "key_off", "postings", "ent_off", "schema_codes", "flags", "topic_masks",
                     "dataset_masks", "byear_lo", "byear_hi", "records"):
            getattr(self, name).release()
        self._cache.clear()
        self.postings_np = self.schema_np = self.topic_np = self.dataset_np = None
        self.byear_lo_np = self.byear_hi_np = None
        try:
            self._mm.close()
        except BufferError:  # a caller still holds a view; the map closes with the process
            pass

    def __enter__(self) -> "ScreenIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # postings
    def lookup(self, h: int) -> tuple[int, int]:
        """The (start, end) of a key hash's postings; (0, 0) when absent."""
        keys = self.keys
        i = bisect_left(keys, h)
        if i < len(keys) and keys[i] == h:
            return self.key_off[i], self.key_off[i + 1]
        return 0, 0

    def idf(self, df: int) -> float:
        return self._log_n - math.log(df + 1)

    # records
    def entity(self, n: int) -> Subject:
        """The entity numbered ``n``, as a Subject (decoded once, then cached)."""
        subject = self._cache.get(n)
        if subject is None:
            if len(self._cache) >= self.CACHE_MAX:
                self._cache.clear()
            data = orjson.loads(self.records[self.ent_off[n] : self.ent_off[n + 1]])
            cid, schema, caption, names, weak, births, countries, genders, identifiers, topics, datasets, readings = data
            subject = self._cache[n] = Subject(
                schema=schema, weak=frozenset(weak), readings={i: Reading(*r) for i, *r in readings},
                birth_dates=tuple(births), countries=frozenset(countries),
                genders=frozenset(genders), identifiers=frozenset(identifiers), id=cid, caption=caption,
                topics=tuple(topics), datasets=tuple(datasets), packed=names,
                sorted_latin=tuple(p[-1] for p in names),
            )
        return subject

    @staticmethod
    def load_names(subject: Subject) -> Subject:
        """Unpack a candidate's names (once) before it is scored in full."""
        if subject.packed is not None:
            subject.names = [unpack(p) for p in subject.packed]
            subject.packed = None
        return subject

    def find(self, entity_id: str) -> int | None:
        """The number of an entity by canonical id (a linear scan: for tests and tools)."""
        for n in range(self.size):
            data = orjson.loads(self.records[self.ent_off[n] : self.ent_off[n + 1]])
            if data[0] == entity_id:
                return n
        return None

    def is_minor(self, n: int) -> bool:
        """A minor today: flagged when built (persons under 18 then), and still under 18."""
        return bool(self.flags[n] & MINOR_FLAG) and is_minor(self.entity(n).birth_dates)

    def info(self) -> dict[str, Any]:
        h = self.header
        return {"path": str(self.path), "entities": h["entities"], "keys": h["keys"], "postings": h["postings"],
                "minors": h["minors"], "built_at": h["built_at"], "bytes": self.path.stat().st_size,
                "schemata": h["schemata"], "topics": h["topics"], "datasets": h["datasets"]}
