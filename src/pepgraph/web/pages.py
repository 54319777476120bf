"""The pages' routes. Each page builds one dict and answers it as HTML (a Jinja2 template) or as
JSON (its twin: the same route with ``.json``, or ``Accept: application/json``).

Data comes from the published generation (``request.app.state.serving.use()``), through the
API's own route functions where one exists (search, entity, statistics, catalog, review), so the
pages and the API answer the same thing, and audit it the same way.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders

from pepgraph.api import routes_data
from pepgraph.api.app import ApiError, audit, require
from pepgraph.errors import NotFound, PepgraphError, StoreError
from pepgraph.web.explain import explain_hit, script_of

HERE = Path(__file__).parent
COOKIE = "pepgraph_key"
COOKIE_MAX_AGE = 12 * 3600
NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "firstName", "middleName", "fatherName", "lastName")
TOPIC_LABELS = {"role.pep": "PEP", "role.rca": "relative or associate (RCA)", "sanction": "sanctioned",
                "crime": "crime", "poi": "person of interest"}
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals["topic_label"] = lambda t: TOPIC_LABELS.get(t, t)
env.filters["urlq"] = lambda v: quote(str(v), safe="")

router = APIRouter(include_in_schema=False)


# -- plumbing ------------------------------------------------------------------------------------
def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
    key = getattr(request.state, "key", None)
    html = env.get_template(template).render(request=request, data=data, key=key, path=request.url.path,
                                             today=date.today().isoformat())
    return HTMLResponse(html, status_code=status)


def page(template: str) -> Callable[..., Any]:
    """A page handler returns its data dict; this answers it as JSON or HTML, and turns errors
    into an error page (HTML) or the API's envelope (JSON)."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(request: Request, *args: Any, **kwargs: Any) -> Any:
            as_json = wants_json(request)
            try:
                data = fn(request, *args, **kwargs)
            except (ApiError, PepgraphError) as exc:
                if as_json:
                    raise
                status = exc.status if isinstance(exc, ApiError) else 404 if isinstance(exc, NotFound) \
                    else 503 if isinstance(exc, StoreError) else 400
                return render(request, "error.html", {"status": status, "detail": getattr(exc, "detail", str(exc))}, status)
            if isinstance(data, Response):
                return data
            if as_json:
                return JSONResponse({k: v for k, v in data.items() if not k.startswith("_")})
            if request.headers.get("x-partial") and data.get("_partial"):
                return render(request, data["_partial"], data)
            return render(request, template, data)

        return inner

    return wrap


def minors_flag(request: Request, include_minors: bool) -> bool:
    if include_minors:
        require(request, "admin")
    return include_minors


def _store(gen: Any) -> Any:
    return routes_data._store(gen)


# -- sign-in -------------------------------------------------------------------------------------
def _safe_next(target: str | None) -> str:
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/search"


@router.get("/login")
def login_form(request: Request, next: str = Query("/ui/search")) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, key: str = Form(""), next: str = Form("/ui/search")) -> Response:
    access = request.app.state.access
    found = access.verify(key.strip()) if key.strip() else None
    client = request.client.host if request.client else None
    access.audit(found, "POST", "/login", 303 if found else 401, {"sign_in": True}, None, client)
    if found is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "That key is unknown or revoked."}, 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, key.strip(), max_age=COOKIE_MAX_AGE, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
def root(request: Request) -> Response:
    require(request, "reader")
    return RedirectResponse("/ui/search", status_code=303)


@router.get("/ui")
@router.get("/ui/")
def ui_root(request: Request) -> Response:
    require(request, "reader")
    return RedirectResponse("/ui/search", status_code=303)


