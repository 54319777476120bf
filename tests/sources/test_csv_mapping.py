"""The generic CSV reader: the documented example, each mapping feature, and every way a mapping or CSV is wrong."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from pepgraph.errors import ConfigError, SourceError
from pepgraph.sources import csv_mapping
from tests.conftest import FIXTURES, by_schema, read_source

FIX = FIXTURES / "csv"
PERSON_MAPPING = """
entities:
  person:
    schema: Person
    keys: [id]
    properties:
      name: {column: name}
      birthDate: {column: born}
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def read_with(tmp_path: Path, csv_text: str, mapping_text: str = PERSON_MAPPING, **kwargs):
    csv_path = write(tmp_path, "data.csv", csv_text, kwargs.pop("encoding", "utf-8"))
    mapping = write(tmp_path, "mapping.yml", mapping_text)
    return read_source("csv", csv_path, mapping=mapping, **kwargs)


def config_error(tmp_path: Path, mapping_text: str) -> str:
    with pytest.raises(ConfigError) as err:
        read_with(tmp_path, "id,name,born\n1,A,1960\n", mapping_text)
    return str(err.value)


# -- the documented example -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example():
    entities, ctx = read_source("csv", FIX / "politicians.csv", mapping=FIX / "politicians.yml")
    assert not ctx.rejected
    return entities


def test_example_counts(example):
    # 5 rows: P-003 is filtered out (status deleted), P-004 has no post (optional entities skipped)
    assert Counter(e.schema.name for e in example) == {"Person": 4, "PublicBody": 3, "Position": 3, "Occupancy": 3}
    assert len({e.id for e in by_schema(example, "Person")}) == 3  # P-001 appears on two rows, one id


def test_example_person(example):
    anna = by_schema(example, "Person")[0]
    assert anna.get("name") == ["Anna Example-Smith"]
    assert anna.get("firstName") == ["Anna"]
    assert anna.get("lastName") == ["Example-Smith"]
    assert anna.get("birthDate") == ["1961-02-03"]  # format "%d/%m/%Y"
    assert anna.get("nationality") == ["nl"]
    assert set(anna.get("alias")) == {"A. Smith", "Annie Example"}  # split ";"
    assert anna.get("topics") == ["role.pep"]  # literal
    assert anna.get("notes") == ["Listed in Invented Register of Office Holders as P-001"]  # template + constant
    jose = next(e for e in example if e.get("firstName", quiet=True) == ["José"])
    assert jose.get("name") == ["José Ñúñez"]


def test_example_links(example):
    anna = by_schema(example, "Person")[0]
    occupancies = [e for e in by_schema(example, "Occupancy") if e.get("holder") == [anna.id]]
    assert len(occupancies) == 2
    positions = {e.id: e for e in by_schema(example, "Position")}
    bodies = {e.id: e for e in by_schema(example, "PublicBody")}
    minister = next(o for o in occupancies if o.get("endDate"))
    post = positions[minister.get("post")[0]]
    assert post.get("name") == ["Minister of Finance"]
    assert minister.get("startDate") == ["2019-01-15"]
    assert bodies[post.get("organization")[0]].get("name") == ["Invented Ministry of Finance"]


def test_ids_are_deterministic_and_dataset_scoped():
    first, _ = read_source("csv", FIX / "politicians.csv", mapping=FIX / "politicians.yml")
    again, _ = read_source("csv", FIX / "politicians.csv", mapping=FIX / "politicians.yml")
    other, _ = read_source("csv", FIX / "politicians.csv", dataset="other", mapping=FIX / "politicians.yml")
    assert [e.id for e in first] == [e.id for e in again]
    assert all(e.id.startswith("test-") for e in first)
    assert all(e.id.startswith("other-") for e in other)


def test_sniff_never_claims():
    assert csv_mapping.sniff(FIX / "politicians.csv", (FIX / "politicians.csv").read_text()) is False


