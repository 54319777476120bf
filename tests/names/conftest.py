"""Real-data figures for the names tests, computed once per session on a fixed sample."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_DATA, shared
from tests.names.realdata import Figures, all_figures

#: Pairs per file in the tests (the full files are measured by ``python -m tests.names.realdata``).
SAMPLE = 400


@pytest.fixture(scope="session")
def real_figures() -> dict[str, Figures]:
    shared("name-pairs", "wikidata-netranslit")
    shared("name-pairs", "google-ar2en", "ar2en.txt")
    shared("opensanctions-nomenklatura", "fixtures", "putin_names.txt")
    return {f.name: f for f in all_figures(SHARED_DATA, SAMPLE)}
