"""Screening's own name code: analysed names packed into the index and back, and the cheap
pre-score that picks which names of a candidate get the full comparison.

``pepgraph.names.analyze`` runs ICU transliteration and rigour's symbol tagger (about 70 µs a
name); the index stores its output, so a query never analyses a candidate's names again. A
packed name is a plain list (JSON in the index file), rebuilt into the same frozen ``NameForm``
and ``Token`` objects ``compare_names`` reads.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz.distance import Indel

from pepgraph.names import NameForm, Token

Packed = list[Any]


def pack(form: NameForm) -> Packed:
    """A NameForm as a JSON-able list (everything comparison reads, nothing else)."""
    return [
        form.original, form.normalized, form.script, form.kind,
        [[t.form, t.latin, t.kind, sorted(t.symbols), t.phonetic, t.script, t.skeleton] for t in form.parts],
        sorted_latin(form),
    ]


def sorted_latin(form: NameForm) -> str:
    """The Latin tokens in alphabetical order: "putin vladimir" for "Vladimir PUTIN"."""
    return " ".join(sorted(form.tokens))


def unpack(data: Packed) -> NameForm:
    original, normalized, script, kind, parts, _ = data
    tokens = tuple(
        Token(form, lat, k, frozenset(syms), phon, sc, skel) for form, lat, k, syms, phon, sc, skel in parts
    )
    latins = tuple(t.latin for t in tokens)
    return NameForm(
        original=original, normalized=normalized, latin=" ".join(latins), tokens=latins,
        symbols=frozenset(s for t in tokens for s in t.symbols),
        phonetic=frozenset(t.phonetic for t in tokens if t.phonetic), script=script, kind=kind,
        parts=tokens,
    )


def prescore(query_sorted: str, candidate_sorted: str) -> float:
    """A fast 0..1 similarity of two names as sorted Latin tokens (``sorted_latin``), so word
    order is free: only used to pick which of a candidate's names to compare in full."""
    return Indel.normalized_similarity(query_sorted, candidate_sorted)
