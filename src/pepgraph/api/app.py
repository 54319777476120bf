"""The FastAPI application: ``create_app(db)`` (an app factory; nothing heavy at import time).

Every endpoint but ``/healthz`` needs a key (``Authorization: ApiKey pgk_...``) unless the server
runs with ``no_auth`` on loopback; every request is written to the audit log with the key, the
query and the ids returned. Limits: a per-key token bucket, a body size cap, a cap on queries per
batch and on results per query. Errors are one JSON envelope, ``{"status": N, "detail": "..."}``,
never a stack trace. CORS is off (no ``Access-Control-*`` headers are sent).

The routes live in ``routes_*.py``; they read the published generation (``pepgraph.serving``), so
a ``pepgraph build`` running beside the server swaps in new data without a failed request.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pepgraph import settings as pg_settings
from pepgraph.api.access import Access, Key
from pepgraph.errors import ConfigError, NotFound, PepgraphError, StoreError
from pepgraph.serving import Serving

PUBLIC = {"/healthz", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"}


@dataclass
class ApiSettings:
    """Limits, from ``PEPGRAPH_API_*`` variables by default."""

    rate_per_second: float = 50.0
    rate_burst: int = 200
    max_body_bytes: int = 1_000_000
    max_queries: int = 100
    reader_max_queries: int = 10  # a larger batch is an analyst's job
    max_limit: int = 500

    @classmethod
    def from_env(cls) -> "ApiSettings":
        try:
            return cls(
                rate_per_second=float(pg_settings.API_RATE.get() or 50),
                rate_burst=int(pg_settings.API_BURST.get() or 200),
                max_body_bytes=int(pg_settings.API_MAX_BODY.get() or 1_000_000),
                max_queries=int(pg_settings.API_MAX_QUERIES.get() or 100),
            )
        except ValueError as exc:
            raise ConfigError(f"a PEPGRAPH_API_* setting is not a number: {exc}") from exc


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    per_second: float
    burst: int
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, who: str) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self.lock:
            b = self.buckets.get(who)
            if b is None:
                b = self.buckets[who] = _Bucket(float(self.burst), now)
            b.tokens = min(self.burst, b.tokens + (now - b.at) * self.per_second)
            b.at = now
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) / self.per_second


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def envelope(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"status": status, "detail": detail}, status_code=status, headers=headers)


class _BodyLimit:
    """Pure ASGI middleware: refuse a body larger than the cap, whether or not it says its size."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]], send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await envelope(413, f"request body over {self.limit:,} bytes")(scope, receive, send)
            return
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, f"request body over {self.limit:,} bytes")
            return message

        await self.app(scope, limited, send)


