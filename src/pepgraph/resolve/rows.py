"""Linkage rows: one row per source entity (person or organisation) with the features Splink compares.

Rows are built from current statements: names (name, alias, previousName, and first/last name
parts put together), birth dates, gender, countries, and strong identifiers (Wikidata ids, and
identifiers of a known scheme such as bioguide, passports with their country). Names go through
``pepgraph.names`` once per distinct string; the row carries the Latin form, tokens, cross-script
symbols and phonetic keys, and the blocking keys (capped so that a very common key cannot blow up
the number of pairs: keys over the cap are replaced by the key combined with the birth year).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from itertools import combinations

from pepgraph.names import NameForm, analyze
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
SINGLE_KEY_CAP = 30  # a single name token blocks alone only when it is this rare
MAX_TOKENS = 5
#: Identifier properties without a scheme pepgraph knows (national id, passport, tax, social
#: security, registration numbers): compared fuzzily (a typo is common, a clash is not proof),
#: never linked on alone. Only pairs where both records have one are compared on them.
NUMBER_PROPS = ("idNumber", "passportNumber", "taxNumber", "socialSecurityNumber", "innCode",
                "registrationNumber", "vatCode", "ogrnCode", "leiCode")
MIN_NUMBER = 4  # shorter numbers ("12") block nothing


@dataclass
class RowsResult:
    table: pa.Table
    records: int
    capped_keys: dict[str, int] = field(default_factory=dict)  # key -> how many rows had it

    def report(self, top: int = 10) -> list[tuple[str, int]]:
        return Counter(self.capped_keys).most_common(top)


_QUERY = """
WITH ents AS (
    SELECT entity_id, min(schema) AS schema, min(dataset) AS dataset
    FROM statements WHERE current AND prop = 'id' AND schema IN ({schemata}) {only}
    GROUP BY entity_id
),
idents AS (
    SELECT h.value AS holder,
           list(DISTINCT lower(coalesce(t.value, 'id')) || ':' || n.value) AS ids
    FROM statements h
    JOIN statements n ON n.entity_id = h.entity_id AND n.prop = 'number' AND n.current
    LEFT JOIN statements t ON t.entity_id = h.entity_id AND t.prop = 'type' AND t.current
    WHERE h.current AND h.prop = 'holder' AND h.schema IN ('Identification', 'Passport')
    GROUP BY h.value
)
SELECT e.entity_id, e.schema, e.dataset,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop IN ('name', 'alias', 'previousName')) AS names,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop = 'firstName') AS first_names,
       list(s.value ORDER BY s.value) FILTER (WHERE s.prop IN ('lastName', 'fatherName', 'middleName')) AS other_names,
       list(DISTINCT s.value) FILTER (WHERE s.prop = 'birthDate') AS birth_dates,
       min(s.value) FILTER (WHERE s.prop = 'gender') AS gender,
       list(DISTINCT s.value) FILTER (WHERE s.prop IN ('nationality', 'citizenship', 'country', 'jurisdiction')) AS countries,
       list(DISTINCT s.value) FILTER (WHERE s.prop = 'wikidataId') AS qids,
       any_value(i.ids) AS ids,
       list(DISTINCT s.value ORDER BY s.value) FILTER (WHERE s.prop = 'address') AS addresses,
       list(DISTINCT s.value ORDER BY s.value) FILTER (WHERE s.prop IN ({numbers})) AS numbers
