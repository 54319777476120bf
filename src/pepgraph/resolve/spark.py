"""Scoring on Spark: the candidate pairs and Splink's own scoring SQL, run by Splink's Spark
backend instead of DuckDB, for stores past what one machine scores in time.

Only scoring moves (at 2.4 million key persons it was two thirds of resolve: 181 million
candidate pairs). The linkage rows are the Parquet file resolve writes anyway; training stays
on a sample in DuckDB, and its model (m and u per level) is the same one both engines score
with; the scored pairs come back as Parquet files that the vetoes and clustering read batch by
batch, as they read DuckDB's. ``PEPGRAPH_RESOLVE_ENGINE=spark`` chooses it and
``PEPGRAPH_SPARK_MASTER`` names the cluster (default ``local[*]``: every core of this machine,
which is how the tests run it).

The comparison levels are written once, in DuckDB's SQL (model.COMPARISONS); ``to_spark``
translates each level's condition through sqlglot's syntax tree, with the few functions whose
Spark form sqlglot does not write (or writes as DuckDB's ``&&``) spelt out here with DuckDB's
meaning: a list's ``bool_and`` / ``bool_or`` ignore NULLs and are NULL for an empty list, ``len``
of a NULL list is NULL. A test scores one store with both engines and compares every pair.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from pepgraph.resolve.model import Model

log = logging.getLogger(__name__)

#: Spark settings pepgraph needs whatever the cluster: DuckDB's NULL semantics for the size of a
#: NULL list, no ANSI errors on an index past a list's end (DuckDB gives NULL), no web UI
SPARK_CONF = {
    "spark.sql.legacy.sizeOfNull": "false",
    "spark.sql.ansi.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # resolve reports its own progress
    "spark.sql.session.timeZone": "UTC",
}

#: functions that make a list, whose length is Spark's ``size`` (of a string it is ``length``)
_LIST_MAKERS = ("ArrayFilter", "Transform", "ArrayDistinct", "ArrayConcat")
_LIST_FUNCTIONS = {"LIST_INTERSECT", "ARRAY_INTERSECT"}


def available() -> str | None:
    """None when Spark can run here, else why not (pyspark missing, no Java)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install pyspark)"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Spark needs a Java runtime (java on PATH or JAVA_HOME)"
    return None


def check() -> None:
    """Raise ``ConfigError`` when resolve cannot score on Spark here: called before the rows and
    training, so that a missing Java or shared folder does not fail an hour into a run."""
    from pepgraph.errors import ConfigError

    if why := available():
        raise ConfigError(f"PEPGRAPH_RESOLVE_ENGINE=spark: {why}")
    _shared_folder()


def _bytes(text: str) -> str:
    """A string with one character per UTF-8 byte of ``text``: DuckDB's ``levenshtein`` and
    ``jaro_winkler_similarity`` count bytes ("é" / "e" are two edits apart), Spark's characters."""
    return f"decode(encode({text}, 'UTF-8'), 'ISO-8859-1')"


def jaro_winkler_sql(a: str, b: str) -> str:
    """DuckDB's ``jaro_winkler_similarity`` in Spark SQL (higher-order functions only, so it runs
    on any cluster without a jar): the matching window max(|a|, |b|) / 2 - 1, half the matched
    characters out of order (rounded down) as transpositions, and the common prefix (up to 4) at
    0.1 when the Jaro similarity is above 0.7. Two empty strings are 0, as in DuckDB. Splink's
    jar has a ``jaro_winkler`` too, but it counts transpositions without rounding
    ("alrashedi" / "elrashedi": 0.863 against DuckDB's 0.884, across the 0.88 of a name level).
    ``transform(array(v), name -> ...)[0]`` binds a value to a name, as SQL has no ``let``."""
    a, b = _bytes(a), _bytes(b)
    n1, n2 = f"length({a})", f"length({b})"
    window = f"greatest(greatest({n1}, {n2}) div 2 - 1, 0)"
    pick = (f"filter(sequence(0, {n2} - 1), jw_j -> abs(jw_j - jw_i) <= {window} AND NOT jw_acc.used[jw_j] "
            f"AND substr({b}, jw_j + 1, 1) = substr({a}, jw_i + 1, 1))[0]")
    matched = (f"aggregate(sequence(0, {n1} - 1), named_struct('used', array_repeat(false, {n2}), "
               f"'m1', cast(array() AS array<string>)), (jw_acc, jw_i) -> named_struct("
               f"'used', transform(jw_acc.used, (jw_u, jw_k) -> jw_u OR jw_k = coalesce({pick}, -1)), "
               f"'m1', CASE WHEN {pick} IS NULL THEN jw_acc.m1 ELSE concat(jw_acc.m1, array(substr({a}, jw_i + 1, 1))) END))")
    second = (f"filter(transform(sequence(0, {n2} - 1), jw_k -> CASE WHEN jw_s.used[jw_k] THEN substr({b}, jw_k + 1, 1) END), "
              f"jw_c -> jw_c IS NOT NULL)")
    m = "size(jw_s.m1)"
    trans = f"(size(filter(sequence(0, {m} - 1), jw_k -> jw_s.m1[jw_k] != jw_m2[jw_k])) div 2)"
    jaro = (f"transform(array({matched}), jw_s -> transform(array({second}), jw_m2 -> "
            f"CASE WHEN {m} = 0 THEN 0.0D ELSE ({m} / {n1} + {m} / {n2} + ({m} - {trans}) / {m}) / 3 END)[0])[0]")
    shortest = f"least(4, {n1}, {n2})"
    prefix = (f"transform(array(array_position(transform(sequence(1, {shortest}), jw_k -> "
              f"substr({a}, jw_k, 1) = substr({b}, jw_k, 1)), false)), jw_p -> CASE WHEN jw_p = 0 THEN {shortest} "
              f"ELSE jw_p - 1 END)[0]")
    return (f"CASE WHEN {n1} = 0 OR {n2} = 0 THEN 0.0D ELSE transform(array({jaro}), jw_x -> CASE WHEN jw_x > 0.7 "
            f"THEN jw_x + {prefix} * 0.1D * (1 - jw_x) ELSE jw_x END)[0] END")


