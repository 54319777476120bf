"""EveryPolitician Popolo JSON (``ep-popolo-v1.0.json``): one legislature's members, terms and parties.

Each file holds ``persons``, ``organizations`` (the legislature and its parties), ``memberships``
(person x legislature x legislative period, with the party in ``on_behalf_of_id``), ``events`` (the
legislative periods) and ``areas`` (constituencies). The file itself never says which country it is
about (``meta`` only lists sources), so the country comes from, in order: ``options["country"]``, an
``iso_code`` on the legislature, the ``countries.json`` index EveryPolitician ships beside ``data/``,
the country folder's ``meta.json``, and finally the country folder's name; each is cleaned by
followthemoney's country type, so "GE-AB" and "United_States_of_America" both end up as codes.

One person (with their memberships) is one record: a person without an id or a name is dropped whole
under ``--skip-invalid``. The legislature (a ``PublicBody``), its ``Position`` and the parties are
file-level entities, emitted once per file before the people.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from followthemoney import registry
from followthemoney.statement import StatementEntity

from pepgraph.sources.base import SourceContext, read_text_head

FORMAT = "popolo"
PREFIX = "ep"

_PERSONS_KEY = re.compile(r'"persons"\s*:\s*\[')
_PERSONS_FIRST = re.compile(r'\{\s*"persons"\s*:\s*\[')

#: Wikipedia language codes that followthemoney's language type does not know, mapped to the ISO
#: 639-3 macrolanguage it does know, so that e.g. the 8,500 Norwegian names keep a language.
_LANG_ALIASES = {
    "nb": "nor", "nn": "nor",
    "yue": "zho", "lzh": "zho", "wuu": "zho", "hak": "zho", "nan": "zho", "cdo": "zho", "gan": "zho",
}  # fmt: skip

#: Genders as EveryPolitician's scrapers spelled them, beyond what followthemoney cleans itself.
_GENDERS = {"homme": "male", "femme": "female", "hombre": "male", "mujer": "female"}

#: Party ids/names that mean "no party": an independent is not a member of an organisation.
_UNKNOWN = {"", "unknown", "none", "n/a", "na", "-"}
_NO_PARTY = _UNKNOWN | {"independent", "independents", "independant", "ind"}


def sniff(path: Path, head: str) -> bool:
    """A JSON object with a ``persons`` list and Popolo's other collections (FtM JSON is not).

    Big files only show ``persons`` in the first 64 KiB (126 of EveryPolitician's 235 do), so a
    document that *starts* with the ``persons`` list is claimed too.
    """
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or not _PERSONS_KEY.search(text):
        return False
    first = text[:4096]
    if '"schema"' in first and ('"properties"' in first or '"statements"' in first):
        return False
    return bool(_PERSONS_FIRST.match(text)) or '"memberships"' in text or '"organizations"' in text


def ignore(path: Path) -> bool:
    """In a folder read as ``--format popolo``, skip EveryPolitician's companions (``meta.json``,
    ``countries.json``, ``names.csv``, term CSVs): they describe the Popolo files, hold no people."""
    return path.suffix.lower() != ".json" or not sniff(path, read_text_head(path))


@dataclass
class _Doc:
    """What a person's memberships are resolved against: the file's lookups by Popolo id, and the
    ids of the Position / party entities made for them."""

    data: dict[str, Any]
    country: str | None = None
    scope: str = ""  # the country, or the folders when there is none: keeps ids apart
    orgs: dict[Any, dict[str, Any]] = field(default_factory=dict)
    events: dict[Any, dict[str, Any]] = field(default_factory=dict)
    areas: dict[Any, Any] = field(default_factory=dict)
    posts: dict[Any, str] = field(default_factory=dict)
    parties: dict[Any, str] = field(default_factory=dict)


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    data, text = _load(ctx)
    doc = _Doc(data)
    doc.orgs = {o.get("id"): o for o in _list(data, "organizations") if isinstance(o, dict)}
    doc.events = {e.get("id"): e for e in _list(data, "events") if isinstance(e, dict)}
    doc.areas = {a.get("id"): a.get("name") for a in _list(data, "areas") if isinstance(a, dict)}
    by_person: dict[Any, list[dict[str, Any]]] = {}
    for m in _list(data, "memberships"):
        if isinstance(m, dict):
            by_person.setdefault(m.get("person_id"), []).append(m)
    members = [m for ms in by_person.values() for m in ms]
    legislature = next((o for o in doc.orgs.values() if o.get("classification") == "legislature"), None)
    doc.country = _country(ctx, legislature)
    doc.scope = doc.country or f"{ctx.path.parent.parent.name}/{ctx.path.parent.name}"

    # File-level entities: one Position (and PublicBody) per body people sit in, one Organization
    # per party, each its own record so that a bad one names itself.
    for org_id in dict.fromkeys(m.get("organization_id") for m in members):
        org = doc.orgs.get(org_id)
        if org is not None and org.get("classification") != "party":
            with ctx.record(record=f"organization {org_id}") as rec:
                rec.emit(*_body(ctx, doc, org))
            yield from rec.entities
    for party_id in dict.fromkeys(m.get("on_behalf_of_id") for m in members):
        org = doc.orgs.get(party_id)
        if org is not None and not _no_party(party_id, org.get("name")):
            with ctx.record(record=f"organization {party_id}") as rec:
                rec.emit(_party(ctx, doc, org))
            yield from rec.entities

    lines = _Lines(text)
    for index, person in enumerate(_list(data, "persons")):
        pid = person.get("id") if isinstance(person, dict) else None
        with ctx.record(line=lines.find(pid), record=str(pid) if pid else f"persons[{index}]") as rec:
            rec.emit(*_person(ctx, doc, person, by_person.get(pid, []) if pid else []))
        yield from rec.entities


def _load(ctx: SourceContext) -> tuple[dict[str, Any], str]:
    """The whole document; Popolo is one JSON value, so a syntax error loses the file."""
    raw = ctx.path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ctx.error(f"not valid UTF-8 ({exc.reason})", line=line) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ctx.error(f"malformed JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("persons"), list):
        raise ctx.error("not a Popolo document: expected a JSON object with a 'persons' list", line=1)
    return data, text


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


class _Lines:
    """Finds each person's line by scanning forward for its quoted id: persons come in file order,
    so the whole scan is one pass; after a few misses (ids spelled with escapes) it stops trying."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line, self.misses = text, 0, 1, 0

    def find(self, pid: Any) -> int | None:
        if not isinstance(pid, str) or not pid or self.misses > 3:
            return None
        at = self.text.find(json.dumps(pid, ensure_ascii=False), self.pos)
        if at < 0:
            self.misses += 1
            return None
        self.line += self.text.count("\n", self.pos, at)
        self.pos = at
        return self.line


