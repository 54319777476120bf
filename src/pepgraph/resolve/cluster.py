"""Clusters under human constraints, and canonical ids that survive rebuilds.

Clustering is Kruskal's algorithm on the scored pairs, strongest first: "same" judgements are
joined before anything else, then identifier links, then model pairs above the threshold, then
pairs whose relatives are one person (relatives.py; they meet every rule below that a model link
meets); a join
that would put two records judged "different" into one cluster is refused. Refusing the weakest
joins of a component is what "cut it at its weakest links" means for a greedy maximum spanning
forest: the strong links that were joined first stay.

Model links alone never grow a cluster past ``MAX_MODEL_CLUSTER`` records. Connected components
chain: on 100,000 generated key persons, records such as "ZHANG, Y." linked well to "Zhang Yang",
"Zhang Yulan" and "Zhang Yufang" alike, and components of hundreds of different Zhangs formed
(pairwise precision 0.09). A real person has a handful of records per source; a join that would
pass the cap is refused and reported, and the strongest links, joined first, stay. Judgements
and shared identifiers are not capped.

Model links also keep a cluster consistent in birth dates, as the pairwise vetoes keep a pair:
chaining through records without a birth date had put 李建军 born 1946, 1979 and 1997 into one
cluster. A model join is refused when it would put into one cluster two records, other than the
pair it links, born more than ``max_birth_gap`` years apart or with full birth dates that cannot
be one date mistyped (more than 31 days apart, and not the same date with day and month swapped
or the year one off). Only links with an end that has no full birth date are checked (those are
the bridges), and the linked pair itself is left to the model and the pairwise veto: FEBRL's
corrupted dates showed that checking every link loses true pairs (FEBRL3 recall 0.989 → 0.929).

The same holds for countries: a model link with an end that has no country is refused when
each side already has records with countries and the two sides share none. On the
EveryPolitician benchmark "RIMMER, Marie" (born 1947, no country) linked both to Marie Rimmer of
the United Kingdom and to a namesake from another country that the model had kept apart (a name
and a country conflict score 0.54). Only bridges are checked: two records of different
countries can be one person (dual nationals, a second source's error), and the model weighs that
on the pair itself.

And for strong identifiers: a model link is refused when it would put into one cluster records
with conflicting identifiers (the pairwise rule, ``conflict``, applied to each side's ids). In the
congress-legislators / EveryPolitician benchmark with EveryPolitician's ids removed, the senator
John Edwards (born 1953) linked to his own congress record and, by name alone, to two 18th and
19th century John Edwardses without birth dates, which made one cluster of three bioguide ids.

And for names: a model link made on a loose name match (``FUZZY_NAME_LEVELS``: similar tokens,
initials, a shared token, sound, or no name match at all) is refused when both sides already hold
two records or more, each side has a name that two of its sources agree on, in a script both
sides' agreed names are written in, and neither side holds any name of that kind from the other.
A typo or a variant spelling is one record's accident; two groups of sources that each agree on
a name are two people, even a letter apart. On EveryPolitician "Shakila Hashimi" and
"Shakiba-hashimi", two Afghan deputies, had been one cluster through one "similar name tokens"
link: the rule took its precision from 0.9752 to 0.9814 for a recall of 0.9414 → 0.9413; on the
generated data and FEBRL it changed nothing. Counting records instead of sources split FEBRL3
duplicates that share one corrupted name, and comparing across scripts split a Cyrillic name's
records from its romanisation's (docs/benchmarks.md).

A name contained in the other counts as loose too ("name tokens contained"): on EveryPolitician
"Árni Sigurðsson" and "Árni Þór Sigurðsson", two Icelandic members each named so by two sources,
had been one cluster (with the next rule applied to every loose link, precision 0.9838 → 0.9850,
recall unchanged).

And for a record written with initials, whatever the size of the sides: its loose link is
refused when both sides hold names written out in full (two tokens or more, no initial) in a script they
share and no such name on one side is spelt like any on the other (the linked pair itself left
out), spelt alike being far looser than the model's "similar name tokens" (two edits, one for
short tokens, a short token alike any with its first letter, Jaro-Winkler 0.88, or one
consonant skeleton). What it catches is a record written with initials that fits two people:
"M. Rahaman" linked to "Shaikh Muzibur Rahman" and to "RAHMAN, Mostafziur", and "M. Georgios" to
"Matthaioudakis Georgios" and "Mavrotas Georgios". Such a record, as close to the one as to the
other, is ambiguous and joins neither (as for the bridges above). On EveryPolitician, with
"contained" above, precision 0.9803 → 0.9840, recall 0.9516 → 0.9510; with a strict spelling
test (the model's) recall fell to 0.9468: typos in short tokens ("HAMADOU ABO") and nicknames ("Tom Coburn" / "COBURN, Thomas").
Applied to every loose link, not only those of a record with initials, it took FEBRL3's recall
from 0.9937 to 0.8157: FEBRL replaces whole names, and its duplicates meet on date and address.

Canonical ids: a cluster with exactly one Wikidata QID among its records takes the QID; any other
cluster of two or more records takes ``pg-`` and a hash of its sorted member ids (so the same
membership gives the same id in every rebuild); a lone record keeps its own id.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache


MAX_MODEL_CLUSTER = 25
#: name levels (model.COMPARISONS, by prefix) that are a loose match: see "And for names" above
FUZZY_NAME_LEVELS = ("similar name tokens", "name tokens contained", "same initials", "sound alike", "two tokens shared",
                     "one token shared", "else")
#: the kinds of link that a score made and the rules check: the model's, and the relatives' second
#: pass (relatives.py), which comes after every model link
SCORED = ("model", "relatives")
#: records each side needs before two consistently named groups are kept apart
NAMED_SIDE = 2
#: a refused bridge this close (in log2 odds) to a record's strongest accepted link makes the
#: record ambiguous between two people
AMBIGUITY_BITS = 1.0


def _parse(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def dates_compatible(a: str, b: str) -> bool:
    """Whether two full birth dates (YYYY-MM-DD) can be one date, mistyped."""
    if a == b:
        return True
    da, db = _parse(a), _parse(b)
    if da is None or db is None:
        return True
    if abs((da - db).days) <= 31:
        return True
    if da.year == db.year and da.month == db.day and da.day == db.month:
        return True
    return (da.month, da.day) == (db.month, db.day) and abs(da.year - db.year) <= 1


Births = tuple[tuple[str, int, str], ...]  # (record, birth year, full date or "") per record


def _named_apart(small: set[str], large: set[str], names: dict[str, list[tuple[str, str]]],
                 sources: dict[str, str] | None = None) -> str | None:
    """Each side has a name that two of its sources agree on (two of its records, when sources
    are not given), in a script both sides' agreed names are written in, and the other side has
    none of them. Two sources, not two records of one: a source's duplicates can carry one
    corrupted name between them (FEBRL3, one dataset, lost 14 true pairs when records counted).
    Names are (script, Latin form): two sources that romanise one Cyrillic name two ways each
    agree with themselves too, and are one person."""
    agreed: list[set[tuple[str, str]]] = []
    held: list[set[tuple[str, str]]] = []
    for side in (small, large):
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        for rec in side:
            for name in names.get(rec, ()):
                seen[name].add(sources.get(rec, rec) if sources is not None else rec)
        agreed.append({name for name, by in seen.items() if len(by) >= 2})
        held.append(set(seen))
    scripts = {script for script, _ in agreed[0]} & {script for script, _ in agreed[1]}
    left = {name for name in agreed[0] if name[0] in scripts}
    right = {name for name in agreed[1] if name[0] in scripts}
    if left and right and not left & held[1] and not right & held[0]:
        return f"records named '{min(left)[1]}' and records named '{min(right)[1]}' would be one person"
    return None


def _full_name(name: str) -> tuple[str, ...] | None:
    """The tokens of a name written out in full (two tokens or more, no initial), else None."""
    tokens = tuple(name.split())
    return tokens if len(tokens) >= 2 and all(len(t) >= 2 for t in tokens) else None


@lru_cache(maxsize=1 << 16)
def _tokens_alike(x: str, y: str) -> bool:
    """One token, perhaps mistyped or spelt another way: at most two edits apart (one for a token
    of three letters or less: "abo" / "abbo", "ana" / "anna"; a token that short is alike any
    with its first letter, for nicknames: "Tom" / "Thomas"), Jaro-Winkler 0.88 or more, or the
    same consonant skeleton of three consonants or more. Looser than the model's "similar name
    tokens" on purpose: this rule only keeps apart names that are nothing alike ("Muzibur" /
    "Mostafziur", "Matthaioudakis" / "Mavrotas")."""
    from rapidfuzz.distance import JaroWinkler, Levenshtein

    from pepgraph.names.translit import skeleton

    if x == y or (min(len(x), len(y)) <= 3 and x[0] == y[0]):  # "Tom" / "Thomas", "Sid" / "Said"
        return True
    if Levenshtein.distance(x, y, score_cutoff=2) <= (1 if min(len(x), len(y)) <= 3 else 2):
        return True
    if JaroWinkler.similarity(x, y) >= 0.88:
        return True
    sx = skeleton(x, "Latin", x)
    return len(sx) >= 3 and sx == skeleton(y, "Latin", y)


def _names_alike(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Every token of the shorter name is alike some token of the other."""
    short, long = sorted((a, b), key=len)
    return all(any(_tokens_alike(x, y) for y in long) for x in short)


