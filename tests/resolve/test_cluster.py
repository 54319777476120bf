"""Clustering under constraints and canonical ids (pure functions, no store)."""

from __future__ import annotations

from collections import Counter

from pepgraph.resolve.cluster import cluster, redirects


def test_different_judgement_is_never_merged_and_cuts_the_weakest_link() -> None:
    # a-b strong, b-c weak, but a and c were judged different: the weak link is refused
    done = cluster(
        ["a", "b", "c"],
        [("a", "b", 0.99, "model"), ("b", "c", 0.91, "model")],
        different=[("a", "c")],
        qids={},
    )
    assert done.mapping["a"] == done.mapping["b"] != done.mapping["c"]
    assert done.refused and done.refused[0][:2] == ("b", "c")


def test_same_judgement_always_merges() -> None:
    done = cluster(["a", "b"], [("a", "b", 1.0, "judgement")], different=[], qids={})
    assert done.mapping["a"] == done.mapping["b"]
    assert done.clusters == 1 and done.merged == 2


def test_judgement_beats_model_order() -> None:
    """Judged-same pairs join first, so a later model link cannot pre-empt them."""
    done = cluster(
        ["a", "b", "c"],
        [("a", "c", 0.999, "model"), ("b", "c", 1.0, "judgement")],
        different=[("a", "b")],
        qids={},
    )
    assert done.mapping["b"] == done.mapping["c"] != done.mapping["a"]


def test_canonical_ids() -> None:
    done = cluster(
        ["a", "b", "c", "d", "e"],
        [("a", "b", 0.99, "model"), ("c", "d", 0.99, "model")],
        different=[],
        qids={"a": ["Q42"]},
    )
    assert done.mapping["a"] == done.mapping["b"] == "Q42"  # exactly one QID
    assert done.mapping["c"] == done.mapping["d"] and done.mapping["c"].startswith("pg-")
    assert done.mapping["e"] == "e"  # a lone record keeps its id
    again = cluster(["e", "d", "c", "b", "a"], [("d", "c", 0.95, "model"), ("b", "a", 0.97, "model")], [], {"a": ["Q42"]})
    assert again.mapping == done.mapping  # same membership, same ids, whatever the order


def test_two_qids_give_a_hashed_id() -> None:
    done = cluster(["a", "b"], [("a", "b", 1.0, "judgement")], [], {"a": ["Q1"], "b": ["Q2"]})
    assert done.mapping["a"].startswith("pg-")


def test_redirects_follow_the_majority() -> None:
    old = {"a": "pg-old", "b": "pg-old", "c": "pg-old", "d": "d"}
    new = {"a": "pg-new", "b": "pg-new", "c": "c", "d": "d"}
    assert redirects(old, new) == {"pg-old": "pg-new"}


def test_model_links_never_chain_past_the_cap() -> None:
    # a chain a0-a1-...-a9 of model links, strongest first at the start, and one identifier link
    records = [f"a{i}" for i in range(10)] + ["x", "y"]
    edges = [(f"a{i}", f"a{i + 1}", 0.99 - i * 0.001, "model") for i in range(9)]
    edges.append(("x", "a9", 1.0, "identifier"))
    done = cluster(records, edges, [], {}, max_model_cluster=4)
    sizes = sorted(Counter(done.mapping.values()).values(), reverse=True)
    assert max(sizes) <= 4
    # the strongest links were joined first: a0..a3 stay together
    assert len({done.mapping[f"a{i}"] for i in range(4)}) == 1
    assert done.mapping["a4"] != done.mapping["a3"]
    assert any("cap 4" in why for _, _, why in done.refused)
    # identifier links are not capped
    big = cluster(records, [(f"a{i}", f"a{i + 1}", 1.0, "identifier") for i in range(9)], [], {}, max_model_cluster=4)
    assert len(set(big.mapping[f"a{i}"] for i in range(10))) == 1


