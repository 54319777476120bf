"""Japanese names in kanji and kana romanised as Japanese, and where resolution asks for it."""

from __future__ import annotations

from pepgraph.names import analyze
from pepgraph.names.japanese import romaji
from pepgraph.names.readings import japanese_names


def test_kanji_and_kana_are_read_as_japanese_with_and_without_long_vowels() -> None:
    assert romaji("池田和也") == ("Ikeda Kazuya",)
    assert romaji("佐藤順子") == ("Satou Junko", "Sato Junko")
    assert romaji("さとう じゅんこ")[-1] == "Sato Junko"
    assert romaji("大野太郎")[-1] == "Ono Taro" and romaji("河野太郎")[-1] == "Kono Taro"
    assert romaji("井上陽一")[-1] == "Inoue Yoichi"  # o-u-e is no long vowel; o-u-i is
    assert romaji("王伟") == ()  # a character the dictionary cannot read gives nothing


def test_japanese_names_are_read_for_japanese_records_and_long_kanji_names_without_a_country() -> None:
    assert japanese_names([analyze("菅義偉")], ["jp"]) == ["Kan Yoshihide"]
    assert japanese_names([analyze("池田玲子")], None) == ["Ikeda Reiko"]
    assert japanese_names([analyze("菅義偉")], None) == []  # three characters: may be Chinese
    assert japanese_names([analyze("池田和也")], ["cn"]) == []
    assert japanese_names([analyze("Kazuya Ikeda")], ["jp"]) == []
