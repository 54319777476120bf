"""EveryPolitician Popolo JSON: a hand-written fixture for the exact mapping, the 235 real files for
breadth (every file reads, countries resolve, non-Latin names keep their language)."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources import detect_format, popolo
from pepgraph.sources.base import read_text_head
from tests.conftest import FIXTURES, by_schema, read_source, shared

FIXTURE = FIXTURES / "popolo" / "data" / "Freedonia" / "Assembly" / "ep-popolo-v1.0.json"


def _one(entities: list, schema: str, **props: str):  # type: ignore[no-untyped-def]
    found = [e for e in by_schema(entities, schema) if all(v in e.get(k) for k, v in props.items())]
    assert len(found) == 1, (schema, props, found)
    return found[0]


def test_fixture_people() -> None:
    entities, ctx = read_source("popolo", FIXTURE)
    assert not ctx.rejected
    assert Counter(e.schema.name for e in entities) == {
        "PublicBody": 1, "Position": 1, "Organization": 1, "Person": 3,
        "Identification": 4, "Occupancy": 3, "Membership": 1,
    }  # fmt: skip
    nino = _one(entities, "Person", name="Nino Beridze")
    assert nino.id == "ep-p-nino"
    # the country comes from countries.json beside data/ ("Freedonia" is no country name)
    assert nino.get("country") == ["ge"] and nino.get("nationality") == ["ge"]
    assert nino.get("firstName") == ["Nino"] and nino.get("lastName") == ["Beridze"]
    assert nino.get("fatherName") == ["Giorgis asuli"] and nino.get("title") == ["Dr"]
    assert nino.get("birthDate") == ["1970-03-05"] and nino.get("gender") == ["female"]  # "Femme"
    assert nino.get("email") == ["nino.beridze@assembly.example.org"]  # the junk half is dropped
    assert nino.get("phone") == ["+995322281111"]  # phone only: fax and twitter are not phones
    assert nino.get("website") == ["https://nino.example.org/"]
    assert nino.get("wikipediaUrl") == ["https://en.wikipedia.org/wiki/Nino_Beridze_(example)"]
    assert nino.get("wikidataId") == ["Q4115189"]
    assert nino.get("sourceUrl") == ["https://assembly.example.org/members/101"]
    aliases = {(s.value, s.lang) for s in nino.get_statements("alias")}
    assert aliases == {
        ("ნინო ბერიძე", "kat"), ("Нино Беридзе", "rus"),
        ("Nino Beridze", "nor"),  # "nb": followthemoney knows only the macrolanguage
        ("N. Beridze", None),
    }  # fmt: skip

    idents = {(e.first("type"), e.first("number")) for e in by_schema(entities, "Identification")}
    assert idents == {("everypolitician_legacy", "101"), ("assembly", "NB-7"),
                      ("everypolitician_legacy", "102"), ("everypolitician_legacy", "103")}  # fmt: skip
    legacy = _one(entities, "Identification", number="101")
    assert legacy.get("holder") == ["ep-p-nino"] and legacy.get("country") == ["ge"]


def test_fixture_positions_and_parties() -> None:
    entities, _ = read_source("popolo", FIXTURE)
    body = _one(entities, "PublicBody", name="Freedonian Assembly")
    assert body.get("wikidataId") == ["Q999999"]
    post = _one(entities, "Position", name="Member of the Freedonian Assembly")
    assert post.get("country") == ["ge"] and post.get("organization") == [body.id]
    assert post.get("numberOfSeats") == ["150"]

    term8 = _one(entities, "Occupancy", holder="ep-p-nino", description="8th Convocation")
    assert term8.get("post") == [post.id]
    assert (term8.get("startDate"), term8.get("endDate")) == (["2012-10-20"], ["2016-10-01"])
    assert term8.get("status") == ["ended"] and term8.get("constituency") == ["Harbour District"]
    assert term8.get("politicalGroup") == ["Freedonian Dream"]
    term9 = _one(entities, "Occupancy", holder="ep-p-nino", description="9th Convocation")
    assert term9.get("endDate") == [] and term9.get("status") == ["current"]
    # a membership's own dates win; the period's are kept beside them
    giorgi = _one(entities, "Occupancy", holder="ep-p-giorgi")
    assert (giorgi.get("startDate"), giorgi.get("endDate")) == (["2013-05-01"], ["2014-01-01"])
    assert giorgi.get("periodStart") == ["2012-10-20"] and giorgi.get("politicalGroup") == ["Independent"]

    # one party Organization; "Independent" is none. Two back-to-back terms make one membership,
    # open-ended because the second term has no end.
    party = _one(entities, "Organization", name="Freedonian Dream")
    assert party.get("alias") == ["ოცნება"] and party.get("country") == ["ge"]
    membership = _one(entities, "Membership", member="ep-p-nino")
    assert membership.get("organization") == [party.id]
    assert (membership.get("startDate"), membership.get("endDate")) == (["2012-10-20"], [])


def test_ids_are_stable_and_independent_of_the_dataset_name() -> None:
    first, _ = read_source("popolo", FIXTURE, dataset="one")
    second, _ = read_source("popolo", FIXTURE, dataset="two")
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(first)


def test_country_from_option_and_from_folder_name(tmp_path: Path) -> None:
    entities, _ = read_source("popolo", FIXTURE, country="Armenia")
    assert _one(entities, "Person", name="Nino Beridze").get("country") == ["am"]
    copy = tmp_path / "United_States_of_America" / "Senate" / "ep-popolo-v1.0.json"
    copy.parent.mkdir(parents=True)
    shutil.copy(FIXTURE, copy)
    entities, ctx = read_source("popolo", copy)
    assert _one(entities, "Position").get("country") == ["us"] and not ctx.warnings
    nowhere = tmp_path / "Atlantis" / "Senate" / "ep-popolo-v1.0.json"
    nowhere.parent.mkdir(parents=True)
    shutil.copy(FIXTURE, nowhere)
    entities, ctx = read_source("popolo", nowhere)
    assert _one(entities, "Person", name="Nino Beridze").get("country") == []
    assert len(ctx.warnings) == 1 and "no country found" in ctx.warnings[0]


def test_sniff_and_ignore() -> None:
    assert detect_format(FIXTURE) == "popolo"
    assert popolo.ignore(FIXTURES / "popolo" / "countries.json")
    assert not popolo.ignore(FIXTURE)
    # a big file shows only its leading "persons" list in the 64 KiB head
    assert popolo.sniff(Path("x.json"), '{\n  "persons": [\n    {"id": "a", "name": "A"')
    assert not popolo.sniff(Path("x.json"), '{"id": "x", "schema": "Person", "properties": {"persons": []}}')
    assert not popolo.sniff(Path("x.json"), '[{"name": "Freedonia", "legislatures": []}]')


def test_malformed_json_names_file_and_line() -> None:
    path = FIXTURES / "popolo" / "broken.json"
    with pytest.raises(SourceError) as err:
        read_source("popolo", path)
    assert err.value.line == 10
    assert str(err.value).startswith(f"{path}:10: malformed JSON")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{\n  "persons": [\n    {"id": "1", "name": "Jos\u00e9"}\n  ]\n}\n'.encode("latin-1"))
    with pytest.raises(SourceError, match="not valid UTF-8") as err:
        read_source("popolo", path)
    assert err.value.line == 3 and str(path) in str(err.value)


def test_bad_person_stops_or_is_dropped() -> None:
    path = FIXTURES / "popolo" / "invalid-person.json"
    with pytest.raises(SourceError, match="person without an 'id'") as err:
        read_source("popolo", path)
    assert err.value.record == "persons[1]"
    entities, ctx = read_source("popolo", path, skip_invalid=True)
    assert [e.id for e in entities] == ["ep-p-ok-1", "ep-p-ok-2"]
    assert [(r.line, r.record, r.message) for r in ctx.rejected] == [
        (None, "persons[1]", "person without an 'id'"),
        (5, "p-noname", "person without a name"),  # found by its id: line 5 of the file
    ]


# -- the real EveryPolitician data ------------------------------------------------------------


def _ep_files() -> list[Path]:
    root = shared("everypolitician-2015", "data")
    return sorted(root.glob("*/*/ep-popolo-v1.0.json"))


def test_real_all_files_read() -> None:
    files = _ep_files()
    assert len(files) == 235
    counts: Counter[str] = Counter()
    countries = set()
    started = time.perf_counter()
    for path in files:
        assert popolo.sniff(path, read_text_head(path)), path
        entities, ctx = read_source("popolo", path)
        assert not ctx.rejected, path
        positions = by_schema(entities, "Position")
        assert len(positions) == 1 and positions[0].get("country"), path
        countries.update(positions[0].get("country"))
        counts.update(e.schema.name for e in entities)
    seconds = time.perf_counter() - started
    print(f"\n235 EveryPolitician files in {seconds:.1f}s: {dict(counts)}")
    assert counts["Person"] == 49_484
    assert counts["Position"] == counts["PublicBody"] == 235
    assert counts["Occupancy"] == 72_283  # one per membership
    assert len(countries) >= 225  # 229 countries; a few (UK nations, ...) share a code
    # (speed is measured in benchmarks/ingest.py, not asserted here: the machine is shared)


def test_real_non_latin_names_keep_their_language() -> None:
    path = shared("everypolitician-2015", "data", "Georgia", "Parliament", "ep-popolo-v1.0.json")
    entities, _ = read_source("popolo", path)
    aliases = {(s.value, s.lang) for e in by_schema(entities, "Person") for s in e.get_statements("alias")}
    assert ("დავით უსუფაშვილი", "kat") in aliases
    assert ("Усупашвили, Давид", "rus") in aliases
    assert _one(entities, "Position").get("country") == ["ge"]


def test_real_us_senate_bioguide_and_country_codes() -> None:
    path = shared("everypolitician-2015", "data", "United_States_of_America", "Senate", "ep-popolo-v1.0.json")
    entities, _ = read_source("popolo", path)
    bioguide = [e for e in by_schema(entities, "Identification") if e.get("type") == ["bioguide"]]
    assert len(bioguide) == 310
    franken = _one(entities, "Person", name="Al Franken")
    assert any(e.get("number") == ["F000457"] and e.get("holder") == [franken.id] for e in bioguide)
    assert ("アル・フランケン", "jpn") in {(s.value, s.lang) for s in franken.get_statements("alias")}
    # territories and disputed regions: the code comes from countries.json, not the folder name
    abkhazia = shared("everypolitician-2015", "data", "Abkhazia", "Assembly", "ep-popolo-v1.0.json")
    assert _one(read_source("popolo", abkhazia)[0], "Position").get("country") == ["ge-ab"]


def test_countries_json_agrees_with_resolved_codes() -> None:
    index = json.loads(shared("everypolitician-2015", "countries.json").read_text(encoding="utf-8"))
    kosovo = next(c for c in index if c["name"] == "Kosovo")
    path = shared("everypolitician-2015", kosovo["legislatures"][0]["popolo"])
    assert _one(read_source("popolo", path)[0], "Position").get("country") == ["xk"]
