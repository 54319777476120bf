"""The linkage model, written in pepgraph's terms and turned into Splink's in this one place.

Each comparison is a list of levels (most specific first) with a label, a SQL condition over the
``_l`` / ``_r`` columns of the linkage rows, and starting m/u probabilities so that an untrained
model already ranks sensibly; training replaces them (u by random sampling, m by EM). Splink is
touched only from this module.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

#: A word that name {a} holds twice ("Nikolay Nankov Nankov": a patronymic like the family name)
#: is held twice by name {b} too, or {b} has a word of its own spelt like it ("Rumen Ivanov
#: Ivnov"): ``tokens`` is a set, and "Nikolay Nankov Nankov" was inside "Nikolay Nankov Nenchev"
#: (on EveryPolitician 11 links of two people were made so, "KIRIL DOBREV DOBREV" / "КИРИЛ
#: НИКОЛАЕВ ДОБРЕВ"), while "Valeri Simeonov" is inside "Valeri Simeonov Simeonov". A typo in
#: one of the two ("MASNHIMBA MANSHIMBA") is still one person. Most names repeat nothing, and
#: the CASE spares them the lambda.
_REPEATS = ("CASE WHEN len(repeated_{a}) = 0 THEN true ELSE list_bool_and(list_transform(repeated_{a}, lambda x: "
            "list_contains(repeated_{b}, x) OR coalesce(list_bool_or(list_transform("
            "list_filter(tokens_{b}, lambda y: NOT list_contains(tokens_{a}, y)), "
            "lambda y: CASE WHEN jaro_winkler_similarity(x, y) >= 0.88 THEN levenshtein(x, y) <= 2 ELSE false END)), "
            "false))) END")

#: every token of one name matches a token of the other: the same Latin form, alike Latin forms
#: (4+ letters, Jaro-Winkler >= 0.88 and two edits at most: a typo, another romanisation; never
#: for a Han token), the same consonant skeleton between a transliteration and a Latin token
#: (3+ consonants: "Джаныш" / "Dzhanysh", "اشکرافت" / "Ashcroft") or a shared name symbol
#: ("William" / "Bill", "Иван" / "Ivan"). Never a different token: "Athanasios Oikonomou" is not
#: "Athanasios Gkoluinopoulos", however alike the two strings. Each entry of ``parts`` is
#: [latin, key, key...] and ``part_keys`` holds every key of a record (see rows.py): the tokens
#: with no key on the other side are filtered out by set lookups, and only those few are compared
#: by Jaro-Winkler (3.4x faster than comparing every token pair as strings, with the same levels).
#: The covering is close to one to one, without pairing every token (which made scoring 3.5
#: times as long on 20,000 generated key persons): a token that is like only a token the
#: covered name holds itself covers nothing ("Ivan Nikolaev Ivanov" / "Ivan Nikolov Grizanov":
#: ivanov is like ivan alone; "Ζαχαρίου Ζαχαρίας" / "Koulias Zacharias"), and the covered name
#: has no more distinct tokens than the other, nor a word twice that the other does not (``_REPEATS``).
#: Inside a lambda an AND evaluates every term (only a WHEN or a WHERE stops early): the CASEs
#: keep Jaro-Winkler from short and exact-only tokens and Levenshtein from pairs Jaro-Winkler
#: rejects (the name comparison in 0.93 of the time, the same level for every pair).
_COVERED = ("len(part_latin_{a}) <= len(part_latin_{b}) AND {repeats} AND "
            "coalesce(list_bool_and(list_transform(list_filter(parts_{a}, lambda x: NOT list_has_any(x, part_keys_{b})), "
            "lambda x: CASE WHEN length(x[1]) >= 4 AND NOT list_contains(x, '~exact') THEN list_bool_or(list_transform("
            "list_filter(part_latin_{b}, lambda y: NOT list_contains(part_latin_{a}, y)), "
            "lambda y: CASE WHEN jaro_winkler_similarity(x[1], y) >= 0.88 THEN levenshtein(x[1], y) <= 2 ELSE false END)) "
            "ELSE false END)), true)")

#: neither record has some but not all of the pieces of the other's hyphenated words ("Ri Kwang"
#: is not a name inside "Ri Kwang-chol"; ``hyphen_pieces`` holds the pieces, see rows.hyphened).
#: Set lookups, not a lambda over each word: that made scoring 1.7 times as long. With two
#: hyphenated words in one record, "all" means all of both.
_UNSPLIT = ("(NOT list_has_any(hyphen_pieces_r, tokens_l) OR list_has_all(tokens_l, hyphen_pieces_r)) "
            "AND (NOT list_has_any(hyphen_pieces_l, tokens_r) OR list_has_all(tokens_r, hyphen_pieces_l))")

#: a record's name tokens without its initials
_WORDS_L, _WORDS_R = ("list_filter(tokens_l, lambda t: length(t) > 1)", "list_filter(tokens_r, lambda t: length(t) > 1)")

_SAME_TOKENS = (f"len(list_intersect({_WORDS_L}, {_WORDS_R})) >= 2 AND "
                f"len(list_intersect({_WORDS_L}, {_WORDS_R})) >= greatest(len({_WORDS_L}), len({_WORDS_R}))")
_CONTAINED = ("len(list_intersect(tokens_l, tokens_r)) >= 2 AND "
              f"len(list_intersect(tokens_l, tokens_r)) >= least(len(tokens_l), len(tokens_r)) AND {_UNSPLIT} AND "
              f"((len(tokens_l) <= len(tokens_r) AND {_REPEATS.format(a='l', b='r')}) "
              f"OR (len(tokens_r) <= len(tokens_l) AND {_REPEATS.format(a='r', b='l')}))")
_SIMILAR = ("least(len(parts_l), len(parts_r)) >= 2 AND "
            "len(part_keys_l) > 0 AND len(part_keys_r) > 0 AND least(len(part_latin_l), len(part_latin_r)) >= 2 "
            "AND (list_has_any(skeletons_l, skeletons_r) "
            f"OR list_has_any(symbols_l, symbols_r)) AND (({_COVERED.format(a='l', b='r', repeats=_REPEATS.format(a='l', b='r'))}) "
            f"OR ({_COVERED.format(a='r', b='l', repeats=_REPEATS.format(a='r', b='l'))})) AND {_UNSPLIT}")
#: the two records share two name tokens together (a "2:" blocking key) that at most
#: rows.RARE_PAIR records hold: "Burova Yevgeniya" and "Yevgeniia Yaroslavovna Burova" with no
#: date are likely one person when no one else is called so, and unlikely when hundreds are
_RARE_PAIR = "list_has_any(rare_pairs_l, rare_pairs_r)"

#: the two records may be of one country: an office's title is one office only within a country
#: (EveryPolitician's "Member of the National Assembly" is Senegal's, Côte d'Ivoire's and a
#: dozen more; two deputies named Adama Sylla, of Senegal and of Côte d'Ivoire, had scored 0.955)
_ONE_COUNTRY = "(countries_l IS NULL OR countries_r IS NULL OR list_has_any(countries_l, countries_r))"

#: name of the comparison -> [(label, sql condition or None for "else", m, u)]; a level whose
#: label is "null" is Splink's null level.
#: In a level's condition the cheap test comes first: DuckDB evaluates the terms of an AND left
#: to right, each on the pairs the terms before it let through. With the rare pair first and the
#: token counts before the cover, scoring 20,000 generated key persons took 11.4 s instead of
#: 17.7 s, with the same pairs and levels.
COMPARISONS: dict[str, list[tuple[str, str | None, float, float]]] = {
    "name": [
        ("null", "name_l IS NULL OR name_r IS NULL", 0.0, 0.0),
        # both written in Han characters, and in different ones: pinyin gives homophones one
        # Latin name (刘钟俊 / 刘忠军 are both "liu zhongjun"; on EveryPolitician 14 such pairs of
        # two people scored as "same full name"); traditional and simplified forms are one name
        ("different characters", "han_l IS NOT NULL AND han_r IS NOT NULL AND NOT list_has_any(han_l, han_r)",
         0.02, 0.05),
        ("same full name", "list_has_any(rare_names_l, rare_names_r)", 0.55, 0.0005),
        # the same with a name that more than rows.RARE_NAME records hold ("Zhang Wei")
        ("same full name, common name", "list_has_any(names_l, names_r)", 0.2, 0.0005),
        # the same tokens in another order ("SURNAME, Given"; an initial more or less does not
        # count: "T. Slade Gorton" / "Slade Gorton"), then one name's tokens all in the other's: a
        # patronymic or middle name left out, but also "Ri Kwang" / "Ri Kwang-chol", "Kim Chol" /
        # "Kim Chol-kuk" (on EveryPolitician 114 pairs of the first kind were all one person, 174
        # of the second half of them); containment may not split a hyphenated word (_UNSPLIT)
        ("same name tokens, rare pair", f"{_RARE_PAIR} AND {_SAME_TOKENS}", 0.2, 0.00011),
        ("same name tokens", _SAME_TOKENS, 0.3, 0.0004),
        ("name tokens contained, rare pair", f"{_RARE_PAIR} AND {_CONTAINED}", 0.1, 0.00021),
        ("name tokens contained", _CONTAINED, 0.1, 0.0008),
        # the token-by-token test is costly: only pairs with a skeleton or symbol in common get it
        # (part_keys and part_latin are named outside the lambdas too: Splink carries into the
        # pair table only the columns it finds there)
        ("similar name tokens, rare pair", f"{_RARE_PAIR} AND {_SIMILAR}", 0.1, 0.00051),
        ("similar name tokens", _SIMILAR, 0.1, 0.002),
        # one Korean name in Hanja, Hangul or another romanisation: 朴洪根 / "PARK Hong Keun"
        # (the coarse reading of pepgraph.names.korean, see names.readings.korean_readings). Most records
        # have none: list_has_any on two NULL lists, unguarded, doubled the time to score pairs
        ("same Korean reading", "korean_l IS NOT NULL AND korean_r IS NOT NULL AND list_has_any(korean_l, korean_r)",
         0.05, 0.0001),
        # a Hong Kong name in characters and romanised: 盧偉國 / "LO Wai-kwok" (names.cantonese);
        # its starting weight is no other level's, as explanation() tells levels by weight
        ("same Cantonese reading", "cantonese_l IS NOT NULL AND cantonese_r IS NOT NULL "
         "AND list_has_any(cantonese_l, cantonese_r)", 0.03, 0.0001),
        # a Chinese name in characters, pinyin and Wade-Giles: 蔡英文 / "Tsai Ing-wen" / "Cai
        # Yingwen" (names.mandarin); Wade-Giles without apostrophes spells zh/ch, b/p, d/t alike
        ("same Mandarin reading", "mandarin_l IS NOT NULL AND mandarin_r IS NOT NULL "
         "AND list_has_any(mandarin_l, mandarin_r)", 0.04, 0.0002),
        # a name written with initials whose initials key (the sorted first letters and one full
        # token: "fov:vishnyakov") the other record's names have too
        ("same initials", "list_has_any(rare_initial_abbrevs_l, abbrevs_r) OR list_has_any(abbrevs_l, rare_initial_abbrevs_r)",
         0.03, 0.001),
        # the same with an initials key that more than rows.RARE_ABBREV records hold
        ("same initials, common name", "list_has_any(initial_abbrevs_l, abbrevs_r) OR list_has_any(abbrevs_l, initial_abbrevs_r)",
         0.01, 0.002),
        # two tokens by Latin form, or by symbol: a record's symbols are one signature per token
        # and script, so one token written in two scripts ("VASILEV" / "ВАСИЛЕВ", each record
        # with a Cyrillic alias) can share two; the Latin forms of the tokens that match count.
        # On EveryPolitician "MILEN VASILEV MIHOV" and "PETAR VASILEV MUTAFCHIEV" (born 1961,
        # one patronymic) had scored 0.82 this way: 57 pairs at this level with the same year and
        # country were 32 % one person and linked at 0.90
        # initials, and a family name the same but for a typo (the consonant skeleton of a full
        # token, see rows.loose_abbreviations): "B. PASQIER" / "Bernard PASQUIER"
        ("same initials, similar name", "list_has_any(initial_loose_abbrevs_l, loose_abbrevs_r) "
         "OR list_has_any(loose_abbrevs_l, initial_loose_abbrevs_r)", 0.02, 0.001),
        ("two tokens shared", "len(list_intersect(tokens_l, tokens_r)) >= 2 OR "
         "(len(list_intersect(symbols_l, symbols_r)) >= 2 AND len(list_distinct(list_transform("
         "list_filter(parts_l, lambda x: list_has_any(x, part_keys_r)), lambda x: x[1]))) >= 2)", 0.04, 0.004),
        ("sound alike", "len(list_intersect(phonetic_l, phonetic_r)) >= 2", 0.02, 0.01),
        ("one token shared", "len(list_intersect(tokens_l, tokens_r)) >= 1", 0.01, 0.05),
        ("else", None, 0.01, 0.92),
    ],
    "birth": [
        ("null", "birth_year_l IS NULL OR birth_year_r IS NULL", 0.0, 0.0),
        ("same date", "list_has_any(birth_full_l, birth_full_r)", 0.7, 0.0001),
        ("one typo in the date", "levenshtein(birth_date_l, birth_date_r) <= 1", 0.05, 0.0005),
        ("other day, same year", "birth_date_l IS NOT NULL AND birth_date_r IS NOT NULL AND birth_year_l = birth_year_r",
         0.02, 0.01),
        ("same year", "list_has_any(birth_dates_l, birth_dates_r) OR birth_year_l = birth_year_r", 0.2, 0.012),
        ("within 2 years", "abs(birth_year_l - birth_year_r) <= 2", 0.06, 0.05),
        ("else", None, 0.04, 0.94),
    ],
    # u of "shared country" is raised to what namesakes show after training (see namesake_stats)
    "country": [
        ("null", "countries_l IS NULL OR countries_r IS NULL", 0.0, 0.0),
        ("shared country", "list_has_any(countries_l, countries_r)", 0.9, 0.1),
        ("else", None, 0.1, 0.9),
    ],
    # The same office held, by the records' own positions or occupancies (rows.py): "Member of
    # the National Assembly of Pakistan" on a press record and a registry's occupancy of it.
    # Namesakes of one country rarely held one office. A record that names no office is not
    # compared ("null"); two records naming different offices weigh what training finds (-5.3
    # bits on generated 20k, where sources name one office alike; less where they do not)
    "position": [
        ("null", "positions_l IS NULL OR positions_r IS NULL", 0.0, 0.0),
        # an office at most rows.RARE_POSITION records name (a minister, a judge, a mayor), then
        # a common one (a legislature's members): at 1M generated key persons the same office,
        # weighed alike for both, took the wrong links between unrelated people 13,359 -> 48,043
        ("same rare position", f"list_has_any(rare_positions_l, rare_positions_r) AND {_ONE_COUNTRY}", 0.3, 0.001),
        ("same position", f"list_has_any(positions_l, positions_r) AND {_ONE_COUNTRY}", 0.2, 0.01),
        ("else", None, 0.5, 0.99),
    ],
    # Compared only when both records have one (real PEP data rarely does; KYC and FEBRL-style
    # records do): id numbers of no known scheme, and addresses.
    "number": [
        ("null", "numbers_l IS NULL OR numbers_r IS NULL", 0.0, 0.0),
        ("same number", "list_has_any(numbers_l, numbers_r)", 0.8, 0.0001),
        ("one typo", "levenshtein(number_l, number_r) <= 1", 0.1, 0.0005),
        ("two typos", "levenshtein(number_l, number_r) <= 2", 0.05, 0.005),
        ("else", None, 0.05, 0.9945),
    ],
    "address": [
        ("null", "address_l IS NULL OR address_r IS NULL", 0.0, 0.0),
        ("same address", "address_l = address_r", 0.6, 0.0005),
        ("similar address", "jaro_winkler_similarity(address_l, address_r) >= 0.9", 0.25, 0.005),
        ("alike address", "jaro_winkler_similarity(address_l, address_r) >= 0.75", 0.1, 0.1),
        ("else", None, 0.05, 0.8945),
    ],
    "gender": [
        ("null", "gender_l IS NULL OR gender_r IS NULL", 0.0, 0.0),
        ("same gender", "gender_l = gender_r", 0.97, 0.55),
        ("else", None, 0.03, 0.45),
    ],
    # Whether the two records come from one dataset. A source that lists each person once (a
    # registry) holds namesakes but few duplicates, so among records with the same name a pair
    # from one dataset is less often one person than a pair across datasets; without this, pairs
    # whose birth date is missing in one record (mostly across datasets) were weighed as if they
    # were as likely namesakes as two registry entries. A store with one dataset learns nothing
    # here: training leaves it neutral (see ``neutral_source``).
    "source": [
        ("null", "dataset_l IS NULL OR dataset_r IS NULL", 0.0, 0.0),
        ("same dataset", "dataset_l = dataset_r", 0.3, 0.4),
        ("else", None, 0.7, 0.6),
    ],
}
PRIOR = 1e-5  # probability that two random records match, before training


def settings(prior: float = PRIOR) -> dict[str, Any]:
    """The Splink settings dict for pepgraph's comparisons."""
    comparisons = []
    for name, levels in COMPARISONS.items():
        out_levels = []
        for label, sql, m, u in levels:
            level: dict[str, Any] = {"sql_condition": sql or "ELSE", "label_for_charts": label}
            if label == "null":
                level["is_null_level"] = True
            else:
                level["m_probability"] = m
                level["u_probability"] = u
            out_levels.append(level)
        comparisons.append({"output_column_name": name, "comparison_levels": out_levels,
                            "comparison_description": name})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [],  # set by the caller (see BLOCKING)
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
    }


