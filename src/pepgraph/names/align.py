"""Pairing the tokens of two names, and the name score.

Tokens are paired in any word order: every token pair is scored by
``similarity.compare_tokens``, and, unless single tokens already pair every token of the shorter
name strongly, so is every two neighbouring tokens of one side, joined, against each token of
the other of a similar length ("abdul rahman" / "abdulrahman", "jong un" / "정은"). The best pairs
are taken greedily, each token used once. The name score is the weighted mean of the pair scores,
where a token left unpaired scores 0:

    score = sum(weight * score, over pairs) / (sum(weight, over pairs) + sum(weight, unpaired))

A pair weighs as much as its heavier token (PAIR_WEIGHT). An unpaired token weighs by its kind
(MISSING_WEIGHT): a name at either end of its name (a given or a family name) 1.0, a name between
two others (a middle name) 0.35 (0.2 when either name is in Arabic, not Persian or Urdu: the
nasab, father's and grandfather's names, which short forms leave out), a patronymic 0.2, an
initial 0.3, a particle ("van", "bin") 0.2, a generational suffix or a legal form 0.3. So a
missing surname costs a lot ("John" / "John Smith": 0.5), a missing middle name or patronymic
little ("Ivan Sidorenko" / "Иван Петрович Сидоренко": 0.89). A name whose only pairs are
initials or particles scores at most 0.5.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from pepgraph.names.forms import Token
from pepgraph.names.similarity import EXACT, SAME_LATIN, TRANSLIT, compare_tokens
from pepgraph.names.translit import skeleton

#: Weight of a pair of tokens, by the heavier token's kind.
PAIR_WEIGHT = {"name": 1.0, "patronymic": 1.0, "initial": 1.0, "number": 1.0,
               "particle": 0.3, "generational": 0.5, "legal": 0.5}  # fmt: skip
#: Weight of a token the other name lacks, by kind (a "name" between two others: INNER_WEIGHT).
MISSING_WEIGHT = {"name": 1.0, "patronymic": 0.2, "initial": 0.3, "number": 1.0,
                  "particle": 0.2, "generational": 0.3, "legal": 0.3}  # fmt: skip
INNER_WEIGHT = 0.35
#: ... and in a pair of names one of which is Arabic in Arabic script (see ``_arabic``): the
#: names between the first and the last are the nasab (father's, grandfather's given names),
#: which short forms of the same name leave out ("فيصل سعود صالح الدويسان" / "Faisal Al
#: Dowaisan"), so they cost what a patronymic does.
NASAB_WEIGHT = 0.2
#: The most a name pair scores when no name, patronymic or number token is paired.
WEAK_CAP = 0.5
_SUBSTANTIVE = frozenset({"name", "patronymic", "number"})

Indexes = tuple[int, ...]
Candidate = tuple[float, float, Indexes, Indexes, str]
#: The score, the pairs (left positions, right positions, how, score), the unpaired positions.
Alignment = tuple[float, list[tuple[Indexes, Indexes, str, float]], list[int], list[int]]


@lru_cache(maxsize=1 << 14)
def _missing_weights(parts: tuple[Token, ...], person: bool, nasab: bool = False) -> tuple[float, ...]:
    """What each token of a name costs when the other name lacks it (``nasab``: the pair
    involves an Arabic name in Arabic script)."""
    weights = [MISSING_WEIGHT[p.kind] for p in parts]
    inner = [i for i, p in enumerate(parts) if p.kind in _SUBSTANTIVE]
    if person and inner:
        for i in range(inner[0] + 1, inner[-1]):
            if parts[i].kind == "name":
                weights[i] = NASAB_WEIGHT if nasab else INNER_WEIGHT
    return tuple(weights)


@lru_cache(maxsize=1 << 14)
def _joined(parts: tuple[Token, ...]) -> tuple[Token, ...]:
    """Each two neighbouring tokens as one; the form keeps a space, which no real token has, so
    joined and real tokens never share an entry of the token-pair cache."""
    out = []
    for a, b in pairwise(parts):
        form, lat = f"{a.form} {b.form}", a.latin + b.latin
        skel = skeleton(lat, a.script, form)
        out.append(Token(form, lat, a.kind, frozenset(), "", a.script, skel))
    return tuple(out)


def _compare_joined(joined: Token, tok: Token) -> tuple[str, float] | None:
    """Only for a token of a similar length and with the same first letter or consonant class;
    in most comparisons nothing is to be joined, and this keeps the cost of trying low."""
    if not 0.6 * len(tok.latin) <= len(joined.latin) <= 2.0 * len(tok.latin):
        return None
    if joined.latin[:1] != tok.latin[:1] and joined.skeleton[:1] != tok.skeleton[:1]:
        return None
    if joined.latin == tok.latin:
        same = joined.form.replace(" ", "") == tok.form
        return (EXACT, 1.0) if same else (TRANSLIT, SAME_LATIN)
    return compare_tokens(joined, tok, False)


#: Letters of Persian, Urdu and Pashto that Arabic does not use: their names have no nasab
#: ("محمد محمدحسین" is Mohammad and a compound given name, not Mohammad son of Mohammad-Hossein).
_NOT_ARABIC = frozenset("\u067e\u0686\u0698\u06af\u06a9\u06cc\u06d2\u0679\u0688\u0691\u06ba")


@lru_cache(maxsize=1 << 14)
def _arabic(parts: tuple[Token, ...]) -> bool:
    """A name in Arabic script written with Arabic's own letters (see ``_NOT_ARABIC``)."""
    arabic = [p for p in parts if p.script == "Arabic"]
    return bool(arabic) and not any(_NOT_ARABIC.intersection(p.form) for p in arabic)


