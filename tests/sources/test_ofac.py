"""The OFAC SDN reader: hand-written fixtures in OFAC's CSV layout, then the real 2024 and 2022 copies."""

from __future__ import annotations

from collections import Counter

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources import ofac
from pepgraph.sources.base import read_text_head
from tests.conftest import FIXTURES, by_schema, read_source, shared

FIX = FIXTURES / "ofac"


@pytest.fixture(scope="module")
def basic():
    entities, _ = read_source("ofac-sdn", FIX / "basic" / "sdn.csv")
    return {e.id: e for e in entities}


@pytest.fixture(scope="module")
def companions():
    entities, _ = read_source("ofac-sdn", FIX / "with_companions" / "sdn.csv")
    return {e.id: e for e in entities}


def test_sniff_and_ignore():
    for folder in ("basic", "with_companions"):
        path = FIX / folder / "sdn.csv"
        assert ofac.sniff(path, read_text_head(path))
    alt = FIX / "with_companions" / "alt.csv"
    assert not ofac.sniff(alt, read_text_head(alt))  # 5 fields
    assert not ofac.sniff(FIX / "x.csv", "name,birth_date\nJohn,1960\n")
    assert ofac.ignore(FIX / "with_companions" / "alt.csv")
    assert ofac.ignore(FIX / "with_companions" / "add.csv")
    assert ofac.ignore(FIX / "with_companions" / "sdn_comments.csv")
    assert not ofac.ignore(FIX / "with_companions" / "sdn.csv")
    assert not ofac.ignore(FIX / "elsewhere" / "alt.csv")  # no sdn.csv beside it


def test_schemas_and_eof_mark(basic):
    counts = Counter(e.schema.name for e in basic.values())
    # 8 rows; the trailing \x1a row is OFAC's end-of-file mark, not a record
    assert counts == {"Person": 5, "Organization": 1, "Vessel": 1, "Airplane": 1, "Sanction": 8}


def test_person_names_both_orders(basic):
    person = basic["ofac-9001"]
    assert set(person.get("name")) == {"DOE, John Alexander", "John Alexander DOE"}
    assert person.get("lastName") == ["DOE"]
    assert person.get("firstName") == ["John Alexander"]
    junior = basic["ofac-9002"]
    assert set(junior.get("name")) == {"DELOS SANTOS, Maria Clara, Jr.", "Maria Clara DELOS SANTOS Jr."}
    assert junior.get("nameSuffix") == ["Jr."]


def test_remarks_parsing(basic):
    person = basic["ofac-9001"]
    assert set(person.get("birthDate")) == {"1960-01-12", "1961"}
    assert person.get("birthPlace") == ["Springfield, Invented Province, Syria"]
    assert set(person.get("nationality")) == {"sy", "kp"}  # "Korea, North" has a comma
    assert person.get("citizenship") == ["tr"]
    assert set(person.get("passportNumber")) == {"A1234567", "99X88"}
    assert person.get("idNumber") == ["123-456"]
    assert person.get("gender") == ["male"]
    assert person.get("weakAlias") == ["THE ACCOUNTANT"]  # quoted in Remarks = weak (OFAC FAQ 123)
    assert person.get("alias") == []
    assert person.get("position") == ["Chief Financier of INVENTED FRONT"]
    assert person.get("notes")[0].startswith("DOB 12 Jan 1960; alt. DOB 1961;")  # Remarks kept whole
    assert person.get("topics") == ["sanction"]


@pytest.mark.parametrize(
    "ent_num, dates",
    [
        ("9002", {"1955"}),  # DOB circa 1955
        ("9003", {"1960", "1961", "1962", "1958-02"}),  # 01 Jan 1960 to 31 Dec 1962; alt. Feb 1958
        ("9004", {"1940", "1960", "1970", "1971", "1972"}),  # 1940 to 1960 (too wide: bounds); circa 1970-1972
    ],
)
def test_birth_date_forms(basic, ent_num, dates):
    assert set(basic[f"ofac-{ent_num}"].get("birthDate")) == dates


def test_organization_vessel_aircraft(basic):
    org = basic["ofac-9005"]
    assert org.schema.name == "Organization"
    assert set(org.get("weakAlias")) == {"ITL", "OLD INVENTED TRADING"}
    assert org.get("email") == ["info@invented-trading.example"]
    vessel = basic["ofac-9006"]
    assert vessel.get("imoNumber") == ["1234567"]
    assert vessel.get("mmsi") == ["572469210"]
    assert vessel.get("callSign") == ["ABC123"]
    assert vessel.get("type") == ["Tug"]
    assert vessel.get("flag") == ["cu"]
    assert vessel.get("grossRegisteredTonnage") == ["212"]
    assert vessel.get("buildDate") == ["1999"]
    assert "Vessel owner: Invented Shipping S.A." in vessel.get("notes")
    plane = basic["ofac-9007"]
    assert plane.get("model") == ["IL76-TD"]
    assert plane.get("serialNumber") == ["1023409321"]
    assert plane.get("registrationNumber") == ["EP-XYZ"]


def test_sanction(basic):
    sanction = basic["ofac-9001-sanction"]
    assert sanction.get("entity") == ["ofac-9001"]
    assert sanction.get("authority") == ["US OFAC"]
    assert set(sanction.get("program")) == {"SDGT", "IFSR"}  # OFAC packs them as "SDGT] [IFSR"