@dataclass
class Model:
    """A Splink linker over the linkage rows, in its own DuckDB (in memory, or a file in its spill
    directory from ``ON_DISK_FROM`` rows)."""

    linker: Any
    con: duckdb.DuckDBPyConnection
    spill: str  # the engine's private spill directory (and database file, for large inputs)
    trained: bool = False

    def to_json(self) -> dict[str, Any]:
        return self.linker.misc.save_model_to_json()

    def close(self) -> None:
        """Close the engine and remove its spill directory."""
        import shutil

        self.con.close()
        shutil.rmtree(self.spill, ignore_errors=True)


def _quiet_splink() -> None:
    """Splink reports every training iteration through logging; pepgraph reports a summary."""
    import logging

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


#: From this many linkage rows the engine's database is a file in its spill directory, not memory:
#: table data in a file can be evicted under the memory limit. 1.64 million rows in memory (2.4 GB
#: as Arrow) failed under a 4 GB limit with DuckDB's out-of-memory error.
ON_DISK_FROM = 500_000


#: the linkage engine's memory limit (MB) when ``PEPGRAPH_RESOLVE_MEMORY`` is not set: for scoring
ENGINE_CAP_MB = 6144
#: ... and for training. Splink's u estimate (2 million random pairs) filled whatever limit it
#: had: on a 200,000-record sample it peaked at 7.6 GB (process) under 6 GB in 48 s, 3.6 GB under
#: 2 GB in 62 s and 2.7 GB under 1 GB in 50 s, with the same model (docs/benchmarks.md, "2.4 million
#: key persons resolved in 14 GB, and training under 1 GB").
TRAIN_CAP_MB = 1024


