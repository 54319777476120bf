"""name_keys(): stable blocking keys that survive scripts and spellings."""

from __future__ import annotations

import pytest

from pepgraph.names import analyze, name_keys
from tests.names.realdata import Figures
from tests.names.test_compare import FLOORS


def test_key_kinds() -> None:
    keys = name_keys(analyze("Иван Петрович Сидоренко"))
    assert {"t:ivan", "t:petrovich", "t:sidorenko"} <= keys
    assert {"p:IFN", "p:STRNK"} <= keys
    assert "s:NAME:Q830350" in keys
    assert "k:strnk" in keys
    assert all(k[:2] in ("t:", "s:", "p:", "k:") for k in keys)


def test_keys_are_stable_strings() -> None:
    assert name_keys(analyze("Vladimir Putin")) == name_keys("Vladimir Putin")
    assert sorted(name_keys("Vladimir Putin")) == sorted(name_keys("PUTIN, Vladimir"))


@pytest.mark.parametrize(
    "name, absent",
    [
        ("J. Smith", {"t:j"}),
        ("Ludwig van Beethoven", {"t:van", "p:FN"}),
        ("Mohammed bin Rashid Al Maktoum", {"t:bin", "t:al"}),
        ("Sidorenko, I.", {"s:INITIAL:i", "t:i"}),
    ],
)
def test_no_keys_from_particles_and_initials(name: str, absent: set[str]) -> None:
    keys = name_keys(name)
    assert keys and not keys & absent


@pytest.mark.parametrize(
    "left, right",
    [
        ("Ivan Sidorenko", "Иван Петрович Сидоренко"),
        ("Mohammed", "محمد"),
        ("Wang Jianguo", "王建国"),
        ("Vladimir Putin", "ウラジーミル・プーチン"),
        ("Douglas Adams", "דאגלס אדמס"),
        ("John Smith", "Jon Smyth"),
        ("Acme Ltd", "ACME Limited"),
    ],
)
def test_same_names_share_a_key(left: str, right: str) -> None:
    assert name_keys(left) & name_keys(right)


def test_empty_name_has_no_keys() -> None:
    assert name_keys(analyze(None)) == set()


@pytest.mark.parametrize("name", FLOORS)
def test_real_pairs_share_keys(name: str, real_figures: dict[str, Figures]) -> None:
    fig = real_figures[name]
    assert fig.keys_true >= FLOORS[name][3], fig
    assert fig.keys_false <= 0.05, fig
