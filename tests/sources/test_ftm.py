"""FtM entity JSON lines: fixtures and the real OpenSanctions / nomenklatura exports."""

from __future__ import annotations

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources import detect_format

from tests.conftest import FIXTURES, by_schema, read_source, shared


def test_fixture_entities_and_cleaning() -> None:
    entities, ctx = read_source("ftm", FIXTURES / "ftm" / "good.ftm.json")
    assert [e.id for e in entities] == ["t-p1", "t-o1", "t-own"]
    anna = entities[0]
    assert anna.get("nationality") == ["de"]
    assert sorted(anna.get("name")) == ["Anna Example", "Анна Пример"]
    stmt = next(s for s in anna.statements if s.prop == "nationality")
    assert stmt.original_value == "Germany" and stmt.origin == "good.ftm.json"


def test_sniffed_as_ftm() -> None:
    assert detect_format(FIXTURES / "ftm" / "good.ftm.json") == "ftm"


@pytest.mark.parametrize("folder", ["parteispenden", "t1", "zala"])
def test_real_yente_exports(folder: str) -> None:
    path = shared("opensanctions-yente", "ftm", folder, "entities.ftm.json")
    lines = sum(1 for line in open(path, encoding="utf-8") if line.strip())
    entities, ctx = read_source("ftm", path)
    assert len(entities) == lines and not ctx.rejected
    assert detect_format(path) == "ftm"


def test_real_nomenklatura_donations() -> None:
    path = shared("opensanctions-nomenklatura", "fixtures", "donations.ijson")
    entities, _ = read_source("ftm", path)
    assert len(entities) == 474
    assert len(by_schema(entities, "Payment")) > 100
    assert detect_format(path) == "ftm"


def test_statement_form_keeps_lang_and_origin(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        '{"id": "x", "schema": "Person", "statements": [{"prop": "name", "value": "Иван", "lang": "rus", '
        '"origin": "elsewhere.csv"}]}\n', encoding="utf-8"
    )
    [entity], _ = read_source("ftm", path)
    [stmt] = [s for s in entity.statements if s.prop == "name"]
    assert (stmt.lang, stmt.origin) == ("rus", "elsewhere.csv")


def test_not_an_object_and_missing_id(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[1, 2]\n{"schema": "Person", "properties": {}}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.json:1: expected a JSON object"):
        read_source("ftm", path)
    entities, ctx = read_source("ftm", path, skip_invalid=True)
    assert entities == [] and [e.line for e in ctx.rejected] == [1, 2]
    assert "without an 'id'" in str(ctx.rejected[1])
