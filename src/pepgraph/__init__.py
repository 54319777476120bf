"""pepgraph: an open, accountable graph of politically exposed persons, their relatives and close
associates, and sanctioned entities. The public Python API is ``Graph``."""

from pepgraph.errors import PepgraphError
from pepgraph.facade import Graph


def compare(query, candidate, threshold=0.7, algorithm=None):  # type: ignore[no-untyped-def]
    """Score two FtM entities (dicts with ``schema`` and ``properties``) without a store:
    ``{"score", "match", "features", "explanations", "explanation"}`` (``pepgraph.screen.compare``)."""
    from pepgraph.screen import compare as _compare

    return _compare(query, candidate, threshold=threshold, algorithm=algorithm)


__version__ = "0.1.0"
__all__ = ["Graph", "PepgraphError", "__version__", "compare"]