def test_model_links_keep_a_cluster_consistent_in_birth_dates() -> None:
    # b (no birth date) links to a (1946) and to c (1979): a chain that must not join a and c
    edges = [("a", "b", 0.99, "model"), ("b", "c", 0.98, "model"), ("c", "d", 0.97, "model")]
    births = {"a": (1946, ["1946-08-28"]), "c": (1979, ["1979-12-10"]), "d": (1979, ["1979-10-12"])}
    done = cluster(["a", "b", "c", "d"], edges, [], {}, births=births)
    assert done.mapping["a"] == done.mapping["b"] != done.mapping["c"]
    assert done.mapping["c"] == done.mapping["d"]  # day and month swapped: one date mistyped
    assert any("a born 1946 and c born 1979" in why for _, _, why in done.refused)
    # the linked pair itself is the model's call (its dates were weighed), a third record is not
    pair = cluster(["x", "y"], [("x", "y", 0.99, "model")], [], {}, births={"x": (1950, ["1950-01-01"]), "y": (1950, ["1950-02-10"])})
    assert pair.mapping["x"] == pair.mapping["y"]
    three = cluster(["x", "y", "z"], [("x", "y", 0.99, "model"), ("y", "z", 0.98, "model")], [], {},
                    births={"x": (1950, ["1950-01-01"]), "z": (1950, ["1950-02-10"])})
    assert three.mapping["x"] == three.mapping["y"] != three.mapping["z"]
    # a shared identifier joins whatever the dates say; an undated bridge to a 1980 record does not
    ident = cluster(["x", "y", "z", "q"], [("x", "z", 1.0, "identifier"), ("y", "q", 0.99, "model"), ("y", "z", 0.98, "model")],
                    [], {}, births={"x": (1950, ["1950-01-01"]), "z": (1950, ["1950-02-10"]), "q": (1980, ["1980-05-05"])})
    assert ident.mapping["x"] == ident.mapping["z"] != ident.mapping["y"] == ident.mapping["q"]
    # two dated records: the model weighed their dates, no cluster rule on top
    dated = cluster(["x", "y", "z"], [("x", "y", 0.99, "model"), ("y", "z", 0.98, "model")], [], {},
                    births={"x": (1950, ["1950-01-01"]), "y": (1950, ["1950-01-20"]), "z": (1950, ["1950-02-10"])})
    assert len(set(dated.mapping.values())) == 1


def test_dates_compatible() -> None:
    from pepgraph.resolve.cluster import dates_compatible

    assert dates_compatible("1955-09-29", "1955-09-28")
    assert dates_compatible("1955-03-09", "1955-09-03")  # day / month swapped
    assert dates_compatible("1955-03-09", "1956-03-09")  # the year one off
    assert not dates_compatible("1955-03-09", "1957-03-09")
    assert not dates_compatible("1946-07-20", "1946-08-28")


def test_a_record_without_a_country_does_not_bridge_two_countries() -> None:
    # b has no country: linked to a (gb) strongly and to c (am) far more weakly, it joins a only
    edges = [("a", "b", 0.99, "model"), ("b", "c", 0.9, "model")]
    done = cluster(["a", "b", "c"], edges, [], {}, countries={"a": ["gb"], "c": ["am"]})
    assert done.mapping["a"] == done.mapping["b"] != done.mapping["c"]
    assert any("through a record without a country" in why for _, _, why in done.refused)
    # two records of different countries linked directly are the model's call (dual nationals)
    direct = cluster(["a", "c"], [("a", "c", 0.99, "model")], [], {}, countries={"a": ["gb"], "c": ["am"]})
    assert direct.mapping["a"] == direct.mapping["c"]
    # a shared country anywhere on both sides lets the bridge through
    shared = cluster(["a", "b", "c"], edges, [], {}, countries={"a": ["gb"], "c": ["am", "gb"]})
    assert shared.mapping["a"] == shared.mapping["b"] == shared.mapping["c"]


def test_a_record_as_close_to_two_people_joins_neither() -> None:
    # "PICKTHALL, Colin" with no country and no date, equally like two namesakes kept apart
    edges = [("a", "b", 0.955, "model"), ("b", "c", 0.955, "model"), ("a", "d", 0.99, "model")]
    done = cluster(["a", "b", "c", "d"], edges, [], {}, countries={"a": ["gb"], "c": ["am"]})
    assert len({done.mapping[x] for x in "abc"}) == 3
    assert done.mapping["a"] == done.mapping["d"]  # the other links stay
    assert any(why.startswith("ambiguous: b") for _, _, why in done.refused)
    # the same between two birth dates
    births = {"a": (1946, ["1946-08-28"]), "c": (1979, ["1979-12-10"])}
    dated = cluster(["a", "b", "c"], edges[:2], [], {}, births=births)
    assert len({dated.mapping[x] for x in "abc"}) == 3
    # a judgement still joins an ambiguous record
    judged = cluster(["a", "b", "c"], [*edges[:2], ("a", "b", 1.0, "judgement")], [], {},
                     countries={"a": ["gb"], "c": ["am"]})
    assert judged.mapping["a"] == judged.mapping["b"] != judged.mapping["c"]


def test_a_record_without_ids_does_not_join_two_conflicting_ids() -> None:
    """The senator John Edwards (no ids in one source) links strongly to his own congress record
    and by name alone to a namesake with another bioguide id: the weaker link is refused."""
    from pepgraph.resolve import _conflict

    ids = {"sen": ["bioguide:E000286"], "old": ["bioguide:E000074"]}
    edges = [("ep", "sen", 0.999, "model"), ("ep", "old", 0.85, "model")]
    done = cluster(["ep", "sen", "old"], edges, different=[], qids={}, identifiers=ids, conflict=_conflict)
    assert done.mapping["ep"] == done.mapping["sen"] != done.mapping["old"]
    assert any("different bioguide ids" in why for _a, _b, why in done.refused)
    # without the rule (no conflict function) the chain forms, as it did before
    chained = cluster(["ep", "sen", "old"], edges, different=[], qids={}, identifiers=ids)
    assert chained.mapping["ep"] == chained.mapping["sen"] == chained.mapping["old"]
    # identifiers that do not conflict (another scheme) do not stop the link
    fine = cluster(["ep", "sen", "old"], edges, different=[], qids={},
                   identifiers={"sen": ["bioguide:E000286"], "old": ["wikidata:Q1"]}, conflict=_conflict)
    assert fine.mapping["ep"] == fine.mapping["old"]


