"""Every ``PEPGRAPH_*`` environment variable, declared once with its default and meaning."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str

    def get(self) -> str | None:
        return os.environ.get(self.name, self.default)


DB = Setting("PEPGRAPH_DB", "pepgraph.duckdb", "Path of the DuckDB store file (the --db option wins).")
SHARED_DATA = Setting(
    "PEPGRAPH_SHARED_DATA",
    None,
    "Folder of the real public datasets used by `pepgraph demo`, tests and benchmarks "
    "(default: ../shared/data beside the working directory or the checkout).",
)
MAX_FIELD = Setting(
    "PEPGRAPH_MAX_FIELD", "65536", "Largest value, in characters, that ingest accepts into the store."
)

API_RATE = Setting("PEPGRAPH_API_RATE", "50", "API requests per second allowed to one key (a token bucket).")
API_BURST = Setting("PEPGRAPH_API_BURST", "200", "API requests one key may make at once before the rate applies.")
API_MAX_BODY = Setting("PEPGRAPH_API_MAX_BODY", "1000000", "Largest API request body, in bytes.")
API_MAX_QUERIES = Setting("PEPGRAPH_API_MAX_QUERIES", "100", "Most queries in one /match request.")

MEMORY = Setting(
    "PEPGRAPH_MEMORY", None,
    "Memory the store's DuckDB may use before it spills to disk, in DuckDB's syntax (\"8GB\"); "
    "default 40% of RAM, at most 8 GB.",
)
RESOLVE_MEMORY = Setting(
    "PEPGRAPH_RESOLVE_MEMORY", None,
    "Memory the linkage engine (Splink's DuckDB) may use before it spills; default 40% of RAM, at most 6 GB "
    "(1 GB while training).",
)

INGEST_WORKERS = Setting(
    "PEPGRAPH_INGEST_WORKERS", None,
    "Processes that read an ingest's files side by side; default every core once the input reaches 16 MB "
    "(1 reads in the ingesting process).",
)

RESOLVE_PART_PAIRS = Setting(
    "PEPGRAPH_RESOLVE_PART_PAIRS", "20000000",
    "Candidate pairs (before de-duplication) that resolve scores in one part; fewer use less memory and disk.",
)

RESOLVE_ENGINE = Setting(
    "PEPGRAPH_RESOLVE_ENGINE", "duckdb",
    "What scores resolve's candidate pairs: duckdb (embedded, the default) or spark (Splink's Spark backend, "
    "on PEPGRAPH_SPARK_MASTER; needs pyspark and Java).",
)
SPARK_MASTER = Setting(
    "PEPGRAPH_SPARK_MASTER", "local[*]",
    "The Spark master that scores when PEPGRAPH_RESOLVE_ENGINE=spark (spark://host:7077, yarn, local[N]).",
)
SPARK_WORKDIR = Setting(
    "PEPGRAPH_SPARK_WORKDIR", None,
    "A folder every Spark executor and this machine see at the same path (an NFS mount), where the spark "
    "engine puts the linkage rows and scored pairs; needed with a cluster master, not with local[N].",
)
SPARK_DRIVER_MEMORY = Setting(
    "PEPGRAPH_SPARK_DRIVER_MEMORY", "4g", "Memory of the Spark driver (in local mode, of all of Spark).",
)

ALL = [DB, SHARED_DATA, MAX_FIELD, INGEST_WORKERS, API_RATE, API_BURST, API_MAX_BODY, API_MAX_QUERIES, MEMORY, RESOLVE_MEMORY,
       RESOLVE_PART_PAIRS, RESOLVE_ENGINE, SPARK_MASTER, SPARK_WORKDIR, SPARK_DRIVER_MEMORY]


def resolve_engine() -> str:
    """``PEPGRAPH_RESOLVE_ENGINE``, checked: a typo must not silently score on DuckDB."""
    from pepgraph.errors import ConfigError

    engine = (RESOLVE_ENGINE.get() or "duckdb").strip().lower()
    if engine not in ("duckdb", "spark"):
        raise ConfigError(f"PEPGRAPH_RESOLVE_ENGINE must be duckdb or spark, not {engine!r}")
    return engine


def memory_limit(setting: Setting, cap_mb: int, share: float = 0.4) -> str:
    """A DuckDB memory limit: the setting when given, else ``share`` of the machine's memory, at
    most ``cap_mb``. DuckDB's own default (80 % of RAM) let one ingest of 12.6 million statements
    take 7.3 GB and one resolve's training 6.9 GB; under a limit DuckDB spills to disk instead."""
    if value := setting.get():
        return value
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 8 << 30
    return f"{max(256, min(cap_mb, int(total * share) >> 20))}MB"


def shared_data() -> Path | None:
    """Where ../shared/data is, if anywhere: the setting, then beside the working directory,
    then beside the checkout this package runs from."""
    given = SHARED_DATA.get()
    candidates = [Path(given)] if given else []
    candidates.append(Path.cwd().parent / "shared" / "data")
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return None


def resolve_part_pairs() -> int:
    return max(1, int(RESOLVE_PART_PAIRS.get() or "20000000"))


def ingest_workers() -> int | None:
    """``PEPGRAPH_INGEST_WORKERS`` as a number of processes, or None (decide by input size)."""
    from pepgraph.errors import ConfigError

    value = (INGEST_WORKERS.get() or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"PEPGRAPH_INGEST_WORKERS must be a whole number of processes (1 or more), not {value!r}")
    return int(value)


def max_field() -> int:
    value = MAX_FIELD.get() or "65536"
    return int(value)
