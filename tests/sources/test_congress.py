"""unitedstates/congress-legislators: hand-written YAML and CSV fixtures for the exact mapping (terms,
positions, parties, family orientation), the real files for counts and ids."""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources import congress, detect_format
from tests.conftest import FIXTURES, by_schema, read_source, shared

CONGRESS = FIXTURES / "congress"


def _one(entities: list, schema: str, **props: str):  # type: ignore[no-untyped-def]
    found = [e for e in by_schema(entities, schema) if all(v in e.get(k) for k, v in props.items())]
    assert len(found) == 1, (schema, props, found)
    return found[0]


def _names(entities: list, ids: list[str]) -> list[str]:
    by_id = {e.id: e for e in entities}
    return [by_id[i].first("name") for i in ids]


def test_yaml_person_names_and_ids() -> None:
    entities, ctx = read_source("congress", CONGRESS / "legislators-current.yaml")
    assert not ctx.rejected
    jane = _one(entities, "Person", name="Jane Q. Example")
    assert jane.id == "congress-Z000901"
    assert (jane.get("firstName"), jane.get("middleName"), jane.get("lastName")) == (["Jane"], ["Quincy"], ["Example"])
    assert jane.get("weakAlias") == ["Janie"]
    assert sorted(jane.get("alias")) == ["Jane Quincy Example", "Janie Example"]
    assert jane.get("birthDate") == ["1960-04-01"] and jane.get("gender") == ["female"]
    assert jane.get("wikidataId") == ["Q99990001"] and jane.get("country") == ["us"]
    assert jane.get("wikipediaUrl") == ["https://en.wikipedia.org/wiki/Jane_Q._Example"]
    assert sorted(jane.get("website")) == ["https://example.house.gov/", "https://example.senate.gov/"]
    idents = sorted((e.first("type"), e.first("number")) for e in by_schema(entities, "Identification")
                    if e.get("holder") == [jane.id])  # fmt: skip
    assert idents == [
        ("ballotpedia", "Jane Example"), ("bioguide", "Z000901"), ("cspan", "9990001"),
        ("fec", "H0OH03901"), ("fec", "S0OH00901"), ("google_entity_id", "kg:/m/0example1"),
        ("govtrack", "499901"), ("icpsr", "99901"), ("lis", "S901"), ("opensecrets", "N99990001"),
        ("thomas", "09901"), ("votesmart", "990001"), ("wikipedia", "Jane Q. Example"),
    ]  # fmt: skip
    # official_full is the name; the accented parts and other_names are aliases
    jose = _one(entities, "Person", name="Jose Munoz")
    assert sorted(jose.get("alias")) == ["José Munoz-Example", "José Muñoz"]
    assert _one(entities, "Person", name="Pat Northland Jr.").get("nameSuffix") == ["Jr."]


def test_yaml_terms_positions_and_parties() -> None:
    entities, _ = read_source("congress", CONGRESS / "legislators-current.yaml")
    posts = {e.first("name"): e for e in by_schema(entities, "Position")}
    assert sorted(posts) == [
        "Senate Example Caucus Chair",
        "United States Representative for AK (at-large)",
        "United States Representative for CA-12",
        "United States Representative for OH-3",
        "United States Senator from Ohio",
    ]  # each once, though OH-3 and the Senate seat are held twice
    senator = posts["United States Senator from Ohio"]
    assert senator.get("country") == ["us"] and senator.get("subnationalArea") == ["Ohio"]
    assert posts["United States Representative for AK (at-large)"].get("subnationalArea") == ["Alaska"]

    jane = [e for e in by_schema(entities, "Occupancy") if e.get("holder") == ["congress-Z000901"]]
    assert Counter(_names(entities, [o.first("post") for o in jane])) == {
        "United States Representative for OH-3": 2, "United States Senator from Ohio": 2,
        "Senate Example Caucus Chair": 1,
    }  # fmt: skip
    ended = _one(entities, "Occupancy", holder="congress-Z000901", startDate="2005-01-04")
    assert ended.get("endDate") == ["2011-01-03"] and ended.get("status") == ["ended"]
    assert ended.get("constituency") == ["Ohio"]
    current = _one(entities, "Occupancy", holder="congress-Z000901", startDate="2023-01-03", post=senator.id)
    assert current.get("status") == ["current"] and current.get("description") == ["appointment"]
    at_large = _one(entities, "Occupancy", holder="congress-Z000902")
    assert at_large.get("constituency") == ["AK-AL"] and at_large.get("politicalGroup") == ["Independent"]

    # Republican 2001 to mid-2007 (two House terms and the first Senate months, via
    # party_affiliations); Democrat until 2011; a new Democrat spell after the gap. Independent: none.
    parties = {e.id: e.first("name") for e in by_schema(entities, "Organization")}
    assert sorted(parties.values()) == ["Democrat", "Republican"]
    spells = sorted((parties[m.first("organization")], m.first("startDate"), m.first("endDate"))
                    for m in by_schema(entities, "Membership") if m.get("member") == ["congress-Z000901"])  # fmt: skip
    assert spells == [
        ("Democrat", "2007-07-01", "2011-01-03"),
        ("Democrat", "2023-01-03", "2099-01-03"),
        ("Republican", "2001-01-03", "2007-06-30"),
    ]
    assert not [m for m in by_schema(entities, "Membership") if m.get("member") == ["congress-Z000902"]]


