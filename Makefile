# CNHT Portal — developer commands. `make run` and `make test` are the two set-up commands of the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-pg lint i18n bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Create the embedded database, load the demo data and serve http://127.0.0.1:8000
run: install
	$(BIN)/cnht init-db
	$(BIN)/cnht demo --accounts
	$(BIN)/cnht serve --host $(HOST) --port $(PORT)

## The whole test suite on the embedded default (SQLite)
test: install
	$(BIN)/python -m pytest

## The same suite against a throwaway PostgreSQL server
test-pg: install
	PYTHON=$(BIN)/python scripts/test-postgres.sh

lint: install
	$(BIN)/ruff check cnht search ingest tests bench scripts

## Add new UI strings to the English catalogue, compile it, and list what is untranslated
i18n: install
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py compile
	$(BIN)/python scripts/i18n.py check

clean:
	rm -rf $(VENV) instance .pytest_cache