#: the name Spark knows ``JaroWinkler.java`` by, when it could be compiled
UDF_NAME = "pepgraph_jaro_winkler"


def udf_jar(folder: str) -> str | None:
    """``JaroWinkler.java`` compiled against this pyspark into a jar in ``folder``, or None
    without a JDK (``javac`` and ``jar``). A JVM function is about 30 times as fast as the same
    function in SQL (``jaro_winkler_sql``) on generated names, where the "similar name tokens"
    levels were nine tenths of Spark's scoring time."""
    import subprocess

    import pyspark

    home = os.environ.get("JAVA_HOME")
    tools = [os.path.join(home, "bin", t) if home else shutil.which(t) or "" for t in ("javac", "jar")]
    if not all(t and os.path.exists(t) for t in tools):
        return None
    javac, jar = tools
    source = os.path.join(os.path.dirname(__file__), "JaroWinkler.java")
    classes = os.path.join(folder, "classes")
    target = os.path.join(folder, "pepgraph-spark.jar")
    classpath = os.path.join(os.path.dirname(pyspark.__file__), "jars", "*")
    try:
        subprocess.run([javac, "-nowarn", "-cp", classpath, "-d", classes, source], check=True, capture_output=True)
        subprocess.run([jar, "cf", target, "-C", classes, "."], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return target


def to_spark(sql: str, lists: set[str], udf: bool = False) -> str:
    """One comparison level's condition, from DuckDB's SQL to Spark's. ``lists`` names the
    linkage rows' list columns (without ``_l`` / ``_r``), so that ``len`` of a list becomes
    ``size`` and of a string stays ``length``. With ``udf``, Jaro-Winkler is the compiled
    ``UDF_NAME``, else ``jaro_winkler_sql``."""
    import sqlglot
    from sqlglot import exp

    def is_list(node: exp.Expression) -> bool:
        if isinstance(node, exp.Column):
            name = node.name
            return name[:-2] in lists if name.endswith(("_l", "_r")) else name in lists
        if type(node).__name__ in _LIST_MAKERS:
            return True
        if isinstance(node, exp.Anonymous):
            return node.name.upper() in _LIST_FUNCTIONS
        return False

    def parse(text: str) -> exp.Expression:
        return sqlglot.parse_one(text, read="spark")  # type: ignore[return-value]

    def fill(template: str, *args: exp.Expression) -> exp.Expression:
        """Spark SQL with the columns ``__0__``, ``__1__``... replaced by ``args``."""
        return parse(template).transform(
            lambda n: args[int(n.name[2:-2])].copy() if isinstance(n, exp.Column) and n.name.startswith("__") else n)

    def fold(items: exp.Expression, op: str) -> exp.Expression:
        # DuckDB's list_bool_and / list_bool_or: NULL elements ignored, an empty list is NULL
        return fill(f"aggregate(__0__, CAST(NULL AS BOOLEAN), (acc, v) -> CASE WHEN v IS NULL THEN acc "
                    f"WHEN acc IS NULL THEN v ELSE acc {op} v END)", items)

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ArrayOverlaps):
            return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
        if isinstance(node, exp.Length):
            return exp.Anonymous(this="size" if is_list(node.this) else "length", expressions=[node.this])
        if isinstance(node, exp.JarowinklerSimilarity):
            if udf:
                return exp.Anonymous(this=UDF_NAME, expressions=[node.this, node.expression])
            return parse(jaro_winkler_sql(node.this.sql("spark"), node.expression.sql("spark")))
        if isinstance(node, exp.Levenshtein):
            return exp.Anonymous(this="levenshtein", expressions=[
                parse(_bytes(node.this.sql("spark"))), parse(_bytes(node.expression.sql("spark")))])
        if isinstance(node, exp.Anonymous):
            name, args = node.name.upper(), node.expressions
            if name == "LIST_INTERSECT":
                return exp.Anonymous(this="array_intersect", expressions=args)
            if name == "LIST_HAS_ALL":  # every element of the second is in the first
                return fill("size(array_except(__1__, __0__)) = 0", *args)
            if name == "LIST_BOOL_AND":
                return fold(args[0], "AND")
            if name == "LIST_BOOL_OR":
                return fold(args[0], "OR")
        return node

    # sqlglot's transform does not descend into a node it has replaced: repeat until nothing
    # changes (each pass rewrites one more level of nesting; every rewrite gives a node no rule
    # matches again)
    tree, text = sqlglot.parse_one(sql, read="duckdb"), ""
    for _ in range(50):
        tree = tree.transform(rewrite, copy=True)
        if (new := tree.sql(dialect="spark")) == text:
            break
        text = new
    if "&&" in text:  # a form sqlglot writes that Spark does not read
        raise ValueError(f"cannot translate to Spark SQL: {sql}")
    return text


