"""Screening names written in Chinese or Japanese characters against their romanisations, through
the readings of ``pepgraph.names.readings`` (a real store and index on disk)."""

from __future__ import annotations

import json
from pathlib import Path

from pepgraph import Graph, compare
from pepgraph.screen import query_subject

PROFILES = [
    {"id": "tw-1", "schema": "Person", "properties": {"name": ["蔡英文"], "nationality": ["tw"], "birthDate": ["1956-08-31"]}},
    {"id": "jp-1", "schema": "Person", "properties": {"name": ["安倍晋三"], "nationality": ["jp"], "birthDate": ["1954-09-21"]}},
    {"id": "hk-1", "schema": "Person", "properties": {"name": ["李嘉誠"], "nationality": ["hk"]}},
    {"id": "us-1", "schema": "Person", "properties": {"name": ["John Tsai"], "nationality": ["us"]}},
    {"id": "kr-1", "schema": "Person", "properties": {"name": ["RHEE In-je"], "nationality": ["kr"]}},
]


def person(name: str, **props: str) -> dict:
    return {"schema": "Person", "properties": {"name": [name], **{k: [v] for k, v in props.items()}}}


def built(folder: Path, profiles: list[dict]) -> Path:
    """A store of ``profiles``, resolved and indexed."""
    src = folder / "profiles.ftm.json"
    src.write_text("".join(json.dumps(p) + "\n" for p in profiles), encoding="utf-8")
    with Graph(folder / "s.duckdb") as g:
        g.ingest(src, dataset="profiles")
        g.resolve()
        g.build_index()
    return folder / "s.duckdb"


def test_romanised_queries_find_profiles_written_in_characters(tmp_path: Path) -> None:
    with Graph(built(tmp_path, PROFILES), read_only=True) as g:
        for query, wanted, reading in (("Tsai Ing-wen", "tw-1", "Mandarin reading of 蔡英文"),
                                       ("Shinzo Abe", "jp-1", "Japanese reading of 安倍晋三"),
                                       ("Lee Ka-shing", "hk-1", "Cantonese reading of 李嘉誠")):
            top = g.screen(query)["results"][0]
            assert top["match"] and g.entity(wanted)["id"] == top["id"], (query, top)
            assert reading in top["explanations"]["name"]["detail"]
            # a reading is how the profile was met, not one of its names
            assert top["properties"]["name"] == [p["properties"]["name"][0] for p in PROFILES if p["id"] == wanted]
        # Korean syllables: Hanja as a query, a registry's spelling as the profile (ICU reads 李 as
        # "li", its Hangul 이 as "i"; neither is "Rhee")
        top = g.screen("李仁濟", country="kr")["results"][0]
        assert top["match"] and top["id"] == g.entity("kr-1")["id"], top
        assert "Korean syllables of 李仁濟" in top["explanations"]["name"]["detail"]
        assert top["properties"]["name"] == ["RHEE In-je"]
        # a written name that meets the query outranks a reading that does too
        assert g.screen("John Tsai")["results"][0]["id"] == g.entity("us-1")["id"]
        # characters as a query meet a Wade-Giles profile the same way
        assert not any(r["match"] for r in g.screen("Kazuya Ikeda")["results"])


