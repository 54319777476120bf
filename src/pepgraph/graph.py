"""Neighbourhoods and family maps: the graph around a person, and the whole graph for Gephi.

Nodes are canonical entities (persons, positions, organisations); edges are FtM's edge schemata
(``Family``, ``Associate``, ``Occupancy``, ``Membership``, ``Directorship``, ``Ownership``...)
read through followthemoney's own ``edge`` definitions, so every link type a source can carry is
drawn, labelled with its relationship (Family, Associate), role, or dates (Occupancy).

Minors are left out (with their edges) unless ``include_minors``: see ``pepgraph.privacy``.
Hubs (a legislature's position has thousands of holders) are capped per node: the graph says how
many edges it left out, and ``limit`` asks for more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from followthemoney import model

from pepgraph.errors import ConfigError, NotFound
from pepgraph.privacy import minor_sql
from pepgraph.store import Store

FORMATS = ("json", "graphml", "gexf")
EDGE_SCHEMATA = tuple(sorted(s.name for s in model.schemata.values() if s.edge and s.name != "Documentation"))
MAX_DEPTH = 3


def minors(store: Store, ids: Iterable[str] | None = None) -> set[str]:
    """Canonical ids of persons born less than 18 years ago (of ``ids``, or of the whole store)."""
    sql = (
        "SELECT DISTINCT canonical_id FROM statements WHERE current AND prop = 'birthDate' "
        f"AND {minor_sql('value')}"
    )
    if ids is None:
        return {r[0] for r in store.con.execute(sql).fetchall()}
    ids = list(ids)
    if not ids:
        return set()
    return {r[0] for r in store.con.execute(sql + " AND list_contains(?, canonical_id)", [ids]).fetchall()}


def _edges_touching(store: Store, canonicals: list[str]) -> list[dict[str, Any]]:
    """Every edge entity with an end among ``canonicals``, ends mapped to canonical ids."""
    rows = store.con.execute(
        f"""
        WITH ends AS (SELECT DISTINCT entity_id FROM statements WHERE list_contains(?, canonical_id)),
        edges AS (
            SELECT DISTINCT s.entity_id FROM statements s JOIN ends e ON s.value = e.entity_id
            WHERE s.current AND s.prop_type = 'entity' AND s.schema IN ({", ".join("?" for _ in EDGE_SCHEMATA)})
        )
        SELECT s.entity_id, s.schema, s.prop, s.value, s.dataset FROM statements s JOIN edges USING (entity_id)
        WHERE s.current ORDER BY s.entity_id, s.prop, s.value
        """,
        [canonicals, *EDGE_SCHEMATA],
    ).fetchall()
    return _assemble(store, rows)


def _assemble(store: Store, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for entity_id, schema, prop, value, dataset in rows:
        item = grouped.setdefault(entity_id, {"id": entity_id, "schema": schema, "props": {}, "datasets": set()})
        item["props"].setdefault(prop, []).append(value)
        item["datasets"].add(dataset)
    ends = sorted({v for g in grouped.values() for s in (model.get(g["schema"]),) if s
                   for p in (s.edge_source, s.edge_target) for v in g["props"].get(p, [])})
    canon = dict(store.con.execute(
        "SELECT entity_id, min(canonical_id) FROM statements WHERE list_contains(?, entity_id) GROUP BY entity_id",
        [ends],
    ).fetchall()) if ends else {}
    edges = []
    for item in grouped.values():
        schema = model.get(item["schema"])
        if schema is None:
            continue
        for source in item["props"].get(schema.edge_source, []):
            for target in item["props"].get(schema.edge_target, []):
                if source not in canon or target not in canon:
                    continue  # an end that is not in the store (a dangling reference)
                label_parts = [v for p in schema.edge_caption for v in item["props"].get(p, [])]
                edges.append({
                    "id": item["id"], "schema": schema.name,
                    "source": canon[source], "target": canon[target],
                    "label": " ".join(label_parts) if label_parts else schema.edge_label,
                    "kind": schema.edge_label, "directed": schema.edge_directed,
                    "datasets": sorted(item["datasets"]),
                })
    return edges


def _nodes(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = store.con.execute(
        """
        SELECT canonical_id,
               min(schema) FILTER (WHERE prop = 'id'),
               min(value) FILTER (WHERE prop = 'name'),
               list(DISTINCT value) FILTER (WHERE prop = 'topics'),
               list(DISTINCT value) FILTER (WHERE prop_type = 'country'),
               min(value) FILTER (WHERE prop = 'birthDate'),
               list(DISTINCT dataset)
        FROM statements WHERE current AND list_contains(?, canonical_id)
          AND prop IN ('id', 'name', 'topics', 'birthDate', 'country', 'citizenship', 'nationality', 'jurisdiction')
        GROUP BY canonical_id
        """,
        [ids],
    ).fetchall()
    return {
        r[0]: {"id": r[0], "schema": r[1] or "Thing", "caption": r[2] or r[0], "topics": sorted(r[3] or []),
               "countries": sorted(r[4] or []), "birth_date": r[5], "datasets": sorted(r[6] or [])}
        for r in rows
    }


def neighbourhood(store: Store, entity_id: str, depth: int = 1, limit: int = 50,
                  include_minors: bool = False) -> dict[str, Any]:  # fmt: skip
    """The graph ``depth`` hops around an entity; at most ``limit`` edges added per node."""
    from pepgraph.entities import resolve_id

    if not 1 <= depth <= MAX_DEPTH:
        raise ConfigError(f"--depth {depth}: choose 1 to {MAX_DEPTH}")
    if limit < 1:
        raise ConfigError(f"--limit {limit}: must be at least 1")
    root = resolve_id(store, entity_id)
    if root is None:
        raise NotFound(f"no entity {entity_id!r}")
    hidden_minors = set() if include_minors else minors(store, [root])
    if root in hidden_minors:
        raise NotFound(f"no entity {entity_id!r}")  # a minor is not found, rather than shown
    seen = {root}
    frontier = [root]
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    truncated: dict[str, int] = {}
    for _ in range(depth):
        found = _edges_touching(store, frontier)
        ends = {e["source"] for e in found} | {e["target"] for e in found}
        if not include_minors:
            hidden_minors |= minors(store, ends - seen)
        per_node: dict[str, int] = {}
        next_frontier: list[str] = []
        for edge in sorted(found, key=lambda e: (e["schema"] != "Family", e["schema"], e["id"])):
            if edge["source"] in hidden_minors or edge["target"] in hidden_minors:
                continue
            key = (edge["id"], edge["source"], edge["target"])
            if key in edges:
                continue
            near = edge["source"] if edge["source"] in frontier else edge["target"]
            far = edge["target"] if near == edge["source"] else edge["source"]
            if far not in seen and per_node.get(near, 0) >= limit:
                truncated[near] = truncated.get(near, 0) + 1
                continue
            per_node[near] = per_node.get(near, 0) + 1
            edges[key] = edge
            if far not in seen:
                seen.add(far)
                next_frontier.append(far)
        frontier = next_frontier
        if not frontier:
            break
    nodes = _nodes(store, sorted(seen))
    return {
        "root": root, "depth": depth, "nodes": [nodes[n] for n in sorted(nodes)],
        "edges": [e for e in edges.values() if e["source"] in nodes and e["target"] in nodes],
        "truncated": truncated, "minors_hidden": len(hidden_minors) if not include_minors else 0,
    }


def whole_graph(store: Store, include_minors: bool = False) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Every node that is an end of an edge, and every edge (streamed in batches)."""
    hidden = set() if include_minors else minors(store)
    rows = store.con.execute(
        f"""
        SELECT s.entity_id, s.schema, s.prop, s.value, s.dataset FROM statements s
        WHERE s.current AND s.schema IN ({", ".join("?" for _ in EDGE_SCHEMATA)})
        ORDER BY s.entity_id, s.prop, s.value
        """,
        list(EDGE_SCHEMATA),
    ).fetchall()
    edges = [e for e in _assemble(store, rows) if e["source"] not in hidden and e["target"] not in hidden]
    ids = sorted({e["source"] for e in edges} | {e["target"] for e in edges})
    nodes = _nodes(store, ids)
    return [nodes[i] for i in ids if i in nodes], iter(edges)


