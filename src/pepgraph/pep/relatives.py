"""Relatives given by name only, matched to a known person when the name allows no doubt.

congress-legislators records a member's relatives as ``{name, relation}``: "John Quincy Adams,
son". The reader makes a ``Person`` holding just that name, linked by a ``Family``. When the
name is that of exactly one person already known — in the same dataset first (the Adams family is
in congress-legislators' historical file), else in all of them — the link is followed to that
person, so the family graph joins up and RCA status flows through it. Otherwise the named person
stays a person of their own, with the mention as its provenance.

"Exactly one" is strict on purpose: the same name tokens, in any order, after normalisation and
transliteration (``pepgraph.names``' tokeniser), and one canonical entity carrying them. Two John Adamses
make the mention ambiguous, and it is left alone: a wrong family link would make an innocent
person an RCA.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from pepgraph.names.normalize import person_tokens
from pepgraph.names.translit import latin
from pepgraph.store import Store


@dataclass
class RelativeMatches:
    named: int = 0  # persons known only by a name, mentioned by a family or associate link
    matches: dict[str, tuple[str, str]] = field(default_factory=dict)  # entity_id -> (canonical, scope)
    ambiguous: int = 0


def _key(name: str) -> tuple[str, ...]:
    """The name's tokens, folded, stripped of titles and transliterated, in sorted order: what
    must be equal for two names to be "the same name" here. (``analyze`` would add name symbols
    and phonetic keys, which exact equality does not need, at a hundred times the cost.)"""
    return tuple(sorted(latin(t) for t in person_tokens(name)))


def match_named_relatives(store: Store, canonical: dict[str, str]) -> RelativeMatches:
    result = RelativeMatches()
    stubs = store.con.execute(
        """
        WITH linked AS (
            SELECT DISTINCT value AS entity_id FROM statements
            WHERE current AND schema IN ('Family', 'Associate') AND prop IN ('person', 'relative', 'associate')
        ), props AS (
            SELECT s.entity_id, min(s.dataset) AS dataset, min(s.canonical_id) AS canonical_id,
                   bool_and(s.prop IN ('id', 'name')) AS name_only,
                   min(s.value) FILTER (WHERE s.prop = 'name') AS name
            FROM statements s JOIN linked l ON l.entity_id = s.entity_id
            WHERE s.current AND s.schema = 'Person' AND s.dataset <> 'derived_pep'
            GROUP BY s.entity_id
        )
        SELECT p.entity_id, p.dataset, p.name FROM props p
        WHERE p.name_only AND p.name IS NOT NULL
          -- still a cluster of one: resolution has not already found who this is
          AND (SELECT count(DISTINCT entity_id) FROM statements c WHERE c.canonical_id = p.canonical_id) = 1
        """
    ).fetchall()
    result.named = len(stubs)
    if not stubs:
        return result
    stub_ids = {s[0] for s in stubs}
    keys = {s[0]: _key(s[2]) for s in stubs}
    surnames = sorted({k[-1] for k in keys.values() if k} | {t for k in keys.values() for t in k if len(t) > 3})
    partners = _partners(store, stub_ids, canonical)
    store.con.register("_surnames", pa.table({"token": surnames}))
    try:
        rows = store.con.execute(
            """
            SELECT DISTINCT s.entity_id, s.canonical_id, s.dataset, s.value
            FROM (SELECT entity_id, canonical_id, dataset, value,
                         unnest(string_split(lower(value), ' ')) AS token
                  FROM statements WHERE current AND schema = 'Person' AND prop IN ('name', 'alias')) s
            JOIN _surnames n ON n.token = s.token
            """
        ).fetchall()
    finally:
        store.con.unregister("_surnames")
    by_key: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    wanted = set(keys.values())
    for entity_id, cid, dataset, value in rows:
        if entity_id in stub_ids:
            continue
        key = _key(value)
        if key in wanted:
            by_key.setdefault(key, []).append((cid, dataset))
    for entity_id, dataset, _name in stubs:
        found = by_key.get(keys[entity_id], [])
        exclude = partners.get(entity_id, set())
        same = {cid for cid, ds in found if ds == dataset and cid not in exclude}
        anywhere = {cid for cid, _ in found if cid not in exclude}
        if len(same) == 1:
            result.matches[entity_id] = (next(iter(same)), "same-dataset")
        elif not same and len(anywhere) == 1:
            result.matches[entity_id] = (next(iter(anywhere)), "any-dataset")
        elif len(same) > 1 or len(anywhere) > 1:
            result.ambiguous += 1
    return result


def _partners(store: Store, stub_ids: set[str], canonical: dict[str, str]) -> dict[str, set[str]]:
    """For each name-only person, the canonical ids on the other side of its links: the member
    whose relative they are can never be that relative."""
    rows = store.con.execute(
        """
        SELECT entity_id, list(value) FROM statements
        WHERE current AND schema IN ('Family', 'Associate') AND prop IN ('person', 'relative', 'associate')
        GROUP BY entity_id
        """
    ).fetchall()
    out: dict[str, set[str]] = {}
    for _, ends in rows:
        for end in ends:
            if end in stub_ids:
                out.setdefault(end, set()).update(canonical.get(e, e) for e in ends if e != end)
    return out