# -- country ----------------------------------------------------------------------------------


def _country(ctx: SourceContext, legislature: dict[str, Any] | None) -> str | None:
    candidates = [ctx.options.get("country"), (legislature or {}).get("iso_code")]
    candidates.append(_index_code(ctx.path))
    meta = _read_json(ctx.path.parent.parent / "meta.json")
    if isinstance(meta, dict):
        candidates += [meta.get("iso_code"), meta.get("name")]
    candidates.append(ctx.path.parent.parent.name.replace("_", " "))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            code = registry.country.clean_text(candidate) or registry.country.clean_text(candidate, fuzzy=True)
            if code:
                return code
    ctx.warn("no country found (countries.json, meta.json, folder name); set the reader option 'country'")
    return None


def _index_code(path: Path) -> str | None:
    """The ``code`` that EveryPolitician's ``countries.json`` (found above the file) gives it."""
    resolved = path.resolve()
    for root in list(resolved.parents)[1:5]:
        index = _countries_index(root / "countries.json")
        if index:
            return index.get(resolved.relative_to(root).as_posix())
    return None


@lru_cache(maxsize=8)
def _countries_index(path: Path) -> dict[str, str]:
    data = _read_json(path)
    index: dict[str, str] = {}
    for country in data if isinstance(data, list) else []:
        for legislature in country.get("legislatures") or [] if isinstance(country, dict) else []:
            if isinstance(legislature, dict) and legislature.get("popolo") and country.get("code"):
                index[legislature["popolo"]] = country["code"]
    return index


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


# -- file-level entities ----------------------------------------------------------------------


