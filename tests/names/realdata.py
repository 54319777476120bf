"""Real cross-script name pairs, read in place from ../shared/data, and the figures we report.

Used by the tests (on a fixed sample of each file, with loose floors) and, run as a script, to
measure every file in full for docs/names.md:

    .venv/bin/python -m tests.names.realdata            # timings, then full files (~2 min)
    .venv/bin/python -m tests.names.realdata --sample 1000

True pairs are the lines of each file (English / other script). False pairs are the same names
with shuffled partners: the share of them scoring >= 0.7 is the baseline of chance agreement.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pepgraph.names import analyze, compare_names, name_keys

NETRANSLIT = ("name-pairs", "wikidata-netranslit")
#: file -> whether the other-script side is spelled out letter by letter ("м о р и н").
PAIR_FILES = {
    "wd_russian_20": True,
    "wd_arabic_20": True,
    "wd_chinese_20": True,
    "wd_hebrew_20": True,
    "wd_korean_20": True,
    "wd_japanese_20": True,
    "wd_katakana_20": True,
    "wd_hebrew": False,
    "wd_korean": False,
}
AR2EN = ("name-pairs", "google-ar2en", "ar2en.txt")
PUTIN = ("opensanctions-nomenklatura", "fixtures", "putin_names.txt")
Pair = tuple[str, str]


def read_pairs(path: Path, spelled: bool = False, arabic_first: bool = False) -> list[Pair]:
    """(English, other script) pairs of one file, in file order, without duplicates."""
    pairs: dict[Pair, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            continue
        a, b = (cols[1], cols[0]) if arabic_first else (cols[0], cols[1])
        pairs[(a.strip(), b.replace(" ", "") if spelled else b.strip())] = None
    return list(pairs)


def read_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def sample(pairs: list[Pair], n: int | None, seed: int = 7) -> list[Pair]:
    if n is None or n >= len(pairs):
        return pairs
    return random.Random(seed).sample(pairs, n)


def shuffled(pairs: list[Pair], seed: int = 11) -> list[Pair]:
    """Each English name with the other-script name of another, random line."""
    others = [b for _, b in pairs]
    random.Random(seed).shuffle(others)
    true = set(pairs)
    return [(a, b) for (a, _), b in zip(pairs, others) if (a, b) not in true]


def putin_pairs(names: list[str]) -> list[Pair]:
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]


def putin_false(names: list[str], others: list[str], per_name: int = 20) -> list[Pair]:
    """Each spelling of Putin's name with names of other people (Hebrew file, both scripts)."""
    rng = random.Random(3)
    return [(a, b) for a in names for b in rng.sample(others, per_name)]


@dataclass
class Figures:
    name: str
    pairs: int
    recall70: float
    recall85: float
    false70: float
    keys_true: float
    keys_false: float


def measure(name: str, true: list[Pair], false: list[Pair], schema: str = "Person") -> Figures:
    def share(pairs: list[Pair], pred) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for p in pairs if pred(p)) / len(pairs) if pairs else 0.0

    scores = {p: compare_names(p[0], p[1], schema).score for p in true}
    fscores = [compare_names(a, b, schema).score for a, b in false]

    def shares_key(p: Pair) -> bool:
        return bool(name_keys(analyze(p[0], schema)) & name_keys(analyze(p[1], schema)))

    return Figures(
        name=name,
        pairs=len(true),
        recall70=share(true, lambda p: scores[p] >= 0.7),
        recall85=share(true, lambda p: scores[p] >= 0.85),
        false70=sum(1 for s in fscores if s >= 0.7) / len(fscores) if fscores else 0.0,
        keys_true=share(true, shares_key),
        keys_false=share(false, shares_key),
    )