def engine_config(spill: str, cap_mb: int) -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB settings of the linkage engine: a memory limit (``PEPGRAPH_RESOLVE_MEMORY``, else 40 %
    of RAM up to ``cap_mb``; DuckDB's default of 80 % of RAM let training alone take 6.9 GB on
    164,000 records) and its private spill directory."""
    from pepgraph import settings

    return {"memory_limit": settings.memory_limit(settings.RESOLVE_MEMORY, cap_mb=cap_mb), "temp_directory": spill}


def make_model(rows: pa.Table | str, stored: dict[str, Any] | None = None, cap_mb: int | None = None) -> Model:
    """A linker over ``rows``: an Arrow table, or the path of a Parquet file of them (which
    DuckDB reads straight into its table, so that the caller need not hold them in memory).
    ``cap_mb`` (default ``ENGINE_CAP_MB``) bounds the engine's memory when
    ``PEPGRAPH_RESOLVE_MEMORY`` is not set."""
    import os
    import shutil
    import tempfile

    import pyarrow.parquet as pq
    from splink import DuckDBAPI, Linker, block_on

    _quiet_splink()
    spill = tempfile.mkdtemp(prefix="pepgraph-resolve-")
    count = pq.ParquetFile(rows).metadata.num_rows if isinstance(rows, str) else rows.num_rows
    database = os.path.join(spill, "linkage.duckdb") if count >= ON_DISK_FROM else ":memory:"
    try:
        con = duckdb.connect(database, config=engine_config(spill, cap_mb or ENGINE_CAP_MB))
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    model = Model(linker=None, con=con, spill=spill, trained=stored is not None)
    try:
        if isinstance(rows, str):
            con.execute("CREATE TABLE linkage_rows AS SELECT * FROM read_parquet(?)", [rows])
        else:
            con.register("linkage_rows_arrow", rows)
            con.execute("CREATE TABLE linkage_rows AS SELECT * FROM linkage_rows_arrow")
            con.unregister("linkage_rows_arrow")
        conf = current_conditions(stored) if stored else settings()
        conf["blocking_rules_to_generate_predictions"] = [
            block_on("keys", arrays_to_explode=["keys"]).get_blocking_rule("duckdb").as_dict(),
            block_on("ids", arrays_to_explode=["ids"]).get_blocking_rule("duckdb").as_dict(),
        ]
        model.linker = Linker("linkage_rows", conf, db_api=DuckDBAPI(connection=con))
    except BaseException:
        model.close()  # a failed start (out of memory loading the rows) leaves no spill files
        raise
    return model


def has_current_levels(stored: dict[str, Any]) -> bool:
    """Whether a stored model has every comparison and level of ``COMPARISONS`` (by label), so
    that scoring with it means what it meant when it was trained. A model stored before a level
    was added or split scores the pairs of that level by a weaker one, and is retrained."""
    have = {c.get("output_column_name"): [lv.get("label_for_charts") for lv in c.get("comparison_levels", [])]
            for c in stored.get("comparisons", [])}
    return all(have.get(name) == [label for label, *_ in levels] for name, levels in COMPARISONS.items())


def current_conditions(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored model with today's SQL for every level it shares (by comparison and label) with
    ``COMPARISONS``. What training learnt is m and u per level; how a level is tested is code, and
    changes with the linkage rows' columns (a model stored before ``parts`` became a list of keys
    would not run on the new rows)."""
    conf = copy.deepcopy(stored)
    for comp in conf.get("comparisons", []):
        current = {label: sql for label, sql, _m, _u in COMPARISONS.get(comp.get("output_column_name"), [])}
        for level in comp.get("comparison_levels", []):
            label = level.get("label_for_charts")
            if label in current:
                level["sql_condition"] = current[label] or "ELSE"
    return conf


#: "same" judgements (on records still present) from which m is counted instead of estimated by EM
MIN_JUDGED_SAME = 50


