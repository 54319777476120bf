"""Search, entities, statistics, catalog, health; and the admin's audit and key listing."""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from fastapi.responses import JSONResponse, RedirectResponse

from pepgraph.api.app import ApiError, audit, require
from pepgraph.api.routes_match import check_dataset
from pepgraph.names.normalize import other_tokens
from pepgraph.privacy import minor_sql
from pepgraph.store import Store

router = APIRouter()
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
FACETS = ("countries", "topics", "datasets", "schema")


def _store(gen: Any) -> Store:
    return Store.over(gen.cursor(), gen.path / "store.duckdb")


# -- health --------------------------------------------------------------------------------------
@router.get("/healthz", tags=["system"], summary="The process is up (no key needed)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["system"], summary="A published build is open and answering")
async def readyz(request: Request) -> JSONResponse:
    require(request, "reader")
    serving = request.app.state.serving
    if not serving.ready():
        return JSONResponse({"status": 503, "detail": "nothing published yet: run `pepgraph build`"}, status_code=503)
    with serving.use() as gen:
        return JSONResponse({"status": "ok", "generation": gen.name, "index": gen.index is not None})


# -- search --------------------------------------------------------------------------------------
def _cursor_decode(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    try:
        rank, last = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        return int(rank), str(last)
    except (ValueError, TypeError) as exc:
        raise ApiError(400, "cursor: not a cursor this server gave out") from exc


def _cursor_encode(rank: int, last: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([rank, last]).encode()).decode()


@router.get("/search/{dataset}", tags=["search"], summary="Text search with filters and facets")
def search(
    request: Request,
    dataset: str,
    q: str = Query("", max_length=500, description="Words of a name; every word must occur."),
    countries: list[str] = Query([], description="Only entities with one of these countries."),
    topics: list[str] = Query([], description="Only entities with one of these topics (role.pep, sanction...)."),
    datasets: list[str] = Query([], description="Only entities from one of these datasets."),
    schema: Optional[str] = Query(None, description="Only this schema, e.g. Person."),
    limit: int = Query(20, ge=1, le=500),
    cursor: Optional[str] = Query(None, description="`next` of the previous page."),
    include_minors: bool = Query(False, description="Admins only."),
) -> dict[str, Any]:
    require(request, "reader")
    if include_minors:
        require(request, "admin")
    tokens = [t for t in other_tokens(q) if t][:12]
    audit(request, query={"dataset": dataset, "q": q, "countries": countries, "topics": topics,
                          "datasets": datasets, "schema": schema})
    after = _cursor_decode(cursor)
    with request.app.state.serving.use() as gen:
        scope = check_dataset(gen, dataset)
        con = gen.cursor()
        where = ["s.current", f"s.prop IN ({', '.join(repr(p) for p in NAME_PROPS)})"]
        params: list[Any] = []
        for token in tokens:
            where.append("strip_accents(lower(s.value)) LIKE ?")
            params.append(f"%{token}%")
        if not tokens:
            where.append("s.prop = 'name'")
        filters = ["TRUE"]
        fparams: list[Any] = []
        if scope or datasets:
            filters.append("list_has_any(e.datasets, ?)")
            fparams.append(sorted(set(scope or []) | set(datasets)))
        if countries:
            filters.append("list_has_any(e.countries, ?)")
            fparams.append(countries)
        if topics:
            filters.append("list_has_any(e.topics, ?)")
            fparams.append(topics)
        if schema:
            filters.append("e.schema = ?")
            fparams.append(schema)
        if not include_minors:
            filters.append("NOT coalesce(list_contains(e.minor, TRUE), FALSE)")
        sql = f"""
            WITH hits AS (
                SELECT s.canonical_id, min(CASE WHEN strip_accents(lower(s.value)) = ? THEN 0 ELSE 1 END) AS rank
                FROM statements s WHERE {' AND '.join(where)} GROUP BY s.canonical_id
            ), e AS (
                SELECT h.canonical_id, h.rank,
                       min(st.schema) FILTER (WHERE st.prop = 'id') AS schema,
                       min(st.value) FILTER (WHERE st.prop = 'name') AS caption,
                       list(DISTINCT st.value) FILTER (WHERE st.prop_type = 'country') AS countries,
                       list(DISTINCT st.value) FILTER (WHERE st.prop = 'topics') AS topics,
                       list(DISTINCT st.dataset) AS datasets,
                       list(DISTINCT st.value) FILTER (WHERE st.prop = 'birthDate') AS birth_dates,
                       list(DISTINCT {minor_sql('st.value')}) FILTER (WHERE st.prop = 'birthDate') AS minor
                FROM hits h JOIN statements st ON st.canonical_id = h.canonical_id AND st.current
                GROUP BY h.canonical_id, h.rank
            )
            SELECT * FROM e WHERE {' AND '.join(filters)}
        """
        base = [" ".join(tokens), *params, *fparams]
        con.execute(f"CREATE OR REPLACE TEMP TABLE _search AS {sql}", base)
        total = con.execute("SELECT count(*) FROM _search").fetchone()[0]
        facets = {}
        for facet in FACETS:
            column = "[schema]" if facet == "schema" else facet
            rows = con.execute(
                f"SELECT v, count(*) FROM (SELECT unnest(coalesce({column}, [])) AS v FROM _search) "
                "WHERE v IS NOT NULL GROUP BY v ORDER BY 2 DESC, 1 LIMIT 30"
            ).fetchall()
            facets[facet] = {"label": facet, "values": [{"name": v, "label": v, "count": n} for v, n in rows]}
        page_where, page_params = "", []
        if after is not None:
            page_where = "WHERE (rank, canonical_id) > (?, ?)"
            page_params = [after[0], after[1]]
        rows = con.execute(
            f"SELECT canonical_id, rank, schema, caption, countries, topics, datasets, birth_dates FROM _search "
            f"{page_where} ORDER BY rank, canonical_id LIMIT ?", [*page_params, limit],
        ).fetchall()
        con.execute("DROP TABLE _search")
    results = [{"id": r[0], "schema": r[2], "caption": r[3] or r[0], "countries": sorted(r[4] or []),
                "topics": sorted(r[5] or []), "datasets": sorted(r[6] or []), "birth_dates": sorted(r[7] or [])}
               for r in rows]
    audit(request, returned=[r["id"] for r in results])
    nxt = _cursor_encode(rows[-1][1], rows[-1][0]) if len(rows) == limit else None
    return {"total": {"value": total, "relation": "eq"}, "limit": limit, "results": results,
            "facets": facets, "next": nxt}


# -- entities ------------------------------------------------------------------------------------
@router.get("/entities/{entity_id}", tags=["entities"], summary="A merged entity with its sources",
            responses={308: {"description": "merged into another entity: follow Location"}})
def entity(request: Request, entity_id: str, include_minors: bool = Query(False)) -> Any:
    require(request, "reader")
    if include_minors:
        require(request, "admin")
    audit(request, query={"id": entity_id})
    from pepgraph.entities import get_entity, resolve_id
    from pepgraph.profile import enrich

    with request.app.state.serving.use() as gen:
        store = _store(gen)
        canonical = resolve_id(store, entity_id)
        if canonical is None:
            raise ApiError(404, f"no entity {entity_id!r}")
        if canonical != entity_id:
            audit(request, returned=[canonical])
            return RedirectResponse(f"/entities/{canonical}", status_code=308)
        data = get_entity(store, canonical)
        data = enrich(store, data, include_minors=include_minors) if data else None
    if data is None:
        raise ApiError(404, f"no entity {entity_id!r}")
    audit(request, returned=[canonical])
    return data


@router.get("/entities/{entity_id}/adjacent", tags=["entities"], summary="Neighbours, page by page")
def adjacent(request: Request, entity_id: str, limit: int = Query(50, ge=1, le=500),
             offset: int = Query(0, ge=0), include_minors: bool = Query(False)) -> Any:  # fmt: skip
    require(request, "reader")
    if include_minors:
        require(request, "admin")
    audit(request, query={"id": entity_id, "limit": limit, "offset": offset})
    from pepgraph.entities import resolve_id
    from pepgraph.graph import _edges_touching, _nodes, minors

    with request.app.state.serving.use() as gen:
        store = _store(gen)
        canonical = resolve_id(store, entity_id)
        if canonical is None:
            raise ApiError(404, f"no entity {entity_id!r}")
        hidden = set() if include_minors else minors(store, [canonical])
        if canonical in hidden:
            raise ApiError(404, f"no entity {entity_id!r}")
        edges = sorted(_edges_touching(store, [canonical]), key=lambda e: (e["schema"], e["id"]))
        others = {e["target"] if e["source"] == canonical else e["source"] for e in edges}
        hidden |= set() if include_minors else minors(store, others)
        edges = [e for e in edges if e["source"] not in hidden and e["target"] not in hidden]
        page = edges[offset : offset + limit]
        nodes = _nodes(store, sorted({e["source"] for e in page} | {e["target"] for e in page}))
    audit(request, returned=sorted(nodes))
    return {"id": canonical, "total": len(edges), "offset": offset, "limit": limit,
            "edges": page, "nodes": list(nodes.values()),
            "next": offset + limit if offset + limit < len(edges) else None}


# -- statistics and catalog ------------------------------------------------------------------------
@router.get("/statistics", tags=["system"], summary="Counts by country, topic and dataset")
def statistics(request: Request, topic: Optional[str] = Query(None)) -> dict[str, Any]:
    require(request, "reader")
    from pepgraph.stats import stats

    audit(request, query={"topic": topic})
    with request.app.state.serving.use() as gen:
        store = _store(gen)
        out = {by: stats(store, by, topic=topic)["rows"] for by in ("country", "topic", "dataset")}
        out["pep_status"] = stats(store, "status")["rows"]
        out["pep_category"] = stats(store, "category")["rows"]
        out["total"] = stats(store, "schema")["total"]
    return out


@router.get("/catalog", tags=["system"], summary="Datasets, versions and licences")
def catalog(request: Request) -> dict[str, Any]:
    require(request, "reader")
    audit(request, query={})
    with request.app.state.serving.use() as gen:
        store = _store(gen)
        rows = store.query(
            "SELECT name, title, version, entity_count, statement_count, licence, source, sha256, "
            "first_ingested_at, ingested_at FROM datasets ORDER BY name"
        )
        versions = store.query("SELECT * FROM dataset_versions ORDER BY dataset, version")
        for row in rows:
            row["versions"] = [v for v in versions if v.get("dataset") == row["name"]]
        return {"datasets": rows, "generation": gen.name, "current": [r["name"] for r in rows]}


# -- review and judgements (analysts) ------------------------------------------------------------
class JudgementIn(BaseModel):
    left: str = Field(..., max_length=1024, examples=["reg-p1"])
    right: str = Field(..., max_length=1024, examples=["san-3"])
    judgement: str = Field(..., pattern="^(same|different|unsure)$", examples=["different"])
    note: Optional[str] = Field(None, max_length=2000)


@router.get("/review", tags=["review"], summary="The most uncertain pairs of the latest resolve (analysts)")
def review(request: Request, limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    require(request, "analyst")
    audit(request, query={"limit": limit})
    from pepgraph.entities import get_entity
    from pepgraph.resolve import review_queue

    pending = {(j["left"], j["right"]) for j in request.app.state.access.pending_judgements()}
    with request.app.state.serving.use() as gen:
        store = _store(gen)
        pairs = [p for p in review_queue(store, limit + len(pending)) if (p["left_id"], p["right_id"]) not in pending][:limit]
        out = []
        for pair in pairs:
            sides = []
            for rec in (pair["left_id"], pair["right_id"]):
                ent = get_entity(store, rec)
                sides.append({"id": rec, "caption": ent["caption"] if ent else rec,
                              "datasets": ent["datasets"] if ent else [],
                              "properties": {k: [v["value"] for v in vals][:5] for k, vals in (ent or {}).get("properties", {}).items()
                                             if k in ("name", "alias", "birthDate", "nationality", "citizenship", "country", "gender")}})
            explanation = pair.get("explanation")
            out.append({"left": sides[0], "right": sides[1], "probability": pair["probability"],
                        "match_weight": pair["match_weight"],
                        "explanation": json.loads(explanation) if isinstance(explanation, str) and explanation.startswith(("[", "{")) else explanation})
    audit(request, returned=[p["left"]["id"] for p in out] + [p["right"]["id"] for p in out])
    return {"pairs": out, "pending": len(pending)}


@router.post("/judgements", tags=["review"], status_code=201, summary="Record a judgement (analysts)")
def post_judgement(request: Request, body: JudgementIn) -> dict[str, Any]:
    key = require(request, "analyst")
    audit(request, query=body.model_dump())
    queued = request.app.state.access.add_judgement(key, body.left, body.right, body.judgement, body.note)
    return {"id": queued, "status": "queued", "applied": "at the next `pepgraph build`"}


# -- admin -----------------------------------------------------------------------------------------
@router.get("/audit", tags=["admin"], summary="Read the audit log (admins)")
def read_audit(request: Request, since: Optional[str] = None, key: Optional[str] = None,
               limit: int = Query(100, ge=1, le=10_000)) -> dict[str, Any]:  # fmt: skip
    require(request, "admin")
    audit(request, query={"since": since, "key": key})
    return {"entries": request.app.state.access.read_audit(since=since, key=key, limit=limit)}


@router.get("/keys", tags=["admin"], summary="API keys, without their secrets (admins)")
def list_keys(request: Request) -> dict[str, Any]:
    require(request, "admin")
    audit(request, query={})
    return {"keys": request.app.state.access.list_keys()}
