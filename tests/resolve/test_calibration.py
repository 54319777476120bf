"""Training's calibration steps: true pairs taken out of the sampled u, the country's u from
namesakes, and the prior rule's recall read off the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pepgraph import Graph
from pepgraph.resolve.model import (
    _relink,
    U_FLOOR_SHARE,
    bound_unseen_u,
    correct_u,
    count_rare_u,
    count_shared_u,
    count_sparse_u,
    explanation,
    make_model,
    NEVER_SHARE,
    match_share,
    SHARED_MATCH_SHARE,
    SharedCount,
    shared_m,
    namesake_stats,
    neutral_source,
    no_weight_for,
    prior_rule_recall,
    settings,
)
from pepgraph.resolve.rows import build_rows


def person(pid: str, name: str, **props: Any) -> dict[str, Any]:
    return {"id": pid, "schema": "Person", "properties": {"name": [name], **{k: [v] for k, v in props.items()}}}


def _write(tmp_path: Path, entities: list[dict[str, Any]], name: str = "people") -> Path:
    path = tmp_path / f"{name}.ftm.json"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    return path


def store(tmp_path: Path, entities: list[dict[str, Any]]) -> Graph:
    graph = Graph(tmp_path / "s.duckdb")
    graph.ingest(_write(tmp_path, entities), dataset="people", format="ftm")
    return graph


def _levels(model: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["output_column_name"], lv["label_for_charts"]): lv
            for c in model.to_json()["comparisons"] for lv in c["comparison_levels"] if not lv.get("is_null_level")}


@pytest.fixture()
def namesakes(tmp_path: Path) -> Graph:
    """40 names, each held by two people born 20 years apart: 30 pairs share a country, 10 do not;
    and 20 people with a name of their own and no birth date. Of the namesakes, the first 10 pairs
    both sat in the assembly (20 holders), the next 5 were both mayor of one town (2 holders),
    the next 15 held two different offices, the last 10 name an office on one side only."""
    people = []
    for i in range(40):
        name = f"Namesake{chr(97 + i % 26)}{chr(97 + i // 26)} Person{chr(97 + i % 26)}"
        office = "Member of the Assembly" if i < 10 else f"Mayor of Town{chr(97 + i % 26)}{chr(97 + i // 26)}"
        people.append(person(f"a{i}", name, birthDate="1950-01-01", nationality="fr", position=office))
        other = {"position": office if i < 15 else f"Judge {i}"} if i < 30 else {}
        people.append(person(f"b{i}", name, birthDate="1970-06-01", nationality="fr" if i < 30 else "de", **other))
    people += [person(f"c{i}", f"Lonely{chr(97 + i)} Undated{chr(97 + i)}") for i in range(20)]
    graph = store(tmp_path, people)
    yield graph
    graph.close()


def test_namesakes_give_the_country_u_and_the_dated_share(namesakes: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    import pepgraph.resolve.rows as rows_module

    monkeypatch.setattr(rows_module, "RARE_POSITION", 10)  # the assembly's 20 members: a common office
    model = make_model(build_rows(namesakes.store).table)
    try:
        stats = namesake_stats(model)
    finally:
        model.close()
    # namesakes born 20 years apart are two people: 30 of their 40 pairs share a country
    assert stats["country_u"] == pytest.approx(0.75)
    # every same-name pair has two birth dates, though a fifth of the records have none
    assert stats["dated"] == pytest.approx(1.0)
    # of the 30 namesake pairs that both name an office, 10 held one common office (and 5 a rare
    # one, which is not counted)
    assert stats["position_u"] == pytest.approx(10 / 30)


def test_too_few_namesakes_give_no_figures(tmp_path: Path) -> None:
    graph = store(tmp_path, [person("x1", "Only Once", nationality="fr"), person("x2", "Also Once")])
    model = make_model(build_rows(graph.store).table)
    try:
        assert namesake_stats(model) == {}
    finally:
        model.close()
        graph.close()


def test_u_loses_the_true_pairs_of_sampled_levels_only(namesakes: Graph) -> None:
    conf = settings(prior=0.001)
    model = make_model(build_rows(namesakes.store).table, conf)
    try:
        correct_u(model, sampled={("name", "same full name"), ("name", "one token shared")},
                  namesakes={"country_u": 0.6, "position_u": 0.3})
        after = _levels(model)
    finally:
        model.close()
    # u 0.0005 less 0.001 x m 0.55 is below zero: the level keeps its floor
    assert after[("name", "same full name")]["u_probability"] == pytest.approx(0.0005 * U_FLOOR_SHARE / 0.999)
    # u 0.05 less 0.001 x m 0.01
    assert after[("name", "one token shared")]["u_probability"] == pytest.approx((0.05 - 0.001 * 0.01) / 0.999)
    # a level whose u was not sampled (no data for it) keeps its starting value
    assert after[("number", "same number")]["u_probability"] == pytest.approx(0.0001)
    # the country's u is what namesakes show, and its levels still add up to one
    assert after[("country", "shared country")]["u_probability"] == pytest.approx(0.6)
    assert after[("country", "else")]["u_probability"] == pytest.approx(0.4)
    # so is a common office's; a rare one keeps what sampling found, and "else" takes the rest
    assert after[("position", "same position")]["u_probability"] == pytest.approx(0.3)
    assert after[("position", "same rare position")]["u_probability"] == pytest.approx(0.001)
    assert after[("position", "else")]["u_probability"] == pytest.approx(0.699)


def test_a_common_office_u_is_never_below_what_sampling_found(namesakes: Graph) -> None:
    model = make_model(build_rows(namesakes.store).table, settings(prior=0.001))
    try:
        correct_u(model, sampled=set(), namesakes={"position_u": 0.0})
        after = _levels(model)
    finally:
        model.close()
    assert after[("position", "same position")]["u_probability"] == pytest.approx(0.01)
    assert after[("position", "else")]["u_probability"] == pytest.approx(0.989)


def test_the_prior_rule_recall_counts_pairs_without_two_dates(namesakes: Graph) -> None:
    model = make_model(build_rows(namesakes.store).table, settings())
    try:
        # m(same full name, rare or common) 0.75 x m(same date, same year...) 0.92 x both dated
        assert prior_rule_recall(model, {"dated": 0.5}) == pytest.approx((0.55 + 0.2) * (0.7 + 0.02 + 0.2) * 0.5)
        assert prior_rule_recall(model, {"dated": 0.0}) == 0.05  # never below the floor
    finally:
        model.close()


def test_a_level_no_sampled_pair_fell_in_gets_at_most_one_in_the_pairs_comparable(namesakes: Graph) -> None:
    model = make_model(build_rows(namesakes.store).table, settings())
    try:
        records = 100  # 40 x 2 namesakes and 20 loners: every one of the 4,950 pairs is drawn
        bound_unseen_u(model, sampled={("name", "same full name"), ("name", "else"), ("birth", "else")})
        after = _levels(model)
    finally:
        model.close()
    drawn = records * (records - 1) / 2
    # unseen levels of a comparison the sample saw: at most one in the pairs it could compare (a
    # rare initials key had kept its starting u 0.001 and weighed less than the common one);
    # every record has a name, 80 a birth date (the 20 loners have none)
    assert after[("name", "same initials")]["u_probability"] == pytest.approx(1 / drawn)
    assert after[("birth", "one typo in the date")]["u_probability"] == pytest.approx(1 / (80 * 79 / 2))  # was 0.0005
    assert after[("birth", "same date")]["u_probability"] == pytest.approx(0.0001)  # already below the bound
    # a sampled level keeps what the sample gave; a comparison the sample never saw is untouched
    assert after[("name", "same full name")]["u_probability"] == pytest.approx(0.0005)
    assert after[("number", "same number")]["u_probability"] == pytest.approx(0.0001)


def test_a_comparison_few_records_can_make_bounds_u_by_its_few_pairs(tmp_path: Path) -> None:
    """Real sanctions data has an address on a few hundred of its records: the 2 million random
    pairs held a few dozen with two addresses, none alike, and "alike address" had weighed 17.6
    bits (u of one in the pairs drawn), joining Iraqi state companies that shared "state
    company". Bounded by the pairs that had two addresses, it weighs what so few pairs allow."""
    people = [person(f"p{i}", f"Given{chr(97 + i % 26)}{chr(97 + i // 26)} Family{chr(97 + i % 26)}",
                     birthDate=f"19{40 + i % 50}-01-0{1 + i % 9}") for i in range(200)]
    for i in range(10):  # 10 of 200 records have an address: 45 of 19,900 pairs can compare them
        people[i]["properties"]["address"] = [f"P.O. Box {i}, Town{chr(97 + i)}, Iraq"]
    _, _, _, after = _counted(tmp_path, people,
                              lambda model: bound_unseen_u(model, sampled={("name", "else"), ("address", "else")}))
    # starting u: same 0.0005, similar 0.005, alike 0.1; one in 45 is 0.022
    assert after[("address", "alike address")]["u_probability"] == pytest.approx(1 / 45)
    assert after[("address", "similar address")]["u_probability"] == pytest.approx(0.005)  # already below
    assert after[("name", "same initials")]["u_probability"] == pytest.approx(1 / (200 * 199 / 2))


