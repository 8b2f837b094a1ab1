# Two commands matter: `make run` and `make test`. Both create .venv and install what they need:
# `make run` only what the hub needs, `make test` (and check, test-fast, lint) the dev tools too.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-fast check lint clean

# pytest-xdist workers: the suite waits on servers and processes far more than it computes
# (two workers kept a 2-core machine at load ~1.5), so four keep both cores busy
TEST_WORKERS ?= 4

# a full install made before the two stamps existed (.venv/.installed, newer than
# pyproject.toml) already has everything: it stands for both
LEGACY_CURRENT = [ $(VENV)/.installed -nt pyproject.toml ]

$(RUN_STAMP): pyproject.toml  ## the hub and its dependencies
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(LEGACY_CURRENT) || $(BIN)/python -m pip install --quiet --upgrade pip
	$(LEGACY_CURRENT) || $(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)  ## plus the test, lint and type-checking tools ('.[dev]')
	$(LEGACY_CURRENT) || $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

$(VENV)/.installed: $(DEV_STAMP)  ## older name of the dev install, kept for existing scripts
	touch $@

run: $(RUN_STAMP)  ## migrate and serve on 127.0.0.1:8080 with SQLite at ./ocpihub.db
	$(BIN)/ocpihub serve

test: $(DEV_STAMP)  ## the whole suite (PostgreSQL tests run when OCPIHUB_TEST_POSTGRES_URL is set)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -rs -q

test-fast: $(DEV_STAMP)  ## the inner loop: everything but the end-to-end tests
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -rs -q -m "not e2e"

check: $(DEV_STAMP)  ## lint and types
	$(BIN)/ruff format --check ocpihub tests bench examples
	$(BIN)/ruff check ocpihub tests bench examples
	$(BIN)/mypy

lint: $(DEV_STAMP)  ## fix what ruff can fix
	$(BIN)/ruff format ocpihub tests bench examples
	$(BIN)/ruff check --fix ocpihub tests bench examples

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
