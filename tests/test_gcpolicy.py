"""The GC policy of long-running screening processes: survivors of generation-1 and full
collections are frozen, those of generation-0 collections are not. Run in a child process so the
test runner's own collector is left alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import gc, json
    from pepgraph.gcpolicy import freeze_after_collections

    freeze_after_collections()
    freeze_after_collections()  # idempotent: one callback
    out = {"callbacks": sum(1 for c in gc.callbacks if getattr(c, "__name__", "") == "_refreeze")}
    keep = []

    def survivors():
        keep.append([[i] for i in range(1000)])  # tracked containers that stay alive

    survivors(); before = gc.get_freeze_count(); gc.collect(0)
    out["gen0_frozen"] = gc.get_freeze_count() - before
    survivors(); before = gc.get_freeze_count(); gc.collect(1)
    out["gen1_frozen"] = gc.get_freeze_count() - before
    survivors(); before = gc.get_freeze_count(); gc.collect(2)
    out["gen2_frozen"] = gc.get_freeze_count() - before

    a = []; a.append(a); del a  # garbage made after the last freeze is still collected
    out["collected"] = gc.collect(1)
    print(json.dumps(out))
    """
)


def test_policy_freezes_after_generation_1_and_2_not_0() -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    import json

    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["callbacks"] == 1
    assert out["gen0_frozen"] == 0
    assert out["gen1_frozen"] >= 1000
    assert out["gen2_frozen"] >= 1000
    assert out["collected"] >= 1


def test_exit_is_quiet_with_duckdb_loaded() -> None:
    """Frozen objects are never finalised; DuckDB's bindings then printed a page of "nanobind:
    leaked ..." at every server's exit. The policy unfreezes at exit."""
    child = textwrap.dedent(
        """
        import duckdb
        from pepgraph.gcpolicy import freeze_after_collections

        con = duckdb.connect()
        con.execute("select 1").fetchall()
        freeze_after_collections()
        """
    )
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
    assert "leaked" not in proc.stderr, proc.stderr
