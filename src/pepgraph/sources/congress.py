"""unitedstates/congress-legislators: members of Congress, presidents and vice-presidents.

Two layouts: the YAML files (``legislators-*.yaml``, ``executive.yaml``, their snapshots), a list of
people with ``id``/``name``/``bio``/``terms`` and sometimes ``family`` and ``leadership_roles``; and
the CSV export (``legislators-*.csv``), one row per person with only the last term's type, state and
party, undated. Every person is one record (``line``: its list item's line, or the CSV row's).

Ids are ``congress-<bioguide>`` in every file and year, so the 2015 snapshot, today's file and the
historical CSV describe the same entities. Positions ("United States Senator from Ohio") and parties
are emitted once per file, with the first kept record that needs them.

``family[].relation`` is the member's relation *to* the named person ("son": the member is their
son). FtM's ``Family.relationship`` describes ``relative`` as seen from ``person``, so the named
person is ``person`` and the member ``relative``: the text is kept verbatim and reads right.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from followthemoney.statement import StatementEntity

from pepgraph.sources.base import SourceContext, read_text_head

FORMAT = "congress"
PREFIX = "congress"

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
    "DK": "Dakota Territory", "OL": "Territory of Orleans", "PI": "Philippine Islands",
}  # fmt: skip

EXECUTIVE = {"prez": "President of the United States", "viceprez": "Vice President of the United States"}
GENDERS = {"M": "male", "F": "female"}
#: Party labels that are no organisation to be a member of.
NO_PARTY = {"", "no party", "independent", "unknown", "nonpartisan"}
#: Ids that are social-media handles, not identifiers of the person (the CSV mixes them in).
SOCIAL = {"twitter_id", "youtube_id"}
CSV_REQUIRED = ("last_name", "first_name", "bioguide_id")
NAME_PARTS = ("first", "middle", "last", "suffix", "nickname")

_YAML_ITEM = re.compile(r"^-\s+id:\s*$", re.MULTILINE)
_YAML_ID = re.compile(r"^\s+(bioguide|govtrack):", re.MULTILINE)
_YAML_TERMS = re.compile(r"^\s+terms:\s*$", re.MULTILINE)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def sniff(path: Path, head: str) -> bool:
    """The YAML list of people (items with ``id:`` holding bioguide/govtrack, and ``terms:``), or
    the CSV export whose header starts with ``last_name,first_name,`` and names ``bioguide_id``."""
    text = head.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if first_line.startswith("last_name,first_name,") and "bioguide_id" in first_line:
        return True
    return bool(_YAML_ITEM.search(text) and _YAML_ID.search(text) and _YAML_TERMS.search(text))


def ignore(path: Path) -> bool:
    """In a folder read as ``--format congress``: the repository's files that hold no people
    (committees, committee membership, social media, district offices, LICENSE) are skipped."""
    if path.suffix.lower() not in (".yaml", ".yml", ".csv"):
        return True
    return not sniff(path, read_text_head(path))


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    head = read_text_head(ctx.path, 4096).lstrip("\ufeff")
    if head.startswith("last_name,first_name,") or ctx.path.suffix.lower() == ".csv":
        yield from _read_csv(ctx)
    else:
        yield from _read_yaml(ctx)


# -- YAML -------------------------------------------------------------------------------------


def _read_yaml(ctx: SourceContext) -> Iterator[StatementEntity]:
    """Compose the whole document with libyaml (fast, and a syntax error is the file's), then
    construct one list item at a time so each person keeps its line and fails on its own."""
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    emitted: set[str] = set()
    with open(ctx.path, "rb") as fh:
        loader = loader_class(fh)
        try:
            try:
                root = loader.get_single_node()
            except yaml.YAMLError as exc:
                raise _yaml_error(ctx, exc) from None
            if root is None:
                return
            if not isinstance(root, yaml.SequenceNode):
                raise ctx.error("expected a list of people at the top level", line=root.start_mark.line + 1)
            for index, node in enumerate(root.value, start=1):
                with ctx.record(line=node.start_mark.line + 1, record=f"#{index}") as rec:
                    try:
                        data = loader.construct_document(node)
                    except yaml.YAMLError as exc:
                        raise _yaml_error(ctx, exc) from None
                    rec.emit(*_legislator(ctx, data, _Batch(emitted)))
                emitted.update(str(e.id) for e in rec.entities if e.schema.name in ("Position", "Organization"))
                yield from rec.entities
        finally:
            loader.dispose()


def _yaml_error(ctx: SourceContext, exc: yaml.YAMLError) -> Exception:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        problem = getattr(exc, "problem", None) or str(exc)
        return ctx.error(f"malformed YAML: {problem} (column {mark.column + 1})", line=mark.line + 1)
    if isinstance(exc, yaml.reader.ReaderError):  # bad encoding: libyaml gives a byte offset
        with open(ctx.path, "rb") as fh:
            line = fh.read(exc.position).count(b"\n") + 1
        return ctx.error(f"not valid UTF-8 ({exc.reason})", line=line)
    return ctx.error(f"malformed YAML: {exc}")


def _legislator(ctx: SourceContext, data: Any, out: _Batch) -> list[StatementEntity]:
    if not isinstance(data, dict) or not isinstance(data.get("id"), dict):
        raise ctx.error("person without an 'id' block")
    ids: dict[str, Any] = data["id"]
    person = _make_person(ctx, ids.get("bioguide"), ids.get("govtrack"), ids.get("icpsr_prez") or ids.get("icpsr"))
    names = _dict(data.get("name"))
    _add_name(ctx, person, names.get("official_full"), names)
    for other in data.get("other_names") or []:
        if isinstance(other, dict):
            merged = {**names, **other}
            ctx.add(person, "alias", _full(*(merged.get(k) for k in ("first", "middle", "last", "suffix"))))
    bio = _dict(data.get("bio"))
    ctx.add(person, "birthDate", bio.get("birthday"))
    ctx.add(person, "gender", GENDERS.get(str(bio.get("gender")), bio.get("gender")))
    ctx.add(person, "religion", bio.get("religion"))
    out.append(person)
    for key, value in ids.items():
        out.extend(_identifiers(ctx, person, key, value))
    segments: list[tuple[str, str | None, str | None]] = []
    for term in data.get("terms") or []:
        if not isinstance(term, dict):
            raise ctx.error("a term is not a mapping")
        ctx.add(person, "website", term.get("url"))
        ctx.add(person, "phone", term.get("phone"))
        out.shared(position := _position(ctx, term.get("type"), term.get("state"), term.get("district")))
        out.append(_occupancy(ctx, person, position, term, term.get("start"), term.get("end")))
        for aff in term.get("party_affiliations") or [{"party": term.get("party")}]:
            segments.append((str(aff.get("party") or ""), aff.get("start") or term.get("start"),
                             aff.get("end") or term.get("end")))  # fmt: skip
    for role in data.get("leadership_roles") or []:
        if isinstance(role, dict) and role.get("title"):
            out.shared(position := _titled_position(ctx, str(role["title"])))
            out.append(_occupancy(ctx, person, position, {}, role.get("start"), role.get("end")))
    _party_memberships(ctx, person, segments, out)
    for relative in data.get("family") or []:
        if isinstance(relative, dict):
            out.extend(_family(ctx, person, relative.get("name"), relative.get("relation")))
    return out


# -- CSV --------------------------------------------------------------------------------------


def _read_csv(ctx: SourceContext) -> Iterator[StatementEntity]:
    """Rows decoded with ``surrogateescape`` so that a stray Latin-1 byte fails its own row (with
    its physical line), not the whole file."""
    # No term dates in the CSV: the publisher's file name is the only clue to currency.
    name = ctx.path.name
    status = ctx.options.get("status") or (
        "ended" if "historical" in name else "current" if "current" in name else ""
    )
    emitted: set[str] = set()
    with open(ctx.path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ctx.error("empty file", line=1) from None
        except csv.Error as exc:
            raise ctx.error(f"malformed CSV header: {exc}", line=1) from None
        missing = ", ".join(c for c in CSV_REQUIRED if c not in header)
        if missing or _NOT_UTF8.search(",".join(header)):
            raise ctx.error(f"not a congress-legislators CSV header (lacks {missing or 'UTF-8'})", line=1)
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ctx.error(f"malformed CSV: {exc}", line=line) from None
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            record = dict(zip(header, (cell.strip() for cell in row)))
            with ctx.record(line=start, record=record.get("bioguide_id") or None) as rec:
                rec.emit(*_csv_row(ctx, record, status, _Batch(emitted)))
            emitted.update(str(e.id) for e in rec.entities if e.schema.name in ("Position", "Organization"))
            yield from rec.entities


def _csv_row(ctx: SourceContext, row: dict[str, str], status: str | None, out: _Batch) -> list[StatementEntity]:
    for column, value in row.items():
        if _NOT_UTF8.search(value):
            raise ctx.error(f"column {column!r} is not valid UTF-8")
    person = _make_person(ctx, row.get("bioguide_id"), row.get("govtrack_id"), row.get("icpsr_id"))
    _add_name(ctx, person, row.get("full_name"), {k: row.get(f"{k}_name", row.get(k)) for k in NAME_PARTS})
    ctx.add(person, "birthDate", row.get("birthday"))
    ctx.add(person, "gender", GENDERS.get(row.get("gender", ""), row.get("gender")))
    ctx.add(person, "website", row.get("url"))
    ctx.add(person, "phone", row.get("phone"))
    out.append(person)
    for column, value in row.items():
        if column in SOCIAL or not value or not column.endswith(("_id", "_ids")):
            continue
        key = column.rsplit("_", 1)[0]
        out.extend(_identifiers(ctx, person, key, value.split(",") if column.endswith("_ids") else value))
    if row.get("type"):
        district = row.get("district")
        out.shared(position := _position(ctx, row["type"], row.get("state"), district or None))
        term = {"type": row["type"], "state": row.get("state"), "district": district, "party": row.get("party")}
        out.append(_occupancy(ctx, person, position, term, None, None, status))
    _party_memberships(ctx, person, [(row.get("party") or "", None, None)], out)
    return out


# -- shared mapping ---------------------------------------------------------------------------


def _make_person(ctx: SourceContext, bioguide: Any, govtrack: Any, icpsr: Any) -> StatementEntity:
    """``congress-<bioguide>``; the few early presidents without one fall back to govtrack/icpsr."""
    keys = [(k, _clean(v)) for k, v in (("", bioguide), ("govtrack", govtrack), ("icpsr", icpsr)) if _clean(v)]
    if not keys:
        raise ctx.error("person without a bioguide, govtrack or icpsr id")
    ctx.record_id = f"{keys[0][0]} {keys[0][1]}".strip()
    person = ctx.make("Person", "-".join(filter(None, (PREFIX, *keys[0]))))
    ctx.add(person, "country", "us")  # first: phone numbers are parsed with it as a hint
    ctx.add(person, "nationality", "us")
    return person


def _add_name(ctx: SourceContext, person: StatementEntity, full: Any, parts: dict[str, Any]) -> None:
    """``official_full`` is the name; the assembled parts are an alias when they differ (accents,
    middle names); a nickname is a weak alias alone and an alias with the last name."""
    built = _full(*(parts.get(k) for k in ("first", "middle", "last", "suffix")))
    name = _clean(full) or built
    if not name:
        raise ctx.error("person without a name")
    ctx.add(person, "name", name)
    for prop, key in zip(("firstName", "middleName", "lastName", "nameSuffix"), NAME_PARTS):
        ctx.add(person, prop, parts.get(key))
    nick = _clean(parts.get("nickname"))
    ctx.add(person, "weakAlias", nick)
    for alias in (built, _full(nick, parts.get("last")) if nick else ""):
        if alias and alias != name:
            ctx.add(person, "alias", alias)


def _identifiers(ctx: SourceContext, person: StatementEntity, key: str, value: Any) -> list[StatementEntity]:
    """``wikidata`` is a property; every other id (bioguide included) is an ``Identification``."""
    if key == "wikidata":
        ctx.add(person, "wikidataId", value)
        return []
    if key == "wikipedia" and _clean(value):
        ctx.add(person, "wikipediaUrl", "https://en.wikipedia.org/wiki/" + _clean(value).replace(" ", "_"))
    out = []
    for number in value if isinstance(value, list) else [value]:
        number = _clean(number)
        if not number:
            continue
        doc = ctx.make("Identification", ctx.make_id("identification", person.id, key, number, prefix=PREFIX))
        ctx.add(doc, "holder", person.id)
        ctx.add(doc, "number", number)
        ctx.add(doc, "type", key)
        ctx.add(doc, "country", "us")
        out.append(doc)
    return out


def _position(ctx: SourceContext, kind: Any, state: Any, district: Any) -> StatementEntity:
    state = _clean(state).upper()
    state_name = STATES.get(state, state)
    if kind in EXECUTIVE:
        return _titled_position(ctx, EXECUTIVE[kind])
    if kind == "sen":
        name = f"United States Senator from {state_name}"
    elif kind == "rep":
        number = _district(district)
        name = f"United States Representative for {state}" + (
            " (at-large)" if number == 0 else f"-{number}" if number and number > 0 else ""  # -1: not known
        )
    else:
        raise ctx.error(f"unknown term type {kind!r} (expected sen, rep, prez or viceprez)")
    if not state:
        raise ctx.error(f"{kind} term without a state")
    position = _titled_position(ctx, name)
    ctx.add(position, "subnationalArea", state_name)
    return position


def _titled_position(ctx: SourceContext, name: str) -> StatementEntity:
    position = ctx.make("Position", ctx.make_id("position", name, prefix=PREFIX))
    ctx.add(position, "name", name)
    ctx.add(position, "country", "us")
    return position


def _occupancy(ctx: SourceContext, person: StatementEntity, position: StatementEntity, term: dict[str, Any],
               start: Any, end: Any, status: str | None = None) -> StatementEntity:  # fmt: skip
    occ = ctx.make("Occupancy", ctx.make_id("occupancy", person.id, position.id, start, end, prefix=PREFIX))
    ctx.add(occ, "holder", person.id)
    ctx.add(occ, "post", position.id)
    ctx.add(occ, "startDate", start)
    ctx.add(occ, "endDate", end)
    ctx.add(occ, "status", status or (_status(str(end), ctx.today) if end else "current" if start else None))
    state, district = _clean(term.get("state")).upper(), _district(term.get("district"))
    if term.get("type") == "sen":
        ctx.add(occ, "constituency", STATES.get(state, state))
    elif term.get("type") == "rep" and state:
        ctx.add(occ, "constituency", state if district is None or district < 0 else f"{state}-{district or 'AL'}")
    if _clean(term.get("party")).lower() not in ("", "no party", "unknown"):
        ctx.add(occ, "politicalGroup", term.get("party"))
    ctx.add(occ, "description", term.get("how"))
    return occ


def _party_memberships(ctx: SourceContext, person: StatementEntity, segments: list[tuple[str, Any, Any]],
                       out: _Batch) -> None:  # fmt: skip
    """One ``Membership`` per unbroken run of terms in one party, not one per two-year term (a
    new Congress starts days after the last ends; a gap of more than 90 days starts a new run)."""
    runs: list[list[Any]] = []
    for party, start, end in segments:  # terms are listed in order
        if party.strip().lower() in NO_PARTY:
            continue
        if runs and runs[-1][0] == party and _near(runs[-1][2], start):
            runs[-1][2] = end
        else:
            runs.append([party, start, end])
    for party, start, end in runs:
        org = ctx.make("Organization", ctx.make_id("party", "us", party, prefix=PREFIX))
        ctx.add(org, "name", party)
        ctx.add(org, "country", "us")
        out.shared(org)
        membership = ctx.make("Membership", ctx.make_id("membership", person.id, org.id, start, prefix=PREFIX))
        ctx.add(membership, "member", person.id)
        ctx.add(membership, "organization", org.id)
        ctx.add(membership, "startDate", start)
        ctx.add(membership, "endDate", end)
        out.append(membership)


def _family(ctx: SourceContext, member: StatementEntity, name: Any, relation: Any) -> list[StatementEntity]:
    name = _clean(name)
    if not name:
        return []
    relative = ctx.make("Person", ctx.make_id("relative", member.id, name, prefix=PREFIX))
    ctx.add(relative, "name", name)
    family = ctx.make("Family", ctx.make_id("family", member.id, name, relation, prefix=PREFIX))
    ctx.add(family, "person", relative.id)
    ctx.add(family, "relative", member.id)
    ctx.add(family, "relationship", relation)
    return [relative, family]


class _Batch(list[StatementEntity]):
    """One record's entities; ``shared`` adds a file-level entity (position, party) only the first
    time the file needs it. The reader marks it ``emitted`` once the record is kept, so a dropped
    record does not take a position down with it."""

    def __init__(self, emitted: set[str]) -> None:
        super().__init__()
        self.emitted = emitted

    def shared(self, entity: StatementEntity) -> None:
        if entity.id not in self.emitted and all(e.id != entity.id for e in self):
            self.append(entity)


def _status(end: str, today: str | None = None) -> str:
    """"ended" once ``end`` (full or partial date; partial counts as its last day) is past."""
    today = today or dt.date.today().isoformat()
    padded = end + "-12-31"[len(end) - 4 :] if len(end) < 10 else end[:10]
    return "ended" if padded < today else "current"


def _near(end: Any, start: Any) -> bool:
    try:
        return (dt.date.fromisoformat(str(start)[:10]) - dt.date.fromisoformat(str(end)[:10])).days <= 90
    except ValueError:  # a partial or missing date: cannot tell a gap, so keep the run
        return True


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _district(value: Any) -> int | None:
    text = _clean(value)
    return int(text) if text.lstrip("-").isdigit() else None


def _full(*parts: Any) -> str:
    return " ".join(p for p in (_clean(x) for x in parts) if p)


def _clean(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