# -- search --------------------------------------------------------------------------------------
@router.get("/ui/search")
@router.get("/ui/search.json")
@page("search.html")
def search_page(
    request: Request,
    q: str = Query("", max_length=500),
    countries: list[str] = Query([]),
    topics: list[str] = Query([]),
    datasets: list[str] = Query([]),
    schema: str = Query(""),
    cursor: str = Query(""),
    include_minors: bool = Query(False),
) -> dict[str, Any]:
    require(request, "reader")
    include_minors = minors_flag(request, include_minors)
    data: dict[str, Any] = {"q": q, "countries": countries, "topics": topics, "datasets": datasets,
                            "schema": schema, "include_minors": include_minors, "results": [], "facets": {},
                            "total": None, "next": None, "_partial": "search_results.html"}
    if not q.strip() and not (countries or topics or datasets or schema):
        audit(request, query={"q": q}, returned=[])
        return data
    found = routes_data.search(request, "default", q=q, countries=countries, topics=topics, datasets=datasets,
                               schema=schema or None, limit=20, cursor=cursor or None, include_minors=include_minors)
    results = found["results"]
    ids = [r["id"] for r in results]
    if ids:
        from pepgraph.names.normalize import other_tokens

        tokens = [t for t in other_tokens(q) if t]
        with request.app.state.serving.use() as gen:
            con = gen.cursor()
            positions: dict[str, list[str]] = {}
            for cid, name in con.execute(
                "SELECT canonical_id, position_name FROM pep_roles WHERE role = 'pep' AND status = 'current' "
                "AND list_contains(?, canonical_id) ORDER BY position_name", [ids]).fetchall():
                positions.setdefault(cid, [])
                if name and name not in positions[cid]:
                    positions[cid].append(name)
            names: dict[str, list[tuple[str, str]]] = {}
            for cid, prop, value in con.execute(
                f"SELECT DISTINCT canonical_id, prop, value FROM statements WHERE current AND list_contains(?, canonical_id) "
                f"AND prop IN ({', '.join(repr(p) for p in routes_data.NAME_PROPS)}) ORDER BY 1, 2, 3", [ids]).fetchall():
                names.setdefault(cid, []).append((prop, value))
        for r in results:
            r["positions"] = positions.get(r["id"], [])[:3]
            r["matched"] = _why(names.get(r["id"], []), tokens, r["caption"])
    data.update(results=results, facets=found["facets"], total=found["total"]["value"], next=found["next"])
    if found["next"]:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        data["next_url"] = "/ui/search?" + urlencode([*params, ("cursor", found["next"])])
    return data


def _why(names: list[tuple[str, str]], tokens: list[str], caption: str) -> str:
    """Which name held every word of the query, said in words."""
    from pepgraph.names.normalize import other_tokens

    if not tokens:
        return "matched the filters"
    for prop, value in sorted(names, key=lambda n: (n[1] != caption, n[0] != "name")):
        folded = " ".join(other_tokens(value))
        if all(t in folded for t in tokens):
            label = {"name": "name", "alias": "alias", "previousName": "previous name", "weakAlias": "weak alias"}.get(prop, prop)
            script = script_of(value)
            extra = f", {script} script" if script and script != "Latin" else ""
            return f"{label} “{value}”{extra} contains every word"
    return "every word occurs in a name"


# -- profile -------------------------------------------------------------------------------------
@router.get("/ui/entities/{entity_id}")
@page("profile.html")
def profile_page(request: Request, entity_id: str, include_minors: bool = Query(False)) -> Any:
    require(request, "reader")
    include_minors = minors_flag(request, include_minors)
    suffix = ".json" if entity_id.endswith(".json") else ""
    entity_id = entity_id[: -len(suffix)] if suffix else entity_id
    data = routes_data.entity(request, entity_id, include_minors=include_minors)
    if isinstance(data, Response):  # merged away: the canonical profile
        canonical = (data.headers.get("location") or "").rsplit("/", 1)[-1]
        return RedirectResponse(f"/ui/entities/{quote(canonical, safe='')}{suffix}", status_code=308)
    return _profile(data)


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    props = data.get("properties", {})
    names = []
    for prop in ("name", "alias", "previousName", "weakAlias"):
        for value in props.get(prop, []):
            names.append({"prop": prop, "value": value["value"], "script": script_of(value["value"]) or "-",
                          "lang": value.get("lang"), "sources": value["sources"]})
    names.sort(key=lambda n: (n["script"] != "Latin", n["script"], n["prop"] != "name", n["value"]))
    records: dict[str, dict[str, Any]] = {}
    for values in props.values():
        for value in values:
            for src in value["sources"]:
                rec = records.setdefault(src["entity_id"], {"id": src["entity_id"], "datasets": set(), "origins": set()})
                rec["datasets"].add(src["dataset"])
                if src.get("origin"):
                    rec["origins"].add(src["origin"])
    merged = [{"id": r["id"], "datasets": sorted(r["datasets"]), "origins": sorted(r["origins"])}
              for r in sorted(records.values(), key=lambda r: r["id"])]
    data["names"] = names
    data["records"] = merged
    data["timeline"] = _timeline(data.get("positions", []))
    data["other_properties"] = {k: v for k, v in sorted(props.items()) if k not in ("name", "alias", "previousName", "weakAlias")}
    return data


