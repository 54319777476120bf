"""The linkage model, written in pepgraph's terms and turned into Splink's in this one place.

Each comparison is a list of levels (most specific first) with a label, a SQL condition over the
``_l`` / ``_r`` columns of the linkage rows, and starting m/u probabilities so that an untrained
model already ranks sensibly; training replaces them (u by random sampling, m by EM). Splink is
touched only from this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

#: name of the comparison -> [(label, sql condition or None for "else", m, u)]; a level whose
#: label is "null" is Splink's null level.
COMPARISONS: dict[str, list[tuple[str, str | None, float, float]]] = {
    "name": [
        ("null", "name_l IS NULL OR name_r IS NULL", 0.0, 0.0),
        ("same full name", "list_has_any(names_l, names_r)", 0.55, 0.0005),
        ("same name tokens", "len(list_intersect(tokens_l, tokens_r)) >= 2 AND "
         "len(list_intersect(tokens_l, tokens_r)) >= least(len(tokens_l), len(tokens_r))", 0.2, 0.0008),
        ("same name symbols", "len(list_intersect(symbols_l, symbols_r)) >= 2", 0.1, 0.001),
        ("similar names", "jaro_winkler_similarity(sorted_name_l, sorted_name_r) >= 0.92", 0.06, 0.002),
        ("two tokens shared", "len(list_intersect(tokens_l, tokens_r)) >= 2", 0.04, 0.004),
        ("sound alike", "len(list_intersect(phonetic_l, phonetic_r)) >= 2", 0.02, 0.01),
        ("else", None, 0.03, 0.98),
    ],
    "birth": [
        ("null", "birth_year_l IS NULL OR birth_year_r IS NULL", 0.0, 0.0),
        ("same date", "list_has_any(birth_full_l, birth_full_r)", 0.7, 0.0001),
        ("same year", "list_has_any(birth_dates_l, birth_dates_r) OR birth_year_l = birth_year_r", 0.2, 0.012),
        ("within 2 years", "abs(birth_year_l - birth_year_r) <= 2", 0.06, 0.05),
        ("else", None, 0.04, 0.94),
    ],
    "country": [
        ("null", "countries_l IS NULL OR countries_r IS NULL", 0.0, 0.0),
        ("shared country", "list_has_any(countries_l, countries_r)", 0.9, 0.1),
        ("else", None, 0.1, 0.9),
    ],
    "gender": [
        ("null", "gender_l IS NULL OR gender_r IS NULL", 0.0, 0.0),
        ("same gender", "gender_l = gender_r", 0.97, 0.55),
        ("else", None, 0.03, 0.45),
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
    """A Splink linker over the linkage rows, in its own in-memory DuckDB."""

    linker: Any
    con: duckdb.DuckDBPyConnection
    trained: bool = False

    def to_json(self) -> dict[str, Any]:
        return self.linker.misc.save_model_to_json()


def _quiet_splink() -> None:
    """Splink reports every training iteration through logging; pepgraph reports a summary."""
    import logging

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def make_model(rows: pa.Table, stored: dict[str, Any] | None = None) -> Model:
    from splink import DuckDBAPI, Linker, block_on

    _quiet_splink()
    con = duckdb.connect()
    con.register("linkage_rows_arrow", rows)
    con.execute("CREATE TABLE linkage_rows AS SELECT * FROM linkage_rows_arrow")
    con.unregister("linkage_rows_arrow")
    conf = stored or settings()
    conf = dict(conf)
    conf["blocking_rules_to_generate_predictions"] = [
        block_on("keys", arrays_to_explode=["keys"]).get_blocking_rule("duckdb").as_dict(),
        block_on("ids", arrays_to_explode=["ids"]).get_blocking_rule("duckdb").as_dict(),
    ]
    linker = Linker("linkage_rows", conf, db_api=DuckDBAPI(connection=con))
    return Model(linker=linker, con=con, trained=stored is not None)


def train(model: Model, seed: int = 42) -> list[str]:
    """u by random sampling, m by EM on two blocks (each leaves its own comparison free), and
    the prior from a deterministic rule; steps that the data cannot support are reported and
    skipped (the starting values stay)."""
    from splink import block_on

    notes: list[str] = []
    training = model.linker.training
    steps = [
        ("prior", lambda: training.estimate_probability_two_random_records_match(
            [block_on("sorted_name", "birth_year")], recall=0.7)),
        ("u", lambda: training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)),
        ("m by name blocks", lambda: training.estimate_parameters_using_expectation_maximisation(
            block_on("sorted_name"), fix_u_probabilities=True)),
        ("m by birth-year blocks", lambda: training.estimate_parameters_using_expectation_maximisation(
            block_on("birth_year", "substr(sorted_name, 1, 3)"), fix_u_probabilities=True)),
    ]
    for label, step in steps:
        try:
            step()
        except Exception as exc:  # Splink raises plain exceptions on too little data
            notes.append(f"training step '{label}' skipped: {str(exc).splitlines()[0][:200]}")
    model.trained = True
    return notes


def predict(model: Model, threshold: float) -> pa.Table:
    """Scored pairs at or above ``threshold`` probability, with each comparison's weight."""
    frame = model.linker.inference.predict(threshold_match_probability=threshold)
    table = model.con.sql(f"SELECT * FROM {frame.physical_name}").to_arrow_table()
    return table


def explanation(row: dict[str, Any]) -> dict[str, Any]:
    """Per-comparison match weights (log2 Bayes factors) of one scored pair, Splink-waterfall style."""
    out: dict[str, Any] = {}
    for name, levels in COMPARISONS.items():
        bf = row.get(f"bf_{name}")
        gamma = row.get(f"gamma_{name}")
        label = _level_label(levels, gamma)
        out[name] = {"level": label, "weight": round(math.log2(bf), 3) if bf else 0.0}
    return out


def _level_label(levels: list[tuple[str, str | None, float, float]], gamma: int | None) -> str:
    """Splink numbers levels from the last (0 = else) upwards; -1 is the null level."""
    if gamma is None or gamma == -1:
        return "null"
    non_null = [lv for lv in levels if lv[0] != "null"]
    index = len(non_null) - 1 - int(gamma)
    return non_null[index][0] if 0 <= index < len(non_null) else str(gamma)


def compare_records(model: Model, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Score two linkage rows directly (for ``pepgraph explain``)."""
    frame = model.linker.inference.compare_two_records(left, right)
    row = model.con.sql(f"SELECT * FROM {frame.physical_name}").to_arrow_table().to_pylist()[0]
    prior = float(model.to_json().get("probability_two_random_records_match", PRIOR))
    return {
        "probability": row["match_probability"],
        "match_weight": row["match_weight"],
        "prior_weight": math.log2(prior / (1 - prior)),
        "comparisons": explanation(row),
    }