def test_a_comparison_few_records_can_make_is_counted_over_its_pairs_without_a_shared_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """u of "number" counted over every pair of the 12 records with an id number that share no
    name token (65 of 66): two such pairs are a typo apart, one has the same number; the two
    records of one person (a shared name, the number mistyped) are left out of the count. Only
    where sampling does not draw every pair: here 1,000 of the 20,100."""
    import pepgraph.resolve.model as model_module
    people = [person(f"p{i}", f"Given{chr(97 + i % 26)}{chr(97 + i // 26)} Family{chr(97 + i % 26)}{chr(97 + i // 26)}",
                     birthDate=f"19{40 + i % 50}-01-0{1 + i % 9}") for i in range(200)]
    numbers = {0: "AB100001", 1: "AB100002", 2: "CD200000", 3: "CD200000", 4: "EF300000", 5: "GH400000",
               6: "IJ500000", 7: "KL600000", 8: "MN700000", 9: "OP800000", 10: "QR900000"}
    for i, number in numbers.items():
        people[i]["properties"]["idNumber"] = [number]
    people.append(person("p0b", "Givenaa Familyaa", idNumber="AB100009"))  # p0 again, mistyped
    (tmp_path / "all").mkdir()
    assert not _counted(tmp_path / "all", people, count_sparse_u)[2]  # every pair drawn: left alone
    monkeypatch.setattr(model_module, "U_SAMPLE_PAIRS", 1_000)
    _, _, found, after = _counted(tmp_path, people, count_sparse_u)
    assert ("number", "one typo") in found and ("address", "alike address") not in found  # no address at all
    total = 66 - 1  # p0 / p0b share their name; no other pair shares a token
    assert after[("number", "one typo")]["u_probability"] == pytest.approx(2 / total)  # p0 / p1, p1 / p0b
    assert after[("number", "same number")]["u_probability"] == pytest.approx(1 / total)  # p2 / p3
    assert after[("number", "two typos")]["u_probability"] == pytest.approx(1 / total)  # none: one in the pairs


