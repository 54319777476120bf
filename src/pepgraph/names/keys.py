"""Blocking and index keys of a name: the cheap "could these be the same?" test.

Two names that share no key are never compared, so keys must survive every spelling difference
the comparison forgives, while common enough keys still cut millions of pairs to thousands:

* ``t:<latin token>`` -- the Latin form of each token ("t:ivan" from "Иван" and "Ivan");
* ``s:<symbol>`` -- rigour name symbols ("s:NAME:Q830350"), which bridge scripts whose
  transliterations disagree (Hebrew, Japanese, Korean spellings of Western names);
* ``p:<metaphone>`` -- the phonetic key of each Latin token ("p:SM0" for Smith and Smyth);
* ``k:<skeleton>`` -- the loose consonant key of each token, when it has three consonants or
  more ("k:brtmr" from "vladimir" and "ולדימיר"), for transliterations that no symbol covers;
  Chinese and Korean names also get the key of all their tokens joined, since a foreign name
  written in Han or Hangul has no word breaks to agree with; and two neighbouring tokens are
  also a ``t:`` key as one word ("t:ramchandra" from "Ram Chandra"), which is how another
  source may write them (रामचन्द्र, "Ramchandra").

Particles and stopwords ("van", "al", "de"), one-letter tokens and initials give no keys: they
would put every "van ..." in one block. The strings are stable for a given version of pepgraph and
of rigour (its symbol data), so an index may store them and rebuild when either changes.
"""

from __future__ import annotations

from rigour.text import is_stopword

from pepgraph.names.forms import NameForm, analyze
from pepgraph.names.translit import skeleton

_UNSPACED = frozenset({"Han", "Hangul"})
_NO_KEYS = frozenset({"particle", "initial", "legal"})
_SKIP_SYMBOLS = ("INITIAL:", "SYMBOL:", "NUM:")


def name_keys(form: NameForm | str, schema: str = "Person") -> set[str]:
    """Blocking / index keys of one name (a ``NameForm``, or a string analysed with ``schema``)."""
    return set().union(*part_keys(form, schema))


def part_keys(form: NameForm | str, schema: str = "Person") -> list[set[str]]:
    """``name_keys`` by the token they come from, in order (a set for each token that gives
    keys; two neighbouring tokens joined count as the second's, the key of all the tokens of
    a name in Han or Hangul as a set of its own)."""
    if isinstance(form, str):
        form = analyze(form, schema)
    out: list[set[str]] = []
    previous = None
    for part in form.parts:
        if part.kind in _NO_KEYS or len(part.latin) < 2 or is_stopword(part.form):
            previous = None
            continue
        keys = {"t:" + part.latin}
        if previous is not None and form.script not in _UNSPACED:
            keys.add("t:" + previous + part.latin)
        previous = part.latin
        if part.phonetic:
            keys.add("p:" + part.phonetic)
        if len(part.skeleton) >= 3:
            keys.add("k:" + part.skeleton)
        for symbol in part.symbols:
            if not symbol.startswith(_SKIP_SYMBOLS):
                keys.add("s:" + symbol)
        out.append(keys)
    if form.script in _UNSPACED and len(form.parts) > 1:
        joined = skeleton("".join(form.tokens), form.script, "")
        if len(joined) >= 3:
            out.append({"k:" + joined})
    return out
