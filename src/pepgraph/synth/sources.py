"""Sources that describe overlapping parts of the true population, each with its own corruption.

A source sees each key person (and the relatives the population materialised) and decides, with
its own ``random.Random``, whether to describe them and how badly: another script or
romanisation, name order, initials, typos, partial or wrong dates, missing fields, duplicates
inside the source, and same-name decoys (another person, with their own truth id).

Each source returns FtM entity dicts; the writer serialises them. Corruptions applied are
counted by kind, so tests and docs can show what a source contains.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterator

from pepgraph.synth.names import NON_LATIN
from pepgraph.synth.population import REF_YEAR, KeyPerson, Person, Term

Entity = dict[str, Any]

_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_NEIGHBOURS = {
    c: n for c, n in zip(
        _KEYBOARD,
        ["wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "ol", "qsz", "awdx", "sefc", "drgv", "fthb",
         "gyjn", "hukm", "jil", "kol", "zxas", "xsc", "zcd", "xvf", "cbg", "vnh", "bmj"],
    )
}

# relationship words as sources write them: the first is the registry's canonical word
_RELATION_WORDS = {
    ("spouse", "male"): ["spouse", "husband"], ("spouse", "female"): ["spouse", "wife"],
    ("child", "male"): ["child", "son"], ("child", "female"): ["child", "daughter"],
    ("parent", "male"): ["parent", "father"], ("parent", "female"): ["parent", "mother"],
    ("sibling", "male"): ["sibling", "brother"], ("sibling", "female"): ["sibling", "sister"],
}


@dataclass(frozen=True)
class Profile:
    """How a source sees the population (all values are probabilities)."""

    name: str
    key_coverage: float  # describes a key person
    relative_coverage: float  # describes a materialised relative (if the key person is described)
    orphan_relatives: float  # describes a relative even when not the key person
    native: float  # name in the native script (for non-Latin locales)
    latin_alias: float  # ... plus a Latin alias
    other_romanisation: float
    family_first: float  # "WANG Jianguo" / "Smith John"
    comma_upper: float  # "SMITH, John"
    initials: float
    drop_middle: float
    typo: float
    birth_missing: float
    birth_year_only: float
    birth_year_month: float
    birth_wrong: float  # day/month swapped or a year off
    gender_missing: float
    nationality_missing: float
    duplicate: float  # a second record of the same person inside the source
    decoy: float  # a different person with the same name
    position_text: float  # a position as text on the Person
    occupancies: bool  # Position + Occupancy entities
    family_links: float  # a Family entity for a described relative
    relation_word: float  # "wife" instead of "spouse"


PROFILES: dict[str, Profile] = {
    "registry": Profile(
        "registry", key_coverage=0.62, relative_coverage=0.55, orphan_relatives=0.0, native=1.0, latin_alias=0.9,
        other_romanisation=0.05, family_first=0.0, comma_upper=0.0, initials=0.0, drop_middle=0.02, typo=0.01,
        birth_missing=0.03, birth_year_only=0.07, birth_year_month=0.0, birth_wrong=0.005, gender_missing=0.02,
        nationality_missing=0.02, duplicate=0.002, decoy=0.0, position_text=0.0, occupancies=True,
        family_links=1.0, relation_word=0.0,
    ),
    "press": Profile(
        "press", key_coverage=0.2, relative_coverage=0.2, orphan_relatives=0.01, native=0.12, latin_alias=0.3,
        other_romanisation=0.45, family_first=0.1, comma_upper=0.0, initials=0.15, drop_middle=0.5, typo=0.05,
        birth_missing=0.45, birth_year_only=0.25, birth_year_month=0.1, birth_wrong=0.02, gender_missing=0.6,
        nationality_missing=0.3, duplicate=0.03, decoy=0.015, position_text=0.75, occupancies=False,
        family_links=0.4, relation_word=0.8,
    ),
    "leak": Profile(
        "leak", key_coverage=0.36, relative_coverage=0.45, orphan_relatives=0.05, native=0.25, latin_alias=0.35,
        other_romanisation=0.35, family_first=0.1, comma_upper=0.45, initials=0.08, drop_middle=0.3, typo=0.08,
        birth_missing=0.25, birth_year_only=0.15, birth_year_month=0.05, birth_wrong=0.04, gender_missing=0.3,
        nationality_missing=0.15, duplicate=0.06, decoy=0.03, position_text=0.5, occupancies=False,
        family_links=0.5, relation_word=0.5,
    ),
}
SOURCES = tuple(PROFILES)


def entity_id(seed: int, source: str, *key: Any) -> str:
    digest = hashlib.blake2b(f"{seed}|{source}|{'|'.join(map(str, key))}".encode(), digest_size=8).hexdigest()
    return f"{source}-{digest}"


def _iso(d: tuple[int, int, int]) -> str:
    return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"


class Source:
    def __init__(self, profile: Profile, seed: int) -> None:
        self.p = profile
        self.name = profile.name
        self.seed = seed
        self.rng = random.Random(f"pepgraph-synth:{seed}:{profile.name}")
        self.rnd = self.rng.random
        # record ids: random 64-bit numbers from their own stream (as opaque as a real source's)
        self.id_bits = random.Random(f"pepgraph-synth:{seed}:{profile.name}:ids").getrandbits
        self.prefix = f"{profile.name}-"
        self.positions: set[str] = set()  # position ids written (bounded by countries x templates)
        self.corruptions: Counter[str] = Counter()
        self.records: Counter[str] = Counter()

    def _new_id(self) -> str:
        return f"{self.prefix}{self.id_bits(64):016x}"

    # --- one key person and the relatives the population materialised ---
    def describe(self, kp: KeyPerson) -> Iterator[tuple[Entity, str | None]]:
        """Yields (entity, true person id or None for non-Person entities)."""
        rnd = self.rnd
        p = self.p
        key = kp.person
        key_ids: list[str] = []
        if rnd() < p.key_coverage:
            yield from self._person_records(key, key_ids)
            if p.occupancies:
                for n, term in enumerate(key.terms):
                    yield from self._occupancy(key_ids[0], key.pid, n, term)
            if rnd() < p.decoy:
                yield from self._decoy(key)
        for rel in kp.relatives:
            described = rnd() < (p.relative_coverage if key_ids else p.orphan_relatives)
            if not described:
                continue
            rel_ids: list[str] = []
            yield from self._person_records(rel, rel_ids)
            if key_ids and rnd() < p.family_links:
                words = _RELATION_WORDS[(rel.relationship or "sibling", rel.gender)]
                word = words[1] if rnd() < p.relation_word else words[0]
                fam_id = self._new_id()
                self.records["Family"] += 1
                yield {"id": fam_id, "schema": "Family",
                       "properties": {"person": [key_ids[0]], "relative": [rel_ids[0]], "relationship": [word]}}, None

    def _person_records(self, person: Person, ids: list[str]) -> Iterator[tuple[Entity, str]]:
        copies = 2 if self.rnd() < self.p.duplicate else 1
        for k in range(copies):
            eid = self._new_id()
            ids.append(eid)
            if k:
                self.corruptions["duplicate"] += 1
            self.records["Person"] += 1
            yield self._render(person, eid), person.pid

    def _decoy(self, person: Person) -> Iterator[tuple[Entity, str]]:
        rnd = self.rnd
        shift = (5 + int(rnd() * 25)) * (1 if rnd() < 0.5 else -1)
        birth = (min(person.birth[0] + shift, REF_YEAR - 20), 1 + int(rnd() * 12), 1 + int(rnd() * 28))
        # one decoy per source at most: "-xl" imitates a person in the leak, "-xp" in the press
        decoy = replace(person, pid=f"{person.pid}-x{self.name[0]}", birth=birth, terms=[], relationship=None)
        self.corruptions["decoy"] += 1
        self.records["Person"] += 1
        yield self._render(decoy, self._new_id(), decoy=True), decoy.pid

    # --- rendering with corruption ---
    def _render(self, person: Person, eid: str, decoy: bool = False) -> Entity:
        rnd = self.rnd
        p = self.p
        c = self.corruptions
        props: dict[str, list[str]] = {}
        non_latin = person.locale in NON_LATIN
        rom = 0
        if rnd() < p.other_romanisation:
            rom = 1 + int(rnd() * 3)
            c["other_romanisation"] += 1
        names: list[str] = []
        native_first = non_latin and rnd() < p.native
        if native_first:
            names.append(person.full_name(None))
            if rnd() < p.latin_alias:
                names.append(self._latin_name(person, rom, alias=True))
        else:
            if non_latin:
                c["other_script"] += 1
            names.append(self._latin_name(person, rom))
        props["name"] = [names[0]]
        if len(names) > 1 and names[1] != names[0]:
            props["alias"] = [names[1]]
        if self.name == "registry":
            given, middle, family = person.parts(None)
            props["firstName"] = [given]
            props["lastName"] = [family]
            if middle and person.locale in ("ru_RU", "uk_UA", "bg_BG"):
                props["fatherName"] = [middle]
            elif middle and person.locale != "ar":
                props["middleName"] = [middle]
        birth = self._birth(person.birth)
        if birth:
            props["birthDate"] = [birth]
        if rnd() >= p.gender_missing:
            props["gender"] = [person.gender]
        else:
            c["missing_field"] += 1
        if rnd() >= p.nationality_missing:
            props["nationality"] = [person.country]
        else:
            c["missing_field"] += 1
        if self.name == "registry":
            props["topics"] = ["role.pep" if person.terms else "role.rca"]
        elif person.terms and rnd() < p.position_text:
            props["position"] = [person.terms[0].post]
        return {"id": eid, "schema": "Person", "properties": props}

    def _latin_name(self, person: Person, rom: int, alias: bool = False) -> str:
        rnd = self.rnd
        p = self.p
        c = self.corruptions
        given, middle, family = person.parts(rom)
        if middle and rnd() < p.drop_middle:
            middle = None
            c["dropped_middle"] += 1
        if rnd() < p.initials:
            given = given[0] + "."
            if middle:
                middle = middle[0] + "."
            c["initials"] += 1
        if rnd() < p.typo:
            family = _typo(family, self.rng)
            c["typo"] += 1
        if not alias and rnd() < p.comma_upper:
            c["name_order"] += 1
            rest = " ".join(x for x in (given, middle) if x)
            return f"{family.upper()}, {rest}"
        default_ff = person.locale in ("zh_CN", "zh_TW", "ko_KR", "vi_VN")
        family_first = default_ff
        if rnd() < p.family_first:
            family_first = not default_ff
            c["name_order"] += 1
        if family_first:
            return " ".join(x for x in (family, given, middle) if x)
        return " ".join(x for x in (given, middle, family) if x)

    def _birth(self, d: tuple[int, int, int]) -> str | None:
        rnd = self.rnd
        p = self.p
        c = self.corruptions
        r = rnd()
        if r < p.birth_missing:
            c["missing_field"] += 1
            return None
        if rnd() < p.birth_wrong:
            c["wrong_date"] += 1
            if d[2] <= 12 and d[1] != d[2] and rnd() < 0.5:
                d = (d[0], d[2], d[1])
            else:
                d = (d[0] + (1 if rnd() < 0.5 else -1), d[1], d[2])
        r = rnd()
        if r < p.birth_year_only:
            c["partial_date"] += 1
            return f"{d[0]:04d}"
        if r < p.birth_year_only + p.birth_year_month:
            c["partial_date"] += 1
            return f"{d[0]:04d}-{d[1]:02d}"
        return _iso(d)

    def _occupancy(self, holder: str, pid: str, n: int, term: Term) -> Iterator[tuple[Entity, None]]:
        pos_id = entity_id(self.seed, self.name, "position", term.post)
        if pos_id not in self.positions:
            self.positions.add(pos_id)
            props: dict[str, list[str]] = {"name": [term.post], "topics": list(term.topics)}
            if term.country:
                props["country"] = [term.country]
            self.records["Position"] += 1
            yield {"id": pos_id, "schema": "Position", "properties": props}, None
        occ: dict[str, list[str]] = {"holder": [holder], "post": [pos_id], "startDate": [_iso(term.start)]}
        if term.end is not None:
            occ["endDate"] = [_iso(term.end)]
            occ["status"] = ["ended"]
        else:
            occ["status"] = ["current"]
        self.records["Occupancy"] += 1
        yield {"id": self._new_id(), "schema": "Occupancy", "properties": occ}, None


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = 1 + int(rng.random() * (len(text) - 2))
    kind = int(rng.random() * 4)
    if kind == 0:  # swap two letters
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:  # drop one
        return text[:i] + text[i + 1:]
    if kind == 2:  # double one
        return text[:i] + text[i] + text[i:]
    ch = text[i].lower()  # a neighbouring key
    near = _NEIGHBOURS.get(ch)
    if not near:
        return text[:i] + text[i + 1:]
    return text[:i] + near[int(rng.random() * len(near))] + text[i + 1:]
