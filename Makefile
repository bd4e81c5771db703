# Front end for the README's commands. Every target creates the virtual environment
# .venv from the exact pins in requirements/lock.txt when it is missing or out of date,
# so a fresh clone needs nothing but Python 3.11+ with pip and venv. The packages are
# installed with uv (pinned in requirements/bootstrap.txt, itself installed with pip), or
# with pip when uv cannot be installed or fails.

# Python keeps the modules it compiles in __pycache__ folders. An environment that turns
# this off (PYTHONDONTWRITEBYTECODE) makes every process compile pandas, scipy and
# statsmodels again: about 3 s for each test process and each notebook kernel on two cores.
# Every target here lets Python keep them.
unexport PYTHONDONTWRITEBYTECODE

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dangjian-installed
PIP := $(BIN)/python -m pip --disable-pip-version-check
UV := $(BIN)/uv
UV_PIP := $(UV) pip install --quiet --python $(BIN)/python

.PHONY: briefs test test-fast lint docs validate verify-sources extract-recall lab bench env rebaseline clean

env: $(STAMP)

$(STAMP): requirements/lock.txt requirements/bootstrap.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11 or newer is required (set PYTHON=...)")'
	@echo "setting up $(VENV): installing the packages pinned in requirements/lock.txt (once; about 20 s with uv) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@test -x $(UV) \
	  || $(PYTHON) -m pip --python $(BIN)/python install --quiet $$(grep '^uv==' requirements/bootstrap.txt) 2>/dev/null \
	  || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	       && $(PIP) install --quiet $$(grep '^uv==' requirements/bootstrap.txt); } \
	  || true
	@if test -x $(UV) \
	   && $(UV_PIP) -r requirements/bootstrap.txt -r requirements/lock.txt \
	   && $(UV_PIP) --no-deps --no-build-isolation -e .; then \
	  echo "installed requirements/lock.txt into $(VENV) with uv"; \
	else \
	  echo "uv is not available or failed; installing requirements/lock.txt with pip"; \
	  { $(PIP) --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip; } \
	  && $(PIP) install --quiet -r requirements/lock.txt \
	  && $(PIP) install --quiet --no-deps --no-build-isolation -e .; \
	fi
	@touch $@

## Main job: validate the data, then execute every notebook into a self-contained HTML
## brief in build/briefs/ (open build/briefs/index.html). DATA=path/to/package runs the
## notebooks on another data package.
DATA ?=
DATA_ARG = $(if $(DATA),--data $(DATA))
briefs: $(STAMP)
	$(BIN)/dangjian validate $(DATA_ARG)
	$(BIN)/dangjian briefs $(DATA_ARG)

## The whole test suite: lint, layer contracts, generated-docs check, unit tests, notebook
## validation and the browser tests, in parallel (TEST_JOBS processes, default one per core).
TEST_JOBS ?= auto
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/dangjian docs --check
	$(BIN)/python -m pytest -n $(TEST_JOBS)

## Quick iteration: lint and every test but the slow ones (no notebooks, briefs of the
## repository's notebooks, wheel builds or browser).
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_JOBS) -m "not slow"

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

## JupyterLab on the notebooks, without opening a browser (the machine may have none): it
## prints the address to open. LAB_ARGS=... passes more options (e.g. --port=8899).
## JupyterLab refuses to run as root unless told to (containers often run as root).
LAB_ARGS ?=
lab: $(STAMP)
	@test -x $(BIN)/jupyter-lab || echo "installing JupyterLab (requirements/lab.txt) into $(VENV) ..."
	@$(UV_PIP) -r requirements/lab.txt 2>/dev/null || $(PIP) install --quiet -r requirements/lab.txt
	@echo "starting JupyterLab on notebooks/: open the http://127.0.0.1:... address it prints below (Ctrl-C stops it)"
	$(BIN)/jupyter lab notebooks/ --no-browser $$(test "$$(id -u)" -eq 0 && echo --allow-root) $(LAB_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_quantity.py
	$(BIN)/python benchmarks/bench_extract.py --corpus $(CORPUS)
	$(BIN)/python benchmarks/bench_briefs.py
	$(BIN)/python benchmarks/bench_firm.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis
