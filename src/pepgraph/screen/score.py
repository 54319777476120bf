"""Scoring algorithms: one registry, each algorithm documenting its features.

An algorithm compares a query ``Subject`` with a candidate ``Subject`` and returns a ``Scored``:
a score in [0, 1] and, per feature, what the feature added or took away and why, in words. The
``match`` flag is the caller's: score >= threshold (0.7 by default).

``pepgraph-v1`` (the default) starts from the name comparison of ``pepgraph.names`` (any word
order, initials, missing middle names, honorifics, other scripts and romanisations, rigour's name
symbols for nicknames and cross-script forms), scaled to 0.95 so that a name alone never reaches
1.0, and lets the secondary evidence move it: a conflicting birth year, country or gender lowers
it, an agreeing birth date raises it a little, an equal identifier raises it a lot. Different
people who share a name therefore do not all score 1.0. ``name-only`` is the name comparison
alone, for tuning and for name benchmarks; ``rapidfuzz-baseline`` is a plain string similarity,
a floor that any real algorithm should beat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from pepgraph.names.similarity import INITIAL, MISSING

from pepgraph.errors import ConfigError
from pepgraph.names import NameForm
from pepgraph.names.compare import NameMatch, match_forms
from pepgraph.screen.subject import Reading, Subject, comparable, compatible

DEFAULT_THRESHOLD = 0.7
DEFAULT_ALGORITHM = "pepgraph-v1"


@dataclass(slots=True)
class Feature:
    """One feature's part in a score: ``score`` is its contribution (the name score itself, or
    an adjustment such as -0.3), ``detail`` says why."""

    score: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "detail": self.detail}


@dataclass(slots=True)
class Scored:
    score: float
    features: dict[str, Feature] = field(default_factory=dict)

    def explanation(self) -> str:
        """One line: "name 0.87: jennifer=jennifer (exact), l missing; birth_date +0.03: ..."."""
        parts = []
        for name, feat in self.features.items():
            value = f"{feat.score:.2f}" if name == "name" else f"{feat.score:+.2f}"
            parts.append(f"{name} {value}: {feat.detail}")
        return "; ".join(parts)

    def explanations(self) -> dict[str, dict[str, Any]]:
        return {name: feat.to_dict() for name, feat in self.features.items()}


#: the (query name, candidate name) pairs to compare, by their positions; None for every pair
Pairs = Sequence[tuple[int, int]] | None


class Algorithm:
    """A scoring algorithm: a name, a description and its features (name -> what it measures
    and how it moves the score). Subclasses implement ``score``."""

    name: str = ""
    description: str = ""
    features: dict[str, str] = {}

    def score(self, query: Subject, candidate: Subject, pairs: Pairs = None) -> Scored:
        raise NotImplementedError

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"name": cls.name, "description": cls.description, "features": dict(cls.features)}


ALGORITHMS: dict[str, type[Algorithm]] = {}


def register(cls: type[Algorithm]) -> type[Algorithm]:
    ALGORITHMS[cls.name] = cls
    return cls


def get_algorithm(name: str | None) -> Algorithm:
    name = name or DEFAULT_ALGORITHM
    try:
        return _INSTANCES.setdefault(name, ALGORITHMS[name]())
    except KeyError:
        raise ConfigError(f"unknown scoring algorithm {name!r}: choose one of {', '.join(ALGORITHMS)}") from None


_INSTANCES: dict[str, Algorithm] = {}


def best_name_match(query: Subject, candidate: Subject, pairs: Pairs = None,
                    value: Callable[[NameMatch, bool, Reading | None], float] | None = None,
                    ) -> tuple[NameMatch, bool, Reading | None, float]:
    """The best name pair of ``pairs`` (every query name against every candidate name by
    default); also whether the winning candidate name is a weak alias, and the reading the pair
    went through when a side's name is one (``Subject.readings``: "Mandarin reading of 蔡英文"),
    and the pair's value. Pairs are ranked by ``value`` (what the algorithm makes of a pair: its
    weak parts, a weak alias, a reading), by the name comparison's score without it; on equal
    values a written name wins over a weak alias or a reading, and an earlier pair over a later."""
    best: NameMatch | None = None
    best_value = -1.0
    best_rank = (2, 2)
    best_how: tuple[bool, Reading | None] = (False, None)
    if pairs is None:
        pairs = [(qi, i) for qi in range(len(query.names)) for i in range(len(candidate.names))]
    for qi, i in pairs:
        qf = query.names[qi]
        q_read = query.readings.get(qi)
        reading = q_read or candidate.readings.get(i)
        if reading and not comparable(query, qi, candidate, i):
            continue
        m = match_forms(qf, candidate.names[i])
        if reading and reading.syllables and m.score < 1.0:  # Korean syllables meet only when equal
            continue
        weak = i in candidate.weak
        v = value(m, weak, reading) if value is not None else m.score
        rank = (weak, reading is not None)
        if best is None or v > best_value or (v == best_value and rank < best_rank):
            best, best_value, best_rank, best_how = m, v, rank, (weak, reading)
            if m.score >= 1.0 and rank == (False, False):
                return best, weak, reading, v
    if best is None:
        return NameMatch(0.0, None, None, ()), False, None, 0.0
    return best, best_how[0], best_how[1], best_value


def _year(d: str) -> int:
    return int(d[:4])


def birth_date_level(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[str, str, str] | None:
    """The closest agreement of two sets of ISO (partial) dates: ("exact" | "same_year" |
    "near" | "conflict", left value, right value), or None when either side has none.
    "exact": the same full date or the same partial date; "same_year": the same year (one side
    partial, or days that differ); "near": years one apart; "conflict": further apart."""
    if not left or not right:
        return None
    rank = {"exact": 0, "same_year": 1, "near": 2, "conflict": 3}
    best: tuple[str, str, str] | None = None
    for a in left:
        for b in right:
            if a == b:
                level = "exact"
            elif a[:4] == b[:4]:
                level = "same_year"
            elif abs(_year(a) - _year(b)) <= 1:
                level = "near"
            else:
                level = "conflict"
            if best is None or rank[level] < rank[best[0]]:
                best = (level, a, b)
                if level == "exact":
                    return best
    return best


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text if ch.isalpha())


def _syllabic(text: str) -> bool:
    """Chinese characters, kana or Hangul: scripts that ICU romanises syllable by syllable."""
    return any(0x3040 <= (o := ord(ch)) <= 0x9FFF or 0xAC00 <= o <= 0xD7A3 or o >= 0x20000 for ch in text)


#: the scripts of names whose readings are held to the bar within one script: Latin (a Mandarin
#: reading of "Cai Yingwen" is Latin read as Latin) and the scripts romanised syllable by
#: syllable (see ``_across_scripts``)
STRICT_READINGS = frozenset({"Latin", "Han", "Hangul", "Hiragana", "Katakana"})


def _across_scripts(left: str | None, right: str | None) -> bool:
    """Whether a pair of name parts is written in Latin letters on one side only, and on the
    other in an alphabet or abjad whose romanisation is loose (Arabic, Persian, Cyrillic, Tamil,
    Devanagari...): Chinese, Japanese and Korean are romanised syllable by syllable, so a part
    that only resembles its romanisation (建华 / "jianhe") is a weak one there as in Latin."""
    if left is None or right is None or (left_latin := _latin(left)) == _latin(right):
        return False
    return not _syllabic(right if left_latin else left)


def _given(form: NameForm | None) -> frozenset[str]:
    """The forms of a name's real name tokens (not initials, particles, suffixes, legal forms)."""
    if form is None:
        return frozenset()
    return frozenset(t.form for t in form.parts if t.kind == "name" and len(t.form) > 1)


