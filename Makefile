# Sightline. The two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: demo test setup system-deps lint typecheck contracts check pytest pytest-sqlite pytest-postgres serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests need: Chromium for the browser journey, PostgreSQL for the second
# database run. Installed only when missing (needs root, as on the development machines and CI).
system-deps:
	@bash scripts/system-deps.sh

demo: setup
	$(BIN)/sightline migrate --no-input
	$(BIN)/sightline demo
	$(BIN)/sightline serve --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy sightline config

contracts: setup
	$(BIN)/lint-imports

check: lint typecheck contracts
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test

pytest-sqlite: setup
	$(BIN)/python -m pytest -q

pytest-postgres: setup system-deps
	bash scripts/with-postgres.sh $(BIN)/python -m pytest -q

test: setup system-deps check pytest-sqlite pytest-postgres

clean:
	rm -rf var
