"""Wikidata entity JSON: the ``wbgetentities`` API answer and the dump's one-entity-per-line form.

Wikidata is where most of the world's office-holders and their families are recorded with dates
and in many scripts, so it is the richest PEP and RCA source there is. Only humans (``P31 = Q5``)
become ``Person`` records; other items in the input (positions, countries) are read for their
labels and countries so that a ``P39`` claim can name its ``Position``. What is read:

- labels and aliases in every language (the English label is the ``name``; the rest are
  ``alias`` values with their language), the English description;
- ``P569`` birth and ``P570`` death dates (at the precision Wikidata states: year, month or day),
  ``P21`` gender, ``P27`` citizenship (country items mapped to codes through rigour's territories);
- ``P39`` position held, with ``P580`` start and ``P582`` end qualifiers, as ``Position`` +
  ``Occupancy``;
- family: ``P26`` spouse, ``P40`` child, ``P22`` father, ``P25`` mother, ``P3373`` sibling,
  ``P1038`` relative (with its ``P1039`` kinship qualifier when given), as ``Family`` links where
  ``relationship`` says what the ``relative`` is to the ``person``.

A relative who is not in the input as a full entity becomes a small ``Person`` (its QID and its
label, when some file in the input gives one), so the family graph stays connected; one with no
label anywhere is left out, since a person without a name is of no use to a screen.

Inputs: a ``wbgetentities`` response (``{"entities": {...}}``), a dump (``[`` on the first line,
one entity per line with a trailing comma, ``]`` last), or plain JSON lines of entities. Labels of
items referenced but not described in a file are looked up in the other Wikidata files of the same
folder (the API is usually asked for one entity per call), so ingest the folder as one dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from followthemoney import registry
from followthemoney.statement import StatementEntity
from rigour.territories import get_territory_by_qid

from pepgraph.sources.base import SourceContext, read_text_head

FORMAT = "wikidata"
PREFIX = "wd"

HUMAN = "Q5"
GENDERS = {"Q6581097": "male", "Q6581072": "female", "Q2449503": "male", "Q1052281": "female"}
#: property -> what the object is to the subject (FtM Family.relationship, "relative as seen from
#: person")
FAMILY = {"P26": "spouse", "P40": "child", "P22": "father", "P25": "mother", "P3373": "sibling",
          "P1038": "relative", "P451": "partner"}  # fmt: skip
_PRECISION = {9: 4, 10: 7, 11: 10}  # Wikidata time precision -> characters of an ISO date


def sniff(path: Path, head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n[")
    first = text[:4096]
    if text.startswith('{"entities"') or (text.startswith("{") and '"entities"' in first[:200]):
        return '"type"' in first and ('"item"' in first or '"labels"' in first)
    return text.startswith("{") and '"type":"item"' in first.replace(" ", "") and '"claims"' in text


def ignore(path: Path) -> bool:
    return path.suffix.lower() not in (".json", ".jsonl", ".ndjson") or not sniff(path, read_text_head(path))


# -- reading ---------------------------------------------------------------------------------------
@dataclass
class _Item:
    label: str | None
    country: str | None


@dataclass
class _Labels:
    """Labels (and countries) of items, from the folder's other files and the file itself."""

    items: dict[str, _Item] = field(default_factory=dict)

    def label(self, qid: str) -> str | None:
        item = self.items.get(qid)
        return item.label if item else None

    def country(self, qid: str) -> str | None:
        item = self.items.get(qid)
        return item.country if item else None


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    folder = _folder_labels(ctx.path.parent.resolve(), _folder_stamp(ctx.path.parent))
    labels = _Labels(dict(folder.items))
    if not _is_api_answer(ctx.path):
        # a dump or JSON lines: its own items name the positions and relatives its humans cite
        for _, entity in _entities(ctx):
            if isinstance(entity.get("id"), str):
                _remember(labels, entity["id"], entity)
    for line, entity in _entities(ctx):
        qid = entity.get("id")
        with ctx.record(line=line, record=qid if isinstance(qid, str) else None) as rec:
            if not isinstance(qid, str):
                raise ctx.error("a Wikidata entity without an 'id'")
            if _is_human(entity):
                rec.emit(*_person(ctx, entity, labels))
        yield from rec.entities


