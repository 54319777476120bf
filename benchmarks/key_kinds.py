"""Candidate pairs by the kinds of blocking key their two records share, and what lower caps by
kind of key would cost: how to choose ``rows.KIND_CAPS``.

    .venv/bin/python benchmarks/key_kinds.py STORE TRUTH.csv --work DIR [--caps '{"2": 30}' ...]

STORE is a resolved store (its stored model scores the pairs; opened read-only), TRUTH an
``entity_id,person_id`` file (``pepgraph generate`` writes one). The linkage rows are built
with the current caps and every candidate pair scored at threshold 0 (both kept in DIR, so a
second call reads them). Each pair is labelled with the kinds of key its records share ("y",
"s", "2", "a", "d", "1", ...), the size of the smallest shared key of each kind, and the truth.
The report: pairs by set of shared kinds; for pairs sharing one kind only, by the size of that
key; and for each ``--caps`` (kind without its colon -> records), the pairs that no shared key
within those caps would make, with the true and wrong pairs at 0.8 among them.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import duckdb

BUCKETS = "CASE WHEN n <= 5 THEN '1-5' WHEN n <= 10 THEN '6-10' WHEN n <= 20 THEN '11-20' WHEN n <= 30 THEN '21-30' " \
          "WHEN n <= 50 THEN '31-50' WHEN n <= 100 THEN '51-100' ELSE '>100' END"


def _prepare(store_path: str, truth: str, work: str) -> duckdb.DuckDBPyConnection:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pepgraph.resolve import _stored_model
    from pepgraph.resolve.model import OFFERED_ALONE, make_model, predict_batches
    from pepgraph.resolve.rows import DEFAULT_KEY_CAP, as_offered, build_rows
    from pepgraph.store import Store

    os.makedirs(work, exist_ok=True)
    rows, scored = os.path.join(work, "rows.parquet"), os.path.join(work, "scored.parquet")
    store = Store(store_path, read_only=True)
    try:
        stored = _stored_model(store)
        if stored is None:
            raise SystemExit(f"{store_path}: no stored model (resolve it first)")
        if not os.path.exists(rows):
            started = time.monotonic()
            build_rows(store, key_cap=DEFAULT_KEY_CAP, out=rows)
            print(f"rows built in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        store.close()
    if not os.path.exists(scored):
        model = make_model(rows, stored)
        started = time.monotonic()
        schema = pa.schema([("l", pa.string()), ("r", pa.string()), ("p", pa.float64())])
        try:
            with pq.ParquetWriter(scored, schema) as out:
                for b in predict_batches(model, 0.0):
                    out.write_table(pa.table({"l": b.column("unique_id_l"), "r": b.column("unique_id_r"),
                                              "p": b.column("match_probability")}))
        finally:
            model.close()
        print(f"every candidate pair scored in {time.monotonic() - started:.0f} s", flush=True)
    con = duckdb.connect(os.path.join(work, "kinds.duckdb"))
    con.execute("SET preserve_insertion_order = false")
    # the postings as model.candidate_parts makes them, with the key kept to tell its kind
    con.execute(f"""CREATE OR REPLACE TABLE post AS
      WITH r AS (SELECT unique_id AS id, unnest(keys) AS key FROM read_parquet('{rows}')),
      f AS (SELECT id, {as_offered('key')} AS k,
                   NOT starts_with(key, 'a:') AS probe FROM r
            UNION ALL SELECT unique_id, 'ids:' || unnest(ids), true FROM read_parquet('{rows}') WHERE ids IS NOT NULL),
      g AS (SELECT k, id, bool_or(probe) AS probe FROM f GROUP BY k, id)
      SELECT k, id, probe OR (count(*) FILTER (WHERE NOT probe) OVER (PARTITION BY k)) <= {OFFERED_ALONE} AS probe,
             count(*) OVER (PARTITION BY k) AS n, split_part(k, ':', 1) AS kind FROM g""")
    con.execute("""CREATE OR REPLACE TABLE shared AS
      SELECT a.id AS l, b.id AS r, a.kind, min(a.n) AS n FROM post a JOIN post b ON a.k = b.k AND a.id < b.id
      WHERE a.probe OR b.probe GROUP BY ALL""")
    con.execute(f"CREATE OR REPLACE TABLE truth AS SELECT entity_id AS id, person_id "
                f"FROM read_csv('{truth}', header = true, all_varchar = true)")
    con.execute(f"""CREATE OR REPLACE TABLE pairs AS
      WITH s AS (SELECT least(l, r) AS l, greatest(l, r) AS r, p FROM read_parquet('{scored}')),
      k AS (SELECT l, r, list(kind ORDER BY kind) AS kinds, map(list(kind ORDER BY kind), list(n ORDER BY kind)) AS sizes
            FROM shared GROUP BY l, r)
      SELECT k.*, s.p, coalesce(tl.person_id = tr.person_id, false) AS same
      FROM k LEFT JOIN s USING (l, r) LEFT JOIN truth tl ON tl.id = k.l LEFT JOIN truth tr ON tr.id = k.r""")
    return con


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("truth")
    parser.add_argument("--work", required=True, help="folder for the rows, the scored pairs and the tables")
    parser.add_argument("--caps", action="append", default=[], help="JSON caps by kind, e.g. '{\"2\": 30, \"y\": 50}'")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    con = _prepare(args.store, args.truth, args.work)
    counts = ("count(*), coalesce(sum(same::int), 0), coalesce(sum((same AND p >= 0.8)::int), 0), "
              "coalesce(sum((NOT same AND p >= 0.8)::int), 0)")
    total = con.execute(f"SELECT {counts} FROM pairs").fetchone()
    print(f"candidate pairs {total[0]:,}: one person {total[1]:,}, at 0.8 one person {total[2]:,}, two people {total[3]:,}")
    print("\nshared kinds            pairs     true   true@0.8  wrong@0.8")
    for ks, *c in con.execute(f"SELECT array_to_string(kinds, ','), {counts} FROM pairs GROUP BY 1 "
                              f"ORDER BY count(*) DESC LIMIT {args.top}").fetchall():
        print(f"{ks:18s} {c[0]:11,d} {c[1]:8,d} {c[2]:10,d} {c[3]:10,d}")
    print("\none kind only, by the records holding the key")
    for kind, in con.execute("SELECT kinds[1] FROM pairs WHERE len(kinds) = 1 GROUP BY 1 ORDER BY count(*) DESC").fetchall():
        for b, *c in con.execute(f"SELECT {BUCKETS} AS b, {counts} FROM (SELECT *, sizes['{kind}'] AS n FROM pairs "
                                 f"WHERE kinds = ['{kind}']) GROUP BY b ORDER BY min(n)").fetchall():
            print(f"{kind:4s} {b:7s} {c[0]:11,d} {c[1]:8,d} {c[2]:10,d} {c[3]:10,d}")
    kinds = [k for k, in con.execute("SELECT DISTINCT kind FROM shared").fetchall()]
    for spec in args.caps:
        caps = json.loads(spec)
        within = " OR ".join(f"(list_contains(kinds, '{k}') AND sizes['{k}'] <= {caps.get(k, 1 << 30)})" for k in kinds)
        c = con.execute(f"SELECT {counts} FROM pairs WHERE NOT ({within})").fetchone()
        print(f"\ncaps {spec}: {c[0]:,} pairs not made ({c[0] / total[0]:.3f}); one person {c[1]:,}, "
              f"at 0.8 one person {c[2]:,}, two people {c[3]:,}")


if __name__ == "__main__":
    main()