class _Guard:
    """Pure ASGI middleware: authenticate, rate-limit and audit every request but the public ones.

    Written against ASGI rather than as Starlette's ``BaseHTTPMiddleware``, which runs the rest of
    the app in a separate task with memory streams: on ``/match`` that cost more CPU than the
    scoring itself (measured with py-spy; see docs/benchmarks.md). The key and the audit fields
    live in ``scope["state"]``, which is what ``request.state`` reads in the routes.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["app"]
        path: str = scope["path"]
        state = scope.setdefault("state", {})
        state["key"] = None
        state["audit_query"] = None
        state["returned"] = None
        if path in api.state.public_paths or path.startswith(tuple(api.state.public_prefixes)):
            await self.app(scope, receive, send)
            return
        status = 500
        started = False

        async def watched(message: dict[str, Any]) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
            await send(message)

        try:
            key = _authenticate(Request(scope))
            state["key"] = key
            wait = api.state.rate.take(key.name)
            if wait:
                raise ApiError(429, "rate limit exceeded for this key", {"Retry-After": str(max(1, round(wait)))})
            await self.app(scope, receive, watched)
        except ApiError as exc:
            if not started:
                await envelope(exc.status, exc.detail, exc.headers)(scope, receive, watched)
        except Exception:  # noqa: BLE001 - the envelope, never a trace
            logging.getLogger("pepgraph.api").exception("error in %s %s", scope.get("method"), path)
            if not started:
                await envelope(500, "internal error; the server log has the details")(scope, receive, watched)
        finally:
            try:
                client = scope.get("client")
                api.state.access.audit(state["key"], scope.get("method", ""), path, status,
                                       state["audit_query"], state["returned"], client[0] if client else None)
            except Exception:  # noqa: BLE001 - auditing must not be skipped silently
                logging.getLogger("pepgraph.api").exception("could not write the audit log")


# One name per script whose tables load lazily: the first Han name costs about 140 ms and the
# first Hangul name about 50 ms in a fresh process, which would otherwise land on a user's request.
_WARM_UP_NAMES = ("Warm Up", "王晨", "김정은", "Иван Петров", "محمد علي", "Γιώργος Παπαδόπουλος")


def _warm_up(app: FastAPI) -> None:
    """Open the published generation and score a few names in several scripts, so that name
    tables, the index and the scorer are loaded before the first real request (not during it);
    then set the GC policy of a long-running screening process (``pepgraph.gcpolicy``)."""
    from pepgraph.gcpolicy import freeze_after_collections

    if app.state.serving.ready():
        with app.state.serving.use() as gen:
            screener = gen.screener()
            if screener is not None:
                from pepgraph.screen import query_subject

                for name in _WARM_UP_NAMES:
                    screener.screen(query_subject(name, birth_date="1970"), limit=1)
    freeze_after_collections()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    _warm_up(app)
    yield
    for hook in app.state.on_shutdown:  # e.g. the pages' batch folders (``pepgraph.web.batch``)
        hook(app)


def create_app(db: str | Path | None = None, no_auth: bool = False, api_settings: ApiSettings | None = None) -> FastAPI:
    """The app over the store ``db`` (default ``PEPGRAPH_DB``); see the module docstring."""
    db_path = Path(db or pg_settings.DB.get() or "pepgraph.duckdb")
    limits = api_settings or ApiSettings.from_env()
    app = FastAPI(
        lifespan=_lifespan,
        title="pepgraph",
        version=_version(),
        description=(
            "Open, accountable PEP / RCA / sanctions screening. Every endpoint but /healthz needs "
            "`Authorization: ApiKey <key>`; every request is audited. yente-compatible `/match`, "
            "OpenRefine reconciliation at `/reconcile/{dataset}`."
        ),
    )
    app.state.db = db_path
    app.state.serving = Serving(db_path)
    app.state.access = Access(db_path)
    app.state.no_auth = no_auth
    app.state.limits = limits
    app.state.rate = RateLimiter(limits.rate_per_second, limits.rate_burst)
    app.state.public_paths = set(PUBLIC)
    app.state.public_prefixes = []  # e.g. "/static/" for the pages' assets
    app.state.on_shutdown = []  # called with the app when the server stops


    app.add_middleware(_Guard)  # type: ignore[arg-type]
    app.add_middleware(_BodyLimit, limit=limits.max_body_bytes)  # type: ignore[arg-type]

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return envelope(exc.status, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return envelope(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return envelope(422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(PepgraphError)
    async def _pepgraph_error(request: Request, exc: PepgraphError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, ConfigError) else 503 if isinstance(exc, StoreError) else 500
        return envelope(status, str(exc))

    from pepgraph.api import routes_data, routes_match, routes_reconcile

    app.include_router(routes_match.router)
    app.include_router(routes_data.router)
    app.include_router(routes_reconcile.router)
    import importlib.util

    if importlib.util.find_spec("pepgraph.web") is not None:  # the pages, when the package has them
        from pepgraph import web

        if hasattr(web, "install"):
            web.install(app)  # may add to app.state.public_paths / public_prefixes (sign-in, assets)
    return app


def _authenticate(request: Request) -> Key:
    app = request.app
    if app.state.no_auth:
        return Key("local", "admin")
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not secret and request.cookies.get("pepgraph_key"):
        scheme, secret = "ApiKey", request.cookies["pepgraph_key"]
    if scheme.lower() != "apikey" or not secret.strip():
        raise ApiError(401, "an API key is required: `Authorization: ApiKey <key>` (pepgraph keys create)",
                       {"WWW-Authenticate": "ApiKey"})
    key = app.state.access.verify(secret.strip())
    if key is None:
        raise ApiError(401, "unknown or revoked API key", {"WWW-Authenticate": "ApiKey"})
    return key


def require(request: Request, role: str) -> Key:
    key: Key = request.state.key
    if key is None or not key.allows(role):
        raise ApiError(403, f"this needs the {role} role (your key: {key.role if key else 'none'})")
    return key


def audit(request: Request, query: Any = None, returned: list[str] | None = None) -> None:
    """What the audit row for this request records: the query and the ids it returned."""
    if query is not None:
        request.state.audit_query = query
    if returned is not None:
        request.state.returned = returned


def _version() -> str:
    from pepgraph import __version__

    return __version__


__all__ = ["ApiError", "ApiSettings", "audit", "create_app", "require"]
