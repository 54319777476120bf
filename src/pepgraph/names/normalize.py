"""From a raw name to its tokens in natural order, still in the name's own script.

Steps: NFKC + case fold (``text.fold``); "LASTNAME, Firstname" turned into "firstname lastname";
honorifics and titles removed (``titles.yml`` plus rigour's ``remove_person_prefixes``); for
organisations, rigour's org-type normalisation ("Limited" and "Ltd" both become "ltd") and
article removal; punctuation becomes a token break.
"""

from __future__ import annotations

import re

from rigour.names import (
    remove_obj_prefixes,
    remove_org_prefixes,
    remove_person_prefixes,
    replace_org_types_compare,
)

from pepgraph.names.lexicon import part_words, titles
from pepgraph.names.text import fold, tokenize

# Commas that separate "FAMILY, Given": ASCII (also what NFKC makes of the full-width one),
# Arabic, and the ideographic comma.
_COMMA = re.compile("[,\u060c\u3001]")


def strip_titles(tokens: list[str]) -> list[str]:
    """Remove title sequences from the start and the end; never remove the last token."""
    table = titles()
    start, end = 0, len(tokens)
    while end - start > 1:
        for seq in table.prefixes.get(tokens[start], ()):
            n = len(seq)
            if end - start > n and tuple(tokens[start : start + n]) == seq and _title_here(seq, tokens[start + n : end]):
                start += n
                break
        else:
            break
    while end - start > 1:
        for seq in table.suffixes.get(tokens[end - 1], ()):
            n = len(seq)
            if end - start > n and tuple(tokens[end - n : end]) == seq:
                end -= n
                break
        else:
            break
    out = tokens[start:end]
    if out and table.glued_suffixes and not out[-1].isascii():
        last = out[-1]
        for suffix in table.glued_suffixes:
            if last.endswith(suffix) and len(last) - len(suffix) >= 2:
                out[-1] = last[: -len(suffix)]
                break
    return out


def _title_here(seq: tuple[str, ...], rest: list[str]) -> bool:
    """Whether a title made of single letters ("M." for Monsieur, "S.E." for Son Excellence) is
    one here rather than the name's initials: only before two words or more, the first of them
    not an initial. "M. Jean Dupont" loses it; "M. Velásquez" and "M. E. Balcedo" are initials,
    and removing them had left "Velásquez" and "E. Balcedo", which no longer met "Marcos
    Velásquez" and "Maria Ester Balcedo" as initials of the same name (EveryPolitician)."""
    if any(len(t) > 1 for t in seq):
        return True
    return len(rest) >= 2 and len(rest[0]) > 1


def _is_suffix_segment(tokens: list[str]) -> bool:
    """True for the part after a comma that is not a given name: "Smith, Jr." or "Smith, MP"."""
    words = part_words()
    suffixes = titles().suffixes
    return all(t in words.generational or (t,) in suffixes.get(t, ()) for t in tokens)


def person_tokens(name: str) -> list[str]:
    """Tokens of a person's name, given names first.

    "SIDORENKO, Ivan Petrovich" -> ["ivan", "petrovich", "sidorenko"]. After the first comma come
    the given names, unless that part is only a suffix ("Smith, Jr."); further comma-separated
    parts join the given names, or stay at the end when they are suffixes.
    """
    segments = []
    for seg in _COMMA.split(fold(name)):
        toks = strip_titles(tokenize(seg))
        toks = strip_titles(tokenize(remove_person_prefixes(" ".join(toks))))
        if toks:
            segments.append(toks)
    if not segments:
        return []
    if len(segments) == 1 or _is_suffix_segment(segments[1]):
        return strip_titles([t for seg in segments for t in seg])
    given, tail = list(segments[1]), list[str]()
    for seg in segments[2:]:
        (tail if _is_suffix_segment(seg) else given).extend(seg)
    return strip_titles(given + segments[0] + tail)


def org_tokens(name: str) -> list[str]:
    """Tokens of an organisation's name, legal forms in rigour's compare form ("ltd", "jsc")."""
    text = " ".join(tokenize(remove_org_prefixes(fold(name))))
    if not text:
        return []
    return tokenize(replace_org_types_compare(text))


def other_tokens(name: str, obj: bool = False) -> list[str]:
    """Tokens of any other name (vessels and assets lose "M/V", "SS" and the like)."""
    folded = fold(name)
    return tokenize(remove_obj_prefixes(folded) if obj else folded)
