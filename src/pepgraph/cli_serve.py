"""CLI commands for the served instance: serve, keys (create, list, revoke) and audit."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated, Optional

import typer
from rich import box
from rich.table import Table

from pepgraph.cli import DbOption, JsonOption, _print_json, app, err, out, state
from pepgraph.errors import ConfigError

keys_app = typer.Typer(help="API keys: create (printed once), list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _db(db: Optional[object]) -> str:
    return str(db if db is not None else state.db)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (default: 1).")] = 1,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Loopback only: serve without API keys (prints a warning).")] = False,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (yente-compatible /match, /search, /entities, /reconcile, /statistics)
    over the last published build; `pepgraph build` beside it swaps in new data live."""
    import uvicorn

    from pepgraph.serving import current_generation

    path = _db(db)
    if no_auth and not _loopback(host):
        raise ConfigError(f"--no-auth is only allowed on a loopback address, not {host}")
    if current_generation(path) is None:
        from pepgraph.facade import Graph
        from pepgraph.serving import publish

        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such store (run `pepgraph demo` or `pepgraph ingest` and `pepgraph build`)")
        with Graph(path) as graph:
            publish(graph)
        err.print("published the store as it is (run `pepgraph build` to refresh it and its screening index)")
    if no_auth:
        err.print("[bold red]warning[/bold red]: serving WITHOUT API keys (--no-auth): anyone on this machine can query it")
    os.environ["PEPGRAPH_DB"] = path
    os.environ["PEPGRAPH_NO_AUTH"] = "1" if no_auth else ""
    err.print(f"serving {path} on http://{host}:{port} (docs at /docs)")
    # a worker loads name data and the index when it starts, which holds the GIL for seconds on
    # a busy machine: give its health check time rather than have the supervisor kill it
    uvicorn.run("pepgraph.api.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                proxy_headers=False, server_header=False, timeout_worker_healthcheck=120)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for.")],
    role: Annotated[str, typer.Option("--role", help="reader | analyst | admin")] = "reader",
    db: DbOption = None,
) -> None:
    """Create a key; it is printed once and only its hash is stored."""
    from pepgraph.api.access import Access

    secret = Access(_db(db)).create_key(name, role)
    err.print(f"key {name!r} ({role}) created; it is shown only now:")
    out.print(secret, highlight=False)


@keys_app.command("list")
def keys_list(json_: JsonOption = False, db: DbOption = None) -> None:
    """The keys, their roles and when they were created or revoked (never the secrets)."""
    from pepgraph.api.access import Access

    rows = Access(_db(db)).list_keys()
    if json_:
        _print_json(rows)
        return
    table = Table("name", "role", "created", "revoked", box=box.SIMPLE)
    for row in rows:
        table.add_row(row["name"], row["role"], row["created_at"], row["revoked_at"] or "")
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")], db: DbOption = None) -> None:
    """Revoke a key; running servers refuse it within seconds."""
    from pepgraph.api.access import Access

    Access(_db(db)).revoke(name)
    err.print(f"key {name!r} revoked")


@app.command("audit")
def audit_log(
    since: Annotated[Optional[str], typer.Option("--since", help="ISO date or time, e.g. 2026-11-23.")] = None,
    key: Annotated[Optional[str], typer.Option("--key", help="Only this key's requests.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most recent entries to show.")] = 50,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Read the API's append-only audit log: who asked what, and which ids they got back."""
    from pepgraph.api.access import Access

    rows = Access(_db(db)).read_audit(since=since, key=key, limit=limit)
    if json_:
        _print_json(rows)
        return
    table = Table("at", "key", "role", "request", "status", "query", "returned", box=box.SIMPLE)
    for row in rows:
        query = row["query"]
        text = "" if query is None else str(query)[:80]
        table.add_row(row["at"], row["key"] or "-", row["role"] or "-", f"{row['method']} {row['endpoint']}",
                      str(row["status"]), text, str(len(row["returned"] or [])))
    out.print(table)