def _body(ctx: SourceContext, doc: _Doc, org: dict[str, Any]) -> list[StatementEntity]:
    """The legislature as a ``PublicBody`` and "Member of the <name>" as its ``Position``."""
    name = _text(org.get("name")) or _text(org.get("id"))
    body = ctx.make("PublicBody", ctx.make_id("body", doc.scope, name, prefix=PREFIX))
    ctx.add(body, "name", name)
    ctx.add(body, "country", doc.country)
    for ident in org.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("scheme") == "wikidata":
            ctx.add(body, "wikidataId", ident.get("identifier"))
    position = ctx.make("Position", ctx.make_id("position", doc.scope, name, prefix=PREFIX))
    ctx.add(position, "name", f"Member of the {name}")
    ctx.add(position, "country", doc.country)
    ctx.add(position, "organization", body.id)
    ctx.add(position, "numberOfSeats", org.get("seats"))
    doc.posts[org.get("id")] = position.id  # type: ignore[assignment]
    return [body, position]


def _party(ctx: SourceContext, doc: _Doc, org: dict[str, Any]) -> StatementEntity:
    party = ctx.make("Organization", ctx.make_id("party", doc.scope, org.get("id"), prefix=PREFIX))
    ctx.add(party, "name", _text(org.get("name")) or _text(org.get("id")))
    ctx.add(party, "country", doc.country)
    _add_names(ctx, party, org.get("other_names"))
    for ident in org.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("scheme") == "wikidata":
            ctx.add(party, "wikidataId", ident.get("identifier"))
    for link in org.get("links") or []:
        if isinstance(link, dict) and link.get("note") == "website":
            ctx.add(party, "website", link.get("url"))
    doc.parties[org.get("id")] = party.id  # type: ignore[assignment]
    return party


def _no_party(party_id: Any, name: Any) -> bool:
    key = str(party_id or "").lower().removeprefix("party/").strip("_ ")
    return key in _NO_PARTY or str(name or "").strip().lower() in _NO_PARTY


# -- people -----------------------------------------------------------------------------------


def _person(ctx: SourceContext, doc: _Doc, data: Any, memberships: list[dict[str, Any]]) -> list[StatementEntity]:
    if not isinstance(data, dict):
        raise ctx.error("person is not a JSON object")
    pid = _text(data.get("id"))
    if not pid:
        raise ctx.error("person without an 'id'")
    name = _text(data.get("name")) or " ".join(
        filter(None, [_text(data.get("given_name")), _text(data.get("family_name"))])
    )
    if not name:
        raise ctx.error("person without a name")
    person = ctx.make("Person", f"{PREFIX}-{pid}")
    out = [person]
    ctx.add(person, "country", doc.country)  # first: phone numbers are parsed with it as a hint
    ctx.add(person, "nationality", doc.country)
    ctx.add(person, "name", name)
    _add_names(ctx, person, data.get("other_names"))
    ctx.add(person, "firstName", data.get("given_name"))
    ctx.add(person, "lastName", data.get("family_name"))
    ctx.add(person, "fatherName", data.get("patronymic_name"))
    ctx.add(person, "title", data.get("honorific_prefix"))
    ctx.add(person, "nameSuffix", data.get("honorific_suffix"))
    ctx.add(person, "birthDate", data.get("birth_date"))
    ctx.add(person, "deathDate", data.get("death_date"))
    gender = _text(data.get("gender"))
    ctx.add(person, "gender", _GENDERS.get(gender.lower(), gender) if gender else None)
    ctx.add(person, "ethnicity", data.get("national_identity"))
    ctx.add(person, "email", re.split(r"[;,\s]+", data["email"]) if isinstance(data.get("email"), str) else None)
    for contact in data.get("contact_details") or []:
        if isinstance(contact, dict) and contact.get("type") in ("phone", "cell", "email"):
            ctx.add(person, "email" if contact["type"] == "email" else "phone", contact.get("value"))
    for link in data.get("links") or []:
        if not isinstance(link, dict):
            continue
        note, url = str(link.get("note") or "").lower(), _text(link.get("url"))
        if note == "website":
            ctx.add(person, "website", url)
        elif note in ("wikipedia", "wikipedia (en)"):
            ctx.add(person, "wikipediaUrl", url)
    for source in data.get("sources") or []:
        if isinstance(source, dict):
            ctx.add(person, "sourceUrl", source.get("url"))
    for ident in data.get("identifiers") or []:
        if not isinstance(ident, dict) or not _text(ident.get("identifier")):
            continue
        scheme, number = _text(ident.get("scheme")), _text(ident.get("identifier"))
        if scheme == "wikidata":
            ctx.add(person, "wikidataId", number)
            continue
        paper = ctx.make("Identification", ctx.make_id("identification", person.id, scheme, number, prefix=PREFIX))
        ctx.add(paper, "holder", person.id)
        ctx.add(paper, "number", number)
        ctx.add(paper, "type", scheme)
        ctx.add(paper, "country", doc.country)
        out.append(paper)
    spells: list[tuple[str, Any, Any]] = []
    for m in memberships:
        out.append(_occupancy(ctx, doc, person, m, spells))
    out.extend(_party_memberships(ctx, person, spells))
    return out


