"""The screening benchmark's peer: nomenklatura's logic-v2 scoring given candidate sets.

Runs in the peer's own virtualenv (``benchmarks/peer_setup.sh`` makes ``.venv-peer``), never in
pepgraph's: ``benchmarks/screen.py`` starts it as a subprocess. Reads JSON lines
``{"qid", "query": <FtM entity>, "candidates": [<FtM entity>, ...]}`` from the file given, writes
``{"qid", "scores": [score per candidate]}`` lines to stdout, and a last line
``{"summary": {"algorithm", "version", "queries", "pairs", "seconds"}}`` where ``seconds`` is the
time spent in ``compare`` only (entity parsing excluded).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import time

from followthemoney import model
from nomenklatura.matching import get_algorithm


def main() -> None:
    path, name = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "logic-v2")
    algorithm = get_algorithm(name)
    if algorithm is None:
        sys.exit(f"no algorithm {name!r} in nomenklatura")
    config = algorithm.default_config()
    spent = 0.0
    queries = pairs = 0
    out = sys.stdout
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            query = model.get_proxy(item["query"])
            candidates = [model.get_proxy(c) for c in item["candidates"]]
            scores = []
            started = time.perf_counter()
            for cand in candidates:
                scores.append(round(algorithm.compare(query, cand, config).score, 4))
            spent += time.perf_counter() - started
            queries += 1
            pairs += len(candidates)
            out.write(json.dumps({"qid": item["qid"], "scores": scores}) + "\n")
    out.write(json.dumps({"summary": {
        "algorithm": name, "version": importlib.metadata.version("nomenklatura"), "queries": queries,
        "pairs": pairs, "seconds": spent,
    }}) + "\n")


if __name__ == "__main__":
    main()