FROM ents e
JOIN statements s ON s.entity_id = e.entity_id AND s.current
LEFT JOIN idents i ON i.holder = e.entity_id
GROUP BY e.entity_id, e.schema, e.dataset
ORDER BY e.entity_id
"""


def blocking_keys(forms: list[NameForm], years: list[int], dates: Sequence[str] = (),
                  numbers: Sequence[str] = ()) -> list[str]:
    """Candidate-pair keys: two name tokens together ("2:"), one token with a birth year ("y:"),
    and one token alone ("1:", kept only where rare). A token stands both as its Latin form and as
    its cross-script symbol signature, so Иван Сидоренко meets Ivan Sidorenko. Records whose names
    disagree too much for any of those also meet on a full birth date ("d:") or an id number
    ("i:"), so a typo in the name, or a name given in parts the other way round, is still scored."""
    keys: set[str] = {f"d:{d}" for d in dates[:3]} | {f"i:{n}" for n in numbers[:3] if len(n) >= MIN_NUMBER}
    keys |= {f"a:{a}" for form in forms for a in abbreviations(form)}
    for form in forms:
        units = [{_signature(t), f"={t.latin}"} for t in form.parts[:MAX_TOKENS] if len(t.latin) >= 2]
        for left, right in combinations(units, 2):
            for a in left:
                for b in right:
                    if a != b:
                        keys.add("2:" + "+".join(sorted((a, b))))
        for unit in set().union(*units) if units else ():
            keys.add(f"1:{unit}")
            for year in years[:3]:
                keys.add(f"y:{unit}|{year}")
    return sorted(keys)


def abbreviations(form: NameForm) -> set[str]:
    """The "initials:token" keys of a name of two tokens or more: the sorted first letters of all its
    tokens, with one of its full tokens (3+ letters). "H. Harambe" and "Houly Harambe" share
    "hh:harambe"; a typo in one token leaves the keys of the others."""
    tokens = [t.latin for t in form.parts if t.latin and t.latin[0].isalnum()]
    if len(tokens) < 2:
        return set()
    letters = "".join(sorted(t[0] for t in tokens))
    return {f"{letters}:{t}" for t in tokens if len(t) >= 3}


def _part_keys(token: Any) -> tuple[str, ...]:
    """What one token of a name equals another by, for the "similar name tokens" comparison (see
    model.py): its Latin form, its consonant skeleton (3+ consonants) and its given-name symbols.
    Precomputed per record so that the per-pair test is a set lookup, not string surgery: the
    comparison had taken three quarters of predict time."""
    keys = [f"={token.latin}"]
    if len(token.skeleton) >= 3:
        keys.append(f"s:{token.skeleton}")
    keys.extend(sorted(s for s in token.symbols if s.startswith(("NAME:", "NICK:"))))
    return tuple(keys)


def _signature(token: Any) -> str:
    return "|".join(sorted(token.symbols)) if token.symbols else f"={token.latin}"


def _full_names(names: list[str], firsts: list[str], others: list[str]) -> list[str]:
    """Names as given, plus 'first last' when a source gives only parts."""
    out = list(dict.fromkeys(names))
    if firsts and others:
        out.append(" ".join([firsts[0], *others]))
    return out[:MAX_NAMES]


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


def build_rows(store: Store, key_cap: int = DEFAULT_KEY_CAP, only: list[str] | None = None) -> RowsResult:
    """Compute the linkage rows of every current person and organisation in the store (or of
    the records ``only`` names)."""
    marks = ", ".join(f"'{s}'" for s in LINKED_SCHEMATA)
    where = f"AND entity_id IN ({', '.join('?' for _ in only)})" if only else ""
    numbers_in = ", ".join(f"'{p}'" for p in NUMBER_PROPS)
    cur = store.con.execute(_QUERY.format(schemata=marks, only=where, numbers=numbers_in), list(only or []))
    cols: dict[str, list[Any]] = {c: [] for c in (
        "unique_id", "schema", "dataset", "display", "name", "names", "tokens", "symbols", "phonetic",
        "sorted_name", "parts", "part_keys", "part_latin", "skeletons", "abbrevs", "initials", "birth_dates", "birth_full", "birth_date", "birth_year", "gender", "countries", "ids", "numbers",
        "number", "address", "keys",
    )}
    key_counts: Counter[str] = Counter()
    while batch := cur.fetchmany(20_000):
        for (entity_id, schema, dataset, names, firsts, others, births, gender, countries, qids, ids,
             addresses, numbers) in batch:
            forms = [f for f in (analyze(n, schema=schema) for n in _full_names(names or [], firsts or [], others or [])) if f.tokens]
            if not forms:
                continue
            tokens = sorted({t for f in forms for t in f.tokens})
            births = sorted(births or [])
            years = sorted({int(b[:4]) for b in births if b[:4].isdigit()})
            full_dates = [b for b in births if len(b) == 10]
            numbers = sorted({n for n in (normalize_number(v) for v in numbers or []) if n})
            address = next((a for a in (normalize_address(v) for v in addresses or []) if a), None)
            keys = blocking_keys(forms, years, full_dates, numbers)
            key_counts.update(keys)
            cols["unique_id"].append(entity_id)
            cols["schema"].append(schema)
            cols["dataset"].append(dataset)
            cols["display"].append(forms[0].original)
            cols["name"].append(forms[0].latin)
            cols["names"].append(sorted({f.latin for f in forms}))
            cols["tokens"].append(tokens)
            # one signature per token: its set of cross-script name symbols (Ivan and Иван share
            # it), so that "two tokens matched by symbol" can be counted in SQL
            cols["symbols"].append(sorted({_signature(t) for f in forms for t in f.parts}))
            cols["phonetic"].append(sorted({p for f in forms for p in f.phonetic}))
            cols["sorted_name"].append(" ".join(sorted(forms[0].tokens)))
            # each token as [latin, key, key...]; the keys of all tokens; the Latin forms
            parts = sorted({(t.latin, *_part_keys(t)) for f in forms for t in f.parts if t.kind != "particle"})
            cols["parts"].append([list(p) for p in parts])
            cols["part_keys"].append(sorted({k for p in parts for k in p[1:]}))
            cols["part_latin"].append(sorted({p[0] for p in parts}))
            cols["skeletons"].append(sorted({t.skeleton for f in forms for t in f.parts if len(t.skeleton) >= 2}))
            cols["abbrevs"].append(sorted({a for f in forms for a in abbreviations(f)}) or None)
            cols["initials"].append(any(t.kind == "initial" for f in forms for t in f.parts))
            cols["birth_dates"].append(births or None)
            cols["birth_full"].append(full_dates or None)
            cols["birth_date"].append(full_dates[0] if full_dates else None)
            cols["birth_year"].append(years[0] if years else None)
            cols["gender"].append(gender)
            cols["countries"].append(sorted(countries) if countries else None)
            cols["ids"].append(_strong_ids(qids, ids) or None)
            cols["numbers"].append(numbers or None)
            cols["number"].append(numbers[0] if numbers else None)
            cols["address"].append(address)
            cols["keys"].append(keys)
    capped = {k: n for k, n in key_counts.items() if n > (SINGLE_KEY_CAP if k.startswith("1:") else key_cap)}
    if capped:
        # A key shared by hundreds (John + Smith, or a lone "Mohammed") would pair everyone with
        # everyone; such records still meet through their rarer keys and name+birth-year keys.
        cols["keys"] = [[k for k in keys if k not in capped] for keys in cols["keys"]]
    table = pa.table({
        "unique_id": pa.array(cols["unique_id"], pa.string()),
        "schema": pa.array(cols["schema"], pa.string()),
        "dataset": pa.array(cols["dataset"], pa.string()),
        "display": pa.array(cols["display"], pa.string()),
        "name": pa.array(cols["name"], pa.string()),
        "names": pa.array(cols["names"], pa.list_(pa.string())),
        "tokens": pa.array(cols["tokens"], pa.list_(pa.string())),
        "symbols": pa.array(cols["symbols"], pa.list_(pa.string())),
        "phonetic": pa.array(cols["phonetic"], pa.list_(pa.string())),
        "sorted_name": pa.array(cols["sorted_name"], pa.string()),
        "parts": pa.array(cols["parts"], pa.list_(pa.list_(pa.string()))),
        "part_keys": pa.array(cols["part_keys"], pa.list_(pa.string())),
        "part_latin": pa.array(cols["part_latin"], pa.list_(pa.string())),
        "skeletons": pa.array(cols["skeletons"], pa.list_(pa.string())),
        "abbrevs": pa.array(cols["abbrevs"], pa.list_(pa.string())),
        "initials": pa.array(cols["initials"], pa.bool_()),
        "birth_dates": pa.array(cols["birth_dates"], pa.list_(pa.string())),
        "birth_full": pa.array(cols["birth_full"], pa.list_(pa.string())),
        "birth_date": pa.array(cols["birth_date"], pa.string()),
        "birth_year": pa.array(cols["birth_year"], pa.int32()),
        "gender": pa.array(cols["gender"], pa.string()),
        "countries": pa.array(cols["countries"], pa.list_(pa.string())),
        "ids": pa.array(cols["ids"], pa.list_(pa.string())),
        "numbers": pa.array(cols["numbers"], pa.list_(pa.string())),
        "number": pa.array(cols["number"], pa.string()),
        "address": pa.array(cols["address"], pa.string()),
        "keys": pa.array(cols["keys"], pa.list_(pa.string())),
    })
    return RowsResult(table=table, records=table.num_rows, capped_keys=capped)
