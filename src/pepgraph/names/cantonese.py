"""Hong Kong and Macau names in Chinese characters and their Cantonese romanisation, as one reading.

Hong Kong writes its people's names in the government's Cantonese romanisation: 盧偉國 is "LO
Wai-kwok", 梁繼昌 "LEUNG Ka-lau", 葉國謙 "IP Kwok-him". ICU reads the characters as Mandarin
(lu wei guo), so none of these met; on the EveryPolitician benchmark they were most of the Han /
Latin pairs left after Korean readings. ``readings`` gives both sides the same *coarse
reading*: each syllable romanised the Hong Kong way, from the character table of the
``cantonese-romanisation`` package (MIT; a character with several readings gives each), folded
where spellings of one sound differ (g/k, b/p, d/t, j/ch/ts; Ip/Yip; Chue/Chu), as the family
name and the given name's syllables in order; the family name may stand first or last.
"""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from typing import Any

from pepgraph.names.text import family_given, is_han, written_words

#: syllables a name has at least and at most
MIN_SYLLABLES, MAX_SYLLABLES = 2, 4
#: readings one name may give at most (a character can have several)
MAX_READINGS = 16
_FOLD = [("tsz", "c"), ("ts", "c"), ("ch", "c"), ("j", "c"), ("z", "c"), ("g", "k"), ("b", "p"), ("d", "t")]


@lru_cache(maxsize=1)
def table() -> dict[str, list[str]]:
    """Character -> Hong Kong romanisations, from the ``cantonese-romanisation`` package's data
    (read directly: its class loads six tables). Empty when it is not installed."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("cantoroman")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "charToRoman.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


#: the finals that Macau's Portuguese-based romanisation and Hong Kong's spell differently, and
#: the long vowels some tables mark ("aa", "ar"), as (spelling, the folded one): 梁 "LEONG" /
#: "LEUNG", 國 "KUOK" / "KWOK", 倫 "LON" / "LUN", 潤 "ION" / "YUN", 趙 "CHIO" / "CHIU", 鑑 "kaam" /
#: "Kam", 家 "kar" / "Ka", 麒 "kei" / "Ki", 易 "YICK" / "yik"; applied to the end of a syllable
_FINALS = [("eong", "eung"), ("uok", "wok"), ("aam", "am"), ("arm", "am"), ("aa", "a"), ("ar", "a"),
           ("ei", "i"), ("ck", "k"), ("io", "iu"), ("on", "un")]


@lru_cache(maxsize=1 << 14)
def fold(syllable: str) -> str:
    """One romanised syllable with the spellings of one sound made one ("kwok" / "gwok",
    "cheung" / "jeung", "yip" / "ip"), in Hong Kong's romanisation or Macau's ("kuok",
    "leong"): the reading is coarse on purpose, since it only has to meet the other side's."""
    s = syllable.lower()
    if s.startswith("i") and len(s) > 2 and s[1] in "eo":
        s = "y" + s[1:]  # Macau 楊 "Ieong" / "Yeung"
    if s.startswith("sz"):
        s = "s" + s[2:]  # 施 "Sze" / Macau "Si"
    if s.endswith("ue") and len(s) > 2:
        s = s[:-1]  # 柱 "chue" / "Chu"
    for spelled, to in _FINALS:
        if s.endswith(spelled) and (len(s) > len(spelled) or spelled == "on"):  # 安 "On" too
            s = s[: len(s) - len(spelled)] + to
            break
    if s.startswith("y") and len(s) > 2 and s[1] in "iu":
        s = s[1:]
    for spelled, to in _FOLD:
        if s.startswith(spelled):
            return to + s[len(spelled):]
    return s


def readings(name: str) -> set[str]:
    """The coarse readings of a Hong Kong name in Chinese characters (one per combination of
    the characters' readings, at most ``MAX_READINGS``) or romanised ("LO Wai-kwok"), each
    "family:given" with the given name's syllables in order (盧偉國 and "LO Wai-kwok" are
    "lo:wai-kwok"; "Wai-kwok LO" too): a set, empty when the name is neither, or has fewer than
    two syllables or more than four. Characters are one word whose first is the family name; a
    romanised name of several words is read with its first word as the family name and with its
    last, leaving out English given names ("Christopher CHEUNG Wah-fung"). The first version
    sorted the syllables, which made "CHAN Ka-wai" and "CHAN Wai-ka" one name."""
    words = written_words(name)
    if not words:
        return set()
    pieces = [p for w in words for p in w]
    if all(is_han(p) for p in pieces):
        chars = "".join(pieces)
        if not MIN_SYLLABLES <= len(chars) <= MAX_SYLLABLES:
            return set()
        found = table()
        options = [sorted({fold(r) for r in found.get(ch) or found.get(traditional(ch), [])}) for ch in chars]
        if not all(options):
            return set()
        combos = itertools.islice(itertools.product(*options), MAX_READINGS)
        return set().union(*(family_given([list(c)]) for c in combos))
    if not all(p.isascii() and p.isalpha() for p in pieces):
        return set()
    known = syllables()
    # a word any piece of which is no syllable is an English name ("Christopher"), left out
    kept = [[fold(p) for p in w] for w in words if all(fold(p) in known for p in w)]
    if not MIN_SYLLABLES <= sum(len(w) for w in kept) <= MAX_SYLLABLES:
        return set()
    return family_given(kept)


@lru_cache(maxsize=1 << 12)
def traditional(ch: str) -> str:
    """A simplified character in its traditional form (ICU's Simplified-Traditional), for the
    table, which reads traditional characters: 林大辉 is 林大輝 "LAM Tai-fai" (a press source may
    write a Hong Kong name in simplified characters)."""
    return str(_to_traditional().transliterate(ch))


@lru_cache(maxsize=1)
def _to_traditional() -> Any:
    import icu

    return icu.Transliterator.createInstance("Simplified-Traditional")


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every folded syllable of the table: a romanised word outside it is an English given name."""
    return frozenset(fold(r) for values in table().values() for r in values)
