"""The US OFAC SDN list in OFAC's own headerless CSV layout (``sdn.csv``, ``--format ofac-sdn``).

``sdn.csv`` has twelve columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
Tonnage, GRT, Vess_flag, Vess_owner, Remarks; ``-0-`` means empty and a last row holding only
``\\x1a`` (the DOS end-of-file mark) is skipped. SDN_Type ``individual`` → ``Person``, empty →
``Organization``, ``vessel`` → ``Vessel``, ``aircraft`` → ``Airplane``; the id is ``ofac-<ent_num>``.
Every entry gets the topic ``sanction`` and one ``Sanction`` (``ofac-<ent_num>-sanction``) whose
``program`` holds each program (OFAC packs several as ``SDGT] [IFSR``).

OFAC writes people as ``LAST, First`` (``DELOS REYES, Feliciano, Jr.``): that form is kept as the
``name`` and the re-ordered ``First LAST`` form is added beside it, with ``lastName``/``firstName``
(and ``nameSuffix``), so that a query typed either way matches. Aliases of people get the same.

Companions are read when the given file is named ``sdn.csv`` and they stand in the same folder:
``alt.csv`` (aka → ``alias``, fka → ``previousName``, nka → ``alias``; alt.csv holds only
OFAC's *strong* aliases, see below), ``add.csv`` (the joined address
text → ``address``, the country → ``country``) and ``sdn_comments.csv`` (the overflow of long
Remarks, appended before parsing). ``ignore()`` keeps a folder walk from reading them on their own.

The Remarks field is kept whole as ``notes`` and the parts OFAC writes in fixed forms are parsed:
``DOB`` (``12 Jan 1960``, ``Jan 1960``, ``1960``, ``circa 1960``; a range ``A to B`` becomes every
year it covers when that is at most ten years, else its two bounds, as the UN reader does),
``POB`` → ``birthPlace``, ``nationality`` → ``nationality``, ``citizen`` → ``citizenship`` (the
more precise followthemoney property; both are country-typed), ``Passport`` / ``National ID No.``
→ ``passportNumber`` / ``idNumber``, ``Gender``, ``Website``, ``Email Address``, IMO/MMSI numbers
and aircraft model, serial and tail numbers. ``a.k.a. 'X'`` (and f.k.a./n.k.a.) → ``weakAlias``,
always: OFAC's FAQ 123 says that in its CSV formats the *weak* AKAs (nicknames, noms de guerre,
common acronyms) are written in the Remarks between quotes, and never in alt.csv (in the 2022
copy none of the 2,459 quoted names is in alt.csv), so they are not duplicates of alt.csv and
they are weak by OFAC's own marking.

Encoding: OFAC's files are ASCII in practice, but older copies are Windows-1252. Each file is read
as UTF-8 when it is valid UTF-8 *throughout*, and as cp1252 only otherwise (a warning is logged):
a file is never decoded half one way. A NUL byte (UTF-16, a binary file) is an error naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from followthemoney.statement import StatementEntity

from pepgraph.errors import SourceError
from pepgraph.sources.base import RecordScope, SourceContext

FORMAT = "ofac-sdn"
AUTHORITY = "US OFAC"
SDN_FIELDS = 12
COMPANIONS = {"alt.csv": 5, "add.csv": 6, "sdn_comments.csv": 2}
SCHEMAS = {"individual": "Person", "": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
ALT_TYPES = {"aka": "alias", "fka": "previousName", "nka": "alias"}
MAX_YEAR_SPAN = 10

_ID = r"(.+?)(?: \(([^)]*)\))?(?: issued .*?)?(?: expires .*)?"
#: (pattern of one Remarks segment, property its first group fills); ``alt.`` adds a second value.
REMARKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:alt\. )?POB (.+)"), "birthPlace"),
    (re.compile(r"(?:alt\. )?nationality (.+)"), "nationality"),
    (re.compile(r"(?:alt\. )?citizen (.+)"), "citizenship"),
    (re.compile(r"(?:alt\. )?Passport " + _ID), "passportNumber"),
    (re.compile(r"(?:alt\. )?National ID No\. " + _ID), "idNumber"),
    (re.compile(r"Gender (Male|Female)"), "gender"),
    (re.compile(r"(?:alt\. )?Website (\S+)"), "website"),
    (re.compile(r"(?:alt\. )?Email Address (\S+)"), "email"),
    (re.compile(r"Vessel Registration Identification IMO (\d+)"), "imoNumber"),
    (re.compile(r"MMSI (\d+)"), "mmsi"),
    (re.compile(r"Aircraft Model (.+)"), "model"),
    (re.compile(r"Aircraft Manufacturer's Serial Number \(MSN\) (.+)"), "serialNumber"),
    (re.compile(r"Aircraft Tail Number (.+)"), "registrationNumber"),
    (re.compile(r"(?:Aircraft Manufacture Date|Vessel Year of Build) (.+)"), "buildDate"),
]
_DOB = re.compile(r"(?:alt\. )?DOB (.+)")
_AKA = re.compile(r"([afn]\.k\.a\.) '(.+)'")


def sniff(path: Path, head: str) -> bool:
    """OFAC's layout: the first non-empty row has 12 fields and a numeric ent_num."""
    try:
        for row in csv.reader(io.StringIO(head)):
            if any(cell.strip() for cell in row):
                return len(row) == SDN_FIELDS and row[0].strip().isdigit()
    except csv.Error:
        return False
    return False


