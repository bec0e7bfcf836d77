# Sightline. The two set-up commands are `make demo` and `make test` (see README.md).
#
#   make demo    set up, build and import a synthetic county, serve on http://127.0.0.1:$(PORT)
#   make test    every check and test: ruff, mypy, import-linter, migrations, pytest on SQLite
#                and on PostgreSQL (a throwaway server unless DATABASE_URL names one)
#
# Everything else here is a step of those two; `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# pytest workers: one per core (pytest-xdist); each worker gets its own test database.
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: help demo test setup system-deps lint typecheck contracts migrations check \
	pytest pytest-sqlite pytest-postgres serve vendor clean

help:
	@echo "make demo    set up, build the demo county and serve it on http://127.0.0.1:$(PORT)"
	@echo "make test    run every check and test (SQLite, then PostgreSQL)"
	@echo ""
	@echo "Steps: setup system-deps lint typecheck contracts migrations check"
	@echo "       pytest-sqlite pytest-postgres serve vendor clean"

# The virtual environment, reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Sightline and its dependencies into $(VENV) (a few minutes the first time)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests need when missing: Chromium (browser journey), PostgreSQL (second
# database run), fonts. Needs root or sudo, as on the development machines and CI.
system-deps:
	@bash scripts/system-deps.sh test

demo: setup
	@$(BIN)/sightline demo --link background
	@PORT=$(PORT) $(BIN)/sightline serve

serve: setup
	@PORT=$(PORT) $(BIN)/sightline serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy sightline config $(wildcard tests)

contracts: setup
	$(BIN)/lint-imports

migrations: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

check: lint typecheck contracts migrations

# SQLite: pytest-django's in-memory test databases, one per worker. DATABASE_URL is cleared so a
# PostgreSQL URL in the environment does not turn this into a second PostgreSQL run.
pytest-sqlite: setup system-deps
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(PYTEST)

# PostgreSQL: DATABASE_URL when it names a server, otherwise a throwaway one (scripts/with-postgres.sh).
pytest-postgres: setup system-deps
	@echo "== pytest on PostgreSQL"
	bash scripts/with-postgres.sh $(PYTEST)

pytest: pytest-sqlite pytest-postgres

test: setup system-deps
	@start=$$(date +%s); \
	$(MAKE) check; \
	$(MAKE) pytest-sqlite; \
	$(MAKE) pytest-postgres; \
	echo "make test: everything passed in $$(( $$(date +%s) - start )) s"

# Rebuild the vendored front-end assets from npm (needs Node; the demo and tests never do).
vendor:
	bash scripts/vendor.sh

clean:
	rm -rf var
