# voorelkaar: `make run` starts everything, `make test` proves it. Both set up what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench docs check-ledger clean install chromium screenshots test-api-long

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/voorelkaar run

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q tests/unit tests/contract tests/reference tests/integration tests/e2e tests/chaos tests/browser

# The browser tests drive Debian's chromium (never `playwright install`: it downloads a browser).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Screenshots of the portal's main pages at phone and desktop width, into docs/screenshots/.
screenshots: $(STAMP) chromium
	VOORELKAAR_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

# A longer schemathesis run over the portal's API (make test runs a short one).
test-api-long: $(STAMP)
	VOORELKAAR_SCHEMATHESIS_EXAMPLES=200 $(BIN)/python -m pytest -q tests/integration/gateway/test_schemathesis.py

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