def ignore(path: Path) -> bool:
    """alt.csv/add.csv/sdn_comments.csv beside an sdn.csv are read through it, never alone."""
    return path.name.lower() in COMPANIONS and _sibling(path.parent, "sdn.csv") is not None


def companion_of(path: Path) -> Path | None:
    """The sdn.csv that an alt.csv/add.csv/sdn_comments.csv is read through, if one stands beside it."""
    if path.name.lower() not in COMPANIONS:
        return None
    return _sibling(path.parent, "sdn.csv")


def companions(path: Path) -> list[Path]:
    """The companion files read through this sdn.csv (they make part of its dataset version)."""
    if path.name.lower() != "sdn.csv":
        return []
    return [p for p in (_sibling(path.parent, name) for name in COMPANIONS) if p is not None]


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    companions = _read_companions(ctx) if ctx.path.name.lower() == "sdn.csv" else {}
    lines: dict[str, int] = {}  # ent_num -> line, to refuse a second entry under the same number
    rows = 0
    for line, row in _rows(ctx, ctx.path, SDN_FIELDS):
        rows += 1
        with ctx.record(line=line, record=row[0].strip() or None) as rec:
            _read_row(ctx, rec, row, companions, lines)
        yield from rec.entities
    if rows == 0:
        raise SourceError("no records: the file is empty or holds only blank lines", path=ctx.path)
    for name, by_ent in companions.items():
        orphans = sorted(set(by_ent) - set(lines))
        if orphans:
            ctx.warn(
                f"{len(orphans)} row(s) name an ent_num not in {ctx.path.name} (first: {orphans[0]})",
                path=ctx.path.parent / name,
            )