def test_yaml_family_orientation() -> None:
    """"relation: daughter" says the member is the named person's daughter: in FtM terms the named
    person is ``person`` and the member the ``relative`` whose relationship to them is "daughter"."""
    entities, _ = read_source("congress", CONGRESS / "legislators-current.yaml")
    families = by_schema(entities, "Family")
    assert len(families) == 2
    father = _one(entities, "Person", name="John Example Sr.")
    assert set(father.properties) == {"name"}  # a name only: nothing else is known
    link = _one(entities, "Family", person=father.id)
    assert link.get("relative") == ["congress-Z000901"] and link.get("relationship") == ["daughter"]
    sister = _one(entities, "Family", relationship="sister")
    assert _names(entities, sister.get("person")) == ["Mary Example"]
    # the relative's id depends on the member and the name only: stable across files and runs
    again, _ = read_source("congress", CONGRESS / "legislators-current.yaml", dataset="other")
    assert _one(again, "Person", name="John Example Sr.").id == father.id


def test_ids_are_stable_and_unique() -> None:
    first, _ = read_source("congress", CONGRESS / "legislators-current.yaml", dataset="a")
    second, _ = read_source("congress", CONGRESS / "legislators-current.yaml", dataset="b")
    assert [e.id for e in first] == [e.id for e in second]
    assert len({e.id for e in first}) == len(first)


def test_executive() -> None:
    entities, ctx = read_source("congress", CONGRESS / "executive.yaml")
    assert not ctx.rejected
    assert sorted(e.first("name") for e in by_schema(entities, "Position")) == [
        "President of the United States", "Vice President of the United States",
    ]  # fmt: skip
    # the same bioguide id as in the legislators file: one person across files
    assert _one(entities, "Person", name="Jane Example").id == "congress-Z000901"
    founder = _one(entities, "Person", name="Elias Otto Founder")
    assert founder.id == "congress-govtrack-499990"  # no bioguide: govtrack, prefixed
    term = _one(entities, "Occupancy", holder=founder.id)
    assert term.get("politicalGroup") == [] and term.get("status") == ["ended"]
    assert not [m for m in by_schema(entities, "Membership") if m.get("member") == [founder.id]]  # "no party"


def test_historical_csv() -> None:
    entities, ctx = read_source("congress", CONGRESS / "legislators-historical.csv")
    assert not ctx.rejected
    assert sorted(e.id for e in by_schema(entities, "Person")) == [
        "congress-Z000801", "congress-Z000802", "congress-Z000803",
    ]  # fmt: skip
    assert sorted(e.first("name") for e in by_schema(entities, "Position")) == [
        "United States Representative for NY",  # district -1: not known
        "United States Representative for WY (at-large)",
        "United States Senator from Virginia",
    ]
    bea = _one(entities, "Person", name="Bea Ann Unknowndistrict")
    assert bea.get("weakAlias") == ["Bee"] and bea.get("gender") == ["female"]
    fec = sorted(e.first("number") for e in by_schema(entities, "Identification")
                 if e.get("holder") == [bea.id] and e.get("type") == ["fec"])  # fmt: skip
    assert fec == ["H8NY01001", "H8NY01002"]
    # twitter_id is a handle, not an identifier of the person
    assert not [e for e in by_schema(entities, "Identification") if e.get("type") == ["twitter"]]
    abel = _one(entities, "Occupancy", holder="congress-Z000801")
    assert abel.get("status") == ["ended"] and abel.get("startDate") == []  # "historical" file, no dates
    assert abel.get("politicalGroup") == ["Whig"]


def test_sniff_and_ignore(tmp_path: Path) -> None:
    for name in ("legislators-current.yaml", "executive.yaml", "legislators-historical.csv"):
        assert detect_format(CONGRESS / name) == "congress", name
    social = tmp_path / "legislators-social-media.yaml"
    social.write_text("# comment\n- id:\n    bioguide: Z000901\n  social:\n    twitter: x\n", encoding="utf-8")
    committees = tmp_path / "committees-current.yaml"
    committees.write_text("- type: house\n  name: House Committee on Examples\n  thomas_id: HSEX\n", "utf-8")
    for path in (social, committees, tmp_path / "LICENSE"):
        path.touch()
        assert congress.ignore(path) and detect_format(path) != "congress"
    assert not congress.ignore(CONGRESS / "legislators-current.yaml")


def test_malformed_yaml_names_file_and_line() -> None:
    path = CONGRESS / "broken.yaml"
    with pytest.raises(SourceError) as err:
        read_source("congress", path)
    assert err.value.line == 17
    assert str(err.value).startswith(f"{path}:17: malformed YAML")


