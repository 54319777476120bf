"""The UN Security Council reader: hand-written fixtures for every rule, then the real 2018 list."""

from __future__ import annotations

from collections import Counter

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources import un_sc
from pepgraph.sources.base import read_text_head
from tests.conftest import FIXTURES, by_schema, read_source, shared

FIX = FIXTURES / "un_sc"


@pytest.fixture(scope="module")
def fixture_entities():
    entities, _ = read_source("un-sc", FIX / "consolidated.xml")
    return {e.id: e for e in entities}


def test_sniff():
    assert un_sc.sniff(FIX / "consolidated.xml", read_text_head(FIX / "consolidated.xml"))
    assert not un_sc.sniff(FIX / "wrong_root.xml", read_text_head(FIX / "wrong_root.xml"))


def test_person_names(fixture_entities):
    person = fixture_entities["unsc-9000001"]
    assert person.schema.name == "Person"
    assert set(person.get("name")) == {"SALIM HASSAN ABD AL-KARIM AL-NAJDI", "سالم حسن عبد الكريم النجدي"}
    assert person.get("firstName") == ["SALIM"]
    assert person.get("secondName") == ["HASSAN"]
    assert person.get("lastName") == []
    assert set(person.get("alias")) == {"Salem Hasan al-Najdi", "Salim Karimi"}
    assert person.get("weakAlias") == ["Abu Salim"]
    assert person.get("title") == ["Mullah"]
    assert set(person.get("position")) == {"Finance officer", "Recruiter"}
    assert person.get("gender") == ["male"]
    assert person.get("topics") == ["sanction"]


def test_dprk_names_are_family_name_first(fixture_entities):
    person = fixture_entities["unsc-9000002"]
    assert person.get("name") == ["KIM CHOL SAM"]
    assert person.get("lastName") == ["KIM"]
    assert person.get("firstName") == ["CHOL SAM"]
    assert person.get("nationality") == ["kp"]


def test_birth_dates(fixture_entities):
    person = fixture_entities["unsc-9000001"]
    # EXACT date, APPROXIMATELY year, BETWEEN 1960..1962 (every year), the alias's own DOB
    assert set(person.get("birthDate")) == {"1970-01-15", "1968", "1960", "1961", "1962", "1971-02-03"}
    assert set(person.get("birthPlace")) == {"Mukalla, Hadramawt, Yemen", "Sana'a, Yemen"}
    assert person.get("birthCountry") == ["ye"]
    # a range wider than ten years keeps only its bounds
    assert set(fixture_entities["unsc-9000002"].get("birthDate")) == {"1940", "1955"}


def test_nationality_cleaning(fixture_entities):
    person = fixture_entities["unsc-9000001"]
    assert set(person.get("nationality")) == {"ye", "id"}  # "na" is the XSD placeholder, not Namibia
    assert "Nationality: Possibly Ethiopian" in person.get("notes")
    assert "Invented record: financier of an invented group." in person.get("notes")


def test_documents_and_address(fixture_entities):
    person = fixture_entities["unsc-9000001"]
    assert set(person.get("passportNumber")) == {"A1234567", "P-55"}
    assert person.get("idNumber") == ["99887766"]
    assert person.get("address") == ["12 Invented Street, Aden, Yemen"]
    assert person.get("country") == ["ye"]
    docs = [e for e in fixture_entities.values() if e.schema.name in ("Passport", "Identification")]
    assert len(docs) == 3
    passport = next(d for d in docs if d.get("number") == ["A1234567"])
    assert passport.schema.name == "Passport"
    assert passport.get("holder") == ["unsc-9000001"]
    assert passport.get("country") == ["ye"]
    assert passport.get("startDate") == ["2005-06-07"]
    ident = next(d for d in docs if d.get("number") == ["99887766"])
    assert ident.schema.name == "Identification"
    assert ident.get("type") == ["National Identification Number"]


