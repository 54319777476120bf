"""How common namesakes are in the generated population, against real legislatures.

    .venv/bin/python benchmarks/namesakes.py real        # EveryPolitician legislatures against the generator
    .venv/bin/python benchmarks/namesakes.py locales N   # per locale, among N key persons and their relatives

A namesake here is another person with the same given and family name (case and accents kept;
middle names and patronymics left out, as sources often drop them). ``real`` takes the persons of
a real legislature in ``../shared/data/everypolitician-2015`` (first and last word of the name)
and as many persons drawn by the generator from the locale the country uses, and gives the
share of persons who have a namesake in each (median of 5 draws). ``locales`` gives the share
by locale in one generated population. The generator reads no real data; this script is the only
place where its names meet real ones.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("PEPGRAPH_SHARED_DATA", HERE.parent.parent / "shared" / "data"))

#: (EveryPolitician legislature, locale the generator uses for that country)
CASES = [
    ("China/Congress", "zh_CN"), ("Greece/Parliament", "el_GR"), ("UK/Commons", "en_GB"),
    ("Bulgaria/National_Assembly", "bg_BG"), ("Switzerland/National_Council", "de_CH"), ("Norway/Storting", "no_NO"),
    ("Mexico/Deputies", "es_MX"), ("Israel/Knesset", "he"), ("Czech_Republic/Deputies", "cs_CZ"),
    ("Italy/House", "it_IT"), ("France/National_Assembly", "fr_FR"), ("India/Lok_Sabha", "hi_IN"),
    ("Algeria/Majlis", "ar"), ("Brazil/Deputies", "pt_BR"), ("Vietnam/National_Assembly", "vi_VN"),
    ("Canada/Commons", "en_US"),
]


def shared(counts: Counter) -> float:
    return sum(n for n in counts.values() if n > 1) / max(1, sum(counts.values()))


def real() -> None:
    from normality import normalize

    from pepgraph.synth.population import Population

    folder = SHARED / "everypolitician-2015" / "data"
    if not folder.exists():
        sys.exit(f"{folder} is absent: this comparison needs ../shared/data")
    population = Population(0)
    print(f"{'legislature':32s} {'locale':6s} {'persons':>7s} {'real':>6s} {'generated':>9s}")
    for path, locale in CASES:
        persons = json.load(open(folder / path / "ep-popolo-v1.0.json", encoding="utf-8"))["persons"]
        names = [p["name"] for p in persons if p.get("name")]
        keys: Counter = Counter()
        for name in names:
            words = (normalize(name, lowercase=True, latinize=False) or "").split()
            if words:
                keys[words[0] if len(words) == 1 else (words[0], words[-1])] += 1
        draws = []
        for _ in range(5):
            drawn: Counter = Counter()
            for i in range(len(names)):
                gender = "female" if population.rnd() < population.FEMALE_SHARE else "male"
                p = population._person(f"x{i}", locale, "xx", gender, population._family(locale), 1960)
                drawn[(normalize(p.given, lowercase=True), normalize(p.family, lowercase=True))] += 1
            draws.append(shared(drawn))
        print(f"{path:32s} {locale:6s} {len(names):7d} {shared(keys):6.3f} {sorted(draws)[2]:9.3f}")


def locales(n: int) -> None:
    from pepgraph.synth.population import Population

    population = Population(0)
    names: dict[str, Counter] = defaultdict(Counter)
    for _ in range(n):
        kp = population.next()
        for p in (kp.person, *kp.relatives):
            names[p.locale][(p.given, p.family)] += 1
    total = sum(sum(c.values()) for c in names.values())
    with_namesake = sum(sum(v for v in c.values() if v > 1) for c in names.values())
    print(f"{n:,} key persons: {total:,} persons, {with_namesake / total:.3f} with a namesake")
    rows = sorted(names.items(), key=lambda kv: -sum(v for v in kv[1].values() if v > 1))
    for locale, counts in rows:
        persons = sum(counts.values())
        print(f"  {locale:6s} {persons:8,d} persons ({persons / total:.3f})  with a namesake {shared(counts):.3f}  "
              f"distinct names {len(counts):,}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "real":
        real()
    elif len(sys.argv) >= 3 and sys.argv[1] == "locales":
        locales(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
