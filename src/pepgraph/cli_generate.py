"""CLI command ``pepgraph generate``: a synthetic population and sources that describe it.

Kept apart from ``cli.py``; registers on the same app (imported by ``cli._register_more``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pepgraph.cli import JsonOption, _print_json, app, err, out


@app.command()
def generate(
    persons: Annotated[int, typer.Option("--persons", "-n", help="Key persons (PEPs) in the population; relatives come on top.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write <source>.ftm.jsonl and truth.csv into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files, byte for byte.")] = 0,
    sources: Annotated[str, typer.Option("--sources", help="Comma-separated: registry,press,leak.")] = "registry,press,leak",
    json_: JsonOption = False,
) -> None:
    """Write an invented population of PEPs and relatives, described by noisy sources, with the truth."""
    from pepgraph.synth import generate as run

    progress = Progress(
        TextColumn("[bold]generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("key persons"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=json_ or not err.is_terminal,
    )
    with progress:
        task = progress.add_task("generate", total=persons, rate="")

        def tick(done: int) -> None:
            speed = progress.tasks[0].speed
            progress.update(task, completed=done, rate=f"{speed:,.0f}/s" if speed else "")

        result = run(persons, out_dir, seed=seed, sources=sources, progress=tick)
    if json_:
        _print_json(result)
        return
    described = result["described"]
    out.print(
        f"{result['persons']:,} key persons, {described.get('relatives', 0):,} relatives and "
        f"{described.get('decoys', 0):,} decoys described in {len(result['sources'])} source(s) "
        f"(seed {result['seed']}) in {result['seconds']:.1f}s"
    )
    for name, counts in result["sources"].items():
        schemas = ", ".join(f"{n:,} {schema}" for schema, n in counts.items())
        out.print(f"  {out_dir / (name + '.ftm.jsonl')}: {schemas}")
    out.print(f"  {out_dir / 'truth.csv'}: {result['truth_rows']:,} rows (entity_id,person_id)")