def test_entity_and_sanction(fixture_entities):
    org = fixture_entities["unsc-9100001"]
    assert org.schema.name == "Organization"
    assert set(org.get("name")) == {"INVENTED TRADING COMPANY", "شركة التجارة المخترعة"}
    assert org.get("alias") == ["ITC"]
    assert org.get("previousName") == ["Old Invented Trading"]
    assert org.get("address") == ["P.O. Box 42, Baghdad, Iraq"]
    assert org.get("country") == ["iq"]
    sanction = fixture_entities["unsc-9100001-sanction"]
    assert sanction.get("entity") == ["unsc-9100001"]
    assert sanction.get("authority") == ["United Nations Security Council"]
    assert sanction.get("program") == ["Iraq"]
    assert sanction.get("unscId") == ["IQe.901"]
    assert sanction.get("listingDate") == ["2004-04-26"]
    assert sanction.get("endDate") == ["2019-01-02"]
    assert sanction.get("reason") == ["Invented front company."]
    person_sanction = fixture_entities["unsc-9000001-sanction"]
    assert person_sanction.get("listingDate") == ["2011-03-14"]
    assert person_sanction.get("modifiedAt") == ["2014-05-01"]


def test_counts(fixture_entities):
    counts = Counter(e.schema.name for e in fixture_entities.values())
    assert counts == {"Person": 2, "Organization": 1, "Sanction": 3, "Passport": 2, "Identification": 1}


# -- bad input ---------------------------------------------------------------------------------------
def test_malformed_xml_names_file_and_line():
    with pytest.raises(SourceError) as err:
        read_source("un-sc", FIX / "malformed.xml")
    assert err.value.line == 5
    assert str(err.value).startswith(f"{FIX / 'malformed.xml'}:5: malformed XML: mismatched tag")


def test_record_errors_stop_the_ingest():
    with pytest.raises(SourceError) as err:
        read_source("un-sc", FIX / "invalid_records.xml")
    assert str(err.value) == f"{FIX / 'invalid_records.xml'}:5: <INDIVIDUAL> without a DATAID"


def test_skip_invalid_keeps_good_records():
    entities, ctx = read_source("un-sc", FIX / "invalid_records.xml", skip_invalid=True)
    assert sorted(e.id for e in entities if e.schema.name != "Sanction") == ["unsc-9000010", "unsc-9100010"]
    assert [(r.line, r.message) for r in ctx.rejected] == [
        (5, "<INDIVIDUAL> without a DATAID"),
        (6, "<INDIVIDUAL> 9000012 has no name"),
        (7, "DATAID 9000010 is already used on line 4"),
    ]
    assert ctx.rejected[1].record == "9000012"


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.xml", "no records: the file is empty"),
        ("no_records.xml", "no records: the list holds no <INDIVIDUAL> or <ENTITY>"),
        ("wrong_root.xml", "not a UN Security Council list: the root element is <sdnList>"),
    ],
)
def test_empty_or_foreign_files(name, message):
    with pytest.raises(SourceError) as err:
        read_source("un-sc", FIX / name)
    assert str(FIX / name) in str(err.value)
    assert message in str(err.value)


# -- the real list ------------------------------------------------------------------------------------
def test_real_un_list():
    path = shared("un-sc-2018", "consolidated.xml")
    entities, ctx = read_source("un-sc", path)
    counts = Counter(e.schema.name for e in entities)
    assert counts["Person"] == 703
    assert counts["Organization"] == 390
    assert counts["Sanction"] == 703 + 390
    assert not ctx.rejected
    people = by_schema(entities, "Person")
    # 371 individuals carry a name in original script (Arabic and others), kept beside the Latin one
    original = [e for e in people if len(e.get("name")) == 2]
    assert len(original) == 371
    assert any("\u0600" <= ch <= "\u06ff" for e in original for n in e.get("name") for ch in n)  # Arabic
    assert sum(len(e.get("weakAlias")) for e in people) == 595  # every "Low" alias
    assert all(e.get("topics") == ["sanction"] for e in people)