# -- reading ---------------------------------------------------------------------------------------
def _read_row(
    ctx: SourceContext,
    rec: RecordScope,
    row: list[str],
    companions: dict[str, dict[str, list[list[str]]]],
    lines: dict[str, int],
) -> None:
    if len(row) != SDN_FIELDS:
        raise ctx.error(f"expected {SDN_FIELDS} fields (OFAC sdn.csv layout), found {len(row)}")
    ent_num, name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag, owner, remarks = (
        _clean(v) for v in row
    )
    if not ent_num or not ent_num.isdigit():
        raise ctx.error(f"ent_num {row[0]!r} is not a number")
    if ent_num in lines:
        # OFAC never reuses a number; two entries under one id would merge two different targets
        raise ctx.error(f"ent_num {ent_num} is already used on line {lines[ent_num]}")
    lines[ent_num] = ctx.line or 0
    schema = SCHEMAS.get((sdn_type or "").lower())
    if schema is None:
        raise ctx.error(f"unknown SDN_Type {sdn_type!r}")
    if not name:
        raise ctx.error("no SDN_Name")
    extra = [c[1] for c in companions.get("sdn_comments.csv", {}).get(ent_num, [])]
    remarks = " ".join(t for t in [remarks, *extra] if t) or None

    entity = ctx.make(schema, f"ofac-{ent_num}")
    _add_name(ctx, entity, "name", name, parts=True)
    ctx.add(entity, "position" if schema == "Person" else "notes", title)
    ctx.add(entity, "callSign", call_sign, quiet=True)
    ctx.add(entity, "type", vess_type, quiet=True)
    ctx.add(entity, "tonnage", tonnage, quiet=True)
    ctx.add(entity, "grossRegisteredTonnage", grt, quiet=True)
    ctx.add(entity, "flag", flag, fuzzy=True, quiet=True)
    ctx.add(entity, "notes", f"Vessel owner: {owner}" if owner else None)
    ctx.add(entity, "notes", remarks)
    if remarks:
        _parse_remarks(ctx, entity, remarks)
    for _, _, alt_type, alt_name, _ in companions.get("alt.csv", {}).get(ent_num, []):
        _add_name(ctx, entity, ALT_TYPES.get((alt_type or "").lower(), "alias"), alt_name, origin=_origin(ctx, "alt.csv"))
    for _, _, street, city, country, _ in companions.get("add.csv", {}).get(ent_num, []):
        if street or city:
            ctx.add(entity, "address", ", ".join(p for p in (street, city, country) if p), origin=_origin(ctx, "add.csv"))
        ctx.add(entity, "country", country, fuzzy=True, origin=_origin(ctx, "add.csv"))
    ctx.add(entity, "topics", "sanction")
    rec.emit(entity)

    sanction = ctx.make("Sanction", f"ofac-{ent_num}-sanction")
    ctx.add(sanction, "entity", entity.id)
    ctx.add(sanction, "authority", AUTHORITY)
    ctx.add(sanction, "country", "us")
    ctx.add(sanction, "program", [p.strip(" []") for p in (program or "").split("] [")])
    rec.emit(sanction)


def _origin(ctx: SourceContext, companion: str) -> str:
    """Values from a companion file name that file as their origin, beside the sdn.csv's."""
    return str(Path(ctx.origin).parent / companion)


def _add_name(
    ctx: SourceContext, entity: StatementEntity, prop: str, name: str | None, parts: bool = False,
    origin: str | None = None,
) -> None:
    """The name as OFAC wrote it and, for people, ``First LAST [Suffix]`` (plus parts if asked)."""
    if not name:
        return
    ctx.add(entity, prop, name, origin=origin)
    if entity.schema.name != "Person" or "," not in name:
        return
    last, first, *rest = [p.strip() for p in name.split(",")]
    suffix = " ".join(p for p in rest if p)
    if not (last and first):
        return
    ctx.add(entity, prop, " ".join(p for p in (first, last, suffix) if p), origin=origin)
    if parts:
        ctx.add(entity, "lastName", last)
        ctx.add(entity, "firstName", first)
        ctx.add(entity, "nameSuffix", suffix or None)


def _parse_remarks(ctx: SourceContext, entity: StatementEntity, remarks: str) -> None:
    for segment in re.split(r";\s+", remarks):
        segment = segment.strip().rstrip(".").strip()
        if match := _DOB.fullmatch(segment):
            ctx.add(entity, "birthDate", _birth_dates(match.group(1)), quiet=True)
        elif match := _AKA.fullmatch(segment):
            _add_name(ctx, entity, "weakAlias", match.group(2))  # quoted = weak, OFAC FAQ 123
        else:
            for pattern, prop in REMARKS:
                if match := pattern.fullmatch(segment):
                    value = match.group(1).strip()
                    fuzzy = prop in ("nationality", "citizenship")
                    ctx.add(entity, prop, value.lower() if prop == "gender" else value, fuzzy=fuzzy, quiet=True)
                    break


