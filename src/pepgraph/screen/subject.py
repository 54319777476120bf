"""What the scorer compares: a ``Subject`` is a query or a candidate, reduced to the evidence.

Both sides of a comparison take the same shape, whether the side came from a user's query, a row
of a customer file, an FtM entity in ``pepgraph compare`` or the screening index: analysed names
(``pepgraph.names.NameForm``), birth dates (ISO, possibly partial), countries (ISO codes),
genders, identifiers (compacted: letters and digits, upper case) and the schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from followthemoney import model
from followthemoney.types import registry

from pepgraph.errors import ConfigError
from pepgraph.names import NameForm, analyze
from pepgraph.names.readings import screen_readings

#: Properties whose values are names of the subject.
NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "abbreviation")
#: Name parts, joined into a full name when no ``name`` is given (and added beside it).
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
#: Identifier-typed properties that are not identifiers of the subject itself.
NOT_IDENTIFIERS = frozenset({"programId"})
#: Schemata the index holds and queries may ask for (besides their descendants).
SCREENED_ROOTS = ("LegalEntity", "Vessel", "Airplane")

_COMPACT = re.compile(r"[\W_]+", re.UNICODE)


def compact_identifier(value: str) -> str:
    """"AB-123 456" -> "AB123456": identifiers compare on letters and digits only."""
    return _COMPACT.sub("", value).upper()


@lru_cache(maxsize=4096)
def clean_country(value: str) -> str | None:
    """An ISO code ("fr") from a code or a country name ("France"); None when unknown."""
    return registry.country.clean(value)


@lru_cache(maxsize=64)
def clean_gender(value: str) -> str | None:
    return registry.gender.clean(value)


@lru_cache(maxsize=256)
def get_schema(name: str) -> Any:
    schema = model.get(name)
    if schema is None:
        raise ConfigError(f"unknown schema {name!r}: expected Person, Organization, Company, LegalEntity, ...")
    return schema


@lru_cache(maxsize=256)
def screened(schema: str) -> bool:
    """Whether entities of this schema are screened (legal entities, vessels, aircraft)."""
    s = model.get(schema)
    return s is not None and any(s.is_a(root) for root in SCREENED_ROOTS)


@lru_cache(maxsize=1024)
def compatible(query_schema: str, candidate_schema: str) -> bool:
    """Whether a query of one schema may match a candidate of another: one is the other or a
    descendant of it (a LegalEntity query matches a Person; a Person query matches a
    LegalEntity, which may be a person; a Person never matches a Company)."""
    q, c = model.get(query_schema), model.get(candidate_schema)
    if q is None or c is None:
        return False
    return q.is_a(c) or c.is_a(q)


@lru_cache(maxsize=1024)
def common_schema(schemata: tuple[str, ...]) -> str:
    """The most specific schema of a set, as followthemoney merges them (the first on conflict)."""
    result = model.get(schemata[0])
    for name in schemata[1:]:
        other = model.get(name)
        if other is None or result is None:
            continue
        try:
            result = model.common_schema(result, other)
        except Exception:  # incompatible schemata under one canonical id: keep the first
            continue
    return result.name if result is not None else schemata[0]


class Reading(NamedTuple):
    """What a name of a subject that is a reading of another is (``Subject.readings``)."""

    label: str  #: what it is, for explanations: "Mandarin reading of 蔡英文"
    script: str  #: the script of the name it reads
    #: Korean syllables ("kim ce won", ``names.readings.ScreenReading``): they meet only
    #: Korean syllables of a name in another script
    syllables: bool = False


@dataclass(slots=True)
class Subject:
    """One side of a comparison. ``names`` are analysed and unique by normalised form;
    ``weak`` holds the positions of names that are weak aliases (nicknames, partial names),
    ``readings`` the positions of names that are readings of another in a language
    (``pepgraph.names.readings``: "tsai ing wen" of 蔡英文), with what each is and the script of
    the name it reads (see ``comparable``)."""

    schema: str = "LegalEntity"
    names: list[NameForm] = field(default_factory=list)
    weak: frozenset[int] = frozenset()
    readings: Mapping[int, Reading] = field(default_factory=dict)
    birth_dates: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    genders: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    id: str | None = None
    caption: str = ""
    properties: dict[str, list[str]] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    #: From the index: names still packed (``nameforms.pack``), unpacked into ``names`` when
    #: the candidate is scored in full; ``sorted_latin`` is each name's Latin tokens, sorted.
    packed: list | None = None
    sorted_latin: tuple[str, ...] = ()


def _values(props: Mapping[str, Any], name: str) -> list[str]:
    value = props.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v is not None and str(v).strip()]


def full_names(props: Mapping[str, Any]) -> list[str]:
    """Names from name parts: "first [middle] last", and "first last" without the middle."""
    first = _values(props, "firstName")[:2]
    last = _values(props, "lastName")[:2]
    middle = (_values(props, "middleName") + _values(props, "secondName") + _values(props, "fatherName"))[:1]
    out = []
    for f in first or [""]:
        for la in last or [""]:
            if not (f or la):
                continue
            if middle:
                out.append(" ".join(p for p in (f, middle[0], la) if p))
            out.append(" ".join(p for p in (f, la) if p))
    return out


_NICKNAME = re.compile(r"""\s*(?:"[^"]+"|“[^”]+”|\([^)]+\))\s*""")


