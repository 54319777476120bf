"""Clusters under human constraints, and canonical ids that survive rebuilds.

Clustering is Kruskal's algorithm on the scored pairs, strongest first: "same" judgements are
joined before anything else, then identifier links, then model pairs above the threshold; a join
that would put two records judged "different" into one cluster is refused. Refusing the weakest
joins of a component is what "cut it at its weakest links" means for a greedy maximum spanning
forest: the strong links that were joined first stay.

Canonical ids: a cluster with exactly one Wikidata QID among its records takes the QID; any other
cluster of two or more records takes ``pg-`` and a hash of its sorted member ids (so the same
membership gives the same id in every rebuild); a lone record keeps its own id.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        if parent != x:
            root = self.find(parent)
            self.parent[x] = root
            return root
        self.members.setdefault(x, {x})
        return x

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        return ra


@dataclass
class Clustering:
    mapping: dict[str, str]  # entity_id -> canonical_id, for every record given
    clusters: int
    merged: int  # records that share their cluster with another
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (a, b, why)


def cluster(
    records: Iterable[str],
    edges: Iterable[tuple[str, str, float, str]],
    different: Iterable[tuple[str, str]],
    qids: dict[str, list[str]],
) -> Clustering:
    """``edges`` are (a, b, score, evidence); evidence 'judgement' and 'identifier' come first."""
    uf = _UnionFind()
    for rec in records:
        uf.find(rec)
    forbidden: dict[str, set[str]] = defaultdict(set)
    for a, b in different:
        forbidden[a].add(b)
        forbidden[b].add(a)
    rank = {"judgement": 0, "identifier": 1, "model": 2}
    ordered = sorted(edges, key=lambda e: (rank.get(e[3], 3), -e[2], e[0], e[1]))
    refused: list[tuple[str, str, str]] = []
    for a, b, _score, evidence in ordered:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        small, large = sorted((uf.members[ra], uf.members[rb]), key=len)
        clash = next(((x, y) for x in small if forbidden.get(x) for y in forbidden[x] if y in large), None)
        if clash is not None:
            refused.append((a, b, f"judged different: {clash[0]} / {clash[1]} ({evidence} link refused)"))
            continue
        uf.union(a, b)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    roots = sorted({uf.find(r) for r in uf.parent}, key=lambda r: (-len(uf.members[r]), min(uf.members[r])))
    merged = 0
    for root in roots:
        members = sorted(uf.members[root])
        canonical = canonical_id(members, qids, taken)
        taken.add(canonical)
        if len(members) > 1:
            merged += len(members)
        for m in members:
            mapping[m] = canonical
    return Clustering(mapping=mapping, clusters=len(roots), merged=merged, refused=refused)


def canonical_id(members: list[str], qids: dict[str, list[str]], taken: set[str]) -> str:
    found = sorted({q for m in members for q in qids.get(m, [])})
    if len(found) == 1 and found[0] not in taken:
        return found[0]
    if len(members) == 1:
        return members[0]
    digest = hashlib.sha1("\n".join(members).encode("utf-8")).hexdigest()[:20]
    return f"pg-{digest}"


def redirects(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """old canonical id -> its successor, for ids that no longer exist after a rebuild: the new
    canonical id that most of its former members now have."""
    current = set(new.values())
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for entity_id, old_canonical in old.items():
        if old_canonical not in current and entity_id in new:
            votes[old_canonical][new[entity_id]] += 1
    return {gone: count.most_common(1)[0][0] for gone, count in votes.items()}