def test_readings_cost_a_little_and_need_the_right_language() -> None:
    # Wade-Giles against characters: the reading, scored just under the written name
    via = compare(person("Tsai Ing-wen"), person("蔡英文"))
    written = compare(person("Tsai Ing-wen"), person("Tsai Ing-wen"))
    assert via["match"] and 0.8 <= via["score"] < written["score"]
    # pinyin of a Chinese profile meets Wade-Giles; the same words without a country are not
    # read (they may be anyone's), and a Japanese profile's kanji are not read as Mandarin
    assert compare(person("Cai Yingwen", nationality="tw"), person("Tsai Ing-wen", nationality="tw"))["match"]
    assert not compare(person("Cai Yingwen"), person("Tsai Ing-wen"))["match"]
    assert not compare(person("Chiang Ching-kuo", nationality="jp"), person("蔣經國", nationality="jp"))["match"]
    assert compare(person("Chiang Ching-kuo"), person("蔣經國"))["match"]
    # different given names stay apart
    assert not compare(person("Tsai Ming-liang"), person("蔡英文"))["match"]
    # Korean: Hanja written in Hangul, which meets its romanisation as Hangul does
    assert compare(person("文在寅", nationality="kr"), person("MOON Jae-in", nationality="kr"))["match"]
    # Korean syllables, as resolution reads them: 이 / LEE / RHEE, a given name in one word, the
    # family name 沈 (심, not the character's 침), in any writing; the given name's syllables in
    # their order, and only when they are the same
    for hanja, latin in (("金在原", "KIM Jaewon"), ("李雲龍", "LEE Un Ryong"), ("李仁濟", "RHEE In-je"),
                         ("沈在哲", "SHIM Jae-chul"), ("이재명", "LEE Jae-myung")):
        found = compare(person(hanja, nationality="kr"), person(latin, nationality="kr"))
        assert found["match"] and "Korean syllables of" in found["explanation"], (hanja, found)
    assert not compare(person("李雲龍", nationality="kr"), person("LEE Yong Un", nationality="kr"))["match"]
    assert not compare(person("金在原", nationality="kr"), person("KIM Jae-hoon", nationality="kr"))["match"]
    # a romanised name is read as Korean only for a Korean record ("Sam Ho" reads as syllables too)
    assert "Korean syllables" not in compare(person("金在原", nationality="kr"), person("KIM Jaewon"))["explanation"]
    # Devanagari: the Hunterian reading ("usha yadav"), where ICU writes "usa yadav"; a pair
    # read across scripts is held to the bar across scripts, and its written form is taken when
    # it scores better (वान्तवा / "Bantawa" 0.77 as written, "vantava" 0.71 as read)
    usha = compare(person("मा.उषा यादव", nationality="np"), person("Usha Yadav", nationality="np"))
    assert usha["match"] and "Hunterian reading of" in usha["explanation"]
    assert compare(person("मा.डा शिवजी यादब", nationality="np"), person("Dr. Sivaji Yadav", nationality="np"))["match"]
    assert compare(person("मा.शयन्द्र वान्तवा", nationality="np"), person("Shayandra Bantawa", nationality="np"))["match"]
    assert not compare(person("उषा यादव", nationality="np"), person("Kiran Yadav", nationality="np"))["match"]
    # Cantonese: characters and a Hong Kong romanisation meet through their readings
    assert compare(person("張超雄", nationality="hk"), person("Fernando CHEUNG Chiu-hung", nationality="hk"))["match"]
    # names in characters meet as written, not through readings that sound alike (熊 xiong and
    # 郑 zheng have no reading in common, but 维政 / 维勇 and the readings of two Latin names
    # would pair on the rest)
    assert compare(person("熊维政", nationality="cn"), person("郑维勇", nationality="cn"))["score"] < 0.5
    martin = compare(person("Martin LIAO Cheung-kong", nationality="hk"), person("Fernando CHEUNG Chiu-hung", nationality="hk"))
    assert martin["score"] < 0.5  # "ceung kong" (a partial reading) met "ceung ciu hung" at 0.74


def test_loose_romanisations_across_alphabets_are_not_weak_parts() -> None:
    # Persian and Tamil spellings pair with the Latin one by their consonants (0.75-0.85), which
    # is as close as two scripts get: no longer charged as a weak resemblance
    assert compare(person("جورج وینوویچ", nationality="us"), person("George Voinovich", nationality="us"))["match"]
    assert compare(person("மகிந்த ராசபக்ச", nationality="lk"), person("Mahinda Rajapaksa", nationality="lk"))["match"]
    # Chinese characters are romanised syllable by syllable: a near miss is still a weak part
    assert not compare(person("陈建", nationality="cn"), person("Chen Jianhua", nationality="cn"))["match"]
    # and in one script two parts that only resemble each other still cost their shortfall
    assert not compare(person("Jorge Voinovic"), person("George Voinovich"))["match"]


def test_pairs_across_scripts_are_scored_however_little_they_share(tmp_path: Path) -> None:
    """The pre-score gate compares ICU's romanisations: "jwrj wynwwyj" (جورج وینوویچ) shares
    little with "george voinovich", so a Persian spelling was dropped unscored, however low its
    key share, when it should meet the register's name (0.84)."""
    profiles = [{"id": "us-1", "schema": "Person", "properties": {"name": ["George Voinovich"], "nationality": ["us"]}}]
    with Graph(built(tmp_path, profiles), read_only=True) as g:
        engine = g.screener()
        n = engine.index.find(g.entity("us-1")["id"])
        assert n is not None
        # a candidate ranked on a small share of the query's keys (the gate's case)
        persian = engine.score(query_subject("جورج وینوویچ", schema="Person", country="us"), [(0.05, n)])
        assert persian and persian[0][2].score >= 0.7, persian
        # Latin against Latin is still gated
        assert engine.score(query_subject("Maria Lopez", schema="Person", country="us"), [(0.05, n)]) == []


