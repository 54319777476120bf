"""``pepgraph demo``: the main job for now — build a store and show what it holds.

With ``../shared/data`` beside the checkout it ingests the real public datasets listed in
``REAL_SOURCES`` (a subset chosen to finish in about a minute on two cores); without it, the
built-in invented sample. Running it again re-ingests: unchanged files change nothing but their
last-seen times, which the output shows. Then ``build`` resolves records of the same person across
the datasets (reusing the stored model on later runs) and classifies PEPs and RCAs.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pepgraph import settings
from pepgraph.facade import Graph
from pepgraph.progress import IngestBar
from pepgraph.sample import DATASETS, write_sample


@dataclass(frozen=True)
class DemoSource:
    dataset: str
    paths: tuple[str, ...]  # relative to ../shared/data
    format: str
    title: str
    licence: str
    #: the date the files describe, so that a 2015 snapshot's "current" members are judged as
    #: of 2015 (and count as former PEPs today), not as of the day of the demo
    as_of: str | None = None


REAL_SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        "us_congress",
        ("congress-legislators/legislators-current.yaml", "congress-legislators/executive.yaml",
         "congress-legislators/gh-pages/legislators-historical.csv"),
        "congress", "US Congress legislators and executives (unitedstates/congress-legislators)", "CC0-1.0",
    ),
    DemoSource(
        "everypolitician", ("everypolitician-2015/data",), "popolo",
        "EveryPolitician legislators, 2015 (Popolo)", "CC0-1.0", "2015-11-30",
    ),
    DemoSource(
        "un_sc", ("un-sc-2018/consolidated.xml",), "un-sc",
        "UN Security Council consolidated sanctions list (2018)", "UN public list", "2018-10-29",
    ),
    DemoSource(
        "us_ofac_sdn", ("ofac-sdn/2024-05-03/sdn.csv",), "ofac-sdn",
        "US OFAC Specially Designated Nationals (2024-05-03)", "US government work", "2024-05-03",
    ),
    DemoSource(
        "wikidata_fixtures", ("opensanctions-nomenklatura/fixtures/wikidata",), "wikidata",
        "Wikidata entities of one family graph (nomenklatura test fixtures)", "CC0-1.0",
    ),
    DemoSource(
        "opensanctions_samples", ("opensanctions-yente/ftm",), "ftm",
        "Small OpenSanctions FtM exports (yente test data)", "CC-BY-NC-4.0",
    ),
)


def run_demo(graph: Graph, out: Console, err: Console, use_shared: bool = True) -> None:
    shared = settings.shared_data() if use_shared else None
    if shared is not None:
        out.print(f"Building a store from the real public data in [bold]{shared}[/bold] into {graph.path}")
        for src in REAL_SOURCES:
            paths = [shared / p for p in src.paths]
            if not all(p.exists() for p in paths):
                err.print(f"skipping {src.dataset}: {', '.join(str(p) for p in paths if not p.exists())} missing")
                continue
            _ingest(graph, out, err, src.dataset, paths, src.format, src.title, src.licence, src.as_of)
    else:
        why = "../shared/data not found" if use_shared else "--sample"
        out.print(f"{why}: building from the built-in sample of invented people into {graph.path}")
        with tempfile.TemporaryDirectory(prefix="pepgraph-sample-") as tmp:
            write_sample(tmp)
            for dataset, (name, title) in DATASETS.items():
                _ingest(graph, out, err, dataset, [Path(tmp) / name], "ftm", title, "CC0-1.0")
    with err.status("building: resolving the same people across sources and scripts, classifying PEPs…"):
        report = graph.build()
    res, cls = report["resolve"], report["classify"]
    out.print(
        f"  resolved: {res.records:,} records → {res.clusters:,} entities ({res.merged:,} records merged; "
        f"{res.identifier_links:,} identifier links, {res.model_pairs:,} model links, "
        f"{res.relative_links:,} through relatives) in {res.seconds:.1f}s"
    )
    out.print(
        f"  classified: PEPs {cls.peps.get('current', 0):,} current, {cls.peps.get('former', 0):,} former, "
        f"{cls.peps.get('expired', 0):,} expired; {cls.rcas:,} relatives and close associates; "
        f"{cls.relatives_matched:,} of {cls.relatives_named:,} relatives named without an id matched "
        f"to a known person, in {cls.seconds:.1f}s"
    )
    _summary(graph, out)


def _ingest(
    graph: Graph, out: Console, err: Console, dataset: str, paths: list[Path], fmt: str, title: str,
    licence: str, as_of: str | None = None,
) -> None:
    with IngestBar(err) as bar:
        result = graph.ingest(paths, dataset, format=fmt, title=title, licence=licence, progress=bar, as_of=as_of)
    state = "unchanged, last seen updated" if result.status == "unchanged" else f"version {result.version}"
    out.print(
        f"  {dataset:<22} {result.entities:>9,} entities {result.statements:>10,} statements "
        f"({result.added:,} new, {result.retired:,} gone; {state}) in {result.seconds:.1f}s"
    )


def _summary(graph: Graph, out: Console) -> None:
    data = graph.stats("schema")
    total = data["total"]
    out.print(
        f"\n[bold]{total['entities']:,}[/bold] entities, {total['statements']:,} statements in "
        f"{total['datasets']} datasets"
    )
    table = Table("schema", "entities", box=None)
    for row in data["rows"][:10]:
        table.add_row(row["key"], f"{row['entities']:,}")
    out.print(table)
    countries = graph.stats("country")["rows"][:8]
    out.print("top countries: " + ", ".join(f"{r['key']} {r['entities']:,}" for r in countries))
    for topic, label in (("role.pep", "PEPs"), ("role.rca", "RCAs"), ("sanction", "sanctioned")):
        rows = graph.stats("country", topic=topic)["rows"][:6]
        if rows:
            out.print(f"{label} by country: " + ", ".join(f"{r['key']} {r['entities']:,}" for r in rows)
                      + f"   (`pepgraph stats --by country --topic {topic}`)")
    example = graph.store.con.execute(
        "SELECT value FROM statements WHERE current AND schema = 'Family' AND prop = 'relative' "
        "ORDER BY dataset = 'us_congress' DESC, dataset, value LIMIT 1"
    ).fetchone()
    if example:
        entity = graph.entity(example[0])
        if entity:
            names = [v["value"] for v in entity["properties"].get("name", [])][:3]
            out.print(
                f"\nan example entity: [bold]{entity['caption']}[/bold] ({entity['id']}), "
                f"names {names}, from {', '.join(entity['datasets'])}: "
                f"`pepgraph entity {entity['id']}` shows every value with its sources"
            )
    out.print(
        "next: `pepgraph screen \"NAME\"`, or serve it: `pepgraph keys create --name me --role admin`, "
        "`pepgraph serve`, then open http://127.0.0.1:8000/ui/search and sign in with the key"
    )
