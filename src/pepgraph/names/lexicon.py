"""The declarative word lists of the names module: ``titles.yml`` and ``parts.yml``.

Both are read once, on first use (never at import time), checked, and normalised with the same
``fold`` + ``tokenize`` as the names they are matched against, so an entry is written once in its
natural spelling ("H.E.", "Dipl.-Ing.") and matches every punctuation and case variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pepgraph.errors import ConfigError
from pepgraph.names.text import fold, tokenize

HERE = Path(__file__).resolve().parent
TITLES_FILE = HERE / "titles.yml"
PARTS_FILE = HERE / "parts.yml"

#: Scripts written without spaces, where a title is glued to the name ("习近平主席").
_GLUED = ("\u3040", "\u30ff"), ("\u3400", "\u9fff"), ("\uac00", "\ud7af")


@dataclass(frozen=True)
class Titles:
    """Honorifics and titles as token sequences, indexed by their first (or last) token."""

    prefixes: dict[str, tuple[tuple[str, ...], ...]]
    suffixes: dict[str, tuple[tuple[str, ...], ...]]
    glued_suffixes: tuple[str, ...]


@dataclass(frozen=True)
class PartWords:
    """Name particles, generational suffixes and patronymic markers (see ``parts.yml``)."""

    particles: frozenset[str]
    generational: frozenset[str]
    patronymic_endings: tuple[str, ...]
    patronymic_words: frozenset[str]


def _load(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(keys)}")
    unknown = sorted(set(data) - set(keys))
    missing = sorted(set(keys) - set(data))
    if unknown or missing:
        raise ConfigError(f"{path}: unknown keys {unknown}, missing keys {missing}")
    return data


def _words(path: Path, key: str, value: Any) -> list[str]:
    """A list of strings, or a mapping of language -> list of strings, flattened."""
    groups = value.items() if isinstance(value, dict) else [(None, value)]
    out: list[str] = []
    for lang, items in groups:
        where = f"{key}.{lang}" if lang else key
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ConfigError(f"{path}: {where} must be a list of non-empty strings")
        out.extend(items)
    return out


def _index(seqs: set[tuple[str, ...]], at: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for seq in seqs:
        index.setdefault(seq[at], []).append(seq)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


def _is_glued(word: str) -> bool:
    return all(any(lo <= ch <= hi for lo, hi in _GLUED) for ch in word)


@cache
def titles() -> Titles:
    """Load ``titles.yml`` (rigour's own prefix list is applied separately, in ``normalize``)."""
    data = _load(TITLES_FILE, ("prefixes", "suffixes"))
    prefixes = _words(TITLES_FILE, "prefixes", data["prefixes"])
    suffixes = _words(TITLES_FILE, "suffixes", data["suffixes"])
    pre = {tuple(t) for t in (tokenize(fold(w)) for w in prefixes) if t}
    post = {tuple(t) for t in (tokenize(fold(w)) for w in suffixes) if t}
    glued = {fold(w) for w in suffixes + prefixes if _is_glued(fold(w))}
    glued_suffixes = tuple(sorted(glued, key=len, reverse=True))
    return Titles(prefixes=_index(pre, 0), suffixes=_index(post, -1), glued_suffixes=glued_suffixes)


@cache
def part_words() -> PartWords:
    """Load ``parts.yml``."""
    keys = ("particles", "generational", "patronymic_endings", "patronymic_words")
    data = _load(PARTS_FILE, keys)
    lists = {k: [fold(w) for w in _words(PARTS_FILE, k, data[k])] for k in keys}
    return PartWords(
        particles=frozenset(lists["particles"]),
        generational=frozenset(lists["generational"]),
        patronymic_endings=tuple(lists["patronymic_endings"]),
        patronymic_words=frozenset(lists["patronymic_words"]),
    )