def test_yaml_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "legislators.yaml"
    path.write_bytes("- id:\n    bioguide: Z1\n  name:\n    first: Jos\u00e9\n  terms: []\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not valid UTF-8") as err:
        read_source("congress", path)
    assert err.value.line == 4


def test_yaml_bad_people_stop_or_are_dropped() -> None:
    path = CONGRESS / "invalid-person.yaml"
    with pytest.raises(SourceError) as err:
        read_source("congress", path)
    assert str(err.value) == f"{path}:13 (record #2): person without an 'id' block"
    entities, ctx = read_source("congress", path, skip_invalid=True)
    assert [e.id for e in by_schema(entities, "Person")] == ["congress-Z000601", "congress-Z000605"]
    assert [(r.line, r.record) for r in ctx.rejected] == [(13, "#2"), (17, "Z000603"), (21, "Z000604")]
    assert "unknown term type 'mayor'" in ctx.rejected[2].message
    # the position and party emitted with the first kept person are not repeated for the second
    assert len(by_schema(entities, "Position")) == 1 and len(by_schema(entities, "Organization")) == 1


def test_csv_wrong_encoding_is_a_row_error() -> None:
    path = CONGRESS / "latin1.csv"
    with pytest.raises(SourceError) as err:
        read_source("congress", path)
    assert str(err.value) == f"{path}:3 (record Z000503): column 'last_name' is not valid UTF-8"
    entities, ctx = read_source("congress", path, skip_invalid=True)
    assert [e.id for e in by_schema(entities, "Person")] == ["congress-Z000501", "congress-Z000502"]
    assert [(r.line, r.record) for r in ctx.rejected] == [(3, "Z000503")]


def test_csv_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,country\nAnna,DE\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"lacks last_name, first_name, bioguide_id") as err:
        read_source("congress", path)
    assert err.value.line == 1


# -- the real congress-legislators files -------------------------------------------------------


def _members(entities: list) -> list:
    """People of the file itself, not the relatives named in ``family``."""
    relatives = {i for f in by_schema(entities, "Family") for i in f.get("person")}
    return [e for e in by_schema(entities, "Person") if e.id not in relatives]


def test_real_current() -> None:
    started = time.perf_counter()
    entities, ctx = read_source("congress", shared("congress-legislators", "legislators-current.yaml"))
    seconds = time.perf_counter() - started
    print(f"\nlegislators-current.yaml in {seconds:.2f}s: {dict(Counter(e.schema.name for e in entities))}")
    assert not ctx.rejected
    members = _members(entities)
    assert len(members) == 537 and all(e.id.startswith("congress-") for e in members)
    assert len(by_schema(entities, "Family")) == 11
    # sitting when the file was published (2026-06-15); "status" would depend on today's date
    senate = {o.first("holder") for o in by_schema(entities, "Occupancy") if (o.first("endDate") or "") >= "2026-06-15"
              and _names(entities, o.get("post"))[0].startswith("United States Senator from ")}  # fmt: skip
    assert len(senate) == 100
    bioguide = {e.first("holder"): e.first("number") for e in by_schema(entities, "Identification")
                if e.get("type") == ["bioguide"]}  # fmt: skip
    assert all(bioguide[s] == s.removeprefix("congress-") for s in senate)


def test_real_snapshot_2015_and_executive() -> None:
    snapshot, ctx = read_source(
        "congress", shared("congress-legislators", "snapshots", "legislators-current@2015-11-30.yaml")
    )
    assert not ctx.rejected and len(_members(snapshot)) == 540
    assert len(by_schema(snapshot, "Family")) == 40
    # terms ending in January 2017 were current then and are over now
    assert not [o for o in by_schema(snapshot, "Occupancy") if o.get("status") == ["current"]
                and o.first("endDate") and o.first("endDate") < "2017-02"]  # fmt: skip
    executive, ctx = read_source("congress", shared("congress-legislators", "executive.yaml"))
    assert not ctx.rejected and len(by_schema(executive, "Person")) == 80
    presidents = _one(executive, "Position", name="President of the United States")
    assert len([o for o in by_schema(executive, "Occupancy") if o.get("post") == [presidents.id]]) == 69


def test_real_historical_csv() -> None:
    path = shared("congress-legislators", "gh-pages", "legislators-historical.csv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    started = time.perf_counter()
    entities, ctx = read_source("congress", path)
    seconds = time.perf_counter() - started
    print(f"\nlegislators-historical.csv in {seconds:.2f}s: {dict(Counter(e.schema.name for e in entities))}")
    assert not ctx.rejected
    assert rows == 12_230 and len(by_schema(entities, "Person")) == rows
    assert len(by_schema(entities, "Occupancy")) == rows  # the last term of each
    assert len({e.first("holder") for e in by_schema(entities, "Identification")
                if e.get("type") == ["bioguide"]}) == rows  # fmt: skip
