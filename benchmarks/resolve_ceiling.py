"""How far resolution could go with the comparisons it has: the best pairwise F1 over level
combinations, against the truth.

    .venv/bin/python benchmarks/resolve_ceiling.py STORE WORK.duckdb TRUTH [--json OUT]

STORE is an ingested store (it is copied to WORK.duckdb and resolved there, so STORE is not
touched); TRUTH is the generator's ``truth.csv`` (``entity_id,person_id``) or a lab's
``*.truth.json``. The resolve keeps every candidate pair (``REVIEW_FLOOR`` lowered to 0), so
every pair that blocking finds has its comparison levels (every comparison of the model: name,
birth, country, position, gender, source, and number and address where records have them).
Then:

- **blocking reach**: the share of true pairs that are candidate pairs at all;
- **ceiling**: put the level combinations in order of their share of true pairs and link them,
  best first; the best pairwise F1 on the way is what any scorer could reach that sees only
  these levels (one probability per combination) and links pairs one by one, and the recall
  and F1 at the last point with precision >= 0.99. Clustering may do a little better (a third
  record joins two) or worse (a wrong link joins two clusters);
- **the model's edges**: pairs at or above the threshold, pairwise, for comparison;
- the level combinations that hold the most true pairs under the threshold.

On 300,000 key persons (11.7 million candidate pairs) the store with every pair kept is 1.1 GB.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from resolve_data import pairwise  # noqa: E402

SHOWN = ("name", "birth", "country")  # the levels the report's last table is split by
PRECISION = 0.99  # the precision target: what recall the levels allow at it


def read_truth(path: str) -> dict[str, str]:
    """A lab's ``*.truth.json`` or the generator's ``truth.csv``."""
    if path.endswith(".json"):
        return dict(json.load(open(path))["truth"])
    from pepgraph.synth import read_truth as read_truth_csv

    return read_truth_csv(path)


def ceiling(groups: dict, true_pairs: int, precision: float = PRECISION) -> tuple[list, tuple, tuple]:
    """Link level combinations ({levels: [pairs, true pairs]}) best share first.

    Returns the combinations in that order, the best F1 on the way as (F1, precision, recall,
    share of the last combination linked), and (recall, F1) at the last point whose precision
    is at least ``precision``.
    """
    tp = fp = 0
    best = (0.0, 0.0, 0.0, 0.0)
    at_precision = (0.0, 0.0)
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][1] / kv[1][0], -kv[1][0]))
    for _key, (n, same) in ordered:
        tp += same
        fp += n - same
        f1 = 2 * tp / (tp + fp + true_pairs)
        if f1 > best[0]:
            best = (f1, tp / (tp + fp), tp / true_pairs, same / n)
        if tp / (tp + fp) >= precision:
            at_precision = (tp / true_pairs, f1)
    return ordered, best, at_precision


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        sys.exit(__doc__)
    store, work, truth_path = argv[:3]
    import pepgraph.resolve as resolve_module
    from pepgraph import Graph
    from pepgraph.resolve import DEFAULT_THRESHOLD

    resolve_module.REVIEW_FLOOR = 0.0  # keep every candidate pair, with its levels
    shutil.copy(store, work)
    truth = read_truth(truth_path)
    with Graph(work) as g:
        g.resolve(retrain=True)
        pairs = g.store.con.execute("SELECT left_id, right_id, probability, explanation FROM resolve_pairs").fetchall()
        mapping = dict(g.store.con.execute(
            "SELECT entity_id, min(canonical_id) FROM statements WHERE prop='id' GROUP BY entity_id").fetchall())
    clusters = pairwise(mapping, truth)
    true_pairs = int(clusters["true_pairs"])
    groups: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    under, under_all = Counter(), Counter()
    edges = edges_true = 0
    for a, b, p, e in pairs:
        if a not in truth or b not in truth:
            continue
        levels = json.loads(e) if e else {}
        # every comparison the model made (FEBRL's records also have addresses and numbers)
        key = tuple(f"{c}: {v['level']}" for c, v in sorted(levels.items()) if isinstance(v, dict) and "level" in v)
        same = truth[a] == truth[b]
        groups[key][0] += 1
        groups[key][1] += same
        if p >= DEFAULT_THRESHOLD:
            edges += 1
            edges_true += same
        else:
            short = " | ".join(levels.get(c, {}).get("level", "?") for c in SHOWN)
            under_all[short] += 1
            under[short] += same
    reached = sum(v[1] for v in groups.values())
    ordered, best, at_precision = ceiling(groups, true_pairs)
    cp, cr = clusters["precision"], clusters["recall"]
    out = {
        "candidate_pairs": len(pairs), "true_pairs": true_pairs, "blocking_reach": reached / true_pairs,
        "ceiling": {"f1": best[0], "precision": best[1], "recall": best[2], "last_share": best[3],
                    f"recall_at_precision_{PRECISION}": at_precision[0], f"f1_at_precision_{PRECISION}": at_precision[1]},
        "model_edges": {"precision": edges_true / max(1, edges), "recall": edges_true / true_pairs},
        "clusters": {"precision": cp, "recall": cr, "f1": clusters["f1"]},
        "combinations": [[list(k), n, same] for k, (n, same) in ordered],
        "true_pairs_under_threshold": [
            {"levels": k, "true": n, "pairs": under_all[k]} for k, n in under.most_common(15)],
    }
    print(f"candidate pairs {len(pairs):,}; true pairs {true_pairs:,}; blocking reaches {reached:,} "
          f"({out['blocking_reach']:.4f})")
    print(f"ceiling over level combinations: F1 {best[0]:.4f} (P {best[1]:.4f} R {best[2]:.4f}; "
          f"the last combination linked is one person {best[3]:.2f} of the time)")
    print(f"  at precision >= {PRECISION}: recall {at_precision[0]:.4f}, F1 {at_precision[1]:.4f}")
    print(f"model edges >= {DEFAULT_THRESHOLD}: P {out['model_edges']['precision']:.4f} R {out['model_edges']['recall']:.4f}; "
          f"clusters: P {cp:.4f} R {cr:.4f} F1 {out['clusters']['f1']:.4f}")
    print("true pairs under the threshold, by name | birth | country:")
    for row in out["true_pairs_under_threshold"]:
        print(f"  {row['true']:7,d} of {row['pairs']:10,d} ({row['true'] / row['pairs']:.3f})  {row['levels']}")
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
