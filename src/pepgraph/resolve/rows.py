"""Linkage rows: one row per source entity (person or organisation) with the features Splink compares.

Rows are built from current statements: names (name, alias, previousName, and first/last name
parts put together), birth dates, gender, countries, and strong identifiers (Wikidata ids, and
identifiers of a known scheme such as bioguide, passports with their country). Names go through
``pepgraph.names`` once per distinct string; the row carries the Latin form, tokens, cross-script
symbols and phonetic keys, and the blocking keys (capped so that a very common key cannot blow up
the number of pairs: keys over the cap are dropped; records still meet through their rarer keys
and their token + birth-year keys). Rows are built in Arrow batches, on every core for large stores,
streamed to a Parquet file; DuckDB counts the keys over it, and the capped rows are written batch
by batch (``build_rows``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import duckdb
import pyarrow as pa

from pepgraph.names import NameForm, analyze
from pepgraph.names.readings import cantonese_readings, japanese_names, korean_readings, mandarin_readings
from pepgraph.names.text import fold, tokenize
from pepgraph.names.translit import han_characters, skeleton
from pepgraph.store import Store

#: Schemata that resolution links; everything else (occupancies, sanctions, ...) keeps its id.
LINKED_SCHEMATA = ("Person", "Organization", "Company", "LegalEntity", "PublicBody")
NAME_PROPS = ("name", "alias", "previousName")
#: Identification types that identify a person (an equal value links; a different value on the
#: same scheme forbids a link).
STRONG_SCHEMES = {"wikidata", "bioguide", "icpsr", "govtrack", "thomas", "opensecrets", "votesmart",
                  "fec", "cspan", "lis", "house_history", "ballotpedia", "maplight", "unsc", "ofac"}
MAX_NAMES = 24  # an entity with hundreds of aliases is compared on a representative subset
DEFAULT_KEY_CAP = 300  # records per blocking key; a more common key is dropped (and reported)
#: Two neighbouring words of an address ("h:") block when at most this many records share them:
#: "14 wynn" or "wynn street" names a house or a street, "2529 vic" a whole town.
ADDRESS_KEY_CAP = 30
MAX_ADDRESS_WORDS = 12  # an address's first words give its keys (a hostile field is not read whole)
SINGLE_KEY_CAP = 15  # a single name token blocks alone only when it is this rare
#: Records per key by kind of key (at most the key cap): a key held by n records makes n^2/2
#: candidate pairs, and how many of them are one person depends on the kind. On 300,000
#: generated key persons (492,900 records, 26.2 million candidate pairs), pairs whose rarest key
#: had more than 30 records were 60 % of all pairs and held 2 % of the true pairs that blocking
#: found; skeleton pairs ("s:") held by 30 to 300 records made 9.2 million pairs. These caps kept
#: 41 % of the pairs and 98.7 % of the true ones (docs/benchmarks.md, "Fewer candidate pairs").
#: Later, on the same 300,000 with 8.2 million pairs: two tokens ("2:") held by 31 to 100 records,
#: skeleton pairs by 21 to 30 and a token with a year ("y:") by 51 to 100 made 2.0 million pairs
#: that shared no rarer key, 65 of 138,851 true pairs at 0.8 among them (and 23 wrong ones);
#: EveryPolitician's cross-script pairs need skeletons held by 11 to 20 and single tokens by 6 to 15
#: (docs/benchmarks.md, "Lower caps for three kinds of key").
KIND_CAPS = {"1:": SINGLE_KEY_CAP, "s:": 20, "a:": 50, "2:": 30, "y:": 50, "h:": ADDRESS_KEY_CAP}

MAX_TOKENS = 5
#: Identifier properties without a scheme pepgraph knows (national id, passport, tax, social
#: security, registration numbers): compared fuzzily (a typo is common, a clash is not proof),
#: never linked on alone. Only pairs where both records have one are compared on them.
NUMBER_PROPS = ("idNumber", "passportNumber", "taxNumber", "socialSecurityNumber", "innCode",
                "registrationNumber", "vatCode", "ogrnCode", "leiCode")
MIN_NUMBER = 4  # shorter numbers ("12") block nothing
RARE_ABBREV = 4  # an initials key ("gk:konstantinos") held by more records is a common name
RARE_NAME = 4  # a full name ("zhang wei") held by more records is a common name
#: two name tokens together (a "2:" blocking key) held by at most this many records are a rare
#: pair: on 20,000 generated key persons, undated candidate pairs sharing such a key held by 2
#: records were one person 86 % of the time, by 3 61 %, by 4 25 %, by 5-6 6 % (EveryPolitician,
#: where a person has more records: 92 / 85 / 61 / 19 %)
RARE_PAIR = 3
PAIR_PREFIX = "2:"
#: two consonant skeletons together (an "s:" blocking key, ``_skeleton_pairs``) count as a pair
#: too: a name and its transliteration share few Latin forms ("Krishna Prasad Poudel" /
#: "मा.कृष्ण प्रसाद पौडेल") but share their skeletons, and such a key that few records hold is
#: as rare a pair
SKELETON_PAIR_PREFIX = "s:~"
PAIR_PREFIXES = (PAIR_PREFIX, SKELETON_PAIR_PREFIX)
NAME_KEY = "name="  # full names among the stored common keys (initials keys hold a ":", names never "=")
#: an office held by more records than this is a common office: on 100,000 generated key persons
#: (164,158 records), linked pairs sharing an office that at most 100 records name were another
#: person 0.2 % of the time, 100-200 1.7 %, 200-500 4 %, 500-1,000 13 %, more 20 % (a
#: legislature's members are many namesakes' office)
RARE_POSITION = 100
POSITION_KEY = "office="  # offices among the stored common keys


#: A source that writes 1 January on this share of its full birth dates or more writes years as
#: dates (one day in 365 is 0.27 %): on EveryPolitician 4.8 % of full birth dates are 1 January,
#: and of the scored pairs that shared one with a single name token in common none was one
#: person; FEBRL and the generator write 0.23-0.56 %, real dates. In such a source's records a
#: 1 January date counts as its year alone, for comparisons, blocking and the cluster rules.
YEAR_AS_DATE_SHARE = 0.02
YEAR_AS_DATE_MIN = 50  # full birth dates a source needs before its share is read


def year_as_date_sources(store: Store, stored: bool = False) -> dict[str, float]:
    """Sources (datasets) whose full birth dates fall on 1 January far more often than chance,
    with that share (see ``YEAR_AS_DATE_SHARE``). ``stored``: those the latest resolve found
    (for rows of a few records, built for explain: counting scans every birth date, 0.7 s at
    2.4 million key persons)."""
    if stored:
        row = store.con.execute("SELECT details->>'year_as_date' FROM resolve_runs ORDER BY id DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row and row[0] else {}
    rows = store.con.execute(
        "SELECT dataset, count(*) FILTER (WHERE value LIKE '____-01-01') / count(*) FROM statements "
        "WHERE current AND prop = 'birthDate' AND length(value) = 10 GROUP BY dataset "
        "HAVING count(*) >= ? ORDER BY dataset", [YEAR_AS_DATE_MIN]).fetchall()
    return {ds: round(share, 4) for ds, share in rows if share >= YEAR_AS_DATE_SHARE}


@dataclass
class RowsResult:
    table: pa.Table | None  # None when the rows went to a file (``build_rows(out=...)``)
    records: int
    capped_keys: dict[str, int] = field(default_factory=dict)  # key -> how many rows had it
    #: initials key -> rows, over RARE_ABBREV; NAME_KEY + full name -> rows, over RARE_NAME;
    #: POSITION_KEY + office -> rows, over RARE_POSITION
    common_keys: dict[str, int] = field(default_factory=dict)
    #: sources whose 1 January birth dates are read as years -> their share of such dates
    year_as_date: dict[str, float] = field(default_factory=dict)

    def report(self, top: int = 10) -> list[tuple[str, int]]:
        return Counter(self.capped_keys).most_common(top)


_QUERY = """
WITH ents AS (
    SELECT entity_id, min(schema) AS schema, min(dataset) AS dataset
    FROM statements WHERE current AND prop = 'id' AND schema IN ({schemata}) {only} {part}
    GROUP BY entity_id
),
idents AS (
    SELECT h.value AS holder,
           list(DISTINCT lower(coalesce(t.value, 'id')) || ':' || n.value) AS ids
    FROM statements h
    JOIN statements n ON n.entity_id = h.entity_id AND n.prop = 'number' AND n.current
    LEFT JOIN statements t ON t.entity_id = h.entity_id AND t.prop = 'type' AND t.current
    WHERE h.current AND h.prop = 'holder' AND h.schema IN ('Identification', 'Passport') {holder_part}
    GROUP BY h.value
),
posts AS (
    SELECT h.value AS holder, list(DISTINCT n.value) AS posts
    FROM statements h
    JOIN statements p ON p.entity_id = h.entity_id AND p.prop = 'post' AND p.current
    JOIN statements n ON n.entity_id = p.value AND n.prop = 'name' AND n.current
    WHERE h.current AND h.prop = 'holder' AND h.schema = 'Occupancy' {holder_part}
    GROUP BY h.value
)
SELECT e.entity_id, e.schema, e.dataset,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop IN ('name', 'alias', 'previousName')) AS names,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop = 'firstName') AS first_names,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop IN ('lastName', 'fatherName', 'middleName')) AS other_names,
       list(DISTINCT CASE WHEN e.dataset IN ({year_dates}) AND s.value LIKE '____-01-01' THEN left(s.value, 4)
            ELSE s.value END) FILTER (WHERE s.prop = 'birthDate') AS birth_dates,
       min(s.value) FILTER (WHERE s.prop = 'gender') AS gender,
       list(DISTINCT s.value) FILTER (WHERE s.prop IN ('nationality', 'citizenship', 'country', 'jurisdiction')) AS countries,
       list(DISTINCT s.value) FILTER (WHERE s.prop = 'wikidataId') AS qids,
       any_value(i.ids) AS ids,
       list(DISTINCT s.value ORDER BY s.value) FILTER (WHERE s.prop = 'address') AS addresses,
       list(DISTINCT s.value ORDER BY s.value) FILTER (WHERE s.prop IN ({numbers})) AS numbers,
       list(DISTINCT s.value) FILTER (WHERE s.prop = 'position') AS positions,
       any_value(o.posts) AS posts
