"""``analyze``: one raw name in, one immutable, cached ``NameForm`` out.

A ``NameForm`` holds everything comparison and blocking need, computed once: the normalised
tokens in the name's own script and in Latin, each token's kind (name, initial, particle,
patronymic, ...), its rigour name symbols and its metaphone key. Splink rows, screening indexes
and ``compare_names`` all read these fields; none of them recomputes text processing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rigour.text import is_stopword
from rigour.text.phonetics import metaphone

from pepgraph.names import symbols
from pepgraph.names.lexicon import part_words
from pepgraph.names.normalize import org_tokens, other_tokens, person_tokens
from pepgraph.names.translit import (
    dominant_script,
    latin,
    script,
    skeleton,
    split_unspaced,
)

#: Token kinds: what a token costs when the other name lacks it depends on it (see align.py).
KINDS = ("name", "initial", "particle", "patronymic", "generational", "legal", "number")


@dataclass(frozen=True, slots=True)
class Token:
    """One part of a name.

    ``form`` is the normalised token in its own script ("иван"), ``latin`` its ASCII form
    ("ivan"), ``kind`` one of ``KINDS``, ``symbols`` the rigour symbols that can pair it with a
    token of another name, ``phonetic`` its metaphone key ("" for one-letter or non-alphabetic
    tokens), ``script`` its Unicode script, ``skeleton`` its loose consonant key for comparing
    transliterations across scripts (see ``translit.skeleton``).
    """

    form: str
    latin: str
    kind: str
    symbols: frozenset[str]
    phonetic: str
    script: str
    skeleton: str = ""

    def __hash__(self) -> int:  # the form decides everything else; hashing it alone is cheap
        return hash((self.form, self.kind))


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name, analysed.

    ``normalized`` and ``latin`` are space-joined tokens in *natural order* (given names first:
    "SIDORENKO, Ivan Petrovich" gives "ivan petrovich sidorenko"), so ``latin.split()`` equals
    ``tokens``; a token in a script that ICU cannot romanise (Khmer, for one) keeps its letters.
    ``symbols`` holds every rigour symbol of the name ("NAME:Q830350", "INITIAL:i", "ORGCLS:LLC"),
    ``phonetic`` the metaphone keys of its Latin tokens of two letters or more, ``script`` the
    script of most of its letters ("" when it has none). ``kind`` is rigour's type tag for the
    schema: PER, ORG, ENT, OBJ or UNK. ``parts`` are the tokens with their details.
    """

    original: str
    normalized: str
    latin: str
    tokens: tuple[str, ...]
    symbols: frozenset[str]
    phonetic: frozenset[str]
    script: str
    kind: str = "PER"
    parts: tuple[Token, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.tokens)


@lru_cache(maxsize=256)
def schema_kind(schema: str) -> str:
    """rigour's name type of a followthemoney schema: "Person" -> "PER", "Company" -> "ORG"."""
    fast = {"Person": "PER", "Organization": "ORG", "Company": "ORG", "LegalEntity": "ENT"}
    if schema in fast:
        return fast[schema]
    from followthemoney import model
    from followthemoney.names import schema_type_tag

    ftm_schema = model.get(schema)
    if ftm_schema is None:
        raise ValueError(f"unknown schema {schema!r}: expected a followthemoney schema name")
    return str(schema_type_tag(ftm_schema).value)


def _token_kinds(forms: list[str], latins: list[str], kind: str) -> list[str]:
    words = part_words()
    person = kind == "PER"
    out = []
    substantive = sum(1 for f in forms if f not in words.particles and len(f) > 1)
    for i, (form, lat) in enumerate(zip(forms, latins)):
        if person and len(lat) == 1 and lat.isalpha() and (len(form) == 1 or form[1:] == "\u05f3"):
            out.append("initial")
        elif form in words.particles or lat in words.patronymic_words:
            out.append("particle")
        elif person and i > 0 and lat in words.generational:
            out.append("generational")
        elif person and i > 0 and substantive >= 3 and lat.endswith(words.patronymic_endings):
            out.append("patronymic")
        elif not person and is_stopword(form):
            out.append("particle")
        elif lat.isdigit():
            out.append("number")
        else:
            out.append("name")
    return out


def _tokens(name: str, kind: str) -> list[str]:
    if kind == "PER":
        return split_unspaced(person_tokens(name))
    if kind in ("ORG", "ENT"):
        return org_tokens(name)
    return other_tokens(name, obj=kind == "OBJ")


@lru_cache(maxsize=1 << 15)
def _analyze(name: str, kind: str) -> NameForm:
    forms = _tokens(name, kind)
    latins = [latin(f) or f for f in forms]  # a script ICU cannot romanise keeps its own letters
    kinds = _token_kinds(forms, latins, kind)
    per_token, all_symbols = symbols.tag(forms, kind, [k == "initial" for k in kinds])
    if kind in ("ORG", "ENT"):
        kinds = [
            "legal" if any(sym.startswith("ORGCLS:") for sym in syms) else k
            for k, syms in zip(kinds, per_token)
        ]
    phon = [metaphone(lat) if len(lat) > 1 and lat.isalpha() else "" for lat in latins]
    scripts = [script(f) for f in forms]
    parts = tuple(
        Token(f, lat, k, syms, p, sc, skeleton(lat, sc, f))
        for f, lat, k, syms, p, sc in zip(forms, latins, kinds, per_token, phon, scripts)
    )
    return NameForm(
        original=name,
        normalized=" ".join(forms),
        latin=" ".join(latins),
        tokens=tuple(latins),
        symbols=all_symbols,
        phonetic=frozenset(p for p in phon if p),
        script=dominant_script(forms),
        kind=kind,
        parts=parts,
    )


def analyze(name: str | None, schema: str = "Person", lang: str | None = None) -> NameForm:
    """Analyse one name; cached on the name and the name type of ``schema`` (Company and
    Organization share entries).

    ``lang`` is accepted for the future (a language hint for transliteration) and ignored today:
    rigour and ICU pick transliterations by script, which is what sources reliably tell us.
    ``None``, empty and punctuation-only names give an empty ``NameForm`` (falsy, no tokens).
    """
    return _analyze(name or "", schema_kind(schema))
