"""analyze(): normalisation, name order, titles, token kinds, transliteration, scripts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pepgraph.errors import ConfigError
from pepgraph.names import NameForm, analyze, lexicon
from tests.conftest import REPO, shared
from tests.names.realdata import NETRANSLIT, PUTIN, read_lines, read_pairs

# name -> latin, in natural order (given names first)
LATIN = [
    ("SIDORENKO, Ivan Petrovich", "ivan petrovich sidorenko"),
    ("Иван Петрович Сидоренко", "ivan petrovich sidorenko"),
    ("Sidorenko, I.", "i sidorenko"),
    ("PUTIN, Vladimir Vladimirovich", "vladimir vladimirovich putin"),
    ("Путин, Владимир Владимирович", "vladimir vladimirovich putin"),
    ("Smith, Dr. John", "john smith"),
    ("John Smith, Jr.", "john smith jr"),
    ("Smith, John, Jr.", "john smith jr"),
    ("Влади́мир ПУ́ТИН", "vladimir putin"),  # stress accents
    ("Jean-Claude Juncker", "jean claude juncker"),
    ("O'Brien, Conan", "conan obrien"),
    ("J.R.R. Tolkien", "j r r tolkien"),
    ("Vladímír Pútín", "vladimir putin"),
    ("Straße", "strasse"),
    ("王建国", "wang jianguo"),  # one-word Chinese name: family name split off
    ("习近平主席", "xi jinping"),  # title glued to the name
    ("김정은", "gim jeongeun"),
    ("ウラジーミル・プーチン", "urajimiru puchin"),
    ("弗拉基米尔·普京", "fulajimier pujing"),
    ("नरेन्द्र मोदी", "narendra modi"),  # combining vowel signs survive tokenising
    ("आनन्द प्रसाद पोखरेल", "ananda prasad pokharel"),  # no final inherent vowel after a bare consonant: "pokharel", not "pokharela"
    ("ג'וליאן אסאנג'", "jwlyn snj"),  # geresh: ג' is j
]

# titles and honorifics that disappear, in several languages and scripts
TITLES = [
    ("Mr. John Smith", "john smith"),
    ("Mrs Jane Smith", "jane smith"),
    ("Dr. med. Hans Müller", "hans muller"),
    ("Prof. Dr. Hans Müller", "hans muller"),
    ("Sir Elton John", "elton john"),
    ("H.E. Sheikh Mohammed bin Rashid Al Maktoum", "mohammed bin rashid al maktoum"),
    ("His Excellency Ali Khamenei", "ali khamenei"),
    ("Hon. Nancy Pelosi", "nancy pelosi"),
    ("General Min Aung Hlaing", "min aung hlaing"),
    ("Colonel Muammar Gaddafi", "muammar gaddafi"),
    ("Präsident Putin", "putin"),
    ("Presidente Vladimir Putin", "vladimir putin"),
    ("Președintele Putin", "putin"),
    ("Predsjednik Putin", "putin"),
    ("Putyin elnök", "putyin"),
    ("Президент Путин", "putin"),
    ("Senator Elizabeth Warren", "elizabeth warren"),
    ("Datuk Seri Najib Razak", "najib razak"),
    ("Alhaji Atiku Abubakar", "atiku abubakar"),
    ("الشيخ محمد", "mhmd"),
    ("ד\"ר משה כהן", "msh khn"),
    ("John Smith MP", "john smith"),
    ("M. Jean Dupont", "jean dupont"),  # Monsieur, before two words
    ("S.E. Ahmed Ali", "ahmed ali"),  # Son Excellence
    # EveryPolitician's Lok Sabha writes "Surname, Shri Given": two members born on one day had
    # scored 0.87 on the shared "shri"
    ("Rao (Avanthi), Shri Muthamsetti Srinivasa", "muthamsetti srinivasa rao avanthi"),
    ("Smt. Sonia Gandhi", "sonia gandhi"),
]

# names whose words only look like titles keep them
KEPT = [
    ("President", "president"),  # a title is never all that is left
    ("John Major", "john major"),
    ("Erik Prince", "erik prince"),
    ("Don King", "don king"),
    ("Amir Khan", "amir khan"),
    ("He Jiankui", "he jiankui"),
    ("Sri Mulyani Indrawati", "sri mulyani indrawati"),  # Sri is a given name too
    # a one-letter title is an initial before an initial or a lone word: removing "M." had left
    # "E. Balcedo", which no longer met "Maria Ester Balcedo" as initials of one name
    ("M. E. Balcedo", "m e balcedo"),
    ("M. Velásquez", "m velasquez"),
]

KINDS = [
    ("Ivan Petrovich Sidorenko", ["name", "patronymic", "name"]),
    ("Putin Vladimir Vladimirovich", ["name", "name", "patronymic"]),
    ("Roman Abramovich", ["name", "name"]),  # two parts: a surname, not a patronymic
    ("J. R. Smith", ["initial", "initial", "name"]),
    ("В. В. Путин", ["initial", "initial", "name"]),
    ("Ludwig van Beethoven", ["name", "particle", "name"]),
    ("Johann van der Berg", ["name", "particle", "particle", "name"]),
    ("Mohammed bin Rashid Al Maktoum", ["name", "particle", "name", "particle", "name"]),
    ("Ilham Heydar oglu Aliyev", ["name", "name", "particle", "name"]),
    ("John Smith Jr", ["name", "name", "generational"]),
    ("Henry VIII", ["name", "generational"]),
    ("Louis XIV", ["name", "generational"]),
    ("Agent 7", ["name", "number"]),
]

SCRIPTS = [
    ("Ivan", "Latin"),
    ("Иван", "Cyrillic"),
    ("محمد", "Arabic"),
    ("王建国", "Han"),
    ("ולדימיר", "Hebrew"),
    ("김정은", "Hangul"),
    ("ウラジーミル", "Katakana"),
    ("Βλαντίμιρ", "Greek"),
    ("व्लादिमीर", "Devanagari"),
    ("123", ""),
]


@pytest.mark.parametrize("name, latin", LATIN)
def test_latin_form_in_natural_order(name: str, latin: str) -> None:
    form = analyze(name)
    assert form.latin == latin
    assert form.tokens == tuple(latin.split())
    assert len(form.normalized.split()) == len(form.tokens)


@pytest.mark.parametrize("name, latin", TITLES + KEPT)
def test_titles_and_honorifics(name: str, latin: str) -> None:
    assert analyze(name).latin == latin


@pytest.mark.parametrize("name, kinds", KINDS)
def test_token_kinds(name: str, kinds: list[str]) -> None:
    assert [p.kind for p in analyze(name).parts] == kinds


@pytest.mark.parametrize("name, script", SCRIPTS)
def test_dominant_script(name: str, script: str) -> None:
    assert analyze(name).script == script


def test_fields_of_a_cross_script_name() -> None:
    form = analyze("Иван Петрович Сидоренко")
    assert isinstance(form, NameForm)
    assert form.original == "Иван Петрович Сидоренко"
    assert form.normalized == "иван петрович сидоренко"
    assert "NAME:Q830350" in form.symbols  # the Wikidata given name "Ivan"
    assert analyze("Ivan Sidorenko").symbols & form.symbols
    assert form.phonetic == {"IFN", "PTRFX", "STRNK"}
    assert [p.latin for p in form.parts] == list(form.tokens)


def test_initials_carry_an_initial_symbol_only() -> None:
    form = analyze("Sidorenko, I.")
    assert "INITIAL:i" in form.symbols
    assert not any(s.startswith(("NAME:", "NUM:")) for s in form.parts[0].symbols)


def test_organisation_legal_forms_are_normalised() -> None:
    assert analyze("ACME Limited", schema="Company").latin == "acme ltd"
    assert analyze("Acme Ltd.", schema="Company").latin == "acme ltd"
    assert analyze("The Acme Corporation Inc.", schema="Company").latin.startswith("acme")
    assert analyze("ООО Ромашка", schema="Company").latin == "ooo romashka"
    assert [p.kind for p in analyze("Acme Ltd", schema="Organization").parts] == ["name", "legal"]
    assert analyze("Acme Ltd", schema="Company").kind == "ORG"
    assert analyze("Mr. Smith", schema="Vessel").kind == "OBJ"


def test_unknown_schema_is_an_error() -> None:
    with pytest.raises(ValueError, match="Persn"):
        analyze("John Smith", schema="Persn")


@pytest.mark.parametrize("name", [None, "", "   ", "...", "-- / --", "()"])
def test_empty_input(name: str | None) -> None:
    form = analyze(name)
    assert not form
    assert form.tokens == () and form.parts == () and form.latin == "" and form.script == ""


def test_analyze_is_cached() -> None:
    assert analyze("Vladimir Putin") is analyze("Vladimir Putin")
    assert analyze("Vladimir Putin", "Person", lang="ru") is analyze("Vladimir Putin")


def test_putin_spellings_all_analyse() -> None:
    names = read_lines(shared(*PUTIN))
    assert len(names) == 81
    for name in names:
        form = analyze(name)
        assert form.tokens, name
        assert form.script, name


def test_analyze_is_fast_on_real_latin_names() -> None:
    """Well under 1 ms a name, uncached (measured ~0.08 ms; see docs/names.md)."""
    from pepgraph.names.forms import _analyze

    pairs = read_pairs(shared(*NETRANSLIT, "wd_hebrew"))
    names = list(dict.fromkeys(a for a, _ in pairs))[:3000]
    analyze("warm up the word lists")
    _analyze.cache_clear()
    start = time.perf_counter()
    for name in names:
        analyze(name)
    per_name = (time.perf_counter() - start) / len(names)
    assert per_name < 1e-3


def test_titles_file_says_what_rigour_covers() -> None:
    text = lexicon.TITLES_FILE.read_text(encoding="utf-8")
    assert "remove_person_prefixes" in text


def test_bad_word_list_names_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "titles.yml"
    bad.write_text("prefixes:\n  en: [mr, 3]\nsuffixes: []\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "TITLES_FILE", bad)
    with pytest.raises(ConfigError, match="prefixes.en"):
        lexicon.titles.__wrapped__()
    bad.write_text("prefixes: []\nsufixes: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sufixes"):
        lexicon.titles.__wrapped__()


def test_no_work_at_import_time() -> None:
    code = (
        "import pepgraph.names, pepgraph.names.lexicon as lx, pepgraph.names.text as tx;"
        "print(lx.titles.cache_info().currsize, lx.part_words.cache_info().currsize,"
        " tx._token_re.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.split() == ["0", "0", "0"]


def test_a_persons_tokens_get_the_symbols_the_whole_name_gives_them() -> None:
    """Persons are tagged token by token (cached per token, for speed); each token's symbols are
    those that tagging the whole name gives it, in every script."""
    from pepgraph.names import symbols
    from pepgraph.names.forms import _token_kinds, _tokens, latin

    for name in ("Ivan Petrovich Sidorenko", "Иван Петрович Сидоренко", "William J. Clinton", "王建国",
                 "محمد خالد منصور", "דוד סגל", "Γιώργος Παπαδόπουλος", "박홍근", "J. R. R. Tolkien"):
        forms = _tokens(name, "PER")
        initials = [k == "initial" for k in _token_kinds(forms, [latin(f) or f for f in forms], "PER")]
        whole, _ = symbols._whole(forms, "PER", initials)
        each, everything = symbols.tag(forms, "PER", initials)
        assert each == whole, name
        assert set().union(*each) <= everything
    assert any(symbols.tag(["ivan"], "PER", [False])[0])  # not vacuous: Ivan has a name symbol
