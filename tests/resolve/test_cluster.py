"""Clustering under constraints and canonical ids (pure functions, no store)."""

from __future__ import annotations

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
