"""Chinese names in characters, pinyin and Wade-Giles read as one."""

from __future__ import annotations

from pepgraph.names import analyze
from pepgraph.names.mandarin import readings, split, syllable
from pepgraph.names.readings import mandarin_readings


def test_characters_pinyin_and_wade_giles_read_the_same() -> None:
    assert readings("蔡英文") & readings("Tsai Ing-wen") & readings("Cai Yingwen")
    assert readings("蔣經國") & readings("Chiang Ching-kuo") & readings("Jiang Jingguo")
    assert readings("何晶秋") & readings("Ho Ching-chiu") & readings("HE, Jingqiu")
    # pinyin and Wade-Giles of one name, neither in characters
    assert readings("WANG, Jen-ping") & readings("Wang Renping")
    assert readings("郭台銘") & readings("Kuo Tai-ming") & readings("Guo Taiming")
    assert "lo:shih-hsiung" in readings("罗世雄") & readings("Luo Shixiong") & readings("Lo Shih-hsiung")


def test_syllables_are_read_from_the_table_whole() -> None:
    """pypinyin's converter rewrites syllables piecewise and gets "hai" and "guo" wrong; the
    table has them right. A syllable of both systems has both readings."""
    assert syllable("hai") == ("hai",) and syllable("guo") == ("kuo",) and syllable("luo") == ("lo",)
    assert syllable("ren") == ("jen",) and syllable("hsi") == ("hsi",) and syllable("xi") == ("hsi",)
    assert set(syllable("chang")) == {"chang"} and syllable("zhang") == ("chang",)
    assert syllable("ng") == () and syllable("christopher") == ()
    assert split("renping") == ("ren", "ping") and split("xian") == ("xian",) and split("lee") == ()


def test_the_given_name_is_read_in_its_order_and_the_family_name_either_end() -> None:
    assert not readings("Chen Shan-i") & readings("Chen I-shan")
    assert readings("陳山義") & readings("Shan-i Chen")


def test_what_is_not_a_chinese_name_has_no_reading() -> None:
    assert readings("John Smith") == set()
    assert readings("Christopher CHEUNG Wah-fung") == set()  # a word that is no syllable
    assert readings("Abu Bakar Othman") == set()  # "Abu" alone splits as a-bu: every word must
    assert readings("王") == set() and readings("Wang") == set()  # one syllable
    assert readings("Ma Lin", wade_giles_only=True) == set()  # may be anyone's name
    assert readings("CHEN, Shan-i", wade_giles_only=True) and readings("Yang Chiung", wade_giles_only=True)


def test_readings_are_asked_of_chinese_records() -> None:
    """Characters unless the record is Japanese or Korean; romanised names of China, Taiwan and
    Singapore, and without a country only when written the Wade-Giles way."""
    assert mandarin_readings([analyze("蔡英文")], ["tw"]) == mandarin_readings([analyze("蔡英文")], None) != []
    assert mandarin_readings([analyze("池田和也")], ["jp"]) == []
    assert "tsai:ing-wen" in mandarin_readings([analyze("Tsai Ing-wen")], ["tw"])
    assert "tsai:ing-wen" in mandarin_readings([analyze("Tsai Ing-wen")], None)
    assert mandarin_readings([analyze("Cai Yingwen")], None) == []
    assert mandarin_readings([analyze("Harun Pilus")], ["my"]) == []