def _key(c: Candidate) -> tuple[float, float, Indexes, Indexes]:
    """Best first: by score, then single tokens at similar positions, then joined ones, then by
    position (deterministic for a given order of the two names, which ``compare._score`` fixes)."""
    return (-c[0], -c[1], c[2], c[3])


def _singles(lp: tuple[Token, ...], rp: tuple[Token, ...], person: bool) -> list[Candidate]:
    """Every token pair with some evidence (see ``_key`` for the order they are taken in)."""
    out: list[Candidate] = []
    nl, nr = len(lp), len(rp)
    for i, a in enumerate(lp):
        for j, b in enumerate(rp):
            if (res := compare_tokens(a, b, person)) is not None:
                out.append((res[1], -abs(i / nl - j / nr), (i,), (j,), res[0]))
    return out


def _joins(lp: tuple[Token, ...], rp: tuple[Token, ...]) -> list[Candidate]:
    """Two neighbouring tokens of one name against one token of the other (ranked after single
    tokens of the same score)."""
    out: list[Candidate] = []
    for i, joined in enumerate(_joined(lp)):
        for j, b in enumerate(rp):
            if (res := _compare_joined(joined, b)) is not None:
                out.append((res[1], -1.0, (i, i + 1), (j,), res[0]))
    for j, joined in enumerate(_joined(rp)):
        for i, a in enumerate(lp):
            if (res := _compare_joined(joined, a)) is not None:
                out.append((res[1], -1.0, (i,), (j, j + 1), res[0]))
    return out


def _greedy(cands: list[Candidate], nl: int, nr: int) -> tuple[list[Candidate], set[int], set[int]]:
    free_l, free_r = set(range(nl)), set(range(nr))
    taken = []
    for cand in cands:
        li, ri = cand[2], cand[3]
        if free_l.issuperset(li) and free_r.issuperset(ri):
            free_l.difference_update(li)
            free_r.difference_update(ri)
            taken.append(cand)
    return taken, free_l, free_r


def align_tokens(lp: tuple[Token, ...], rp: tuple[Token, ...], person: bool) -> Alignment:
    """Greedy pairing: the score, the pairs, and the unpaired positions of each side.

    Joined neighbours are tried unless single tokens already pair every token of the shorter
    name strongly (>= 0.9), the common case of names that match.
    """
    cands = sorted(_singles(lp, rp, person), key=_key)
    taken, free_l, free_r = _greedy(cands, len(lp), len(rp))
    strong_pairs = sum(1 for c in taken if c[0] >= 0.9)
    if strong_pairs < min(len(lp), len(rp)) and (len(lp) > 1 or len(rp) > 1):
        cands = sorted(cands + _joins(lp, rp), key=_key)
        taken, free_l, free_r = _greedy(cands, len(lp), len(rp))
    total = weight = 0.0
    strong = False
    for score, _, li, ri, _how in taken:
        w = max(PAIR_WEIGHT[t.kind] for t in [lp[i] for i in li] + [rp[j] for j in ri])
        total += w * score
        weight += w
        strong = strong or (lp[li[0]].kind in _SUBSTANTIVE and rp[ri[0]].kind in _SUBSTANTIVE)
    nasab = person and (_arabic(lp) or _arabic(rp))
    lmiss, rmiss = _missing_weights(lp, person, nasab), _missing_weights(rp, person, nasab)
    weight += sum(lmiss[i] for i in free_l) + sum(rmiss[j] for j in free_r)
    score = total / weight if weight else 0.0
    pairs = [(li, ri, how, s) for s, _, li, ri, how in taken]
    return (score if strong else min(score, WEAK_CAP)), pairs, sorted(free_l), sorted(free_r)
