"""Screening one query: candidates by key lookups, a pre-score, then the full scorer.

1. **Keys.** The query's names give ``pepgraph.names.name_keys`` keys (Latin tokens, rigour
   name symbols, phonetic and consonant keys), hashed and looked up in the index: rarest first,
   each entity collecting the keys' inverse document frequencies. A key is read whole only when
   it is rare enough (``MAX_DF``) and the query's budget of postings (``SCAN_BUDGET``) allows; when
   every key is too common, the rarest is read up to the budget. A query costs at most that many
   postings, whatever the index size.
2. **Filters.** Schema compatibility (a Person query never gets a Company), topics, datasets, and
   minors (left out unless ``include_minors``) - on bit masks, before anything is decoded.
3. **Rank.** The ``CANDIDATES`` best by their share of the query's key weight, plus
   ``YEAR_AGREE`` for a birth year within a year of the query's and ``YEAR_CONFLICT`` for one
   further away (numpy over the index's columns, nothing decoded), so that among many people of
   one name the one with the query's birth year is scored. A query with readings of its names
   (Chinese, Japanese, Korean: ``Subject.readings``) is ranked on its written names and on its
   readings apart, the best of each kept; and a query with a name in another script than Latin
   also on the keys that bridge scripts alone (all but the ``t:`` Latin tokens), each of its
   tokens counting its best key once: its own script's tokens match every namesake written in
   it four ways (token, metaphone, skeleton, and each of a dozen name symbols: محمد has all of
   Muhammad's spellings' Wikidata items), a name in Latin letters two or three, so "محمد رعد"
   ranked every "محمد ..." written in Arabic above "Mohammad Raad". That pass adds at most
   ``BRIDGING_CANDIDATES`` (2): with 8, a name in another script than Latin had 13 to 20
   candidates scored in full, three times a Latin name's time, and cross-referencing
   EveryPolitician's press source found no more with 8 than with 2 (``benchmarks/xref_ep.py``).
4. **Gate.** A candidate that has less than ``GATE_SHARE`` of the query's key weight and whose
   names are all less than ``GATE_PRESCORE`` alike (Indel similarity of the sorted Latin tokens)
   is dropped unscored: measured on the yente fixtures, none of those scores 0.6 or more, and
   they are three in four of all candidates. Only a pair of names in Latin letters is gated:
   a query with readings, or without a name in Latin letters, and a candidate without one, are
   scored in full. ICU's romanisation of a name in another script is not the one a register
   writes (a reading in Hangul "gim jeong hun" / "KIM Jung Hoon", "ramacandra caudhari" of
   रामचन्द्र चौधरी / "Ram Chandra Chaudhary", "jwrj wynwwyj" of جورج وینوویچ / "George
   Voinovich"), which the full comparison pairs through name symbols and its looser bar across
   scripts.
5. **Score.** The rest are scored by the algorithm (``score.ALGORITHMS``), each on its two names
   most like the query's; when the query or the candidate has readings, on the
   ``PAIRS_PER_CANDIDATE`` (3) pairs of names most alike (a query in characters has up to seven
   readings: every one against two names was 100 full comparisons a query).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pepgraph.names import name_keys
from pepgraph.names.keys import part_keys
from pepgraph.screen.index import ScreenIndex, key_hash
from pepgraph.screen.nameforms import prescore, sorted_latin
from pepgraph.screen.score import DEFAULT_THRESHOLD, Algorithm, Scored, get_algorithm
from pepgraph.screen.subject import Subject, comparable, compatible

MAX_DF = 5_000
SCAN_BUDGET = 12_000
CANDIDATES = 8
NAMES_PER_CANDIDATE = 2
#: of a query or candidate with readings, the name pairs compared in full (the pre-score's best)
PAIRS_PER_CANDIDATE = 3
#: the candidates a query's pass on the keys that bridge scripts may add to its written names'
BRIDGING_CANDIDATES = 2
YEAR_AGREE, YEAR_CONFLICT = 0.15, -0.3
GATE_SHARE, GATE_PRESCORE = 0.6, 0.6
#: keys that pair a name across scripts (name symbols, consonant skeletons, metaphone): a query with a name
#: in another script than Latin is ranked on these apart too (``ScreenEngine.candidates``)
BRIDGING = ("s:", "k:", "p:")
_KEY_CACHE_MAX = 100_000
_HASHES: dict[str, int] = {}


@dataclass(slots=True)
class Hit:
    """One scored candidate."""

    n: int
    entity: Subject
    scored: Scored
    match: bool

    def to_dict(self, properties: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """yente's result shape: id, caption, schema, properties, datasets, topics, score, match,
        explanations (per feature: score and detail), plus ``features`` (feature -> score)."""
        e = self.entity
        return {
            "id": e.id, "caption": e.caption, "schema": e.schema,
            "properties": properties if properties is not None else _properties(e),
            "datasets": list(e.datasets), "topics": list(e.topics), "score": self.scored.score,
            "match": self.match,
            "features": {k: round(f.score, 4) for k, f in self.scored.features.items()},
            "explanations": self.scored.explanations(),
        }


def _properties(e: Subject) -> dict[str, list[str]]:
    """The properties the index keeps: names, birth dates, countries, gender, identifiers,
    topics (the full entity is ``pepgraph entity ID``)."""
    props: dict[str, list[str]] = {
        "name": [f.original for i, f in enumerate(e.names) if i not in e.weak and i not in e.readings]}
    weak = [f.original for i, f in enumerate(e.names) if i in e.weak]
    for key, values in (("weakAlias", weak), ("birthDate", list(e.birth_dates)), ("country", sorted(e.countries)),
                        ("gender", sorted(e.genders)), ("idNumber", sorted(e.identifiers)),
                        ("topics", list(e.topics))):  # fmt: skip
        if values:
            props[key] = values
    return props


class Screener:
    """Screens queries against one index with one algorithm. Keeps small caches (query keys,
    decoded entities); one per process or thread."""

    def __init__(self, index: ScreenIndex, algorithm: str | Algorithm | None = None) -> None:
        self.index = index
        self.algorithm = algorithm if isinstance(algorithm, Algorithm) else get_algorithm(algorithm)
        self._keys: dict[tuple[str, ...], list[tuple[int, int, int, float]]] = {}
        self._schema_ok: dict[str, Any] = {}
        self._topic_bits: dict[tuple[str, ...], int | None] = {}
        self._dataset_bits: dict[tuple[str, ...], int | None] = {}

    # -- candidates --------------------------------------------------------------------------
    def _query_keys(self, query: Subject, readings: bool = False, bridging: bool = False,
                    ) -> list[tuple[int, int, int, float, int]]:
        """(df, start, end, weight, token) of each of the query's keys found in the index, rarest
        first: of its written names, or with ``readings`` of its readings (``Subject.readings``);
        with ``bridging`` only the keys that bridge scripts (all but the Latin tokens), each
        with the number of the query token it comes from (-1 otherwise)."""
        forms = [f for i, f in enumerate(query.names) if (i in query.readings) == readings]
        sig = tuple(f.normalized for f in forms) + (query.schema, readings, bridging)
        found = self._keys.get(sig)
        if found is None:
            keys: dict[str, int] = {}
            if bridging:
                token = 0
                for form in forms:
                    for part in part_keys(form):
                        for key in part:
                            if key.startswith(BRIDGING):
                                keys.setdefault(key, token)
                        token += 1
            else:
                for form in forms:
                    keys.update(dict.fromkeys(name_keys(form), -1))
            found = []
            idx = self.index
            hashes = _HASHES
            for key, token in keys.items():
                h = hashes.get(key)
                if h is None:
                    if len(hashes) >= _KEY_CACHE_MAX:
                        hashes.clear()
                    h = hashes[key] = key_hash(key)
                start, end = idx.lookup(h)
                if end > start:
                    found.append((end - start, start, end, idx.idf(end - start), token))
            found.sort()
            if len(self._keys) >= _KEY_CACHE_MAX:
                self._keys.clear()
            self._keys[sig] = found
        return found

    def _allowed_schemata(self, schema: str) -> Any:
        """A boolean array over the index's schema numbers: which a query of ``schema`` may get."""
        ok = self._schema_ok.get(schema)
        if ok is None:
            ok = self._schema_ok[schema] = np.array(
                [compatible(schema, s) for s in self.index.schemata] or [False], dtype=bool
            )
        return ok

    def _bits(self, values: tuple[str, ...], vocab: list[str], cache: dict[tuple[str, ...], int | None]) -> int | None:
        """A bit mask of ``values`` over ``vocab``; None when one is beyond the 64 masked ones
        (then the record is checked instead). 0 when none of them is in the index at all."""
        if values not in cache:
            mask = 0
            for v in values:
                if v in vocab:
                    i = vocab.index(v)
                    if i >= 64:
                        cache[values] = None
                        return None
                    mask |= 1 << i
            cache[values] = mask
        return cache[values]

    def candidates(
        self, query: Subject, topics: Iterable[str] | None = None, datasets: Iterable[str] | None = None,
        include_minors: bool = False, limit: int = CANDIDATES,
    ) -> list[tuple[float, int]]:
        """The best ``limit`` entities by key weight (as a share of the query's), with the birth
        years' agreement (``YEAR_AGREE`` / ``YEAR_CONFLICT``), after filters; best first. A query
        with readings (``Subject.readings``) ranks twice, on its written names and on its
        readings, and gets the best ``limit`` of each, the written names' first: the readings'
        keys (a name in characters may have seven readings) would otherwise outweigh the
        written name's and push its exact namesake out."""
        ranked = self._ranked(self._query_keys(query), query, topics, datasets, include_minors, limit)
        if query.readings:
            seen = {n for _, n in ranked}
            more = self._ranked(self._query_keys(query, readings=True), query, topics, datasets, include_minors, limit)
            ranked += [(share, n) for share, n in more if n not in seen]
        if any(f.script != "Latin" for i, f in enumerate(query.names) if i not in query.readings):
            seen = {n for _, n in ranked}
            more = self._ranked(self._query_keys(query, bridging=True), query, topics, datasets, include_minors,
                                BRIDGING_CANDIDATES)
            ranked += [(share, n) for share, n in more if n not in seen]
        return ranked

    def _ranked(self, keys: list[tuple[int, int, int, float, int]], query: Subject, topics: Iterable[str] | None,
                datasets: Iterable[str] | None, include_minors: bool, limit: int) -> list[tuple[float, int]]:
        idx = self.index
        if not keys:
            return []
        postings = idx.postings_np
        slices, weights = [], []
        scanned = 0
        for df, start, end, w, token in keys:
            if df > MAX_DF or scanned + df > SCAN_BUDGET:
                continue
            scanned += df
            slices.append(postings[start:end])
            weights.append((w, df, token))
        if not slices:  # every key too common: the rarest, up to the budget
            df, start, end, w, token = keys[0]
            end = min(end, start + SCAN_BUDGET)
            slices, weights = [postings[start:end]], [(w, end - start, token)]
        ents = np.concatenate(slices) if len(slices) > 1 else slices[0]
        wts = np.repeat(np.array([w for w, _, _ in weights]), [n for _, n, _ in weights])
        if keys[0][4] >= 0:  # by token: each of the query's tokens counts its best key once
            tokens = max(k[4] for k in keys) + 1
            pairs = ents.astype(np.int64) * tokens + np.repeat(np.array([t for _, _, t in weights]), [n for _, n, _ in weights])
            order = np.argsort(pairs, kind="stable")
            pairs, wts = pairs[order], wts[order]
            starts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1])))
            ents, wts = pairs[starts] // tokens, np.maximum.reduceat(wts, starts)
            best: dict[int, float] = {}
            for _, _, _, w, token in keys:
                best[token] = max(best.get(token, 0.0), w)
            total = sum(best.values())
        else:
            # the weight each entity gathers over its keys: a sort and a segmented sum (cheaper
            # than np.unique(return_inverse=True) + bincount, which sorts twice)
            order = np.argsort(ents, kind="stable")
            ents, wts = ents[order], wts[order]
            total = sum(k[3] for k in keys)
        starts = np.flatnonzero(np.concatenate(([True], ents[1:] != ents[:-1])))
        uniq = ents[starts]
        sums = np.add.reduceat(wts, starts)
        share = sums / total
        # filters and birth years, on the index's columns for every candidate at once
        keep = self._allowed_schemata(query.schema)[idx.schema_np[uniq]]
        if topics:
            tmask = self._bits(tuple(sorted(topics)), idx.topics, self._topic_bits)
            if tmask is not None:
                keep &= (idx.topic_np[uniq] & np.uint64(tmask)) != 0
        if datasets:
            dmask = self._bits(tuple(sorted(datasets)), idx.datasets, self._dataset_bits)
            if dmask is not None:
                keep &= (idx.dataset_np[uniq] & np.uint64(dmask)) != 0
        years = sorted({int(d[:4]) for d in query.birth_dates})
        if years:
            lo, hi = idx.byear_lo_np[uniq].astype(np.int32), idx.byear_hi_np[uniq].astype(np.int32)
            agree = np.zeros(len(uniq), dtype=bool)
            for y in years:
                agree |= (lo - 1 <= y) & (y <= hi + 1)
            known = lo > 0
            share = share + np.where(known, np.where(agree, YEAR_AGREE, YEAR_CONFLICT), 0.0)
        share = np.where(keep, share, -np.inf)
        pool = min(len(uniq), limit * 4)
        top = np.argpartition(share, len(share) - pool)[-pool:] if len(share) > pool else np.arange(len(share))
        top = top[np.argsort(-share[top], kind="stable")]
        flags = idx.flags
        ranked: list[tuple[float, int]] = []
        for i in top.tolist():
            if share[i] == -np.inf:
                break
            n = int(uniq[i])
            if flags[n] and not include_minors and idx.is_minor(n):
                continue
            if topics and tmask is None and not set(topics) & set(idx.entity(n).topics):
                continue
            if datasets and dmask is None and not set(datasets) & set(idx.entity(n).datasets):
                continue
            ranked.append((float(share[i]), n))
            if len(ranked) >= limit:
                break
        return ranked

    def _has(self, n: int, wanted: Iterable[str], mask: int | None, masks: Any, attr: str) -> bool:
        if mask is not None:
            return bool(masks[n] & mask)
        return bool(set(wanted) & set(getattr(self.index.entity(n), attr)))

    # -- scoring -----------------------------------------------------------------------------
    def score(self, query: Subject, ranked: list[tuple[float, int]]) -> list[tuple[int, Subject, Scored]]:
        """Score the candidates in full, each on its names most like the query's; best first."""
        idx = self.index
        algorithm = self.algorithm
        qsorted = [sorted_latin(f) for f in query.names]
        gated = not query.readings and any(f.script == "Latin" for f in query.names)
        out = []
        for share, n in ranked:
            e = idx.entity(n)
            if query.readings or e.readings:  # readings meet only the names they may (``comparable``)
                # the pairs most alike, not every query name against two candidate names: a name in
                # characters has up to seven readings, and a query of one had 100 full comparisons
                ranked_pairs = sorted((-prescore(q, c), qi, i) for i, c in enumerate(e.sorted_latin)
                                      for qi, q in enumerate(qsorted) if comparable(query, qi, e, i))
                best = -ranked_pairs[0][0] if ranked_pairs else 0.0
                pairs = [(qi, i) for _, qi, i in ranked_pairs[:PAIRS_PER_CANDIDATE]]
            else:  # the hot path (most queries and candidates have no readings), kept as lean as before
                pre = sorted(
                    ((max(prescore(q, c) for q in qsorted), i) for i, c in enumerate(e.sorted_latin)), reverse=True
                )
                best = pre[0][0]
                pairs = ([(qi, i) for qi in range(len(qsorted)) for _, i in pre[:NAMES_PER_CANDIDATE]]
                         if len(pre) > NAMES_PER_CANDIDATE else None)
            if share < GATE_SHARE and best < GATE_PRESCORE and gated and _has_latin(e):
                continue  # shares too little of the name to score near a match
            idx.load_names(e)
            out.append((n, e, algorithm.score(query, e, pairs)))
        out.sort(key=lambda item: item[2].score, reverse=True)
        return out

    def screen(
        self, query: Subject, limit: int = 5, threshold: float = DEFAULT_THRESHOLD,
        topics: Iterable[str] | None = None, datasets: Iterable[str] | None = None,
        include_minors: bool = False, floor: float = 0.0,
    ) -> list[Hit]:
        """The best ``limit`` candidates scoring at least ``floor``, best first."""
        if not query.names:
            return []
        ranked = self.candidates(query, topics=topics, datasets=datasets, include_minors=include_minors,
                                 limit=max(CANDIDATES, limit))
        hits = []
        for n, e, scored in self.score(query, ranked):
            if scored.score < floor:
                continue
            hits.append(Hit(n, e, scored, scored.score >= threshold))
            if len(hits) >= limit:
                break
        return hits


def _has_latin(subject: Subject) -> bool:
    """Whether a candidate has a name written in Latin letters: the pre-score compares ICU's
    romanisations, which a name in another script meets only roughly ("ramacandra caudhari" of
    रामचन्द्र चौधरी / "Ram Chandra Chaudhary"), so a pair across scripts is never gated."""
    if subject.packed is not None:
        return any(p[2] == "Latin" for p in subject.packed)
    return any(f.script == "Latin" for f in subject.names)


def query_dict(query: Subject) -> dict[str, Any]:
    """The query as yente echoes it: schema and properties."""
    return {"schema": query.schema, "properties": query.properties}


def response(query: Subject, hits: list[Hit], total: int | None = None) -> dict[str, Any]:
    """yente's match response: ``{"query", "results", "total"}``."""
    return {
        "query": query_dict(query),
        "results": [h.to_dict() for h in hits],
        "total": len(hits) if total is None else total,
    }
