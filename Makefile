# Set-up is part of every target: a fresh machine with Python 3.11+ needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
EXTRAS := .[test,parquet,live]
PIP    := python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint bench clean browser lock test-latest test-pandas2

# Installs the tested versions (constraints.txt), so every fresh install gets what CI tested.
$(READY): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP) --upgrade pip
	$(BIN)/$(PIP) -c constraints.txt -e "$(EXTRAS)"
	touch $(READY)

demo: $(READY)  ## build the demo case and print where it is
	$(BIN)/workbench demo cases/demo

test: $(READY) browser  ## lint, then the whole test suite
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/pytest

# Map tests open saved maps in a real browser: Debian's chromium, never Playwright's own download.
# The timestamp and evidence-package tests run a local TSA with the openssl command (Debian's openssl).
browser:
	@test -x /usr/bin/chromium || { \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium; }
	@command -v openssl >/dev/null || { \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq openssl; }

# The newest versions a fresh resolve gets today, in a venv of their own: drift in a dependency
# fails here before a user meets it. Prints what differs from constraints.txt.
test-latest: browser
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/$(PIP) --upgrade pip
	.venv-latest/bin/$(PIP) --upgrade -e "$(EXTRAS)"
	.venv-latest/bin/python -m pip freeze --exclude-editable | grep -v socmint | sort > .venv-latest/freeze.txt
	@grep -v '^#' constraints.txt | sort | comm -13 - .venv-latest/freeze.txt > .venv-latest/drift.txt
	@if [ -s .venv-latest/drift.txt ]; then echo "versions other than constraints.txt:"; \
	  cat .venv-latest/drift.txt; .venv-latest/bin/pytest -p no:cacheprovider; \
	else echo "a fresh resolve gets exactly constraints.txt: the locked run tested it"; fi

# The oldest pandas the workbench supports (2.2), everything else as tested. Browser tests draw
# what the other runs draw, so they are left to them.
test-pandas2:
	rm -rf .venv-pandas2
	$(PYTHON) -m venv .venv-pandas2
	sed 's/^pandas==.*/pandas==2.2.3/' constraints.txt > .venv-pandas2/constraints.txt
	.venv-pandas2/bin/$(PIP) --upgrade pip
	.venv-pandas2/bin/$(PIP) -c .venv-pandas2/constraints.txt -e "$(EXTRAS)"
	.venv-pandas2/bin/python -c "import pandas; assert pandas.__version__.startswith('2.2'), pandas.__version__"
	WORKBENCH_SKIP_BROWSER=1 .venv-pandas2/bin/pytest -p no:cacheprovider

# Rewrites constraints.txt from a fresh resolve (then run make test and commit it).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/$(PIP) --upgrade pip
	.venv-lock/bin/$(PIP) -e "$(EXTRAS)"
	{ sed -n '/^#/p' constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable \
	  | grep -v socmint; } > constraints.new && mv constraints.new constraints.txt
	rm -rf .venv-lock

bench: $(READY)  ## the measured targets (see benchmarks/)
	$(BIN)/$(PIP) -c constraints.txt -e ".[bench]"
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/enrich.py
	$(BIN)/python benchmarks/geo.py
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/analysis_coordination.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/capture.py

clean:
	rm -rf $(VENV) .venv-latest .venv-pandas2 cases .pytest_cache .ruff_cache