def _occupancy(
    ctx: SourceContext, doc: _Doc, person: StatementEntity, m: dict[str, Any], spells: list[tuple[str, Any, Any]]
) -> StatementEntity:
    """One membership of the legislature; dates fall back to its legislative period's."""
    post = doc.posts.get(m.get("organization_id"))
    if post is None:
        raise ctx.error(f"membership in unknown organization {m.get('organization_id')!r}")
    period = doc.events.get(m.get("legislative_period_id")) or {}
    start = _text(m.get("start_date")) or _text(period.get("start_date")) or None
    end = _text(m.get("end_date")) or _text(period.get("end_date")) or None
    occ_id = ctx.make_id("occupancy", person.id, post, m.get("legislative_period_id"), start, end, prefix=PREFIX)
    occ = ctx.make("Occupancy", occ_id)
    ctx.add(occ, "holder", person.id)
    ctx.add(occ, "post", post)
    ctx.add(occ, "startDate", start)
    ctx.add(occ, "endDate", end)
    if m.get("start_date") or m.get("end_date"):  # the term's own dates, when they differ
        ctx.add(occ, "periodStart", period.get("start_date"))
        ctx.add(occ, "periodEnd", period.get("end_date"))
    ctx.add(occ, "status", status(end, ctx.today))
    ctx.add(occ, "description", period.get("name"))
    ctx.add(occ, "constituency", doc.areas.get(m.get("area_id")))
    group = _text((doc.orgs.get(m.get("on_behalf_of_id")) or {}).get("name"))
    if group.lower() not in _UNKNOWN:  # "Independent" is a group in the chamber, if not a party
        ctx.add(occ, "politicalGroup", group)
    if m.get("on_behalf_of_id") in doc.parties:
        spells.append((doc.parties[m["on_behalf_of_id"]], start, end))
    return occ


def _party_memberships(
    ctx: SourceContext, person: StatementEntity, spells: list[tuple[str, Any, Any]]
) -> list[StatementEntity]:
    """One ``Membership`` per unbroken run of terms in one party (not one per term); a gap of more
    than 90 days between one period's end and the next one's start breaks the run."""
    runs: list[list[Any]] = []
    for party, start, end in sorted(spells, key=lambda s: (s[1] or "", s[2] or "")):
        if runs and runs[-1][0] == party and _near(runs[-1][2], start):
            runs[-1][2] = None if end is None or runs[-1][2] is None else max(runs[-1][2], end)  # None: open
        else:
            runs.append([party, start, end])
    out = []
    for party, start, end in runs:
        membership = ctx.make("Membership", ctx.make_id("membership", person.id, party, start, prefix=PREFIX))
        ctx.add(membership, "member", person.id)
        ctx.add(membership, "organization", party)
        ctx.add(membership, "startDate", start)
        ctx.add(membership, "endDate", end)
        out.append(membership)
    return out


def _add_names(ctx: SourceContext, entity: StatementEntity, names: Any) -> None:
    """Every ``other_names`` entry as an alias, keeping its language where followthemoney knows it."""
    for other in names or []:
        if isinstance(other, dict):
            lang = _text(other.get("lang"))
            ctx.add(entity, "alias", other.get("name"), lang=_LANG_ALIASES.get(lang.lower(), lang) or None)


def status(end: str | None, today: str | None = None) -> str:
    """"ended" when ``end`` (a full or partial date) is past, else "current"; a partial date
    counts as its last day, so an end of "2026" has not passed until 2027."""
    today = today or dt.date.today().isoformat()
    if end:
        padded = end + "-12-31"[len(end) - 4 :] if len(end) < 10 else end[:10]
        if padded < today:
            return "ended"
    return "current"


def _near(end: str | None, start: str | None) -> bool:
    try:
        return (dt.date.fromisoformat(str(start)[:10]) - dt.date.fromisoformat(str(end)[:10])).days <= 90
    except ValueError:  # a partial or missing date: cannot tell a gap, so keep the run
        return True


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
