"""Which names of a record are read in which language, and the readings as names to compare.

A name in Chinese characters says nothing of how its bearer spells it in Latin letters: 蔡英文
is "Tsai Ing-wen" in Taiwan (Wade-Giles), 董建華 "Tung Chee-hwa" in Hong Kong (Cantonese), 安倍晋三
"Abe Shinzo" in Japan; ICU reads every one of them as Mandarin pinyin. The reading modules
(``korean``, ``cantonese``, ``mandarin``, ``japanese``) give each a reading that meets its
romanisations; this module holds the rules for *which* names are read in which language, from
the record's countries, shared by resolution (blocking keys and name levels, see
``pepgraph.resolve.rows``) and screening (extra names to compare, see ``screen_readings``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from pepgraph.names import cantonese, devanagari, mandarin
from pepgraph.names.forms import NameForm
from pepgraph.names.japanese import romaji
from pepgraph.names.korean import hangul as korean_hangul
from pepgraph.names.korean import readings as korean_name_readings

#: countries whose people's romanised names are read as Korean (see ``korean_readings``)
KOREAN_COUNTRIES = frozenset({"kr", "kp"})


def korean_readings(forms: Sequence[NameForm], countries: Sequence[str] | None) -> list[str]:
    """The coarse Korean readings of a record's names (``pepgraph.names.korean``): of a name in
    Hangul always, of one in Hanja when the record has no country or a Korean one (Chinese and
    Japanese names are written in the same characters), and of a romanised name only when the
    record is Korean ("Sam Ho" reads as Korean syllables too)."""
    korean = bool(KOREAN_COUNTRIES.intersection(countries or ()))
    return sorted({r for f in forms if korean or f.script == "Hangul" or (f.script == "Han" and not countries)
                   for r in korean_name_readings(f.original)})


#: countries whose people's romanised names are read as Cantonese (see ``cantonese_readings``)
CANTONESE_COUNTRIES = frozenset({"hk", "mo"})


def cantonese_readings(forms: Sequence[NameForm], countries: Sequence[str] | None) -> list[str]:
    """The coarse Cantonese readings of a record's names (``pepgraph.names.cantonese``): of a
    name in Chinese characters when the record has no country or is of Hong Kong or Macau (the
    rest of China writes pinyin), and of a romanised name only when it is."""
    local = bool(CANTONESE_COUNTRIES.intersection(countries or ()))
    return sorted({r for f in forms if local or (f.script == "Han" and not countries)
                   for r in cantonese.readings(f.original)})


#: countries whose people's romanised names are read as Mandarin (see ``mandarin_readings``)
#: (not Malaysia's: most are Malay names, whose words split into pinyin syllables too, "Ha-run")
MANDARIN_COUNTRIES = frozenset({"cn", "tw", "sg"})
#: countries whose names in Chinese characters are not Chinese names (kanji, Hanja)
NOT_MANDARIN_COUNTRIES = frozenset({"jp", "kr", "kp"})


def mandarin_readings(forms: Sequence[NameForm], countries: Sequence[str] | None) -> list[str]:
    """The coarse Mandarin readings of a record's names (``pepgraph.names.mandarin``), which join
    Wade-Giles spellings to the characters and the pinyin of one name: of a name in Chinese
    characters unless the record is only Japanese or Korean (their names are written in the
    same characters), of a romanised name when the record is of a country whose Chinese names
    are romanised from Mandarin, and of a romanised name of a record without a country only
    when it looks like Wade-Giles ("CHEN, Shan-i", "Yang Chiung"): "Ma Lin" may be anyone's
    name. Hong Kong's romanised names are Cantonese (``cantonese_readings``)."""
    local = bool(MANDARIN_COUNTRIES.intersection(countries or ()))
    foreign = bool(countries) and set(countries) <= NOT_MANDARIN_COUNTRIES
    out: set[str] = set()
    for f in forms:
        if f.script == "Han":
            if not foreign:
                out |= mandarin.readings(f.original)
        elif local:
            out |= mandarin.readings(f.original)
        elif not countries and f.script == "Latin":
            out |= mandarin.readings(f.original, wade_giles_only=True)
    return sorted(out)


#: the scripts of Japanese names: kanji (Han) and the two kana
JAPANESE_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana"})
#: kanji names of at least this many characters are read as Japanese in records without a
#: country: Chinese names have two or three (王伟, 习近平), Japanese ones mostly four (池田和也)
JAPANESE_UNSURE_FROM = 4


def japanese_names(forms: Sequence[NameForm], countries: Sequence[str] | None) -> list[str]:
    """The Hepburn romanisations of a record's Japanese names (``pepgraph.names.japanese``), which
    resolution adds to its names as ICU's transliteration is added: of every name in kanji or
    kana of a Japanese record, and of a record without a country, of names in kana and of names
    in kanji of ``JAPANESE_UNSURE_FROM`` characters or more (a shorter one is likelier Chinese,
    and ICU's Mandarin reading serves it)."""
    japanese = "jp" in (countries or ())
    out: dict[str, None] = {}
    for f in forms:
        if f.script not in JAPANESE_SCRIPTS or (countries and not japanese):
            continue
        if japanese or f.script != "Han" or sum(ch.isalpha() for ch in f.original) >= JAPANESE_UNSURE_FROM:
            out.update(dict.fromkeys(romaji(f.original)))
    return list(out)


