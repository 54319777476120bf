"""The reader contract: locating errors, skipping bad records whole, warnings, limits."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pepgraph.errors import SourceError
from pepgraph.sources.base import SourceContext


def ctx(**kw) -> SourceContext:
    return SourceContext("t", Path("f.json"), "f.json", **kw)


def test_bad_record_is_dropped_whole_under_skip_invalid() -> None:
    c = ctx(skip_invalid=True)
    with c.record(line=3, record="r1") as rec:
        good = c.make("Person", "a")
        rec.emit(good)
        c.add(c.make("Person", "b"), "colour", "blue")
    assert rec.entities == []
    assert [str(e) for e in c.rejected] == ["f.json:3 (record r1): schema Person has no property 'colour'"]


def test_unexpected_error_is_located_and_never_skipped() -> None:
    c = ctx(skip_invalid=True)
    with pytest.raises(SourceError, match=r"f\.json:7 \(record r1\): cannot read this record \(KeyError"):
        with c.record(line=7, record="r1"):
            {}["missing"]


def test_line_does_not_leak_past_a_record() -> None:
    c = ctx()
    with c.record(line=9):
        pass
    assert str(c.error("file-level problem")) == "f.json: file-level problem"


def test_limits_and_schema_checks() -> None:
    c = ctx(max_field=10)
    person = c.make("Person", "p")
    with pytest.raises(SourceError, match="value of Person.name is 11 characters"):
        c.add(person, "name", "x" * 11)
    with pytest.raises(SourceError, match="abstract"):
        c.make("Thing", "x")
    with pytest.raises(SourceError, match="unknown schema"):
        c.make("Dragon", "x")


def test_as_of_sets_today_and_warnings_are_located() -> None:
    c = ctx(as_of=datetime(2015, 11, 30))
    assert c.today == "2015-11-30"
    c.warn("fell back to cp1252", line=4)
    assert c.warnings == ["f.json:4: fell back to cp1252"]
