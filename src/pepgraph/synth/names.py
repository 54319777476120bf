"""Name lists per locale, in their native scripts, with romanisations.

The lists come from Faker's person providers (read once from the provider classes: no ``Faker``
instance, no per-call overhead) and, for Arabic, Persian and Hebrew, from pepgraph's own
``names.yml`` (abjads need a dictionary to romanise readably). Sampling is done by the generator
with its own ``random.Random``.

``romanise(locale, native)`` gives the Latin forms of one name part, the usual one first; it is
memoised, and the set of name parts is bounded by the lists, so memory stays constant.
"""

from __future__ import annotations

import bisect
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from normality import ascii_text, latinize_text

HERE = Path(__file__).parent

#: locales whose native script is not Latin
NON_LATIN = {
    "ru_RU", "uk_UA", "bg_BG", "mk_MK", "el_GR", "ar", "fa", "he", "zh_CN", "zh_TW", "ja_JP", "ko_KR",
    "hi_IN", "ne_NP", "mr_IN", "gu_IN", "or_IN", "bn_BD", "ta_IN", "th_TH", "ka_GE", "hy_AM",
}
#: locales whose names are written family name first (natively)
FAMILY_FIRST = {"zh_CN", "zh_TW", "ja_JP", "ko_KR", "hu_HU", "vi_VN"}
#: ... and also when romanised (Japanese names are usually given-name-first in Latin script)
FAMILY_FIRST_LATIN = {"zh_CN", "zh_TW", "ko_KR", "vi_VN"}
#: written without spaces natively
NO_SPACE = {"zh_CN", "zh_TW", "ja_JP", "ko_KR"}
#: given name + patronymic + family name
PATRONYMIC = {"ru_RU", "uk_UA", "bg_BG"}
#: given name + father's given name + family name
NASAB = {"ar"}
#: a second surname, the mother's (paternal + maternal)
TWO_SURNAMES = {"es_ES", "es_MX", "es_AR", "es_CO", "es_CL", "pt_BR"}
#: a wife takes her husband's family name (often)
WIFE_TAKES = {
    "en_US", "en_GB", "en_IE", "en_NZ", "en_KE", "en_NG", "en_IN", "en_PK", "de_DE", "de_AT", "de_CH",
    "de_LI", "de_LU", "fr_FR", "fr_BE", "fr_CH", "fr_DZ", "nl_NL", "nl_BE", "ru_RU", "uk_UA", "bg_BG",
    "mk_MK", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "lt_LT", "lv_LV", "et_EE",
    "fi_FI", "sv_SE", "no_NO", "da_DK", "el_GR", "hy_AM", "ka_GE", "tr_TR", "az_AZ", "uz_UZ", "ja_JP",
    "hi_IN", "mr_IN", "gu_IN", "ta_IN", "ne_NP", "zu_ZA", "tw_GH", "yo_NG", "ig_NG", "sw", "th_TH",
    "he", "ga_IE", "it_IT", "pt_PT",
}


@dataclass
class Weighted:
    """A list of native strings, sampled uniformly or by weight, fast."""

    items: list[str]
    cum: list[float] | None = None

    def pick(self, rnd: Any) -> str:
        if self.cum is None:
            return self.items[int(rnd() * len(self.items))]
        return self.items[bisect.bisect_left(self.cum, rnd() * self.cum[-1])]


@dataclass
class NameList:
    locale: str
    male: Weighted
    female: Weighted
    family: Weighted
    middle: Weighted | None = None
    romanised: dict[str, tuple[str, ...]] = field(default_factory=dict)  # from the lists themselves
    #: characters (Chinese) or syllables (Korean) that two-part given names are drawn from
    male_chars: Weighted | None = None
    female_chars: Weighted | None = None

    @property
    def native_latin(self) -> bool:
        return self.locale not in NON_LATIN


_JUNK = re.compile(r"[.,˜()\d]")  # abbreviations (H.-Dieter), inverted particles (Bourgondië, van), mojibake