def test_one_shared_word_is_never_evidence_for_one_person(tmp_path: Path) -> None:
    """Whatever EM finds, "one token shared" weighs at most 0: with EM's 3 bits, two legislators
    born on one day who shared one word ("Nguyễn Văn Phúc" / "Vũ Văn Ninh") were one person."""
    def step(model: Any) -> None:
        conf = model.to_json()
        for comp in conf["comparisons"]:
            for level in comp["comparison_levels"]:
                if level.get("label_for_charts") == "one token shared":
                    level["m_probability"], level["u_probability"] = 0.035, 0.0038  # as EM left it in the demo
        _relink(model, conf)
        no_weight_for(model)

    _, _, _, levels = _counted(tmp_path, _loners(5), step)
    one = levels[("name", "one token shared")]
    assert one["m_probability"] == pytest.approx(0.0038 * NEVER_SHARE)
    assert levels[("name", "same full name")]["m_probability"] == pytest.approx(0.55)  # others untouched
    # weighing nothing, the level is still named in an explanation, not taken for the null level
    factors = {"name": [(label, lv["m_probability"] / lv["u_probability"]) for (comp, label), lv in levels.items()
                        if comp == "name"]}
    shown = explanation({"bf_name": one["m_probability"] / one["u_probability"]}, factors)["name"]
    assert shown["level"] == "one token shared" and shown["weight"] == pytest.approx(0.0, abs=0.01)


