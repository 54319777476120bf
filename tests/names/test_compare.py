"""compare_names(): tables of real names across scripts, and floors measured on real pairs."""

from __future__ import annotations

import time

import pytest

from pepgraph.names import NameMatch, PartMatch, analyze, compare_names
from pepgraph.names.similarity import HOWS
from tests.conftest import shared
from tests.names.realdata import NETRANSLIT, Figures, read_pairs

# the same name in two scripts: >= 0.85
SAME_ACROSS_SCRIPTS = [
    ("Ivan Sidorenko", "Иван Сидоренко"),
    ("Mohammed", "محمد"),
    ("Wang Jianguo", "王建国"),
    ("Xi Jinping", "习近平"),
    ("Vladimir Putin", "Владимир Путин"),
    ("Vladimir Putin", "ולדימיר פוטין"),
    ("Vladimir Putin", "فلاديمير بوتين"),
    ("Vladimir Putin", "ウラジーミル・プーチン"),
    ("Vladimir Putin", "弗拉基米尔·普京"),
    ("Vladimir Putin", "Βλαντίμιρ Πούτιν"),
    ("Vladimir Putin", "ვლადიმერ პუტინი"),
    ("Kim Jong Un", "김정은"),
    ("Douglas Adams", "דאגלס אדמס"),
    ("Julian Assange", "ג'וליאן אסאנג'"),
    ("Ludwig van Beethoven", "루트비히 판 베토벤"),
    ("Narendra Modi", "नरेन्द्र मोदी"),
]

# (left, right, low, high): score within [low, high]
TABLE = [
    # word order and the comma form
    ("SIDORENKO, Ivan Petrovich", "Ivan Petrovich Sidorenko", 1.0, 1.0),
    ("Sidorenko Ivan", "Ivan Sidorenko", 1.0, 1.0),
    ("PUTIN, Vladimir", "Vladimir PUTIN", 1.0, 1.0),
    # a missing patronymic or middle name costs little
    ("Ivan Sidorenko", "Иван Петрович Сидоренко", 0.85, 0.95),
    ("Putin Vladimir Vladimirovich", "Vladimir Putin", 0.85, 0.95),
    ("John Fitzgerald Kennedy", "John Kennedy", 0.8, 0.9),
    # initials
    ("J. Smith", "John Smith", 0.75, 0.9),
    ("Sidorenko, I.", "Ivan Sidorenko", 0.75, 0.9),
    ("Путин В. В.", "Владимир Владимирович Путин", 0.7, 0.9),
    ("J. Smith", "Peter Smith", 0.0, 0.5),
    # particles
    ("Johann van der Berg", "Johann Berg", 0.8, 0.9),
    ("Ludwig van Beethoven", "Ludwig Beethoven", 0.85, 0.95),
    ("Mohammed bin Rashid Al Maktoum", "Mohammed Rashid Maktoum", 0.8, 0.95),
    # honorifics and titles
    ("Mr. John Smith", "John Smith", 1.0, 1.0),
    ("H.E. Sheikh Mohammed bin Rashid Al Maktoum", "Mohammed bin Rashid Al Maktoum", 1.0, 1.0),
    ("Президент Путин", "Путин", 1.0, 1.0),
    # spelling variants and joined words
    ("Abdul Rahman Ali", "Abdulrahman Ali", 0.95, 1.0),
    ("Kim Jong-un", "Kim Jong Un", 1.0, 1.0),
    ("Mohamed Salah", "Muhammad Salah", 0.9, 0.99),
    ("Vladimir Putin", "Wladimir Poetin", 0.85, 0.99),
    ("Catherine Zeta-Jones", "Katherine Zeta Jones", 0.85, 0.99),
    # Gulf names: the article glued on, the nasab left out, ظ written "dh"; but ظ is "z" too
    ("خليفة ناصر محمد بالهول السويدي", "KHALIFA NASER MOHAMED ALSUWAIDI", 0.85, 0.95),
    ("فيصل سعود صالح الدويسان", "Faisal Al Dowaisan", 0.75, 0.85),
    ("سلطان راشد سعيد الظاهري", "SULTAN RASHED SAEED ALDHAHERI", 0.9, 0.95),
    ("ظاهر شاه", "Zahir Shah", 0.95, 0.99),
    ("سلطان راشد سعيد الظاهري", "Sultan Rashed Saeed Al Zaabi", 0.0, 0.75),
    ("فيصل سعود صالح الدويسان", "Faisal Al Mutairi", 0.0, 0.45),
    # a Persian name (Farsi letters) has no nasab: its middle word costs what a middle name does
    ("محمد حسين علي", "Mohammed Ali", 0.85, 0.9),
    ("محمد حسین علی", "Mohammed Ali", 0.8, 0.85),
    # Han characters: variants of one character meet, different characters do not, however
    # alike their pinyin (xiaosong / xiaohong, one metaphone for quan / chen)
    ("陳偉業", "陈伟业", 0.95, 1.0),
    ("李小松", "李晓红", 0.0, 0.4),
    ("王全", "王晨", 0.0, 0.4),
    # different people, merely similar
    ("John Smith", "Joan Smyth", 0.6, 0.9),
    ("Peter Smith", "Petra Smith", 0.7, 0.95),
    ("Ivan Petrov", "Ivana Petrova", 0.6, 0.95),
    ("Kim Jong Un", "Kim Jong Il", 0.0, 0.6),
    ("Louis XIV", "Louis XV", 0.0, 0.7),  # numbers are not typos
    ("Henry VIII", "Henry 8th", 0.9, 1.0),
    # a missing or different surname costs a lot
    ("John Smith", "John Brown", 0.0, 0.4),
    ("John", "John Smith", 0.0, 0.5),
    ("Ivan Petrovich", "Ivan Petrovich Sidorenko", 0.0, 0.7),
]