def train(model: Model, seed: int = 42, judged_same: list[tuple[str, str]] | None = None) -> list[str]:
    """u by random sampling, m either from human judgements (when there are at least
    ``MIN_JUDGED_SAME`` "same" pairs: the share of judged pairs in each level, smoothed) or by EM
    on two blocks (each leaves its own comparison free), then the prior from a deterministic rule
    whose recall is read off the trained model (``prior_rule_recall``), m and u of the shared
    readings from their counted pairs (``shared_m``), and last u with the true pairs taken out and
    the country's u set by namesakes (``correct_u``). Steps that the data
    cannot support are reported and skipped (the starting values stay)."""
    from splink import block_on

    notes: list[str] = []
    before = _u_values(model)
    sampled: set[tuple[str, str]] = set()
    shared: dict[str, SharedCount] = {}
    steps = [("u", lambda: model.linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed))]
    pairs = _present(model, judged_same or [])
    namesakes = namesake_stats(model)
    if len(pairs) < MIN_JUDGED_SAME:
        steps += [
            ("m by name blocks", lambda: _em_among_namesakes(model, namesakes)),
            # pairs born on the same day are mostly the same person: their name levels teach name m
            ("m by birth-date blocks", lambda: model.linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("birth_date"), fix_u_probabilities=True)),
        ]
    for label, step in steps:
        kept = model.to_json()
        try:
            step()
        except Exception as exc:  # Splink raises plain exceptions on too little data
            notes.append(f"training step '{label}' skipped: {str(exc).splitlines()[0][:200]}")
            # an EM session that fails leaves the comparisons it set aside out of the linker's
            # settings (a store without two records born on one day lost its birth comparison)
            _relink(model, kept)
        if label == "u":
            sampled = {k for k, v in _u_values(model).items() if before.get(k) != v}
            if sampled:
                bound_unseen_u(model, sampled)
            sampled |= count_rare_u(model)
            shared = count_shared_u(model)
            sampled -= {("name", label) for label in shared}  # shared_m sets their m and u
            count_sparse_u(model)  # matches left out already: not for correct_u
    if len(pairs) >= MIN_JUDGED_SAME:
        set_m(model, m_from_pairs(model, pairs))
        notes.append(f"m from {len(pairs)} judged-same pairs (EM not used)")
    recall = prior_rule_recall(model, namesakes)
    try:
        model.linker.training.estimate_probability_two_random_records_match(
            [block_on("sorted_name", "birth_year")], recall=recall)
    except Exception as exc:
        notes.append(f"training step 'prior' skipped: {str(exc).splitlines()[0][:200]}")
    shared_m(model, shared)
    correct_u(model, sampled, namesakes)
    neutral_source(model)
    no_weight_for(model)
    model.trained = True
    return notes


def _namesake_u(namesakes: dict[str, float]) -> dict[tuple[str, str], float]:
    """u of a shared country and of the same gender among namesakes (``namesake_stats``), by level."""
    out: dict[tuple[str, str], float] = {}
    for key, comp, same in (("country_u", "country", "shared country"), ("gender_u", "gender", "same gender")):
        if (share := namesakes.get(key)) is not None:
            share = min(max(share, 0.01), 0.99)
            out[(comp, same)], out[(comp, "else")] = share, 1 - share
    return out


def _set_u(model: Model, values: dict[tuple[str, str], float]) -> None:
    conf = model.to_json()
    for comp in conf["comparisons"]:
        for level in comp["comparison_levels"]:
            key = (comp["output_column_name"], level.get("label_for_charts", ""))
            if key in values and not level.get("is_null_level"):
                level["u_probability"] = values[key]
    _relink(model, conf)


def _em_among_namesakes(model: Model, namesakes: dict[str, float]) -> None:
    """EM on pairs with the same sorted name, with the u of country and gender that namesakes
    have while it runs. EM holds u fixed and explains what the block's pairs share by its two
    classes; with u from random pairs (a shared country 1 in 10), a block where most pairs share
    a country and a gender because names are national and gendered put its namesakes in the
    match class, whose birth m then said that a person's records often differ in date: at
    1,000,000 generated key persons "same date" m fell to 0.14 against 0.32 at 300,000
    (docs/benchmarks.md, "Why recall falls at 1M"). The sampled u are put back afterwards;
    ``correct_u`` sets the final ones."""
    before = _u_values(model)
    during = _namesake_u(namesakes)
    if during:
        _set_u(model, during)
    try:
        # the rule names the "name" column so that Splink leaves the name comparison out of this
        # EM, as it does a comparison on a blocked column: it reads only the columns of the rule,
        # and with the name levels in (an exact name weighs 20 bits) every pair of the block
        # was a match, so the birth m it learnt were the block's own shares, namesakes and all
        model.linker.training.estimate_parameters_using_expectation_maximisation(
            "l.sorted_name = r.sorted_name AND l.name IS NOT NULL", fix_u_probabilities=True)
    finally:
        if during:
            _set_u(model, {key: before[key] for key in during if before.get(key) is not None})


def neutral_source(model: Model) -> None:
    """With records from fewer than two datasets, "source" gets m = u on both levels (weight 0):
    no pair across datasets was seen, and the u that ``bound_unseen_u`` gives an unseen level
    would make every cross-dataset pair 20 bits more alike once a second dataset is ingested and
    the stored model reused."""
    datasets = model.con.execute("SELECT count(DISTINCT dataset) FROM linkage_rows").fetchall()[0][0]
    if datasets >= 2:
        return
    conf = model.to_json()
    for comp in conf["comparisons"]:
        if comp["output_column_name"] == "source":
            for level in comp["comparison_levels"]:
                if not level.get("is_null_level"):
                    level["m_probability"] = level["u_probability"] = 0.5
    _relink(model, conf)


#: name levels that are never evidence for one person, whatever EM finds: two full names that
#: share one word only
NEVER_FOR = ("one token shared",)
#: m of a ``NEVER_FOR`` level is at most this share of its u: a hair under, so that its Bayes
#: factor is not exactly 1, which ``explanation`` reads as the null level (the demo's explanations
#: said "name: null" of pairs that share one word)
NEVER_SHARE = 0.999


def no_weight_for(model: Model) -> None:
    """Give the ``NEVER_FOR`` levels at most m = u (weight 0 or less; ``NEVER_SHARE``). EM found "one token
    shared" 8 times as common among matches as among random pairs (the random pair rarely shares
    even one word), 3 bits; with a birth date in common that was enough: in the real-data demo
    14 of the 15 links at "one token shared | same date | shared country | same position" were
    two legislators born on one day ("Nguyễn Văn Phúc" / "Vũ Văn Ninh", "Diwakar, Shri Rajesh
    Kumar" / "Rajesh, Shri M. B."), or OFAC's twin brothers Kuznetsov."""
    conf = model.to_json()
    for comp in conf["comparisons"]:
        if comp["output_column_name"] == "name":
            for level in comp["comparison_levels"]:
                if level.get("label_for_charts") in NEVER_FOR and level.get("m_probability") and level.get("u_probability"):
                    level["m_probability"] = min(level["m_probability"], level["u_probability"] * NEVER_SHARE)
    _relink(model, conf)


#: random pairs drawn to estimate u (all pairs, on a store with fewer)
U_SAMPLE_PAIRS = 2_000_000


def bound_unseen_u(model: Model, sampled: set[tuple[str, str]]) -> None:
    """A level that no sampled pair fell in keeps its starting u in Splink; it gets at most one
    in the sampled pairs the comparison could be made on instead. The starting values are guesses
    for an untrained model: at 164,000 generated records no random pair had the same rare
    initials, and "same initials" kept u 0.001 (4.6 bits) while "same initials, common name",
    which the sample did see, got 1.6e-6 (12.7 bits), so the stronger evidence weighed less than
    the weaker one.

    One in the pairs *comparable*, not in all the pairs drawn: Splink's u is a share of the
    pairs where neither record is null, and a comparison that few records can make saw few of
    them. In the real-data demo 475 of 79,575 records have an address, so about 70 of the 2
    million random pairs had two; none was "alike", and one in 2 million made "alike address"
    weigh 17.6 bits, enough to make one entity of "STATE ENTERPRISE FOR FERTILIZER INDUSTRIES"
    and "STATE ENTERPRISE FOR RUBBER INDUSTRIES" (Basrah and Diwaniya, Iraq) on a shared "state
    enterprise". The pairs comparable are estimated from the records that have the comparison's
    values (its null condition, read on one record): drawn x k(k-1) / n(n-1)."""
    rows = model.con.execute("SELECT count(*) FROM linkage_rows").fetchall()[0][0]
    every = rows * (rows - 1) / 2
    drawn = max(1.0, min(float(U_SAMPLE_PAIRS), every))
    conf = model.to_json()
    changed = False
    for comp in conf["comparisons"]:
        name = comp["output_column_name"]
        if not any(key[0] == name for key in sampled):
            continue  # null in every pair drawn (no record has an address): nothing was learnt
        comparable = drawn
        held = _held(model, comp)
        if held is not None and every >= 1:
            comparable = drawn * held * (held - 1) / 2 / every
        bound = 1 / max(1.0, comparable)
        for level in comp["comparison_levels"]:
            key = (name, level.get("label_for_charts", ""))
            u = level.get("u_probability")
            if level.get("is_null_level") or key in sampled or not isinstance(u, float) or u <= bound:
                continue
            level["u_probability"] = bound
            changed = True
    if changed:
        _relink(model, conf)