def test_one_dataset_leaves_the_source_comparison_neutral(namesakes: Graph, tmp_path: Path) -> None:
    """Trained on a single dataset, "source" weighs nothing either way, so a store that later gets
    a second dataset (and reuses the stored model) does not favour every pair across the two."""
    model = make_model(build_rows(namesakes.store).table, settings())
    try:
        neutral_source(model)
        levels = _levels(model)
    finally:
        model.close()
    for label in ("same dataset", "else"):
        assert levels[("source", label)]["m_probability"] == levels[("source", label)]["u_probability"]

    namesakes.ingest(_write(tmp_path, [person("z1", "Another Source")], "other"), dataset="other", format="ftm")
    model = make_model(build_rows(namesakes.store).table, settings())
    try:
        neutral_source(model)
        assert _levels(model)[("source", "else")]["m_probability"] == 0.7  # two datasets: untouched
    finally:
        model.close()


def _loners(n: int) -> list[dict[str, Any]]:
    """``n`` people whose names share nothing with anyone."""
    return [person(f"x{i}", f"Loner{chr(97 + i % 26)}{chr(97 + i // 26)} Solo{chr(97 + i % 26)}{chr(97 + i // 26)}")
            for i in range(n)]


def _counted(tmp_path: Path, people: list[dict[str, Any]], step: Any) -> tuple[Any, Any, Any, Any]:
    """The rows of ``people``, the levels of an untrained model before and after ``step``, and
    what the step returned."""
    graph = store(tmp_path, people)
    try:
        rows = build_rows(graph.store).table
        model = make_model(rows, settings())
        try:
            before = _levels(model)
            done = step(model)
            after = _levels(model)
        finally:
            model.close()
    finally:
        graph.close()
    return rows, before, done, after


def test_u_of_levels_that_need_a_rare_value_is_counted_not_sampled(tmp_path: Path) -> None:
    """Three pairs like "Musa Njuguna" / "Musa Benson Njuguna" (two tokens no one else holds) and
    two pairs with one rare full name each, among 64 records: u of "name tokens contained, rare
    pair" is 3 in the 2,016 pairs, of "same full name" 2, and a counted level no pair falls in
    gets 1 in them; the levels that stay sampled ("same initials" among them) keep what they had."""
    people = []
    for i, (given, middle, family) in enumerate([("Musa", "Benson", "Njuguna"), ("Amina", "Wanjiru", "Otieno"),
                                                  ("Pavel", "Igorevich", "Zhdanov")]):
        people += [person(f"s{i}", f"{given} {family}"), person(f"f{i}", f"{given} {middle} {family}")]
    people += [person(f"n{i}", name) for i, name in enumerate(["Odhiambo Wafula", "Odhiambo Wafula",
                                                                "Teodora Kristeva", "Teodora Kristeva"])]
    _rows, before, done, after = _counted(tmp_path, people + _loners(54), count_rare_u)
    total = 64 * 63 / 2
    assert ("name", "name tokens contained, rare pair") in done and ("name", "same initials") not in done
    assert after[("name", "name tokens contained, rare pair")]["u_probability"] == pytest.approx(3 / total)
    assert after[("name", "same full name")]["u_probability"] == pytest.approx(2 / total)
    assert after[("name", "same name tokens, rare pair")]["u_probability"] == pytest.approx(1 / total)
    assert after[("name", "same initials")]["u_probability"] == before[("name", "same initials")]["u_probability"]
    assert after[("name", "name tokens contained")]["u_probability"] == before[("name", "name tokens contained")]["u_probability"]