def all_figures(shared_root: Path, n: int | None) -> list[Figures]:
    out = []
    for fname, spelled in PAIR_FILES.items():
        pairs = sample(read_pairs(shared_root.joinpath(*NETRANSLIT, fname), spelled), n)
        out.append(measure(fname, pairs, shuffled(pairs)))
    pairs = sample(read_pairs(shared_root.joinpath(*AR2EN), arabic_first=True), n)
    out.append(measure("ar2en.txt", pairs, shuffled(pairs)))
    names = read_lines(shared_root.joinpath(*PUTIN))
    hebrew = read_pairs(shared_root.joinpath(*NETRANSLIT, "wd_hebrew"))
    others = [name for pair in hebrew for name in pair][:4000]
    out.append(measure("putin_names.txt", putin_pairs(names), putin_false(names, others)))
    return out


def _clear_caches() -> None:
    from pepgraph.names import forms, similarity, translit

    for fn in (forms._analyze, translit.latin, translit.script, translit.skeleton):
        fn.cache_clear()
    similarity.clear_cache()


def _per_call(fn, items) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for item in items:
        fn(*item)
    return (time.perf_counter() - start) / len(items) * 1e6


def timings(shared_root: Path) -> dict[str, float]:
    """Microseconds per call of analyze and compare_names, on real names.

    ``analyze`` cold: every pepgraph cache empty (the word lists loaded); warm tokens: the
    per-token caches (transliteration, script, skeleton) hold the tokens but not the names, as in
    a long run over millions of names that share their words; cached: the same names again.
    ``compare_names`` is timed on names already analysed, one name against two and two against
    two, with an empty token-pair cache.
    """
    heb = read_pairs(shared_root.joinpath(*NETRANSLIT, "wd_hebrew"))
    kor = read_pairs(shared_root.joinpath(*NETRANSLIT, "wd_korean"))
    latin = [(n,) for n in dict.fromkeys(a for a, _ in heb + kor)][:20000]
    other = [(n,) for n in dict.fromkeys(b for _, b in heb[:10000] + kor[:10000])]
    analyze("warm up the word lists")
    out: dict[str, float] = {}
    for label, names in (("latin", latin), ("other scripts", other)):
        _clear_caches()
        out[f"analyze, {label}, cold"] = _per_call(analyze, names)
        from pepgraph.names.forms import _analyze

        _analyze.cache_clear()
        out[f"analyze, {label}, warm tokens"] = _per_call(analyze, names)
        out[f"analyze, {label}, cached"] = _per_call(analyze, names)
    pairs = heb[:5000] + kor[:5000]
    n = len(pairs)
    one_two = [([a], [b, pairs[(i * 7 + 3) % n][0]]) for i, (a, b) in enumerate(pairs)]
    two_two = [([a, pairs[(i * 5 + 1) % n][1]], [b, pairs[(i * 7 + 3) % n][0]])
               for i, (a, b) in enumerate(pairs)]  # fmt: skip
    for left, right in one_two + two_two:
        compare_names(left, right)
    from pepgraph.names import similarity

    for label, lists in (("1 x 2 names", one_two), ("2 x 2 names", two_two)):
        similarity.clear_cache()
        out[f"compare_names, {label}"] = _per_call(compare_names, lists)
        samples = []
        for left, right in lists[:3000]:
            t0 = time.perf_counter()
            compare_names(left, right)
            samples.append((time.perf_counter() - t0) * 1e6)
        out[f"compare_names, {label}, median (token pairs cached)"] = statistics.median(samples)
    return out


def main(argv: list[str]) -> None:
    from tests.conftest import SHARED_DATA as root

    n = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else None
    times = timings(root)  # first, in a fresh process
    print("| file | true pairs | score >= 0.7 | score >= 0.85 | false pairs >= 0.7 "
          "| share a key (true / false) |")
    print("|---|---:|---:|---:|---:|---:|")
    for f in all_figures(root, n):
        print(
            f"| {f.name} | {f.pairs} | {f.recall70:.1%} | {f.recall85:.1%} | {f.false70:.1%} "
            f"| {f.keys_true:.1%} / {f.keys_false:.1%} |"
        )
    print()
    print("| call | µs |")
    print("|---|---:|")
    for k, v in times.items():
        print(f"| {k} | {v:.1f} |")


if __name__ == "__main__":
    main(sys.argv)
