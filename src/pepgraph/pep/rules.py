"""The PEP rules (``rules.yml``) loaded, checked and applied to one position or occupancy.

Kept apart from the classifier so that the rules can be tested as data: which category a position
name falls in, which scope and tier, and how long status lasts after an occupancy ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pepgraph.errors import ConfigError

DEFAULT_RULES = Path(__file__).with_name("rules.yml")
SCOPES = ("national", "state", "municipal", "international")
STATUSES = ("current", "former", "expired")


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    tier: int
    topics: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]

    def matches(self, name: str, topics: set[str]) -> str | None:
        """Why the position is in this category ("topic gov.head", "name matches 'senator'"),
        or None."""
        if any(p.search(name) for p in self.exclude):
            return None
        hit = sorted(self.topics & topics)
        if hit:
            return f"topic {hit[0]}"
        for pattern in self.patterns:
            found = pattern.search(name)
            if found and ("country" not in pattern.groupindex or _is_country(found.group("country"))):
                return f"name matches {pattern.pattern!r}"
        return None


@lru_cache(maxsize=10_000)
def _is_country(text: str | None) -> bool:
    from followthemoney import registry

    return bool(text) and registry.country.clean(text.strip()) is not None


@dataclass(frozen=True)
class Classified:
    """One position's place in the rules."""

    category: str
    label: str
    scope: str
    tier: int
    why: str


@dataclass
class Rules:
    path: Path
    categories: list[Category]
    after_office_years: dict[int, int]
    scope_tier: dict[str, int]
    scope_topics: dict[str, str]
    scope_patterns: dict[str, tuple[re.Pattern[str], ...]]
    after_death_years: int
    max_age_years: int
    stale_current_days: int
    open_term_years: int
    _cache: dict[tuple[str, tuple[str, ...]], Classified | None] = field(default_factory=dict)

    def classify_position(self, name: str, topics: set[str] | frozenset[str] = frozenset()) -> Classified | None:
        key = (name, tuple(sorted(topics)))
        if key in self._cache:
            return self._cache[key]
        text = " ".join(name.casefold().split())
        found: Classified | None = None
        for category in self.categories:
            why = category.matches(text, set(topics))
            if why is None:
                continue
            scope = self.scope(text, set(topics))
            tier = max(category.tier, self.scope_tier.get(scope, category.tier))
            found = Classified(category.name, category.label, scope, tier, why)
            break
        if len(self._cache) < 200_000:
            self._cache[key] = found
        return found

    def scope(self, text: str, topics: set[str]) -> str:
        for topic, scope in self.scope_topics.items():
            if topic in topics:
                return scope
        for scope, patterns in self.scope_patterns.items():
            if any(p.search(text) for p in patterns):
                return scope
        return "national"

    def after_office(self, tier: int) -> int:
        return self.after_office_years.get(tier, max(self.after_office_years.values()))

    def expires(self, ended: date, tier: int) -> date:
        return _add_years(ended, self.after_office(tier))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if not isinstance(patterns, list):
        raise ConfigError(f"{where}: expected a list of patterns")
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(str(pattern), re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return tuple(out)


@lru_cache(maxsize=4)
def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a rules file (the packaged ``rules.yml`` by default)."""
    path = Path(path or DEFAULT_RULES)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such rules file") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ConfigError(f"{path}: expected a mapping with 'categories'")
    categories = []
    for name, spec in data["categories"].items():
        where = f"{path}: categories.{name}"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: expected a mapping")
        unknown = set(spec) - {"label", "tier", "topics", "patterns", "exclude"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            tier = int(spec.get("tier", 2))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}.tier: expected a number") from exc
        categories.append(Category(
            name=name, label=str(spec.get("label") or name), tier=tier,
            topics=frozenset(spec.get("topics") or []),
            patterns=_compile(spec.get("patterns"), f"{where}.patterns"),
            exclude=_compile(spec.get("exclude"), f"{where}.exclude"),
        ))
    scopes = data.get("scopes") or {}
    bad_scopes = (set((scopes.get("topics") or {}).values()) | set(scopes.get("patterns") or {})) - set(SCOPES)
    if bad_scopes:
        raise ConfigError(f"{path}: scopes: unknown scope(s) {', '.join(sorted(bad_scopes))}; use {', '.join(SCOPES)}")
    try:
        after = {int(k): int(v) for k, v in (data.get("after_office_years") or {1: 20, 2: 5, 3: 5}).items()}
        return Rules(
            path=path,
            categories=categories,
            after_office_years=after,
            scope_tier={str(k): int(v) for k, v in (data.get("scope_tier") or {}).items()},
            scope_topics={str(k): str(v) for k, v in (scopes.get("topics") or {}).items()},
            scope_patterns={
                str(k): _compile(v, f"{path}: scopes.patterns.{k}") for k, v in (scopes.get("patterns") or {}).items()
            },
            after_death_years=int(data.get("after_death_years", 5)),
            max_age_years=int(data.get("max_age_years", 110)),
            stale_current_days=int(data.get("stale_current_days", 730)),
            open_term_years=int(data.get("open_term_years", 10)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: a number is not a number: {exc}") from exc


# -- dates -------------------------------------------------------------------------------------
def parse_date(value: str | None, last: bool = False) -> date | None:
    """An ISO date, possibly partial; ``last`` reads "2015" as its last day, else its first."""
    if not value:
        return None
    try:
        year = int(value[0:4])
        if len(value) >= 10:
            return date(year, int(value[5:7]), int(value[8:10]))
        if len(value) >= 7:
            month = int(value[5:7])
            if not last:
                return date(year, month, 1)
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return following - timedelta(days=1)
        return date(year, 12, 31) if last else date(year, 1, 1)
    except ValueError:
        return None
