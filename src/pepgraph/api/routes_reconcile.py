"""``/reconcile/{dataset}``: the W3C reconciliation API (v0.2) as OpenRefine speaks it.

OpenRefine first GETs the service manifest, then POSTs ``queries=<JSON>`` (form-encoded) with a
batch of ``{"query": name, "type": schema, "limit": n, "properties": [{"pid", "v"}]}``; it
offers suggestions while a user types (``/suggest/entity``), shows a preview card, and extends
a table with properties of the matched entities (``extend``). Candidates come from the same
screener as ``/match``; the score is its score times 100, as reconciliation services report.
"""

from __future__ import annotations

import html
import json
from typing import Any, Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pepgraph.api.app import ApiError, audit, require
from pepgraph.api.routes_match import check_dataset

router = APIRouter(tags=["reconciliation"])
TYPES = ("Person", "Organization", "Company", "LegalEntity")
EXTEND_PROPS = ("birthDate", "deathDate", "nationality", "citizenship", "country", "gender", "topics",
                "position", "wikidataId", "idNumber", "alias")  # fmt: skip
PROPERTY_MAP = {"birthdate": "birthDate", "dob": "birthDate", "country": "country", "nationality": "nationality",
                "gender": "gender", "idnumber": "idNumber"}  # fmt: skip


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def manifest(request: Request, dataset: str) -> dict[str, Any]:
    base = _base(request)
    return {
        "versions": ["0.2"],
        "name": f"pepgraph ({dataset})",
        "identifierSpace": f"{base}/entities/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "defaultTypes": [{"id": t, "name": t} for t in TYPES],
        "view": {"url": f"{base}/entities/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/{dataset}/preview?id={{{{id}}}}", "width": 430, "height": 220},
        "suggest": {"entity": {"service_url": base, "service_path": f"/reconcile/{dataset}/suggest/entity"}},
        "extend": {
            "propose_properties": {"service_url": base, "service_path": f"/reconcile/{dataset}/extend/propose"},
            "property_settings": [],
        },
    }


def _reconcile(request: Request, dataset: str, queries: dict[str, Any]) -> dict[str, Any]:
    from pepgraph.screen import query_subject

    limits = request.app.state.limits
    if len(queries) > limits.max_queries:
        raise ApiError(400, f"{len(queries)} queries in one request; the limit is {limits.max_queries}")
    out: dict[str, Any] = {}
    returned: list[str] = []
    with request.app.state.serving.use() as gen:
        scope = check_dataset(gen, dataset)
        screener = gen.screener()
        if screener is None:
            raise ApiError(503, "the published build has no screening index; run `pepgraph build`")
        for qid, spec in queries.items():
            if not isinstance(spec, dict) or not str(spec.get("query") or "").strip():
                out[qid] = {"result": []}
                continue
            schema = spec.get("type") if spec.get("type") in TYPES else "LegalEntity"
            props: dict[str, list[str]] = {}
            for item in spec.get("properties") or []:
                if isinstance(item, dict):
                    prop = PROPERTY_MAP.get(str(item.get("pid", "")).lower().replace("_", ""), None)
                    values = item.get("v")
                    values = values if isinstance(values, list) else [values]
                    if prop:
                        props.setdefault(prop, []).extend(str(v) for v in values if v not in (None, ""))
            try:
                limit = max(1, min(int(spec.get("limit") or 5), limits.max_limit))
            except (TypeError, ValueError):
                limit = 5
            subject = query_subject(str(spec["query"])[:500], schema=schema, properties=props)
            hits = screener.screen(subject, limit=limit, datasets=scope)
            result = []
            for hit in hits:
                item = hit.to_dict()
                returned.append(item["id"])
                description = ", ".join(filter(None, [
                    "; ".join(item["properties"].get("birthDate", [])[:1]),
                    " ".join(item["properties"].get("country", [])[:3]),
                    " ".join(item.get("topics", [])),
                ]))
                result.append({"id": item["id"], "name": item["caption"], "score": round(item["score"] * 100, 1),
                               "match": item["match"], "type": [{"id": item["schema"], "name": item["schema"]}],
                               "description": description})
            out[qid] = {"result": result}
    audit(request, returned=returned)
    return out


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ApiError(400, f"{what}: not valid JSON ({exc})") from exc


@router.get("/reconcile/{dataset}", summary="Service manifest, or queries given as ?queries=")
def reconcile_get(request: Request, dataset: str, queries: Optional[str] = Query(None)) -> Any:
    require(request, "reader")
    audit(request, query={"dataset": dataset, "queries": queries})
    if queries:
        parsed = _parse_json(queries, "queries")
        if not isinstance(parsed, dict):
            raise ApiError(400, "queries: expected an object of query id -> query")
        return _reconcile(request, dataset, parsed)
    with request.app.state.serving.use() as gen:
        check_dataset(gen, dataset)
    return manifest(request, dataset)


