"""Relatives as evidence: two records whose relatives are one person are likely one person.

A press record "Anna Petrova" with no birth date scores under the threshold against the registry's
"PETROVA, Anna Sergeevna": the name fits, and so does every other Anna Petrova's. If the press
names her husband, the registry names hers, and resolution has already put the two husbands'
records into one cluster, the two Annas are far more likely one woman. The model cannot weigh
this pair by pair (a relative's identity is known only once clustering has run), so it is a
second pass: after the first clustering, a pair the model scored at ``REVIEW_FLOOR`` or more
but under the threshold is linked when one record's relative and the other's, of the same
kind, are in one cluster. Such links come after every model link and meet every rule a model
link meets (birth dates, countries, names, identifiers, the cluster cap, judgements).

Kinds are as seen from the record: "my spouse", "my child", "my parent", "my sibling". Only
kinds that point at few people count as evidence (``EVIDENT``). A person has one spouse at a time
and two parents, so two records that both say "my spouse is X" or "my child is X" are one person
or, for a child, its other parent (whom gender and given name tell apart). "My parent is X" and
"my sibling is X" do not count: every child of X says so, and brothers share a family name and
a country (measured on generated data, docs/benchmarks.md, "Relatives as evidence").

FtM's ``Family.relationship`` describes ``relative`` as seen from ``person`` ("son": the relative
is the person's son); a word not listed in ``KINDS`` (a grandparent, an associate) is not used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pepgraph.store import Store

#: a relationship word -> the kind of relative it names, as seen from the link's ``person``
KINDS = {
    "spouse": "spouse", "husband": "spouse", "wife": "spouse", "partner": "spouse",
    "child": "child", "son": "child", "daughter": "child",
    "parent": "parent", "father": "parent", "mother": "parent",
    "sibling": "sibling", "brother": "sibling", "sister": "sibling",
}  # fmt: skip
#: the same link as seen from the ``relative``
INVERSE = {"spouse": "spouse", "child": "parent", "parent": "child", "sibling": "sibling"}
#: kinds that point at few people: evidence that two records saying so are one person
EVIDENT = frozenset({"spouse", "child"})

Kin = dict[str, list[tuple[str, str]]]  # record -> [(kind, relative's record)]


def load(store: Store, kinds: Iterable[str] = EVIDENT) -> Kin:
    """Every record's relatives of the ``kinds`` that count, from the store's current Family links
    (pepgraph's own derived links left out)."""
    wanted = set(kinds)
    rows = store.con.execute(
        """
        SELECT min(value) FILTER (WHERE prop = 'person'), min(value) FILTER (WHERE prop = 'relative'),
               lower(trim(min(value) FILTER (WHERE prop = 'relationship')))
        FROM statements WHERE current AND schema = 'Family' AND dataset <> 'derived_pep'
        GROUP BY entity_id
        """
    ).fetchall()
    kin: Kin = defaultdict(list)
    for person, relative, word in rows:
        kind = KINDS.get(word or "")
        if not person or not relative or person == relative or kind is None:
            continue
        if kind in wanted:
            kin[person].append((kind, relative))
        if INVERSE[kind] in wanted:
            kin[relative].append((INVERSE[kind], person))
    return dict(kin)


def shared(a: str, b: str, kin: Kin, mapping: dict[str, str]) -> tuple[str, str, str] | None:
    """(kind, a's relative, b's relative) when a relative of ``a`` and one of ``b`` of the same kind
    are in one cluster of ``mapping`` (record -> canonical id) that is neither ``a``'s nor ``b``'s;
    else None."""
    own = {mapping.get(a, a), mapping.get(b, b)}
    theirs: dict[tuple[str, str], str] = {}
    for kind, rel in kin.get(a, ()):
        cluster = mapping.get(rel, rel)
        if cluster not in own:
            theirs.setdefault((kind, cluster), rel)
    for kind, rel in kin.get(b, ()):
        found = theirs.get((kind, mapping.get(rel, rel)))
        if found is not None:
            return kind, found, rel
    return None
