"""``compare_names``: two sets of name forms in, one explained similarity out.

Every pair of forms (one from each side) is aligned and scored by ``align``; the best pair gives
the result, and only its explanation is built. See ``align`` for the score and ``similarity``
for how two tokens can match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pepgraph.names.align import Alignment, align_tokens
from pepgraph.names.forms import NameForm, analyze
from pepgraph.names.similarity import EXACT, MISSING


@dataclass(frozen=True, slots=True)
class PartMatch:
    """One part of the explanation: ``left`` and ``right`` are normalised tokens (None on the
    side that lacks it when ``how`` is "missing"; joined tokens are space-separated)."""

    left: str | None
    right: str | None
    how: str
    score: float

    def __str__(self) -> str:
        if self.how == MISSING:
            return f"{self.left if self.left is not None else self.right} missing"
        scored = self.how in ("edit", "phonetic") or self.score < 0.9
        detail = f"{self.how} {self.score:.2f}" if scored else self.how
        return f"{self.left}={self.right} ({detail})"


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The best pair of forms: ``score`` in [0, 1], the two forms, and how their parts matched."""

    score: float
    left: NameForm | None
    right: NameForm | None
    parts: tuple[PartMatch, ...] = ()

    def explain(self) -> str:
        """One line, e.g. "ivan=иван (transliteration), sidorenko=сидоренко (transliteration)"."""
        if not self.parts:
            return "no names to compare"
        return ", ".join(str(p) for p in self.parts)


def _score(left: NameForm, right: NameForm) -> Alignment:
    """Align two non-empty names. They are paired in a fixed order (by normalised form),
    whichever side they come from, so the score is symmetric; the result is in the callers'."""
    if left.normalized == right.normalized:
        return 1.0, [((i,), (i,), EXACT, 1.0) for i in range(len(left.parts))], [], []
    person = left.kind == "PER" and right.kind == "PER"
    if (left.normalized, left.kind) <= (right.normalized, right.kind):
        return align_tokens(left.parts, right.parts, person)
    score, flipped, free_r, free_l = align_tokens(right.parts, left.parts, person)
    return score, [(li, ri, how, s) for ri, li, how, s in flipped], free_l, free_r


def _explain(left: NameForm, right: NameForm, alignment: Alignment) -> NameMatch:
    """The NameMatch of the winning alignment (explanations are built for it only): parts in the
    left name's word order, then what only the right name has."""
    score, pairs, free_l, free_r = alignment
    lp, rp = left.parts, right.parts
    items = []
    for li, ri, how, s in pairs:
        lform, rform = " ".join(lp[i].form for i in li), " ".join(rp[j].form for j in ri)
        items.append((li[0], PartMatch(lform, rform, how, s)))
    items.extend((i, PartMatch(lp[i].form, None, MISSING, 0.0)) for i in free_l)
    items.sort(key=lambda item: item[0])
    parts = [p for _, p in items] + [PartMatch(None, rp[j].form, MISSING, 0.0) for j in free_r]
    return NameMatch(round(score, 4), left, right, tuple(parts))


def match_forms(left: NameForm, right: NameForm) -> NameMatch:
    """Compare two analysed names."""
    if not left.parts or not right.parts:
        return NameMatch(0.0, left, right, ())
    return _explain(left, right, _score(left, right))


def _forms(names: Iterable[str | NameForm] | str | NameForm | None, schema: str) -> list[NameForm]:
    if names is None:
        return []
    if isinstance(names, (str, NameForm)):
        names = [names]
    seen: dict[str, NameForm] = {}
    for name in names:
        form = name if isinstance(name, NameForm) else analyze(name, schema)
        if form and form.normalized not in seen:
            seen[form.normalized] = form
    return list(seen.values())


def compare_names(
    left: Iterable[str | NameForm] | str | NameForm | None,
    right: Iterable[str | NameForm] | str | NameForm | None,
    schema: str = "Person",
) -> NameMatch:
    """The best match between any name of ``left`` and any name of ``right``.

    Either side may be one name or many, as strings (analysed with ``schema``) or ``NameForm``s.
    A side without a usable name (None, empty, punctuation only) gives score 0.0 and no parts.
    """
    lefts, rights = _forms(left, schema), _forms(right, schema)
    if not lefts or not rights:
        return NameMatch(0.0, lefts[0] if lefts else None, rights[0] if rights else None, ())
    best = (lefts[0], rights[0], _score(lefts[0], rights[0]))
    for lf in lefts:
        for rf in rights:
            if best[2][0] >= 1.0:
                return _explain(*best)
            if lf is not best[0] or rf is not best[1]:
                alignment = _score(lf, rf)
                if alignment[0] > best[2][0]:
                    best = (lf, rf, alignment)
    return _explain(*best)
