# Two commands matter: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## migrate and serve on 127.0.0.1:8080 with SQLite at ./ocpihub.db
	$(BIN)/ocpihub serve

test: $(STAMP)  ## the whole suite (PostgreSQL tests run when OCPIHUB_TEST_POSTGRES_URL is set)
	$(BIN)/python -m pytest -n 2 -rs -q

test-fast: $(STAMP)  ## the inner loop: everything but the end-to-end tests
	$(BIN)/python -m pytest -n 2 -rs -q -m "not e2e"

check: $(STAMP)  ## lint and types
	$(BIN)/ruff format --check ocpihub tests bench examples
	$(BIN)/ruff check ocpihub tests bench examples
	$(BIN)/mypy

lint: $(STAMP)  ## fix what ruff can fix
	$(BIN)/ruff format ocpihub tests bench examples
	$(BIN)/ruff check --fix ocpihub tests bench examples

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
