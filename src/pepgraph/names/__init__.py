"""Name features for resolution and screening: normalise, transliterate, key and compare names.

    >>> from pepgraph.names import analyze, name_keys, compare_names
    >>> analyze("SIDORENKO, Ivan Petrovich").latin
    'ivan petrovich sidorenko'
    >>> compare_names(["Ivan Sidorenko"], ["Иван Петрович Сидоренко"]).explain()
    'ivan=иван (transliteration), sidorenko=сидоренко (transliteration), петрович missing'

rigour (OpenSanctions' name library), normality/ICU and rapidfuzz do the heavy lifting; their
types stay inside this package. See docs/names.md for the pipeline, the score and measurements.
"""

from pepgraph.names.compare import NameMatch, PartMatch, compare_names
from pepgraph.names.forms import NameForm, Token, analyze
from pepgraph.names.keys import name_keys

__all__ = ["NameForm", "NameMatch", "PartMatch", "Token", "analyze", "compare_names", "name_keys"]
