"""The ``pepgraph`` command: each command is a few lines over ``pepgraph.Graph``.

Errors the user can fix arrive as ``PepgraphError`` and leave as one line on stderr and a non-zero
exit code (never a traceback); ``--json`` output goes to stdout so it can be piped.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pepgraph import settings
from pepgraph.errors import PepgraphError
from pepgraph.facade import Graph

app = typer.Typer(
    name="pepgraph",
    help="Open, accountable graph of politically exposed persons, relatives, associates and sanctions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True)
INTERRUPTED = "interrupted: nothing of an unfinished ingest was stored"

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar=settings.DB.name, help="Store file (default ./pepgraph.duckdb).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
IncludeMinors = Annotated[bool, typer.Option(
    "--include-minors", help="Admins only: include persons under 18, hidden by default (see docs/methodology.md).")]


class _State:
    db: Path = Path(settings.DB.default or "pepgraph.duckdb")


state = _State()


@app.callback()
def _main(
    db: DbOption = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        from pepgraph import __version__

        out.print(f"pepgraph {__version__}")
        raise typer.Exit()
    if db is not None:
        state.db = db


def _graph(db: Path | None, read_only: bool = False) -> Graph:
    return Graph(db or state.db, read_only=read_only)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (folders are walked).")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset name, e.g. us_congress.")],
    format: Annotated[str, typer.Option("--format", "-f", help="auto|ftm|popolo|congress|un-sc|ofac-sdn|csv")] = "auto",
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="YAML mapping for --format csv.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Human title of the dataset.")] = None,
    licence: Annotated[Optional[str], typer.Option("--licence", help="Licence of the data, e.g. CC0-1.0.")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Store the valid records, report the rest.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Where --skip-invalid writes rejected records.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Date the data describes (default: now).")] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Ingest published files as the next version of a dataset (all or nothing)."""
    from pepgraph.progress import IngestBar

    if mapping is not None and format == "auto":
        format = "csv"
    with _graph(db) as graph, IngestBar(err, enabled=not json_) as bar:
        result = graph.ingest(
            list(paths), dataset, format=format, mapping=mapping, title=title, licence=licence,
            skip_invalid=skip_invalid, report=report, as_of=as_of, progress=bar,
        )
    if json_:
        _print_json(result.to_dict())
        return
    verb = "unchanged" if result.status == "unchanged" else f"version {result.version}"
    out.print(
        f"[bold]{result.dataset}[/bold] {verb}: {result.entities:,} entities, {result.statements:,} "
        f"statements ({result.added:,} new, {result.retired:,} gone) from {len(result.files)} file(s) "
        f"in {result.seconds:.1f}s"
    )
    table = Table("schema", "entities", box=None)
    for name, count in result.schema_counts.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    for path, why in result.skipped:
        err.print(f"skipped {path}: {why}", highlight=False)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if result.rejected:
        err.print(f"[yellow]{len(result.rejected):,} record(s) rejected; report: {result.report}[/yellow]")
        for problem in result.rejected[:5]:
            err.print(f"  {problem}")


@app.command()
def datasets(json_: JsonOption = False, db: DbOption = None) -> None:
    """List ingested datasets with version, counts, licence and ingest time."""
    with _graph(db, read_only=True) as graph:
        rows = graph.datasets()
    if json_:
        _print_json(rows)
        return
    table = Table("dataset", "version", "entities", "statements", "licence", "ingested", box=box.SIMPLE)
    for r in rows:
        table.add_row(
            r["name"], str(r["version"]), f"{r['entity_count']:,}", f"{r['statement_count']:,}",
            r["licence"] or "", f"{r['ingested_at']:%Y-%m-%d %H:%M}",
        )
    out.print(table)