def _initialled(names: Iterable[tuple[str, str]]) -> bool:
    """A record whose names are all written with initials ("m rahaman"), none in full."""
    spelt = [name.split() for _script, name in names]
    return bool(spelt) and all(any(len(t) == 1 for t in tokens) for tokens in spelt)


def _spelt_apart(small: set[str], large: set[str], a: str, b: str,
                 names: dict[str, list[tuple[str, str]]]) -> str | None:
    """Both sides hold names written out in full, in a script they share, and no such name on
    one side is alike one on the other (the pair being linked left out: the model weighed it).
    A loose link between them is then a record written with initials that fits two people: "M. Rahaman" fits "Shaikh Muzibur Rahman" and "RAHMAN, Mostafziur" alike,
    "M. Georgios" both "Matthaioudakis Georgios" and "Mavrotas Georgios"."""
    sides = []
    for side in (small, large):
        sides.append([(rec, script, full) for rec in side for script, name in names.get(rec, ())
                      if (full := _full_name(name)) is not None])
    compared = None
    for ra, sa, fa in sides[0]:
        for rb, sb, fb in sides[1]:
            if sa != sb or {ra, rb} == {a, b}:
                continue
            if _names_alike(fa, fb):
                return None
            compared = compared or (" ".join(fa), " ".join(fb))
    if compared is None:
        return None
    return f"no name of one side is spelt like one of the other ('{compared[0]}' / '{compared[1]}')"


