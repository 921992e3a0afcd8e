# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False

.PHONY: install run test check browser ingest eval bench load clean

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

# Debian's Chromium for the Playwright tests (no browser downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(OFFLINE) $(BIN)/python -m pytest

check: install browser
	$(BIN)/ruff check assistant ingest tests benchmarks
	$(OFFLINE) $(BIN)/python -m pytest

eval: install
	$(OFFLINE) $(BIN)/assistant eval

bench: install
	$(OFFLINE) $(BIN)/assistant bench

# 50 simulated residents for 45 s against a server of its own on a free loopback port (under 2 minutes).
# The server reads a copy of the serving index, so the load does not fill data/logs.
load: install ingest
	@tmp=$$(mktemp -d) && trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf "$$tmp"' EXIT && \
	mkdir "$$tmp/versions" && cp -r "data/versions/$$(cat data/CURRENT)" "$$tmp/versions/" && cp data/CURRENT "$$tmp/" && \
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') && \
	{ ASSISTANT_DATA_DIR="$$tmp" $(OFFLINE) $(BIN)/assistant serve --port $$port >"$$tmp/serve.log" 2>&1 & pid=$$!; } && \
	$(BIN)/python benchmarks/load.py --url http://127.0.0.1:$$port --users 50 --seconds 45 --wait 90

clean:
	rm -rf $(VENV) data