def test_a_name_in_another_script_finds_its_romanisation_among_namesakes_in_its_own(tmp_path: Path) -> None:
    """محمد has a dozen name symbols (every spelling of Muhammad), so every "محمد ..." written in
    Arabic shared far more of the query's keys than "Mohammad Raad", and filled the candidates."""
    others = ["وحود", "دامادی", "الخبي", "حسين", "علي", "الحسن", "سالم", "يوسف", "ناصر", "خالد", "سعيد", "كريم",
              "عمر", "إبراهيم", "عادل", "طارق", "فهد", "ماجد", "نبيل", "وليد", "زياد", "هشام", "كمال", "جمال",
              "سمير", "رامي", "باسل", "فارس", "مازن", "نادر", "حمزة", "أنور", "بشير", "توفيق", "جابر", "حاتم"]
    profiles = [{"id": "lb-1", "schema": "Person", "properties": {"name": ["Mohammad Raad"], "nationality": ["lb"]}}]
    profiles += [{"id": f"ar-{i}", "schema": "Person", "properties": {"name": [f"محمد {w}"], "nationality": ["lb"]}}
                 for i, w in enumerate(others)]
    # others, so that محمد is as rare in the index as in a real one
    given = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Felix", "Greta", "Hugo", "Irene", "Jonas",
             "Karin", "Lukas", "Marta", "Nils", "Olga", "Pavel", "Rosa", "Stefan", "Tanja", "Viktor"]
    family = ["Berg", "Costa", "Dahl", "Eriksen", "Fischer", "Gomez", "Horvat", "Ivanova", "Jansen", "Kowalski",
              "Larsen", "Moreau", "Novak", "Olsen", "Petrov", "Quist", "Rossi", "Schmidt", "Tanaka", "Urban"]
    profiles += [{"id": f"x-{a}-{b}", "schema": "Person", "properties": {"name": [f"{a} {b}"]}} for a in given for b in family]
    with Graph(built(tmp_path, profiles), read_only=True) as g:
        top = g.screen("محمد رعد", country="lb")["results"][0]
        assert top["match"] and top["id"] == g.entity("lb-1")["id"], top


def test_a_query_in_characters_compares_few_name_pairs_and_still_finds_its_profile(tmp_path: Path, monkeypatch) -> None:
    """A name in characters has up to seven readings; every one against two names of each of 20
    candidates was a hundred full comparisons a query, five times a Latin name's time. Only the
    pre-score's best ``PAIRS_PER_CANDIDATE`` pairs of a candidate are compared in full, and the
    bridging pass adds at most ``BRIDGING_CANDIDATES``."""
    from pepgraph.screen import engine, score

    family, given = "王李张刘陈杨黄赵周吴", "伟芳娜敏静丽强磊军洋"
    profiles = [{"id": f"cn-{i}-{j}", "schema": "Person",
                 "properties": {"name": [f"{f}{g}", f"{f}{g}{g}"], "nationality": ["cn"]}}
                for i, f in enumerate(family) for j, g in enumerate(given)]
    syllables = ["Ka", "Wing", "Siu", "Chi", "Kwok", "Yuk", "Hon", "Pui"]
    profiles += [{"id": f"hk-{a}-{b}", "schema": "Person",  # namesakes romanised, each with an alias
                  "properties": {"name": [f"CHAN {a}-{b.lower()}", f"Chan {a} {b} Peter"], "nationality": ["hk"]}}
                 for a in syllables for b in syllables if a != b]
    profiles.append({"id": "hk-9", "schema": "Person", "properties": {"name": ["CHAN Tai-man"], "nationality": ["hk"]}})
    calls: list[int] = []
    real = score.match_forms
    monkeypatch.setattr(score, "match_forms", lambda a, b: calls.append(1) or real(a, b))
    with Graph(built(tmp_path, profiles), read_only=True) as g:
        screener = g.screener()
        query = query_subject("陈大文", country="hk")
        assert len(query.readings) >= 3  # Mandarin, Cantonese, Japanese...
        ranked = screener.candidates(query, limit=engine.CANDIDATES)
        written = screener._ranked(screener._query_keys(query), query, None, None, False, engine.CANDIDATES)
        readings = screener._ranked(screener._query_keys(query, readings=True), query, None, None, False,
                                    engine.CANDIDATES)
        assert len(ranked) <= len({n for _, n in written} | {n for _, n in readings}) + engine.BRIDGING_CANDIDATES
        calls.clear()
        scored = screener.score(query, ranked)
        assert 0 < len(calls) <= engine.PAIRS_PER_CANDIDATE * len(scored)
        top = g.screen("陈大文", country="hk")["results"][0]
        assert top["match"] and top["id"] == g.entity("hk-9")["id"], top
        assert "Cantonese reading of 陈大文" in top["explanations"]["name"]["detail"]