def _birth_conflict(left: Births, right: Births, a: str, b: str, max_gap: int) -> str | None:
    """Two records, one on each side, that cannot be one person by their birth data. The pair
    being linked (``a``, ``b``) is left out: the model weighed its dates already, and the pairwise
    veto judged it; this rule is about what the link would join transitively."""
    for ra, ya, fa in left:
        for rb, yb, fb in right:
            if {ra, rb} == {a, b}:
                continue
            if abs(ya - yb) > max_gap:
                return f"{ra} born {ya} and {rb} born {yb} would be in one cluster"
            if fa and fb and not dates_compatible(fa, fb):
                return f"{ra} born {fa} and {rb} born {fb} would be in one cluster"
    return None


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


def _kruskal(records: list[str], ordered: list[tuple[str, str, float, str]], different: list[tuple[str, str]],
             max_model_cluster: int, births: dict[str, tuple[int | None, list[str]]] | None, max_birth_gap: int,
             countries: dict[str, list[str]] | None,
             identifiers: dict[str, list[str]] | None = None,
             conflict: Callable[[list[str], list[str]], str | None] | None = None,
             names: dict[str, list[tuple[str, str]]] | None = None, fuzzy: set[tuple[str, str]] | None = None,
             sources: dict[str, str] | None = None,
             ) -> tuple[_UnionFind, list[tuple[str, str, str]], dict[str, tuple[str, str]]]:
    """One greedy pass over ``ordered`` edges; returns the forest, the refused links and the
    ambiguous bridge records (record -> (the other end of its refused link, why))."""
    uf = _UnionFind()
    for rec in records:
        uf.find(rec)
    forbidden: dict[str, set[str]] = defaultdict(set)
    for a, b in different:
        forbidden[a].add(b)
        forbidden[b].add(a)
    known: dict[str, Births] = {}  # by cluster root
    dated = {rec: bool(full) for rec, (_year, full) in (births or {}).items()}
    for rec, (year, full) in (births or {}).items():
        items = tuple((rec, int(d[:4]), d) for d in sorted(set(full)) if d[:4].isdigit())
        if not items and year:
            items = ((rec, int(year), ""),)
        if items:
            known[rec] = items
    nations: dict[str, frozenset[str]] = {rec: frozenset(c) for rec, c in (countries or {}).items() if c}
    placed = set(nations)  # records that have a country themselves (nations is also kept by root)
    held: dict[str, list[str]] = {rec: list(v) for rec, v in (identifiers or {}).items() if v} if conflict else {}
    with_ids = set(held)  # records that have identifiers themselves (held is also kept by root)
    refused: list[tuple[str, str, str]] = []
    best: dict[str, float] = {}  # record -> log-odds of its strongest accepted model link
    bridged: list[tuple[str, str, float, str]] = []  # (bridge record, other end, log-odds, why)
    for a, b, score, evidence in ordered:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        scored = evidence in SCORED  # a link the rules below check; judgements and identifiers are not
        small, large = sorted((uf.members[ra], uf.members[rb]), key=len)
        if scored and len(small) + len(large) > max_model_cluster:
            refused.append((a, b, f"{evidence} link refused: it would make a cluster of {len(small) + len(large)} "
                                  f"records (cap {max_model_cluster})"))
            continue
        ba, bb = known.get(ra, ()), known.get(rb, ())
        # only a link with an end that has no full birth date can bridge namesakes born apart;
        # a link between two dated records was weighed on its dates by the model already
        bridge = not dated.get(a) or not dated.get(b)
        if scored and bridge and ba and bb:
            why = _birth_conflict(ba, bb, a, b, max_birth_gap)
            if why is not None:
                refused.append((a, b, f"{evidence} link refused: {why}"))
                bridged.extend((x, a if x == b else b, _log_odds(score), why) for x in (a, b) if not dated.get(x))
                continue
        na, nb = nations.get(ra), nations.get(rb)
        if scored and na and nb and (a not in placed or b not in placed) and not na & nb:
            why = (f"it would join records of {', '.join(sorted(na))} and of {', '.join(sorted(nb))} "
                   "through a record without a country")
            refused.append((a, b, f"{evidence} link refused: {why}"))
            bridged.extend((x, a if x == b else b, _log_odds(score), why) for x in (a, b) if x not in placed)
            continue
        ia, ib = held.get(ra), held.get(rb)
        if scored and ia and ib and conflict is not None:
            why = conflict(ia, ib)
            if why is not None:
                why = f"it would join records with {why} into one cluster"
                refused.append((a, b, f"{evidence} link refused: {why}"))
                bridged.extend((x, a if x == b else b, _log_odds(score), why) for x in (a, b) if x not in with_ids)
                continue
        if scored and names is not None and fuzzy and (min(a, b), max(a, b)) in fuzzy:
            why = None
            if len(small) >= NAMED_SIDE and len(large) >= NAMED_SIDE:
                why = _named_apart(small, large, names, sources)
            initialled = [x for x in (a, b) if _initialled(names.get(x, ()))]
            if why is None and initialled and len(small) + len(large) > 2:
                why = _spelt_apart(small, large, a, b, names)
                if why is not None:  # the end written with initials fits both people: it may be ambiguous
                    bridged.extend((x, a if x == b else b, _log_odds(score), why) for x in initialled)
            if why is not None:
                refused.append((a, b, f"{evidence} link refused: a loose name match, and {why}"))
                continue
        clash = next(((x, y) for x in small if forbidden.get(x) for y in forbidden[x] if y in large), None)
        if clash is not None:
            refused.append((a, b, f"judged different: {clash[0]} / {clash[1]} ({evidence} link refused)"))
            continue
        root = uf.union(a, b)
        if scored:
            w = _log_odds(score)
            best[a], best[b] = max(best.get(a, w), w), max(best.get(b, w), w)
        if ba or bb:
            known[root] = ba + bb
        if na or nb:
            nations[root] = (na or frozenset()) | (nb or frozenset())
        if ia or ib:
            held[root] = sorted(set(ia or ()) | set(ib or ()))
    # a bridge record as close to the cluster it was refused as to the one it joined could be
    # either person's: it is left out of both
    ambiguous = {x: (other, why) for x, other, w, why in bridged if x in best and w >= best[x] - AMBIGUITY_BITS}
    return uf, refused, ambiguous


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def cluster(
    records: Iterable[str],
    edges: Iterable[tuple[str, str, float, str]],
    different: Iterable[tuple[str, str]],
    qids: dict[str, list[str]],
    max_model_cluster: int = MAX_MODEL_CLUSTER,
    births: dict[str, tuple[int | None, list[str]]] | None = None,
    max_birth_gap: int = 5,
    countries: dict[str, list[str]] | None = None,
    identifiers: dict[str, list[str]] | None = None,
    conflict: Callable[[list[str], list[str]], str | None] | None = None,
    names: dict[str, list[tuple[str, str]]] | None = None,
    fuzzy: set[tuple[str, str]] | None = None,
    sources: dict[str, str] | None = None,
) -> Clustering:
    """``edges`` are (a, b, score, evidence); evidence 'judgement' and 'identifier' come first.
    ``names`` (per record, (script, one spelling) per name) and ``fuzzy`` (the model links, as
    (min, max) pairs, made on a loose name match) turn on the rule for names; ``sources`` (the
    dataset of each record) makes it count agreeing sources rather than records.

    Two passes: the second runs only when the first found ambiguous bridges (see the module's
    docstring) and leaves out their model links."""
    records = list(records)
    rank = {"judgement": 0, "identifier": 1, "model": 2, "relatives": 3}
    ordered = sorted(edges, key=lambda e: (rank.get(e[3], 3), -e[2], e[0], e[1]))
    different = list(different)
    uf, refused, ambiguous = _kruskal(records, ordered, different, max_model_cluster, births, max_birth_gap, countries,
                                      identifiers, conflict, names, fuzzy, sources)
    if ambiguous:
        kept = [e for e in ordered if e[3] not in SCORED or (e[0] not in ambiguous and e[1] not in ambiguous)]
        uf, refused, _again = _kruskal(records, kept, different, max_model_cluster, births, max_birth_gap,
                                       countries, identifiers, conflict, names, fuzzy, sources)
        refused.extend((rec, other, f"ambiguous: {rec} is as close to {other} as to the cluster it joined, "
                                    f"but {why}; its model links are left out")
                       for rec, (other, why) in sorted(ambiguous.items()))
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