def variants(name: str) -> list[str]:
    """The name, and without a nickname in quotes or brackets: 'Charles W. "Chip" Pickering'
    also as "Charles W. Pickering", "Randy (Duke) Cunningham" also as "Randy Cunningham"."""
    bare = _NICKNAME.sub(" ", name).strip()
    return [name, bare] if bare and bare != name else [name]


def _script(subject: Subject, i: int) -> str:
    """The script of a subject's name ``i``, read from its packed form while it is packed."""
    return str(subject.packed[i][2]) if subject.packed is not None else subject.names[i].script


def comparable(query: Subject, qi: int, candidate: Subject, ci: int) -> bool:
    """Whether screening compares the query's name ``qi`` with the candidate's name ``ci``. A
    reading meets a name written in Latin letters ("Tsai Ing-wen" / the reading of 蔡英文), or a
    reading of a name in another script (the Cantonese readings of 張超雄 and of "CHEUNG
    Chiu-hung" are both "ceung ciu hung"); never a name in characters, which meets the other's
    characters as written and its romanisations through ICU (the coarse readings of 熊维政 and
    郑维勇, or of 陈平 and 陈康平, sound alike), nor a reading of another Latin name (two partial
    readings of romanised names, "Martin LIAO Cheung-kong" read as "ceung kong"). Korean
    syllables ("kim ce won") meet only Korean syllables of a name in another script (金在原 /
    "KIM Jaewon" of a Korean record): folded as they are, they spell no name to compare with
    one written."""
    q_read, c_read = query.readings.get(qi), candidate.readings.get(ci)
    if q_read is None and c_read is None:
        return True
    if q_read is not None and c_read is not None:
        return q_read.script != c_read.script and q_read.syllables == c_read.syllables
    if (q_read or c_read).syllables:  # type: ignore[union-attr]
        return False
    return (_script(candidate, ci) if q_read else _script(query, qi)) == "Latin"


def name_forms(names: Iterable[tuple[str, bool]], schema: str, countries: Iterable[str] | None = None,
               ) -> tuple[list[NameForm], frozenset[int], dict[int, Reading]]:
    """Analyse (name, weak) pairs: unique by normalised form, strong names first; a name with a
    nickname in quotes or brackets is also taken without it. A person's names in Chinese or
    Japanese writing, and romanisations of them, are followed by their readings
    (``names.readings.screen_readings``, by ``countries``): the third value says which
    positions are readings, and of what."""
    names = [(v, weak) for text, weak in names for v in variants(text)]
    seen: dict[str, int] = {}
    forms: list[NameForm] = []
    weak: set[int] = set()
    for text, is_weak in sorted(names, key=lambda item: item[1]):
        form = analyze(text, schema)
        if not form or form.normalized in seen:
            continue
        seen[form.normalized] = len(forms)
        if is_weak:
            weak.add(len(forms))
        forms.append(form)
    readings: dict[int, Reading] = {}
    if schema == "Person":
        for text, language, source, syllables in screen_readings(
                [f for i, f in enumerate(forms) if i not in weak], sorted(countries or ())):
            form = analyze(text, schema)
            if not form or (form.normalized in seen and not syllables):
                continue
            if syllables or language in ("Mandarin", "Cantonese"):  # a coarse reading is no name: no name symbols ("kung", "si")
                form = replace(form, symbols=frozenset(), parts=tuple(replace(t, symbols=frozenset()) for t in form.parts))
            if not syllables:
                seen[form.normalized] = len(forms)
            what = "Korean syllables" if syllables else f"{language} reading"
            readings[len(forms)] = Reading(f"{what} of {source.original}", source.script, syllables)
            forms.append(form)
    return forms, frozenset(weak), readings