def _timeline(positions: list[dict[str, Any]]) -> dict[str, Any]:
    """Positions as bars on one time axis (percentages of the span from first start to today)."""
    def year(d: str | None) -> float | None:
        try:
            return int(d[:4]) + (int(d[5:7]) - 1) / 12 if d and len(d) >= 7 else (int(d[:4]) if d else None)
        except ValueError:
            return None

    now = date.today().year + (date.today().month - 1) / 12
    starts = [y for p in positions if (y := year(p["start"])) is not None]
    if not starts:
        return {"bars": [], "from": None, "to": None}
    lo = min(starts)
    hi = max([now, *[y for p in positions if (y := year(p["end"])) is not None]])
    span = max(hi - lo, 1)
    bars = []
    for p in positions:
        s = year(p["start"])
        if s is None:
            continue
        e = year(p["end"]) if p["end"] else now
        bars.append({"label": p["position"], "start": p["start"], "end": p["end"] or "present",
                     "left": round((s - lo) / span * 100, 2), "width": max(round(((e or s) - s) / span * 100, 2), 1),
                     "status": p.get("pep_status") or "none"})
    return {"bars": bars, "from": int(lo), "to": int(hi)}


# -- graph ---------------------------------------------------------------------------------------
@router.get("/ui/entities/{entity_id}/graph")
@router.get("/ui/entities/{entity_id}/graph.json")
@page("graph.html")
def graph_page(request: Request, entity_id: str, depth: int = Query(1, ge=1, le=3), limit: int = Query(25, ge=1, le=500),
               include_minors: bool = Query(False)) -> dict[str, Any]:  # fmt: skip
    require(request, "reader")
    include_minors = minors_flag(request, include_minors)
    audit(request, query={"id": entity_id, "depth": depth, "limit": limit})
    from pepgraph.graph import neighbourhood

    with request.app.state.serving.use() as gen:
        data = neighbourhood(_store(gen), entity_id, depth=depth, limit=limit, include_minors=include_minors)
    audit(request, returned=[n["id"] for n in data["nodes"]])
    root = next((n for n in data["nodes"] if n["id"] == data["root"]), {"caption": data["root"]})
    data.update(caption=root["caption"], limit=limit, include_minors=include_minors)
    return data


# -- screening -----------------------------------------------------------------------------------
@router.get("/ui/screen")
@router.get("/ui/screen.json")
@page("screen.html")
def screen_page(request: Request, name: str = Query("", max_length=500), birth_date: str = Query("", max_length=20),
                country: str = Query("", max_length=10), limit: int = Query(10, ge=1, le=50),
                include_minors: bool = Query(False)) -> dict[str, Any]:  # fmt: skip
    require(request, "reader")
    include_minors = minors_flag(request, include_minors)
    data: dict[str, Any] = {"name": name, "birth_date": birth_date, "country": country, "results": None,
                            "include_minors": include_minors}
    if not name.strip():
        audit(request, query={"name": name}, returned=[])
        return data
    from pepgraph.screen import query_subject

    audit(request, query={"name": name, "birth_date": birth_date, "country": country})
    with request.app.state.serving.use() as gen:
        screener = gen.screener()
        if screener is None:
            raise ApiError(503, "the published build has no screening index; run `pepgraph build`")
        subject = query_subject(name, birth_date=birth_date or None, country=country.lower() or None)
        hits = screener.screen(subject, limit=limit, include_minors=include_minors, floor=0.3)
        results = []
        for hit in hits:
            item = hit.to_dict()
            item["plain"] = explain_hit(item)
            item["target"] = "sanction" in item.get("topics", [])
            results.append(item)
    audit(request, returned=[r["id"] for r in results])
    data["results"] = results
    return data


# -- statistics, datasets, methodology -----------------------------------------------------------
@router.get("/ui/statistics")
@router.get("/ui/statistics.json")
@page("statistics.html")
def statistics_page(request: Request) -> dict[str, Any]:
    require(request, "reader")
    data = routes_data.statistics(request, topic=None)
    from pepgraph.privacy import minor_sql

    with request.app.state.serving.use() as gen:
        rows = gen.cursor().execute(
            f"""
            WITH young AS (SELECT DISTINCT canonical_id FROM statements WHERE current AND prop = 'birthDate'
                           AND {minor_sql('value')}),
            ed AS (SELECT DISTINCT canonical_id, dataset FROM statements WHERE current AND dataset <> 'derived_pep'
                   AND canonical_id NOT IN (SELECT canonical_id FROM young))
            SELECT a.dataset, b.dataset, count(*) FROM ed a JOIN ed b USING (canonical_id)
            WHERE a.dataset < b.dataset GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 30
            """).fetchall()
    data["overlap"] = [{"a": a, "b": b, "entities": n} for a, b, n in rows]
    for key in ("country", "topic", "dataset", "pep_status", "pep_category"):
        top = max([r["entities"] for r in data[key]] or [1])
        for r in data[key]:
            r["pct"] = round(r["entities"] / top * 100, 1)
    data["country"] = data["country"][:40]
    return data


