#!/bin/sh
# Set up the screening benchmark's peer: nomenklatura 4.17.4 (OpenSanctions' matchers, incl.
# logic-v2) in its own virtualenv, .venv-peer (gitignored). It pins other versions of duckdb and
# pandas than pepgraph does, so it never goes into .venv; benchmarks/screen.py runs it in a
# subprocess (benchmarks/peer_score.py) and skips it with a message when this venv is absent.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${PEER_VENV:-.venv-peer}"
test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "nomenklatura==4.17.4" rapidfuzz  # rapidfuzz: the peer's own pre-selection (peer_score.py own)
"$VENV/bin/python" -c 'import nomenklatura, importlib.metadata as m; print("peer ready:", "nomenklatura", m.version("nomenklatura"))'
