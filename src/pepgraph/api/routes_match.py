"""``POST /match/{dataset}``: yente's matching API, request and response shapes unchanged.

A batch of queries, each an FtM entity example (``schema`` and ``properties``), is screened
against the published index; each answer lists scored candidates with ``score``, ``match`` and
``features`` as yente returns them, plus pepgraph's ``topics`` and per-feature ``explanations``.
As in yente, ``default`` covers every loaded dataset and each dataset's own name narrows to it.
"""

from __future__ import annotations

import functools
from datetime import datetime
from dataclasses import dataclass
from typing import Any, Optional, Union

import orjson
from fastapi import APIRouter, Request, Response
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


# The query parameters, read by ``MatchParams.parse`` and documented here for /openapi.json.
# FastAPI's own parsing of a dozen ``Query`` parameters cost about a fifth of a /match request's
# CPU (it re-inspects each annotation on every request), more than scoring a query's names.
def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_LIST = {"type": "array", "items": {"type": "string"}, "default": []}
MATCH_PARAMETERS = [
    _param("limit", {"type": "integer", "minimum": 1, "default": 5}, "Results per query."),
    _param("threshold", {"type": "number", "minimum": 0, "maximum": 1, "default": 0.7}, "Score from which `match` is true."),
    _param("cutoff", {"type": "number", "minimum": 0, "maximum": 1, "default": 0.0}, "Leave out results scoring below this."),
    _param("algorithm", {"type": "string"}, "Scoring algorithm (GET /algorithms)."),
    _param("topics", _LIST, "Only entities with one of these topics."),
    _param("include_dataset", _LIST, "Only entities from these datasets."),
    _param("exclude_dataset", _LIST, "Leave out entities from these datasets."),
    _param("exclude_schema", _LIST, "Leave out entities of these schemata."),
    _param("exclude_entity_ids", _LIST, "Leave out these entity ids."),
    _param("changed_since", {"type": "string", "format": "date-time"}, "Only entities changed since then."),
    _param("include_minors", {"type": "boolean", "default": False}, "Admins only: include persons under 18."),
]
_TRUE = {"1", "true", "on", "yes", "t", "y"}
_FALSE = {"0", "false", "off", "no", "f", "n"}


@dataclass(frozen=True, slots=True)
class MatchParams:
    limit: int = 5
    threshold: float = 0.7
    cutoff: float = 0.0
    algorithm: str | None = None
    topics: tuple[str, ...] = ()
    include_dataset: tuple[str, ...] = ()
    exclude_dataset: tuple[str, ...] = ()
    exclude_schema: tuple[str, ...] = ()
    exclude_entity_ids: tuple[str, ...] = ()
    changed_since: datetime | None = None
    include_minors: bool = False

    @classmethod
    def parse(cls, request: Request) -> "MatchParams":
        """The parameters of a request; a bad value answers 422 naming the parameter."""
        qp = request.query_params
        values: dict[str, Any] = {}

        def bad(name: str, why: str) -> ApiError:
            return ApiError(422, f"query.{name}: {why}")

        def number(name: str, kind: type, lo: float | None, hi: float | None) -> None:
            raw = qp.get(name)
            if raw is None:
                return
            try:
                value = kind(raw)
            except ValueError:
                raise bad(name, f"not a valid {'integer' if kind is int else 'number'}: {raw[:50]!r}") from None
            if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):  # NaN too
                raise bad(name, f"must be {'at least ' + str(lo) if hi is None else f'between {lo} and {hi}'}")
            values[name] = value

        number("limit", int, 1, None)
        number("threshold", float, 0.0, 1.0)
        number("cutoff", float, 0.0, 1.0)
        if "algorithm" in qp:
            values["algorithm"] = qp["algorithm"]
        for name in ("topics", "include_dataset", "exclude_dataset", "exclude_schema", "exclude_entity_ids"):
            if name in qp:
                values[name] = tuple(qp.getlist(name))
        if "changed_since" in qp:
            raw = qp["changed_since"]
            try:
                values["changed_since"] = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
            except ValueError:
                raise bad("changed_since", f"not an ISO 8601 date or date-time: {raw[:50]!r}") from None
        if "include_minors" in qp:
            raw = qp["include_minors"].lower()
            if raw not in _TRUE | _FALSE:
                raise bad("include_minors", f"not a boolean: {raw[:50]!r}")
            values["include_minors"] = raw in _TRUE
        return cls(**values)


@router.post("/match/{dataset}", summary="Match entities (yente-compatible)", response_model=None,
             openapi_extra={"parameters": MATCH_PARAMETERS},
             responses={200: {"description": "yente's response: `responses` (one per query: `status`, "
                                              "`results`, `total`, `query`), `matcher`, `limit`",
                              "content": {"application/json": {"schema": {"type": "object"}}}}})
async def match(request: Request, dataset: str, body: EntityMatchQuery) -> Response:
    """Runs on the event loop, not in a thread: a query scores in about a millisecond, less than
    a hand-off to the thread pool costs on a busy machine. The answer is encoded with orjson
    straight into the response (FastAPI's own validation and encoding of a free-form dict cost
    more than the encoding itself)."""
    params = MatchParams.parse(request)
    limit, threshold, cutoff, algorithm = params.limit, params.threshold, params.cutoff, params.algorithm
    topics, include_dataset, exclude_dataset = list(params.topics), list(params.include_dataset), list(params.exclude_dataset)
    exclude_schema, exclude_entity_ids = list(params.exclude_schema), list(params.exclude_entity_ids)
    changed_since, include_minors = params.changed_since, params.include_minors
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
    echoes = {k: q.model_dump(by_alias=True) for k, q in body.queries.items()}
    audit(request, query={"dataset": dataset, "queries": echoes})
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
                                   "query": echoes[name], "detail": str(exc)}
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
                "query": echoes[name],
            }
    audit(request, returned=returned)
    answer = {"responses": responses, "matcher": matcher_docs(type(get_algorithm(algorithm))), "limit": limit}
    return Response(orjson.dumps(answer, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json")


def _plain(value: Any) -> Any:
    """What orjson cannot encode by itself: numpy scalars as numbers, anything else as text."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@functools.cache
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
