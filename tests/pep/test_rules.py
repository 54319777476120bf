"""The rules file as data: categories, scopes, tiers, and errors in a user's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pepgraph.errors import ConfigError
from pepgraph.pep.rules import load_rules, parse_date


@pytest.mark.parametrize(
    ("name", "category", "scope", "tier"),
    [
        ("President of Russia", "head_of_state", "national", 1),
        ("Acting President of Russia", "head_of_state", "national", 1),
        ("Prime Minister of Russia", "head_of_government", "national", 1),
        ("Deputy Prime Minister of Russia", "minister", "national", 2),
        ("United States Senator from Ohio", "legislator", "national", 2),  # not "nato" inside "senator"
        ("Member of the Bundestag", "legislator", "national", 2),
        ("Mayor of Moscow", "minister", "municipal", 3),
        ("Governor of Texas", "minister", "state", 3),
        ("Governor of the Central Bank of Russia", "central_bank", "national", 2),
        ("Chief Justice of India", "judge", "national", 2),
        ("Secretary-General of the United Nations", "io_official", "international", 2),
        ("Ambassador of Russia to Qatar", "diplomat", "national", 2),
        ("Director of the Federal Security Service", "military", "national", 2),
    ],
)
def test_positions_in_categories(name: str, category: str, scope: str, tier: int) -> None:
    found = load_rules().classify_position(name)
    assert found is not None, name
    assert (found.category, found.scope, found.tier) == (category, scope, tier)
    assert found.why  # every classification says why


@pytest.mark.parametrize("name", ["President of Gazprom Football Club", "President of Harvard University",
                                  "First Lady of Russia", "Conductor of the Choir", "flight attendant"])
def test_not_every_title_is_a_pep(name: str) -> None:
    found = load_rules().classify_position(name)
    assert found is None or found.category == "soe_executive", name


def test_topics_decide_before_names() -> None:
    found = load_rules().classify_position("Board member", {"gov.soe"})
    assert found and found.category == "soe_executive" and found.why == "topic gov.soe"


def test_expiry_by_tier_defaults() -> None:
    rules = load_rules()
    assert rules.after_office(1) == 50 and rules.after_office(2) == 20 and rules.after_office(3) == 5


def test_partial_dates() -> None:
    assert str(parse_date("2015", last=True)) == "2015-12-31"
    assert str(parse_date("2016-02", last=True)) == "2016-02-29"
    assert str(parse_date("2016-02")) == "2016-02-01"
    assert parse_date("not a date") is None


def test_bad_rules_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yml"
    bad.write_text("categories:\n  minister:\n    patterns: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"categories.minister.patterns: bad pattern"):
        load_rules(bad)
    bad.write_text("categories:\n  minister:\n    colour: blue\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_rules(bad)
    with pytest.raises(ConfigError, match="no such rules file"):
        load_rules(tmp_path / "missing.yml")