ORGS = [
    ("Acme Ltd", "ACME Limited", 1.0, 1.0),
    ("Siemens AG", "Siemens Aktiengesellschaft", 1.0, 1.0),
    ("The Acme Corporation", "Acme Corporation", 1.0, 1.0),
    ("ООО Ромашка", "OOO Romashka", 0.95, 1.0),
    ("Acme Holding Ltd", "Acme Ltd", 0.4, 0.8),
    ("Acme Ltd", "Apex Ltd", 0.0, 0.5),
    ("Gazprom 2", "Gazprom 3", 0.0, 0.5),
    ("A. Smith Ltd", "Alan Smith Ltd", 0.0, 0.75),  # no initials logic for organisations
]


@pytest.mark.parametrize("left, right", SAME_ACROSS_SCRIPTS)
def test_same_name_across_scripts_scores_high(left: str, right: str) -> None:
    m = compare_names([left], [right])
    assert m.score >= 0.85, m.explain()


@pytest.mark.parametrize("left, right, low, high", TABLE)
def test_person_table(left: str, right: str, low: float, high: float) -> None:
    m = compare_names(left, right)
    assert low <= m.score <= high, f"{m.score}: {m.explain()}"


@pytest.mark.parametrize("left, right, low, high", ORGS)
def test_organisation_table(left: str, right: str, low: float, high: float) -> None:
    m = compare_names(left, right, schema="Company")
    assert low <= m.score <= high, f"{m.score}: {m.explain()}"


@pytest.mark.parametrize("left, right, low, high", TABLE + ORGS)
def test_symmetric_and_bounded(left: str, right: str, low: float, high: float) -> None:
    a, b = compare_names(left, right).score, compare_names(right, left).score
    assert a == pytest.approx(b)
    assert 0.0 <= a <= 1.0


def test_similar_people_stay_below_identity() -> None:
    same = compare_names("John Smith", "John Smith").score
    assert same == 1.0
    assert compare_names("John Smith", "Joan Smyth").score < same
    assert compare_names("Peter Smith", "Petra Smith").score < same
    initial = compare_names("J. Smith", "John Smith").score
    assert initial < compare_names("Jon Smith", "John Smith").score < same