FROM ents e
JOIN statements s ON s.entity_id = e.entity_id AND s.current
LEFT JOIN idents i ON i.holder = e.entity_id
LEFT JOIN posts o ON o.holder = e.entity_id
GROUP BY e.entity_id, e.schema, e.dataset
ORDER BY e.entity_id
"""


def blocking_keys(forms: list[NameForm], years: list[int], dates: Sequence[str] = (),
                  numbers: Sequence[str] = (), address: str | None = None) -> list[str]:
    """Candidate-pair keys: two name tokens together ("2:", a token as its Latin form or its symbol
    signature; "s:", two consonant skeletons), one token with a birth year ("y:"),
    and one token alone ("1:", kept only where rare). A token stands both as its Latin form and as
    its cross-script symbol signature, so Иван Сидоренко meets Ivan Sidorenko. Records whose names
    disagree too much for any of those also meet on a full birth date with the first letter of
    a name token ("d:"), or an id number ("i:"), so a typo in the name, or a name given in parts
    the other way round, is still scored. The letter: on 300,000 generated key persons, a birth
    date alone paired 2.8 million records that shared no other key, 1,388 of them one person; 144
    of those had no first letter in common (a Japanese name read as Chinese), and the letter cut
    those pairs to 0.8 million. Where a record has an address, the date also stands with its
    first word (the house number): FEBRL replaces whole names, and "Mia Shepherd" / "Jia
    Fenwicsk", born the same day at "7 churchill way", are one person. Initials keys ("a:" /
    "A:", ``abbreviations``) pair a name written with initials with the full names it fits, and
    full names with each other only where few records offer the key (``model.OFFERED_ALONE``).
    Two neighbouring words of an address ("h:") pair records at one house or in one street
    whatever their names say: FEBRL's "joshua ryan" / "joshua dowdney" at "14 wynn street" are
    one person with a new surname, born on another day, and share no other key."""
    with_date = sorted({t.latin[0] for form in forms for t in form.parts if t.latin})
    words = address.split()[:MAX_ADDRESS_WORDS] if address else []
    if words:
        with_date.append("@" + words[0])
    keys: set[str] = {f"d:{d}|{c}" for d in dates[:3] for c in with_date}
    keys |= {f"i:{n}" for n in numbers[:3] if len(n) >= MIN_NUMBER}
    keys |= {f"h:{a} {b}" for a, b in zip(words, words[1:])}
    # initials keys: a name written with initials looks them up ("A:"), a name written in full
    # offers them ("a:"); model.candidate_parts pairs two offers only when few records offer the key
    keys |= {f"{'A' if _has_initials(form) else 'a'}:{a}" for form in forms
             for a in abbreviations(form) | loose_abbreviations(form)}
    for form in forms:
        units = [{_signature(t), f"={t.latin}"} for t in form.parts[:MAX_TOKENS] if len(t.latin) >= 2]
        for left, right in combinations(units, 2):
            for a in left:
                for b in right:
                    if a != b:
                        keys.add("2:" + "+".join(sorted((a, b))))
        # two consonant skeletons together: "मा.राम सिंह यादब" (ram sinh yadab) meets "Ram Singh
        # Yadaav", and "سلطان جمعة" (sltan jmt) "Sultan Juma", where neither the Latin forms nor
        # the symbol sets of the tokens are equal
        # (a Latin token stands with its soft readings too, "Michael" as "msr" and "mkr")
        parts = form.parts[:MAX_TOKENS]
        loose = [{k for k in (t.skeleton, *_soft_skeletons(t)) if len(k) >= 2} for t in parts]
        for i, j in combinations(range(len(parts)), 2):
            keys.update(_skeleton_pairs(loose[i], loose[j]))
        # two neighbouring tokens as one word, with each other token: "Ram Chandra Pokheral" /
        # "मा.रामचन्द्र पोख्रेल", "Hassan Fadlallah" / "حسن فضل الله"
        for i, joined in _joined_skeletons(form):
            for j, other in enumerate(loose):
                if j not in (i, i + 1):
                    keys.update(_skeleton_pairs({joined}, other))
        for unit in set().union(*units) if units else ():
            keys.add(f"1:{unit}")
            for year in years[:3]:
                keys.add(f"y:{unit}|{year}")
    return sorted(keys)


def _has_initials(form: NameForm) -> bool:
    return any(t.kind == "initial" for t in form.parts)


def as_offered(column: str) -> str:
    """SQL for the key in ``column`` with an initials key looked up ("A:") written as offered
    ("a:"): the two are one key, counted as one for its cap and paired as one."""
    return f"CASE WHEN starts_with({column}, 'A:') THEN 'a:' || {column}[3:] ELSE {column} END"


LOOKED_UP_AS_OFFERED = as_offered("k")


def _skeleton_pairs(left: set[str], right: set[str]) -> set[str]:
    """The "s:" keys of two tokens, each given by its skeletons."""
    return {"s:~" + "+~".join(sorted((a, b))) for a in left for b in right if a != b}


def _joined_skeletons(form: NameForm) -> list[tuple[int, str]]:
    """(i, skeleton) of tokens i and i + 1 written as one word, for name tokens of one script
    whose joined skeleton has three consonants or more: one source writes a compound given name
    or an Arabic theophoric name in two words, another in one ("Ram Chandra" / "रामचन्द्र",
    "فضل الله" / "Fadlallah", "Gauri Shankar" / "गौरीशंकर")."""
    out = []
    parts = form.parts[:MAX_TOKENS]
    for i in range(len(parts) - 1):
        a, b = parts[i], parts[i + 1]
        if a.kind != "name" or b.kind != "name" or a.script != b.script or a.script in ("Common", ""):
            continue
        joined = skeleton(a.latin + b.latin, a.script, a.form + b.form)
        if len(joined) >= 3:
            out.append((i, joined))
    return out


def abbreviations(form: NameForm) -> set[str]:
    """The "initials:token" keys of a name of two tokens or more: the sorted first letters of all its
    tokens, with one of its full tokens (3+ letters). "H. Harambe" and "Houly Harambe" share
    "hh:harambe"; a typo in one token leaves the keys of the others."""
    tokens = [t.latin for t in form.parts if t.latin and t.latin[0].isalnum()]
    if len(tokens) < 2:
        return set()
    letters = "".join(sorted(t[0] for t in tokens))
    return {f"{letters}:{t}" for t in tokens if len(t) >= 3}


def loose_abbreviations(form: NameForm) -> set[str]:
    """``abbreviations`` with each full token's consonant skeleton in place of its letters
    ("bp:~pskr" from "B. PASQIER" and "Bernard PASQUIER"): a press record gives initials and
    misspells the family name at once, and the exact keys then share nothing. On the
    EveryPolitician benchmark such pairs were about a quarter of the true pairs never scored."""
    tokens = [t for t in form.parts if t.latin and t.latin[0].isalnum()]
    if len(tokens) < 2:
        return set()
    letters = "".join(sorted(t.latin[0] for t in tokens))
    return {f"{letters}:~{t.skeleton}" for t in tokens if len(t.latin) >= 3 and len(t.skeleton) >= 3}


def _part_keys(token: Any, offered: bool = False) -> tuple[str, ...]:
    """The keys of one token for the "similar name tokens" comparison (see model.py): what it is
    looked up by in the other record (``offered`` False: stored with the token in ``parts``), or
    what it offers to the other record's lookups (``offered`` True: gathered in ``part_keys``).
    Both hold its Latin form and its given-name symbols. Its consonant skeleton (3+ consonants,
    an abjad's from one), the loose key of a transliteration (an abjad writes no short vowels:
    "محمد" / "Mohammed"), only ever meets a skeleton from the other side of the script line: a
    transliterated token looks it up as "s:", which only Latin tokens offer, and a Latin token as
    "r:", which only transliterated tokens offer. Between two Latin spellings, or two tokens of
    one script, it had paired different names (章沁生 / 张群山, 金榮宇 / 金榮珠, "Thomas Mulcairo" /
    "Thomas Mulcair"). Precomputed per
    record so that the per-pair test is a set lookup, not string surgery: the comparison had taken
    three quarters of predict time."""
    keys = [f"={token.latin}"]
    if token.script == "Latin" and (plain := _LONG_VOWELS.sub(r"\1", token.latin)) != token.latin:
        keys.append(f"={plain}")  # "Aalam" / "आलम" (alam), "Aarju" / "आरजु"
    foreign = len(token.skeleton) >= (1 if token.script in ABJADS and len(token.latin) >= 2 else 3) \
        and token.script not in ("Latin", "Common", "")
    if token.script == "Latin":
        # offered as "s:" to a transliteration's lookups, looked up as "r:" among a
        # transliteration's offers: the Latin name may be the shorter one ("Humoud Al Hamdan" /
        # "حمود محمد الحمدان", the father's name left out), and only the shorter name is covered
        keys.extend(f"{'s' if offered else 'r'}:{k}" for k in _offered_skeletons(token))
    elif foreign:
        keys.extend(f"{'r' if offered else 's'}:{k}" for k in (token.skeleton, *_soft_skeletons(token)))
    if not offered and token.script == "Han":
        keys.append(EXACT_ONLY)
    keys.extend(sorted(s for s in token.symbols if s.startswith(("NAME:", "NICK:"))))
    return tuple(keys)


#: a vowel written twice, as South Asian romanisations mark a long one ("Aalam", "Deepak",
#: "Poonam") where the transliteration of the script writes it once
_LONG_VOWELS = re.compile(r"([aeiou])\1")


#: scripts that write no short vowels: a two-consonant skeleton is all some names keep there
#: ("بطي" bty / "Butti", "تیم کین" tym kyn / "Tim Kaine"), so it is looked up from two consonants
ABJADS = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana"})
#: the Arabic article as Latin spellings glue it to the name ("Alqubaisi", "Elmansoori"); the
#: Arabic skeleton drops it (translit.skeleton)
_ARTICLE = ("al", "el")


def _offered_skeletons(token: Any) -> list[str]:
    """The skeletons a Latin token offers: its own, of one consonant or more when the token has two
    letters (an abjad's lookups take one, the others three), without a glued Arabic article ("alqubaisi" offers "kbs"
    as "القبيسي" has it), and its soft readings (``_soft_skeletons``)."""
    out = [token.skeleton] if len(token.skeleton) >= 1 and len(token.latin) >= 2 else []
    if token.latin.startswith(_ARTICLE) and len(token.latin) >= 6:
        bare = skeleton(token.latin[2:], "Latin", token.latin[2:])
        if len(bare) >= 2 and bare != token.skeleton:
            out.append(bare)
    for soft in _soft_skeletons(token):
        if soft not in out:
            out.append(soft)
    return out


#: Latin spellings that a transliteration writes otherwise, as (spelling, the transliteration's):
#: names romanise Cyrillic х as "kh" ("Narankhüü", "Khodorkovsky") where the transliteration
#: writes "h" ("Наранхүү" naranhuu), and the skeleton drops an h but keeps a k; Gulf names write
#: ظ as "dh" ("Aldhaheri", "الظاهري" alzahry); English writes k as "ch" ("Michael", "مایکل"
#: maykl), which the skeleton reads as the "ch" of "Chandra"
_SOFT = (("kh", "h"), ("dh", "z"), ("ch", "k"))


def _soft_skeletons(token: Any) -> list[str]:
    """The skeletons of a Latin token with each of its ``_SOFT`` spellings read the other way
    (without a glued Arabic article too), and with a leading "i" before a vowel read as "y"; of
    a token in an abjad, with its و read as the consonant v where the skeleton takes it for a
    vowel ("لوین" lwyn / "Levin", "وینوویچ" wynwwych / "Voinovich")."""
    if token.script in ABJADS:
        if "w" not in token.latin[1:]:
            return []
        soft = skeleton(token.latin[0] + token.latin[1:].replace("w", "v"), token.script, token.form)
        return [soft] if len(soft) >= 2 and soft != token.skeleton else []
    if token.script != "Latin":
        return []
    out: list[str] = []
    # a word that starts with i and a vowel is how some romanise я, ю, є ("IAKIMOVA" / "ЯКИМОВА",
    # "Iuliia" / "Юлия"), where the transliteration writes y, which the skeleton keeps at the start
    if len(token.latin) >= 4 and token.latin[0] == "i" and token.latin[1] in "aeou":
        soft = skeleton("y" + token.latin[1:], "Latin", "y" + token.latin[1:])
        if len(soft) >= 2 and soft != token.skeleton:
            out.append(soft)
    for spelt, other in _SOFT:
        if spelt not in token.latin:
            continue
        text = token.latin.replace(spelt, other)
        for word in (text, text[2:]) if text.startswith(_ARTICLE) and len(text) >= 6 else (text,):
            soft = skeleton(word, "Latin", word)
            if len(soft) >= 2 and soft != token.skeleton and soft not in out:
                out.append(soft)
    return out


def _joined_offers(form: NameForm) -> list[str]:
    """What two neighbouring tokens written as one word offer to the other record's lookups
    (``_part_keys``): their joined skeleton, as a Latin token's ("s:") or a transliteration's
    ("r:"), so that a compound written as one word on the other side is covered."""
    return [f"{'s' if form.parts[i].script == 'Latin' else 'r'}:{joined}" for i, joined in _joined_skeletons(form)]


#: marks a token that is never matched by Jaro-Winkler: a Han given name is its characters, and
#: one other character is another name however alike the pinyin (张庆黎 / 张庆伟: qingli / qingwei)
EXACT_ONLY = "~exact"


#: the longest piece of a hyphenated word that ``hyphened`` takes as a syllable of one name
SYLLABLE = 5
#: a word of two or more letter runs joined by hyphens ("Kwang-chol", "Климпуш-Цинцадзе")
_HYPHENED = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011][^\W\d_]+)+")


def hyphened(form: NameForm, schema: str = "Person") -> list[tuple[str, ...]]:
    """The Latin pieces of each hyphenated word of the name ("Ri Kwang-chol" -> [("kwang",
    "chol")]), so that a name inside another ("name tokens contained", "similar name tokens")
    does not take half of a hyphenated given name: on EveryPolitician, 57 of the 90 pairs of
    different people at the first level and 77 of the 147 at the second were of this kind ("Ri
    Kwang" / "Ri Kwang-chol", "Kim Chol" / "Kim Song-chol"). Only words of syllables count
    (every piece of at most ``SYLLABLE`` letters: Korean and Chinese given names, "Jean-Marie"):
    a double surname is two names, and sources often give one of them ("Vesela Atanasova
    Draganova-Ilieva" / "Draganova, Vesela Atanasova"). A word that starts with a particle
    ("Al-Baghdadi") is left out: "Samira Al Baghdadi" is written both ways."""
    out = []
    for word in _HYPHENED.findall(form.original):
        pieces = analyze(word, schema=schema)
        if len(pieces.tokens) >= 2 and not any(t.kind == "particle" for t in pieces.parts) \
                and all(len(t) <= SYLLABLE for t in pieces.tokens):
            out.append(pieces.tokens)
    return out


def _signature(token: Any) -> str:
    return "|".join(sorted(token.symbols)) if token.symbols else f"={token.latin}"


def _full_names(names: list[str], firsts: list[str], others: list[str]) -> tuple[list[str], list[str]]:
    """Names as given, plus 'first last' when a source gives only parts; and, apart, each name
    with a hyphenated word written as one word (see ``unhyphened``), which blocking and the
    name comparison use and the Korean and Cantonese readings do not."""
    out = list(dict.fromkeys(names))
    if firsts and others:
        out.append(" ".join([firsts[0], *others]))
    out = out[:MAX_NAMES]
    joined = [j for j in dict.fromkeys(unhyphened(n) for n in out) if j and j not in out]
    return out, joined


def unhyphened(name: str) -> str | None:
    """The name with its hyphenated words written as one ("Du Jie-yang" -> "Du Jieyang"), or None
    when it has none. Sources write a syllabic given name, a Persian compound or an Arabic
    article either way ("Du Jieyang", "Ahmad Hamidpour", "H. A. AlTamimi"), and the name's tokens
    then share too little to meet: on 20,000 generated key persons 105 of the 870 true pairs that
    were never scored had a hyphen on one side."""
    if not _HYPHENED.search(name):
        return None
    return _HYPHENED.sub(lambda m: re.sub(r"[-\u2010\u2011]", "", m.group(0)), name)


def normalize_number(value: str) -> str:
    """An id number as compared: letters and digits only, upper case ("AB 12-34" -> "AB1234")."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def normalize_address(value: str) -> str:
    """An address as compared: lower case, punctuation to spaces, spaces collapsed."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in value.lower()).split())


def _strong_ids(qids: list[str] | None, ids: list[str] | None) -> list[str]:
    found = {f"wikidata:{q}" for q in qids or []}
    for item in ids or []:
        scheme, _, number = item.partition(":")
        if scheme in STRONG_SCHEMES and number:
            found.add(f"{scheme}:{number.strip()}")
    return sorted(found)


#: the linkage row columns and their Arrow types
SCHEMA = pa.schema([
    ("unique_id", pa.string()), ("schema", pa.string()), ("dataset", pa.string()), ("display", pa.string()),
    ("name", pa.string()), ("names", pa.list_(pa.string())), ("rare_names", pa.list_(pa.string())),
    ("tokens", pa.list_(pa.string())), ("repeated", pa.list_(pa.string())), ("hyphen_pieces", pa.list_(pa.string())),
    ("symbols", pa.list_(pa.string())), ("phonetic", pa.list_(pa.string())), ("sorted_name", pa.string()),
    ("parts", pa.list_(pa.list_(pa.string()))), ("part_keys", pa.list_(pa.string())),
    ("part_latin", pa.list_(pa.string())), ("skeletons", pa.list_(pa.string())), ("abbrevs", pa.list_(pa.string())),
    ("initial_abbrevs", pa.list_(pa.string())), ("rare_initial_abbrevs", pa.list_(pa.string())),
    ("loose_abbrevs", pa.list_(pa.string())), ("initial_loose_abbrevs", pa.list_(pa.string())), ("birth_dates", pa.list_(pa.string())), ("birth_full", pa.list_(pa.string())),
    ("birth_date", pa.string()), ("birth_year", pa.int32()), ("gender", pa.string()),
    ("countries", pa.list_(pa.string())), ("ids", pa.list_(pa.string())), ("numbers", pa.list_(pa.string())),
    ("number", pa.string()), ("address", pa.string()), ("korean", pa.list_(pa.string())),
    ("cantonese", pa.list_(pa.string())), ("mandarin", pa.list_(pa.string())), ("han", pa.list_(pa.string())), ("rare_pairs", pa.list_(pa.string())),
    ("positions", pa.list_(pa.string())), ("rare_positions", pa.list_(pa.string())), ("keys", pa.list_(pa.string())),
])
BATCH = 20_000  # rows turned into one Arrow batch: Python lists of strings cost ~10x their Arrow size


#: countries whose names are romanised syllables that differ mostly in their vowels ("KIM Sung
#: Chan" / "KIM Sang Hee", "Nguyễn Công Hồng" / "Nguyễn Sỹ Cương", "CHEUNG Yu-yan" / "TAM
#: Yiu-chung"), which phonetic keys drop: on EveryPolitician, "sound alike" with the same birth
#: year and country joined 43 such pairs of two people against 16 true pairs, all of them
#: transliterations of Western, Malay or South Asian names. A record of these countries offers
#: no phonetic keys; its names still meet by token, symbol, initials, and Korean or Cantonese
#: reading.
SYLLABIC_COUNTRIES = frozenset({"kr", "kp", "vn", "cn", "hk", "mo", "tw"})


def _row(entity_id: str, schema: str, dataset: str, names: list[str] | None, firsts: list[str] | None,
         others: list[str] | None, births: list[str] | None, gender: str | None, countries: list[str] | None,
         qids: list[str] | None, ids: list[str] | None, addresses: list[str] | None,
         numbers: list[str] | None, positions: list[str] | None = None,
         posts: list[str] | None = None) -> dict[str, Any] | None:
    given, joined = _full_names(names or [], firsts or [], others or [])
    # readings are of names as written: "Kim Chŏng-un" written as one word ("Kim Chŏngun") splits
    # greedily as chon-gun, which made Kim Jong-un one reading with "Kim Chon-kyun"
    written = [f for f in (analyze(n, schema=schema) for n in given) if f.tokens]
    read = japanese_names(written, countries) if schema == "Person" else []
    forms = written + [f for f in (analyze(n, schema=schema) for n in [*joined, *read]) if f.tokens]
    if not forms:
        return None
    births = sorted(births or [])
    years = sorted({int(b[:4]) for b in births if b[:4].isdigit()})
    full_dates = [b for b in births if len(b) == 10]
    numbers = sorted({n for n in (normalize_number(v) for v in numbers or []) if n})
    address = next((a for a in (normalize_address(v) for v in addresses or []) if a), None)
    # each token as [latin, key, key...]; what the tokens offer to the other side's lookups; the Latin forms
    tokens = [t for f in forms for t in f.parts if t.kind != "particle"]
    parts = sorted({(t.latin, *_part_keys(t)) for t in tokens})
    korean = korean_readings(written, countries) if schema == "Person" else []
    canto = cantonese_readings(written, countries) if schema == "Person" else []
    mandarin_ = mandarin_readings(written, countries) if schema == "Person" else []
    return {
        "unique_id": entity_id, "schema": schema, "dataset": dataset,
        "display": forms[0].original, "name": forms[0].latin,
        "names": sorted({f.latin for f in forms}),
        "rare_names": None,  # filled in over all rows (see build_rows)
        "tokens": sorted({t for f in forms for t in f.tokens}),
        # words a name holds twice ("Nikolay Nankov Nankov": a patronymic like the family name),
        # which ``tokens``, a set, holds once: model.py's containment counts them (never NULL)
        "repeated": sorted({t for f in forms for t in f.tokens if len(t) > 1 and f.tokens.count(t) > 1}),
        "hyphen_pieces": sorted({p for f in forms for h in hyphened(f, schema) for p in h}),
        # one signature per token: its set of cross-script name symbols (Ivan and Иван share it),
        # so that "two tokens matched by symbol" can be counted in SQL
        "symbols": sorted({_signature(t) for f in forms for t in f.parts}),
        "phonetic": sorted({p for f in forms for p in f.phonetic}) if SYLLABIC_COUNTRIES.isdisjoint(countries or ())
        else [],
        "sorted_name": " ".join(sorted(forms[0].tokens)),
        "parts": [list(p) for p in parts],
        "part_keys": sorted({k for t in tokens for k in _part_keys(t, offered=True)}
                            | {k for f in forms for k in _joined_offers(f)}),
        "part_latin": sorted({p[0] for p in parts}),
        "skeletons": sorted({t.skeleton for f in forms for t in f.parts if len(t.skeleton) >= 2}
                            | {k for f in forms for t in f.parts for k in _soft_skeletons(t)}),
        # what every name offers, and what a name written with initials looks up: "O. F. Vishnyakov"
        # meets "Ostap Fadeevich Vishnyakov", but "Volkov Ostap Feoktistovich" (fov:ostap) does not
        # meet the full form of that record because another of its names has initials
        "abbrevs": sorted({a for f in forms for a in abbreviations(f)}) or None,
        "initial_abbrevs": sorted({a for f in forms if _has_initials(f) for a in abbreviations(f)}) or None,
        "rare_initial_abbrevs": None,  # filled in over all rows (see build_rows)
        # the same with consonant skeletons: initials and a misspelt family name
        "loose_abbrevs": sorted({a for f in forms for a in loose_abbreviations(f)}) or None,
        "initial_loose_abbrevs": sorted({a for f in forms if _has_initials(f) for a in loose_abbreviations(f)}) or None,
        "birth_dates": births or None, "birth_full": full_dates or None,
        "birth_date": full_dates[0] if full_dates else None, "birth_year": years[0] if years else None,
        "gender": gender, "countries": sorted(countries) if countries else None,
        "ids": _strong_ids(qids, ids) or None,
        "numbers": numbers or None, "number": numbers[0] if numbers else None,
        "address": address,
        "korean": korean or None, "cantonese": canto or None, "mandarin": mandarin_ or None,
        # names written in Han characters, folded to simplified: the same pinyin from different
        # characters is two names (model.py, "different characters")
        "han": sorted({han_characters(f.original) for f in forms if f.script == "Han"}) or None
        if schema == "Person" else None,
        "rare_pairs": None,  # filled in over all rows (see build_rows)
        # the offices the record says its person held (its own "position" values and the posts
        # of its occupancies), as one spelling: for key persons, who held what is much of who
        # they are, and two namesakes of one country rarely held one office
        "positions": sorted({normalize_position(v) for v in (positions or []) + (posts or [])} - {""}) or None,
        "rare_positions": None,  # filled in over all rows (see build_rows)
        "keys": sorted(blocking_keys(forms, years, full_dates, numbers, address) + [f"k:{k}" for k in korean]
                       + [f"c:{c}" for c in canto] + [f"m:{m}" for m in mandarin_]),
    }


def normalize_position(text: str) -> str:
    """An office as compared: Unicode forms and case folded, punctuation and spacing made one."""
    return " ".join(tokenize(fold(text)))


def _chunks(lists: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(lists.chunks) if isinstance(lists, pa.ChunkedArray) else [lists]


def _counter(spill: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that counts blocking keys under training's memory limit, spilling to
    ``spill``: the rows of 2.4 million key persons hold tens of millions of keys."""
    from pepgraph.resolve.model import TRAIN_CAP_MB, engine_config

    con = duckdb.connect(config={**engine_config(spill, TRAIN_CAP_MB), "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    return con


def _cap_sql(key_cap: int, kind_caps: Mapping[str, int]) -> str:
    """The cap of key ``k`` as SQL: ``key_cap``, or less for a key of a kind in ``kind_caps``."""
    cases = " ".join(f"WHEN starts_with(k, '{prefix}') THEN {min(cap, key_cap)}" for prefix, cap in kind_caps.items())
    return f"CASE {cases} ELSE {key_cap} END" if cases else str(key_cap)


def _starting(column: str, prefixes: tuple[str, ...]) -> str:
    """SQL: the string in ``column`` starts with one of ``prefixes``."""
    return "(" + " OR ".join(f"starts_with({column}, '{p}')" for p in prefixes) + ")"


def _over(con: duckdb.DuckDBPyConnection, source: str, column: str, cap: str, least: int,
          prefixes: tuple[str, ...] = (), fold: str = "k") -> dict[str, int]:
    """Values of the list ``column`` of ``source`` (a relation DuckDB reads) that more than
    ``cap`` (SQL over the value ``k``, never below ``least``) rows share, with their counts;
    only values starting with one of ``prefixes`` when given; each value is counted in the form
    ``fold`` (SQL over ``k``) gives it.

    Counted in DuckDB, in two scans: first the values' 64-bit hashes (fixed-size groups, which
    DuckDB spills), then, exactly, the values whose hash more than ``least`` rows share. A
    value over its cap always has such a hash, and a hash shared by two values only adds one to
    the exact count, so the result is exact. Grouping the strings at once ran out of a 1 GB
    limit at 2.4 million key persons, after 20 minutes of building rows; on 70 million keys (the
    300,000-person rows' keys eight times over, made distinct) it failed under 1 GB in 15 s,
    where grouping their hashes took 8 s and fit even in 150 MB. A Python counter of every key
    took gigabytes, and Arrow's count of them held the main process at 14 GB."""
    where = f"WHERE {_starting('k', prefixes)}" if prefixes else ""
    values = f"(SELECT {fold} AS k FROM (SELECT unnest({column}) AS k FROM {source})) {where}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _heavy AS SELECT hash(k) AS h FROM {values} "
                f"GROUP BY h HAVING count(*) > {least}")
    try:
        return dict(con.execute(
            f"SELECT k, count(*) AS n FROM {values} {'AND' if where else 'WHERE'} hash(k) IN (SELECT h FROM _heavy) "
            f"GROUP BY k HAVING n > {cap}").fetchall())
    finally:
        con.execute("DROP TABLE IF EXISTS _heavy")


def cap_keys(keys: pa.ChunkedArray | pa.Array, key_cap: int,
             kind_caps: Mapping[str, int] = KIND_CAPS) -> tuple[pa.ChunkedArray, dict[str, int]]:
    """Drop values that more than ``key_cap`` rows share (fewer for a value starting with a
    prefix of ``kind_caps``). Returns the filtered lists and the dropped values with their
    counts. ``build_rows`` counts the same way over its Parquet file."""
    import shutil
    import tempfile

    spill = tempfile.mkdtemp(prefix="pepgraph-keys-")
    try:
        with _counter(spill) as con:
            con.register("keys_arrow", pa.table({"keys": keys}))
            dropped = _over(con, "keys_arrow", "keys", _cap_sql(key_cap, kind_caps), min([key_cap, *kind_caps.values()]),
                            fold=LOOKED_UP_AS_OFFERED)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    return _without(keys, _both_forms(dropped)), dropped


def _both_forms(keys: Mapping[str, int]) -> dict[str, int]:
    """Counted keys with an initials key ("a:") also as looked up ("A:"): capping drops both."""
    return {**keys, **{"A:" + k[2:]: n for k, n in keys.items() if k.startswith("a:")}}


def _without(lists: pa.ChunkedArray | pa.Array, drop: Mapping[str, int] | pa.Array) -> pa.ChunkedArray:
    """The lists without the values in ``drop`` (keys of a mapping, or a large string array), in
    Arrow (a list that loses every value is empty), chunk by chunk."""
    import pyarrow.compute as pc

    chunks = _chunks(lists)
    if len(drop) == 0:
        return pa.chunked_array(chunks, type=lists.type)
    # one lookup over every chunk: is_in builds its hash set of ``drop`` once per call, and once
    # per 20,000-row chunk that was minutes at 2.4 million key persons (millions of common keys)
    banned = drop if isinstance(drop, pa.Array) else pa.array(list(drop), pa.large_string())
    flats = [pc.list_flatten(c).cast(pa.large_string()) for c in chunks]
    keep = pc.invert(pc.is_in(pa.chunked_array(flats, type=pa.large_string()), value_set=banned))
    keep = keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep
    out, start = [], 0
    for chunk, flat in zip(chunks, flats):
        out.append(_filtered(chunk, keep.slice(start, len(flat))))
        start += len(flat)
    return pa.chunked_array(out, type=lists.type)


def _with_prefix(lists: pa.ChunkedArray | pa.Array, prefixes: tuple[str, ...]) -> pa.ChunkedArray:
    """The values of each list that start with one of ``prefixes``, in Arrow, chunk by chunk."""
    import functools

    import pyarrow.compute as pc

    def starting(flat: pa.Array) -> pa.Array:
        return functools.reduce(pc.or_, (pc.starts_with(flat, p) for p in prefixes))

    return pa.chunked_array([_filtered(c, starting(pc.list_flatten(c))) for c in _chunks(lists)], type=lists.type)


def _filtered(lists: pa.Array, keep: pa.Array) -> pa.Array:
    """The lists with only the values whose flag in ``keep`` (one per flattened value) is set."""
    import numpy as np
    import pyarrow.compute as pc

    parents = pc.list_parent_indices(lists).to_numpy()
    lengths = np.bincount(parents[keep.to_numpy(zero_copy_only=False)], minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pc.filter(pc.list_flatten(lists), keep))


#: Below this many records the rows are built in one process (each worker pays rigour's start-up,
#: about 7 s); above it, name analysis (0.4 ms a record) runs on every core.
PARALLEL_FROM = 50_000


def _batch(records: list[tuple[Any, ...]]) -> pa.RecordBatch | None:
    found = [r for r in (_row(*rec) for rec in records) if r is not None]
    return pa.RecordBatch.from_pylist(found, schema=SCHEMA) if found else None


#: records whose statements one query gathers: the query groups every statement of its records
#: at once and DuckDB holds its result until it is read; in parts of this many it takes a part's
#: memory, not the whole store's (300,000 key persons, 493,000 records: one query over all peaked
#: at 3.3 GB, in parts at 1.1 GB, in the same time)
PART_RECORDS = 100_000


def _fetch(store: Store, query: str, params: list[Any], count: int, marks: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``query`` in chunks of ``BATCH``, its records split into parts of
    ``PART_RECORDS`` by ranges of entity ids, in entity id order (that of one query over all)."""
    parts = max(1, -(-count // PART_RECORDS))
    bounds: list[str | None] = [None]
    if parts > 1:
        found = store.con.execute(
            "SELECT quantile_disc(entity_id, ?) FROM (SELECT DISTINCT entity_id FROM statements "
            f"WHERE current AND prop = 'id' AND schema IN ({marks}))", [[i / parts for i in range(1, parts)]]).fetchone()[0]
        bounds += sorted(set(found))
    bounds.append(None)

    def within(column: str, lo: str | None, hi: str | None) -> str:
        return "".join(f" AND {column} {op} '" + bound.replace("'", "''") + "'"
                       for op, bound in ((">=", lo), ("<", hi)) if bound is not None)

    for lo, hi in zip(bounds, bounds[1:]):
        sql = query.replace("{part}", within("entity_id", lo, hi)).replace("{holder_part}", within("h.value", lo, hi))
        cur = store.con.execute(sql, params)
        while chunk := cur.fetchmany(BATCH):
            yield chunk


def _batches(chunks: Iterator[list[tuple[Any, ...]]], workers: int) -> Iterator[pa.RecordBatch | None]:
    if workers <= 1:
        for chunk in chunks:
            yield _batch(chunk)
        return
    import multiprocessing
    from collections import deque

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        window: deque[Any] = deque()
        for chunk in chunks:
            window.append(pool.apply_async(_batch, (chunk,)))
            while len(window) >= 2 * workers:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


#: rows of the Parquet file of raw rows that one step of capping reads (~170 MB of Arrow)
CAP_BATCH = 100_000


@dataclass
class _Bans:
    """What capping takes out of each column: values as large string arrays, built once (an
    Arrow set lookup builds its hash set per call, so a batch pays for each once)."""
    keys: pa.Array
    abbrevs: pa.Array
    pairs: pa.Array
    names: pa.Array
    positions: pa.Array

    @classmethod
    def of(cls, capped: Mapping[str, int], common: Mapping[str, int]) -> _Bans:
        def values(keys: Iterator[str]) -> pa.Array:
            return pa.array(list(keys), pa.large_string())

        return cls(keys=values(iter(_both_forms(capped))),
                   abbrevs=values(k for k in common if not k.startswith((*PAIR_PREFIXES, POSITION_KEY, NAME_KEY))),
                   pairs=values(k for k in common if k.startswith(PAIR_PREFIXES)),
                   names=values(k[len(NAME_KEY):] for k in common if k.startswith(NAME_KEY)),
                   positions=values(k[len(POSITION_KEY):] for k in common if k.startswith(POSITION_KEY)))


def _capped(table: pa.Table, bans: _Bans) -> pa.Table:
    """The rows with their common keys taken out. A key shared by hundreds (John + Smith, or a
    lone "Mohammed") would pair everyone with everyone; such records still meet through their
    rarer keys and name+birth-year keys. The rare_* columns keep what is rare among all rows:
    "G. Konstantinos" / "Gavroglou Konstantinos": an initial with a common name is weak. On
    EveryPolitician, pairs whose shared initials key is held by at most 4 records were one person
    93-99 % of the time, by 5 or more 12-86 %. The same holds for a whole name: two records of
    "Zhang Wei" with no date are rarely one person; and a legislature's hundreds of members share
    its name as their office: the same office says more when few hold it (model.py, "same rare
    position")."""
    def put(t: pa.Table, name: str, values: pa.ChunkedArray) -> pa.Table:
        return t.set_column(t.schema.get_field_index(name), name, values)

    pairs = _with_prefix(table["keys"], PAIR_PREFIXES)
    table = put(table, "keys", _without(table["keys"], bans.keys))
    table = put(table, "rare_pairs", _without(pairs, bans.pairs))
    table = put(table, "rare_initial_abbrevs", _without(table["initial_abbrevs"], bans.abbrevs))
    table = put(table, "rare_names", _without(table["names"], bans.names))
    return put(table, "rare_positions", _without(table["positions"], bans.positions))


def _common(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """Initials keys, full names (``NAME_KEY``), pair keys and offices (``POSITION_KEY``) that
    more rows hold than their kind's rare count (``RARE_ABBREV``, ``RARE_NAME``, ``RARE_PAIR``,
    ``RARE_POSITION``), with how many."""
    return {**_over(con, source, "abbrevs", str(RARE_ABBREV), RARE_ABBREV),
            **{NAME_KEY + k: v for k, v in _over(con, source, "names", str(RARE_NAME), RARE_NAME).items()},
            **_over(con, source, "keys", str(RARE_PAIR), RARE_PAIR, prefixes=PAIR_PREFIXES),
            **{POSITION_KEY + k: v for k, v in _over(con, source, "positions", str(RARE_POSITION), RARE_POSITION).items()}}


def _stored_common(store: Store, con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """The common keys the latest resolve stored, of those the rows of ``source`` hold: rows built
    for a few records (``only``, for explain) are rare among themselves whatever they hold."""
    held = [k for (k,) in con.execute(
        f"SELECT DISTINCT k FROM (SELECT unnest(abbrevs) AS k FROM {source} "
        f"UNION ALL SELECT unnest(list_filter(keys, lambda x: {_starting('x', PAIR_PREFIXES)})) FROM {source} "
        f"UNION ALL SELECT '{NAME_KEY}' || unnest(names) FROM {source} "
        f"UNION ALL SELECT '{POSITION_KEY}' || unnest(positions) FROM {source}) ORDER BY k").fetchall()]
    return dict(store.con.execute("SELECT key, records FROM resolve_common_keys WHERE list_contains(?, key)",
                                  [held]).fetchall())


def build_rows(store: Store, key_cap: int = DEFAULT_KEY_CAP, only: list[str] | None = None,
               workers: int | None = None, out: str | None = None,
               kind_caps: Mapping[str, int] = KIND_CAPS) -> RowsResult:
    """Compute the linkage rows of every current person and organisation in the store (or of
    the records ``only`` names), in Arrow batches of ``BATCH`` rows, on ``workers`` processes
    (default: one per core from ``PARALLEL_FROM`` records).

    The rows go to a Parquet file as they are made; DuckDB counts their keys over that file, and
    the capped rows are written to ``out`` a batch at a time, so that this process never holds
    them all: at 2.4 million key persons holding and counting them in Arrow took it to 14 GB.
    Without ``out`` the rows come back as ``table``; with it, ``table`` is None. ``kind_caps``
    are the caps by kind of key (benchmarks/blocking.py builds a peer's rows with others)."""
    import os
    import shutil
    import tempfile

    import pyarrow.parquet as pq

    marks = ", ".join(f"'{s}'" for s in LINKED_SCHEMATA)
    where = f"AND entity_id IN ({', '.join('?' for _ in only)})" if only else ""
    count = store.con.execute(
        f"SELECT count(DISTINCT entity_id) FROM statements WHERE current AND prop = 'id' "
        f"AND schema IN ({marks}) {where}", list(only or [])).fetchone()[0]
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= PARALLEL_FROM else 1
    numbers_in = ", ".join(f"'{p}'" for p in NUMBER_PROPS)
    year_as_date = year_as_date_sources(store, stored=bool(only))
    years_in = ", ".join("'" + ds.replace("'", "''") + "'" for ds in year_as_date) or "NULL"
    query = _QUERY.format(schemata=marks, only=where, numbers=numbers_in, year_dates=years_in,
                          part="{part}", holder_part="{holder_part}")
    work = tempfile.mkdtemp(prefix="pepgraph-rows-")
    try:
        raw = os.path.join(work, "raw.parquet")
        records = 0
        with pq.ParquetWriter(raw, SCHEMA) as writer:
            for batch in _batches(_fetch(store, query, list(only or []), count, marks), workers):
                if batch is not None:
                    writer.write_batch(batch)
                    records += batch.num_rows
        with _counter(work) as con:
            source = "read_parquet('" + raw.replace("'", "''") + "')"
            capped = _over(con, source, "keys", _cap_sql(key_cap, kind_caps), min([key_cap, *kind_caps.values()]),
                           fold=LOOKED_UP_AS_OFFERED)
            common = _stored_common(store, con, source) if only else _common(con, source)
        bans = _Bans.of(capped, common)
        final = out or os.path.join(work, "rows.parquet")
        with pq.ParquetWriter(final, SCHEMA) as writer:
            for batch in pq.ParquetFile(raw).iter_batches(batch_size=CAP_BATCH):
                writer.write_table(_capped(pa.Table.from_batches([batch]), bans))
        table = None if out else pq.read_table(final, schema=SCHEMA)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RowsResult(table=table, records=records, capped_keys=capped, common_keys=common,
                      year_as_date=year_as_date)
