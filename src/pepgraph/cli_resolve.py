"""CLI commands for resolution: resolve, judge, judgements, explain, review.

Kept apart from ``cli.py`` so that each file stays small; they register on the same app.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer
from rich import box
from rich.table import Table

from pepgraph.cli import DbOption, JsonOption, _graph, _print_json, app, err, out


@app.command()
def resolve(
    threshold: Annotated[Optional[float], typer.Option("--threshold", help="Match probability to link (default 0.8).")] = None,
    retrain: Annotated[bool, typer.Option("--retrain", help="Train a new model instead of reusing the stored one.")] = False,
    engine: Annotated[Optional[str], typer.Option(
        "--engine", help="What scores the candidate pairs: duckdb (embedded) or spark (PEPGRAPH_SPARK_MASTER); "
        "default PEPGRAPH_RESOLVE_ENGINE, else duckdb.")] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Cluster records of the same person or organisation across sources, languages and scripts."""
    if engine:
        import os

        os.environ["PEPGRAPH_RESOLVE_ENGINE"] = engine  # read (and checked) by resolve
    with _graph(db) as graph:
        labels = {"rows": "linkage rows (name analysis)", "training": "training the model",
                  "scoring": "scoring candidate pairs", "clustering": "clustering", "writing": "writing canonical ids"}
        with err.status("resolving: linkage rows…") as status:
            result = graph.resolve(threshold=threshold, retrain=retrain,
                                   phase=lambda name: status.update(f"resolving: {labels.get(name, name)}…"))
    if json_:
        _print_json(result.to_dict())
        return
    out.print(
        f"{result.records:,} records → {result.clusters:,} entities; {result.merged:,} records merged "
        f"({result.model_pairs:,} model links, {result.relative_links:,} through relatives, "
        f"{result.identifier_links:,} identifier links, "
        f"{result.judged_same:,} judged same, {result.vetoed:,} vetoed) in {result.seconds:.1f}s"
    )
    if result.phases:
        out.print("time: " + ", ".join(f"{name} {secs:.1f}s" for name, secs in result.phases.items()), highlight=False)
    if result.trained:
        out.print("trained and stored a new model (reused by later runs; --retrain to replace it)")
    for note in result.notes:
        err.print(f"note: {note}", highlight=False)
    if result.capped_keys:
        keys = ", ".join(f"{k} ({n:,})" for k, n in result.capped_keys[:5])
        err.print(f"blocking keys too common to use alone (records still meet through rarer keys): {keys}", highlight=False)
    for a, b, why in result.refused[:10]:
        err.print(f"not merged {a} + {b}: {why}", highlight=False)
    if len(result.refused) > 10:
        capped = sum(1 for r in result.refused if "(cap " in r[2])
        judged = sum(1 for r in result.refused if r[2].startswith("judged different"))
        unsure = sum(1 for r in result.refused if r[2].startswith("ambiguous"))
        err.print(f"... {len(result.refused):,} links refused in all ({capped:,} by the cluster-size cap, "
                  f"{judged:,} by 'different' judgements, {unsure:,} records ambiguous between two people, "
                  f"{len(result.refused) - capped - judged - unsure:,} by birth dates or countries "
                  "across a cluster)", highlight=False)
    if result.redirects:
        out.print(f"{result.redirects:,} canonical ids changed; the old ids redirect to the new ones")


@app.command()
def judge(
    left: Annotated[str, typer.Argument(metavar="ID1")],
    right: Annotated[str, typer.Argument(metavar="ID2")],
    judgement: Annotated[str, typer.Argument(help="same | different | unsure")],
    note: Annotated[Optional[str], typer.Option("--note", help="Why (kept with the judgement).")] = None,
    db: DbOption = None,
) -> None:
    """Record a human judgement on two records; it is applied at the next `pepgraph resolve`."""
    with _graph(db) as graph:
        saved = graph.judge(left, right, judgement, note)
    out.print(f"judgement {saved['id']}: {saved['left_id']} / {saved['right_id']} = {saved['judgement']}")


