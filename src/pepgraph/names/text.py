"""Character-level folding and tokenising of names, in any script.

Why not rigour's ``tokenize_name``: it deletes combining marks, which is right for Latin
diacritics in decomposed form but wrecks abugidas (Devanagari "नरेन्द्र" becomes "नरनदर", Thai
loses its vowels). Here marks stay inside tokens, text is NFKC-composed first (so Latin
diacritics are single letters), and the tokens are then handed to transliteration intact.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Deleted outright: apostrophes and ayn/hamza signs ("O'Brien" -> "obrien", "ʿAbd" -> "abd"),
# the Arabic tatweel, invisible format characters (soft hyphen, zero-width (non-)joiners), and the
# optional marks of alphabets and abjads that NFKC cannot compose away: stress accents
# ("Влади́мир"), Hebrew points and Arabic harakat (vowel signs most sources leave out).
_DELETE: dict[int, None] = {
    ord(ch): None
    for ch in "'\u2019\u2018\u02bc\u02bb\u02bf\u02be`\u00b4\u02b9\u0640\u00ad"
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
}
for _lo, _hi in ((0x300, 0x36F), (0x483, 0x489), (0x591, 0x5BD), (0x5BF, 0x5BF), (0x5C1, 0x5C2),
                 (0x5C4, 0x5C5), (0x5C7, 0x5C7), (0x64B, 0x65F), (0x670, 0x670)):
    _DELETE.update(dict.fromkeys(range(_lo, _hi + 1)))


# Hebrew geresh after gimel, zayin, tsadi or tav changes the sound ("ג'" is j, "צ'" is ch): it is
# kept, as U+05F3, inside the token, where ``translit.latin`` reads it.
_GERESH = re.compile("([\u05d2\u05d6\u05e6\u05e5\u05ea])['\u05f3\u2019]")


@cache
def _token_re() -> re.Pattern[str]:
    """Letters, digits and combining marks form tokens; everything else separates them.

    Python's ``\\w`` does not cover combining marks (Mn/Mc/Me), so their ranges are collected
    once, on first use, from the Unicode database (below U+20000: the marks above it are
    variation selectors, which NFKC leaves and names never need).
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    marks = "".join(re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in ranges)
    return re.compile(f"(?:[^\\W_]|[{marks}\u05f3])+")


def fold(text: str) -> str:
    """NFKC, case fold, and delete apostrophes and invisible characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii() and any("\u05d0" <= ch <= "\u05ea" for ch in text):
        text = _GERESH.sub("\\1\u05f3", text)
    return text.translate(_DELETE)


def tokenize(folded: str) -> list[str]:
    """Split folded text into tokens; punctuation (including ".") and spaces separate."""
    return [sys.intern(tok) for tok in _token_re().findall(folded)]


_NAME_WORDS = re.compile(r"[\s,.\u00b7]+")
_HYPHENS = re.compile(r"[\-\u2010\u2011]+")


def written_words(name: str) -> list[list[str]]:
    """A name's words as written, split at spaces, commas, full stops and middle dots, each as
    the pieces its hyphens join ("PARK Hong-Keun" -> [PARK], [Hong, Keun]): the syllables that
    Korean and Cantonese readings (korean.py, cantonese.py) work on, before any folding or
    transliteration. A hyphenated word is one given name, never a family name and a given one."""
    return [pieces for w in _NAME_WORDS.split(name.strip()) if (pieces := [p for p in _HYPHENS.split(w) if p])]


def is_han(text: str) -> bool:
    """Every character of ``text`` is a CJK ideograph (Chinese characters, kanji, Hanja): the
    written pieces that the Korean, Cantonese and Mandarin readings read character by character."""
    return all(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def family_given(words: list[list[str]]) -> set[str]:
    """A name's readings as "family:given", from its syllable keys by written word, the given
    name's syllables in order ("Kim Chol-yong" is not "Kim Yong-chol"). One word (Hangul, Chinese
    characters) has its first syllable as the family name; a name of several words is read with
    its first word as the family name and with its last ("PARK Hong-keun" / "Hong Keun Park")."""
    join = "-".join
    if len(words) == 1:
        return {f"{words[0][0]}:{join(words[0][1:])}"}
    return {f"{join(words[0])}:{join(s for w in words[1:] for s in w)}",
            f"{join(words[-1])}:{join(s for w in words[:-1] for s in w)}"}
