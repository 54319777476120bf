"""Korean names across Hangul, Hanja and their many romanisations, as one coarse reading.

A Korean name reaches a compliance team as 朴洪根 (Hanja, in older and official records), 박홍근
(Hangul), "PARK Hong Keun", "Bak Hong-geun" or "Pak Hong Gun" (the South's Revised
Romanisation, McCune-Reischauer as the North and older papers use it, and the spellings
families chose). ICU reads Hanja as Mandarin (朴洪根 is "pu hong gen") and spells Hangul its own
way ("bag hong geun"), so none of these met; on the EveryPolitician benchmark Hanja against a
romanisation was the largest group of missed cross-script pairs (129 of 318).

``readings`` turns each of them into the same *coarse reading*: every syllable as a key of its
initial consonant, vowel and final consonant with the distinctions romanisations disagree on
folded away (g/k, d/t, b/p, j/ch, r/l; eo/o/u/eu; ae/e; oe/oi/we; a y glide after a
consonant, "hye" / "he"), and an initial r or n
dropped before i or y ("Lee", "Rhee", "Ri", "Yi" and 이 are one). A reading is the family
name's syllables, then the given name's *in their order*: "Kim Chol-yong" and "Kim Yong-chol",
"Pak Chun-nam" and "PARK Nam Choon" are two people, and their readings differ (the first
version sorted the syllables, and on the real-data demo 21 of 37 links this level carried were
such pairs). Which word is the family name is not known ("Hong Keun Park" / "PARK Hong-keun"),
so a name of several words has two readings: its first word as the family name, and its last.
Hanja go to Hangul through the
reading table of the ``hanja`` package (installed by ``make``; without it, Hanja names simply
get no reading). What it does not do: Hanja with several readings take the table's one,
romanised given names written as one word are split greedily ("Jongin" is jon-gin), a
family name of two syllables written in Hangul or Hanja (남궁, 南宮) is read as one syllable and
a given-name syllable, and a
non-Korean name whose tokens happen to be Korean-like syllables ("Sam Ho") gets a reading too,
which is why resolution asks a Korean country of Latin names (see resolve/rows.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pepgraph.names.text import family_given, is_han, written_words

# Hangul syllables are composed arithmetically: (initial * 21 + vowel) * 28 + final + 0xAC00.
_INITIALS = ("k", "k", "n", "t", "t", "r", "m", "p", "p", "s", "s", "", "c", "c", "c", "k", "t", "p", "h")
# ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
_VOWELS = ("a", "e", "ya", "ye", "o", "e", "yo", "ye", "o", "wa", "we", "we", "yo", "o", "wo", "we", "wi", "yo",
           "o", "i", "i")
# none ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
           "ng", "t", "t", "k", "t", "p", "t")

# Romanised syllables: the same folding, spelled every way the common romanisations do. Longest
# first, so that "ch" is not read as "c" + "h" and "yeo" not as "ye" + "o".
_LATIN_INITIALS = [("tch", "c"), ("kk", "k"), ("gg", "k"), ("tt", "t"), ("pp", "p"), ("ss", "s"), ("jj", "c"),
                   ("ch", "c"), ("sh", "s"), ("rh", "r"), ("k", "k"), ("g", "k"), ("t", "t"), ("d", "t"),
                   ("p", "p"), ("b", "p"), ("j", "c"), ("s", "s"), ("n", "n"), ("r", "r"), ("l", "r"),
                   ("m", "m"), ("h", "h"), ("", "")]
_LATIN_VOWELS = [("yeo", "yo"), ("yoo", "yo"), ("you", "yo"), ("yae", "ye"), ("wae", "we"), ("weo", "wo"),
                 ("woo", "o"), ("wee", "wi"), ("eui", "i"), ("yu", "yo"), ("yo", "yo"), ("ya", "ya"), ("ye", "ye"),
                 ("yi", "i"), ("wa", "wa"), ("wo", "wo"), ("wu", "o"), ("we", "we"), ("wi", "wi"), ("oe", "we"),
                 ("oi", "we"), ("ui", "i"), ("eo", "o"), ("eu", "o"), ("oo", "o"), ("ou", "o"), ("ae", "e"),
                 ("ai", "e"), ("ee", "i"), ("a", "a"), ("e", "e"), ("i", "i"), ("o", "o"), ("u", "o")]
# a final is read only where no vowel follows (else it starts the next syllable); "Park", "Ahn",
# "Oh", "Suh" are English-style spellings of 박, 안, 오, 서
_LATIN_FINALS = [("ng", "ng"), ("rk", "k"), ("hn", "n"), ("kk", "k"), ("k", "k"), ("g", "k"), ("n", "n"),
                 ("t", "t"), ("d", "t"), ("s", "t"), ("l", "l"), ("r", "l"), ("m", "m"), ("p", "p"), ("b", "p"),
                 ("h", ""), ("", "")]
_VOWEL_START = re.compile(r"[aeiouwy]")
#: family names whose reading differs from the character's (the table gives 金 as 금, "gold", and 沈
#: as 침, "sink", where the family name is 심 "Shim")
SURNAMES = {"金": "김", "沈": "심"}
#: a reading has this many syllables at least and at most (a Korean name has two to four)
MIN_SYLLABLES, MAX_SYLLABLES = 2, 5


def _fold(key: tuple[str, str, str]) -> tuple[str, str, str]:
    """The initial-sound rule, both ways and in every syllable (which syllable starts the family
    name is not known in "Hong Keun Park"): r or n before i / y is dropped (李 is "Ri" in the
    North and 이 "Lee" in the South), and r is n before other vowels (羅 "Ra" / 나 "Na")."""
    initial, vowel, final = key
    if initial in ("r", "n") and vowel[0] in "iy":
        return ("", vowel, final)
    if initial == "r":
        return ("n", vowel, final)
    if initial and vowel[0] == "y" and len(vowel) > 1:
        # the glide after a consonant, which spellings families chose often leave out: 혜 "Hae",
        # 경 "Keung", 세 "Sye" against "hye", "kyeong", "se"
        return (initial, vowel[1:], final)
    return key


def _hangul(ch: str) -> tuple[str, str, str] | None:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    return _INITIALS[code // 588], _VOWELS[(code % 588) // 28], _FINALS[code % 28]


@lru_cache(maxsize=1)
def hanja_table() -> dict[str, str]:
    """Hanja -> Hangul reading, from the ``hanja`` package's table (read as text: importing the
    package parses the same file as YAML, which takes a second). Empty when it is not installed."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("hanja")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "table.yml"
    if not path.is_file():
        return {}
    pairs = re.findall(r'^"\\u([0-9A-Fa-f]{4,5})": "\\u([0-9A-Fa-f]{4})"', path.read_text(encoding="utf-8"), re.M)
    return {chr(int(a, 16)): chr(int(b, 16)) for a, b in pairs}


