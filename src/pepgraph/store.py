"""The DuckDB statement store: schema, migrations, and the connection everything else shares.

One file holds the statements (FollowTheMoney's statement model plus a ``current`` flag for values
that disappeared from a later version of their dataset), the datasets and their versions, and the
ingest runs. The schema carries a version number in ``meta``; ``MIGRATIONS`` brings an older file
up to date on open, and a file written by a newer pepgraph is refused rather than damaged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pepgraph import settings
from pepgraph.errors import StoreError


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """The first schema: statements, datasets, dataset versions and ingest runs."""
    con.execute(
        """
        CREATE TABLE statements (
            id VARCHAR NOT NULL,             -- sha1 of dataset.entity_id.prop.value[@lang], as FtM
            entity_id VARCHAR NOT NULL,      -- the id the source gave
            canonical_id VARCHAR NOT NULL,   -- the resolved entity; only resolution rewrites it
            schema VARCHAR NOT NULL,
            prop VARCHAR NOT NULL,
            prop_type VARCHAR NOT NULL,
            value VARCHAR NOT NULL,          -- cleaned by followthemoney's type system
            original_value VARCHAR,          -- as the source wrote it, when cleaning changed it
            lang VARCHAR,
            dataset VARCHAR NOT NULL,
            origin VARCHAR,                  -- the file (or part of a source) the value came from
            first_seen TIMESTAMP NOT NULL,
            last_seen TIMESTAMP NOT NULL,
            current BOOLEAN NOT NULL         -- false: gone from the dataset's latest version
        )
        """
    )
    con.execute(
        """
        CREATE TABLE datasets (
            name VARCHAR PRIMARY KEY,
            title VARCHAR,
            licence VARCHAR,
            source VARCHAR,                  -- the paths or URL given at ingest
            sha256 VARCHAR,                  -- of the content of the latest version
            version INTEGER NOT NULL,        -- increases each time the content changes
            first_ingested_at TIMESTAMP,
            ingested_at TIMESTAMP,           -- the latest ingest (same or new content)
            entity_count BIGINT,
            statement_count BIGINT,
            schema_counts JSON               -- {"Person": 537, ...} of the latest version
        )
        """
    )
    con.execute(
        """
        CREATE TABLE dataset_versions (
            dataset VARCHAR NOT NULL,
            version INTEGER NOT NULL,
            sha256 VARCHAR NOT NULL,
            seen_at TIMESTAMP NOT NULL,      -- the as-of time of the ingest that made it
            run_id BIGINT,
            entity_count BIGINT,
            statement_count BIGINT
        )
        """
    )
    con.execute("CREATE SEQUENCE ingest_run_ids START 1")
    con.execute(
        """
        CREATE TABLE ingest_runs (
            id BIGINT PRIMARY KEY DEFAULT nextval('ingest_run_ids'),
            dataset VARCHAR NOT NULL,
            paths JSON,
            format VARCHAR,
            started_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP,
            status VARCHAR NOT NULL,         -- running, ok, unchanged, failed, interrupted
            sha256 VARCHAR,
            version INTEGER,
            entities BIGINT,
            statements BIGINT,
            added BIGINT,
            retired BIGINT,
            rejected BIGINT,
            errors JSON
        )
        """
    )


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Resolution: human judgements (append-only), stored models, canonical-id redirects, and
    the scored pairs of the latest resolve (for review and explanations)."""
    con.execute("CREATE SEQUENCE judgement_ids START 1")
    con.execute(
        """
        CREATE TABLE judgements (
            id BIGINT PRIMARY KEY DEFAULT nextval('judgement_ids'),
            left_id VARCHAR NOT NULL,        -- the pair is stored ordered: left_id < right_id
            right_id VARCHAR NOT NULL,
            judgement VARCHAR NOT NULL,      -- same, different, unsure
            note VARCHAR,
            author VARCHAR,
            created_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE resolver_models (
            id INTEGER PRIMARY KEY,
            created_at TIMESTAMP NOT NULL,
            records BIGINT,
            model JSON NOT NULL              -- Splink's own model JSON, so a rebuild reproduces it
        )
        """
    )
    con.execute(
        """
        CREATE TABLE canonical_redirects (
            old_id VARCHAR PRIMARY KEY,
            new_id VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE resolve_pairs (
            left_id VARCHAR NOT NULL,
            right_id VARCHAR NOT NULL,
            probability DOUBLE,
            match_weight DOUBLE,
            evidence VARCHAR,                -- model, identifier, judgement
            explanation JSON
        )
        """
    )
    con.execute(
        """
        CREATE TABLE resolve_runs (
            id INTEGER PRIMARY KEY,
            started_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP,
            records BIGINT,
            pairs BIGINT,
            clusters BIGINT,
            merged BIGINT,
            details JSON
        )
        """
    )


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """PEP and RCA classification: one row per reason a person is (or was) a PEP or an RCA,
    the relatives given by name that were matched to a known person, and a log of builds.
    All three are derived and rewritten whole by ``pepgraph build``."""
    con.execute(
        """
        CREATE TABLE pep_roles (
            canonical_id VARCHAR NOT NULL,   -- the person
            role VARCHAR NOT NULL,           -- pep | rca
            status VARCHAR NOT NULL,         -- current | former | expired
            until DATE,                      -- a former PEP's status expires on this day
            category VARCHAR,                -- rules.yml category (for an RCA: the PEP's)
            scope VARCHAR,                   -- national | state | municipal | international
            tier INTEGER,
            reason VARCHAR NOT NULL,         -- in words: which occupancy or link, which source
            occupancy_id VARCHAR,
            position_id VARCHAR,
            position_name VARCHAR,
            country VARCHAR,
            start_date VARCHAR,
            end_date VARCHAR,
            pep_id VARCHAR,                  -- RCA: the PEP's canonical id
            relationship VARCHAR,            -- RCA: what this person is to the PEP
            link_id VARCHAR,                 -- RCA: the Family / Associate entity
            datasets VARCHAR[],              -- where the occupancy or link was read
            built_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE relative_matches (
            entity_id VARCHAR NOT NULL,      -- a person known only by a relative's mention of a name
            canonical_id VARCHAR NOT NULL,   -- the known person that name matched unambiguously
            scope VARCHAR NOT NULL,          -- same-dataset | any-dataset
            built_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE build_runs (
            id BIGINT PRIMARY KEY,
            started_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP,
            details JSON
        )
        """
    )


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """The initials keys ("gk:konstantinos") and full names ("name=zhang wei") that the latest
    resolve found too common to weigh as "same initials" or "same full name", so that
    ``pepgraph explain`` scores a pair as resolve did."""
    con.execute("CREATE TABLE resolve_common_keys (key VARCHAR PRIMARY KEY, records BIGINT NOT NULL)")


