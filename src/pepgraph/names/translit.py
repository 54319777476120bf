"""Latin (ASCII) forms and scripts of name tokens.

Transliteration is rigour's ``ascii_text``: rigour's own tables for Cyrillic, Greek, Armenian,
Georgian and Hangul ("Шевченко" -> "shevchenko", not ICU's "sevcenko"), and ICU through
``normality`` for everything else (Arabic, Hebrew, Han, kana, Indic scripts, ...). Both are
applied one token at a time and cached per token: names repeat their tokens far more often than
they repeat whole, so the cache is what makes millions of names cheap.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import lru_cache
from typing import Any

from rigour.text.scripts import codepoint_script
from rigour.text.translit import ascii_text

_GERESH_LATIN = (("\u05d2\u05f3", "j"), ("\u05d6\u05f3", "zh"), ("\u05e6\u05f3", "ch"),
                 ("\u05e5\u05f3", "ch"), ("\u05ea\u05f3", "th"), ("\u05f3", ""))
#: Scripts whose personal names are written as one unspaced word, family name first.
_UNSPACED = frozenset({"Han", "Hangul"})


@lru_cache(maxsize=1 << 16)
def latin(token: str) -> str:
    """The ASCII form of one token: lower case letters and digits only."""
    if token.isascii():
        return token
    if "\u05f3" in token:  # Hebrew letters with geresh, see text.py
        for heb, lat in _GERESH_LATIN:
            token = token.replace(heb, lat)
    out = "".join(ch for ch in ascii_text(token).lower() if ch.isascii() and ch.isalnum())
    if len(out) > 2 and out.endswith("a") and _DEVANAGARI_CONSONANT.search(token):
        out = out[:-1]
    return sys.intern(out)


#: A Devanagari word ending in a bare consonant: ICU writes its inherent vowel ("राम" -> "rama",
#: "पोखरेल" -> "pokharela"), which Hindi and Nepali do not pronounce at the end of a word and
#: romanised names never write ("Ram", "Pokharel"). After a conjunct it is pronounced and kept
#: ("नरेन्द्र" -> "narendra"); schwa deletion inside words is left alone.
_DEVANAGARI_CONSONANT = re.compile("(?<!\u094d)[\u0915-\u0939\u0958-\u095f]\u093c?$")


@lru_cache(maxsize=1)
def _simplifier() -> Any:
    import icu

    return icu.Transliterator.createInstance("Traditional-Simplified")


@lru_cache(maxsize=1 << 16)
def han_characters(name: str) -> str:
    """A name written in Han characters, as its characters alone in their simplified forms
    ("陳偉業" and "陈伟业" are one name; "米雷克·托波拉內克" keeps no dot). Pinyin cannot tell
    homophones apart: 刘钟俊 and 刘忠军 are both "liu zhongjun", and two people."""
    return sys.intern(_simplifier().transliterate("".join(ch for ch in name if ch.isalpha())))


@lru_cache(maxsize=1 << 16)
def script(token: str) -> str:
    """The script most of a token's letters are written in ("Common" when it has none)."""
    if token.isascii():
        return "Latin" if any(ch.isalpha() for ch in token) else "Common"
    counts = Counter(codepoint_script(ord(ch)) for ch in token if ch.isalpha())
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else "Common"  # type: ignore[return-value]


def dominant_script(tokens: list[str] | tuple[str, ...]) -> str:
    """The script of most letters over all tokens ("" for a name without letters)."""
    counts: Counter[str] = Counter()
    for tok in tokens:
        counts[script(tok)] += len(tok)
    counts.pop("Common", None)
    return counts.most_common(1)[0][0] if counts else ""


