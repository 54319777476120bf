"""The UN Security Council consolidated sanctions list (``consolidated.xml``, ``--format un-sc``).

One ``<INDIVIDUAL>`` becomes a ``Person`` and one ``<ENTITY>`` an ``Organization``, with the id
``unsc-<DATAID>`` (DATAID is the UN's own stable key, so re-ingesting a newer list updates the same
entities). Each listing also becomes a ``Sanction`` (``unsc-<DATAID>-sanction``) carrying the regime
(``UN_LIST_TYPE``), the reference number (``unscId``), the listing date and the narrative
(``COMMENTS1``); every listed entity gets the topic ``sanction``. Documents become ``Passport`` or
``Identification`` entities *and* ``passportNumber``/``idNumber`` on the person, so that screening
finds the number without a join.

Choices made where the list is ambiguous:

- **Names.** ``FIRST_NAME`` … ``FOURTH_NAME`` joined with spaces is the ``name``;
  ``NAME_ORIGINAL_SCRIPT`` (Arabic, Chinese, Cyrillic …) is a second ``name``, since it is the same
  name, not an alias. Name parts are only given where their meaning is clear: on the DPRK list a
  two-part name is written family-name first (``KIM`` / ``CHOL SAM``), so FIRST is ``lastName`` and
  SECOND ``firstName``; elsewhere FIRST is ``firstName`` and SECOND ``secondName`` (often a father's
  name in Arabic naming, but not reliably), and THIRD/FOURTH stay in the full name only.
- **Aliases.** The list uses QUALITY ``Good``/``Low`` for individuals and ``a.k.a.``/``f.k.a.`` for
  entities. ``Good`` and ``a.k.a.`` → ``alias``; ``Low`` → ``weakAlias`` (the UN's own warning
  that the alias is too vague to screen on alone); ``f.k.a.`` → ``previousName`` (a former name
  is not a low-quality one). An unknown quality is kept as an ``alias``. A birth date or place
  given on an alias (it appears in a false passport, say) is added to the person's own.
- **Birth dates.** ``DATE`` is kept as a date and ``YEAR`` as a year, whatever ``TYPE_OF_DATE``
  says (EXACT, APPROXIMATELY, or blank); ``BETWEEN`` with ``FROM_YEAR``/``TO_YEAR`` adds *every
  year of the range* when it spans at most ten years (so a screening query with any of those
  years matches), and only the two bounds when it is wider.
- **Nationality.** Values go through the country type (``Yemeni`` and ``Iran (Islamic Republic
  of)`` clean to ISO codes); a parenthesised remark is dropped before cleaning (``Indonesia (as
  at Dec. 2003)``), and a value that still does not clean is kept as a ``Nationality: …`` note.

The file is streamed with ``xml.etree.ElementTree.XMLPullParser`` (the push form of ``iterparse``)
fed one line at a time: that keeps memory flat and tells us the line each record starts on, which
``iterparse`` cannot. Malformed XML stops the ingest with the file, line and column of the error;
a record without DATAID or without any name is a record error (``--skip-invalid`` drops it alone).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney.statement import StatementEntity
from followthemoney.types import registry

from pepgraph.errors import SourceError
from pepgraph.sources.base import RecordScope, SourceContext

FORMAT = "un-sc"
AUTHORITY = "United Nations Security Council"
ROOT = "CONSOLIDATED_LIST"
RECORDS = {"INDIVIDUAL": ("INDIVIDUALS", "Person"), "ENTITY": ("ENTITIES", "Organization")}
#: BETWEEN ranges up to this many years are expanded into every year.
MAX_YEAR_SPAN = 10
#: Alias QUALITY (casefolded) -> property. Anything else is an ``alias``.
ALIAS_QUALITY = {"good": "alias", "a.k.a.": "alias", "low": "weakAlias", "f.k.a.": "previousName"}
#: The XSD's default for absent name parts; never a real value.
PLACEHOLDERS = {"na", "n/a"}
_PARSE_POS = re.compile(r":?\s*line \d+, column \d+$")


def sniff(path: Path, head: str) -> bool:
    """The UN list is XML whose root is ``<CONSOLIDATED_LIST``."""
    return f"<{ROOT}" in head


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    """Stream the list, one Person/Organization (+ Sanction, documents) per record."""
    _check_not_empty(ctx)
    stack: list[ET.Element] = []
    record_line: int | None = None
    seen = 0
    lines: dict[str, int] = {}  # DATAID -> line: a second record under one DATAID would merge two targets
    for event, elem, line in _events(ctx):
        tag = _local(elem.tag)
        if event == "start":
            if not stack and tag != ROOT:
                raise ctx.error(f"not a UN Security Council list: the root element is <{tag}>, not <{ROOT}>", line=line)
            if tag in RECORDS and stack and _local(stack[-1].tag) == RECORDS[tag][0]:
                record_line = line
            stack.append(elem)
            continue
        stack.pop()
        if tag not in RECORDS or not stack or _local(stack[-1].tag) != RECORDS[tag][0]:
            continue
        seen += 1
        dataid = _text(elem, "DATAID")
        with ctx.record(line=record_line, record=dataid) as rec:
            if dataid and dataid in lines:
                raise ctx.error(f"DATAID {dataid} is already used on line {lines[dataid]}")
            _read_record(ctx, rec, elem, tag, dataid)
            lines[dataid or ""] = record_line or 0
        yield from rec.entities
        stack[-1].remove(elem)  # keep memory flat: the parsed record is no longer needed
    if seen == 0:
        raise SourceError("no records: the list holds no <INDIVIDUAL> or <ENTITY>", path=ctx.path)


# -- parsing ---------------------------------------------------------------------------------------
def _check_not_empty(ctx: SourceContext) -> None:
    with open(ctx.path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip() and len(head) < 4096:  # only whitespace, and nothing after it
        raise SourceError("no records: the file is empty", path=ctx.path)


def _events(ctx: SourceContext) -> Iterator[tuple[str, ET.Element, int]]:
    """(event, element, line) for start/end events; a ParseError becomes a SourceError."""
    parser: Any = ET.XMLPullParser(events=("start", "end"))
    line = 1
    try:
        with open(ctx.path, "rb") as fh:
            # readline with a cap: a whole list on one line must not be read into memory at once
            for chunk in iter(lambda: fh.readline(1 << 20), b""):
                parser.feed(chunk)
                for event, elem in parser.read_events():
                    yield event, elem, line
                line += chunk.count(b"\n")
        parser.close()
        for event, elem in parser.read_events():
            yield event, elem, line
    except ET.ParseError as exc:
        err_line, column = getattr(exc, "position", (line, 0))
        message = _PARSE_POS.sub("", str(exc))
        raise SourceError(f"malformed XML: {message} (column {column + 1})", path=ctx.path, line=err_line) from None


def _read_record(ctx: SourceContext, rec: RecordScope, node: ET.Element, tag: str, dataid: str | None) -> None:
    if not dataid:
        raise ctx.error(f"<{tag}> without a DATAID")
    schema = RECORDS[tag][1]
    entity = ctx.make(schema, f"unsc-{dataid}")
    parts = [_text(node, f"{p}_NAME") for p in ("FIRST", "SECOND", "THIRD", "FOURTH")]
    full = " ".join(p for p in parts if p)
    original = _text(node, "NAME_ORIGINAL_SCRIPT")
    if not full and not original:
        raise ctx.error(f"<{tag}> {dataid} has no name")
    ctx.add(entity, "name", full or original)
    if full and original:
        ctx.add(entity, "name", original)
    list_type = _text(node, "UN_LIST_TYPE")
    if schema == "Person":
        _name_parts(ctx, entity, parts, list_type)
        _person(ctx, rec, entity, node, dataid)
    else:
        for alias in node.iterfind("ENTITY_ALIAS"):
            _alias(ctx, entity, alias)
        for addr in node.iterfind("ENTITY_ADDRESS"):
            _address(ctx, entity, addr)
    ctx.add(entity, "topics", "sanction")
    comments = _text(node, "COMMENTS1")
    ctx.add(entity, "notes", comments)
    rec.emit(entity)

    sanction = ctx.make("Sanction", f"unsc-{dataid}-sanction")
    ctx.add(sanction, "entity", entity.id)
    ctx.add(sanction, "authority", AUTHORITY)
    ctx.add(sanction, "country", "zz")  # zz = global, followthemoney's code for international bodies
    ctx.add(sanction, "program", list_type)
    ctx.add(sanction, "unscId", _text(node, "REFERENCE_NUMBER"))
    ctx.add(sanction, "listingDate", _text(node, "LISTED_ON"))
    ctx.add(sanction, "endDate", _text(node, "DELISTED_ON"))
    ctx.add(sanction, "modifiedAt", _values(node, "LAST_DAY_UPDATED/VALUE"))
    ctx.add(sanction, "reason", comments)
    rec.emit(sanction)


def _name_parts(ctx: SourceContext, entity: StatementEntity, parts: list[str | None], list_type: str | None) -> None:
    first, second, third, fourth = parts
    if list_type == "DPRK" and first and second and not third and not fourth:
        ctx.add(entity, "lastName", first)  # Korean order: family name first
        ctx.add(entity, "firstName", second)
        return
    ctx.add(entity, "firstName", first)
    ctx.add(entity, "secondName", second)


def _person(ctx: SourceContext, rec: RecordScope, person: StatementEntity, node: ET.Element, dataid: str) -> None:
    for alias in node.iterfind("INDIVIDUAL_ALIAS"):
        _alias(ctx, person, alias)
        ctx.add(person, "birthDate", _text(alias, "DATE_OF_BIRTH"))
        place = _join(_text(alias, "CITY_OF_BIRTH"), _text(alias, "COUNTRY_OF_BIRTH"))
        ctx.add(person, "birthPlace", place)
    ctx.add(person, "title", _values(node, "TITLE/VALUE"))
    ctx.add(person, "position", _values(node, "DESIGNATION/VALUE"))
    gender = _text(node, "GENDER")
    if gender and registry.gender.clean(gender.lower()):
        ctx.add(person, "gender", gender.lower())
    for nationality in _values(node, "NATIONALITY/VALUE") + _values(node, "NATIONALITY2"):
        _country(ctx, person, "nationality", nationality, "Nationality")
    for dob in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        ctx.add(person, "birthDate", _birth_dates(dob))
    for pob in node.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        country = _text(pob, "COUNTRY")
        ctx.add(person, "birthPlace", _join(_text(pob, "CITY"), _text(pob, "STATE_PROVINCE"), country))
        if country and registry.country.clean(country, fuzzy=True):
            ctx.add(person, "birthCountry", country, fuzzy=True)
    for addr in node.iterfind("INDIVIDUAL_ADDRESS"):
        _address(ctx, person, addr)
    for node_doc in node.iterfind("INDIVIDUAL_DOCUMENT"):
        doc = _document(ctx, person, node_doc, dataid)
        if doc is not None:
            rec.emit(doc)


def _alias(ctx: SourceContext, entity: StatementEntity, node: ET.Element) -> None:
    name = _text(node, "ALIAS_NAME")
    if name:
        prop = ALIAS_QUALITY.get((_text(node, "QUALITY") or "").casefold(), "alias")
        ctx.add(entity, prop, name)


def _birth_dates(node: ET.Element) -> list[str]:
    """DATE, or YEAR, or every year FROM_YEAR..TO_YEAR (only the bounds past MAX_YEAR_SPAN)."""
    date = _text(node, "DATE")
    if date:
        return [date]
    year = _text(node, "YEAR")
    if year:
        return [year]
    start, end = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
    if start and end and start.isdigit() and end.isdigit():
        low, high = sorted((int(start), int(end)))
        if high - low <= MAX_YEAR_SPAN:
            return [str(y) for y in range(low, high + 1)]
        return [str(low), str(high)]
    return [v for v in (start, end) if v]


def _address(ctx: SourceContext, entity: StatementEntity, node: ET.Element) -> None:
    country = _text(node, "COUNTRY")
    street = [_text(node, k) for k in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
    if any(street):
        ctx.add(entity, "address", _join(*street, country))
    if country:
        _country(ctx, entity, "country", country, "Country")


def _document(
    ctx: SourceContext, person: StatementEntity, node: ET.Element, dataid: str
) -> StatementEntity | None:
    number = _text(node, "NUMBER")
    if not number:
        return None
    kinds = [k for k in (_text(node, "TYPE_OF_DOCUMENT"), _text(node, "TYPE_OF_DOCUMENT2")) if k]
    is_passport = any(re.search(r"pass|pasaporte", k, re.IGNORECASE) for k in kinds)
    ctx.add(person, "passportNumber" if is_passport else "idNumber", number)
    # the id hangs on the content, not the position, so a document added in front changes no id
    doc_id = ctx.make_id(number, *kinds, prefix=f"unsc-{dataid}-doc")
    doc = ctx.make("Passport" if is_passport else "Identification", doc_id)
    ctx.add(doc, "holder", person.id)
    ctx.add(doc, "number", number)
    ctx.add(doc, "type", kinds)
    for country in (_text(node, "ISSUING_COUNTRY"), _text(node, "COUNTRY_OF_ISSUE")):
        if country and registry.country.clean(_unbracket(country), fuzzy=True):
            ctx.add(doc, "country", _unbracket(country), fuzzy=True)
    ctx.add(doc, "startDate", _text(node, "DATE_OF_ISSUE"))
    ctx.add(doc, "authority", _text(node, "CITY_OF_ISSUE"))
    ctx.add(doc, "summary", _text(node, "NOTE"))
    return doc


def _country(ctx: SourceContext, entity: StatementEntity, prop: str, value: str, label: str) -> None:
    """Add a country if it cleans (with any bracketed remark removed), else keep it as a note."""
    for candidate in (value, _unbracket(value)):
        if candidate and registry.country.clean(candidate, fuzzy=True):
            ctx.add(entity, prop, candidate, fuzzy=True, original_value=value)
            return
    ctx.add(entity, "notes", f"{label}: {value}")


# -- small helpers ---------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return None if not text or text.casefold() in PLACEHOLDERS else text


def _text(node: ET.Element, path: str) -> str | None:
    return _clean(node.findtext(path))


def _values(node: ET.Element, path: str) -> list[str]:
    return [v for v in (_clean(e.text) for e in node.iterfind(path)) if v]


def _join(*parts: str | None) -> str | None:
    return ", ".join(p for p in parts if p) or None


def _unbracket(value: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", value).strip()