#: a comparison whose sampled pairs held fewer than SPARSE_SAMPLED with values on both sides, and
#: that at most SPARSE_PAIRS pairs of records can make, gets its u counted over all of them
SPARSE_SAMPLED = 100_000
SPARSE_PAIRS = 5_000_000


def _one_side(sql: str) -> str:
    """A pair's condition read on one record: ``address_l IS NULL OR address_r IS NULL`` ->
    ``address IS NULL OR address IS NULL``."""
    return re.sub(r"\b(\w+)_[lr]\b", r"\1", sql.replace('"', ""))


def _null_sql(comp: dict[str, Any]) -> str | None:
    return next((lv.get("sql_condition") for lv in comp["comparison_levels"] if lv.get("is_null_level")), None)


def _held(model: Model, comp: dict[str, Any]) -> int | None:
    """How many linkage rows have the values a comparison needs (None: it has no null level)."""
    null = _null_sql(comp)
    if not null:
        return None
    return model.con.execute(f"SELECT count(*) FROM linkage_rows WHERE NOT ({_one_side(null)})").fetchall()[0][0]


def count_sparse_u(model: Model) -> set[tuple[str, str]]:
    """u of the comparisons that few records can make, counted over every pair of records that
    can make them and share no name token, instead of bounded by the few that sampling met.

    In the real-data demo 475 of 79,575 records have an address and 2,781 an id number: the 2
    million random pairs held about 70 and 2,400 pairs with two, too few to see a level that
    one pair in ten thousand falls in, so such levels could only be bounded (``bound_unseen_u``),
    and the bound is loose both ways: "alike address" weighed 17.6 bits with one in 2 million
    and still 2.8 with one in 70, where Iraqi state companies' addresses ("P.O. Box 74, Basrah,
    Iraq") are alike by the dozen; "one typo" in an id number weighed only 7.8 bits with one in
    2,400, and OFAC's and the UN's records of Akhmed Chatayev (born 14 / 4 July 1980, a passport
    number mistyped) fell apart. Every such pair can be listed (a few million at most); those
    sharing a name token are left out, as they are where the matches are (sampled u counts
    matches in, and ``correct_u`` takes them out with the prior; here there are none to take
    out). Returns the levels set; a comparison that sampling met often enough, and any in a store
    small enough for sampling to draw every pair (the built-in sample: 14 records, where counting
    every comparison this way had made a shared country weigh 10.7 bits), is left alone."""
    rows = model.con.execute("SELECT count(*) FROM linkage_rows").fetchall()[0][0]
    every = rows * (rows - 1) / 2
    drawn = float(U_SAMPLE_PAIRS)
    if every <= drawn:
        return set()  # sampling drew every pair: its u is exact (``correct_u`` takes the matches out)
    conf = model.to_json()
    found: set[tuple[str, str]] = set()
    for comp in conf["comparisons"]:
        name = comp["output_column_name"]
        levels = COMPARISONS.get(name)
        held = None if name == "name" or not levels else _held(model, comp)
        if held is None:
            continue
        pairs = held * (held - 1) / 2
        if pairs < 1 or pairs > SPARSE_PAIRS or drawn * pairs / every >= SPARSE_SAMPLED:
            continue
        sqls = " ".join(sql or "" for _label, sql, _m, _u in levels)
        cols = sorted({m.group(1) for m in re.finditer(r"\b(\w+)_[lr]\b", sqls)} | {"tokens"})
        side = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in cols)
        counts = dict(model.con.execute(
            f"""WITH h AS (SELECT unique_id, {', '.join(cols)} FROM linkage_rows WHERE NOT ({_one_side(_null_sql(comp) or "")})),
            x AS (SELECT {side} FROM h a JOIN h b ON a.unique_id < b.unique_id
                  WHERE len(list_intersect(a.tokens, b.tokens)) = 0)
            SELECT {_level_sql(levels)} AS level, count(*) FROM x GROUP BY level""").fetchall())
        total = sum(counts.values())
        if total < 1:
            continue
        for level in comp["comparison_levels"]:
            label = level.get("label_for_charts", "")
            if not level.get("is_null_level"):
                level["u_probability"] = max(counts.get(label, 0), 1) / total
                found.add((name, label))
    if found:
        _relink(model, conf)
    return found


#: the name levels whose pairs can all be listed: they share two tokens that at most
#: rows.RARE_PAIR records hold, or a full name that at most rows.RARE_NAME hold. Counting "same full
#: name" at 1,000,000 generated key persons had raised recall 0.63 -> 0.75 but dropped precision
#: 0.96 -> 0.81 while EM's birth m was diluted (namesakes born decades apart barely weighed); with
#: birth m learnt without the name comparison it raised generated 20k F1 0.9530 -> 0.9543 and
#: left EveryPolitician as it was (0.9715; 300,000 and 1,000,000: docs/benchmarks.md). "Same
#: initials" (rows.RARE_ABBREV) could be counted the same way; it cost EveryPolitician recall
#: 0.9597 -> 0.9537, so it stays sampled (docs/benchmarks.md, "Rare pairs of tokens" and "EM that
#: tells namesakes from one person").
COUNTED_LEVELS = ("same full name", "same name tokens, rare pair", "name tokens contained, rare pair",
                  "similar name tokens, rare pair")


def count_rare_u(model: Model) -> set[tuple[str, str]]:
    """u of ``COUNTED_LEVELS``, counted over every pair instead of sampled. Such pairs can all be
    listed (a few per rare pair of tokens), and random sampling barely meets them on a large
    store: at 1.6 million records 2 million random pairs hold about one, so their u stayed at the
    floor of 1 in the pairs drawn, hundreds of times what it is, and with the prior of a store
    that size an undated rare name could not link. Counted, they are matches included;
    ``correct_u`` takes the matches out as for sampled levels. Returns the levels set."""
    rows = model.con.execute("SELECT count(*) FROM linkage_rows").fetchall()[0][0]
    total = rows * (rows - 1) / 2
    if total < 1:
        return set()
    cols = [r[0] for r in model.con.execute("DESCRIBE linkage_rows").fetchall()]
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in cols)
    counts = dict(model.con.execute(
        f"""WITH k AS (SELECT unique_id, unnest(rare_pairs) AS v FROM linkage_rows
                   UNION ALL SELECT unique_id, unnest(rare_names) FROM linkage_rows),
        p AS (SELECT DISTINCT a.unique_id AS a, b.unique_id AS b FROM k a JOIN k b ON a.v = b.v AND a.unique_id < b.unique_id),
        x AS (SELECT {side} FROM p JOIN linkage_rows l ON l.unique_id = p.a JOIN linkage_rows r ON r.unique_id = p.b)
        SELECT {_level_sql(COMPARISONS["name"])} AS level, count(*) FROM x GROUP BY level""").fetchall())
    conf = model.to_json()
    for comp in conf["comparisons"]:
        if comp["output_column_name"] == "name":
            for level in comp["comparison_levels"]:
                if level.get("label_for_charts") in COUNTED_LEVELS:
                    level["u_probability"] = max(counts.get(level["label_for_charts"], 0), 1) / total
    _relink(model, conf)
    return {("name", label) for label in COUNTED_LEVELS}


#: name levels whose pairs share a value of one list column, and the column: their m and u are
#: set from the pairs that share a value (``count_shared_u``, ``shared_m``)
SHARED_VALUE_LEVELS = {"same Korean reading": "korean", "same Cantonese reading": "cantonese",
                       "same Mandarin reading": "mandarin"}
#: pairs sharing a value listed at most; past it, pairs are counted per value (two values shared
#: count twice, and pairs an earlier name level holds count too)
SHARED_LIST_CAP = 20_000_000
#: dated pairs in a shared-value level from which its share of true pairs is read off the births
MIN_DATED_SHARED = 10
#: the share of a shared-value level's pairs taken as true pairs when too few are dated: a coarse
#: reading alone leaves the odds even, for the other comparisons to decide
SHARED_MATCH_SHARE = 0.5


@dataclass
class SharedCount:
    """What ``count_shared_u`` found for a shared-value level: the pairs that share a value and
    that the name comparison puts in the level, and the dated ones among them by birth level."""

    pairs: float
    births: dict[str, int]