@app.command()
def judgements(
    entity_id: Annotated[Optional[str], typer.Argument(metavar="[ID]")] = None,
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every judgement ever made (none is overwritten; the latest on a pair is in force)."""
    with _graph(db, read_only=True) as graph:
        rows = graph.judgements(entity_id)
    if json_:
        _print_json(rows)
        return
    table = Table("#", "left", "right", "judgement", "by", "at", "note", box=box.SIMPLE)
    for r in rows:
        table.add_row(str(r["id"]), r["left_id"], r["right_id"], r["judgement"], r["author"] or "",
                      f"{r['created_at']:%Y-%m-%d %H:%M}", r["note"] or "")
    out.print(table)


@app.command()
def explain(
    left: Annotated[str, typer.Argument(metavar="ID1")],
    right: Annotated[str, typer.Argument(metavar="ID2")],
    json_: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show how the model scores two records: the match weight of each comparison."""
    with _graph(db, read_only=True) as graph:
        data = graph.explain(left, right)
    if json_:
        _print_json(data)
        return
    _print_explanation(data)


def _print_explanation(data: dict[str, Any]) -> None:
    out.print(f"[bold]{data['left_name']}[/bold] ({data['left']})  vs  [bold]{data['right_name']}[/bold] ({data['right']})")
    table = Table("comparison", "level", "match weight", box=box.SIMPLE)
    table.add_row("prior", "", f"{data['prior_weight']:+.2f}")
    for name, item in data["comparisons"].items():
        table.add_row(name, item["level"], f"{item['weight']:+.2f}")
    table.add_row("[bold]total[/bold]", "", f"[bold]{data['match_weight']:+.2f}[/bold]")
    out.print(table)
    out.print(f"match probability {data['probability']:.4f}" + ("" if data["trained_model"] else " (untrained model: run `pepgraph resolve`)"))
    if data["identifier"]:
        out.print(f"shared identifier {data['identifier']}: linked regardless of the score")
    if data.get("relatives"):
        kin = data["relatives"]
        out.print(f"linked at the latest resolve through relatives: {data['left']}'s {kin['kind']} {kin['left']} and "
                  f"{data['right']}'s {kin['kind']} {kin['right']} are one person")
    if data["veto"]:
        out.print(f"never linked: {data['veto']}")
    if data["judgement"]:
        out.print(f"judged {data['judgement']} (applied at the next resolve)")
    out.print("same entity now" if data["same_cluster"] else "separate entities now")


@app.command()
def review(
    limit: Annotated[int, typer.Option("--limit", help="How many pairs to queue.")] = 50,
    db: DbOption = None,
) -> None:
    """Judge the most uncertain pairs of the latest resolve: s(ame) d(ifferent) u(nsure) k (skip) q(uit)."""
    with _graph(db) as graph:
        queue = graph.review_queue(limit)
        if not queue:
            out.print("nothing to review: run `pepgraph resolve` first, or every pair is judged")
            return
        done = 0
        for i, pair in enumerate(queue, 1):
            left, right = graph.entity(pair["left_id"]), graph.entity(pair["right_id"])
            if left is None or right is None:
                continue
            out.rule(f"pair {i} of {len(queue)} · probability {pair['probability']:.3f}")
            _side_by_side(left, right)
            _print_explanation(graph.explain(pair["left_id"], pair["right_id"]))
            key = _ask()
            if key == "q":
                break
            if key in ("s", "d", "u"):
                verdict = {"s": "same", "d": "different", "u": "unsure"}[key]
                graph.judge(pair["left_id"], pair["right_id"], verdict, note="pepgraph review")
                done += 1
        out.print(f"{done} judgement(s) recorded; run `pepgraph resolve` to apply them")


def _ask() -> str:
    prompt = "[s]ame [d]ifferent [u]nsure s[k]ip [q]uit: "
    if sys.stdin.isatty():
        out.print(prompt, end="")
        key = typer.getchar().lower()
        out.print(key)
        return key
    line = sys.stdin.readline()
    return line.strip().lower()[:1] or "q"


def _side_by_side(left: dict[str, Any], right: dict[str, Any]) -> None:
    table = Table("property", left["id"], right["id"], box=box.SIMPLE, show_lines=False)
    props = sorted(set(left["properties"]) | set(right["properties"]))
    for prop in props:
        cells = []
        for ent in (left, right):
            values = ent["properties"].get(prop, [])
            cells.append("\n".join(
                f"{v['value']} [dim]({', '.join(sorted({s['dataset'] for s in v['sources']}))})[/dim]" for v in values[:6]
            ))
        table.add_row(prop, *cells)
    out.print(table)


__all__ = ["resolve", "judge", "judgements", "explain", "review"]