#: extra names screening adds to one subject at most, and from one name in one language (a
#: character may have several readings: 蔡 is cai and ca, so 蔡英文 has six coarse readings, and
#: one is enough where ICU's pinyin tells which is meant)
MAX_SCREEN_READINGS, PER_NAME = 8, 3
_READING_SPLIT = re.compile(r"[:\-]")


def _as_name(reading: str) -> str:
    """A coarse reading ("tsai:ing-wen") as a name to analyse: "tsai ing wen"."""
    return " ".join(p for p in _READING_SPLIT.split(reading) if p)


def _syllables_as_name(reading: str) -> str:
    """A coarse Korean reading ("kim:ce-won") as one word ("kimcewon"), met only when equal:
    screening pairs a name's words in any order, where the syllables' order is what tells "Kim
    Chol-yong" from "Kim Yong-chol"; folded syllables are too short for edit distance to mean
    anything ("cewon" / "cehon" of Jae-won and Jae-hoon); and a word alone could be read as a
    title (the folded 박 is "pak", Indonesian for "Mr")."""
    return reading.replace(":", "").replace("-", "")


def _mandarin_in_order(form: NameForm, countries: Sequence[str] | None) -> list[str]:
    """``mandarin_readings`` of one name, the likeliest first: of a name in characters, the
    reading of ICU's pinyin (蔡英文: "cai ying wen", so "tsai:ing-wen" before "sa:ing-wen")."""
    found = mandarin_readings([form], countries)
    if form.script != "Han" or len(found) <= 1:
        return found
    likely = mandarin.readings(form.latin)
    return sorted(found, key=lambda r: r not in likely)


def _hanja_in_hangul(form: NameForm, countries: Sequence[str] | None) -> list[str]:
    """A name in Hanja written in Hangul (``korean.hangul``), for a Korean record or one without
    a country (as ``korean_readings`` reads Hanja): 文在寅 as "문 재-인"."""
    if form.script != "Han" or (countries and not KOREAN_COUNTRIES.intersection(countries)):
        return []
    north = bool(countries) and "kp" in countries and "kr" not in countries  # type: ignore[operator]
    written = korean_hangul(form.original, north=north)
    return [written] if written else []


class ScreenReading(NamedTuple):
    """A reading screening compares beside a person's names (``screen_readings``)."""

    name: str  #: the reading, as a name to analyse ("tsai ing wen")
    language: str  #: "Japanese", "Korean", "Mandarin", "Cantonese" or "Hunterian" (Devanagari)
    source: NameForm  #: the name it reads (蔡英文)
    #: a Korean syllable reading ("kim ce won"), folded past any real spelling: it meets only
    #: the same kind of reading of a name in another script, never a written name
    syllables: bool = False


def screen_readings(forms: Sequence[NameForm], countries: Sequence[str] | None) -> list[ScreenReading]:
    """The readings screening compares beside a person's names: ("Abe Shinzo", "Japanese",
    安倍晋三), ("tsai ing wen", "Mandarin", 蔡英文), ("tung kin wa", "Cantonese", 董建華), ("문 재-인",
    "Korean", 文在寅). The same rules as resolution's (the functions above, name by name), so a
    query reads as the profiles it should meet do: a query "Tsai Ing-wen" (Wade-Giles, read even
    without a country) and a profile holding only 蔡英文 meet on "tsai ing wen", and "Cai Yingwen"
    of China meets both. Readings that are one of the names already, or another reading in
    another word order, are left out; at most ``PER_NAME`` from a name in one language and
    ``MAX_SCREEN_READINGS`` in all.

    A name in Devanagari is also spelt as India's and Nepal's registers spell names, in the
    Hunterian romanisation (``pepgraph.names.devanagari``): रामचन्द्र चौधरी "ramchandra chaudhari",
    where ICU writes "ramacandra caudhari".

    A Korean name in Hanja is written in Hangul (``korean.hangul``), which ICU's Hangul
    romanisation and rigour's name symbols pair with "MOON Jae-in"; and a Korean name in any
    writing also gets ``korean_readings``' coarse syllables ("kim ce won" of 金在原, of 김재원 and
    of "KIM Jaewon" of a Korean record; "kimcewon" as a name), as resolution compares them: ICU reads 이 as "i" where
    the registry writes "LEE" or "RHEE", and a given name romanised as one word ("Jaewon") meets
    no syllable of "jae-won". Those are ``syllables`` readings (see ``ScreenReading``)."""
    have = {tuple(sorted(f.tokens)) for f in forms}
    have_syllables: set[tuple[str, ...]] = set()  # (met apart from the names: kept even when one is "kim min")
    out: list[ScreenReading] = []
    for f in forms:
        for language, found, syllables in (
            ("Japanese", japanese_names([f], countries), False),
            ("Korean", _hanja_in_hangul(f, countries), False),
            ("Korean", [_syllables_as_name(r) for r in korean_readings([f], countries)], True),
            ("Mandarin", [_as_name(r) for r in _mandarin_in_order(f, countries)], False),
            ("Cantonese", [_as_name(r) for r in cantonese_readings([f], countries)], False),
            ("Hunterian", list(devanagari.readings(f.normalized)) if f.script == "Devanagari" else [], False),
        ):
            taken = 0
            for name in found:
                key = (name,) if syllables else tuple(sorted(name.lower().replace("-", " ").split()))
                seen = have_syllables if syllables else have
                if taken >= PER_NAME or not key or key in seen:
                    continue
                seen.add(key)
                out.append(ScreenReading(name, language, f, syllables))
                taken += 1
                if len(out) >= MAX_SCREEN_READINGS:
                    return out
    return out