def count_shared_u(model: Model) -> dict[str, SharedCount]:
    """Count the pairs of ``SHARED_VALUE_LEVELS``, which random sampling cannot see: a reading is
    shared only among one country's people, whom a random pair rarely holds two of (on the
    EveryPolitician benchmark no sampled pair fell in "same Korean reading", its u stayed at the
    floor, and the level weighed 18.7 bits, more than an exact full name, so that "SEO Yong Gyo"
    (1968) and "SEO Youngkyo" (1964) were one person despite the dates). Every pair that shares a
    value is listed with the name and birth levels it falls in. u is set to the level's pairs over
    all pairs for now (true pairs included; training's EM starts from it) and ``shared_m`` sets m
    and u once the prior is known. Returns the counts by level."""
    rows = model.con.execute("SELECT count(*) FROM linkage_rows").fetchall()[0][0]
    total = rows * (rows - 1) / 2
    if total < 1:
        return {}
    found: dict[str, SharedCount] = {}
    cols = [r[0] for r in model.con.execute("DESCRIBE linkage_rows").fetchall()]
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in cols)
    for label, column in SHARED_VALUE_LEVELS.items():
        keyed = f"SELECT DISTINCT unique_id, unnest({column}) AS v FROM linkage_rows WHERE {column} IS NOT NULL"
        per_value = model.con.execute(
            f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM ({keyed}) GROUP BY v)").fetchall()[0][0]
        if not per_value:
            continue
        if per_value > SHARED_LIST_CAP:
            found[label] = SharedCount(float(per_value), {})
            continue
        counts = model.con.execute(
            f"""WITH k AS ({keyed}),
            p AS (SELECT DISTINCT a.unique_id AS a, b.unique_id AS b FROM k a JOIN k b ON a.v = b.v AND a.unique_id < b.unique_id),
            x AS (SELECT {side} FROM p JOIN linkage_rows l ON l.unique_id = p.a JOIN linkage_rows r ON r.unique_id = p.b),
            y AS (SELECT {_level_sql(COMPARISONS["name"])} AS name_level, {_level_sql(COMPARISONS["birth"])} AS birth_level FROM x)
            SELECT birth_level, count(*) FROM y WHERE name_level = ? GROUP BY birth_level""", [label]).fetchall()
        pairs = sum(n for _level, n in counts)
        if pairs:
            found[label] = SharedCount(float(pairs), {lv: n for lv, n in counts if lv != "null"})
    if not found:
        return {}
    conf = model.to_json()
    for comp in conf["comparisons"]:
        if comp["output_column_name"] == "name":
            for level in comp["comparison_levels"]:
                if level.get("label_for_charts") in found:
                    level["u_probability"] = found[level["label_for_charts"]].pairs / total
    _relink(model, conf)
    return found


def match_share(births: dict[str, int], m: dict[str, float], u: dict[str, float]) -> float | None:
    """The share of true pairs among pairs whose birth levels are ``births``, by EM with the
    birth comparison's trained m and u held fixed (a two-class mixture with known classes), or
    None with fewer than ``MIN_DATED_SHARED`` dated pairs."""
    dated = {lv: n for lv, n in births.items() if m.get(lv) and u.get(lv)}
    count = sum(dated.values())
    if count < MIN_DATED_SHARED:
        return None
    share = 0.5
    for _ in range(200):
        share = sum(n * share * m[lv] / (share * m[lv] + (1 - share) * u[lv]) for lv, n in dated.items()) / count
    return share


def shared_m(model: Model, shared: dict[str, SharedCount]) -> dict[str, float]:
    """m and u of ``SHARED_VALUE_LEVELS`` from their pairs: with N pairs in the level among T,
    a share f of them true (``match_share``, read off their birth dates; ``SHARED_MATCH_SHARE``
    when too few are dated) and the prior p, u = (1 - f) N / T and m = f N / (p T), so that the
    level alone gives odds f / (1 - f). The first model gave "same Korean reading" its starting
    m (0.05, more true pairs than the level held); ``correct_u`` then left u at its floor and the
    level weighed 24 bits, more than an exact full name: on the real-data demo 10 members of the
    Supreme People's Assembly were linked to namesakes in the South's National Assembly, against
    the two countries. Returns the share used, by level. Runs after the prior is estimated."""
    if not shared:
        return {}
    conf = model.to_json()
    prior = float(conf.get("probability_two_random_records_match") or PRIOR)
    rows = model.con.execute("SELECT count(*) FROM linkage_rows").fetchall()[0][0]
    total = rows * (rows - 1) / 2
    birth = {lv.get("label_for_charts", ""): lv for c in conf["comparisons"] if c["output_column_name"] == "birth"
             for lv in c["comparison_levels"] if not lv.get("is_null_level")}
    m = {k: float(lv.get("m_probability") or 0) for k, lv in birth.items()}
    u = {k: float(lv.get("u_probability") or 0) for k, lv in birth.items()}
    used: dict[str, float] = {}
    for comp in conf["comparisons"]:
        if comp["output_column_name"] != "name":
            continue
        for level in comp["comparison_levels"]:
            label = level.get("label_for_charts")
            if label not in shared:
                continue
            found = match_share(shared[label].births, m, u)
            share = min(max(found if found is not None else SHARED_MATCH_SHARE, 0.01), 0.95)
            pairs = shared[label].pairs
            level["u_probability"] = max((1 - share) * pairs, 1.0) / total
            level["m_probability"] = min(share * pairs / (prior * total), 0.5)
            used[label] = share
    _relink(model, conf)
    return used


#: the least share of its sampled u that a level keeps when the true pairs are taken out of it
U_FLOOR_SHARE = 0.05


def _u_values(model: Model) -> dict[tuple[str, str], float]:
    return {(c["output_column_name"], lv.get("label_for_charts", "")): lv.get("u_probability")
            for c in model.to_json()["comparisons"] for lv in c["comparison_levels"] if not lv.get("is_null_level")}


#: name groups larger than this are left out of ``namesake_stats`` (their pairs grow as the square)
NAMESAKE_GROUP = 50
#: the fewest pairs from which ``namesake_stats`` figures are used
MIN_NAMESAKE_PAIRS = 30


def namesake_stats(model: Model) -> dict[str, float]:
    """What pairs of records with the same name say about two things a random pair cannot.
    ``dated``: the share of same-name pairs (mostly true pairs) where both records have a birth
    year: a person whose birth date is unknown is unknown in every source, so this is far above
    the square of the share of dated records. ``country_u``: among same-name pairs born more than
    five years apart (certainly two people), the share that share a country: names are national,
    so namesakes share a country far more often than random pairs do (on the EveryPolitician
    benchmark 1.8 % of random pairs and most namesakes). ``position_u``: among such pairs where
    both records name an office, the share that name one common office (more than
    rows.RARE_POSITION records name it): a legislature's seats are a country's too, and random
    pairs (u by sampling) share none, so the office counted the country a second time (at 1M
    generated key persons namesakes sharing a common office made up most of the wrong links the
    office comparison added). A rare office is left to sampling: raising its u too lost more
    true pairs than wrong ones (100k generated: F1 0.9157 -> 0.9135). ``gender_u``: among such
    pairs with two genders, the share with the same one (given names are gendered), which EM on
    same-name pairs uses (``_em_among_namesakes``)."""
    rows = model.con.execute(
        f"""
        WITH g AS (SELECT sorted_name FROM linkage_rows GROUP BY sorted_name HAVING count(*) BETWEEN 2 AND {NAMESAKE_GROUP}),
        r AS (SELECT unique_id, sorted_name, birth_year, countries, positions, rare_positions, gender FROM linkage_rows
              WHERE sorted_name IN (SELECT sorted_name FROM g)),
        p AS (SELECT l.birth_year AS yl, r.birth_year AS yr, l.countries AS cl, r.countries AS cr,
                     l.positions AS pl, r.positions AS pr, l.rare_positions AS rl, r.rare_positions AS rr,
                     l.gender AS gl, r.gender AS gr
              FROM r l JOIN r r ON l.sorted_name = r.sorted_name AND l.unique_id < r.unique_id)
        SELECT count(*), count(*) FILTER (WHERE yl IS NOT NULL AND yr IS NOT NULL),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND cl IS NOT NULL AND cr IS NOT NULL),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND list_has_any(cl, cr)),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND pl IS NOT NULL AND pr IS NOT NULL),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND list_has_any(pl, pr) AND NOT coalesce(list_has_any(rl, rr), false)),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND gl IS NOT NULL AND gr IS NOT NULL),
               count(*) FILTER (WHERE abs(yl - yr) > 5 AND gl = gr)
        FROM p
        """).fetchall()[0]
    pairs, dated, apart, apart_shared, offices, common_office, gendered, same_gender = (int(x or 0) for x in rows)
    out: dict[str, float] = {}
    if pairs >= MIN_NAMESAKE_PAIRS:
        out["dated"] = dated / pairs
    if apart >= MIN_NAMESAKE_PAIRS:
        out["country_u"] = apart_shared / apart
    if offices >= MIN_NAMESAKE_PAIRS:
        out["position_u"] = common_office / offices
    if gendered >= MIN_NAMESAKE_PAIRS:
        out["gender_u"] = same_gender / gendered
    return out


