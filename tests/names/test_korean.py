"""Korean names in Hangul, Hanja and their romanisations read as one coarse reading, the given
name's syllables in order."""

from __future__ import annotations

import pytest

from pepgraph.names.korean import hanja_table, readings
from pepgraph.names import analyze
from pepgraph.names.readings import korean_readings


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
    shared = set.intersection(*(set(readings(n)) for n in names))
    assert shared, {n: readings(n) for n in names}


def shares(a: str, b: str) -> bool:
    return bool(set(readings(a)) & set(readings(b)))


@pytest.mark.parametrize(("a", "b"), [
    # the given name's syllables swapped: two people (Supreme People's Assembly members all)
    ("Kim Chol-yong", "Kim Yong-chol"),
    ("Kim Tok-song", "Kim Song-dok"),
    ("Ri Su-yong", "Ri Yong-su"),
    ("Pak Chun-nam", "PARK Nam Choon"),
    # a family name of one reading the other's given syllable
    ("Cho Yong-su", "So Chun-yong"),
    ("JUNG Soo-sung", "Song Jong-su"),
])
def test_the_given_name_is_read_in_its_order(a: str, b: str) -> None:
    assert readings(a) and readings(b)
    assert not shares(a, b)


def test_either_end_may_hold_the_family_name() -> None:
    assert readings("박홍근") == ("pak:hong-kon",)
    assert shares("Hong Keun Park", "박홍근") and shares("Hong-keun PARK", "PARK Hong-keun")
    assert not shares("Hong Keun Park", "Keun Hong Park")


def test_hanja_read_through_the_table_with_family_name_readings() -> None:
    if not hanja_table():
        pytest.skip("the hanja package is not installed (`make` installs it)")
    assert shares("朴洪根", "PARK Hong Keun")
    assert shares("陳善美", "JIN Sun Mee")
    assert shares("金泰欽", "KIM Tae Heum")  # 金 as a family name is 김, not 금


def test_what_is_not_a_korean_name_has_no_reading() -> None:
    assert readings("John Smith") == ()  # "smith" is no Korean syllable
    assert readings("Kim") == ()  # one syllable
    assert readings("Kim Jong Il Sung Ho Man") == ()  # six
    assert readings("Park Иван") == ()  # a script mixed in
    assert not shares("박홍근", "박홍순")


def test_readings_are_asked_of_korean_records_only() -> None:
    """Hangul is always Korean; Hanja only without a country or with a Korean one (Chinese and
    Japanese names share the characters); a romanised name only with a Korean country."""
    assert korean_readings([analyze("김준호")], ["us"]) == list(readings("김준호"))
    assert set(readings("김준호")) <= set(korean_readings([analyze("Kim Jun-ho")], ["kr"]))
    assert korean_readings([analyze("Kim Jun-ho")], ["cn"]) == []
    assert korean_readings([analyze("Kim Jun-ho")], None) == []
    if hanja_table():
        assert korean_readings([analyze("陳善美")], None) == list(readings("陳善美"))
        assert korean_readings([analyze("陳善美")], ["cn"]) == []


def test_hanja_names_written_in_hangul_with_the_souths_initial_sound_rule() -> None:
    from pepgraph.names.korean import hangul

    assert hangul("文在寅") == "문 재-인"
    assert hangul("李相稷") == "이 상-직" and hangul("李相稷", north=True) == "리 상-직"
    assert hangul("盧雄來") == "노 웅-래" and hangul("柳明桓") == "유 명-환"
    assert hangul("Kim Jong-un") is None and hangul("金 正-恩") == "김 정-은" and hangul("金") is None
