"""The screening benchmark's peer: nomenklatura's logic-v2, in one of two set-ups.

Runs in the peer's own virtualenv (``benchmarks/peer_setup.sh`` makes ``.venv-peer``), never in
pepgraph's: ``benchmarks/screen.py`` starts it as a subprocess.

``peer_score.py same CANDIDATES.jsonl`` -- logic-v2 scores given candidate sets (pepgraph's):
reads ``{"qid", "query": <FtM entity>, "candidates": [<FtM entity>, ...]}`` lines, writes
``{"qid", "scores": [score per candidate]}`` lines.

``peer_score.py own ENTITIES.jsonl QUERIES.jsonl`` -- the peer's whole query, as the issue measured
it: 50 candidates per query from a rapidfuzz pre-selection over every indexed name
(``process.extract`` with ``token_set_ratio`` on rapidfuzz's default processing, the best name
of each entity, the 50 best entities), then logic-v2 on each. Reads FtM entities, and
``{"qid", "query": <FtM entity>}`` lines; writes ``{"qid", "ids": [...], "scores": [...]}``.

Both end with a line ``{"summary": {"algorithm", "version", "queries", "pairs", "seconds",
"select_seconds"}}``: ``seconds`` is the time in ``compare`` only, ``select_seconds`` the
pre-selection's (0 for ``same``); parsing the input and one warm-up comparison (rigour builds its
name tagger on the first) are excluded from both.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import time
from typing import Any

from followthemoney import model
from nomenklatura.matching import get_algorithm
from rapidfuzz import fuzz, process, utils

ALGORITHM = "logic-v2"
PRESELECT = 50


def _summary(queries: int, pairs: int, spent: float, select: float) -> str:
    return json.dumps({"summary": {
        "algorithm": ALGORITHM, "version": importlib.metadata.version("nomenklatura"), "queries": queries,
        "pairs": pairs, "seconds": spent, "select_seconds": select,
    }})


def _logic_v2() -> Any:
    """A function scoring one query against its candidates with logic-v2's default config."""
    algorithm = get_algorithm(ALGORITHM)
    config = algorithm.default_config()
    # rigour builds its name tagger on the first comparison (seconds): not the peer's per-query cost
    warm = model.get_proxy({"id": "warm", "schema": "Person", "properties": {"name": ["Warm Up"]}})
    algorithm.compare(warm, warm, config)
    return lambda query, candidates: [round(algorithm.compare(query, c, config).score, 4) for c in candidates]


def same(path: str) -> None:
    score = _logic_v2()
    spent = 0.0
    queries = pairs = 0
    out = sys.stdout
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            query = model.get_proxy(item["query"])
            candidates = [model.get_proxy(c) for c in item["candidates"]]
            started = time.perf_counter()
            scores = score(query, candidates)
            spent += time.perf_counter() - started
            queries += 1
            pairs += len(candidates)
            out.write(json.dumps({"qid": item["qid"], "scores": scores}) + "\n")
    out.write(_summary(queries, pairs, spent, 0.0) + "\n")


def own(entities_path: str, queries_path: str) -> None:
    score = _logic_v2()
    proxies: list[Any] = []
    choices: list[str] = []
    owner: list[int] = []
    with open(entities_path, encoding="utf-8") as fh:
        for line in fh:
            proxy = model.get_proxy(json.loads(line))
            for name in proxy.get_type_values(proxy.schema.properties["name"].type):
                choices.append(utils.default_process(name))
                owner.append(len(proxies))
            proxies.append(proxy)
    spent = select = 0.0
    queries = pairs = 0
    out = sys.stdout
    with open(queries_path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            query = model.get_proxy(item["query"])
            started = time.perf_counter()
            best: dict[int, float] = {}
            for name in query.get_type_values(query.schema.properties["name"].type):
                found = process.extract(utils.default_process(name), choices, scorer=fuzz.token_set_ratio,
                                        limit=PRESELECT * 4)
                for _, similarity, i in found:
                    e = owner[i]
                    if similarity > best.get(e, -1.0):
                        best[e] = similarity
            picked = sorted(best, key=lambda e: -best[e])[:PRESELECT]
            mid = time.perf_counter()
            scores = score(query, [proxies[e] for e in picked])
            done = time.perf_counter()
            select += mid - started
            spent += done - mid
            queries += 1
            pairs += len(picked)
            out.write(json.dumps({"qid": item["qid"], "ids": [proxies[e].id for e in picked], "scores": scores}) + "\n")
    out.write(_summary(queries, pairs, spent, select) + "\n")


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "same" and len(sys.argv) == 3:
        same(sys.argv[2])
    elif mode == "own" and len(sys.argv) == 4:
        own(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: peer_score.py same CANDIDATES.jsonl | own ENTITIES.jsonl QUERIES.jsonl")


if __name__ == "__main__":
    main()