def spark_settings(model: Model, lists: set[str], udf: bool = False) -> dict[str, Any]:
    """The trained model's settings with every level's condition in Spark's SQL."""
    conf = model.to_json()
    conf["sql_dialect"] = "spark"
    conf["blocking_rules_to_generate_predictions"] = []
    for comp in conf["comparisons"]:
        for level in comp["comparison_levels"]:
            sql = level.get("sql_condition", "ELSE")
            if sql.strip().upper() != "ELSE":
                level["sql_condition"] = to_spark(sql, lists, udf)
    return conf


def session(spill: str, jar: str | None = None) -> Any:
    """A Spark session on ``PEPGRAPH_SPARK_MASTER``; a local one listens on loopback only. With
    ``jar`` (from ``udf_jar``), Spark ships it to the executors and knows ``UDF_NAME``."""
    from pyspark.sql import SparkSession
    from pyspark.sql.types import DoubleType

    from pepgraph import settings

    master = settings.SPARK_MASTER.get() or "local[*]"
    builder = SparkSession.builder.master(master).appName("pepgraph-resolve")
    conf = {**SPARK_CONF, "spark.local.dir": spill, **({"spark.jars": jar} if jar else {}),
            "spark.driver.memory": settings.SPARK_DRIVER_MEMORY.get() or "4g"}
    if master.startswith("local"):
        # a local Spark listens on loopback only (it warns, and binds elsewhere, when the host
        # name resolves to loopback and SPARK_LOCAL_IP is unset)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        conf.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                     "spark.sql.shuffle.partitions": str(max(4, 4 * (os.cpu_count() or 1)))})
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if jar:
        spark.udf.registerJavaFunction(UDF_NAME, "pepgraph.spark.JaroWinkler", DoubleType())
    return spark


def _shared_folder() -> str | None:
    """``PEPGRAPH_SPARK_WORKDIR``, checked; None with a local master and no such folder."""
    from pepgraph import settings
    from pepgraph.errors import ConfigError

    shared = settings.SPARK_WORKDIR.get()
    if shared:
        if not os.path.isdir(shared):
            raise ConfigError(f"PEPGRAPH_SPARK_WORKDIR {shared!r} is not a folder")
        return shared
    if not (settings.SPARK_MASTER.get() or "local").startswith("local"):
        raise ConfigError("PEPGRAPH_SPARK_MASTER is a cluster: set PEPGRAPH_SPARK_WORKDIR to a folder that "
                          "every Spark executor and this machine see at the same path")
    return None


def work_folder(local: str) -> str:
    """Where Spark reads the rows and writes the pairs: ``PEPGRAPH_SPARK_WORKDIR``, a folder
    that this process and every executor see at the same path (an NFS mount), else ``local``,
    which only a local Spark sees. The scored pairs are read back from there with pyarrow, so
    the folder is a file system path, not an hdfs:// or s3:// address."""
    return _shared_folder() or local


