"""PEP and RCA classification over the resolved store: who is a PEP, since when, until when, why.

``classify(store)`` reads every occupancy (from any source: Popolo memberships, congress terms,
Wikidata P39, FtM ``Occupancy``), places its position in the rules (``rules.yml``), works out
whether the holder is a current, former or expired PEP as of today, and then gives ``role.rca``
to the other side of every ``Family`` or ``Associate`` link to a current or former PEP, never to
anyone on the strength of a name alone. Everything is written in one transaction, replacing the
previous classification whole, so a rebuild is idempotent:

- ``pep_roles``: one row per reason (per occupancy for a PEP, per link for an RCA), with the
  rule, dates and the datasets it was read from;
- derived statements ``topics = role.pep`` / ``role.rca`` in the dataset ``derived_pep``, on the
  canonical entity, so that stats, exports and the screening index see them like any topic (an
  expired PEP gets no topic; its rows stay in ``pep_roles`` to show why);
- ``relative_matches``: relatives given by name only that matched one known person.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from followthemoney.statement import Statement

from pepgraph.pep.relatives import match_named_relatives
from pepgraph.pep.rules import Rules, load_rules, parse_date
from pepgraph.store import Store

DERIVED_DATASET = "derived_pep"
ORIGIN = "pepgraph build"
RANK = {"current": 0, "former": 1, "expired": 2}

#: a link's relationship, when the PEP is the link's ``relative`` (or ``associate``) and the
#: other person its ``person``, turned round to say what the other person is to the PEP
INVERSE = {
    "son": "parent", "daughter": "parent", "child": "parent", "stepson": "step-parent",
    "stepdaughter": "step-parent", "father": "child", "mother": "child", "parent": "child",
    "grandson": "grandparent", "granddaughter": "grandparent", "grandchild": "grandparent",
    "grandfather": "grandchild", "grandmother": "grandchild", "grandparent": "grandchild",
    "nephew": "uncle or aunt", "niece": "uncle or aunt", "uncle": "nephew or niece", "aunt": "nephew or niece",
    "son-in-law": "parent-in-law", "daughter-in-law": "parent-in-law", "father-in-law": "child-in-law",
    "mother-in-law": "child-in-law", "husband": "spouse", "wife": "spouse",
    "brother": "sibling", "sister": "sibling", "half-brother": "half-sibling", "half-sister": "half-sibling",
}  # fmt: skip
SYMMETRIC = {"spouse", "partner", "sibling", "cousin", "relative", "associate", "first cousin",
             "male first cousin", "female first cousin", "brother-in-law", "sister-in-law"}  # fmt: skip


@dataclass
class ClassifyResult:
    occupancies: int = 0
    classified: int = 0
    unclassified: int = 0
    unclassified_positions: list[tuple[str, int]] = field(default_factory=list)
    peps: dict[str, int] = field(default_factory=dict)  # status -> persons
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> status -> persons
    links: int = 0
    rcas: int = 0
    rca_by_relationship: dict[str, int] = field(default_factory=dict)
    relatives_named: int = 0
    relatives_matched: int = 0
    relatives_matched_same_dataset: int = 0
    seconds: float = 0.0
    rules: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Person:
    births: list[str] = field(default_factory=list)
    deaths: list[str] = field(default_factory=list)
    caption: str | None = None


def classify(store: Store, rules: Rules | str | Path | None = None, today: date | None = None) -> ClassifyResult:
    """Rewrite the PEP / RCA classification of the whole store (see the module docstring)."""
    started = time.perf_counter()
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    today = today or datetime.now(UTC).date()
    result = ClassifyResult(rules=str(rules.path))
    canonical = dict(store.con.execute(
        "SELECT entity_id, min(canonical_id) FROM statements WHERE prop = 'id' GROUP BY entity_id"
    ).fetchall())
    persons = _persons(store)
    positions = _positions(store)
    roles: list[dict[str, Any]] = []
    unclassified: dict[str, int] = {}
    for occ in _occupancies(store):
        result.occupancies += 1
        holder = canonical.get(occ["holder"])
        position = positions.get(occ["post"])
        if holder is None or position is None:
            continue
        found = rules.classify_position(position["name"], set(position["topics"]))
        if found is None:
            result.unclassified += 1
            unclassified[position["name"]] = unclassified.get(position["name"], 0) + 1
            continue
        result.classified += 1
        roles.append(_pep_role(rules, today, holder, occ, position, found, persons.get(holder, _Person())))
    result.unclassified_positions = sorted(unclassified.items(), key=lambda kv: (-kv[1], kv[0]))[:25]
    best: dict[str, dict[str, Any]] = {}
    for role in roles:
        held = best.get(role["canonical_id"])
        if held is None or (RANK[role["status"]], role["tier"]) < (RANK[held["status"]], held["tier"]):
            best[role["canonical_id"]] = role
    matched = match_named_relatives(store, canonical)
    result.relatives_named = matched.named
    result.relatives_matched = len(matched.matches)
    result.relatives_matched_same_dataset = sum(1 for m in matched.matches.values() if m[1] == "same-dataset")
    for entity_id, (target, _) in matched.matches.items():
        canonical[entity_id] = target
    captions = {cid: p.caption for cid, p in persons.items()}
    rca: dict[tuple[str, str, str], dict[str, Any]] = {}  # (person, PEP, relationship) -> role
    for link in _links(store):
        result.links += 1
        left, right = canonical.get(link["person"]), canonical.get(link["other"])
        if not left or not right or left == right:
            continue
        for pep, other, pep_is_person in ((left, right, True), (right, left, False)):
            held = best.get(pep)
            if held is None or held["status"] == "expired":
                continue
            relationship = _relationship(link["relationship"], link["schema"], pep_is_person)
            key = (other, pep, relationship)
            if key in rca:  # the same tie stated from both ends (Wikidata says it on both)
                rca[key]["link_id"] += f", {link['id']}"
                rca[key]["datasets"] = sorted(set(rca[key]["datasets"]) | set(link["datasets"]))
                continue
            rca[key] = _rca_role(other, pep, held, link, relationship, captions.get(pep) or pep)
            result.rca_by_relationship[relationship] = result.rca_by_relationship.get(relationship, 0) + 1
    for role in rca.values():
        role["reason"] = role["reason"].replace("{links}", role["link_id"]).replace(
            "{sources}", ", ".join(role["datasets"]))
    roles.extend(rca.values())
    _summarise(result, roles)
    _write(store, roles, matched.matches)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


# -- reading ---------------------------------------------------------------------------------------
def _persons(store: Store) -> dict[str, _Person]:
    out: dict[str, _Person] = {}
    rows = store.con.execute(
        """
        SELECT canonical_id,
               list(DISTINCT value) FILTER (WHERE prop = 'birthDate'),
               list(DISTINCT value) FILTER (WHERE prop = 'deathDate'),
               min(value) FILTER (WHERE prop = 'name')
        FROM statements WHERE current AND prop IN ('birthDate', 'deathDate', 'name') AND schema = 'Person'
        GROUP BY canonical_id
        """
    ).fetchall()
    for cid, births, deaths, name in rows:
        out[cid] = _Person(births or [], deaths or [], name)
    return out


def _positions(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.con.execute(
        """
        SELECT entity_id,
               min(value) FILTER (WHERE prop = 'name'),
               list(DISTINCT value) FILTER (WHERE prop = 'topics'),
               min(value) FILTER (WHERE prop = 'country')
        FROM statements WHERE current AND schema = 'Position' AND prop IN ('name', 'topics', 'country')
        GROUP BY entity_id
        """
    ).fetchall()
    return {r[0]: {"id": r[0], "name": r[1] or r[0], "topics": r[2] or [], "country": r[3]} for r in rows}


def _occupancies(store: Store) -> list[dict[str, Any]]:
    rows = store.con.execute(
        """
        SELECT entity_id,
               min(value) FILTER (WHERE prop = 'holder'),
               min(value) FILTER (WHERE prop = 'post'),
               min(value) FILTER (WHERE prop = 'startDate'),
               max(value) FILTER (WHERE prop = 'endDate'),
               min(value) FILTER (WHERE prop = 'status'),
               list(DISTINCT dataset),
               max(last_seen)
        FROM statements WHERE current AND schema = 'Occupancy'
        GROUP BY entity_id
        """
    ).fetchall()
    keys = ("id", "holder", "post", "start", "end", "status", "datasets", "last_seen")
    return [dict(zip(keys, r)) for r in rows]


def _links(store: Store) -> list[dict[str, Any]]:
    rows = store.con.execute(
        """
        SELECT entity_id, min(schema),
               min(value) FILTER (WHERE prop = 'person'),
               min(value) FILTER (WHERE prop IN ('relative', 'associate')),
               min(value) FILTER (WHERE prop = 'relationship'),
               list(DISTINCT dataset)
        FROM statements WHERE current AND schema IN ('Family', 'Associate')
        GROUP BY entity_id
        """
    ).fetchall()
    keys = ("id", "schema", "person", "other", "relationship", "datasets")
    return [dict(zip(keys, r)) for r in rows if r[2] and r[3]]


# -- rules applied ---------------------------------------------------------------------------------
def _pep_role(rules: Rules, today: date, holder: str, occ: dict[str, Any], position: dict[str, Any],
              found: Any, person: _Person) -> dict[str, Any]:  # fmt: skip
    start = parse_date(occ["start"])
    end = parse_date(occ["end"], last=True)
    seen = occ["last_seen"].date() if occ["last_seen"] else today
    notes: list[str] = []
    ended: date | None = None
    if end is not None:
        ended = end if end < today else None
    elif occ["status"] == "ended":
        ended = seen
        notes.append(f"end date unknown; counted from {seen.isoformat()}, when the source last listed it as ended")
    elif occ["status"] == "current" or (occ["status"] is None and start is not None):
        if (today - seen).days > rules.stale_current_days:
            ended = seen
            notes.append(f"last listed as current on {seen.isoformat()}")
        elif occ["status"] is None and start is not None and _years(start, rules.open_term_years) < today:
            ended = _years(start, rules.open_term_years)
            notes.append(f"no end date; counted as ended {rules.open_term_years} years after its start")
    else:
        ended = seen
        notes.append(f"dates unknown, last listed {seen.isoformat()}")
    died = max((d for d in (parse_date(v, last=True) for v in person.deaths) if d), default=None)
    until: date | None = None
    if died is not None and (ended is None or died < ended):
        ended = died
    if ended is not None:
        until = rules.expires(ended, found.tier)
    if died is not None:
        notes.append(f"died {died.isoformat()}")
        until = min(until or died, _years(died, rules.after_death_years))
    born = min((d for d in (parse_date(v) for v in person.births) if d), default=None)
    status = "current" if ended is None else ("former" if until and until >= today else "expired")
    if died is None and born is not None and _years(born, rules.max_age_years) < today:
        status, until = "expired", _years(born, rules.max_age_years)
        notes.append(f"born {born.year}: over {rules.max_age_years}, presumed dead")
    span = f"{occ['start'] or '?'} to {occ['end'] or ('present' if status == 'current' else '?')}"
    where = f" ({position['country']})" if position["country"] else ""
    reason = (
        f"{found.label}, {found.scope}, tier {found.tier}: held {position['name']}{where}, {span}"
        + (f"; {'; '.join(notes)}" if notes else "")
        + (f"; PEP until {until.isoformat()}" if until and status == "former" else "")
        + (f"; expired {until.isoformat()}" if until and status == "expired" else "")
        + f" [{found.why}; source {', '.join(sorted(occ['datasets']))}]"
    )
    return {
        "canonical_id": holder, "role": "pep", "status": status, "until": until,
        "category": found.category, "scope": found.scope, "tier": found.tier, "reason": reason,
        "occupancy_id": occ["id"], "position_id": position["id"], "position_name": position["name"],
        "country": position["country"], "start_date": occ["start"], "end_date": occ["end"],
        "pep_id": None, "relationship": None, "link_id": None, "datasets": sorted(occ["datasets"]),
    }


def _rca_role(other: str, pep: str, held: dict[str, Any], link: dict[str, Any], relationship: str,
              pep_caption: str) -> dict[str, Any]:  # fmt: skip
    reason = (
        f"{relationship} of {pep_caption} ({pep}), a {held['status']} PEP ({held['position_name']}) "
        f"[{link['schema']} {{links}}; source {{sources}}]"
    )
    return {
        "canonical_id": other, "role": "rca", "status": held["status"], "until": held["until"],
        "category": held["category"], "scope": held["scope"], "tier": held["tier"], "reason": reason,
        "occupancy_id": None, "position_id": held["position_id"], "position_name": held["position_name"],
        "country": held["country"], "start_date": None, "end_date": None, "pep_id": pep,
        "relationship": relationship, "link_id": link["id"], "datasets": sorted(link["datasets"]),
    }


def _relationship(raw: str | None, schema: str, pep_is_person: bool) -> str:
    """What the other person is to the PEP. The link's ``relationship`` says what its
    ``relative`` is to its ``person``: kept as is when the PEP is the ``person``, turned round
    when the PEP is the ``relative``."""
    text = " ".join((raw or "").casefold().split()) or ("associate" if schema == "Associate" else "relative")
    if pep_is_person or text in SYMMETRIC:
        return text
    return INVERSE.get(text, "relative")


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# -- writing ---------------------------------------------------------------------------------------
def _summarise(result: ClassifyResult, roles: list[dict[str, Any]]) -> None:
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for role in roles:
        key = (role["canonical_id"], role["role"])
        if key not in best or RANK[role["status"]] < RANK[best[key]["status"]]:
            best[key] = role
    for (_, kind), role in best.items():
        if kind == "pep":
            result.peps[role["status"]] = result.peps.get(role["status"], 0) + 1
            cat = result.by_category.setdefault(role["category"], {})
            cat[role["status"]] = cat.get(role["status"], 0) + 1
        elif role["status"] != "expired":
            result.rcas += 1


def _write(store: Store, roles: list[dict[str, Any]], matches: dict[str, tuple[str, str]]) -> None:
    import pyarrow as pa

    now = datetime.now(UTC).replace(tzinfo=None)
    topics: dict[tuple[str, str], None] = {}
    for role in roles:
        if role["status"] != "expired":
            topics[(role["canonical_id"], f"role.{role['role']}")] = None
    statements = pa.table({
        "id": [Statement.make_key(DERIVED_DATASET, cid, "topics", topic, None) for cid, topic in topics],
        "entity_id": [cid for cid, _ in topics],
        "value": [topic for _, topic in topics],
    })
    columns = ["canonical_id", "role", "status", "until", "category", "scope", "tier", "reason",
               "occupancy_id", "position_id", "position_name", "country", "start_date", "end_date",
               "pep_id", "relationship", "link_id", "datasets"]  # fmt: skip
    table = pa.table({c: [r[c] for r in roles] for c in columns}, schema=pa.schema([
        *((c, pa.string()) for c in columns[:3]), ("until", pa.date32()),
        *((c, pa.string()) for c in columns[4:6]), ("tier", pa.int32()),
        *((c, pa.string()) for c in columns[7:17]), ("datasets", pa.list_(pa.string())),
    ]))
    match_table = pa.table({
        "entity_id": list(matches), "canonical_id": [m[0] for m in matches.values()],
        "scope": [m[1] for m in matches.values()],
    }, schema=pa.schema([("entity_id", pa.string()), ("canonical_id", pa.string()), ("scope", pa.string())]))
    con = store.con
    con.register("_roles", table)
    con.register("_topics", statements)
    con.register("_matches", match_table)
    try:
        with store.transaction():
            # a topic first derived in an earlier build keeps its first_seen
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE _derived AS
                SELECT t.id, t.entity_id, t.value, coalesce(s.first_seen, ?::TIMESTAMP) AS first_seen
                FROM _topics t LEFT JOIN statements s ON s.id = t.id AND s.dataset = ?
                """,
                [now, DERIVED_DATASET],
            )
            con.execute("DELETE FROM statements WHERE dataset = ?", [DERIVED_DATASET])
            con.execute(
                """
                INSERT INTO statements (id, entity_id, canonical_id, schema, prop, prop_type, value,
                    original_value, lang, dataset, origin, first_seen, last_seen, current)
                SELECT id, entity_id, entity_id, 'Person', 'topics', 'topic', value, NULL, NULL, ?, ?,
                       first_seen, ?::TIMESTAMP, TRUE
                FROM _derived
                """,
                [DERIVED_DATASET, ORIGIN, now],
            )
            con.execute("DROP TABLE _derived")
            con.execute("DELETE FROM pep_roles")
            con.execute(f"INSERT INTO pep_roles SELECT {', '.join(columns)}, ?::TIMESTAMP FROM _roles", [now])
            con.execute("DELETE FROM relative_matches")
            con.execute("INSERT INTO relative_matches SELECT entity_id, canonical_id, scope, ?::TIMESTAMP FROM _matches", [now])
    finally:
        for name in ("_roles", "_topics", "_matches"):
            con.unregister(name)


def record_build(store: Store, started: datetime, details: dict[str, Any]) -> None:
    store.con.execute(
        "INSERT INTO build_runs VALUES ((SELECT coalesce(max(id), 0) + 1 FROM build_runs), ?, ?, ?)",
        [started, datetime.now(UTC).replace(tzinfo=None), json.dumps(details, default=str)],
    )


__all__ = ["DERIVED_DATASET", "ClassifyResult", "classify", "record_build"]