# -- features ---------------------------------------------------------------------------------------------
def test_headerless_semicolon_skip_rows_and_id_column(tmp_path):
    mapping = """
    csv: {delimiter: ";", header: false, columns: [code, name, kind], skip_rows: 2}
    entities:
      person:
        schema: Person
        id_column: code
        id_prefix: reg
        filters: {kind: [person, PERSON]}
        properties: {name: name}
      company:
        schema: Company
        id_column: code
        filters_not: {kind: person}
        properties: {name: name}
    """
    entities, _ = read_with(tmp_path, "Exported 2024\n\nA1;Ann Example;person\nB2;Acme Invented Ltd;company\n", mapping)
    assert [(e.id, e.schema.name) for e in entities] == [("reg-A1", "Person"), ("test-B2", "Company")]


def test_required_skips_the_entity_only(tmp_path):
    mapping = """
    entities:
      person:
        schema: Person
        keys: [id]
        properties:
          name: {column: name}
          email: {column: mail, required: true}
    """
    entities, ctx = read_with(tmp_path, "id,name,mail\n1,Ann,ann@example.org\n2,Bob,\n", mapping)
    assert [e.get("name") for e in entities] == [["Ann"]]
    assert not ctx.rejected


def test_line_numbers_follow_multiline_fields(tmp_path):
    text = 'id,name,born\n1,"Ann\nExample",1960\n,Nobody,1961\n'
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, text)
    assert str(err.value) == f"{tmp_path / 'data.csv'}:4: entities.person: no id, the key column(s) id are empty"


# -- bad mappings -----------------------------------------------------------------------------------------
def test_no_mapping_option():
    with pytest.raises(ConfigError, match="needs a mapping: pass --mapping"):
        read_source("csv", FIX / "politicians.csv")


def test_mapping_file_missing(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the mapping"):
        read_source("csv", FIX / "politicians.csv", mapping=tmp_path / "nope.yml")


def test_invalid_yaml_names_line(tmp_path):
    message = config_error(tmp_path, "entities:\n  person:\n    schema: [Person\n")
    assert message.startswith(f"{tmp_path / 'mapping.yml'}:4: invalid YAML")


def test_property_the_schema_lacks(tmp_path):
    message = config_error(tmp_path, PERSON_MAPPING.replace("birthDate:", "birthdate:"))
    assert message == (
        f"{tmp_path / 'mapping.yml'}: entities.person.properties.birthdate: "
        "Person has no property 'birthdate' (did you mean 'birthDate'?)"
    )


@pytest.mark.parametrize(
    "mapping, where, message",
    [
        (PERSON_MAPPING.replace("Person", "Persn"), "entities.person.schema",
         "unknown schema 'Persn' (did you mean 'Person'?)"),
        (PERSON_MAPPING.replace("Person", "Thing"), "entities.person.schema", "Thing is abstract"),
        (PERSON_MAPPING.replace("properties:", "propertes:"), "entities.person.propertes", "unknown key"),
        (PERSON_MAPPING.replace("keys: [id]", ""), "entities.person", "give either keys"),
        (PERSON_MAPPING.replace("{column: born}", "{column: born, literal: x}"),
         "entities.person.properties.birthDate", "give exactly one of"),
        (PERSON_MAPPING.replace("{column: name}", "{column: name, format: '%Y'}"),
         "entities.person.properties.name.format", "format applies to dates"),
        (PERSON_MAPPING + "  sanction:\n    schema: Sanction\n    keys: [id]\n    properties:\n"
         "      entity: {entity: persn}\n", "entities.sanction.properties.entity.entity",
         "no entity 'persn' in this mapping (did you mean 'person'?)"),
        (PERSON_MAPPING + "  occ:\n    schema: Occupancy\n    keys: [id]\n    properties:\n"
         "      post: {entity: person}\n", "entities.occ.properties.post.entity",
         "Occupancy:post needs a Position, entities.person is a Person"),
        (PERSON_MAPPING + "  occ:\n    schema: Occupancy\n    keys: [id]\n    properties:\n"
         "      holder: {column: id}\n", "entities.occ.properties.holder", "map it with {entity: <name>}"),
        (PERSON_MAPPING.replace("name: {column: name}", "positionOccupancies: {column: name}"),
         "entities.person.properties.positionOccupancies", "is a reverse link"),
        ("entities: {}\n", "entities", "define at least one entity"),
        ("csv: {delimiter: ';;'}\n" + PERSON_MAPPING, "csv.delimiter", "expected one character"),
        ("csv: {encoding: klingon}\n" + PERSON_MAPPING, "csv.encoding", "unknown encoding 'klingon'"),
    ],
)
def test_bad_mapping_names_key_path(tmp_path, mapping, where, message):
    text = config_error(tmp_path, mapping)
    assert text.startswith(f"{tmp_path / 'mapping.yml'}: {where}: "), text
    assert message in text


def test_circular_references(tmp_path):
    mapping = """
    entities:
      a: {schema: Company, keys: [id], properties: {name: name, parent: {entity: b}}}
      b: {schema: Company, keys: [name], properties: {name: name, parent: {entity: a}}}
      c: {schema: Person, keys: [id], properties: {name: name}}
    """
    text = config_error(tmp_path, mapping)
    assert text == f"{tmp_path / 'mapping.yml'}: entities: circular entity references between a, b"


# -- bad CSV files ----------------------------------------------------------------------------------------
def test_unknown_column_names_csv_line_and_column(tmp_path):
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, "id,full_name,born\n1,Ann,1960\n")
    text = str(err.value)
    assert text.startswith(f"{tmp_path / 'data.csv'}:1: column 'name' (used by entities.person.properties.name")
    assert "the header has: id, full_name, born" in text


