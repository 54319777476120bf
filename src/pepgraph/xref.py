"""Cross-referencing an external dataset against the graph, without merging it into the store.

What the 2020 analysts did with the leaked database, done in the open: read every record of a
leaked list, a customer file or another watchlist (any format ``pepgraph ingest`` reads), screen
each person or organisation against the built index, and report who in it is a known PEP, RCA
or sanctioned entity, by country, category and status, with the strongest matches explained.

Outputs, in ``--out DIR``: ``matches.csv`` and ``unmatched.csv`` (one row per record),
``summary.json``, and ``report.html`` (self-contained: styles and bar charts are drawn into the
file, nothing is fetched). Minors in the graph are never reported.
"""

from __future__ import annotations

import csv
import html
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pepgraph.errors import ConfigError

if TYPE_CHECKING:
    from pepgraph.facade import Graph

SCREENED = ("Person", "Organization", "Company", "LegalEntity", "PublicBody")
TOPIC_CLASSES = (("role.pep", "PEP"), ("role.rca", "RCA"), ("sanction", "sanctioned"))


@dataclass
class XrefResult:
    records: int = 0
    screened: int = 0
    matched: int = 0
    rejected: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, dict[str, int]] = field(default_factory=dict)  # class -> country -> n
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    relatives: int = 0
    strongest: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    threshold: float = 0.7
    source: str = ""
    out: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _records(paths: list[str | Path], fmt: str, mapping: str | Path | None,
             on_reject: Callable[[Exception], None]) -> Any:  # fmt: skip
    """Every entity of the files, read by the ingest readers (nothing is stored)."""
    from pepgraph.ingest import collect_files
    from pepgraph.sources import get_reader
    from pepgraph.sources.base import SourceContext

    files, _ = collect_files(list(paths), fmt)
    options: dict[str, Any] = {"mapping": Path(mapping)} if mapping else {}
    for src in files:
        if src.format == "csv" and not mapping:
            raise ConfigError(f"{src.path}: a CSV needs --mapping (see docs/csv-mapping.md)")
        ctx = SourceContext(dataset="xref", path=src.path, origin=src.origin, skip_invalid=True, options=options)
        yield from get_reader(src.format).read(ctx)
        for exc in ctx.rejected:
            on_reject(exc)


def xref(graph: Graph, paths: list[str | Path], out: str | Path, fmt: str = "auto",
         mapping: str | Path | None = None, threshold: float = 0.7, limit: int = 3,
         progress: Callable[[int], None] | None = None) -> XrefResult:  # fmt: skip
    """Screen every record of ``paths`` against ``graph``'s index; write the reports into ``out``."""
    from pepgraph.screen import subject_from_entity

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not graph.index_path.exists():
        raise ConfigError(f"{graph.index_path}: no screening index; run `pepgraph build` first")
    screener = graph.screener()
    result = XrefResult(threshold=threshold, source=", ".join(str(p) for p in paths), out=str(out))
    rejected: list[Exception] = []
    matched_rows: list[dict[str, Any]] = []
    head = ["record_id", "record_schema", "record_name", "record_countries", "record_birth_dates"]
    cand = ["candidate_id", "caption", "score", "match", "topics", "countries", "explanation"]
    with open(out / "matches.csv", "w", newline="", encoding="utf-8") as mfh, \
            open(out / "unmatched.csv", "w", newline="", encoding="utf-8") as ufh:  # fmt: skip
        matches = csv.writer(mfh)
        unmatched = csv.writer(ufh)
        matches.writerow([*head, "rank", *cand])
        unmatched.writerow([*head, "best_score", "best_candidate_id"])
        for entity in _records(paths, fmt, mapping, rejected.append):
            result.records += 1
            if entity.schema.name not in SCREENED:
                continue
            data = entity.to_dict()
            subject = subject_from_entity(data)
            if not subject.names:
                continue
            result.screened += 1
            if progress and result.screened % 1000 == 0:
                progress(result.screened)
            hits = screener.screen(subject, limit=limit, threshold=threshold)
            props = data.get("properties", {})
            countries = sorted({v for p in ("country", "nationality", "citizenship", "jurisdiction") for v in props.get(p, [])})
            base = [entity.id, entity.schema.name, entity.caption, ";".join(countries), ";".join(props.get("birthDate", []))]
            good = [h for h in hits if h.match]
            if not good:
                best = hits[0] if hits else None
                unmatched.writerow([*base, f"{best.scored.score:.3f}" if best else "", best.entity.id if best else ""])
                continue
            result.matched += 1
            for rank, hit in enumerate(good, start=1):
                item = hit.to_dict()
                matches.writerow([*base, rank, item["id"], item["caption"], f"{item['score']:.3f}", "true",
                                  ";".join(item["topics"]), ";".join(item["properties"].get("country", [])),
                                  hit.scored.explanation()])
            top = good[0].to_dict()
            matched_rows.append({"record_id": entity.id, "record_name": entity.caption, "id": top["id"],
                                 "caption": top["caption"], "score": top["score"], "topics": top["topics"],
                                 "countries": top["properties"].get("country", []),
                                 "explanation": good[0].scored.explanation()})
    result.rejected = len(rejected)
    _summarise(graph, result, matched_rows)
    result.seconds = round(time.perf_counter() - started, 2)
    (out / "summary.json").write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "report.html").write_text(render_html(result), encoding="utf-8")
    return result


