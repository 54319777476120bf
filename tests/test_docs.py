"""Docs that cannot fall behind: every command, format and setting is in the README."""

from __future__ import annotations

import typer.main

from pepgraph import settings
import pepgraph.cli_resolve  # noqa: F401  (registers the resolution commands)
from pepgraph.cli import app
from pepgraph.sources import FORMATS

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in commands if f"pepgraph {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_format_is_documented() -> None:
    missing = [fmt for fmt in FORMATS if fmt not in README]
    assert not missing, f"formats missing from README.md: {missing}"


def test_every_setting_is_documented() -> None:
    missing = [s.name for s in settings.ALL if s.name not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_readme_leads_with_the_two_commands() -> None:
    head = README[: README.index("## A short tour")]
    assert "make run" in head and "make test" in head