def subject_from_properties(
    schema: str, props: Mapping[str, Any], id: str | None = None, caption: str | None = None
) -> Subject:
    """A subject from FtM-style properties (``{"name": [...], "birthDate": [...], ...}``);
    countries and genders are cleaned ("France" -> "fr"), unknown ones dropped."""
    ftm_schema = get_schema(schema)
    names: list[tuple[str, bool]] = []
    for prop in NAME_PROPS:
        names.extend((v, prop == "weakAlias") for v in _values(props, prop))
    if not names:  # name parts only when no whole name is given
        names.extend((v, False) for v in full_names(props))
    countries: set[str] = set()
    identifiers: set[str] = set()
    for prop_name, value in props.items():
        prop = ftm_schema.properties.get(prop_name)
        if prop is None:
            continue
        if prop.type == registry.country:
            countries.update(c for v in _values(props, prop_name) if (c := clean_country(v)))
        elif prop.type == registry.identifier and prop_name not in NOT_IDENTIFIERS:
            identifiers.update(c for v in _values(props, prop_name) if len(c := compact_identifier(v)) >= 4)
    forms, weak, readings = name_forms(names, schema, countries)
    genders = {g for v in _values(props, "gender") if (g := clean_gender(v))}
    births = tuple(sorted({d for v in _values(props, "birthDate") if (d := clean_date(v))}))
    return Subject(
        schema=schema, names=forms, weak=weak, readings=readings, birth_dates=births, countries=frozenset(countries),
        genders=frozenset(genders), identifiers=frozenset(identifiers), id=id,
        caption=caption or (forms[0].original if forms else ""),
        properties={k: _values(props, k) for k in props if _values(props, k)},
    )


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def clean_date(value: str) -> str | None:
    """An ISO date or its prefix ("1972", "1972-11", "1972-11-21"), or None."""
    match = _DATE.match(str(value).strip())
    if not match:
        return None
    return "-".join(p for p in match.groups() if p)


def subject_from_entity(data: Mapping[str, Any]) -> Subject:
    """A subject from an FtM entity dict (``{"id", "schema", "properties"}``)."""
    schema = data.get("schema") or "LegalEntity"
    props = data.get("properties") or {}
    if not isinstance(props, Mapping):
        raise ConfigError("an FtM entity's 'properties' must be an object")
    return subject_from_properties(str(schema), props, id=data.get("id"))


def query_subject(
    name: str | Iterable[str] | None = None,
    schema: str = "Person",
    birth_date: str | Iterable[str] | None = None,
    country: str | Iterable[str] | None = None,
    gender: str | None = None,
    identifiers: str | Iterable[str] | None = None,
    properties: Mapping[str, Any] | None = None,
) -> Subject:
    """A subject from the arguments of ``pepgraph screen`` / ``Graph.screen``."""
    props: dict[str, Any] = {k: list(v) if not isinstance(v, str) else [v] for k, v in (properties or {}).items()}

    def add(prop: str, value: str | Iterable[str] | None) -> None:
        if value is None:
            return
        values = [value] if isinstance(value, str) else list(value)
        props.setdefault(prop, []).extend(v for v in values if v)

    add("name", name)
    add("birthDate", birth_date)
    add("country", country)
    add("gender", gender)
    add("idNumber", identifiers)
    return subject_from_properties(schema, props)