def test_best_pair_of_forms_and_its_explanation() -> None:
    m = compare_names(["Ivan Sidorenko"], ["Иван Петрович Сидоренко", "Sidorenko, I."])
    assert isinstance(m, NameMatch)
    assert m.left is analyze("Ivan Sidorenko")
    assert m.right is analyze("Иван Петрович Сидоренко")
    assert m.parts == (
        PartMatch("ivan", "иван", "transliteration", 0.98),
        PartMatch("sidorenko", "сидоренко", "transliteration", 0.98),
        PartMatch(None, "петрович", "missing", 0.0),
    )
    assert m.explain() == (
        "ivan=иван (transliteration), sidorenko=сидоренко (transliteration), петрович missing"
    )


@pytest.mark.parametrize(
    "left, right, hows",
    [
        ("John Smith", "John Smith", {"exact"}),
        ("Mohammed", "محمد", {"symbol"}),
        ("Ivan", "Иван", {"transliteration"}),
        ("Putin", "פוטין", {"symbol"}),
        ("Schwarzenegger", "שוורצנגר", {"transliteration"}),  # consonant skeletons agree
        ("Ivan Sidorenko", "Ivan Sidorenco", {"exact", "edit"}),
        ("John Smith", "Jon Smith", {"exact", "phonetic"}),
        ("John Smith", "Joan Smith", {"exact", "phonetic"}),
        ("J. Smith", "John Smith", {"exact", "initial"}),
        ("John Smith", "John Peter Smith", {"exact", "missing"}),
    ],
)
def test_how_parts_matched(left: str, right: str, hows: set[str]) -> None:
    m = compare_names(left, right)
    assert {p.how for p in m.parts} == hows
    assert {p.how for p in m.parts} <= set(HOWS)


@pytest.mark.parametrize(
    "left, right",
    [([], ["John"]), (None, "John"), (["", "...", None], ["John"]), ("John", "()"), (None, None)],
)
def test_nothing_to_compare(left, right) -> None:  # type: ignore[no-untyped-def]
    m = compare_names(left, right)
    assert m.score == 0.0 and m.parts == ()
    assert m.explain() == "no names to compare"


def test_accepts_forms_and_strings() -> None:
    form = analyze("Vladimir Putin")
    assert compare_names(form, ["Путин, Владимир"]).score >= 0.95


# Floors well below what we measure (docs/names.md): they catch a broken module, not noise.
# file: (score >= 0.7, score >= 0.85, false pairs >= 0.7 at most, true pairs sharing a key)
FLOORS = {
    "wd_russian_20": (0.80, 0.60, 0.04, 0.60),
    "wd_arabic_20": (0.80, 0.55, 0.04, 0.60),
    "wd_chinese_20": (0.55, 0.30, 0.04, 0.30),
    "wd_hebrew_20": (0.75, 0.50, 0.04, 0.55),
    "wd_korean_20": (0.55, 0.35, 0.04, 0.35),
    "wd_japanese_20": (0.70, 0.50, 0.04, 0.50),
    "wd_katakana_20": (0.70, 0.50, 0.04, 0.50),
    "wd_hebrew": (0.75, 0.60, 0.03, 0.85),
    "wd_korean": (0.65, 0.45, 0.03, 0.75),
    "ar2en.txt": (0.85, 0.65, 0.04, 0.70),
    "putin_names.txt": (0.65, 0.45, 0.02, 0.85),
}


@pytest.mark.parametrize("name", FLOORS)
def test_real_pairs_floors(name: str, real_figures: dict[str, Figures]) -> None:
    fig = real_figures[name]
    recall70, recall85, false70, _ = FLOORS[name]
    assert fig.recall70 >= recall70, fig
    assert fig.recall85 >= recall85, fig
    assert fig.false70 <= false70, fig


def test_compare_is_fast_on_real_names() -> None:
    """About 50 µs for one name against two, analysed already (see docs/names.md)."""
    pairs = read_pairs(shared(*NETRANSLIT, "wd_hebrew"))[:1000]
    lists = [([a], [b, pairs[(i * 7 + 3) % len(pairs)][0]]) for i, (a, b) in enumerate(pairs)]
    for left, right in lists:
        compare_names(left, right)
    start = time.perf_counter()
    for left, right in lists:
        compare_names(left, right)
    assert (time.perf_counter() - start) / len(lists) < 1e-3