def prior_rule_recall(model: Model, namesakes: dict[str, float] | None = None) -> float:
    """The share of true pairs that the prior's rule (same sorted name and birth year) finds, from
    the model itself: m of an exact name, times m of the same birth year, times the chance that
    both records of a true pair have a birth year (the share among same-name pairs from
    ``namesake_stats``; without enough of them, the dated share squared). A fixed
    guess (0.7) had put the prior three times too low on data where a third of the records have
    no birth date: only pairs with two dates can satisfy the rule."""
    conf = model.to_json()

    def m_of(name: str, labels: tuple[str, ...]) -> float:
        comp = next((c for c in conf["comparisons"] if c["output_column_name"] == name), None)
        if comp is None:
            return 1.0
        return sum(float(lv.get("m_probability") or 0) for lv in comp["comparison_levels"]
                   if not lv.get("is_null_level") and lv.get("label_for_charts", "").startswith(labels))

    both_dated = (namesakes or {}).get("dated")
    if both_dated is None:
        dated = model.con.execute("SELECT avg(CASE WHEN birth_year IS NULL THEN 0 ELSE 1 END) FROM linkage_rows").fetchall()[0][0]
        both_dated = float(dated or 0) ** 2
    recall = m_of("name", ("same full name",)) * m_of("birth", ("same date", "other day, same year", "same year"))
    recall *= both_dated
    return min(1.0, max(0.05, recall))


def correct_u(model: Model, sampled: set[tuple[str, str]] | None = None,
              namesakes: dict[str, float] | None = None) -> None:
    """Take the true pairs out of each level's u. Random sampling counts every pair it draws,
    matches included; where people have two or three records each, a random pair is a match as
    often as 1 in 20,000, and the strongest levels' sampled u was mostly true pairs (on the
    EveryPolitician benchmark 3.4e-5 for "same full name, shared country", against 3.9e-5 for the
    matched share alone), which made an exact name and country weigh 250 times too little. With the
    prior p: u = (u_sampled - p * m) / (1 - p), and at least ``U_FLOOR_SHARE`` of u_sampled."""
    conf = model.to_json()
    prior = float(conf.get("probability_two_random_records_match") or PRIOR)
    country_u = (namesakes or {}).get("country_u")
    for comp in conf["comparisons"]:
        name = comp["output_column_name"]
        for level in comp["comparison_levels"]:
            m, u, label = level.get("m_probability"), level.get("u_probability"), level.get("label_for_charts", "")
            if level.get("is_null_level") or not m or not u or (sampled is not None and (name, label) not in sampled):
                continue
            level["u_probability"] = max(u - prior * m, u * U_FLOOR_SHARE) / (1 - prior)
        if name == "country" and country_u is not None:
            # every pair scored shares a name key: a shared country is worth what it is among namesakes
            levels = {lv.get("label_for_charts"): lv for lv in comp["comparison_levels"]}
            if "shared country" in levels and "else" in levels:
                shared = max(levels["shared country"]["u_probability"], min(country_u, 0.99))
                levels["shared country"]["u_probability"] = shared
                levels["else"]["u_probability"] = 1 - shared
        position_u = (namesakes or {}).get("position_u")
        if name == "position" and position_u is not None:
            # the same for a common office; "else" takes what the shared levels leave
            levels = {lv.get("label_for_charts"): lv for lv in comp["comparison_levels"]}
            if "same position" in levels and "else" in levels:
                common = levels["same position"]
                common["u_probability"] = max(common["u_probability"], min(position_u, 0.49))
                levels["else"]["u_probability"] = max(0.01, 1 - sum(
                    lv["u_probability"] for key, lv in levels.items() if key != "else" and not lv.get("is_null_level")))
    _relink(model, conf)


def _present(model: Model, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ids = {r[0] for r in model.con.execute("SELECT unique_id FROM linkage_rows").fetchall()}
    return sorted({tuple(sorted(p)) for p in pairs if p[0] in ids and p[1] in ids and p[0] != p[1]})  # type: ignore[misc]


def _level_sql(levels: list[tuple[str, str | None, float, float]]) -> str:
    """The comparison as a CASE giving the label of the level a pair falls in."""
    whens = " ".join(f"WHEN {sql} THEN '{label}'" for label, sql, _m, _u in levels if sql is not None)
    return f"CASE {whens} ELSE 'else' END"


def m_from_pairs(model: Model, pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """m of every level: the share of the given matching pairs that fall in it, among the pairs
    where the comparison is not null, with add-one smoothing so that no level gets m = 0."""
    import pyarrow as pa

    cols = [r[0] for r in model.con.execute("DESCRIBE linkage_rows").fetchall()]
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in cols)
    model.con.register("_judged_same", pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]}))
    try:
        out: dict[str, dict[str, float]] = {}
        for name, levels in COMPARISONS.items():
            rows = model.con.execute(
                f"WITH p AS (SELECT {side} FROM _judged_same j JOIN linkage_rows l ON l.unique_id = j.a "
                f"JOIN linkage_rows r ON r.unique_id = j.b) "
                f"SELECT {_level_sql(levels)} AS level, count(*) FROM p GROUP BY level"
            ).fetchall()
            counts = {label: n for label, n in rows if label != "null"}
            labels = [lv[0] for lv in levels if lv[0] != "null"]
            total = sum(counts.values()) + len(labels)
            out[name] = {label: (counts.get(label, 0) + 1) / total for label in labels}
    finally:
        model.con.unregister("_judged_same")
    return out


def set_m(model: Model, m: dict[str, dict[str, float]]) -> None:
    """Put m values into the model (rebuilding the Splink linker over the same rows)."""
    conf = model.to_json()
    for comp in conf["comparisons"]:
        values = m.get(comp["output_column_name"], {})
        for level in comp["comparison_levels"]:
            if not level.get("is_null_level") and level.get("label_for_charts") in values:
                level["m_probability"] = values[level["label_for_charts"]]
    _relink(model, conf)


def _relink(model: Model, conf: dict[str, Any]) -> None:
    """A new Splink linker over the same rows with changed settings (Splink has no setter)."""
    from splink import DuckDBAPI, Linker

    model.linker = Linker("linkage_rows", conf, db_api=DuckDBAPI(connection=model.con))


#: an initials key as offered ("a:") and as looked up ("A:", a name written with initials) are one
#: posting key; a pair is made on it when one side looks it up (rows.blocking_keys), or when at
#: most OFFERED_ALONE names written in full offer it ("Raju Basu" / "Radju Basu" meet on
#: "br:basu", but "Michael Hughes" does not meet every other "Michael H." written in full)
OFFERED_ALONE = 10


