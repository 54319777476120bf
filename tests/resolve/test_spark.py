"""Scoring on Spark (PEPGRAPH_RESOLVE_ENGINE=spark): the same pairs, probabilities and
explanations as DuckDB's, on a real local Spark (loopback only) and a real generated store."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from pepgraph import Graph
from pepgraph.errors import ConfigError
from pepgraph.resolve import spark
from pepgraph.resolve.model import COMPARISONS
from pepgraph.synth import SOURCES, generate

needs_spark = pytest.mark.skipif(spark.available() is not None, reason=f"no Spark here: {spark.available()}")

DUCKDB_ONLY = ("list_has_any", "list_intersect", "list_bool", "list_has_all", "list_transform", "list_filter",
               "jaro_winkler_similarity", "&&", "len(")


def test_every_level_translates_to_spark_sql() -> None:
    lists = {"tokens", "parts", "part_keys", "part_latin", "rare_pairs", "skeletons", "symbols", "hyphen_pieces", "repeated",
             "names", "rare_names", "han", "korean", "cantonese", "mandarin", "phonetic", "countries", "positions"}
    for name, levels in COMPARISONS.items():
        for label, sql, _m, _u in levels:
            if sql is None:
                continue
            out = spark.to_spark(sql, lists)
            assert not any(f in out.lower() for f in DUCKDB_ONLY), (name, label, out)
    # a list's length is its size, a string's its length
    assert spark.to_spark("len(tokens_l) > length(name_l)", {"tokens"}) == "SIZE(tokens_l) > LENGTH(name_l)"


def test_an_unknown_engine_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEPGRAPH_RESOLVE_ENGINE", "sparkk")
    with Graph(tmp_path / "s.duckdb") as graph, pytest.raises(ConfigError, match="duckdb or spark, not 'sparkk'"):
        graph.resolve()


def test_a_cluster_needs_a_folder_its_executors_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEPGRAPH_SPARK_MASTER", "spark://10.0.0.1:7077")
    monkeypatch.delenv("PEPGRAPH_SPARK_WORKDIR", raising=False)
    with pytest.raises(ConfigError, match="PEPGRAPH_SPARK_WORKDIR"):
        spark.work_folder(str(tmp_path))
    monkeypatch.setenv("PEPGRAPH_SPARK_WORKDIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="is not a folder"):
        spark.work_folder(str(tmp_path))
    monkeypatch.setenv("PEPGRAPH_SPARK_WORKDIR", str(tmp_path))
    assert spark.work_folder("/elsewhere") == str(tmp_path)
    monkeypatch.delenv("PEPGRAPH_SPARK_WORKDIR")
    monkeypatch.setenv("PEPGRAPH_SPARK_MASTER", "local[2]")
    assert spark.work_folder("/elsewhere") == "/elsewhere"


@pytest.fixture(scope="module")
def spark_session(tmp_path_factory: pytest.TempPathFactory):
    if spark.available():
        pytest.skip(f"no Spark here: {spark.available()}")
    folder = str(tmp_path_factory.mktemp("spark"))
    session = spark.session(folder, spark.udf_jar(folder))
    yield session
    session.stop()


@needs_spark
def test_string_similarities_are_duckdbs(spark_session, tmp_path: Path) -> None:
    """DuckDB's Jaro-Winkler and Levenshtein count bytes and round transpositions down; Splink's
    jar does not, and "alrashedi" / "elrashedi" fell on the two sides of a level's 0.88."""
    rng = random.Random(5)
    letters = "aeioubcdhklmnrstyzé"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 11))) for _ in range(150)]
    pairs = [("", ""), ("a", ""), ("é", "e"), ("éa", "ea"), ("aéb", "aeb"), ("martha", "marhta"),
             ("alrashedi", "elrashedi"), ("ab", "ba"), ("dwayne", "duane"), ("abcd", "abcd")]
    pairs += [(w, "".join(c if rng.random() > 0.25 else rng.choice(letters) for c in w)) for w in words]
    pairs += [(rng.choice(words), rng.choice(words)) for _ in range(150)]
    con = duckdb.connect()
    con.execute("CREATE TABLE p AS SELECT * FROM (VALUES " + ", ".join(
        f"({i}, '{a}', '{b}')" for i, (a, b) in enumerate(pairs)) + ") t(i, a, b)")
    expected = con.execute("SELECT i, jaro_winkler_similarity(a, b), levenshtein(a, b) FROM p ORDER BY i").fetchall()
    con.execute(f"COPY p TO '{tmp_path / 'p.parquet'}' (FORMAT parquet)")
    spark_session.read.parquet(str(tmp_path / "p.parquet")).createOrReplaceTempView("p")
    lev = spark.to_spark("levenshtein(a, b)", set())
    assert expected[6][1] == pytest.approx(0.8843, abs=1e-4)  # the pair Splink's jar scores 0.863
    # the function in SQL, and the compiled one (when this machine has a JDK)
    forms = [False] + ([True] if spark_session.catalog.functionExists(spark.UDF_NAME) else [])
    for udf in forms:
        jw = spark.to_spark("jaro_winkler_similarity(a, b)", set(), udf)
        assert (spark.UDF_NAME in jw.lower()) == udf
        got = [tuple(r) for r in spark_session.sql(f"SELECT i, {jw}, {lev} FROM p ORDER BY i").collect()]
        assert [(i, round(s, 12), d) for i, s, d in got] == [(i, round(s, 12), d) for i, s, d in expected], udf


