"""What is hidden by default, and why.

Minors: a person born less than ``MINOR_AGE`` years before today is left out of default outputs,
exports, screening answers and pages, unless an admin asks for them explicitly
(``include_minors=True``). Children of politicians appear in public sources (Wikidata's P40,
congress-legislators' relatives), but a compliance screen has no need to surface a child, and the
database that inspired this project was criticised for mapping families down to children.

The rule is deliberately conservative: if *any* recorded birth date (partial dates count: a year
alone is read as its last day, the most protective reading) makes the person younger than 18,
they are treated as a minor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

MINOR_AGE = 18


def _parse(value: str) -> date | None:
    value = (value or "").strip()
    try:
        year = int(value[0:4])
        month = int(value[5:7]) if len(value) >= 7 else 12
        if len(value) >= 10:
            return date(year, month, int(value[8:10]))
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return date.fromordinal(following.toordinal() - 1)  # the last day of a partial date
    except ValueError:
        return None


def adult_cutoff(today: date | None = None) -> date:
    """Persons born on or after this date are minors today."""
    today = today or date.today()
    try:
        return today.replace(year=today.year - MINOR_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MINOR_AGE, day=28)


def is_minor(birth_dates: Iterable[str], today: date | None = None) -> bool:
    """True when any of ``birth_dates`` (ISO, possibly partial) is less than 18 years ago."""
    cutoff = adult_cutoff(today)
    for value in birth_dates:
        born = _parse(value)
        if born is not None and born > cutoff:
            return True
    return False


def minor_sql(birth_column: str = "value", today: date | None = None) -> str:
    """A SQL predicate over an ISO birth date column that is true for minors (DuckDB)."""
    cutoff = adult_cutoff(today).isoformat()
    # a partial date 'YYYY' or 'YYYY-MM' pads to its last possible day, as is_minor reads it
    # (string comparison, so '-31' stands for any month's end)
    col = birth_column
    return (
        f"((CASE length({col}) WHEN 4 THEN {col} || '-12-31' WHEN 7 THEN {col} || '-31' "
        f"ELSE substr({col}, 1, 10) END) > '{cutoff}')"
    )