def candidate_parts(model: Model, part_pairs: int) -> int:
    """Prepare blocking on integer ids and return how many parts scoring takes.

    ``_rid`` gives each linkage row a small integer; ``_postings`` holds (hashed key, rid) for
    every blocking key and strong identifier a record has (Splink's two exploding rules, "keys"
    and "ids"); a pair of records is a candidate when they share a posting and one of the two
    postings is ``probe`` (every key but an initials key that only names written in full offer,
    and more than ``OFFERED_ALONE`` of them). A hash collision only adds a candidate pair, which
    scoring then weighs like any other. The part count is the pairs before de-duplication (the
    sum over posting keys of n(n-1)/2, less the pairs among non-probe postings) over ``part_pairs``."""
    from pepgraph.resolve.rows import as_offered

    con = model.con
    con.execute("CREATE OR REPLACE TABLE _rid AS SELECT unique_id, (row_number() OVER (ORDER BY unique_id))::INTEGER AS rid "
                "FROM linkage_rows")
    con.execute(
        f"""CREATE OR REPLACE TABLE _postings AS
        WITH r AS (SELECT rid, keys, ids FROM linkage_rows JOIN _rid USING (unique_id)),
        p AS (SELECT k, rid, bool_or(probe) AS probe FROM (
            SELECT hash('k' || {as_offered('key')}) AS k, NOT starts_with(key, 'a:') AS probe, rid
            FROM (SELECT rid, unnest(keys) AS key FROM r)
            UNION ALL SELECT hash('i' || unnest(ids)) AS k, true AS probe, rid FROM r WHERE ids IS NOT NULL)
            GROUP BY k, rid)
        SELECT k, rid, probe FROM p WHERE probe
        UNION ALL
        SELECT k, rid, count(*) OVER (PARTITION BY k) <= {OFFERED_ALONE} AS probe FROM p WHERE NOT probe""")
    # pairs with at least one side that looks the key up: all n(n-1)/2 but those among offers alone
    raw = con.execute("SELECT coalesce(sum(n * (n - 1) / 2 - o * (o - 1) / 2), 0) FROM "
                      "(SELECT count(*) AS n, count(*) FILTER (WHERE NOT probe) AS o FROM _postings GROUP BY k)"
                      ).fetchall()[0][0]
    return max(1, math.ceil(float(raw) / part_pairs))


def _scoring_steps(linker: Any, threshold: float) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Splink's SQL steps, in the linker's dialect: the comparison vectors of the pairs in
    ``__splink__blocked_id_pairs`` (its own blocking's output table, the records read from
    ``_part_l`` and ``_part_r``), then the scores read from ``__splink__df_comparison_vectors``."""
    from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings

    conf = linker._settings_obj
    vectors = compute_comparison_vector_values_from_id_pairs_sqls(
        conf._columns_to_select_for_blocking, conf._columns_to_select_for_comparison_vector_values,
        input_tablename_l="_part_l", input_tablename_r="_part_r",
        source_dataset_input_column=conf.column_info_settings.source_dataset_input_column,
        unique_id_input_column=conf.column_info_settings.unique_id_input_column,
        link_type=conf._link_type, sql_dialect_str=linker._sql_dialect_str)
    predict = predict_from_comparison_vectors_sqls_using_settings(
        conf, threshold, None, sql_infinity_expression=linker._infinity_expression)
    return vectors, predict


def _statement(*steps: list[dict[str, str]]) -> str:
    from splink.internals.pipeline import CTEPipeline

    pipeline = CTEPipeline()
    for step in steps:
        pipeline.enqueue_list_of_sqls(step)
    return pipeline.generate_cte_pipeline_sql()


def scoring_sql(linker: Any, threshold: float) -> str:
    """Splink's scoring of the candidate pairs as one statement (see ``_scoring_steps``)."""
    return _statement(*_scoring_steps(linker, threshold))


def scoring_sql_apart(linker: Any, threshold: float) -> tuple[str, str]:
    """The same as two statements: the comparison vectors, then the scores read from them as
    ``__splink__df_comparison_vectors``. Spark's optimiser inlines each level's CASE into every
    Bayes factor's when they are one, evaluating the name comparison 15 times over."""
    vectors, predict = _scoring_steps(linker, threshold)
    return _statement(vectors), _statement(predict)


def predict_batches(model: Model, threshold: float, size: int = 50_000, part_pairs: int | None = None,
                    progress: Callable[[int, int, int], None] | None = None) -> Iterator[pa.RecordBatch]:
    """Scored pairs at or above ``threshold`` probability, with each comparison's weight, in
    Arrow batches (a million records give millions of pairs; a list of them all does not fit).

    The candidate pairs are Splink's blocking rules' (records sharing a blocking key or a strong
    identifier, each pair once), made on integer ids part by part (the left record's id modulo
    the part count) and scored by Splink's own SQL, so that no table ever holds every pair or
    every pair's columns: a part's pairs, its left records and the right records they meet.
    A part holds about ``part_pairs`` candidate pairs before de-duplication
    (``PEPGRAPH_RESOLVE_PART_PAIRS``, 20 million): Splink's own predict keeps every candidate pair
    as two strings and joins all of them to both records' comparison columns at once, which at
    2.4 million key persons spilled more than the 63 GB of free disk. ``progress`` is called with
    (parts done, parts, the part's distinct candidate pairs) after each part."""
    from pepgraph import settings

    con = model.con
    parts = candidate_parts(model, part_pairs or settings.resolve_part_pairs())
    sql = scoring_sql(model.linker, threshold)
    try:
        for part in range(parts):
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _part_pairs AS
                SELECT DISTINCT a.rid AS l, b.rid AS r FROM _postings a JOIN _postings b
                ON a.k = b.k AND a.rid < b.rid AND (a.probe OR b.probe)
                WHERE a.rid % {parts} = {part}""")
            con.execute(
                """CREATE OR REPLACE TEMP TABLE __splink__blocked_id_pairs AS
                SELECT '0' AS match_key, il.unique_id AS join_key_l, ir.unique_id AS join_key_r
                FROM _part_pairs p JOIN _rid il ON il.rid = p.l JOIN _rid ir ON ir.rid = p.r""")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _part_l AS SELECT lr.* FROM linkage_rows lr JOIN _rid USING (unique_id) "
                        f"WHERE rid % {parts} = {part}")
            con.execute("CREATE OR REPLACE TEMP TABLE _part_r AS SELECT * FROM linkage_rows "
                        "WHERE unique_id IN (SELECT join_key_r FROM __splink__blocked_id_pairs)")
            pairs = con.execute("SELECT count(*) FROM _part_pairs").fetchall()[0][0]
            yield from con.sql(sql).to_arrow_reader(size)
            if progress:
                progress(part + 1, parts, int(pairs))
    finally:
        for table in ("_part_pairs", "__splink__blocked_id_pairs", "_part_l", "_part_r", "_postings", "_rid"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def level_factors(model: Model) -> dict[str, list[tuple[str, float]]]:
    """Each comparison's levels as (label, Bayes factor m/u) in the model as trained; Splink
    keeps only the factors of a scored pair, so its level is read back from them."""
    out: dict[str, list[tuple[str, float]]] = {}
    for comp in model.to_json().get("comparisons", []):
        levels = []
        for lv in comp.get("comparison_levels", []):
            if lv.get("is_null_level"):
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if m and u:
                levels.append((lv.get("label_for_charts", "?"), float(m) / float(u)))
        out[comp.get("output_column_name")] = levels
    return out


def explanation(row: dict[str, Any], factors: dict[str, list[tuple[str, float]]] | None = None) -> dict[str, Any]:
    """Per-comparison match weights (log2 Bayes factors) of one scored pair, Splink-waterfall
    style, with the level each comparison fell in (read back from ``factors``)."""
    out: dict[str, Any] = {}
    for name in COMPARISONS:
        bf = row.get(f"bf_{name}")
        label = "null"
        if bf is not None and factors and factors.get(name) and abs(bf - 1.0) > 1e-12:
            label = min(factors[name], key=lambda lv: abs(math.log(lv[1]) - math.log(bf)) if bf > 0 else 0)[0]
        out[name] = {"level": label, "weight": round(math.log2(bf), 3) if bf else 0.0}
    return out


def compare_records(model: Model, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Score two linkage rows directly (for ``pepgraph explain``)."""
    frame = model.linker.inference.compare_two_records(left, right)
    row = model.con.sql(f"SELECT * FROM {frame.physical_name}").to_arrow_table().to_pylist()[0]
    # on a handful of records Splink's prior estimate can reach 1; the weight stays finite
    prior = min(max(float(model.to_json().get("probability_two_random_records_match", PRIOR)), 1e-12), 1 - 1e-12)
    return {
        "probability": row["match_probability"],
        "match_weight": row["match_weight"],
        "prior_weight": math.log2(prior / (1 - prior)),
        "comparisons": explanation(row, level_factors(model)),
    }