def _summarise(graph: Graph, result: XrefResult, rows: list[dict[str, Any]]) -> None:
    by_class: Counter[str] = Counter()
    by_country: dict[str, Counter[str]] = {label: Counter() for _, label in TOPIC_CLASSES}
    for row in rows:
        for topic, label in TOPIC_CLASSES:
            if topic in row["topics"]:
                by_class[label] += 1
                for country in row["countries"] or ["unknown"]:
                    by_country[label][country] += 1
    result.by_class = dict(by_class)
    result.by_country = {label: dict(c.most_common()) for label, c in by_country.items() if c}
    result.relatives = by_class.get("RCA", 0)
    ids = sorted({r["id"] for r in rows if "role.pep" in r["topics"]})
    if ids:
        best = graph.store.con.execute(
            """
            SELECT canonical_id, arg_min(category, (CASE status WHEN 'current' THEN 0 WHEN 'former' THEN 1 ELSE 2 END) * 10 + tier),
                   CASE min(CASE status WHEN 'current' THEN 0 WHEN 'former' THEN 1 ELSE 2 END)
                        WHEN 0 THEN 'current' WHEN 1 THEN 'former' ELSE 'expired' END
            FROM pep_roles WHERE role = 'pep' AND list_contains(?, canonical_id) GROUP BY canonical_id
            """,
            [ids],
        ).fetchall()
        result.by_category = dict(Counter(r[1] for r in best).most_common())
        result.by_status = dict(Counter(r[2] for r in best).most_common())
    result.strongest = sorted(rows, key=lambda r: -r["score"])[:25]


# -- the report ----------------------------------------------------------------------------------
def _bars(title: str, counts: dict[str, int], top: int = 15) -> str:
    """A horizontal bar chart as inline SVG (no script, no fetch)."""
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    if not items:
        return f"<h3>{html.escape(title)}</h3><p>none</p>"
    peak = max(v for _, v in items) or 1
    row_h, label_w, bar_w = 22, 140, 420
    height = row_h * len(items) + 8
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{label_w + bar_w + 80}" height="{height}">']
    for i, (label, value) in enumerate(items):
        y = i * row_h + 4
        w = max(2, int(bar_w * value / peak))
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(str(label))}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 8}" fill="#2f6f9f"/>'
                     f'<text x="{label_w + w + 6}" y="{y + 15}">{value:,}</text>')
    parts.append("</svg>")
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts)


def render_html(result: XrefResult) -> str:
    pct = f"{100 * result.matched / result.screened:.1f}%" if result.screened else "0%"
    classes = ", ".join(f"{n:,} {label}" for label, n in result.by_class.items()) or "none"
    countries = "".join(_bars(f"{label} matches by country", counts) for label, counts in result.by_country.items())
    rows = "".join(
        f"<tr><td>{html.escape(r['record_name'] or r['record_id'])}</td><td>{html.escape(r['caption'])}"
        f" <small>{html.escape(r['id'])}</small></td><td>{r['score']:.2f}</td>"
        f"<td>{html.escape(', '.join(r['topics']))}</td><td>{html.escape(r['explanation'])}</td></tr>"
        for r in result.strongest
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pepgraph cross-reference report</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1b1b1b; padding: 0 1rem; }}
h1 {{ font-size: 1.6rem; }} .big {{ font-size: 1.3rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
svg text {{ font: 13px system-ui, sans-serif; fill: #1b1b1b; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 2rem; }}
</style></head><body>
<h1>Cross-reference report</h1>
<p>Source: <code>{html.escape(result.source)}</code>. Generated {generated} by pepgraph; threshold {result.threshold}.</p>
<p class="big"><strong>{result.matched:,}</strong> of {result.screened:,} screened records ({pct}) match a known
person or entity: {html.escape(classes)}.</p>
<p>{result.records:,} records read, {result.rejected:,} rejected as malformed; persons under 18 in the graph are never reported.</p>
<div class="grid">
{countries}
{_bars("Matched PEPs by category", result.by_category)}
{_bars("Matched PEPs by status", result.by_status)}
</div>
<h2>Strongest matches</h2>
<table><thead><tr><th scope="col">record</th><th scope="col">known as</th><th scope="col">score</th><th scope="col">topics</th><th scope="col">why</th></tr></thead>
<tbody>{rows}</tbody></table>
<p><small>Every match is a lead, not a finding: check it against the profile (<code>pepgraph entity ID</code>) and its sources.</small></p>
</body></html>
"""


__all__ = ["XrefResult", "render_html", "xref"]