def split_unspaced(tokens: list[str]) -> list[str]:
    """Split a one-word Chinese or Korean personal name into family and given name.

    "王建国" -> ["王", "建国"] (Wang Jianguo), "김정은" -> ["김", "정은"] (Kim Jong-un): a name of
    two or three characters written without a space is, overwhelmingly, a one-character family
    name and a given name. Longer words (foreign names, compound family names) are left whole;
    the comparison can still join tokens where spellings disagree on word breaks.
    """
    if len(tokens) != 1:
        return tokens
    tok = tokens[0]
    if 2 <= len(tok) <= 3 and script(tok) in _UNSPACED and all(ch.isalpha() for ch in tok):
        return [tok[0], tok[1:]]
    return tokens


_DOUBLES = re.compile(r"(.)\1+")
_DIGRAPHS = re.compile(
    "dzh|tsch|sch|tch|tsh|dj|dz|ph|th|sh|ch|kh|gh|zh|ck|ts|tz|ng(?![aeiouy])|c(?=[eiy])"
)
_DIGRAPH_TO = {"dzh": "j", "tsch": "s", "sch": "s", "tch": "s", "tsh": "s", "dj": "j", "dz": "s",
               "ph": "f", "th": "t", "sh": "s", "ch": "s", "kh": "k", "gh": "g", "zh": "j",
               "ck": "k", "ts": "s", "tz": "s", "ng": "n", "c": "s"}
_CLASSES = str.maketrans("pfvwqcxzdlgj", "bbbbkkkstrkk", "aeiouywh")
#: Pinyin letters that sound unlike their English reading: x, q, c (s, ch, ts).
_PINYIN = str.maketrans("xqc", "sss")


#: Indic scripts, read by ICU in ISO 15919: its "c" (च, ச) is what names spell "ch" or "s", and
#: a "v" after a consonant (स्व, ஸ்வ) is what they spell "w": "Swaminathan" / "சுவாமிநாதன்"
#: (cuvaminatan), "Bishwokarma" / "बिस्वकर्मा" (bisvakarma)
_INDIC = frozenset({"Devanagari", "Tamil", "Sinhala", "Bengali", "Gurmukhi", "Gujarati", "Telugu", "Kannada",
                    "Malayalam", "Oriya"})
_INDIC_W = re.compile(r"(?<=[bcdfghjklmnpqrstxz])v")


@lru_cache(maxsize=1 << 16)
def skeleton(latin_form: str, script_name: str, form: str) -> str:
    """A loose consonant key for comparing transliterations from different scripts.

    Abjads write no short vowels ("محمد" -> "mhmd"), kana and Hangul add vowels and confuse l/r,
    Arabic has no p or v, Hebrew writes v and o with one letter, and every language spells
    sibilants its own way (Arabic jim is j or g, Hangul ㄱ is g or k). So: the Arabic article
    and final ta marbuta go; digraphs become one letter; vowels, h, and y and w except at the
    start go; x is "ks" ("Laxmi" / "लक्ष्मी" laksmi, "Alexander" / "Александр" aleksandr);
    b/p/f/v/w, k/q/c/g/j, s/z/sh/ch/ts, d/t and l/r fall together; doubled letters are
    squeezed first. "mohammed" and "محمد" (mhmd) both give "mmt", "vladimir" and "ולדימיר"
    (wldymyr) both "brtmr", "jaabari" and "الجعبري" (aljbry) both "kbr".
    """
    text = latin_form
    if script_name == "Han":
        text = text.translate(_PINYIN)
    elif script_name in _INDIC:
        text = _INDIC_W.sub("w", text.replace("c", "s"))
    elif script_name == "Arabic":
        if form.startswith("\u0627\u0644") and len(form) > 3 and text.startswith("al"):
            text = text[2:]
        if form.endswith("\u0629") and text.endswith(("t", "h")):
            text = text[:-1]
    text = _DOUBLES.sub(r"\1", text)
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_TO[m.group()], text).replace("x", "ks")
    head = text[:1]
    if head in ("w", "y"):
        text = ("b" if head == "w" else "j") + text[1:]
    return text.translate(_CLASSES)