@router.post("/reconcile/{dataset}", summary="Reconcile a batch (form field `queries`) or extend (`extend`)")
async def reconcile_post(request: Request, dataset: str) -> Any:
    require(request, "reader")
    form = await request.form()
    if "extend" in form:
        spec = _parse_json(str(form["extend"]), "extend")
        audit(request, query={"dataset": dataset, "extend": spec})
        return _extend(request, spec)
    text = form.get("queries")
    if text is None:
        raise ApiError(400, "expected a form field 'queries' (or 'extend') holding JSON")
    parsed = _parse_json(str(text), "queries")
    if not isinstance(parsed, dict):
        raise ApiError(400, "queries: expected an object of query id -> query")
    audit(request, query={"dataset": dataset, "queries": parsed})
    return _reconcile(request, dataset, parsed)


@router.get("/reconcile/{dataset}/suggest/entity", summary="Suggest entities while typing")
def suggest(request: Request, dataset: str, prefix: str = Query("", max_length=200),
            limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:  # fmt: skip
    require(request, "reader")
    audit(request, query={"dataset": dataset, "prefix": prefix})
    if not prefix.strip():
        return {"result": []}
    found = _reconcile(request, dataset, {"q": {"query": prefix, "limit": limit}})["q"]["result"]
    return {"result": [{"id": r["id"], "name": r["name"], "description": r["description"]} for r in found]}


@router.get("/reconcile/{dataset}/extend/propose", summary="Properties a table can be extended with")
def propose(request: Request, dataset: str, type: str = Query("Person")) -> dict[str, Any]:
    require(request, "reader")
    return {"type": type, "properties": [{"id": p, "name": p} for p in EXTEND_PROPS]}


def _extend(request: Request, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or not isinstance(spec.get("ids"), list):
        raise ApiError(400, "extend: expected {\"ids\": [...], \"properties\": [{\"id\": ...}]}")
    ids = [str(i) for i in spec["ids"]][: request.app.state.limits.max_limit]
    props = [str(p.get("id")) for p in spec.get("properties") or [] if isinstance(p, dict) and p.get("id")]
    from pepgraph.graph import minors

    with request.app.state.serving.use() as gen:
        con = gen.cursor()
        rows = con.execute(
            "SELECT canonical_id, prop, list(DISTINCT value ORDER BY value) FROM statements "
            "WHERE current AND list_contains(?, canonical_id) AND list_contains(?, prop) GROUP BY ALL",
            [ids, props],
        ).fetchall()
        from pepgraph.store import Store

        hidden = minors(Store.over(gen.cursor(), gen.path / "store.duckdb"), ids)
    values: dict[str, dict[str, list[dict[str, str]]]] = {i: {p: [] for p in props} for i in ids}
    for cid, prop, vals in rows:
        if cid not in hidden:
            values[cid][prop] = [{"str": v} for v in vals]
    audit(request, returned=[i for i in ids if i not in hidden])
    return {"meta": [{"id": p, "name": p} for p in props], "rows": values}


@router.get("/reconcile/{dataset}/preview", response_class=HTMLResponse, summary="A small preview card")
def preview(request: Request, dataset: str, id: str = Query(..., max_length=300)) -> HTMLResponse:
    require(request, "reader")
    audit(request, query={"id": id})
    from pepgraph.entities import get_entity
    from pepgraph.profile import enrich
    from pepgraph.store import Store

    with request.app.state.serving.use() as gen:
        store = Store.over(gen.cursor(), gen.path / "store.duckdb")
        data = get_entity(store, id)
        data = enrich(store, data) if data else None
    if data is None:
        raise ApiError(404, f"no entity {id!r}")
    audit(request, returned=[data["id"]])
    facts = []
    for prop in ("birthDate", "nationality", "citizenship", "country", "topics"):
        vals = [v["value"] for v in data["properties"].get(prop, [])][:4]
        if vals:
            facts.append(f"<dt>{html.escape(prop)}</dt><dd>{html.escape(', '.join(vals))}</dd>")
    status = " · ".join(f"{k.upper()} {data[f'{k}_status']}" for k in ("pep", "rca") if data.get(f"{k}_status"))
    body = (
        f"<html><body style='font-family:sans-serif;font-size:13px;margin:8px'>"
        f"<strong>{html.escape(data['caption'])}</strong> <small>{html.escape(data['schema'])}</small>"
        f"<div>{html.escape(status)}</div><dl>{''.join(facts)}</dl>"
        f"<small>sources: {html.escape(', '.join(data['datasets']))}</small></body></html>"
    )
    return HTMLResponse(body)