def test_wrong_encoding_is_a_record_error(tmp_path):
    csv_text = "id,name,born\n1,Ann,1960\n2,Andr\u00e9,1961\n3,Cy,1962\n"
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, csv_text, encoding="cp1252")
    assert str(err.value) == (
        f"{tmp_path / 'data.csv'}:3: cannot decode as utf-8: byte 0xe9 in column 'name'"
    )
    entities, ctx = read_with(tmp_path, csv_text, encoding="cp1252", skip_invalid=True)
    assert [e.get("name") for e in entities] == [["Ann"], ["Cy"]]
    assert [r.line for r in ctx.rejected] == [3]
    # declared, it reads
    entities, _ = read_with(tmp_path, csv_text, "csv: {encoding: cp1252}\n" + PERSON_MAPPING, encoding="cp1252")
    assert entities[1].get("name") == ["André"]


def test_wrong_column_count_and_no_id(tmp_path):
    csv_text = "id,name,born\n1,Ann,1960\n2,Bob\n,Nobody,1962\n4,Dee,1963\n"
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, csv_text)
    assert str(err.value) == f"{tmp_path / 'data.csv'}:3: 2 fields, the header has 3"
    entities, ctx = read_with(tmp_path, csv_text, skip_invalid=True)
    assert [e.get("name") for e in entities] == [["Ann"], ["Dee"]]
    assert [(r.line, r.message) for r in ctx.rejected] == [
        (3, "2 fields, the header has 3"),
        (4, "entities.person: no id, the key column(s) id are empty"),
    ]


def test_required_schema_property_missing(tmp_path):
    entities, ctx = read_with(tmp_path, "id,name,born\n1,,1960\n2,Bo,1961\n", skip_invalid=True)
    assert [e.get("name") for e in entities] == [["Bo"]]
    assert ctx.rejected[0].message == "entities.person: Person without name"


@pytest.mark.parametrize("text, message", [("", "no records: the file is empty"),
                                           ("id,name,born\n\n", "no records: the file has a header but no rows")])
def test_empty_files(tmp_path, text, message):
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, text)
    assert str(err.value) == f"{tmp_path / 'data.csv'}: {message}"


def test_duplicate_header(tmp_path):
    with pytest.raises(SourceError) as err:
        read_with(tmp_path, "id,name,name,born\n1,A,B,1960\n")
    assert str(err.value) == f"{tmp_path / 'data.csv'}:1: duplicate column 'name' in the header"


def test_headerless_unknown_column_is_a_mapping_error(tmp_path):
    mapping = "csv: {header: false, columns: [id, nme]}\n" + PERSON_MAPPING
    text = config_error(tmp_path, mapping)
    assert text == (
        f"{tmp_path / 'mapping.yml'}: entities.person.properties.name.column: "
        "column 'name' is not in csv.columns (did you mean 'nme'?)"
    )