def test_pairs_of_a_shared_reading_are_listed_with_their_levels(tmp_path: Path) -> None:
    """Korean records whose coarse readings coincide, among 40 records: the pairs that share a
    reading are listed, those the name comparison puts in "same Korean reading" counted (not
    those an exact name takes first), the dated ones by birth level; u is their share of the 780
    pairs for now. A store with no Cantonese reading leaves that level alone."""
    people = [person(f"k{i}", name, nationality="kr", **({"birthDate": born} if born else {}))
              for i, (name, born) in enumerate([
                  ("KIM Jong Hoon", "1960-05-01"), ("김종훈", "1960-05-01"), ("GIM Chong Hun", None),
                  ("KIM Jong Hoon", "1982-02-02"), ("PARK Hong Keun", None), ("박홍근", None)])]
    rows, before, done, after = _counted(tmp_path, people + _loners(34), count_shared_u)
    readings = [set(r) for r in rows.column("korean").to_pylist() if r]
    sharing = sum(1 for i, a in enumerate(readings) for b in readings[i + 1:] if a & b)
    assert set(done) == {"same Korean reading"}
    found = done["same Korean reading"]
    # the two "KIM Jong Hoon" share the full name: that pair is not the level's
    assert 0 < found.pairs < sharing
    assert after[("name", "same Korean reading")]["u_probability"] == pytest.approx(found.pairs / (40 * 39 / 2))
    assert sum(found.births.values()) <= found.pairs and "null" not in found.births
    assert after[("name", "same Cantonese reading")] == before[("name", "same Cantonese reading")]


def test_the_share_of_true_pairs_is_read_off_the_births() -> None:
    m = {"same date": 0.9, "else": 0.1}
    u = {"same date": 0.001, "else": 0.999}
    # 30 pairs born on one day, 70 born years apart: a third one person (a tenth of whom differ)
    assert match_share({"same date": 30, "else": 70}, m, u) == pytest.approx(1 / 3, abs=0.01)
    assert match_share({"else": 50}, m, u) < 0.01
    assert match_share({"same date": 5}, m, u) is None  # too few dated pairs to tell


def test_a_shared_reading_weighs_what_its_pairs_say(tmp_path: Path) -> None:
    """With N pairs in the level, a share f of them true and the prior p, u = (1 - f) N / T and
    m = f N / (p T): the level alone gives odds f / (1 - f). Without dated pairs f is
    ``SHARED_MATCH_SHARE``."""
    graph = store(tmp_path, [person(f"p{i}", f"Lonely{chr(97 + i)} Undated{chr(97 + i)}") for i in range(20)])
    try:
        model = make_model(build_rows(graph.store).table, settings())
        try:
            conf = model.to_json()
            conf["probability_two_random_records_match"] = 0.1
            _relink(model, conf)
            used = shared_m(model, {"same Korean reading": SharedCount(10.0, {}),
                                    "same Cantonese reading": SharedCount(10.0, {"same date": 40})})
            levels = _levels(model)
        finally:
            model.close()
    finally:
        graph.close()
    total = 20 * 19 / 2
    korean = levels[("name", "same Korean reading")]
    assert used["same Korean reading"] == SHARED_MATCH_SHARE
    assert korean["u_probability"] == pytest.approx((1 - SHARED_MATCH_SHARE) * 10 / total)
    assert korean["m_probability"] == pytest.approx(SHARED_MATCH_SHARE * 10 / (0.1 * total))
    odds = korean["m_probability"] / korean["u_probability"] * 0.1
    assert odds == pytest.approx(SHARED_MATCH_SHARE / (1 - SHARED_MATCH_SHARE))
    # every dated pair born on one day: the share is capped, and the level still has a u
    assert used["same Cantonese reading"] == 0.95
    assert levels[("name", "same Cantonese reading")]["u_probability"] == pytest.approx(1 / total)