def _latin_syllables(token: str) -> list[tuple[str, str, str]] | None:
    """A romanised token as syllables, or None where it is not one."""
    out: list[tuple[str, str, str]] = []
    rest = token
    while rest:
        for spelled, initial in _LATIN_INITIALS:
            if not rest.startswith(spelled):
                continue
            after = rest[len(spelled):]
            vowel = next(((s, v) for s, v in _LATIN_VOWELS if after.startswith(s)), None)
            if vowel is None:
                continue
            after = after[len(vowel[0]):]
            for fin, final in _LATIN_FINALS:
                # (with no final, a vowel may follow: "Jaewon" is jae-won, "Daeil" dae-il)
                if after.startswith(fin) and (not fin or not _VOWEL_START.match(after[len(fin):])):
                    out.append((initial, vowel[1], final))
                    rest = after[len(fin):]
                    break
            else:
                continue
            break
        else:
            return None
    return out


def _latin_letters(text: str) -> str:
    """Lower-case ASCII letters of a romanised token ("Ŏ" -> "o"), "" if it holds anything else."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return plain if plain.isascii() and plain.isalpha() else ""


def _hanja_in_hangul(word: str, first: bool) -> list[str] | None:
    """Each Hanja of ``word`` as its Hangul syllable, or None when one has no reading;
    ``first``: the word starts the name, so its first character is read as ``SURNAMES`` says."""
    table = hanja_table()
    hangul = [table.get(ch) for ch in word]
    if first and word[0] in SURNAMES:
        hangul[0] = SURNAMES[word[0]]
    return None if None in hangul else hangul  # type: ignore[return-value]


def _syllables(word: str, first: bool) -> list[str] | None:
    """A written piece's folded syllables as keys (Hangul, Hanja or a romanisation), or None
    where it is not Korean. ``first``: the name's first piece, whose 金 is the family name 김."""
    if all("\uac00" <= ch <= "\ud7a3" for ch in word):
        found = [_hangul(ch) for ch in word]
    elif is_han(word):
        if (hangul := _hanja_in_hangul(word, first)) is None:
            return None
        found = [_hangul(ch) for ch in hangul]
    else:
        letters = _latin_letters(word)
        found = (_latin_syllables(letters) if letters else None) or []  # type: ignore[assignment]
    if not found or None in found:
        return None
    return ["".join(_fold(s)) for s in found]  # type: ignore[arg-type]


