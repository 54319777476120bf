"""The garbage-collector policy of long-running screening processes (the server, batch workers).

Screening keeps caches that grow while a process warms up: decoded index entities, analysed query
names, about 1.4 million tracked objects on the demo index. CPython's collections walk every
tracked object of the generations they collect, so a pause grows with what survived into them: a
full (generation 2) collection of everything took 2.3 s after 60,000 queries, which a served
``/match`` request catches as its latency. ``freeze_after_collections`` moves what survived each
collection of generation 1 or 2 into the permanent generation (``gc.freeze()``), so the next one
only walks what was allocated since. Measured over 60,000 in-process queries on the demo index
(default thresholds 700/10/10): with a freeze after full collections only, 5,191 / 471 / 42
collections of generation 0 / 1 / 2 took 7.0 s in all, the longest 171 ms; with a freeze after
generation 1 as well, 5,198 / 472 / 0 took 2.1 s, the longest 10 ms. At 64 paced clients on one
server process that cut p95 from 70 to 33 ms (``docs/benchmarks.md``, HTTP API).

The cost: a reference cycle whose objects were all alive at a generation-1 collection, and that
later becomes garbage, is never reclaimed. The cached objects hold no cycles, and requests' short
cycles rarely live through a generation-1 collection: after those 60,000 queries, and after
17,500 served requests, unfreezing and collecting found 0 unreachable objects.

At exit the policy is undone (``gc.unfreeze()``, an ``atexit`` hook): frozen objects are never
finalised, and DuckDB's bindings (nanobind) then print "nanobind: leaked 28 instances!" and
a page of their types when the process ends, which a server's or a batch's user would read as
a fault.
"""

from __future__ import annotations

import atexit
import gc
from typing import Any

_installed = False


def _refreeze(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation", 0) >= 1:
        gc.freeze()


def _unfreeze() -> None:
    """Stop freezing and hand the frozen objects back, so the interpreter's teardown finalises them."""
    if _refreeze in gc.callbacks:
        gc.callbacks.remove(_refreeze)
    gc.unfreeze()


def freeze_after_collections() -> None:
    """Install the policy in this process (idempotent); freezes what exists now as well."""
    global _installed
    if _installed:
        return
    gc.freeze()
    gc.callbacks.append(_refreeze)
    atexit.register(_unfreeze)
    _installed = True