# -- writers ---------------------------------------------------------------------------------------
def write_graph(nodes: list[dict[str, Any]], edges: Iterable[dict[str, Any]], fmt: str, fh: IO[str]) -> int:
    """Write ``nodes`` and ``edges`` as JSON, GraphML or GEXF; returns the number of edges."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        import json

        edge_list = list(edges)
        json.dump({"nodes": nodes, "edges": edge_list}, fh, ensure_ascii=False, indent=1)
        return len(edge_list)
    if fmt == "graphml":
        return _graphml(nodes, edges, fh)
    return _gexf(nodes, edges, fh)


def _graphml(nodes: list[dict[str, Any]], edges: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for key, domain in (("label", "node"), ("schema", "node"), ("topics", "node"), ("countries", "node"),
                        ("label", "edge"), ("schema", "edge"), ("datasets", "edge")):
        fh.write(f'  <key id="{domain[0]}_{key}" for="{domain}" attr.name="{key}" attr.type="string"/>\n')
    fh.write('  <graph id="pepgraph" edgedefault="directed">\n')
    for node in nodes:
        fh.write(f"    <node id={quoteattr(node['id'])}>")
        fh.write(f'<data key="n_label">{escape(node["caption"])}</data>')
        fh.write(f'<data key="n_schema">{escape(node["schema"])}</data>')
        fh.write(f'<data key="n_topics">{escape(";".join(node["topics"]))}</data>')
        fh.write(f'<data key="n_countries">{escape(";".join(node["countries"]))}</data></node>\n')
    count = 0
    for edge in edges:
        count += 1
        fh.write(f"    <edge id={quoteattr(edge['id'] + ':' + str(count))} source={quoteattr(edge['source'])} "
                 f"target={quoteattr(edge['target'])}>")
        fh.write(f'<data key="e_label">{escape(edge["label"])}</data>')
        fh.write(f'<data key="e_schema">{escape(edge["schema"])}</data>')
        fh.write(f'<data key="e_datasets">{escape(";".join(edge["datasets"]))}</data></edge>\n')
    fh.write("  </graph>\n</graphml>\n")
    return count


def _gexf(nodes: list[dict[str, Any]], edges: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
             '  <meta><creator>pepgraph</creator></meta>\n'
             '  <graph defaultedgetype="directed" mode="static">\n'
             '    <attributes class="node">'
             '<attribute id="0" title="schema" type="string"/><attribute id="1" title="topics" type="string"/>'
             '<attribute id="2" title="countries" type="string"/></attributes>\n'
             '    <attributes class="edge"><attribute id="0" title="schema" type="string"/></attributes>\n'
             "    <nodes>\n")
    for node in nodes:
        fh.write(f"      <node id={quoteattr(node['id'])} label={quoteattr(node['caption'])}><attvalues>"
                 f"<attvalue for=\"0\" value={quoteattr(node['schema'])}/>"
                 f"<attvalue for=\"1\" value={quoteattr(';'.join(node['topics']))}/>"
                 f"<attvalue for=\"2\" value={quoteattr(';'.join(node['countries']))}/></attvalues></node>\n")
    fh.write("    </nodes>\n    <edges>\n")
    count = 0
    for edge in edges:
        count += 1
        kind = "directed" if edge["directed"] else "undirected"
        fh.write(f"      <edge id=\"{count}\" source={quoteattr(edge['source'])} target={quoteattr(edge['target'])} "
                 f"type=\"{kind}\" label={quoteattr(edge['label'])}><attvalues>"
                 f"<attvalue for=\"0\" value={quoteattr(edge['schema'])}/></attvalues></edge>\n")
    fh.write("    </edges>\n  </graph>\n</gexf>\n")
    return count


def write_graph_file(nodes: list[dict[str, Any]], edges: Iterable[dict[str, Any]], fmt: str, out: str | Path) -> int:
    import sys

    if str(out) == "-":
        return write_graph(nodes, edges, fmt, sys.stdout)
    with open(out, "w", encoding="utf-8") as fh:
        return write_graph(nodes, edges, fmt, fh)