def candidate_pairs_sql() -> str:
    """Records sharing a blocking key or a strong identifier, each pair once (the DuckDB
    engine's ``_postings`` join, on the keys themselves rather than their hashes; an initials key
    offered by names written in full alone makes pairs only when few offer it, as there)."""
    from pepgraph.resolve.model import OFFERED_ALONE

    return f"""
        WITH p AS (
            SELECT k, unique_id, max(probe) AS probe FROM (
                SELECT CASE WHEN substring(key, 1, 2) = 'A:' THEN concat('ka:', substring(key, 3)) ELSE concat('k', key) END AS k,
                       substring(key, 1, 2) != 'a:' AS probe, unique_id
                FROM linkage_rows LATERAL VIEW explode(keys) t AS key
                UNION ALL
                SELECT concat('i', k) AS k, true AS probe, unique_id FROM linkage_rows LATERAL VIEW explode(ids) t AS k)
            GROUP BY k, unique_id),
        postings AS (
            SELECT k, unique_id, probe FROM p WHERE probe
            UNION ALL
            SELECT k, unique_id, count(*) OVER (PARTITION BY k) <= {OFFERED_ALONE} AS probe FROM p WHERE NOT probe)
        SELECT DISTINCT '0' AS match_key, a.unique_id AS join_key_l, b.unique_id AS join_key_r
        FROM postings a JOIN postings b ON a.k = b.k AND a.unique_id < b.unique_id AND (a.probe OR b.probe)"""


def predict_batches(model: Model, rows_path: str, threshold: float, size: int = 50_000,
                    progress: Callable[[int, int, int], None] | None = None) -> Iterator[pa.RecordBatch]:
    """Scored pairs at or above ``threshold``, as ``model.predict_batches`` gives them, scored on
    Spark: the candidate pairs are written to Parquet, scored by Splink's SQL for the Spark
    dialect and written again; the batches are read from there. ``progress`` is called once,
    with (1, 1, the candidate pairs)."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq
    from splink import Linker, SparkAPI

    from pepgraph.resolve.model import _quiet_splink, scoring_sql_apart

    _quiet_splink()
    started = time.monotonic()

    def took(what: str) -> None:
        log.info("spark: %s at %.1f s", what, time.monotonic() - started)

    schema = pq.read_schema(rows_path)
    lists = {f.name for f in schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)}
    spill = tempfile.mkdtemp(prefix="pepgraph-spark-", dir=work_folder(model.spill))
    if os.path.dirname(spill) != model.spill:  # executors read the rows from the shared folder
        shutil.copy(rows_path, os.path.join(spill, "rows.parquet"))
        rows_path = os.path.join(spill, "rows.parquet")
    jar = udf_jar(spill)
    took("jar compiled" if jar else "no JDK: Jaro-Winkler in SQL")
    spark = session(spill, jar)
    took("session started")
    try:
        rows = spark.read.parquet(rows_path)
        rows.createOrReplaceTempView("linkage_rows")
        pairs_path = os.path.join(spill, "pairs")
        spark.sql(candidate_pairs_sql()).write.parquet(pairs_path)
        pairs = spark.read.parquet(pairs_path)
        took("candidate pairs written")
        pairs.createOrReplaceTempView("__splink__blocked_id_pairs")
        rows.createOrReplaceTempView("_part_l")
        rows.createOrReplaceTempView("_part_r")
        linker = Linker(rows, spark_settings(model, lists, udf=jar is not None),
                        db_api=SparkAPI(spark_session=spark, break_lineage_method="parquet",
                                       register_udfs_automatically=False))
        scored_path = os.path.join(spill, "scored")
        # The comparison vectors are written before the scores are read from them: in one
        # statement Spark's optimiser copied the name comparison's CASE into every Bayes
        # factor's (its Jaro-Winkler 92 times in the plan for 6 in the SQL; EveryPolitician's
        # scoring took 113 s, and 47 s so). Splink writes its SQL in a common form and has its
        # Spark backend translate it (casts, log2) before running it; so does this.
        vectors, predict = scoring_sql_apart(linker, threshold)
        vectors_path = os.path.join(spill, "vectors")
        spark.sql(linker._db_api._setup_for_execute_sql(vectors, "pepgraph_vectors")).write.parquet(vectors_path)
        spark.read.parquet(vectors_path).createOrReplaceTempView("__splink__df_comparison_vectors")
        took("comparison vectors written")
        spark.sql(linker._db_api._setup_for_execute_sql(predict, "pepgraph_scored")).write.parquet(scored_path)
        took("pairs scored")
        if progress:
            progress(1, 1, pairs.count())
        yield from ds.dataset(scored_path, format="parquet").to_batches(batch_size=size)
    finally:
        spark.stop()
        shutil.rmtree(spill, ignore_errors=True)
