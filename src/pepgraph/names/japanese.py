"""Japanese names in kanji and kana, romanised as Japanese.

ICU reads kanji as Mandarin: 池田和也 is "chi tian he ye" to it, where every register outside
Japan writes "Kazuya Ikeda" (or "IKEDA Kazuya"). So a Japanese name in kanji never met its
romanisation; on 20,000 generated key persons such pairs were about a seventh of the Chinese-
script pairs never scored. ``romaji`` reads the name as Japanese through ``cutlet`` (MIT),
which splits it into words and reads them with MeCab (``fugashi``) and the UniDic-lite
dictionary, and writes them in Hepburn: "Ikeda Kazuya". Passports and most romanised lists
leave long vowels unmarked (佐藤 "Sato", 河野 "Kono", 大野 "Ono") where cutlet writes them
("Satou", "Kouno", "Oono"), so the name is given both ways. A kanji name can be read in more
ways than one (名乗り); this gives the dictionary's reading, which is right for common names
and wrong for some (岸田文雄 comes out "Bun'yuu", not "Fumio").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: a long vowel as passports write it: "ou" and "oo" but before a, e, o or u ("Satou" -> "Sato",
#: "Oono" -> "Ono", "Youichi" -> "Yoichi"; "Inoue" keeps its o-u-e), and "uu" ("Yuuko" -> "Yuko")
_LONG = re.compile(r"o[ou](?![aeou])|uu", re.IGNORECASE)
#: what cutlet writes for a character it cannot read (between the words of a foreign name it
#: writes "/", which the split into words below drops)
_UNREAD = "?"


@lru_cache(maxsize=1)
def _katsu() -> Any:
    """cutlet's romaniser, or None when it (or its dictionary) is not installed."""
    try:
        import cutlet
    except ImportError:  # pragma: no cover - a dependency; without it Japanese names keep ICU's reading
        return None
    katsu = cutlet.Cutlet()
    katsu.use_foreign_spelling = False  # katakana loanwords as read, not as their English word
    return katsu


@lru_cache(maxsize=1 << 14)
def romaji(name: str) -> tuple[str, ...]:
    """The Hepburn readings of a name in kanji or kana: as cutlet writes it and, when it differs,
    with long vowels unmarked ("佐藤順子" -> ("Satou Junko", "Sato Junko")); () when a character
    has no reading or cutlet is missing."""
    katsu = _katsu()
    if katsu is None or not name.strip():
        return ()
    text = katsu.romaji(name)
    if _UNREAD in text:
        return ()
    words = " ".join(w for w in re.split(r"[^A-Za-z']+", text) if w).replace("'", "")
    if not words:
        return ()
    short = _LONG.sub(lambda m: m.group()[0], words)
    return (words, short) if short != words else (words,)
