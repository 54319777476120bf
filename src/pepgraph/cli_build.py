"""CLI commands for what is derived from the statements: build (resolve → classify → index) and
graph (the neighbourhood of one entity)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich import box
from rich.table import Table

from pepgraph.cli import DbOption, IncludeMinors, JsonOption, _graph, _print_json, app, err, out


@app.command()
def build(
    rules: Annotated[Optional[Path], typer.Option("--rules", help="PEP rules file (default: the packaged pep/rules.yml).")] = None,
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Resolution match probability (default 0.8).")] = None,
    retrain: Annotated[bool, typer.Option("--retrain", help="Train a new resolution model.")] = False,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Rebuild everything derived, in order: resolve → classify PEPs and RCAs → screening index."""

    def step(name: str, seconds: float, result: Any) -> None:
        if not json_:
            phases = getattr(result, "phases", None) or {}
            detail = f" ({', '.join(f'{k} {v:.1f}s' for k, v in phases.items())})" if phases else ""
            err.print(f"{name}: done in {seconds:.1f}s{detail}", highlight=False)

    with _graph(db) as graph:
        with err.status("building: resolve → classify → index…"):
            report = graph.build(rules=rules, threshold=threshold, retrain=retrain, step=step)
    resolved, classified = report["resolve"], report["classify"]
    if json_:
        _print_json({k: (v.to_dict() if hasattr(v, "to_dict") else v.as_dict() if hasattr(v, "as_dict") else v)
                     for k, v in report.items()})
        return
    out.print(f"resolve: {resolved.records:,} records → {resolved.clusters:,} entities ({resolved.merged:,} merged)")
    peps = classified.peps
    out.print(
        f"classify: {classified.occupancies:,} occupancies, {classified.classified:,} in a PEP category; "
        f"PEPs {peps.get('current', 0):,} current, {peps.get('former', 0):,} former, {peps.get('expired', 0):,} expired; "
        f"{classified.rcas:,} RCAs through {classified.links:,} family / associate links"
    )
    out.print(
        f"relatives named without an id: {classified.relatives_named:,}, matched to a known person: "
        f"{classified.relatives_matched:,} ({classified.relatives_matched_same_dataset:,} in the same dataset)"
    )
    if classified.unclassified_positions:
        top = ", ".join(f"{name} ({n:,})" for name, n in classified.unclassified_positions[:5])
        err.print(f"positions in no PEP category (extend the rules to count them): {top}", highlight=False)
    if "index" in report:
        out.print(f"index: built in {report['index_seconds']:.1f}s")


@app.command()
def graph(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="Canonical or source entity id.")],
    depth: Annotated[int, typer.Option("--depth", help="Hops from the entity, 1 to 3.")] = 1,
    limit: Annotated[int, typer.Option("--limit", help="Most new edges per node (hubs are capped).")] = 50,
    format: Annotated[str, typer.Option("--format", "-f", help="table|json|graphml|gexf")] = "table",
    out_path: Annotated[str, typer.Option("--out", "-o", help="Output file, or - for stdout.")] = "-",
    include_minors: IncludeMinors = False,
    db: DbOption = None,
) -> None:
    """The family, associates, positions and organisations around an entity, as a table or as
    JSON / GraphML / GEXF for Gephi."""
    from pepgraph.graph import write_graph_file

    with _graph(db, read_only=True) as g:
        data = g.graph(entity_id, depth=depth, limit=limit, include_minors=include_minors)
    if format != "table":
        count = write_graph_file(data["nodes"], data["edges"], format, out_path)
        if out_path != "-":
            err.print(f"wrote {len(data['nodes']):,} nodes and {count:,} edges to {out_path}")
        return
    names = {n["id"]: n["caption"] for n in data["nodes"]}
    table = Table("from", "link", "to", "sources", box=box.SIMPLE,
                  title=f"{names.get(data['root'], data['root'])}: {len(data['nodes'])} nodes, depth {depth}")
    for edge in data["edges"]:
        table.add_row(names.get(edge["source"], edge["source"]), f"{edge['label']} ({edge['schema']})",
                      names.get(edge["target"], edge["target"]), ", ".join(edge["datasets"]))
    out.print(table)
    for node, more in data["truncated"].items():
        err.print(f"{names.get(node, node)}: {more:,} more edges not shown (--limit)", highlight=False)
    if data["minors_hidden"]:
        err.print(f"{data['minors_hidden']} person(s) under 18 hidden", highlight=False)


@app.command()
def xref(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="Files or folders of the external dataset.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for matches.csv, unmatched.csv, summary.json, report.html.")],
    format: Annotated[str, typer.Option("--format", help="auto or a reader: ftm, wikidata, popolo, congress, un-sc, ofac-sdn, csv")] = "auto",
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="Mapping file for a CSV (docs/csv-mapping.md).")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Score from which a record counts as matched.")] = 0.7,
    limit: Annotated[int, typer.Option("--limit", help="Candidates kept per record.")] = 3,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Cross-reference an external dataset (a leak, a customer file, a watchlist) against the
    graph without storing it: who in it is a known PEP, RCA or sanctioned entity, by country."""
    with _graph(db, read_only=True) as g:
        with err.status("cross-referencing…") as status:
            result = g.xref(paths, out_dir, format=format, mapping=mapping, threshold=threshold, limit=limit,
                            progress=lambda n: status.update(f"cross-referencing… {n:,} records screened"))
    if json_:
        _print_json(result.to_dict())
        return
    share = f"{100 * result.matched / result.screened:.1f}%" if result.screened else "0%"
    out.print(f"{result.screened:,} records screened, [bold]{result.matched:,}[/bold] matched ({share}) in {result.seconds:.1f}s")
    for label, counts in result.by_country.items():
        top = ", ".join(f"{n:,} {c}" for c, n in list(counts.items())[:6])
        out.print(f"  {label}: {result.by_class.get(label, 0):,}  ({top})")
    if result.by_status:
        out.print("  PEPs by status: " + ", ".join(f"{k} {v:,}" for k, v in result.by_status.items()))
    if result.rejected:
        err.print(f"{result.rejected:,} malformed records skipped")
    out.print(f"report: {out_dir / 'report.html'}  (matches.csv, unmatched.csv, summary.json beside it)")
