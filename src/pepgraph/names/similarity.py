"""How alike are two name tokens, and why: the evidence ladder of ``compare_names``.

Every piece of evidence that applies to a token pair is tried; the highest score wins:

=============== ======== ======================================================================
how             score    evidence
=============== ======== ======================================================================
exact           1.0      the same normalised token ("ivan" / "IVAN")
transliteration 0.98     the same Latin form of different spellings ("иван" / "ivan", "josé" /
                         "jose")
symbol          0.95     a rigour name symbol in common ("mohammed" / "محمد", "william" / "bill")
edit            sim      Levenshtein similarity of the Latin forms, from 0.6, at most 0.95
                         ("smith" / "smyth": 0.8)
phonetic        0.8      the same metaphone key, both 3+ letters ("john" / "joan", "jon" / "john")
transliteration <= 0.9   different scripts, alike consonant skeletons (``translit.skeleton``):
                         0.9 for the same skeleton of 4+ consonants ("ולדימיר" / "vladimir":
                         both "brtmr"), 0.85 for 3, 0.75 for 2, and 0.9 x the Indel similarity
                         of skeletons at least 0.75 alike ("שוורצנגר" / "schwarzenegger": 0.82);
                         Arabic words also with their article glued on and ظ as "dh"
                         ("الظاهري" / "aldhaheri", see ``_arabic_readings``)
initial         0.7      a one-letter token and a name it starts ("j" / "john"; persons only)
=============== ======== ======================================================================

Two tokens in Han characters meet only as the same Latin form (陳 / 陈) or a symbol: the edit
distance or metaphone of their pinyin says nothing about different characters.

Anything short of identity scores below 1.0 on purpose: two similar tokens of different people
(Peter / Petra, John / Joan) must leave a name pair below a perfect score. Tokens with digits and
generational suffixes match only exactly or by symbol: "2" / "3" and "XIV" / "XV" are not typos.
"""

from __future__ import annotations

from rapidfuzz.distance import Indel, Levenshtein

from pepgraph.names.forms import Token
from pepgraph.names.translit import latin, skeleton

EXACT, TRANSLIT, SYMBOL, PHONETIC, EDIT, INITIAL, MISSING = (
    "exact",
    "transliteration",
    "symbol",
    "phonetic",
    "edit",
    "initial",
    "missing",
)
HOWS = (EXACT, SYMBOL, TRANSLIT, PHONETIC, EDIT, INITIAL, MISSING)

SAME_LATIN = 0.98
SAME_SYMBOL = 0.95
SAME_SKELETON = 0.9
SAME_SOUND = 0.8
AN_INITIAL = 0.7
EDIT_MIN = 0.6
SKELETON_MIN = 0.75


def _skeleton_score(a: str, b: str) -> float:
    """Score of two consonant skeletons: short ones agree by chance, so they score less."""
    n = min(len(a), len(b))
    if a == b:
        return SAME_SKELETON if n >= 4 else 0.85 if n == 3 else 0.75 if n == 2 else 0.0
    if n < 3:
        return 0.0
    ssim = Indel.normalized_similarity(a, b)
    return round(0.9 * ssim, 3) if ssim >= SKELETON_MIN else 0.0


#: Token pair results by (form, form, initials): a pair's evidence follows from the two forms
#: (Latin form, kind, symbols and keys all derive from them), and dict keys of two strings hash
#: far faster than the tokens themselves. Bounded by dropping everything when full.
_CACHE: dict[tuple[str, str, bool], tuple[str, float] | None] = {}
_CACHE_MAX = 1 << 18


def compare_tokens(a: Token, b: Token, initials: bool = True) -> tuple[str, float] | None:
    """The strongest evidence that ``a`` and ``b`` are the same name part, or None (cached)."""
    key = (a.form, b.form, initials) if a.form <= b.form else (b.form, a.form, initials)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    res = _CACHE[key] = _compare(a, b, initials)
    return res


def clear_cache() -> None:
    """Forget token pair results (for benchmarks)."""
    _CACHE.clear()


def _compare(a: Token, b: Token, initials: bool) -> tuple[str, float] | None:
    if a.form == b.form:
        return EXACT, 1.0
    a_init, b_init = a.kind == "initial", b.kind == "initial"
    if initials and a_init != b_init:
        short, full = (a, b) if a_init else (b, a)
        if full.latin.startswith(short.latin) or full.form.startswith(short.form):
            return INITIAL, AN_INITIAL
        return None
    if a.latin == b.latin:
        return TRANSLIT, SAME_LATIN
    shared = bool(a.symbols & b.symbols)
    if a.script == b.script == "Han":
        # different characters are different names, however alike their pinyin: 小松 / 晓红
        # (xiaosong / xiaohong) or 全 / 晨 (one metaphone) are not typos of each other
        return (SYMBOL, SAME_SYMBOL) if shared else None
    if a_init or b_init or "generational" in (a.kind, b.kind) or not (a.latin + b.latin).isalpha():
        return (SYMBOL, SAME_SYMBOL) if shared else None
    best: tuple[str, float] = (SYMBOL, SAME_SYMBOL) if shared else (EDIT, 0.0)
    sim = Levenshtein.normalized_similarity(a.latin, b.latin)
    if sim >= EDIT_MIN and sim > best[1]:
        best = (EDIT, round(min(sim, 0.95), 3))
    sounds_alike = a.phonetic == b.phonetic != "" and min(len(a.latin), len(b.latin)) > 2
    if sounds_alike and best[1] < SAME_SOUND:
        best = (PHONETIC, SAME_SOUND)
    if a.script != b.script and best[1] < SAME_SKELETON:
        score = max(_skeleton_score(a.skeleton, b.skeleton), _arabic_readings(a, b))
        if score > best[1]:
            best = (TRANSLIT, score)
    return best if best[1] > 0.0 else None


_ARTICLE = "\u0627\u0644"  # ال
_ZAH, _THAL = "\u0638", "\u0630"  # ظ, ذ


def _arabic_readings(a: Token, b: Token) -> float:
    """Readings of an Arabic word that its plain skeleton misses, against a romanisation:

    * the article glued on: the skeleton drops the article, which Gulf romanisations keep as
      "al"/"el" ("السويدي" / "alsuwaidi", and "al dowaisan" as two joined tokens), so when the
      Latin word starts so, both are compared with the article kept (both "rst");
    * ظ as "dh": ICU writes it "z" (Afghan "Zahir", Persian "Zarif"), Gulf names "dh" ("الظاهري"
      / "Al Dhaheri", "حافظ" / "Hafedh"), so a word with ظ is also read with ذ ("dh").
    """
    ar, lat = (a, b) if a.script == "Arabic" else (b, a)
    if ar.script != "Arabic" or lat.script != "Latin":
        return 0.0
    glued = ar.form.startswith(_ARTICLE) and lat.latin.startswith(("al", "el")) and len(lat.latin) >= 5
    dh = _ZAH in ar.form
    if not (glued or dh):
        return 0.0
    ar_latin = latin(ar.form.replace(_ZAH, _THAL)) if dh else ar.latin
    return _skeleton_score(skeleton(ar_latin, ar.script, "" if glued else ar.form), lat.skeleton)