def _birth_dates(text: str) -> list[str]:
    """``12 Jan 1960`` / ``Jan 1960`` / ``1960`` / ``circa 1960`` / ``A to B`` / ``circa 1960-1965``."""
    text = text.strip().rstrip(".")
    text = re.sub(r"^circa\s+", "", text)
    bounds = re.split(r"\s+to\s+|(?<=\d{4})-(?=\d{4}$)", text)
    dates = [d for d in (_date(b) for b in bounds) if d]
    if len(bounds) == 2 and len(dates) == 2:
        low, high = sorted(int(d[:4]) for d in dates)
        if high - low <= MAX_YEAR_SPAN:
            return [str(y) for y in range(low, high + 1)]
    return dates


def _date(text: str) -> str | None:
    for fmt, out in (("%d %b %Y", "%Y-%m-%d"), ("%b %Y", "%Y-%m"), ("%Y", "%Y")):
        try:
            return datetime.strptime(text.strip(), fmt).strftime(out)
        except ValueError:
            continue
    return None


# -- files -----------------------------------------------------------------------------------------
def _read_companions(ctx: SourceContext) -> dict[str, dict[str, list[list[str]]]]:
    """ent_num -> cleaned rows of each companion beside sdn.csv; a bad row is a record error."""
    found: dict[str, dict[str, list[list[str]]]] = {}
    for name, width in COMPANIONS.items():
        path = _sibling(ctx.path.parent, name)
        if path is None:
            continue
        by_ent: dict[str, list[list[str]]] = defaultdict(list)
        for line, row in _rows(ctx, path, width):
            ent_num = row[0].strip()
            with ctx.record(line=line, record=ent_num or None):
                if len(row) != width:
                    raise SourceError(f"expected {width} fields (OFAC {name} layout), found {len(row)}", path, line)
                if not ent_num.isdigit():
                    raise SourceError(f"ent_num {row[0]!r} is not a number", path, line)
                by_ent[ent_num].append([_clean(v) for v in row])  # type: ignore[misc]
        found[name] = by_ent
    return found


def _rows(ctx: SourceContext, path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """(first line, row) for each non-empty row; the EOF mark and blank lines are skipped."""
    encoding = _encoding(ctx, path)
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        line = 1
        try:
            for row in reader:
                if any(cell.strip(" \x1a\t") for cell in row):
                    if row and row[-1].endswith("\x1a"):
                        row[-1] = row[-1].rstrip("\x1a")
                    yield line, row
                line = reader.line_num + 1
        except csv.Error as exc:
            raise SourceError(f"malformed CSV: {exc}", path=path, line=reader.line_num or line) from None


def _encoding(ctx: SourceContext, path: Path) -> str:
    """``utf-8-sig`` if the whole file is valid UTF-8, else ``cp1252`` (which must then decode)."""
    for encoding in ("utf-8", "cp1252"):
        with open(path, "rb") as fh:
            for line, raw in enumerate(fh, 1):
                if b"\x00" in raw:
                    raise SourceError("NUL byte: not a text CSV (UTF-16 or binary?)", path=path, line=line)
                try:
                    raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    if encoding == "utf-8":
                        ctx.warn("not valid UTF-8, reading the file as cp1252", path=path, line=line)
                        break
                    raise SourceError(
                        f"neither UTF-8 nor cp1252 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                        path=path,
                        line=line,
                    ) from None
            else:
                return "utf-8-sig" if encoding == "utf-8" else encoding
    raise AssertionError("unreachable")  # pragma: no cover


def _sibling(folder: Path, name: str) -> Path | None:
    """``folder/name``, matched case-insensitively (OFAC has shipped SDN.CSV too)."""
    exact = folder / name
    if exact.is_file():
        return exact
    try:
        return next((p for p in folder.iterdir() if p.name.lower() == name and p.is_file()), None)
    except OSError:
        return None


def _clean(value: str | None) -> str | None:
    """Strip; OFAC's ``-0-`` placeholder and blanks become None."""
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "-0-") else value