def test_a_loose_name_link_does_not_join_two_groups_that_each_agree_on_a_name() -> None:
    """"Shakila Hashimi" (two sources) and "Shakiba Hashimi" (two sources), joined only by a
    "similar name tokens" link, stay two people; a lone typo joins; two romanisations from two
    scripts join (each group agrees on its own script's form); an exact-name link is not checked."""
    latin = {"k1": "hashimi shakila", "k2": "hashimi shakila", "b1": "hashimi shakiba", "b2": "hashimi shakiba",
             "t1": "hashimi shakla", "l1": "georgieva ianeva zoia", "l2": "georgieva ianeva zoia"}
    names = {rec: [("Latin", name)] for rec, name in latin.items()}
    names |= {rec: [("Cyrillic", "georgieva yaneva zoya")] for rec in ("c1", "c2")}
    edges = [("k1", "k2", 0.99, "model"), ("b1", "b2", 0.99, "model"), ("c1", "c2", 0.99, "model"),
             ("l1", "l2", 0.99, "model"), ("b2", "k1", 0.97, "model"), ("k2", "t1", 0.96, "model"),
             ("c2", "l1", 0.95, "model")]
    fuzzy = {("b2", "k1"), ("k2", "t1"), ("c2", "l1")}
    sources = {rec: ("registry" if rec.endswith("1") else "press") for rec in names}
    done = cluster(list(names), edges, [], {}, names=names, fuzzy=fuzzy, sources=sources)
    m = done.mapping
    assert m["k1"] == m["k2"] == m["t1"] != m["b1"] == m["b2"]
    assert m["c1"] == m["c2"] == m["l1"] == m["l2"]
    assert any("'hashimi shakila'" in why or "'hashimi shakiba'" in why for _a, _b, why in done.refused)
    # two records of one source agreeing on a name do not make a group: its duplicates can share
    # one corrupted name
    one = cluster(list(names), edges, [], {}, names=names, fuzzy=fuzzy, sources={rec: "registry" for rec in names})
    assert one.mapping["k1"] == one.mapping["b1"]
    # the same link made on an exact name (not in ``fuzzy``) is the model's call
    assert len({cluster(list(names), edges, [], {}, names=names, fuzzy={("k2", "t1")}).mapping[x]
                for x in ("k1", "b1")}) == 1


def test_a_record_with_initials_does_not_join_two_people_whose_names_are_nothing_alike() -> None:
    """"M. Rahaman" fits "Shaikh Muzibur Rahman" and "RAHMAN, Mostafziur" alike (loose links to
    both): the two are never one cluster, and the initials record, as close to one as to the
    other, joins neither. A typo ("HAMADOU ABO") or a nickname ("Tom" / "Thomas") still joins,
    and so does a link between two names in full."""
    latin = {"i1": "m rahaman", "f1": "muzibur rahman shaikh", "f2": "mostafziur rahman",
             "h1": "abbo hamadou", "h2": "abbo hamadou", "h3": "abo hamadou",
             "t1": "coburn tom", "t2": "coburn tom", "t3": "coburn thomas",
             "x1": "mia shepherd", "x2": "mia shepherd", "x3": "fenwicsk jia"}
    names = {rec: [("Latin", name)] for rec, name in latin.items()}
    edges = [("f2", "i1", 0.99, "model"), ("f1", "i1", 0.985, "model"), ("h1", "h2", 0.999, "model"),
             ("h2", "h3", 0.95, "model"), ("t1", "t2", 0.999, "model"), ("t2", "t3", 0.95, "model"),
             ("x1", "x2", 0.999, "model"), ("x2", "x3", 0.95, "model")]
    fuzzy = {("f2", "i1"), ("f1", "i1"), ("h2", "h3"), ("t2", "t3"), ("x2", "x3")}
    done = cluster(list(names), edges, [], {}, names=names, fuzzy=fuzzy)
    m = done.mapping
    assert len({m["f1"], m["f2"], m["i1"]}) == 3
    assert any("nothing alike" in why or "spelt like" in why for _a, _b, why in done.refused)
    assert m["h1"] == m["h2"] == m["h3"] and m["t1"] == m["t2"] == m["t3"]
    # a loose link between names in full is the model's call (FEBRL replaces whole names, and its
    # duplicates meet on a date and an address): only an end written with initials is checked
    assert m["x1"] == m["x2"] == m["x3"]
    # far from its second fit, the initials record stays with the first
    edges[1] = ("f1", "i1", 0.85, "model")
    m = cluster(list(names), edges, [], {}, names=names, fuzzy=fuzzy).mapping
    assert m["i1"] == m["f2"] != m["f1"]
    # without the names (the rule off) the chain forms
    m = cluster(list(names), edges, [], {}).mapping
    assert m["f1"] == m["f2"] == m["i1"]
