"""PEP and RCA classification: declarative rules (``rules.yml``), the classifier, and the
matching of relatives given by name. See docs/methodology.md for the rules and their sources."""

from pepgraph.pep.classify import DERIVED_DATASET, ClassifyResult, classify
from pepgraph.pep.rules import Rules, load_rules

__all__ = ["DERIVED_DATASET", "ClassifyResult", "Rules", "classify", "load_rules"]