def _is_api_answer(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(256).lstrip()
    return head.startswith(b"{") and b'"entities"' in head[:64]


def _entities(ctx: SourceContext) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """(line, entity) for every entity in the file, whatever its layout."""
    if _is_api_answer(ctx.path):
        data = _load(ctx, ctx.path.read_bytes(), None)
        entities = data.get("entities")
        if not isinstance(entities, dict):
            raise ctx.error("'entities' is not an object of QID -> entity")
        for qid, entity in entities.items():
            if isinstance(entity, dict) and "missing" in entity:
                continue  # the API's answer for an id that does not exist
            yield None, entity if isinstance(entity, dict) else {"id": qid}
        return
    with open(ctx.path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            text = raw.strip().rstrip(b",")
            if text in (b"", b"[", b"]"):
                continue
            yield lineno, _load(ctx, text, lineno)


def _load(ctx: SourceContext, raw: bytes, line: int | None) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ctx.error(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", line=line)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ctx.error(f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", line=line)
    if not isinstance(data, dict):
        raise ctx.error("expected a JSON object", line=line)
    return data


def _folder_stamp(folder: Path) -> tuple[int, float]:
    files = list(folder.glob("*.json"))
    return len(files), max((f.stat().st_mtime for f in files), default=0.0)


@lru_cache(maxsize=8)
def _folder_labels(folder: Path, stamp: tuple[int, float]) -> _Labels:
    """Labels of every item described in the folder's Wikidata API files (small files only: a
    dump is read for its own humans, and its positions keep their QIDs as names if unlabelled)."""
    labels = _Labels()
    for path in sorted(folder.glob("*.json")):
        if path.stat().st_size > 20_000_000:
            continue
        try:
            data = json.loads(path.read_bytes())
        except (ValueError, OSError):
            continue  # not ours, or broken: the file's own read reports it
        entities = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(entities, dict):
            continue
        for qid, entity in entities.items():
            if isinstance(entity, dict):
                _remember(labels, qid, entity)
    return labels


def _remember(labels: _Labels, qid: str, entity: dict[str, Any]) -> None:
    label = _best_label(entity)
    country = None
    for prop in ("P17", "P1001"):
        for target in _targets(entity, prop):
            country = country or _country(target)
    known = labels.items.get(qid)
    labels.items[qid] = _Item(label or (known.label if known else None), country or (known.country if known else None))


# -- one human -------------------------------------------------------------------------------------
def _person(ctx: SourceContext, entity: dict[str, Any], labels: _Labels) -> list[StatementEntity]:
    qid = entity["id"]
    person = ctx.make("Person", _id(qid))
    ctx.add(person, "wikidataId", qid)
    ctx.add(person, "sourceUrl", f"https://www.wikidata.org/wiki/{qid}")
    names = _names(entity)
    if not names:
        raise ctx.error(f"{qid} has no label in any language")
    primary = _best_label(entity)
    ctx.add(person, "name", primary)
    for lang, value in names:
        if value != primary:
            ctx.add(person, "alias", value, lang=_lang(lang))
    desc = (entity.get("descriptions") or {}).get("en")
    if isinstance(desc, dict):
        ctx.add(person, "description", desc.get("value"))
    for value in _times(entity, "P569"):
        ctx.add(person, "birthDate", value)
    for value in _times(entity, "P570"):
        ctx.add(person, "deathDate", value)
    for target in _targets(entity, "P21"):
        ctx.add(person, "gender", GENDERS.get(target, "other"))
    for target in _targets(entity, "P27"):
        ctx.add(person, "citizenship", _country(target))
    out = [person]
    for claim in _claims(entity, "P39"):
        post = _target(claim)
        if post:
            out.extend(_occupancy(ctx, person, claim, post, labels))
    for prop, relationship in FAMILY.items():
        for claim in _claims(entity, prop):
            other = _target(claim)
            if not other or other == qid:
                continue
            if prop == "P1038":
                kinship = [labels.label(k) for k in _qualifier_targets(claim, "P1039")]
                relationship = next((k for k in kinship if k), "relative")
            link = _family(ctx, person, other, relationship, labels)
            out.extend(link)
    return out


def _occupancy(ctx: SourceContext, person: StatementEntity, claim: dict[str, Any], post: str,
               labels: _Labels) -> list[StatementEntity]:  # fmt: skip
    position = ctx.make("Position", _id(post))
    ctx.add(position, "name", labels.label(post) or post)
    ctx.add(position, "wikidataId", post)
    ctx.add(position, "country", labels.country(post))
    start = next(iter(_qualifier_times(claim, "P580")), None)
    end = next(iter(_qualifier_times(claim, "P582")), None)
    occ = ctx.make("Occupancy", ctx.make_id("occupancy", person.id, post, start, end, prefix=PREFIX))
    ctx.add(occ, "holder", person.id)
    ctx.add(occ, "post", position.id)
    ctx.add(occ, "startDate", start)
    ctx.add(occ, "endDate", end)
    if end:
        ctx.add(occ, "status", "ended" if _padded(end) < ctx.today else "current")
    elif start:
        ctx.add(occ, "status", "current")  # Wikidata states no end: the classifier judges staleness
    else:
        ctx.add(occ, "status", "unknown")
    return [position, occ]


def _family(ctx: SourceContext, person: StatementEntity, other: str, relationship: str,
            labels: _Labels) -> list[StatementEntity]:  # fmt: skip
    out: list[StatementEntity] = []
    label = labels.label(other)
    if label is None:
        return out  # a relative nobody names: nothing a screen could use
    relative = ctx.make("Person", _id(other))
    ctx.add(relative, "name", label)
    ctx.add(relative, "wikidataId", other)
    out.append(relative)
    family = ctx.make("Family", ctx.make_id("family", person.id, other, relationship, prefix=PREFIX))
    ctx.add(family, "person", person.id)
    ctx.add(family, "relative", relative.id)
    ctx.add(family, "relationship", relationship)
    out.append(family)
    return out


# -- claims ----------------------------------------------------------------------------------------
def _id(qid: str) -> str:
    return f"{PREFIX}-{qid}"


def _is_human(entity: dict[str, Any]) -> bool:
    return HUMAN in _targets(entity, "P31")


def _claims(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    claims = (entity.get("claims") or {}).get(prop) or []
    return [c for c in claims if isinstance(c, dict) and c.get("rank") != "deprecated"]


def _value(snak: dict[str, Any]) -> Any:
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    return (snak.get("datavalue") or {}).get("value")


def _target(claim: dict[str, Any]) -> str | None:
    value = _value(claim.get("mainsnak") or {})
    return value.get("id") if isinstance(value, dict) else None


def _targets(entity: dict[str, Any], prop: str) -> list[str]:
    return [t for t in (_target(c) for c in _claims(entity, prop)) if t]


def _time(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    text = value["time"].lstrip("+")
    if text.startswith("-"):
        return None  # before the common era: not a date anyone screens against
    size = _PRECISION.get(int(value.get("precision") or 11), None)
    if size is None:
        return None  # decades, centuries: too vague to be a date
    date = text[:size]
    return date if "-00" not in date else date.split("-00")[0]


def _times(entity: dict[str, Any], prop: str) -> list[str]:
    return [t for t in (_time(_value(c.get("mainsnak") or {})) for c in _claims(entity, prop)) if t]


def _qualifier_snaks(claim: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    return [q for q in ((claim.get("qualifiers") or {}).get(prop) or []) if isinstance(q, dict)]


def _qualifier_times(claim: dict[str, Any], prop: str) -> list[str]:
    return [t for t in (_time(_value(q)) for q in _qualifier_snaks(claim, prop)) if t]


def _qualifier_targets(claim: dict[str, Any], prop: str) -> list[str]:
    out = []
    for q in _qualifier_snaks(claim, prop):
        value = _value(q)
        if isinstance(value, dict) and value.get("id"):
            out.append(value["id"])
    return out


def _best_label(entity: dict[str, Any]) -> str | None:
    labels = entity.get("labels") or {}
    for lang in ("en", "mul"):
        if isinstance(labels.get(lang), dict) and labels[lang].get("value"):
            return labels[lang]["value"]
    for value in labels.values():
        if isinstance(value, dict) and value.get("value"):
            return value["value"]
    return None


def _names(entity: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for value in (entity.get("labels") or {}).values():
        if isinstance(value, dict) and value.get("value") and value["value"] not in seen:
            seen.add(value["value"])
            out.append((value.get("language", ""), value["value"]))
    for values in (entity.get("aliases") or {}).values():
        for value in values if isinstance(values, list) else []:
            if isinstance(value, dict) and value.get("value") and value["value"] not in seen:
                seen.add(value["value"])
                out.append((value.get("language", ""), value["value"]))
    return out


def _lang(code: str) -> str | None:
    return registry.language.clean(code.split("-")[0]) if code else None


def _country(qid: str) -> str | None:
    territory = get_territory_by_qid(qid)
    return territory.ftm_country if territory is not None else None


def _padded(date: str) -> str:
    return date + "-12-31"[len(date) - 4 :] if len(date) < 10 else date[:10]
