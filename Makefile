# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False

.PHONY: install run test test-fast test-vectors check browser ingest eval bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned to the CPU wheel, so nothing later pulls a CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(OFFLINE) $(BIN)/assistant ingest

run: install ingest
	$(OFFLINE) $(BIN)/assistant serve

# Debian's Chromium for the Playwright tests (no browser downloads), espeak-ng for read-aloud
# audio made on the server, and an emoji font so pages and screenshots show what phones show.
DEBIAN_PACKAGES := chromium espeak-ng fonts-noto-color-emoji
browser:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; fi

# Test files run on parallel workers (one per core, at most 4): the browser tests mostly wait on
# their servers, and the whole corpus is ingested once for all workers.
PARALLEL := --numprocesses=auto --maxprocesses=4 --dist=loadfile

test: install browser
	$(OFFLINE) $(BIN)/python -m pytest $(PARALLEL)

# The fast lane while working: everything that needs no embedding of a corpus, no server and no browser.
test-fast: install
	$(OFFLINE) $(BIN)/python -m pytest -q -m "not slow and not browser"

check: install browser
	$(BIN)/ruff check assistant ingest tests benchmarks
	$(BIN)/mypy
	$(OFFLINE) $(BIN)/python -m pytest $(PARALLEL)

eval: install
	$(OFFLINE) $(BIN)/assistant eval

bench: install
	$(OFFLINE) $(BIN)/assistant bench

# The page and the JSON API (1 process, 2 workers) under the same 50 simulated residents, each
# against servers of their own on free loopback ports reading a copy of the index (under 2 minutes).
load: install ingest
	BIN=$(BIN) $(OFFLINE) bash benchmarks/load.sh

clean:
	rm -rf $(VENV) data

# After a change to the guides: the vectors the test suite remembers for the bundled corpus
# (tests/remembered-vectors.npz). Without it the suite stays correct and embeds the changes itself.
test-vectors: install
	rm -f tests/remembered-vectors.npz
	ASSISTANT_REMEMBER_VECTORS=1 $(OFFLINE) $(BIN)/python -m pytest -q -n 0 tests/test_answers.py
