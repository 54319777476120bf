"""Korean names in Hangul, Hanja and their romanisations read as one coarse reading."""

from __future__ import annotations

import pytest

from pepgraph.names.korean import hanja_table, reading
from pepgraph.names import analyze
from pepgraph.resolve.rows import korean_readings


@pytest.mark.parametrize("names", [
    ("박홍근", "PARK Hong Keun", "Bak Hong-geun", "Hong Keun Park", "PAK Hong Gun"),
    ("이종진", "LEE Jong Jin", "Yi Jong-jin", "Rhee Jongjin"),
    ("리광철", "Ri Kwang-chol", "Lee Kwang Cheol"),
    ("최규하", "Choi Kyu-hah", "Choe Gyu-ha"),
    ("김준호", "Kim Jun-ho", "Gim Joon Ho"),
    # a given name in one word whose second syllable starts with a vowel or glide
    ("김재원", "KIM Jaewon", "Kim Jae-won"),
    # a glide after a consonant left out, as families spell 혜, 경, 세
    ("하태경", "HA Tae Keung", "Ha Tae-kyung", "Ha Tae-gyeong"),
    ("정세균", "CHUNG Sye-kyun", "Jeong Se-gyun"),
])
def test_one_name_in_hangul_and_every_romanisation_reads_the_same(names: tuple[str, ...]) -> None:
    found = {reading(n) for n in names}
    assert len(found) == 1 and None not in found, found


def test_hanja_read_through_the_table_with_family_name_readings() -> None:
    if not hanja_table():
        pytest.skip("the hanja package is not installed (`make` installs it)")
    assert reading("朴洪根") == reading("PARK Hong Keun")
    assert reading("陳善美") == reading("JIN Sun Mee")
    assert reading("金泰欽") == reading("KIM Tae Heum")  # 金 as a family name is 김, not 금


def test_what_is_not_a_korean_name_has_no_reading() -> None:
    assert reading("John Smith") is None  # "smith" is no Korean syllable
    assert reading("Kim") is None  # one syllable
    assert reading("Kim Jong Il Sung Ho Man") is None  # six
    assert reading("Park Иван") is None  # a script mixed in
    assert reading("박홍근") != reading("박홍순")


def test_readings_are_asked_of_korean_records_only() -> None:
    """Hangul is always Korean; Hanja only without a country or with a Korean one (Chinese and
    Japanese names share the characters); a romanised name only with a Korean country."""
    assert korean_readings([analyze("김준호")], ["us"]) == [reading("김준호")]
    assert korean_readings([analyze("Kim Jun-ho")], ["kr"]) == [reading("김준호")]
    assert korean_readings([analyze("Kim Jun-ho")], ["cn"]) == []
    assert korean_readings([analyze("Kim Jun-ho")], None) == []
    if hanja_table():
        assert korean_readings([analyze("陳善美")], None) == [reading("JIN Sun Mee")]
        assert korean_readings([analyze("陳善美")], ["cn"]) == []