@app.command()
def runs(
    dataset: Annotated[Optional[str], typer.Option("--dataset", "-d")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 20,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show recent ingest runs: status, counts and errors."""
    with _graph(db, read_only=True) as graph:
        rows = graph.runs(dataset, limit)
    if json_:
        _print_json(rows)
        return
    table = Table("run", "dataset", "status", "version", "entities", "new", "gone", "rejected", "started", box=box.SIMPLE)
    for r in rows:
        table.add_row(
            str(r["id"]), r["dataset"], r["status"], _num(r["version"]), _num(r["entities"]),
            _num(r["added"]), _num(r["retired"]), _num(r["rejected"]), f"{r['started_at']:%Y-%m-%d %H:%M:%S}",
        )
    out.print(table)
    for r in rows:
        if r["status"] == "failed" and r["errors"]:
            first = json.loads(r["errors"])[0]
            err.print(f"run {r['id']} failed: {first.get('path') or ''}:{first.get('line') or ''} {first['message']}", highlight=False)


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@app.command()
def stats(
    by: Annotated[str, typer.Option("--by", help="dataset|schema|country|topic|category|status")] = "schema",
    schema: Annotated[Optional[str], typer.Option("--schema", help="Only entities of this schema, e.g. Person.")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only entities with this topic: role.pep, role.rca, sanction…")] = None,
    include_minors: IncludeMinors = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Count entities (distinct canonical ids) by dataset, schema, country or topic; PEPs (or
    RCAs, with --topic role.rca) by category or status."""
    with _graph(db, read_only=True) as graph:
        data = graph.stats(by, schema, topic=topic, include_minors=include_minors)
    if json_:
        _print_json(data)
        return
    total = data["total"]
    table = Table(by, "entities", "statements", title=(
        f"{total['entities']:,} entities, {total['statements']:,} current statements, "
        f"{total['history_statements']:,} in history"
    ))
    for row in data["rows"]:
        table.add_row(str(row["key"]), f"{row['entities']:,}", f"{row['statements']:,}")
    out.print(table)


@app.command()
def entity(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="Canonical or source entity id.")],
    history: Annotated[bool, typer.Option("--history", help="Include values gone from their dataset.")] = False,
    include_minors: IncludeMinors = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one entity: PEP / RCA status and why, positions as a timeline, relatives and
    associates, and every property with its datasets and first/last seen."""
    from pepgraph.errors import NotFound

    with _graph(db, read_only=True) as graph:
        data = graph.entity(entity_id, history=history, include_minors=include_minors)
    if data is None:
        raise NotFound(f"no entity {entity_id!r} in {state.db if db is None else db}")
    if json_:
        _print_json(data)
        return
    out.print(f"[bold]{data['caption']}[/bold] ({data['schema']}) {data['id']}")
    out.print(f"datasets: {', '.join(data['datasets'])}")
    if data["referents"]:
        out.print(f"records: {', '.join(data['referents'])}")
    _print_profile(data)
    table = Table("property", "value", "sources: dataset first seen…last seen", box=box.SIMPLE)
    for prop, values in sorted(data["properties"].items()):
        for item in values:
            value = item["value"] + (f" @{item['lang']}" if item["lang"] else "")
            table.add_row(prop, value, "\n".join(_seen(s) for s in item["sources"]))
    out.print(table)
    if data["linked"]:
        out.print(f"linked from {len(data['linked'])} entities (first 50):")
        for link in data["linked"][:50]:
            out.print(f"  {link['schema']}.{link['prop']} ← {link['caption']} ({link['id']})", highlight=False)


def _seen(source: dict[str, Any]) -> str:
    first, last = source["first_seen"][:10], source["last_seen"][:10]
    span = first if first == last else f"{first}…{last}"
    return f"{source['dataset']} {span}" + ("" if source["current"] else " (gone)")


def _print_profile(data: dict[str, Any]) -> None:
    """PEP / RCA status with reasons, the positions timeline and the relatives (see profile.py)."""
    if data.get("minor"):
        out.print("[bold yellow]minor[/bold yellow]: under 18, shown because --include-minors was given")
    for kind, label in (("pep", "PEP"), ("rca", "RCA")):
        status = data.get(f"{kind}_status")
        if status is None:
            continue
        out.print(f"[bold]{label}: {status}[/bold]")
        for role in [r for r in data["roles"] if r["role"] == kind][:12]:
            out.print(f"  {role['status']:<8} {role['reason']}", highlight=False, markup=False)
    if data.get("positions"):
        table = Table("from", "to", "position", "category", "PEP", "sources", box=box.SIMPLE, title="positions")
        for pos in data["positions"]:
            table.add_row(pos["start"] or "?", pos["end"] or ("" if pos["source_status"] == "current" else "?"),
                          pos["position"], pos["category"] or "-", pos["pep_status"] or "-", ", ".join(pos["datasets"]))
        out.print(table)
    if data.get("relatives") or data.get("relatives_hidden"):
        table = Table("relationship", "person", "topics", "link (source)", box=box.SIMPLE, title="relatives and associates")
        for rel in data["relatives"]:
            table.add_row(rel["relationship"], f"{rel['caption']} ({rel['id']})", ", ".join(rel["topics"]),
                          f"{rel['links'][0]} ({', '.join(rel['datasets'])})")
        out.print(table)
        if data.get("relatives_hidden"):
            out.print(f"{data['relatives_hidden']} relative(s) under 18 hidden")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="ftm|csv|statements|clusters|graphml|gexf")] = "ftm",
    out_path: Annotated[str, typer.Option("--out", "-o", help="Output file, or - for stdout.")] = "-",
    dataset: Annotated[Optional[list[str]], typer.Option("--dataset", "-d", help="Only these datasets.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Include values gone from their dataset.")] = False,
    include_minors: IncludeMinors = False,
    db: DbOption = None,
) -> None:
    """Export entities (FtM JSON lines, CSV), statements (FtM statement CSV), clusters
    (entity_id,canonical_id CSV) or the whole graph (GraphML, GEXF for Gephi)."""
    with _graph(db, read_only=True) as graph:
        count = graph.export(format, out_path, datasets=dataset, history=history, include_minors=include_minors)
    if out_path != "-":
        noun = {"statements": "statements", "clusters": "records", "graphml": "edges", "gexf": "edges"}.get(format, "entities")
        err.print(f"wrote {count:,} {noun} to {out_path}")


@app.command()
def demo(
    sample: Annotated[bool, typer.Option("--sample", help="Use the built-in sample even if ../shared/data exists.")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the API and pages on 127.0.0.1, with a new admin key.")] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve (the next free one if taken).")] = 8000,
    db: DbOption = None,
) -> None:
    """Build a store from ../shared/data when present (else a built-in sample), resolve and
    classify it, show it; with --serve, then serve it (what `make run` does)."""
    from pepgraph.demo import run_demo

    with _graph(db) as graph:
        run_demo(graph, out, err, use_shared=not sample)
    if serve:
        import socket
        import time

        from pepgraph.api.access import Access
        from pepgraph.cli_serve import serve as serve_command

        path = str(db if db is not None else state.db)
        secret = Access(path).create_key(f"demo-admin-{time.strftime('%Y%m%d-%H%M%S')}", "admin")
        for candidate in range(port, port + 50):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", candidate)) != 0:
                    port = candidate
                    break
        out.print(f"\n[bold]serving[/bold] http://127.0.0.1:{port}/ui/search  (API docs: http://127.0.0.1:{port}/docs)")
        out.print(f"admin key (shown once; sign in with it): {secret}", highlight=False)
        out.print("stop with Ctrl-C")
        serve_command(host="127.0.0.1", port=port, workers=1, no_auth=False, db=db)


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the sample files into.")],
) -> None:
    """Write the built-in sample (small, invented, deterministic FtM files) into a folder."""
    from pepgraph.sample import write_sample

    for path in write_sample(out_dir):
        out.print(str(path))


def _register_more() -> None:
    """Commands that live in their own modules register on ``app`` when imported."""
    import pepgraph.cli_build  # noqa: F401
    import pepgraph.cli_generate  # noqa: F401
    import pepgraph.cli_resolve  # noqa: F401
    import pepgraph.cli_serve  # noqa: F401
    import pepgraph.cli_screen  # noqa: F401


def main() -> None:
    """Entry point: runs the app and turns pepgraph's errors into one line and an exit code.

    Usage errors are click's (exit 2, with usage); ours leave as ``error: <where>: <what>``.
    """
    _register_more()
    try:
        app()
    except PepgraphError as exc:
        err.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # `pepgraph export | head`: the reader left; exit quietly without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:  # raised outside typer's command (typer turns its own into exit 130)
        err.print(INTERRUPTED)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # typer's Ctrl-C: a silent exit 130
            err.print(INTERRUPTED)
        raise


if __name__ == "__main__":
    main()