@router.get("/ui/datasets")
@router.get("/ui/datasets.json")
@page("datasets.html")
def datasets_page(request: Request) -> dict[str, Any]:
    require(request, "reader")
    data = routes_data.catalog(request)
    for row in data["datasets"]:
        for k, v in list(row.items()):
            if hasattr(v, "isoformat"):
                row[k] = v.isoformat(timespec="minutes") if hasattr(v, "hour") else v.isoformat()
        for ver in row.get("versions", []):
            for k, v in list(ver.items()):
                if hasattr(v, "isoformat"):
                    ver[k] = v.isoformat(timespec="minutes") if hasattr(v, "hour") else v.isoformat()
    return data


@router.get("/ui/methodology")
@router.get("/ui/methodology.json")
@page("methodology.html")
def methodology_page(request: Request) -> dict[str, Any]:
    require(request, "reader")
    audit(request, query={})
    import yaml  # type: ignore[import-untyped]

    rules = yaml.safe_load((Path(__file__).parents[1] / "pep" / "rules.yml").read_text(encoding="utf-8"))
    keys = ("after_office_years", "scope_tier", "after_death_years", "max_age_years", "stale_current_days", "open_term_years")
    return {"rules": {k: rules.get(k) for k in keys}, "minor_age": 18,
            "document": "docs/methodology.md", "corrections": "docs/methodology.md#corrections"}


# -- review --------------------------------------------------------------------------------------
@router.get("/ui/review")
@router.get("/ui/review.json")
@page("review.html")
def review_page(request: Request, limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    require(request, "analyst")
    data = routes_data.review(request, limit=limit)
    for pair in data["pairs"]:
        exp = pair.get("explanation")
        rows, notes = [], []
        if isinstance(exp, dict):
            for name, part in exp.items():
                if isinstance(part, dict):
                    if part.get("level") not in (None, "null"):
                        rows.append({"comparison": name, "level": part.get("level"), "weight": part.get("weight")})
                else:
                    notes.append(f"{name}: {part}")
        pair["explanation_rows"], pair["explanation_notes"] = rows, notes
        fields = sorted(set(pair["left"]["properties"]) | set(pair["right"]["properties"]),
                        key=lambda f: (f != "name", f))
        pair["fields"] = fields
    return data


# -- mounting ------------------------------------------------------------------------------------
def _redirect_to_login(request: Request, status: int) -> bool:
    path = request.url.path
    if status != 401 or wants_json(request) or request.headers.get("authorization") or request.method != "GET":
        return False
    return path == "/" or (path.startswith("/ui") and not path.startswith("/ui/static/"))


def mount(app: Any) -> None:
    from pepgraph.web import batch

    app.include_router(router)
    app.include_router(batch.router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")

    app.add_middleware(_PagesGuard)  # outermost: after the API guard has answered


class _PagesGuard:
    """Pure ASGI middleware, outside the API's guard: a browser without a key goes to the sign-in
    page, and pages get security headers. Requests for other paths (``/match``, ``/search``, ...)
    pass straight through, so the pages cost the API nothing."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith("/ui") or path in ("/login", "/logout")):
            await self.app(scope, receive, send)
            return
        redirected = False

        async def guarded(message: dict[str, Any]) -> None:
            nonlocal redirected
            if redirected:
                return  # the page's own body, replaced by the redirect
            if message["type"] == "http.response.start":
                request = Request(scope)
                if _redirect_to_login(request, message["status"]):
                    redirected = True
                    query = scope.get("query_string", b"").decode("latin-1")
                    target = path + (f"?{query}" if query else "")
                    await RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)(scope, receive, send)
                    return
                headers = MutableHeaders(scope=message)
                for name, value in (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                                    ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")):
                    if name not in headers:
                        headers[name] = value
                if not path.startswith("/ui/static/") and "Cache-Control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, guarded)
