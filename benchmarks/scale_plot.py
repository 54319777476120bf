"""Plot ``benchmarks/scale.py`` reports: wall time and peak RSS of each stage against the number
of key persons, on log-log axes (a straight line of slope 1 is linear growth), as one SVG.

    .venv/bin/python benchmarks/scale_plot.py scale.json [more.json ...] --out docs/scale.svg

Each input is the list ``scale.py --json`` writes (one dict per stage and size, with ``stage``,
``persons``, ``seconds`` and ``peak_rss_mb``). A later file's figures replace an earlier one's
for the same stage and size. Written by hand in SVG so that the plot needs nothing installed.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

STAGES = ("generate", "ingest", "resolve", "classify", "index", "screen")
COLOURS = {"whole build": "#000000", "generate": "#7f7f7f", "ingest": "#1f77b4", "resolve": "#d62728", "classify": "#2ca02c",
           "index": "#9467bd", "screen": "#ff7f0e"}
W, H = 380, 300  # one panel
LEFT, RIGHT, TOP, BOTTOM = 62, 20, 34, 46


def series(reports: list[dict[str, Any]], field: str) -> dict[str, list[tuple[float, float]]]:
    """stage -> [(persons, value)] sorted by persons, the last report winning per size."""
    points: dict[str, dict[float, float]] = {}
    for r in reports:
        if r.get("stage") in STAGES and r.get(field) and r.get("persons"):
            points.setdefault(r["stage"], {})[float(r["persons"])] = float(r[field])
    out = {s: sorted(v.items()) for s, v in points.items()}
    if field == "seconds" and out:  # the whole build: the stages' times added, where all were run
        sizes = set.intersection(*(set(points[s]) for s in points))
        out = {"whole build": sorted((n, sum(points[s][n] for s in points)) for n in sizes), **out}
    return out


def _ticks(lo: float, hi: float) -> list[float]:
    out = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo <= v <= hi:
                out.append(float(v))
    return out


def _label(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def panel(data: dict[str, list[tuple[float, float]]], x0: float, title: str, unit: str,
          limit: float | None = None) -> list[str]:
    xs = [p[0] for pts in data.values() for p in pts]
    ys = [p[1] for pts in data.values() for p in pts] + ([limit] if limit else [])
    if not xs:
        return []
    xlo, xhi = min(xs) / 1.3, max(xs) * 1.3
    ylo, yhi = min(ys) / 1.5, max(ys) * 1.5

    def px(x: float) -> float:
        return x0 + LEFT + (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo)) * (W - LEFT - RIGHT)

    def py(y: float) -> float:
        return TOP + (1 - (math.log(y) - math.log(ylo)) / (math.log(yhi) - math.log(ylo))) * (H - TOP - BOTTOM)

    out = [f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0 + LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" stroke="#999"/>']
    for t in sorted(set(xs)):
        out.append(f'<line x1="{px(t):.1f}" y1="{TOP}" x2="{px(t):.1f}" y2="{H - BOTTOM}" stroke="#eee"/>')
        out.append(f'<text x="{px(t):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{_label(t)}</text>')
    for t in _ticks(ylo, yhi):
        out.append(f'<line x1="{x0 + LEFT}" y1="{py(t):.1f}" x2="{x0 + W - RIGHT}" y2="{py(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 + LEFT - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{_label(t)}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle">key persons</text>')
    out.append(f'<text x="{x0 + 14}" y="{(TOP + H - BOTTOM) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {(TOP + H - BOTTOM) / 2})">{unit}</text>')
    if limit and ylo < limit < yhi:
        out.append(f'<line x1="{x0 + LEFT}" y1="{py(limit):.1f}" x2="{x0 + W - RIGHT}" y2="{py(limit):.1f}" '
                   f'stroke="#000" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x0 + W - RIGHT - 4}" y="{py(limit) - 4:.1f}" text-anchor="end">target</text>')
    for stage, pts in data.items():
        colour = COLOURS.get(stage, "#000")
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in pts]
    return out


def svg(reports: list[dict[str, Any]]) -> str:
    times, memory = series(reports, "seconds"), series(reports, "peak_rss_mb")
    body = panel(times, 0, "Wall time per stage", "seconds", limit=30 * 60)
    body += panel(memory, W, "Peak RSS per stage", "MB", limit=12 * 1024)
    legend_y = H + 8
    for i, stage in enumerate(s for s in ("whole build", *STAGES) if s in times or s in memory):
        x = 10 + i * 105
        body.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{COLOURS[stage]}"/>')
        body.append(f'<text x="{x + 16}" y="{legend_y + 11}">{stage}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 30}" '
            f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    reports: list[dict[str, Any]] = []
    for path in args.reports:
        reports += json.loads(path.read_text())
    args.out.write_text(svg(reports))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
