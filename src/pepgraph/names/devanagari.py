"""Names in Devanagari as Hindi and Nepali names are spelt in Latin letters.

ICU romanises Devanagari letter by letter, as ISO 15919 does: रामचन्द्र चौधरी is "rāmacandra
caudharī", उषा "uṣā", सिंह "sinha" (pepgraph's Latin form folds the marks and drops a word's final
schwa: "ramacandra caudhari", "usa", "sinh"). A register spells the same people "Ram Chandra
Chaudhary", "Yadav", "Usha", "Singh": च is "ch" there (and छ "chh"), श and ष are "sh", the vowel
every consonant carries unless told otherwise (the *schwa*, अ) is not written where it is not
said, at the end of a word (यादव "Yadav", राम "Ram") and inside one between a vowel and a
consonant followed by a vowel (रामचन्द्र "Ramchandra"). On EveryPolitician's Nepali members the
ISO form met neither the index's keys nor the pre-score, so 25 members written in Devanagari
were not found at all.

``readings`` gives a name's spellings in that practical romanisation (Hunterian, as India's
and Nepal's registers use it, without diacritics): one with only the final schwa dropped
("ramachandra chaudhari"), and one with the inner schwas dropped too ("ramchandra chaudhri")
when that differs; screening compares them with names in Latin letters as it compares the
readings of Chinese and Japanese names (``names.readings.screen_readings``). What it does not
do: tell a Sanskrit compound's joins (रामचन्द्र is read whole, and "Ram Chandra" is paired with
it by the name comparison, which joins two words against one), know words whose schwa is kept
against the rule, or spell व as Nepal often does ("b": सावित्री "Sabitri"); the comparison's
similarity covers the last.
"""

from __future__ import annotations

from functools import lru_cache

#: consonants, each as the practical romanisation writes it (nukta forms included)
CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "ng",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n", "ऩ": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ऱ": "r", "ल": "l", "ळ": "l", "ऴ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
    "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "r", "ढ़": "rh", "फ़": "f", "य़": "y",
}
#: nukta (़) after a consonant: the consonant's nukta form
NUKTA = "\u093c"
_NUKTA_FORMS = {"क": "क़", "ख": "ख़", "ग": "ग़", "ज": "ज़", "ड": "ड़", "ढ": "ढ़", "फ": "फ़", "य": "य़"}
#: independent vowels, long and short alike (the registers write no length)
VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ॠ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऌ": "li",
}
#: vowel signs after a consonant
SIGNS = {
    "\u093e": "a", "\u093f": "i", "\u0940": "i", "\u0941": "u", "\u0942": "u", "\u0943": "ri", "\u0944": "ri",
    "\u0947": "e", "\u0948": "ai", "\u094b": "o", "\u094c": "au", "\u0949": "o", "\u0945": "e", "\u0962": "li",
}
VIRAMA, ANUSVARA, CHANDRABINDU, VISARGA = "\u094d", "\u0902", "\u0901", "\u0903"
_SCHWA = "a"


def is_devanagari(text: str) -> bool:
    """Whether ``text`` holds a Devanagari letter."""
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def _segments(word: str) -> list[list]:
    """A word as [kind, spelling, inherent] segments: "C" a consonant, "V" a vowel ("inherent":
    the schwa a consonant carries unwritten), "N" a nasal or visarga sign, "X" anything else."""
    out: list[list] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if i + 1 < n and word[i + 1] == NUKTA and ch in _NUKTA_FORMS:
            ch, i = _NUKTA_FORMS[ch], i + 1
        if ch in CONSONANTS:
            out.append(["C", CONSONANTS[ch], False])
            nxt = word[i + 1] if i + 1 < n else ""
            if nxt == VIRAMA:
                i += 2
                continue
            if nxt in SIGNS:
                out.append(["V", SIGNS[nxt], False])
                i += 2
                continue
            out.append(["V", _SCHWA, True])
        elif ch in VOWELS:
            out.append(["V", VOWELS[ch], False])
        elif ch in (ANUSVARA, CHANDRABINDU, VISARGA):
            out.append(["N", ch, False])
        elif ch != NUKTA:
            out.append(["X", ch, False])
        i += 1
    return out


def _drop_schwas(seg: list[list], inner: bool) -> list[list]:
    """Drop the word-final schwa after a single consonant (यादव "yadav", not after a cluster:
    चन्द्र "chandra"), and with ``inner`` every schwa between a vowel and a consonant followed
    by a vowel, right to left (रामचन्द्र "ramchandra")."""
    kinds = [s[0] for s in seg]
    letters = [i for i, k in enumerate(kinds) if k in "CV"]
    keep = [True] * len(seg)

    def single_after_vowel(c: int) -> bool:
        # the consonant at ``c`` stands alone after a vowel (a syllable of its own before it)
        prev = [i for i in letters if i < c and keep[i]]
        return bool(prev) and kinds[prev[-1]] == "V"

    last = letters[-1] if letters else None
    if last is not None and seg[last][2] and len(letters) > 2 and kinds[last - 1] == "C" and single_after_vowel(last - 1):
        keep[last] = False
    if inner:
        for pos in reversed(letters[:-1]):
            if not (seg[pos][2] and keep[pos] and kinds[pos - 1] == "C" and single_after_vowel(pos - 1)):
                continue
            after = [i for i in letters if i > pos and keep[i]]
            if len(after) >= 2 and kinds[after[0]] == "C" and kinds[after[1]] == "V":
                keep[pos] = False
    return [s for s, k in zip(seg, keep) if k]


def _spell(seg: list[list]) -> str:
    out: list[str] = []
    for i, (kind, text, _) in enumerate(seg):
        if kind != "N":
            out.append(text)
            continue
        nxt = seg[i + 1] if i + 1 < len(seg) and seg[i + 1][0] == "C" else None
        if text == VISARGA:
            out.append("h")
        elif nxt is not None and nxt[1] == "h" and i + 2 == len(seg):
            out.append("ng")  # सिंह "Singh"
        elif nxt is not None and nxt[1][0] in "pbm":
            out.append("m")  # अंबेडकर "Ambedkar"
        else:
            out.append("n")
    return "".join(out)


def _word(word: str, inner: bool) -> str:
    seg = _segments(word)
    if not any(s[0] in "CV" for s in seg):
        return word
    return _spell(_drop_schwas(seg, inner))


@lru_cache(maxsize=1 << 14)
def readings(name: str) -> tuple[str, ...]:
    """The practical romanisations of a name in Devanagari: with the final schwas dropped, and
    with the inner ones too when that differs (रामचन्द्र चौधरी: "ramachandra chaudhari",
    "ramchandra chaudhri"); () when the name holds no Devanagari."""
    if not is_devanagari(name):
        return ()
    words = name.split()
    out = {" ".join(_word(w, inner) for w in words) for inner in (False, True)}
    return tuple(sorted(out, key=len, reverse=True))
