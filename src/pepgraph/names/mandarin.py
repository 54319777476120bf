"""Chinese names in characters, pinyin and Wade-Giles, as one coarse reading.

Taiwan, and older records of the mainland, romanise names in Wade-Giles, and registers drop its
apostrophes and umlauts: 蔡英文 is "Tsai Ing-wen", 蔣經國 "Chiang Ching-kuo", 何晶秋 "Ho
Ching-chiu", where pinyin writes cai yingwen, jiang jingguo, he jingqiu. ICU reads the
characters as pinyin, so a Wade-Giles spelling met its characters, or the pinyin of the same
name, only where the two systems happen to spell a syllable alike ("Wang", "Li"). On 20,000
generated key persons these were about a fifth of a sample of the true pairs never scored.

``readings`` gives both sides one coarse reading: every syllable as Wade-Giles without its
apostrophes and umlauts (pypinyin's tables, MIT), as the
family name and the given name's syllables in order, the family name first or last (see
``text.family_given``). A character gives every reading pypinyin's dictionary lists for it
(单 is dan, shan and chan: "tan", "shan", "chan"), a romanised syllable its own spelling when it is
one of Wade-Giles and its Wade-Giles when it is one of pinyin ("chang" is both; "zhang" and
"chang" both become "chang", as Wade-Giles without apostrophes spells them). That is coarse on
purpose: Wade-Giles without apostrophes spells zh/ch, j/q, z/c, b/p, d/t and g/k alike, so
張 and 常 both read "chang"; the reading only has to meet the other side's, and the other
comparisons (birth date, country, office) decide. A word of several syllables written as one
("Renping") is split into as few syllables as it can be; a name with a word that is no
Mandarin syllables ("Christopher", "Kwok") has no reading.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from pepgraph.names.text import family_given, is_han, written_words

#: syllables a name has at least and at most
MIN_SYLLABLES, MAX_SYLLABLES = 2, 4
#: readings one name may give at most (a character, or a romanised syllable, can have several)
MAX_READINGS = 16


def _clean(text: str) -> str:
    """A romanisation as registers write it: lower case, no apostrophes, u for ü (pypinyin writes
    "v")."""
    return text.lower().replace("'", "").replace("\u2019", "").replace("\u00fc", "u").replace("v", "u")


def fold(reading: str) -> str:
    """A Wade-Giles syllable with a leading y before i dropped: Wade-Giles writes 英 "ying", 義 "i",
    and Taiwan's passports "Ing" ("Tsai Ing-wen")."""
    return reading[1:] if reading.startswith("yi") else reading


#: readings without a vowel (pinyin's interjections hm, hng, m, n, ng) are no name's syllables
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, tuple[str, ...]], dict[str, str], frozenset[str]]:
    """From pypinyin's tables: character -> its folded Wade-Giles syllables; toneless pinyin
    syllable -> its folded Wade-Giles; every folded Wade-Giles syllable. pypinyin's syllable
    table is read directly: its converter rewrites syllables piecewise and gets some wrong
    ("hai" -> "hei", "guo" -> "guo"), where the table has them right. Empty without pypinyin."""
    try:
        from pypinyin import Style
        from pypinyin.pinyin_dict import pinyin_dict
        from pypinyin.style import convert
        from pypinyin.style.wadegiles import _convert_table
    except ImportError:  # pragma: no cover - a dependency; without it no name gets a reading
        return {}, {}, frozenset()
    plain = {_clean(py): fold(_clean(wg)) for py, wg in _convert_table if _VOWELS.intersection(py)}
    toned = {p for value in pinyin_dict.values() for p in value.split(",") if p}
    of_toned = {p: plain.get(_clean(convert(p, Style.NORMAL, strict=False))) for p in toned}
    chars = {code: tuple(sorted({w for p in value.split(",") if p and (w := of_toned[p])}))
             for code, value in pinyin_dict.items()}
    return chars, plain, frozenset(plain.values())


@lru_cache(maxsize=1 << 14)
def syllable(piece: str) -> tuple[str, ...]:
    """The Wade-Giles readings of one romanised syllable: itself if Wade-Giles spells a syllable
    so, and its Wade-Giles if pinyin does ("ren" gives "jen", "hsi" stays, "chang" is both,
    "renping" is none)."""
    _, plain, wade = _tables()
    p = piece.lower()
    own = fold(p)
    return tuple(sorted({r for r in (own if own in wade else None, plain.get(p)) if r}))


@lru_cache(maxsize=1 << 14)
def split(word: str) -> tuple[str, ...]:
    """A romanised word as few syllables as it can be, each a pinyin or Wade-Giles syllable
    ("renping" -> ("ren", "ping"), "xian" stays whole); () when it cannot be split. A syllable
    after the first never starts with a vowel: pinyin marks that break (xi'an), and "lee" is not
    "le" + "e"."""
    word = word.lower()
    if syllable(word):
        return (word,)
    best: tuple[str, ...] = ()
    for cut in range(len(word) - 1, 0, -1):  # the longest first syllable first
        head, rest = word[:cut], word[cut:]
        if rest[0] in _VOWELS or not syllable(head):
            continue
        if (tail := split(rest)) and (not best or 1 + len(tail) < len(best)):
            best = (head, *tail)
    return best if len(best) <= MAX_SYLLABLES else ()


def _looks_wade_giles(words: list[list[str]]) -> bool:
    """A romanised name written the Wade-Giles way: a hyphenated word of syllables, as it writes
    a given name ("Shan-i"), or a syllable that only Wade-Giles spells so ("Chiung", "Hsin")."""
    plain = _tables()[1]
    return any(len(w) > 1 and all(syllable(p) for p in w) for w in words) or any(
        syllable(p) and p.lower() not in plain for w in words for p in w)


def readings(name: str, wade_giles_only: bool = False) -> set[str]:
    """The coarse readings of a Chinese name in characters or romanised ("蔡英文" and "Tsai
    Ing-wen" are both "tsai:ing-wen", and so is "Cai Yingwen"): a set, empty when the name is
    neither or has fewer than two syllables or more than four. ``wade_giles_only`` reads a
    romanised name only when it looks like Wade-Giles (``_looks_wade_giles``), for records that
    say no country: "Ma Lin" may be anyone's name."""
    words = written_words(name)
    if not words:
        return set()
    pieces = [p for w in words for p in w]
    if all(is_han(p) for p in pieces):
        # characters, one syllable each; written as one word, the first is the family name
        table = _tables()[0]
        grouped = [[table.get(ord(ch), ()) for p in w for ch in p] for w in words]
    elif all(p.isascii() and p.isalpha() for p in pieces):
        if wade_giles_only and not _looks_wade_giles(words):
            return set()
        # each word as its syllables, and every word has to be: "Harun", "Abu" and "Lee" split
        # into syllables too, and leaving out the words that do not ("Abu Bakar Othman") had
        # given every Malaysian "Abu" one reading
        if not all(split(p) for p in pieces):
            return set()
        grouped = [[syllable(s) for p in w for s in split(p)] for w in words]
    else:
        return set()
    flat = [opts for w in grouped for opts in w]
    if not MIN_SYLLABLES <= len(flat) <= MAX_SYLLABLES or not all(flat):
        return set()
    out: set[str] = set()
    for combo in itertools.islice(itertools.product(*flat), MAX_READINGS):
        it = iter(combo)
        out |= family_given([[next(it) for _ in w] for w in grouped])
    return out