#: vowels (their index in a Hangul syllable) that begin with i or y: before them an initial
#: ㄹ or ㄴ falls silent at the start of a word in the South (李 리 -> 이 "Lee")
_I_VOWELS = frozenset({2, 3, 6, 7, 12, 17, 20})


def _initial_rule(syllable: str) -> str:
    """South Korea's initial-sound rule (두음법칙) on a word's first syllable: ㄹ before i or y
    becomes ㅇ (리 -> 이, 류 -> 유), before another vowel ㄴ (로 -> 노, 라 -> 나); ㄴ before i or y
    becomes ㅇ (녀 -> 여). North Korea writes 리 "Ri" and 로 "Ro"."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return syllable
    initial, vowel, final = code // 588, (code % 588) // 28, code % 28
    if initial == 5:  # ㄹ
        initial = 11 if vowel in _I_VOWELS else 2
    elif initial == 2 and vowel in _I_VOWELS:  # ㄴ
        initial = 11
    return chr(0xAC00 + initial * 588 + vowel * 28 + final)


def hangul(name: str, north: bool = False) -> str | None:
    """A name in Hanja written in Hangul as romanisations write it: the family name, then the
    given name's syllables joined by hyphens (文在寅 -> "문 재-인", as "Moon Jae-in"; ICU reads
    재인 written together as one token "jaein", which meets neither "Jae In" nor "Jae-in"). The
    family name is the first character, read as ``SURNAMES`` says and, unless ``north``, by the
    initial-sound rule (李相稷 -> "이 상-직", 盧雄來 -> "노 웅-래"). None when the name is not
    all Hanja, has a character without a reading, or fewer than two characters. Screening
    compares it as a name (``names.readings.screen_readings``), where ICU's Hangul
    romanisation and rigour's name symbols pair it with "MOON Jae-in"."""
    pieces = [p for w in written_words(name) for p in w]
    if not pieces or not all(is_han(p) for p in pieces):
        return None
    chars = _hanja_in_hangul("".join(pieces), first=True)
    if chars is None or len(chars) < 2:
        return None
    family = chars[0] if north else _initial_rule(chars[0])
    return f"{family} {'-'.join(chars[1:])}"


@lru_cache(maxsize=1 << 14)
def readings(name: str) -> tuple[str, ...]:
    """The coarse readings of a Korean name in Hangul, Hanja or a romanisation, each
    "family:given" with the given name's syllables in order ("朴洪根", "박홍근", "PARK Hong-Keun"
    and "Hong Keun Park" all give "pak:hong-kon"), or () when the name is not one: a script
    mixed in, a token that is no sequence of Korean syllables, fewer than two syllables or more
    than five. A name in one word (Hangul, Hanja) has one reading, its first syllable the family
    name; a name in several words two, its first word the family name and its last."""
    words: list[list[str]] = []
    for i, written in enumerate(written_words(name)):
        keys: list[str] = []
        for j, piece in enumerate(written):
            if (syllables := _syllables(piece, first=i == 0 and j == 0)) is None:
                return ()
            keys.extend(syllables)
        words.append(keys)
    if not MIN_SYLLABLES <= sum(len(w) for w in words) <= MAX_SYLLABLES:
        return ()
    return tuple(sorted(family_given(words)))