@register
class PepgraphV1(Algorithm):
    name = "pepgraph-v1"
    description = (
        "Name comparison of pepgraph.names, scaled to 0.95 and made stricter for screening (weak "
        "token matches and differing middle names cost extra), then moved by birth date, country, "
        "gender and identifiers. A name alone scores at most 0.95; secondary evidence decides the rest."
    )
    NAME_SCALE = 0.95
    #: Below this, a paired name part is a weak resemblance ("myhre" / "moore"): each costs the
    #: shortfall, times WEAK_PART.
    STRONG_PART, WEAK_PART = 0.9, 1.0
    #: A part paired across scripts (وینوویچ / voinovich, மகிந்த / mahinda) by its consonants
    #: scores 0.75-0.85 at best, however right: only below this is it a weak resemblance
    #: (not for Chinese, Japanese and Korean: see ``_across_scripts``).
    STRONG_ACROSS_SCRIPTS = 0.75
    OTHER_NAMES = -0.1
    BIRTH = {"exact": 0.05, "same_year": 0.03, "near": -0.05, "conflict": -0.3}
    COUNTRY_SAME, COUNTRY_CONFLICT = 0.02, -0.2
    GENDER_CONFLICT = -0.2
    IDENTIFIER_SAME = 0.3
    WEAK_ALIAS = -0.05
    #: a name met through a reading of another (``names.readings``): the reading is coarse
    #: (Wade-Giles without apostrophes spells 張 and 常 alike) or a guess (kanji have several)
    READING = -0.05
    #: Bonuses (birth date, country) only lift names at least this alike: a birth year in common
    #: does not make "Amy Garza" into "Ammy Erza".
    BONUS_FROM = 0.8
    features = {
        "name": "best pair of names (any word order, initials, missing middle names, scripts, "
                "romanisations, name symbols), times 0.95; minus, for each pair of name parts that "
                "only resemble each other (score < 0.9, initials aside; across scripts < 0.75, Chinese, Japanese "
                "and Korean aside), the shortfall; a weak alias -0.05; "
                "a name met through a reading (Mandarin, Cantonese, Japanese, Korean, or Hunterian "
                "of Devanagari) -0.05, a Hunterian reading held to the bar across scripts",
        "other_names": "-0.1 when each name has a part the other lacks (different middle names) and the "
                       "names are otherwise alike (name >= 0.6)",
        "birth_date": "+0.05 the same date, +0.03 the same year, -0.05 a year apart, "
                      "-0.3 further apart (when both sides have one)",
        "country": "+0.02 a country in common, -0.2 countries on both sides and none in common",
        "gender": "-0.2 both genders known and different",
        "identifier": "+0.3 an identifier in common (letters and digits compared)",
        "schema": "score 0 when the schemata cannot describe the same thing (Person vs Company)",
    }

    def name_value(self, match: NameMatch, weak: bool, reading: Reading | None) -> float:
        """The "name" feature of a pair of names: its score, scaled, less each weak part's
        shortfall, a weak alias and a reading. A reading of a name in an alphabet (a Hunterian
        reading of Devanagari) is held to the bar across scripts, as the name it reads is."""
        value = match.score * self.NAME_SCALE
        loose = reading is not None and reading.script not in STRICT_READINGS
        for part in match.parts:
            if part.how != MISSING and part.score < self.STRONG_PART and part.how != INITIAL:
                across = loose or _across_scripts(part.left, part.right)
                strong = self.STRONG_ACROSS_SCRIPTS if across else self.STRONG_PART
                if part.score < strong:
                    value -= (strong - part.score) * self.WEAK_PART
        if weak:
            value += self.WEAK_ALIAS
        if reading is not None:
            value += self.READING
        return max(0.0, value)

    def score(self, query: Subject, candidate: Subject, pairs: Pairs = None) -> Scored:
        features: dict[str, Feature] = {}
        if not compatible(query.schema, candidate.schema):
            features["schema"] = Feature(0.0, f"{query.schema} cannot be {candidate.schema}")
            return Scored(0.0, features)
        match, weak, reading, name_score = best_name_match(query, candidate, pairs, self.name_value)
        detail = match.explain()
        extra_l, extra_r = [], []
        given_l = _given(match.left)
        given_r = _given(match.right)
        for part in match.parts:
            if part.how == MISSING:
                if part.left is not None and part.left in given_l:
                    extra_l.append(part.left)
                elif part.right is not None and part.right in given_r:
                    extra_r.append(part.right)
        if weak:
            detail += " (weak alias)"
        if reading:
            detail += f" ({reading.label})"
        features["name"] = Feature(name_score, detail)
        total = name_score
        if extra_l and extra_r and name_score >= 0.6:
            features["other_names"] = Feature(self.OTHER_NAMES, f"{' '.join(extra_l)} / {' '.join(extra_r)}")
            total += self.OTHER_NAMES
        bonus = name_score >= self.BONUS_FROM
        ids = query.identifiers & candidate.identifiers
        if ids:
            features["identifier"] = Feature(self.IDENTIFIER_SAME, f"same identifier {sorted(ids)[0]}")
            total += self.IDENTIFIER_SAME
        birth = birth_date_level(query.birth_dates, candidate.birth_dates)
        if birth is not None:
            level, a, b = birth
            adj = self.BIRTH[level] if (bonus or self.BIRTH[level] < 0) else 0.0
            text = {"exact": "same date", "same_year": "same year", "near": "a year apart",
                    "conflict": "different years"}[level]
            features["birth_date"] = Feature(adj, f"{text} ({a} / {b})")
            total += adj
        if query.countries and candidate.countries:
            common = query.countries & candidate.countries
            if common:
                adj = self.COUNTRY_SAME if bonus else 0.0
                features["country"] = Feature(adj, f"same country {sorted(common)[0]}")
                total += adj
            else:
                features["country"] = Feature(
                    self.COUNTRY_CONFLICT,
                    f"different countries ({', '.join(sorted(query.countries))} / {', '.join(sorted(candidate.countries))})",
                )
                total += self.COUNTRY_CONFLICT
        if query.genders and candidate.genders and not (query.genders & candidate.genders):
            features["gender"] = Feature(
                self.GENDER_CONFLICT, f"different gender ({'/'.join(sorted(query.genders))} / {'/'.join(sorted(candidate.genders))})"
            )
            total += self.GENDER_CONFLICT
        return Scored(round(min(1.0, max(0.0, total)), 4), features)


@register
class NameOnly(Algorithm):
    name = "name-only"
    description = "The name comparison of pepgraph.names alone: no secondary evidence, no scaling."
    features = {"name": "best pair of names, as compare_names scores it (1.0 for the same name)"}

    def score(self, query: Subject, candidate: Subject, pairs: Pairs = None) -> Scored:
        match, _, _, _ = best_name_match(query, candidate, pairs)
        return Scored(round(match.score, 4), {"name": Feature(match.score, match.explain())})


@register
class RapidfuzzBaseline(Algorithm):
    name = "rapidfuzz-baseline"
    description = "Token-set similarity of the Latin name forms (rapidfuzz), a floor to beat."
    features = {"name": "best rapidfuzz token_set_ratio / 100 over pairs of Latin name forms"}

    def score(self, query: Subject, candidate: Subject, pairs: Pairs = None) -> Scored:
        best, pair = 0.0, ("", "")
        for qf in query.names:
            for cf in candidate.names:
                s = fuzz.token_set_ratio(qf.latin, cf.latin) / 100.0
                if s > best:
                    best, pair = s, (qf.latin, cf.latin)
        return Scored(round(best, 4), {"name": Feature(best, f"{pair[0]} ~ {pair[1]}")})
