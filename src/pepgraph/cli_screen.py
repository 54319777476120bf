"""CLI commands for screening: index, screen (one name, or --batch a file), compare.

Kept apart from ``cli.py`` so that each file stays small; they register on the same app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pepgraph.cli import DbOption, JsonOption, _graph, _print_json, app, err, out
from pepgraph.errors import ConfigError


def _split(values: list[str] | None) -> list[str] | None:
    """``--topics role.pep,sanction`` and repeated options alike."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()] or None


@app.command()
def index(json_: JsonOption = False, db: DbOption = None) -> None:
    """Build the screening index of the current entities (<store>.screen, replaced atomically)."""
    with _graph(db, read_only=True) as graph:
        with err.status("building the screening index: names, keys, entities…"):
            info = graph.build_index()
    if json_:
        _print_json(info.to_dict())
        return
    out.print(
        f"screening index {info.path}: {info.entities:,} entities, {info.keys:,} name keys, "
        f"{info.bytes / 1e6:.1f} MB in {info.seconds:.1f}s"
        + (f" ({info.minors:,} minors, hidden unless asked)" if info.minors else "")
    )


@app.command()
def screen(
    name: Annotated[Optional[str], typer.Argument(metavar="[NAME]", help="The name to screen.")] = None,
    birth_date: Annotated[Optional[str], typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    country: Annotated[Optional[list[str]], typer.Option("--country", help="Country code or name (repeatable).")] = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="male | female | other.")] = None,
    identifier: Annotated[Optional[list[str]], typer.Option("--id", help="An identifier: passport, tax, Wikidata... (repeatable).")] = None,
    schema: Annotated[str, typer.Option("--schema", help="Person | Organization | Company | LegalEntity.")] = "Person",
    topics: Annotated[Optional[list[str]], typer.Option("--topics", help="Only these topics, e.g. role.pep,sanction.")] = None,
    datasets: Annotated[Optional[list[str]], typer.Option("--datasets", help="Only these datasets (comma-separated).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Candidates per query.")] = 5,
    threshold: Annotated[float, typer.Option("--threshold", help="Score from which a candidate is a match.")] = 0.7,
    algorithm: Annotated[Optional[str], typer.Option("--algorithm", help="Scoring algorithm (see docs/screening.md).")] = None,
    include_minors: Annotated[bool, typer.Option("--include-minors", help="Admins only: include persons under 18.")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="A CSV, XLSX or FtM JSON lines file of queries.")] = None,
    out_path: Annotated[Optional[Path], typer.Option("--out", "-o", help="With --batch: the CSV to write.")] = None,
    column: Annotated[Optional[list[str]], typer.Option("--column", help="With --batch: PROPERTY=COLUMN, e.g. name=full_name.")] = None,
    floor: Annotated[float, typer.Option("--floor", help="With --batch: lowest score written.")] = 0.5,
    workers: Annotated[Optional[int], typer.Option("--workers", help="With --batch: processes (default: one per core).")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="With --batch: start over instead of resuming.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Screen a name against every PEP, relative, associate and sanctioned entity (or a file with --batch)."""
    topic_list, dataset_list = _split(topics), _split(datasets)
    if batch is not None:
        if out_path is None:
            raise ConfigError("--batch needs --out FILE.csv")
        _batch(db, batch, out_path, column, schema, limit, threshold, floor, topic_list, dataset_list,
               include_minors, algorithm, workers, not restart, json_)
        return
    if not name:
        raise ConfigError("give a NAME to screen, or --batch FILE")
    with _graph(db, read_only=True) as graph:
        data = graph.screen(
            name, birth_date=birth_date, country=_split(country), gender=gender, schema=schema,
            topics=topic_list, datasets=dataset_list, limit=limit, threshold=threshold,
            identifiers=identifier, include_minors=include_minors, algorithm=algorithm,
        )
    if json_:
        _print_json(data)
        return
    if not data["results"]:
        out.print("no candidates")
        return
    for r in data["results"]:
        flag = "[bold red]match[/bold red]" if r["match"] else "     "
        tags = escape(f"  [{', '.join(r['topics'])}]") if r["topics"] else ""
        out.print(f"{r['score']:.2f} {flag} [bold]{escape(r['caption'])}[/bold] ({r['schema']}, {escape(r['id'])}){tags}",
                  highlight=False)
        for feature, item in r["explanations"].items():
            value = f"{item['score']:.2f}" if feature == "name" else f"{item['score']:+.2f}"
            out.print(f"      {feature:12} {value:>6}  {escape(item['detail'])}", highlight=False)


def _batch(db: Path | None, inp: Path, out_path: Path, column: list[str] | None, schema: str, limit: int,
           threshold: float, floor: float, topics: list[str] | None, datasets: list[str] | None,
           include_minors: bool, algorithm: str | None, workers: int | None, resume: bool, json_: bool) -> None:  # fmt: skip
    from pepgraph.screen.batch import count_rows

    total = count_rows(inp)
    bar = Progress(
        TextColumn("[bold]screening"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:,.0f} queries/s"), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(), console=err, transient=True, disable=json_ or not err.is_terminal,
    )
    import time

    started = time.perf_counter()
    first: list[int] = []

    def progress(done: int, _: Any) -> None:
        if not first:
            first.append(done)
            task = bar.add_task("screening", total=total, rate=0.0)
            first.append(task)
        rate = (done - first[0]) / max(time.perf_counter() - started, 1e-9)
        bar.update(first[1], completed=done, rate=rate)  # type: ignore[arg-type]

    with bar, _graph(db, read_only=True) as graph:
        result = graph.screen_batch(
            inp, out_path, columns=column, schema=schema, limit=limit, threshold=threshold, floor=floor,
            topics=topics, datasets=datasets, include_minors=include_minors, algorithm=algorithm,
            workers=workers, resume=resume, progress=progress,
        )
    if json_:
        _print_json(result.to_dict())
        return
    resumed = f" (resumed after {result.resumed_from:,})" if result.resumed_from else ""
    out.print(
        f"{result.queries:,} queries{resumed} → {result.rows:,} rows in {out_path}; {result.matched:,} with a match; "
        f"{result.rate:,.0f} queries/s on {result.workers} process(es) in {result.seconds:.1f}s"
    )


@app.command()
def compare(
    pairs: Annotated[Path, typer.Option("--pairs", help='JSON lines: {"query": <FtM entity>, "candidate": <FtM entity>}.')],
    out_path: Annotated[str, typer.Option("--out", "-o", help="CSV to write, or - for stdout.")] = "-",
    threshold: Annotated[float, typer.Option("--threshold", help="Score from which a pair is a match.")] = 0.7,
    algorithm: Annotated[Optional[str], typer.Option("--algorithm", help="Scoring algorithm (see docs/screening.md).")] = None,
) -> None:
    """Score pairs of FtM entities without a store (pair, score, match, explanation)."""
    from pepgraph.screen.compare import compare_file

    if out_path == "-":
        count, matched = compare_file(pairs, sys.stdout, threshold=threshold, algorithm=algorithm)
    else:
        with open(out_path, "w", newline="", encoding="utf-8") as fh:
            count, matched = compare_file(pairs, fh, threshold=threshold, algorithm=algorithm)
        err.print(f"scored {count:,} pairs ({matched:,} matches) into {out_path}")


@app.command()
def algorithms(json_: JsonOption = False) -> None:
    """List the screening algorithms and the features each one scores."""
    from pepgraph.screen.score import ALGORITHMS, DEFAULT_ALGORITHM

    data = [cls.describe() for cls in ALGORITHMS.values()]
    if json_:
        _print_json(data)
        return
    for algo in data:
        default = " (default)" if algo["name"] == DEFAULT_ALGORITHM else ""
        out.print(f"[bold]{algo['name']}[/bold]{default}: {algo['description']}")
        for feature, doc in algo["features"].items():
            out.print(f"  {feature:12} {doc}", highlight=False)


__all__ = ["index", "screen", "compare", "algorithms"]
