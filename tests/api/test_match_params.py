"""``/match`` reads its query parameters itself (FastAPI's per-request parsing cost more than
scoring); these pin that the reading keeps FastAPI's meaning and answers bad values with 422."""

from __future__ import annotations

from datetime import datetime

import pytest
from starlette.requests import Request

from pepgraph.api.app import ApiError
from pepgraph.api.routes_match import MATCH_PARAMETERS, MatchParams


def params(query: str) -> MatchParams:
    return MatchParams.parse(Request({"type": "http", "query_string": query.encode(), "headers": []}))


def test_defaults_match_the_documented_ones() -> None:
    got = params("")
    documented = {p["name"]: p["schema"].get("default") for p in MATCH_PARAMETERS}
    assert got.limit == documented["limit"] == 5
    assert got.threshold == documented["threshold"] == 0.7
    assert got.cutoff == documented["cutoff"] == 0.0
    assert got.include_minors is False and got.algorithm is None and got.changed_since is None
    assert {p["name"] for p in MATCH_PARAMETERS} == set(MatchParams.__dataclass_fields__)


def test_values_lists_dates_and_booleans() -> None:
    got = params("limit=3&threshold=0.5&topics=role.pep&topics=sanction&exclude_entity_ids=a"
                 "&changed_since=2024-05-01T10:00:00Z&include_minors=true&algorithm=pepgraph-v1")
    assert (got.limit, got.threshold, got.algorithm) == (3, 0.5, "pepgraph-v1")
    assert got.topics == ("role.pep", "sanction") and got.exclude_entity_ids == ("a",)
    assert got.changed_since == datetime.fromisoformat("2024-05-01T10:00:00+00:00")
    assert got.include_minors is True
    assert params("changed_since=2024-05-01").changed_since == datetime(2024, 5, 1)
    assert params("include_minors=0").include_minors is False


@pytest.mark.parametrize("query, name", [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("limit=1.5", "limit"),
    ("threshold=1.2", "threshold"), ("threshold=nan", "threshold"), ("cutoff=-0.1", "cutoff"),
    ("changed_since=yesterday", "changed_since"), ("include_minors=maybe", "include_minors"),
])
def test_bad_values_answer_422_naming_the_parameter(query: str, name: str) -> None:
    with pytest.raises(ApiError) as err:
        params(query)
    assert err.value.status == 422 and f"query.{name}" in err.value.detail


def test_openapi_still_documents_every_parameter(tmp_path) -> None:
    from pepgraph.api.app import create_app

    spec = create_app(tmp_path / "empty.duckdb", no_auth=True).openapi()
    names = [p["name"] for p in spec["paths"]["/match/{dataset}"]["post"]["parameters"]]
    assert names == ["dataset"] + [p["name"] for p in MATCH_PARAMETERS]
    body = spec["paths"]["/match/{dataset}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EntityMatchQuery"}
