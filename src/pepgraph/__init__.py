"""pepgraph: an open, accountable graph of politically exposed persons, their relatives and close
associates, and sanctioned entities. The public Python API is ``Graph``."""

from pepgraph.errors import PepgraphError
from pepgraph.facade import Graph

__version__ = "0.1.0"
__all__ = ["Graph", "PepgraphError", "__version__"]
