"""A person's profile: the merged entity plus what a compliance reader asks first.

``enrich`` adds to ``entities.get_entity``'s answer: whether the entity is a minor (hidden unless
asked for), its PEP and RCA roles with their reasons, the positions it held as a timeline, and its
relatives and associates one hop away with each link's source. The CLI, the API and the pages all
show this one structure.
"""

from __future__ import annotations

from typing import Any

from pepgraph.graph import _edges_touching, _nodes, minors
from pepgraph.pep.classify import RANK, _relationship
from pepgraph.store import Store

ROLE_COLUMNS = ("role", "status", "until", "category", "scope", "tier", "reason", "position_name",
                "country", "start_date", "end_date", "pep_id", "relationship", "link_id", "datasets",
                "occupancy_id")  # fmt: skip


def enrich(store: Store, data: dict[str, Any], include_minors: bool = False) -> dict[str, Any] | None:
    canonical = data["id"]
    minor = bool(minors(store, [canonical]))
    if minor and not include_minors:
        return None
    data["minor"] = minor
    rows = store.con.execute(
        f"SELECT {', '.join(ROLE_COLUMNS)} FROM pep_roles WHERE canonical_id = ? "
        "ORDER BY role, CASE status WHEN 'current' THEN 0 WHEN 'former' THEN 1 ELSE 2 END, tier, start_date",
        [canonical],
    ).fetchall()
    roles = [dict(zip(ROLE_COLUMNS, r)) for r in rows]
    for role in roles:
        role["until"] = role["until"].isoformat() if role["until"] else None
    data["roles"] = roles
    for kind in ("pep", "rca"):
        statuses = [r["status"] for r in roles if r["role"] == kind]
        data[f"{kind}_status"] = min(statuses, key=RANK.__getitem__) if statuses else None
    data["positions"] = _positions(store, canonical, roles)
    data["relatives"], data["relatives_hidden"] = _relatives(store, canonical, include_minors)
    return data


def _positions(store: Store, canonical: str, roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = store.con.execute(
        """
        WITH mine AS (SELECT DISTINCT entity_id FROM statements WHERE canonical_id = ?),
        occ AS (SELECT DISTINCT s.entity_id FROM statements s JOIN mine m ON s.value = m.entity_id
                WHERE s.current AND s.schema = 'Occupancy' AND s.prop = 'holder')
        SELECT o.entity_id,
               min(o.value) FILTER (WHERE o.prop = 'post'),
               min(o.value) FILTER (WHERE o.prop = 'startDate'),
               max(o.value) FILTER (WHERE o.prop = 'endDate'),
               min(o.value) FILTER (WHERE o.prop = 'status'),
               list(DISTINCT o.dataset)
        FROM statements o JOIN occ USING (entity_id) WHERE o.current GROUP BY o.entity_id
        """,
        [canonical],
    ).fetchall()
    posts = sorted({r[1] for r in rows if r[1]})
    names = dict(store.con.execute(
        "SELECT entity_id, min(value) FROM statements WHERE current AND prop = 'name' "
        "AND list_contains(?, entity_id) GROUP BY entity_id", [posts],
    ).fetchall()) if posts else {}
    by_occupancy = {r["occupancy_id"]: r for r in roles if r["role"] == "pep"}
    out = []
    for occ_id, post, start, end, status, datasets in rows:
        role = by_occupancy.get(occ_id)
        out.append({
            "occupancy_id": occ_id, "position_id": post, "position": names.get(post, post),
            "start": start, "end": end, "source_status": status, "datasets": sorted(datasets),
            "category": role["category"] if role else None, "pep_status": role["status"] if role else None,
        })
    out.sort(key=lambda p: (p["start"] or "", p["end"] or "9999"))
    return out


def _relatives(store: Store, canonical: str, include_minors: bool) -> tuple[list[dict[str, Any]], int]:
    edges = [e for e in _edges_touching(store, [canonical]) if e["schema"] in ("Family", "Associate")]
    others = sorted({e["target"] if e["source"] == canonical else e["source"] for e in edges} - {canonical})
    hidden = set() if include_minors else minors(store, others)
    nodes = _nodes(store, [o for o in others if o not in hidden])
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in edges:
        other = edge["target"] if edge["source"] == canonical else edge["source"]
        if other not in nodes:
            continue
        # a link's relationship says what its target (``relative``) is to its source (``person``):
        # turned round when this entity is the target
        relationship = (edge["label"] if edge["source"] == canonical
                        else _relationship(edge["label"], edge["schema"], pep_is_person=False))
        key = (other, relationship)
        item = out.setdefault(key, {"id": other, "caption": nodes[other]["caption"], "relationship": relationship,
                                    "schema": edge["schema"], "topics": nodes[other]["topics"], "links": [],
                                    "datasets": set()})
        item["links"].append(edge["id"])
        item["datasets"].update(edge["datasets"])
    result = sorted(out.values(), key=lambda r: (r["caption"], r["relationship"]))
    for item in result:
        item["datasets"] = sorted(item["datasets"])
    return result, len(hidden)
