"""The multi-source, multi-script resolution benchmark built from EveryPolitician (issue 3).

Real people from ``../shared/data/everypolitician-2015`` (every country, names in many scripts from
Popolo ``other_names``) are written into three sources, each with the corruption a real source of
that kind shows, and the truth is the EveryPolitician person id:

* ``ep_registry``: the name as the parliament gives it, full birth date, gender, country; a few
  typos.
* ``ep_sanctions``: "SURNAME, Given" order, aliases in other scripts, partial birth dates (year and
  month, or year only), some without country.
* ``ep_press``: the name in another script when EveryPolitician has one, initials for given names,
  typos, birth year only or none, no gender.

Some people appear twice in one source (a duplicate record with another variant), and for some
people a *decoy* is added: a different person with the same name, from another country, born in a
different year or with no birth date, so that name alone is not enough. Everything is drawn from
one ``random.Random(seed)``: the same seed gives the same records, ids and truth.

``build(root, persons=N)`` samples N people (preferring those with a name in another script, so
that cross-script pairs are many); ``persons`` above the number EveryPolitician has (49,484) are
made up by recombining real given and family names of one country (Latin only), for the
throughput runs.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from resolve_data import Entity

SOURCES = ("ep_registry", "ep_sanctions", "ep_press")
#: probability that a person appears in each source
PRESENCE = {"ep_registry": 0.8, "ep_sanctions": 0.6, "ep_press": 0.6}
DUPLICATE = 0.05  # a second record of the same person in the same source
DECOY = 0.08  # a same-name person from another country
FOREIGN_SCRIPT = 0.2  # how much rarer a foreign-script name is than one in the country's own script
#: a country's own script: the non-Latin script most of its people's names are written in
NATIVE_SHARE = 0.5


@dataclass
class Person:
    id: str
    name: str
    country: str
    given: str = ""
    family: str = ""
    birth: str = ""
    gender: str = ""
    other: list[tuple[str, str]] = field(default_factory=list)  # (lang, name) in another script
    qids: list[str] = field(default_factory=list)
    native: list[str] = field(default_factory=list)  # names in the country's own script (see build)


def _script(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            try:
                name = unicodedata.name(ch)
            except ValueError:
                continue
            return name.split(" ")[0]
    return ""


def _scripts(names: list[str]) -> set[str]:
    return {s for s in (_script(n) for n in names) if s}


def load_persons(root: Path) -> list[Person]:
    """Every EveryPolitician person once (by Popolo id), with the country of the legislature."""
    index = json.loads((root / "countries.json").read_text(encoding="utf-8"))
    seen: dict[str, Person] = {}
    for country in index:
        code = (country.get("code") or "").lower()
        for leg in country.get("legislatures", []):
            path = root / leg["popolo"]
            if not path.exists():
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            for p in data.get("persons", []):
                pid, name = p.get("id"), (p.get("name") or "").strip()
                if not pid or not name or pid in seen:
                    continue
                main = _script(name)
                other = []
                for o in p.get("other_names") or []:
                    oname = (o.get("name") or "").strip()
                    if oname and oname != name and _script(oname) and _script(oname) != main:
                        other.append((o.get("lang") or "", oname))
                birth = p.get("birth_date") or ""
                qids = sorted({i.get("identifier") for i in p.get("identifiers") or []
                               if i.get("scheme") == "wikidata" and i.get("identifier")})
                seen[pid] = Person(pid, name, code, (p.get("given_name") or "").strip(),
                                   (p.get("family_name") or "").strip(), birth if len(birth) >= 4 else "",
                                   (p.get("gender") or "").lower(), sorted(set(other)), qids)
    return _merge_same_people(sorted(seen.values(), key=lambda x: x.id))


def _merge_same_people(people: list[Person]) -> list[Person]:
    """EveryPolitician ids are per legislature: a deputy who sat in two houses, or whom two
    scrapers listed, has two ids. Such ids are one person for the truth when they share a Wikidata
    id, or the same name, full birth date and country; the first id stands for all. Names are
    compared without accents, case, punctuation or word order: "TITA Cletus" / "TITA Clétus"
    and "Emmanuel Mbiam" / "MBIAM Emmanuel", both born on one day in Cameroon, are one deputy
    listed twice (12 such groups among the 48,911 people)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    first: dict[tuple[str, ...], str] = {}
    for p in people:
        keys = [("q", q) for q in p.qids]
        if len(p.birth) == 10:
            for name in [p.name] + [o for _, o in p.other]:
                keys.append(("n", _name_key(name), p.birth, p.country))
        for key in keys:
            if key in first:
                a, b = find(first[key]), find(p.id)
                if a != b:
                    parent[b] = a
            else:
                first[key] = p.id
    merged: dict[str, Person] = {}
    for p in people:
        root = find(p.id)
        if root not in merged:
            merged[root] = p
        elif p.other and not merged[root].other:
            merged[root].other = p.other
    return list(merged.values())


