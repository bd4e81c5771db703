# Front end for the README's commands. Every target creates the virtual environment
# .venv from the exact pins in requirements/lock.txt when it is missing or out of date,
# so a fresh clone needs nothing but Python 3.11+ with pip and venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dangjian-installed
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: briefs test lint docs validate verify-sources extract-recall lab bench env rebaseline clean

env: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is required (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements/lock.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@touch $@

## Main job: validate the data, then execute every notebook into a self-contained HTML
## brief in build/briefs/ (open build/briefs/index.html).
briefs: $(STAMP)
	$(BIN)/dangjian validate
	$(BIN)/dangjian briefs

## The whole test suite: lint, layer contracts, generated-docs check, unit tests and
## notebook validation.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/dangjian docs --check
	$(BIN)/python -m pytest

## Re-execute the notebooks in place, refreshing the outputs that nbval compares.
rebaseline: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .

docs: $(STAMP)
	$(BIN)/dangjian docs

validate: $(STAMP)
	$(BIN)/dangjian validate

CORPUS ?= ../shared/seeds
verify-sources: $(STAMP)
	$(BIN)/dangjian verify-sources --corpus $(CORPUS)

## Share of the curated figures that `dangjian extract` finds in the source texts (>= 95%).
extract-recall: $(STAMP)
	$(BIN)/dangjian extract-recall --corpus $(CORPUS)

lab: $(STAMP)
	$(PIP) install --quiet -r requirements/lab.txt
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_quantity.py
	$(BIN)/python benchmarks/bench_extract.py --corpus $(CORPUS)
	$(BIN)/python benchmarks/bench_briefs.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis
