# CNHT Portal — developer commands. `make run` and `make test` are the two set-up commands of the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONSTRAINTS := requirements/constraints.txt
MO := cnht/translations/en/LC_MESSAGES/messages.mo

.PHONY: install run test test-pg test-search lint format i18n lock wheel-check bench api-fuzz clean

$(BIN)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

# The compiled catalogue is a build product (an editable install does not run the wheel's build hook).
$(MO): $(BIN)/.installed cnht/translations/en/LC_MESSAGES/messages.po
	$(BIN)/python scripts/i18n.py compile

install: $(BIN)/.installed $(MO)

## Create the embedded database, load the demo data and serve http://127.0.0.1:8000
run: install
	$(BIN)/cnht init-db
	$(BIN)/cnht demo --accounts
	$(BIN)/cnht serve --host $(HOST) --port $(PORT)

## The whole test suite on the embedded default (SQLite), with coverage
test: install
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered

## The same suite against a throwaway PostgreSQL server
test-pg: install
	PYTHON=$(BIN)/python scripts/test-postgres.sh

## Lint, format check, import contracts, types
lint: install
	$(BIN)/ruff check cnht vnsearch ingest tests bench scripts setup.py
	$(BIN)/ruff format --check cnht vnsearch ingest tests bench scripts setup.py
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix -q cnht vnsearch ingest tests bench scripts setup.py
	$(BIN)/ruff format -q cnht vnsearch ingest tests bench scripts setup.py

## Add new UI strings to the English catalogue, compile it, and list what is untranslated
i18n: install
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py compile
	$(BIN)/python scripts/i18n.py check

## Re-resolve the locked versions from pyproject.toml's ranges
lock:
	rm -rf /tmp/cnht-lock && $(PYTHON) -m venv /tmp/cnht-lock
	/tmp/cnht-lock/bin/pip install -q '.[dev]'
	{ head -2 $(CONSTRAINTS); /tmp/cnht-lock/bin/pip freeze --exclude-editable | grep -v '^cnht-portal'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

## The search backend contract and the search tests against a three-node OpenSearch cluster on loopback,
## assembled from Maven Central jars (Java 17, Maven); the embedded backend's own tests stay on the default
test-search: install
	scripts/search-cluster.sh $(BIN)/python -m pytest -q -p no:cacheprovider tests/search/test_backend_contract.py \
		tests/search/test_rebuild_under_load.py tests/search/test_node_loss.py tests/search/test_relevance_regression.py tests/functional/test_search_understanding.py \
		tests/functional/test_search_outage.py

## Build the wheel, install it into a new venv and run the portal from outside the checkout
wheel-check: install
	scripts/wheel-check.sh $(BIN)/python

## Relevance bench on our own generated set (see README: Benchmarks)
bench: install
	$(BIN)/python -m bench.relevance

## schemathesis against the running portal's OpenAPI document (anonymous, then with a staff token)
api-fuzz: install
	BIN=$(BIN) scripts/api-fuzz.sh

clean:
	rm -rf $(VENV) instance .pytest_cache $(MO)
