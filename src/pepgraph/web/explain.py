"""Plain words for the screener's feature details and for names' scripts.

The screener explains a score per feature in a compact form ("иван=ivan (transliteration),
petrov missing"); the pages say the same in sentences ("given name “иван” transliterated from
Cyrillic to “ivan”; “petrov” has no counterpart").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_PAIR = re.compile(r"^(?P<q>.+?)=(?P<c>.+?) \((?P<how>[^)]*)\)$")
_MISSING = re.compile(r"^(?P<t>.+?) missing$")

HOW = {
    "exact": "equal",
    "transliteration": "transliterated",
    "phonetic": "sound alike",
    "fuzzy": "spelled alike",
    "initial": "an initial of",
    "symbol": "the same name in another script",
    "nickname": "a known short form",
}

FEATURE_LABELS = {
    "name": "name",
    "birth_date": "birth date",
    "country": "country",
    "gender": "gender",
    "identifier": "identifier",
    "weak_alias": "weak alias",
}


def script_of(text: str) -> str:
    """The script of a text's letters: "Latin", "Cyrillic", "Arabic", "Han"... ("mixed" when
    more than one, "" when none)."""
    found: list[str] = []
    for ch in text:
        if not ch.isalpha():
            continue
        try:
            word = unicodedata.name(ch).split()[0]
        except ValueError:
            continue
        label = {"CJK": "Han", "HANGUL": "Hangul", "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}.get(word, word.title())
        if label not in found:
            found.append(label)
    if not found:
        return ""
    return found[0] if len(found) == 1 else "mixed"


def _part(text: str) -> str:
    text = text.strip()
    m = _PAIR.match(text)
    if m:
        q, c, how = m["q"], m["c"], m["how"]
        if how == "exact":
            return f"“{q}” equal"
        if how == "transliteration":
            return f"“{q}” transliterated from {script_of(q) or 'another script'} to “{c}”"
        words = HOW.get(how, how)
        return f"“{q}” and “{c}”: {words}"
    m = _MISSING.match(text)
    if m:
        return f"“{m['t']}” has no counterpart"
    return text


def plain(feature: str, detail: str) -> str:
    """One feature's detail in plain words."""
    label = FEATURE_LABELS.get(feature, feature.replace("_", " "))
    if feature == "name" and detail:
        return f"{label}: " + "; ".join(_part(p) for p in detail.split(", "))
    return f"{label}: {detail}" if detail else label


def explain_hit(item: dict[str, Any]) -> list[str]:
    """Sentences for a screening result's ``explanations`` (feature -> {score, detail})."""
    out = []
    for feature, exp in (item.get("explanations") or {}).items():
        score = exp.get("score", 0)
        sign = f"{score:.2f}" if feature == "name" else f"{score:+.2f}"
        out.append(f"{plain(feature, exp.get('detail', ''))} ({sign})")
    return out