def _name_key(name: str) -> str:
    """A name without accents, case, punctuation or word order."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(sorted(re.findall(r"\w+", bare.lower())))


def _set_native(people: list[Person]) -> None:
    """Find each country's own non-Latin script (written by most of its people's names, main
    or other) and give each person their names in it."""
    from collections import Counter

    per_country: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for p in people:
        sizes[p.country] += 1
        per_country.setdefault(p.country, Counter()).update(sorted(_scripts([p.name] + [o for _, o in p.other]) - {"LATIN"}))
    native = {c: s for c, counts in per_country.items() for s, n in counts.most_common(1) if n >= NATIVE_SHARE * sizes[c]}
    for p in people:
        script = native.get(p.country)
        if not script:
            continue
        if _script(p.name) == script:  # the main name is in the country's script: use the Latin ones
            p.native = sorted({o for _, o in p.other if _script(o) == "LATIN"})
        else:
            p.native = sorted({o for _, o in p.other if _script(o) == script})


# ------------------------------------------------------------------------------- corruptions

def _typo(rng: random.Random, name: str) -> str:
    """One edit (substitution, deletion, insertion or swap) in one token of 4+ letters."""
    tokens = name.split(" ")
    long = [i for i, t in enumerate(tokens) if len(t) >= 4 and t.isalpha()]
    if not long:
        return name
    i = rng.choice(long)
    t = tokens[i]
    j = rng.randrange(1, len(t) - 1)
    op = rng.choice(("sub", "del", "ins", "swap"))
    letters = [c for c in t if c.isalpha()] or ["a"]
    if op == "sub":
        t = t[:j] + rng.choice(letters) + t[j + 1:]
    elif op == "del":
        t = t[:j] + t[j + 1:]
    elif op == "ins":
        t = t[:j] + rng.choice(letters) + t[j:]
    else:
        t = t[:j - 1] + t[j] + t[j - 1] + t[j + 1:]
    tokens[i] = t
    return " ".join(tokens)


def _split(p: Person, name: str) -> tuple[str, str]:
    """(given, family) of a name: the Popolo parts when they fit the name, else last token."""
    if p.given and p.family and name == p.name and p.family in name:
        return p.given, p.family
    tokens = name.split()
    if len(tokens) < 2:
        return "", name
    return " ".join(tokens[:-1]), tokens[-1]


def _reordered(p: Person, name: str) -> str:
    given, family = _split(p, name)
    return f"{family.upper()}, {given}" if given else name


#: titles a writer drops rather than shortens to an initial ("Dr. Staudt Gábor" is not "D. S. Gábor")
_TITLES = frozenset({"dr", "dra", "mr", "mrs", "ms", "prof", "hon", "sir", "ing", "lic", "mgr"})


def _initials(p: Person, name: str) -> str:
    """Given names as initials; a title is dropped and a lower-case particle ("bin", "de") kept."""
    given, family = _split(p, name)
    if not given or _script(name) != "LATIN":
        return name
    words = [g for g in given.replace(".", ". ").split() if g.rstrip(".").lower() not in _TITLES]
    short = [g if g.islower() else f"{g[0]}." for g in words if g[:1].isalpha()]
    return " ".join(short + [family])


def _partial(rng: random.Random, birth: str, full: float, month: float) -> str | None:
    if not birth:
        return None
    r = rng.random()
    if r < full and len(birth) == 10:
        return birth
    if r < full + month and len(birth) >= 7:
        return birth[:7]
    return birth[:4]


def _date_typo(rng: random.Random, birth: str) -> str:
    if len(birth) != 10:
        return birth
    y, m, d = int(birth[:4]), int(birth[5:7]), int(birth[8:])
    try:
        return date(y, m, min(28, max(1, d + rng.choice((-1, 1, 10, -10))))).isoformat()
    except ValueError:
        return birth


def _other(rng: random.Random, p: Person, share: float) -> str | None:
    """With probability ``share``, a name of ``p`` in another script: in the script of the
    person's country when it has one of its own (a Bulgarian deputy in Cyrillic, a Chinese one in
    Han), otherwise, a fifth as often, a foreign transliteration (an American senator in Cyrillic
    or Arabic, as a foreign newspaper writes them)."""
    if p.native:
        return rng.choice(p.native) if rng.random() < share else None
    if p.other and rng.random() < share * FOREIGN_SCRIPT:
        return rng.choice(p.other)[1]
    return None


def variant(rng: random.Random, p: Person, source: str) -> dict[str, list[str]]:
    """The properties of one record of ``p`` in ``source``."""
    props: dict[str, list[str]] = {}
    name = p.name
    aliases: list[str] = []
    if source == "ep_registry":
        if rng.random() < 0.05:
            name = _typo(rng, name)
        born = p.birth if rng.random() < 0.97 else _date_typo(rng, p.birth)
        props["birthDate"] = [born] if born else []
        props["gender"] = [p.gender] if p.gender in ("male", "female") else []
        props["nationality"] = [p.country]
    elif source == "ep_sanctions":
        if other := _other(rng, p, 0.35):
            name = other  # listed under the name in the other script
            aliases.append(p.name)
        else:
            name = _reordered(p, name) if rng.random() < 0.6 else name
            if other := _other(rng, p, 0.5):
                aliases.append(other)
        if rng.random() < 0.1:
            name = _typo(rng, name)
        born = _partial(rng, p.birth, 0.5, 0.2)
        props["birthDate"] = [born] if born else []
        if rng.random() < 0.5 and p.gender in ("male", "female"):
            props["gender"] = [p.gender]
        if rng.random() < 0.9:
            props["nationality"] = [p.country]
    else:  # ep_press
        if other := _other(rng, p, 0.7):
            name = other
        elif rng.random() < 0.2:
            name = _initials(p, name)
        elif rng.random() < 0.3:
            name = _reordered(p, name)
        if rng.random() < 0.15:
            name = _typo(rng, name)
        r = rng.random()
        born = None if r < 0.3 else _partial(rng, p.birth, 0.3, 0.0)
        props["birthDate"] = [born] if born else []
        if rng.random() < 0.9:
            props["country"] = [p.country]
    props["name"] = [name]
    if aliases:
        props["alias"] = [a for a in aliases if a != name]
    return {k: v for k, v in props.items() if v}


def _decoy(rng: random.Random, p: Person, countries: list[str], n: int) -> Person:
    country = rng.choice([c for c in countries if c != p.country] or countries)
    birth = ""
    if rng.random() < 0.7:
        year = int(p.birth[:4]) if p.birth else rng.randint(1940, 1985)
        year += rng.choice((-1, 1)) * rng.randint(1, 25)
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    return Person(f"decoy-{n}", p.name, country, p.given, p.family, birth,
                  rng.choice(("male", "female", p.gender)), [])


def _recombined(rng: random.Random, by_country: dict[str, list[Person]], n: int) -> Person:
    """A made-up person: given names of one real person, family name of another, same country."""
    country = rng.choice(sorted(by_country))
    a, b = rng.choice(by_country[country]), rng.choice(by_country[country])
    ga, fa = _split(a, a.name)
    gb, fb = _split(b, b.name)
    given = ga or gb or "Ana"
    family = fb or fa
    birth = date(rng.randint(1930, 1990), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    return Person(f"synthetic-{n}", f"{given} {family}", country, given, family,
                  birth if rng.random() < 0.6 else birth[:4], rng.choice(("male", "female", "")), [])


@dataclass
class Benchmark:
    sources: dict[str, list[Entity]]
    truth: dict[str, str]  # record id -> person id
    scripts: dict[str, set[str]]  # record id -> scripts of all its names
    persons: int
    decoys: int

    def cross_script(self, a: str, b: str) -> bool:
        """Two records whose names share no script (only transliteration can link them)."""
        return bool(self.scripts[a]) and bool(self.scripts[b]) and not (self.scripts[a] & self.scripts[b])


def build(root: Path, persons: int = 12_000, seed: int = 7, cross_share: float = 0.5) -> Benchmark:
    """Sample ``persons`` people (about ``cross_share`` of them with a name in another script when
    there are enough) and write their records into the three sources."""
    rng = random.Random(seed)
    everyone = load_persons(root)
    _set_native(everyone)
    multi = [p for p in everyone if p.native]
    plain = [p for p in everyone if not p.native]
    chosen: list[Person] = []
    if persons <= len(everyone):
        k = min(len(multi), int(persons * cross_share))
        chosen = rng.sample(multi, k) + rng.sample(plain, min(len(plain), persons - k))
    else:
        chosen = list(everyone)
        by_country: dict[str, list[Person]] = {}
        for p in plain:
            if len(p.name.split()) >= 2 and _script(p.name) == "LATIN":
                by_country.setdefault(p.country, []).append(p)
        chosen += [_recombined(rng, by_country, i) for i in range(persons - len(everyone))]
    countries = sorted({p.country for p in everyone if p.country})
    decoys = [_decoy(rng, p, countries, i) for i, p in enumerate(chosen) if rng.random() < DECOY]
    records: dict[str, list[tuple[Person, dict[str, list[str]]]]] = {s: [] for s in SOURCES}
    for p in chosen:
        present = [s for s in SOURCES if rng.random() < PRESENCE[s]] or [rng.choice(SOURCES)]
        for s in present:
            records[s].append((p, variant(rng, p, s)))
            if rng.random() < DUPLICATE:
                records[s].append((p, variant(rng, p, s)))
    for d in decoys:
        s = rng.choice(SOURCES)
        records[s].append((d, variant(rng, d, s)))
    sources: dict[str, list[Entity]] = {}
    truth: dict[str, str] = {}
    scripts: dict[str, set[str]] = {}
    for s, items in records.items():
        rng.shuffle(items)  # record ids say nothing about the person
        ents = []
        for i, (p, props) in enumerate(items):
            rid = f"{s.split('_')[1][:3]}-{i}"
            ents.append({"id": rid, "schema": "Person", "properties": props})
            truth[rid] = p.id
            scripts[rid] = _scripts(props.get("name", []) + props.get("alias", []))
        sources[s] = ents
    return Benchmark(sources, truth, scripts, len(chosen), len(decoys))


def summary(bench: Benchmark) -> dict[str, Any]:
    return {"persons": bench.persons, "decoys": bench.decoys,
            "records": sum(len(v) for v in bench.sources.values()),
            "per_source": {k: len(v) for k, v in bench.sources.items()}}
