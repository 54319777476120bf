"""Names in Devanagari spelt as Indian and Nepali registers spell them (``names.devanagari``)."""

from __future__ import annotations

from pepgraph.names.devanagari import readings


def test_registers_spelling_not_iso() -> None:
    # ICU (ISO 15919): "uṣā yādava", "caudharī", "sinha", "guruṅa"
    assert readings("उषा यादव") == ("usha yadav",)
    assert readings("उषा गुरुङ") == ("usha gurung",)
    assert readings("नरेन्द्र मोदी") == ("narendra modi",)
    assert readings("अमित शाह") == ("amit shah",)
    assert readings("सिद्धिलाल सिंह") == ("siddhilal singh",)
    assert readings("कृष्ण") == ("krishna",)
    assert readings("क्षेत्री") == ("kshetri",)
    assert readings("ज़ाकिर हुसैन") == ("zakir husain",)  # nukta


def test_schwa_kept_after_a_cluster_and_inner_schwa_as_a_second_reading() -> None:
    # the final schwa stays after a consonant cluster (चन्द्र "chandra"); the inner one between
    # a vowel and a consonant followed by a vowel goes in the second reading
    assert readings("रामचन्द्र चौधरी") == ("ramachandra chaudhari", "ramchandra chaudhri")
    assert readings("मनमोहन सिंह") == ("manamohan singh", "manmohan singh")
    # a one-syllable word keeps its vowel
    assert readings("न") == ("na",)


def test_not_devanagari() -> None:
    assert readings("Ram Chandra") == ()
    assert readings("") == ()
