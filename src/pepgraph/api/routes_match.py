"""``POST /match/{dataset}``: yente's matching API, request and response shapes unchanged.

A batch of queries, each an FtM entity example (``schema`` and ``properties``), is screened
against the published index; each answer lists scored candidates with ``score``, ``match`` and
``features`` as yente returns them, plus pepgraph's ``topics`` and per-feature ``explanations``.
As in yente, ``default`` covers every loaded dataset and each dataset's own name narrows to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Union

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from pepgraph.api.app import ApiError, audit, require

router = APIRouter(tags=["matching"])


class EntityExample(BaseModel):
    id: Optional[str] = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, Union[str, list[Any]]] = Field(..., examples=[{"name": ["John Doe"]}])


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field({}, examples=[{}])
    queries: dict[str, EntityExample]
    config: dict[str, Any] = Field({})


def known_datasets(gen: Any) -> set[str]:
    """The generation's dataset names (read once per generation: a generation never changes)."""
    found = getattr(gen, "_datasets", None)
    if found is None:
        found = {r[0] for r in gen.cursor().execute("SELECT name FROM datasets").fetchall()} | {"derived_pep"}
        gen._datasets = found
    return found


def check_dataset(gen: Any, dataset: str) -> list[str] | None:
    """None for ``default`` (everything), else the dataset as a filter; 404 when unknown."""
    if dataset == "default":
        return None
    if dataset not in known_datasets(gen):
        raise ApiError(404, f"no dataset {dataset!r}; GET /catalog lists them (or use 'default')")
    return [dataset]


def _last_change(gen: Any, ids: list[str]) -> dict[str, datetime]:
    if not ids:
        return {}
    rows = gen.cursor().execute(
        "SELECT canonical_id, max(first_seen) FROM statements WHERE current AND list_contains(?, canonical_id) "
        "GROUP BY canonical_id", [ids],
    ).fetchall()
    return dict(rows)


@router.post("/match/{dataset}", summary="Match entities (yente-compatible)")
async def match(
    request: Request,
    dataset: str,
    body: EntityMatchQuery,
    limit: int = Query(5, ge=1, description="Results per query."),
    threshold: float = Query(0.7, ge=0.0, le=1.0, description="Score from which `match` is true."),
    cutoff: float = Query(0.0, ge=0.0, le=1.0, description="Leave out results scoring below this."),
    algorithm: Optional[str] = Query(None, description="Scoring algorithm (GET /algorithms)."),
    topics: list[str] = Query([], description="Only entities with one of these topics."),
    include_dataset: list[str] = Query([], description="Only entities from these datasets."),
    exclude_dataset: list[str] = Query([], description="Leave out entities from these datasets."),
    exclude_schema: list[str] = Query([], description="Leave out entities of these schemata."),
    exclude_entity_ids: list[str] = Query([], description="Leave out these entity ids."),
    changed_since: Optional[datetime] = Query(None, description="Only entities changed since then."),
    include_minors: bool = Query(False, description="Admins only: include persons under 18."),
) -> dict[str, Any]:
    """Runs on the event loop, not in a thread: a query scores in about a millisecond, less than
    a hand-off to the thread pool costs on a busy machine."""
    key = require(request, "reader")
    limits = request.app.state.limits
    if include_minors:
        require(request, "admin")
    if len(body.queries) > limits.max_queries:
        raise ApiError(400, f"{len(body.queries)} queries in one request; the limit is {limits.max_queries}")
    if len(body.queries) > limits.reader_max_queries and not key.allows("analyst"):
        raise ApiError(403, f"batches over {limits.reader_max_queries} queries need the analyst role")
    if limit > limits.max_limit:
        raise ApiError(400, f"limit {limit} is over the maximum of {limits.max_limit}")
    from pepgraph.screen import ALGORITHMS, get_algorithm, subject_from_entity

    if algorithm is not None and algorithm not in ALGORITHMS:
        raise ApiError(400, f"unknown algorithm {algorithm!r}; choose one of {', '.join(sorted(ALGORITHMS))}")
    audit(request, query={"dataset": dataset, "queries": {k: q.model_dump(by_alias=True) for k, q in body.queries.items()}})
    returned: list[str] = []
    responses: dict[str, Any] = {}
    with request.app.state.serving.use() as gen:
        scope = check_dataset(gen, dataset)
        datasets = sorted(set(scope or []) | set(include_dataset)) or None
        screener = gen.screener(algorithm)
        if screener is None:
            raise ApiError(503, "the published build has no screening index; run `pepgraph build`")
        excluded_ids = set(exclude_entity_ids)
        excluded_datasets = set(exclude_dataset)
        excluded_schemata = set(exclude_schema)
        for name, example in body.queries.items():
            try:
                subject = subject_from_entity({"id": example.id, "schema": example.schema_, "properties": example.properties})
            except Exception as exc:  # noqa: BLE001 - a bad query answers 400 in its own slot
                responses[name] = {"status": 400, "results": [], "total": {"value": 0, "relation": "eq"},
                                   "query": example.model_dump(by_alias=True), "detail": str(exc)}
                continue
            widened = limit * 4 if (excluded_ids or excluded_datasets or excluded_schemata or changed_since) else limit
            hits = screener.screen(subject, limit=widened, threshold=threshold, topics=topics or None,
                                   datasets=datasets, include_minors=include_minors, floor=cutoff)
            results = []
            for hit in hits:
                item = hit.to_dict()
                if item["id"] in excluded_ids or item["schema"] in excluded_schemata:
                    continue
                if excluded_datasets and set(item["datasets"]) <= excluded_datasets:
                    continue
                results.append(item)
            # last_change costs a store query per request: computed only when asked for
            changes = _last_change(gen, [r["id"] for r in results]) if changed_since is not None else {}
            if changed_since is not None:
                since = changed_since.replace(tzinfo=None)
                results = [r for r in results if changes.get(r["id"]) and changes[r["id"]] >= since]
            results = results[:limit]
            for item in results:
                item.setdefault("referents", [])
                item["target"] = "sanction" in item.get("topics", [])
                item["last_change"] = changes.get(item["id"]).isoformat() if changes.get(item["id"]) else None
                returned.append(item["id"])
            responses[name] = {
                "status": 200, "results": results, "total": {"value": len(results), "relation": "eq"},
                "query": example.model_dump(by_alias=True),
            }
    audit(request, returned=returned)
    return {"responses": responses, "matcher": matcher_docs(type(get_algorithm(algorithm))), "limit": limit}


def matcher_docs(cls: Any) -> dict[str, Any]:
    """yente's FeatureDocs shape: name, description, features -> {description}."""
    described = cls.describe()
    return {"name": described["name"], "description": described["description"],
            "features": {k: {"description": v} for k, v in described["features"].items()}}


@router.get("/algorithms", summary="Scoring algorithms and their features")
def algorithms(request: Request) -> dict[str, Any]:
    require(request, "reader")
    from pepgraph.screen import ALGORITHMS, DEFAULT_ALGORITHM

    docs = [matcher_docs(cls) for _, cls in sorted(ALGORITHMS.items())]
    return {"algorithms": docs, "default": DEFAULT_ALGORITHM, "best": DEFAULT_ALGORITHM}