def test_em_on_same_name_pairs_tells_namesakes_from_one_person(tmp_path: Path) -> None:
    """60 names, each held by one person with a registry record and a press record (one birth
    date, one office) and by a namesake in the registry of the same country and gender, born 20
    years later, who held another office: two of the three pairs a name block holds are two
    people. EM runs on that block without the name comparison (every pair in it shares the name,
    and an exact name weighing 20 bits made each a match, so that birth m was the block's own
    share of differing dates) and with the country and gender u of namesakes, so that birth m
    says what one person's records do: agree."""
    from pepgraph.resolve.model import _em_among_namesakes, train

    registry, press = [], []
    for i in range(60):
        tag = f"{chr(97 + i % 26)}{chr(97 + i // 26)}"
        name, gender = f"Given{tag} Family{tag}", "male" if i % 2 else "female"
        registry.append(person(f"a{i}", name, birthDate="1950-03-04", nationality="fr", gender=gender,
                               position=f"Mayor of Town{tag}"))
        press.append(person(f"b{i}", name, birthDate="1950-03-04", nationality="fr", gender=gender,
                            position=f"Mayor of Town{tag}"))
        registry.append(person(f"c{i}", name, birthDate="1970-08-09", nationality="fr", gender=gender,
                               position=f"Judge of Court{tag}"))
    registry += [person(f"d{i}", f"Lonely{chr(97 + i % 26)}{chr(97 + i // 26)} Other", nationality="de")
                 for i in range(40)]
    graph = Graph(tmp_path / "s.duckdb")
    graph.ingest(_write(tmp_path, registry, "registry"), dataset="registry", format="ftm")
    graph.ingest(_write(tmp_path, press, "press"), dataset="press", format="ftm")
    model = make_model(build_rows(graph.store).table)
    try:
        model.linker.training.estimate_u_using_random_sampling(max_pairs=100_000, seed=1)
        stats = namesake_stats(model)
        assert stats["gender_u"] == pytest.approx(1.0) and stats["country_u"] == pytest.approx(1.0)
        start = {key: lv["m_probability"] for key, lv in _levels(model).items() if key[0] == "name"}
        _em_among_namesakes(model, stats)
        levels = _levels(model)
        # the name comparison is left as it was; the birth m are learnt
        assert {key: lv["m_probability"] for key, lv in levels.items() if key[0] == "name"} == start
        assert levels[("birth", "else")]["m_probability"] < 0.1
        assert levels[("birth", "same date")]["m_probability"] > 0.8
        # and the sampled u of country and gender are back once EM is done
        assert levels[("country", "shared country")]["u_probability"] < 0.9
        train(model)
        assert _levels(model)[("birth", "else")]["m_probability"] < 0.1
    finally:
        model.close()
        graph.close()


def test_training_steps_without_pairs_keep_every_comparison(tmp_path: Path) -> None:
    """No two records share a name or a birth date, so both EM steps find no pairs and are
    skipped; Splink's failed session had left the comparisons it set aside (birth, and name)
    out of the model, and pairs were then scored and explained without them."""
    from pepgraph.resolve.model import COMPARISONS, train

    graph = store(tmp_path, [person("k0", "G. Konstantinos"), person("k1", "Gavroglou Konstantinos", birthDate="1960"),
                             person("i0", "P. Ioannis"), person("i1", "Papadopoulos Ioannis", birthDate="1970-02-03")])
    model = make_model(build_rows(graph.store).table)
    try:
        notes = train(model)
        assert any("m by name blocks" in n for n in notes) and any("m by birth-date blocks" in n for n in notes)
        assert [c["output_column_name"] for c in model.to_json()["comparisons"]] == list(COMPARISONS)
    finally:
        model.close()
        graph.close()
