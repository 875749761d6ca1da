# voorelkaar: `make run` starts everything, `make test` proves it. Both set up what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench docs check-ledger clean install

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/voorelkaar run

test: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/contract tests/reference tests/integration tests/e2e tests/chaos

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/contract

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

docs: $(STAMP)
	$(BIN)/python -m kit.docs docs

check-ledger: $(STAMP)
	$(BIN)/voorelkaar check-ledger --service timebank

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