def _ok(name: str) -> bool:
    return bool(name.strip()) and not _JUNK.search(name)


def _weighted(values: Any) -> Weighted:
    if isinstance(values, dict):
        pairs = [(str(k), float(v)) for k, v in values.items() if _ok(str(k))]
        items = [k for k, _ in pairs]
        weights = [w for _, w in pairs]
        cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            cum.append(total)
        return Weighted(items, cum)
    items = list(dict.fromkeys(str(v) for v in values if _ok(str(v))))
    return Weighted(items)


def _attr(provider: Any, *names: str) -> Any:
    for name in names:
        values = getattr(provider, name, None)
        if isinstance(values, (list, tuple, dict)) and len(values) > 1:
            return values
    return None


@lru_cache(maxsize=None)
def _own_lists() -> dict[str, Any]:
    with open(HERE / "names.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def name_list(locale: str) -> NameList:
    """The name list of one locale (loaded once per process)."""
    own = _own_lists()
    if locale in own:
        data = own[locale]
        romanised: dict[str, tuple[str, ...]] = {}
        parts = {}
        for part in ("male", "female", "family"):
            natives = []
            for entry in data[part]:
                natives.append(entry[0])
                romanised.setdefault(entry[0], tuple(entry[1:]))
            parts[part] = Weighted(natives)
        names = NameList(locale, parts["male"], parts["female"], parts["family"], romanised=romanised)
        _add_more(names)
        if locale == "ar":
            names.family = Weighted(names.family.items + _arabic_family(names.male.items, romanised))
        if locale in _COMPOSED:
            # common surname shapes: given name + suffix (Hosseinzadeh), base + suffix (Goldberg)
            bases, suffixes = _COMPOSED[locale]
            if bases is None:
                bases = [e for e in data["male"] if " " not in e[0]]
            extra = []
            for base in bases:
                for suffix in suffixes:
                    native = base[0] + suffix[0]
                    forms = [f"{base[1]}{suffix[1]}", *(f"{b}{suffix[1]}" for b in base[2:3]),
                             f"{base[1]}-{suffix[1].capitalize()}"]
                    romanised.setdefault(native, tuple(dict.fromkeys(forms)))
                    extra.append(native)
            names.family = Weighted(names.family.items + extra)
        return names
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    romanised = {}
    if locale == "ja_JP":
        pairs_m = list(provider.first_name_male_pairs)
        pairs_f = list(provider.first_name_female_pairs)
        pairs_l = list(provider.last_name_pairs)
        for kanji, _kana, romaji in pairs_m + pairs_f + pairs_l:
            romanised[kanji] = tuple(dict.fromkeys([romaji, romaji.replace("ou", "o").replace("uu", "u"), _oh(romaji)]))
        ja = NameList(
            locale, Weighted([p[0] for p in pairs_m]), Weighted([p[0] for p in pairs_f]),
            Weighted([p[0] for p in pairs_l]), romanised=romanised,
        )
        _add_more(ja)
        return ja
    first = _attr(provider, "first_names")
    male = _attr(provider, "first_names_male") or first
    female = _attr(provider, "first_names_female") or first
    if locale == "is_IS":
        family = Weighted([f"{n}son" for n in provider.last_names_without_suffix if _ok(n)])
    elif locale == "pl_PL":
        family = Weighted([n for n in list(provider.male_last_names) + list(provider.unisex_last_names)[:800] if _ok(n)])
    else:
        family = _weighted(_attr(provider, "last_names_male", "last_names"))
    middle = None
    if locale == "vi_VN":
        middle = _weighted(provider.middle_names)
    names = NameList(locale, _weighted(male), _weighted(female), family, middle, romanised)
    _widen(names)
    _add_more(names)
    return names


@lru_cache(maxsize=None)
def _more_lists() -> dict[str, Any]:
    with open(HERE / "names_more.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _add_more(names: NameList) -> None:
    """Add pepgraph's own entries (``names_more.yml``) to a Faker list that is too short."""
    more = _more_lists().get(names.locale)
    if not more:
        return
    for part in ("male", "female", "middle", "family"):
        extra = more.get(part)
        if not extra:
            continue
        current: Weighted | None = getattr(names, part)
        if isinstance(extra, dict):  # weighted: these shares replace the list's own
            setattr(names, part, _weighted(extra))
            continue
        natives = []
        for entry in extra:
            if isinstance(entry, list):  # [native, romanisation, ...]
                native = str(entry[0])
                names.romanised.setdefault(native, tuple(str(x) for x in entry[1:]))
            else:
                native = str(entry)
            natives.append(native)
        items = current.items if current is not None else []
        setattr(names, part, Weighted(list(dict.fromkeys(items + natives))))
    for part in ("male", "female"):
        chars = more.get(f"{part}_chars")
        if chars:
            own = "".join(getattr(names, part).items)
            setattr(names, f"{part}_chars", Weighted(list(dict.fromkeys(own + str(chars)))))


def _arabic_family(male: list[str], romanised: dict[str, tuple[str, ...]]) -> list[str]:
    """Family names made from given names as Arabic makes them: Ben Salem, Abu Hamza, Al-Hashimi.

    Many Arab family names are an ancestor's given name behind "son of" or "father of", or its
    nisba (al- ... -i). Without them a few dozen family names stood for a whole region.
    """
    out: list[str] = []
    for native in male:
        forms = romanised.get(native)
        if " " in native or not forms:
            continue
        usual = forms[0]
        composed = [
            ("بن " + native, [f"Ben {usual}", f"Bin {usual}", *(f"Ben {f}" for f in forms[1:2])]),
            ("أبو " + native, [f"Abu {usual}", f"Abou {usual}"]),
        ]
        if native[-1] not in "ىةاويءئ" and usual[-1].lower() not in "aeiouy":
            composed.append(("ال" + native + "ي", [f"Al-{usual}i", f"Al {usual}i", f"El-{usual}i"]))
        for name, spellings in composed:
            if name not in romanised:
                romanised[name] = tuple(dict.fromkeys(spellings))
                out.append(name)
    return out


#: small Faker lists pooled with their neighbours' (Nigeria's en_NG has 20 first and 20 family names)
_POOLS = {loc: group for group in (("en_NG", "yo_NG", "ig_NG", "ha_NG"), ("es_ES", "es_MX", "es_AR", "es_CO", "es_CL"),
                                   ("pt_PT", "pt_BR"), ("fr_FR", "fr_BE", "fr_CH", "fr_CA"))
          for loc in group}
#: lists that also draw a neighbour's names, one way (the lender's own, weighted list stays as it is)
_BORROWS = {
    "zu_ZA": ("en_GB", ("male", "female")),  # many South Africans carry an English given name
    "sw": ("en_KE", ("male", "female", "family")),  # Tanzanians and Kenyans share names
}
_COMPOSED: dict[str, tuple[Any, list[tuple[str, str]]]] = {
    "fa": (None, [("\u200cزاده", "zadeh"), ("\u200cپور", "pour"), ("\u200cنژاد", "nejad")]),
    "he": ([("גולד", "Gold"), ("רוזן", "Rosen"), ("זילבר", "Silber", "Zilber"), ("ויין", "Wein", "Vein"), ("פריד", "Fried", "Frid"),
            ("גרין", "Green", "Grin"), ("בלום", "Blum", "Bloom"), ("שטרן", "Stern", "Shtern"), ("אייזן", "Eisen", "Aizen"),
            ("ליבר", "Lieber", "Liber"), ("גרוס", "Gross", "Gros"), ("הירש", "Hirsch", "Hirsh")],
           [("ברג", "berg"), ("שטיין", "stein"), ("מן", "man"), ("פלד", "feld"), ("באום", "baum")]),
}


def _widen(names: NameList) -> None:
    """Give small lists more variety, so that same-name persons are not far commoner than in life."""
    loc = names.locale
    if loc in _POOLS:
        for part in ("male", "female", "family"):
            pooled: list[str] = []
            for other in _POOLS[loc]:
                pooled.extend(getattr(_faker_base(other), part))
            setattr(names, part, Weighted(list(dict.fromkeys(pooled))))
    elif loc in _BORROWS:
        lender, borrowed = _BORROWS[loc]
        base = _faker_base(lender)
        for part in borrowed:
            setattr(names, part, Weighted(list(dict.fromkeys(getattr(names, part).items + getattr(base, part)))))
    elif loc == "ro_RO":  # Popescu, Ionescu: -escu on a given name
        extra = [(m[:-1] if m[-1] in "ae" else m) + "escu" for m in names.male.items if m[-1] not in "iuo"]
        names.family = Weighted(list(dict.fromkeys(names.family.items + extra)))
    elif loc == "tr_TR":  # Ahmetoğlu: -oğlu on a given name
        extra = [m + "oğlu" for m in names.male.items if len(m) <= 6][:250]
        names.family = Weighted(list(dict.fromkeys(names.family.items + extra)))


@dataclass
class _Base:
    male: list[str]
    female: list[str]
    family: list[str]


@lru_cache(maxsize=None)
def _faker_base(locale: str) -> _Base:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    first = _attr(provider, "first_names")
    return _Base(
        [str(x) for x in (_attr(provider, "first_names_male") or first) if _ok(str(x))],
        [str(x) for x in (_attr(provider, "first_names_female") or first) if _ok(str(x))],
        [str(x) for x in _attr(provider, "last_names_male", "last_names") if _ok(str(x))],
    )


def _oh(romaji: str) -> str:
    return romaji.replace("ou", "oh").replace("oo", "oh") if "ou" in romaji or "oo" in romaji else romaji


# --- feminine family names and patronymics (native script) -------------------------------------


def feminine(locale: str, family: str) -> str:
    """The feminine form of a family name where the language inflects it."""
    if locale in ("ru_RU", "bg_BG", "az_AZ", "uz_UZ"):
        for m, f in (("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина"),
                     ("ый", "ая"), ("ski", "ska"), ("ov", "ova"), ("ev", "eva"), ("in", "ina")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "uk_UA":
        for m, f in (("ський", "ська"), ("цький", "цька"), ("ов", "ова"), ("ев", "ева"), ("єв", "єва"), ("ін", "іна"), ("ин", "ина")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "mk_MK":
        for m, f in (("ски", "ска"), ("ов", "ова"), ("ев", "ева")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale in ("cs_CZ", "sk_SK"):
        if family.endswith("ý"):
            return family[:-1] + "á"
        if family.endswith("ová") or family.endswith("á"):
            return family
        base = family[:-1] if family[-1] in "aeo" else family
        return base + "ová"
    if locale == "pl_PL":
        for m, f in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "el_GR":
        for m, f in (("όπουλος", "οπούλου"), ("ος", "ου"), ("ός", "ού"), ("ης", "η"), ("ής", "ή"), ("ας", "α"), ("άς", "ά")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "lv_LV":
        for m, f in (("kis", "ka"), ("iņš", "iņa"), ("s", "a")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "lt_LT":
        for m, f in (("as", "ienė"), ("is", "ienė"), ("us", "uvienė")):
            if family.endswith(m):
                return family[: -len(m)] + f
        return family
    if locale == "is_IS" and family.endswith("son"):
        return family[:-3] + "dóttir"
    return family


def patronymic(locale: str, father_given: str, gender: str) -> str:
    """Russian/Ukrainian/Bulgarian patronymic from the father's given name (native script)."""
    female = gender == "female"
    if locale == "bg_BG":
        stem = father_given[:-1] if father_given[-1] in "ай" else father_given
        return stem + ("ова" if female else "ов")
    ua = locale == "uk_UA"
    if father_given.endswith("й"):
        return father_given[:-1] + ("ївна" if ua and female else "евна" if female else "йович" if ua else "евич")
    if father_given.endswith("ь"):
        return father_given[:-1] + ("івна" if ua and female else "евна" if female else "евич")
    if father_given[-1] in "ая":
        return father_given[:-1] + ("івна" if ua and female else "ична" if female else "ич")
    if father_given[-1] in "оеиіуюы":
        father_given = father_given[:-1]
    return father_given + ("івна" if ua and female else "овна" if female else "ович")


# --- romanisation ----------------------------------------------------------------------------------

_RU = dict(zip("абвгдезийклмнопрстуфыэ", ["a", "b", "v", "g", "d", "e", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "y", "e"]))
_RU.update({"ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"})
_UK = dict(_RU)
_UK.update({"г": "h", "ґ": "g", "е": "e", "є": "ye", "и": "y", "і": "i", "ї": "yi", "й": "y", "щ": "shch", "ь": "",
            "ʼ": "", "'": "", "’": ""})
_BG = dict(_RU)
_BG.update({"щ": "sht", "ъ": "a", "х": "h", "ь": "y"})
_MK = dict(_RU)
_MK.update({"ѓ": "gj", "ќ": "kj", "ј": "j", "љ": "lj", "њ": "nj", "џ": "dzh", "ѕ": "dz", "х": "h", "ц": "c"})
_CYR = {"ru_RU": _RU, "uk_UA": _UK, "bg_BG": _BG, "mk_MK": _MK}
_VOWELS_CYR = set("аеёиоуыэюяєіїъь")

_GR1 = dict(zip("αβγδεζηικλμνξοπρσςτυφω", ["a", "v", "g", "d", "e", "z", "i", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s", "t", "y", "f", "o"]))
_GR1.update({"θ": "th", "χ": "ch", "ψ": "ps"})
_GR2 = [("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"), ("μπ", "mp"), ("ντ", "nt"), ("αι", "ai"), ("ει", "ei"), ("οι", "oi")]

_KO_FAMILY = {
    "김": ("Kim", "Gim"), "이": ("Lee", "Yi", "Rhee", "I"), "박": ("Park", "Pak", "Bak"), "최": ("Choi", "Choe"),
    "정": ("Jung", "Chung", "Jeong"), "강": ("Kang", "Gang"), "조": ("Cho", "Jo"), "윤": ("Yoon", "Yun"),
    "장": ("Jang", "Chang"), "임": ("Lim", "Im", "Rim"), "한": ("Han",), "오": ("Oh", "O"), "서": ("Seo", "Suh"),
    "신": ("Shin", "Sin"), "권": ("Kwon", "Gwon"), "황": ("Hwang",), "안": ("Ahn", "An"), "송": ("Song",),
    "류": ("Ryu", "Yoo", "Yu"), "유": ("Yoo", "Yu"), "전": ("Jeon", "Chun"), "홍": ("Hong",), "고": ("Ko", "Go"),
    "문": ("Moon", "Mun"), "양": ("Yang",), "손": ("Son", "Sohn"), "배": ("Bae", "Pae"), "백": ("Baek", "Paik"),
    "허": ("Heo", "Huh"), "노": ("Roh", "No"), "남": ("Nam",), "심": ("Shim", "Sim"), "하": ("Ha",), "곽": ("Kwak",),
    "성": ("Sung", "Seong"), "차": ("Cha",), "주": ("Joo", "Ju"), "우": ("Woo", "U"), "구": ("Koo", "Gu"),
    "민": ("Min",), "나": ("Na", "Ra"), "진": ("Jin", "Chin"), "지": ("Ji", "Chi"), "엄": ("Eom", "Um"),
    "채": ("Chae",), "원": ("Won",), "천": ("Cheon", "Chun"), "방": ("Bang", "Pang"), "공": ("Kong", "Gong"),
    "현": ("Hyun", "Hyeon"), "함": ("Ham",), "변": ("Byun", "Byeon"), "염": ("Yeom", "Yum"), "여": ("Yeo", "Yuh"),
    "추": ("Choo", "Chu"), "도": ("Do", "Toh"), "소": ("So",), "석": ("Seok", "Suk"), "선": ("Sun", "Seon"),
    "설": ("Seol", "Sul"), "마": ("Ma",), "길": ("Gil", "Kil"), "연": ("Yeon", "Yun"), "위": ("Wi", "Wee"),
    "표": ("Pyo",), "명": ("Myung", "Myeong"), "기": ("Ki", "Gi"), "반": ("Ban", "Pan"), "왕": ("Wang",),
    "금": ("Keum", "Geum"), "옥": ("Ok",), "육": ("Yook", "Yuk"), "인": ("In",), "맹": ("Maeng",), "제": ("Je", "Jae"),
    "모": ("Mo",), "탁": ("Tak",), "국": ("Kook", "Guk"), "어": ("Eo", "Uh"), "은": ("Eun",), "편": ("Pyeon",),
    "용": ("Yong",), "예": ("Ye", "Yeh"), "경": ("Kyung", "Gyeong"), "봉": ("Bong",), "사": ("Sa",), "부": ("Boo", "Bu"),
    "황보": ("Hwangbo",), "남궁": ("Namgung", "Namkung"), "제갈": ("Jegal",), "선우": ("Sunwoo", "Seonu"),
}

# Wade-Giles-like rewriting of one pinyin syllable (Taiwan's usual passport spelling)
_WG_INITIALS = [("zh", "ch"), ("ch", "ch'"), ("sh", "sh"), ("q", "ch'"), ("x", "hs"), ("j", "ch"), ("z", "ts"),
                ("c", "ts'"), ("r", "j"), ("b", "p"), ("p", "p'"), ("d", "t"), ("t", "t'"), ("g", "k"), ("k", "k'")]
_WG_FINALS = [("iong", "iung"), ("ong", "ung"), ("ian", "ien"), ("ie", "ieh"), ("you", "yu"), ("yi", "i"), ("ui", "uei")]


def _wade_giles(syllable: str) -> str:
    s = syllable
    for a, b in _WG_INITIALS:
        if s.startswith(a):
            s = b + s[len(a):]
            break
    for a, b in _WG_FINALS:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s.replace("'", "")  # apostrophes are the first thing any register drops


_FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                       "ı": "i", "ə": "a", "Ə": "A", "þ": "th", "Þ": "Th", "ð": "d", "œ": "oe"})
_NOT_NAME = re.compile(r"[^\w \-]")


def fold(text: str) -> str:
    """Latin text without diacritics, as a register without accents writes it."""
    return _NOT_NAME.sub("", _strip_marks(text.translate(_FOLD)))


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split(" ") if w)


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _cyrillic(locale: str, text: str) -> str:
    table = _CYR[locale]
    out = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low == "е" and locale == "ru_RU" and (not prev or prev in _VOWELS_CYR or prev == " "):
            rom = "ye"
        elif low == "ь" and locale == "ru_RU":
            rom = ""
        else:
            rom = table.get(low, ch)
        if ch != low and rom:
            rom = rom[0].upper() + rom[1:]
        out.append(rom)
        prev = low if low.isalpha() else " "
    return "".join(out)


def _greek(text: str) -> str:
    low = _strip_marks(text).lower()
    for a, b in _GR2:
        low = low.replace(a, b)
    out = "".join(_GR1.get(c, c) for c in low)
    out = re.sub(r"\bmp", "b", out)
    out = re.sub(r"\bnt", "d", out)
    out = re.sub(r"\bgk", "g", out)
    return _title(out)


def _indic(text: str) -> str:
    latin = latinize_text(text)
    latin = latin.replace("ch", "chh").replace("c", "ch").replace("ś", "sh").replace("ṣ", "sh").replace("ṁ", "n").replace("ṃ", "n")
    words = []
    for word in latin.split():
        # the inherent vowel is not pronounced at the end of a word: "abhaya" -> "abhay"
        if len(word) > 3 and word.endswith("a") and not word.endswith("ā") and word[-2] not in "aeiouāīū":
            word = word[:-1]
        words.append(word)
    return _title(ascii_text(" ".join(words)) or "")


_VARIANT_RULES = [
    (re.compile(r"kh"), "h"), (re.compile(r"iy\b"), "i"), (re.compile(r"yu"), "iu"), (re.compile(r"ya"), "ia"),
    (re.compile(r"ts"), "tz"), (re.compile(r"ov\b"), "off"), (re.compile(r"ev\b"), "eff"), (re.compile(r"zh"), "j"),
    (re.compile(r"yan\b"), "ian"), (re.compile(r"ou"), "u"), (re.compile(r"ee"), "i"), (re.compile(r"sh"), "sch"),
    (re.compile(r"j"), "dj"), (re.compile(r"y"), "i"), (re.compile(r"ck"), "k"), (re.compile(r"ph"), "f"),
]


def variant_spellings(latin: str) -> list[str]:
    """Other plausible spellings of a romanised name (another transliteration convention)."""
    out = []
    for rx, repl in _VARIANT_RULES:
        changed = rx.sub(repl, latin)
        if changed != latin and changed not in out:
            out.append(changed)
            if len(out) == 2:
                break
    return out


@lru_cache(maxsize=None)
def romanise(locale: str, native: str) -> tuple[str, ...]:
    """Latin forms of one native name part, the usual one first (memoised; bounded by the lists)."""
    known = name_list(locale).romanised.get(native)
    if known:
        return known
    if " " in native and locale in _own_lists():  # a compound of listed names: محمد جواد
        parts = [romanise(locale, p) for p in native.split(" ")]
        width = max(len(p) for p in parts)
        return tuple(dict.fromkeys(" ".join(p[min(i, len(p) - 1)] for p in parts) for i in range(width)))
    forms: list[str] = []
    native = native.replace("\u200d", "").replace("\u200c", "")  # joiners steer rendering, not sound
    if locale in _CYR:
        forms.append(_cyrillic(locale, native))
        forms.append(_title(fold(ascii_text(native) or "")))
    elif locale == "el_GR":
        forms.append(_greek(native))
        forms.append(_title(ascii_text(native) or ""))
    elif locale in ("zh_CN", "zh_TW"):
        syllables = [ascii_text(c) or "" for c in native]
        pinyin = "".join(syllables).capitalize()
        wg = [_wade_giles(s) for s in syllables]
        wade = "-".join(wg).capitalize() if len(wg) > 1 else wg[0].capitalize()
        forms.extend([wade, pinyin] if locale == "zh_TW" else [pinyin, wade])
        if len(syllables) > 1:
            forms.append("-".join(syllables).capitalize())
    elif locale == "ko_KR":
        if native in _KO_FAMILY:
            forms.extend(_KO_FAMILY[native])
        else:  # given names: Revised Romanisation by syllable, written Geon-u, Geonu, Geon U
            syllables = [(ascii_text(c) or "").replace("-", "") for c in native]
            forms.append("-".join(syllables).capitalize())
            forms.append("".join(syllables).capitalize())
            forms.append(" ".join(x.capitalize() for x in syllables))
    elif locale in ("hi_IN", "ne_NP", "mr_IN", "gu_IN", "or_IN", "bn_BD"):
        forms.append(_indic(native))
        forms.append(_title(ascii_text(native) or ""))
    elif locale == "th_TH":  # ICU splits Thai into syllables; a name part is one word
        forms.append((ascii_text(native) or "").replace(" ", "").capitalize())
    elif locale in NON_LATIN:  # ka, hy, ta: ICU's transliteration
        forms.append(_title(ascii_text(native) or ""))
    else:
        forms.append(native)
        forms.append(fold(native))
        return tuple(dict.fromkeys(f for f in forms if f))
    forms = [fold(f.replace("?", "")) for f in forms if f]  # ICU writes ? for what it cannot read
    forms = [f for f in forms if f]
    if not forms:
        forms = [native]
    forms.extend(variant_spellings(forms[0]))
    return tuple(dict.fromkeys(forms))
