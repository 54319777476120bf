"""The true population: key persons with positions and terms, and their families.

Everything is drawn from one ``random.Random`` in a fixed order, one key person at a time, so the
population is the same for a seed whatever sources are written, and nothing but the current
person (and bounded lookup tables) is held in memory.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pepgraph.synth.names import (
    FAMILY_FIRST,
    FAMILY_FIRST_LATIN,
    NASAB,
    NO_SPACE,
    NON_LATIN,
    PATRONYMIC,
    TWO_SURNAMES,
    WIFE_TAKES,
    feminine,
    name_list,
    patronymic,
    romanise,
)

HERE = Path(__file__).parent
#: the generator's "today": fixed, so that output does not depend on the day it runs
REF_YEAR = 2026
REF_DATE = (2026, 6, 30)


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    population: float
    locales: tuple[str, ...]
    legislature: str


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    posts: tuple[str, ...]
    topics: tuple[str, ...]
    term: tuple[int, int]
    terms: int
    age: tuple[int, int]
    international: bool = False


@lru_cache(maxsize=None)
def countries() -> tuple[Country, ...]:
    with open(HERE / "countries.yml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    bad = [code for code in data if not (isinstance(code, str) and len(code) == 2)]
    assert not bad, f"countries.yml: quote these codes (YAML reads them as something else): {bad}"
    return tuple(
        Country(code, str(v[0]), float(v[1]), tuple(str(v[2]).split()), str(v[3])) for code, v in data.items()
    )


@lru_cache(maxsize=None)
def position_data() -> dict[str, Any]:
    with open(HERE / "positions.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def categories() -> tuple[Category, ...]:
    data = position_data()["categories"]
    return tuple(
        Category(name, float(c["weight"]), tuple(c["posts"]), tuple(c["topics"]), tuple(c["term"]), int(c["terms"]),
                 tuple(c["age"]), bool(c.get("international", False)))
        for name, c in data.items()
    )


_FIELDS: dict[str, tuple[str, ...]] = {}


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


@dataclass
class Term:
    post: str  # position name
    country: str | None
    category: str
    topics: tuple[str, ...]
    start: tuple[int, int, int]
    end: tuple[int, int, int] | None  # None: still in office


@dataclass
class Person:
    pid: str
    locale: str
    country: str  # ISO code
    gender: str  # male | female
    given: str  # native script
    family: str
    middle: str | None  # patronymic, father's name (nasab), Vietnamese middle name, second given name
    birth: tuple[int, int, int]
    father_given: str
    relationship: str | None = None  # to the key person, for relatives: spouse, child, parent, sibling
    terms: list[Term] = field(default_factory=list)

    @property
    def minor(self) -> bool:
        y, m, d = self.birth
        return (y + 18, m, d) > REF_DATE

    @property
    def non_latin(self) -> bool:
        return self.locale in NON_LATIN

    def parts(self, latin: int | None) -> tuple[str, str | None, str]:
        """(given, middle, family) natively (latin=None) or in the latin-th romanisation."""
        if latin is None:
            return self.given, self.middle, self.family
        return _rom(self.locale, self.given, latin), _rom_opt(self.locale, self.middle, latin), _rom_family(self.locale, self.family, latin)

    def full_name(self, latin: int | None = None, family_first: bool | None = None) -> str:
        given, middle, family = self.parts(latin)
        if latin is None:
            if self.locale in NO_SPACE:
                return family + given
            if self.locale in FAMILY_FIRST:
                return " ".join(p for p in (family, middle, given) if p)
            return " ".join(p for p in (given, middle, family) if p)
        if family_first is None:
            family_first = self.locale in FAMILY_FIRST_LATIN
        if family_first:
            return " ".join(p for p in (family, given, middle) if p) if self.locale != "vi_VN" else " ".join(p for p in (family, middle, given) if p)
        return " ".join(p for p in (given, middle, family) if p)


def _rom(locale: str, native: str, index: int) -> str:
    forms = romanise(locale, native)
    return forms[index if index < len(forms) else 0]


def _rom_opt(locale: str, native: str | None, index: int) -> str | None:
    return None if native is None else _rom(locale, native, index)


def _rom_family(locale: str, native: str, index: int) -> str:
    if " " in native and locale in TWO_SURNAMES:
        return " ".join(_rom(locale, part, index) for part in native.split(" "))
    return _rom(locale, native, index)


@dataclass
class KeyPerson:
    person: Person
    relatives: list[Person]  # only those some source may mention (see Population.MENTION)


class Population:
    """Draws key persons one at a time: ``next()`` returns a KeyPerson."""

    #: share of each kind of relative that is materialised (mentioned by at least one source's draw)
    MENTION = {"spouse": 0.33, "child": 0.13, "parent": 0.07, "sibling": 0.05}
    FEMALE_SHARE = 0.27  # of key persons

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"pepgraph-synth:{seed}:population")
        self.rnd = self.rng.random
        self.countries = countries()
        # weights by population, damped: every state has a government, however small
        self.country_cum = _cumulative([math.pow(c.population, 0.6) + 0.3 for c in self.countries])
        self.categories = categories()
        self.category_cum = _cumulative([c.weight for c in self.categories])
        data = position_data()
        self.portfolio = data["portfolio"]
        self.sector = data["sector"]
        self.io = data["io"]
        self.party = data["party"]
        self.index = 0

    # --- small helpers (inlined where it matters) ---
    def _pick(self, items: Any) -> Any:
        return items[int(self.rnd() * len(items))]

    def _weighted(self, items: Any, cum: list[float]) -> Any:
        return items[bisect_left(cum, self.rnd() * cum[-1])]

    def _int(self, lo: int, hi: int) -> int:
        return lo + int(self.rnd() * (hi - lo + 1))

    def _date(self, year: int) -> tuple[int, int, int]:
        return (year, 1 + int(self.rnd() * 12), 1 + int(self.rnd() * 28))

    def _locale(self, country: Country) -> str:
        locs = country.locales
        if len(locs) == 1 or self.rnd() < 0.6:
            return locs[0]
        return locs[1 + int(self.rnd() * (len(locs) - 1))]

    def _given(self, locale: str, gender: str) -> str:
        names = name_list(locale)
        pool = names.female if gender == "female" else names.male
        given = pool.pick(self.rnd)
        if locale in ("zh_CN", "zh_TW", "ko_KR"):
            # most Chinese and Korean given names have two characters (syllables), freely combined;
            # a Chinese name of one character is one of the same characters
            chars = names.female_chars if gender == "female" else names.male_chars
            if chars is not None:
                r = self.rnd()
                if r < (0.7 if locale == "ko_KR" else 0.8):
                    given = chars.pick(self.rnd) + chars.pick(self.rnd)
                elif locale != "ko_KR":
                    given = chars.pick(self.rnd)
        elif locale == "fa" and gender == "male" and self.rnd() < 0.25:  # Mohammad Javad, Ali Akbar
            second = pool.pick(self.rnd)
            if second != given:
                given = f"{given} {second}"
        return given

    def _family(self, locale: str) -> str:
        fam = name_list(locale).family.pick(self.rnd)
        if locale in TWO_SURNAMES and self.rnd() < 0.7:
            second = name_list(locale).family.pick(self.rnd)
            if second != fam:
                fam = f"{fam} {second}"
        return fam

    def _middle(self, locale: str, gender: str, father_given: str) -> str | None:
        if locale in PATRONYMIC:
            return patronymic(locale, father_given, gender)
        if locale in NASAB:
            return father_given
        names = name_list(locale)
        if names.middle is not None:
            return names.middle.pick(self.rnd)
        if locale not in NON_LATIN and locale not in FAMILY_FIRST and self.rnd() < 0.2:
            return self._given(locale, gender)
        return None

    def _person(self, pid: str, locale: str, country: str, gender: str, family: str, birth_year: int,
                father_given: str | None = None, relationship: str | None = None) -> Person:
        given = self._given(locale, gender)
        if father_given is None:
            father_given = self._given(locale, "male")
        if gender == "female":
            family = feminine(locale, family)
        return Person(pid, locale, country, gender, given, family, self._middle(locale, gender, father_given),
                      self._date(birth_year), father_given, relationship)

    # --- positions ---
    def _post(self, cat: Category, country: Country) -> tuple[str, str | None]:
        template = self._pick(cat.posts)
        fields = _FIELDS.get(template)
        if fields is None:
            fields = _FIELDS[template] = tuple(re.findall(r"\{(\w+)\}", template))
        values: dict[str, str] = {}
        for name in fields:
            if name == "country":
                values[name] = country.name
            elif name == "legislature":
                values[name] = country.legislature
            elif name == "other":
                other = country
                while other is country:
                    other = self._pick(self.countries)
                values[name] = other.name
            else:
                values[name] = self._pick(getattr(self, name))
        return template.format(**values), (None if cat.international else country.code)

    def _terms(self, cat: Category, country: Country, start_year: int) -> list[Term]:
        post, post_country = self._post(cat, country)
        start = self._date(start_year)
        years = 0
        for _ in range(self._int(1, cat.terms)):
            years += self._int(cat.term[0], cat.term[1])
        end_year = start[0] + years
        end: tuple[int, int, int] | None = (end_year, start[1], start[2])
        if end is not None and end > REF_DATE:
            end = None
        return [Term(post, post_country, cat.name, cat.topics, start, end)]

    # --- one key person and their family ---
    def next(self) -> KeyPerson:
        rnd = self.rnd
        i = self.index
        self.index += 1
        pid = f"p{i}"
        country = self._weighted(self.countries, self.country_cum)
        locale = self._locale(country)
        cat = self._weighted(self.categories, self.category_cum)
        gender = "female" if rnd() < self.FEMALE_SHARE else "male"
        # first term: recent terms are more common (more of them are documented)
        start_year = REF_YEAR - min(int(self.rng.expovariate(1 / 13)), REF_YEAR - 1955)
        birth_year = start_year - self._int(cat.age[0], cat.age[1])
        family = self._family(locale)
        person = self._person(pid, locale, country.code, gender, family, birth_year)
        person.family = family if gender == "male" else feminine(locale, family)
        person.terms = self._terms(cat, country, start_year)
        if rnd() < 0.2:  # a second, later or earlier, career
            cat2 = self._weighted(self.categories, self.category_cum)
            lo = max(birth_year + cat2.age[0], 1955)
            if lo < REF_YEAR:
                person.terms.extend(self._terms(cat2, country, self._int(lo, REF_YEAR - 1)))
        return KeyPerson(person, self._family_of(person, family))

    def _family_of(self, p: Person, male_family: str) -> list[Person]:
        """Relatives of believable shape; only those drawn as mentioned are materialised."""
        rnd = self.rnd
        mention = self.MENTION
        out: list[Person] = []
        loc, cc, by = p.locale, p.country, p.birth[0]
        # spouse
        spouse: Person | None = None
        if rnd() < 0.82:
            s_gender = ("male" if p.gender == "female" else "female") if rnd() < 0.985 else p.gender
            s_birth = by + (self._int(-12, 3) if s_gender == "male" else self._int(-3, 12))
            if s_gender == "female" and p.gender == "male" and loc in WIFE_TAKES and rnd() < 0.7:
                s_family = male_family
            else:
                s_family = self._family(loc)
            if rnd() < mention["spouse"]:
                spouse = self._person(f"{p.pid}-s", loc, cc, s_gender, s_family, s_birth, relationship="spouse")
                out.append(spouse)
        # father of the children and his family name
        if p.gender == "male":
            father_given, child_family = p.given, male_family
        elif spouse is not None and spouse.gender == "male":
            father_given, child_family = spouse.given, spouse.family
        else:
            father_given, child_family = self._given(loc, "male"), p.family if loc not in WIFE_TAKES else self._family(loc)
        if loc in TWO_SURNAMES and spouse is not None:
            mother = spouse if spouse.gender == "female" else p
            child_family = f"{male_family.split(' ')[0] if p.gender == 'male' else child_family.split(' ')[0]} {mother.family.split(' ')[0]}"
        # children: 0-4, born when the key person was 20-44
        n_children = (0, 1, 2, 2, 3, 3, 4)[int(rnd() * 7)] if rnd() < 0.85 else 0
        for k in range(n_children):
            c_birth = by + self._int(20, 44)
            if c_birth > REF_YEAR or rnd() >= mention["child"]:
                continue
            c_gender = "female" if rnd() < 0.5 else "male"
            out.append(self._person(f"{p.pid}-c{k}", loc, cc, c_gender, child_family, c_birth, father_given, "child"))
        # parents
        if rnd() < mention["parent"]:
            grandfather = self._given(loc, "male")
            father = self._person(f"{p.pid}-f", loc, cc, "male", male_family, by - self._int(20, 42), grandfather, "parent")
            father.given = p.father_given
            out.append(father)
        if rnd() < mention["parent"]:
            m_family = male_family if loc in WIFE_TAKES else self._family(loc)
            out.append(self._person(f"{p.pid}-m", loc, cc, "female", m_family, by - self._int(18, 40), relationship="parent"))
        # siblings: same father
        for k in range((0, 0, 1, 1, 2, 2, 3)[int(rnd() * 7)]):
            if rnd() >= mention["sibling"]:
                continue
            s_gender = "female" if rnd() < 0.5 else "male"
            out.append(self._person(f"{p.pid}-b{k}", loc, cc, s_gender, male_family, by + self._int(-8, 8), p.father_given, "sibling"))
        return out
