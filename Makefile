# Set-up is part of every target: a fresh machine with Python 3.11+ needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: demo test lint bench clean browser

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,parquet,live]"
	touch $(READY)

demo: $(READY)  ## build the demo case and print where it is
	$(BIN)/workbench demo cases/demo

test: $(READY) browser  ## lint, then the whole test suite
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/pytest

# Map tests open saved maps in a real browser: Debian's chromium, never Playwright's own download.
browser:
	@test -x /usr/bin/chromium || { \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium; }

bench: $(READY)  ## the measured targets (see benchmarks/)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/enrich.py
	$(BIN)/python benchmarks/geo.py
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/analysis_coordination.py
	$(BIN)/python benchmarks/report.py

clean:
	rm -rf $(VENV) cases .pytest_cache .ruff_cache