#: Migrations in order; migration ``i`` brings the schema from version ``i`` to ``i + 1``.
MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = [_v1, _v2, _v3, _v4]
SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """An open store file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no such store (run `pepgraph ingest` or `pepgraph demo` first)")
        if not read_only and self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist")
        #: DuckDB's memory limit for this store (resolve lowers it for a moment to empty the cache)
        self.memory_limit = settings.memory_limit(settings.MEMORY, cap_mb=8192)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config={"memory_limit": self.memory_limit})
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        try:
            self._migrate()
        except BaseException:
            self.con.close()
            raise

    # -- schema ---------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {version} is newer than this pepgraph "
                f"understands ({SCHEMA_VERSION}); upgrade pepgraph"
            )
        if version == SCHEMA_VERSION:
            if not self.read_only:
                self._mark_interrupted_runs()
            return
        if self.read_only:
            raise StoreError(f"{self.path}: store needs a migration; open it once read-write")
        with self.transaction():
            if version == 0:
                self.con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
                self.con.execute("INSERT INTO meta VALUES ('schema_version', '0')")
            for step in MIGRATIONS[version:]:
                step(self.con)
            self.con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
            )
        self._mark_interrupted_runs()

    def _mark_interrupted_runs(self) -> None:
        """A run still 'running' when we open the file read-write died (DuckDB allows one
        writing process): its transaction never committed, so only its log entry needs fixing."""
        self.con.execute(
            "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'"
        )

    # -- transactions and queries -----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit when the block ends, roll back on any exception."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts; for the small result sets of read-back commands."""
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def close(self) -> None:
        self.con.close()

    @classmethod
    def over(cls, con: duckdb.DuckDBPyConnection, path: str | Path) -> "Store":
        """A read-only view over an already open connection (a cursor of a published
        generation, see ``serving``): no migration, no lock, closing it closes the cursor."""
        store = cls.__new__(cls)
        store.path = Path(path)
        store.read_only = True
        store.con = con
        return store

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