def test_companions(companions):
    jane = companions["ofac-9101"]
    assert set(jane.get("alias")) == {"DOE, Janet", "Janet DOE"}
    assert set(jane.get("previousName")) == {"ROE, Jane", "Jane ROE"}  # fka
    assert jane.get("weakAlias") == ["JD"]  # still read from Remarks: alt.csv never holds weak AKAs
    assert jane.get("address") == ["12 Invented Street, Damascus, Syria"]
    assert jane.get("country") == ["sy"]
    bank = companions["ofac-9102"]
    assert set(bank.get("alias")) == {"NATIONAL INVENTED BANK", "INVENTED BANK HOLDING"}  # aka, nka
    assert bank.get("address") == ["Invented Avenue 8, Madrid E-28036, Spain"]  # a country alone is no address
    assert set(bank.get("country")) == {"cu", "es"}
    smith = companions["ofac-9103"]  # Remarks only in sdn_comments.csv
    assert smith.get("birthPlace") == ["Bogota, Colombia"]
    assert smith.get("gender") == ["male"]
    assert not any("ORPHAN" in n for e in companions.values() for n in e.get("alias", quiet=True))


def test_cp1252_fallback():
    entities, _ = read_source("ofac-sdn", FIX / "cp1252" / "sdn.csv")
    person = entities[0]
    assert set(person.get("name")) == {"JOSÉ, André", "André JOSÉ"}
    assert person.get("birthPlace") == ["Medellín, Colombia"]


# -- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "folder, where, message",
    [
        ("utf16", "utf16/sdn.csv:1", "NUL byte: not a text CSV (UTF-16 or binary?)"),
        ("undecodable", "undecodable/sdn.csv:2", "neither UTF-8 nor cp1252 (byte 0x81 at column 10)"),
        ("bad_rows", "bad_rows/sdn.csv:2 (record 9502)", "expected 12 fields (OFAC sdn.csv layout), found 6"),
        ("bad_companion", "bad_companion/alt.csv:2 (record 9601)", "expected 5 fields (OFAC alt.csv layout), found 3"),
        ("empty", "empty/sdn.csv", "no records"),
        ("blank_lines", "blank_lines/sdn.csv", "no records"),
    ],
)
def test_bad_files_name_file_and_line(folder, where, message):
    with pytest.raises(SourceError) as err:
        read_source("ofac-sdn", FIX / folder / "sdn.csv")
    text = str(err.value)
    assert text.startswith(str(FIX / where) + ":"), text
    assert message in text


def test_skip_invalid_keeps_good_rows():
    entities, ctx = read_source("ofac-sdn", FIX / "bad_rows" / "sdn.csv", skip_invalid=True)
    assert sorted(e.id for e in entities) == ["ofac-9501", "ofac-9501-sanction", "ofac-9505", "ofac-9505-sanction"]
    assert [(r.line, r.message) for r in ctx.rejected] == [
        (2, "expected 12 fields (OFAC sdn.csv layout), found 6"),
        (3, "ent_num 'X9503' is not a number"),
        (4, "unknown SDN_Type 'spaceship'"),
        (6, "ent_num 9501 is already used on line 1"),
    ]


def test_skip_invalid_companion_row():
    entities, ctx = read_source("ofac-sdn", FIX / "bad_companion" / "sdn.csv", skip_invalid=True)
    person = next(e for e in entities if e.id == "ofac-9601")
    assert set(person.get("alias")) == {"GOOD, Gale", "Gale GOOD"}
    assert [(r.path.endswith("alt.csv"), r.line) for r in ctx.rejected] == [(True, 2)]


# -- the real lists -----------------------------------------------------------------------------------
def test_real_2024_sdn():
    path = shared("ofac-sdn", "2024-05-03", "sdn.csv")
    entities, ctx = read_source("ofac-sdn", path)
    counts = Counter(e.schema.name for e in entities)
    # 14,966 lines = 14,965 entries + the \x1a end-of-file mark
    assert counts == {
        "Person": 6854, "Organization": 6884, "Vessel": 851, "Airplane": 376, "Sanction": 14965
    }
    assert not ctx.rejected
    people = by_schema(entities, "Person")
    assert sum(1 for e in people if e.get("birthDate")) > 6500
    assert sum(1 for e in people if e.get("nationality")) > 4500


def test_real_2022_with_alt_and_add():
    path = shared("ofac-sdn", "2022-listlookup", "sdn.csv")
    # This copy (from a third-party app's repository) was edited: its last row reuses ent_num 2677
    # (a person) for a company whose address in add.csv is filed under 34489. Refused, with its line.
    with pytest.raises(SourceError) as err:
        read_source("ofac-sdn", path)
    assert str(err.value) == f"{path}:9044 (record 2677): ent_num 2677 is already used on line 57"
    entities, ctx = read_source("ofac-sdn", path, skip_invalid=True)
    assert [r.line for r in ctx.rejected] == [9044]
    counts = Counter(e.schema.name for e in entities)
    assert counts == {"Person": 4643, "Organization": 3700, "Vessel": 420, "Airplane": 280, "Sanction": 9043}
    bank = next(e for e in entities if e.id == "ofac-306")
    assert "NATIONAL BANK OF CUBA" in bank.get("alias")  # alt.csv
    assert bank.get("weakAlias") == ["BNC"]  # Remarks
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bank.get("address")
    assert sum(1 for e in entities if e.get("address", quiet=True)) > 4000
    assert sum(len(e.get("alias", quiet=True)) for e in entities) > 10000
