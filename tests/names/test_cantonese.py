"""Hong Kong names in Chinese characters and their Cantonese romanisation read as one."""

from __future__ import annotations

from pepgraph.names.cantonese import fold, readings
from pepgraph.names import analyze
from pepgraph.names.readings import cantonese_readings


def test_characters_and_the_hong_kong_romanisation_read_the_same() -> None:
    assert readings("盧偉國") == {"lo:wai-kwok"}
    assert readings("LO Wai-kwok") == {"lo:wai-kwok", "wai-kwok:lo"}
    assert readings("鄧家彪") & readings("TANG Ka-piu")
    assert readings("葉國謙") & readings("YIP Kwok Him") & readings("IP Kwok-him")
    # the family name last, and an English given name beside the Chinese one
    assert readings("張華峯") & readings("Christopher CHEUNG Wah-fung") & readings("Wah-fung Cheung")


def test_spellings_of_one_sound_fold_together() -> None:
    assert fold("kwok") == fold("gwok") and fold("cheung") == fold("jeung") and fold("yip") == fold("ip")
    # Macau's Portuguese-based finals, long vowels, and "ck"
    assert fold("leong") == fold("leung") and fold("kuok") == fold("kwok") and fold("lon") == fold("lun")
    assert fold("kaam") == fold("kam") and fold("kar") == fold("ka") and fold("yick") == fold("yik")


def test_macau_names_and_other_hong_kong_spellings_read_as_the_characters() -> None:
    assert readings("HO ION SANG") & readings("何潤生")
    assert readings("NG KUOK CHEONG") & readings("吳國昌")
    assert readings("LEONG ON KEI") & readings("梁安琪")
    assert readings("CHAN Kam-lam") & readings("陳鑑林")
    assert readings("KWOK Ka-ki") & readings("郭家麒")
    assert readings("Frankie YICK Chi-ming") & readings("易志明")
    assert not readings("LEONG ON KEI") & readings("梁國昌")


def test_the_given_name_is_read_in_its_order() -> None:
    assert not readings("CHAN Ka-wai") & readings("CHAN Wai-ka")
    assert not readings("陳家偉") & readings("CHAN Wai-ka")
    assert readings("陳家偉") & readings("Ka-wai CHAN")


def test_what_is_not_a_hong_kong_name_has_no_reading() -> None:
    assert readings("John Smith") == set()
    assert readings("盧") == set()  # one syllable
    assert readings("LO Wai Kwok Chun Hing") == set()  # five


def test_readings_are_asked_of_hong_kong_and_macau_records_only() -> None:
    """Characters without a country or of Hong Kong / Macau; romanised names of those only (the
    rest of China writes pinyin)."""
    assert cantonese_readings([analyze("盧偉國")], None) == ["lo:wai-kwok"]
    assert "lo:wai-kwok" in cantonese_readings([analyze("LO Wai-kwok")], ["hk"])
    assert cantonese_readings([analyze("LO Wai-kwok")], None) == []
    assert cantonese_readings([analyze("王伟")], ["cn"]) == []


def test_simplified_characters_are_read_as_their_traditional_forms() -> None:
    # the table reads traditional characters; a press source may write a Hong Kong name simplified
    assert readings("林大辉") == readings("林大輝")
    assert "lam:tai-fai" in readings("林大辉")