def _pairs(db: Path) -> dict[tuple[str, str], tuple[float, dict]]:
    with Graph(db, read_only=True) as graph:
        rows = graph.store.con.execute("SELECT left_id, right_id, probability, explanation FROM resolve_pairs").fetchall()
        ids = graph.store.con.execute("SELECT DISTINCT entity_id, canonical_id FROM statements ORDER BY 1").fetchall()
    return {(a, b): (p, json.loads(e)) for a, b, p, e in rows}, ids  # type: ignore[return-value]


@needs_spark
def test_spark_scores_every_pair_as_duckdb_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(600, tmp_path / "data", seed=3)
    base = tmp_path / "base.duckdb"
    with Graph(base) as graph:
        for source in SOURCES:
            path = tmp_path / "data" / f"{source}.ftm.jsonl"
            if path.exists():
                graph.ingest([path], dataset=f"synth_{source}")
    results = {}
    # the rows and pairs go through a "shared" folder, as with a cluster (the command-line test
    # below scores without one)
    (tmp_path / "shared").mkdir()
    monkeypatch.setenv("PEPGRAPH_SPARK_WORKDIR", str(tmp_path / "shared"))
    for engine in ("duckdb", "spark"):
        monkeypatch.setenv("PEPGRAPH_RESOLVE_ENGINE", engine)
        db = tmp_path / f"{engine}.duckdb"
        shutil.copy(base, db)
        with Graph(db) as graph:
            results[engine] = graph.resolve(retrain=True)
    (duck, duck_ids), (spk, spk_ids) = _pairs(tmp_path / "duckdb.duckdb"), _pairs(tmp_path / "spark.duckdb")
    assert duck.keys() == spk.keys() and len(duck) > 100
    for pair, (prob, why) in duck.items():
        assert spk[pair][0] == pytest.approx(prob, abs=1e-9), pair
        assert spk[pair][1] == why, pair
    # the costly name level (Jaro-Winkler inside nested lambdas) was exercised, and agreed
    assert any(why["name"]["level"].startswith("similar name tokens") for _p, why in duck.values()
               if "name" in why)
    assert duck_ids == spk_ids
    assert results["spark"].candidate_pairs == results["duckdb"].candidate_pairs


def test_the_command_line_takes_the_engine(tmp_path: Path) -> None:
    from tests.test_cli import run

    db = str(tmp_path / "s.duckdb")
    assert run("--db", db, "sample", "--out", str(tmp_path / "sample"), cwd=tmp_path).returncode == 0
    for path in sorted((tmp_path / "sample").glob("*.json*")):
        assert run("--db", db, "ingest", str(path), "--dataset", path.name.split(".")[0].replace("-", "_"),
                   cwd=tmp_path).returncode == 0
    res = run("--db", db, "resolve", "--engine", "sparkk", cwd=tmp_path)
    assert res.returncode == 2 and "duckdb or spark, not 'sparkk'" in res.stderr and "Traceback" not in res.stderr
    if spark.available():
        return
    res = run("--db", db, "resolve", "--engine", "spark", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["model_pairs"] > 0
