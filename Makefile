# OpenCXM: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CXM := $(BIN)/cxm
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
export CXM_HOME ?= $(CURDIR)

.PHONY: install run serve test test-fast bench lint typecheck messages compile-messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml package.json package-lock.json
	$(BIN)/pip install -q -e '.[dev]'
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	 else echo "npm not found: pages will work without htmx and the Vazirmatn font"; fi
	@touch $(STAMP)

## install: create .venv with .venv/bin/cxm, the Python packages and the front-end assets
install: $(STAMP) compile-messages

compile-messages: $(STAMP)
	$(CXM) compile_catalogues

## run: install, migrate, load the demo (once), start the task worker, the scheduler and serve
run: install
	$(CXM) migrate --no-input
	$(CXM) demo
	@echo "Starting the task worker, the scheduler and the web server on http://$(HOST):$(PORT)/"
	@$(CXM) db_worker --queue-name default --no-reload & worker=$$!; \
	 $(CXM) scheduler & scheduler=$$!; \
	 trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	 $(CXM) demo --print-login --url http://$(HOST):$(PORT)/; \
	 $(CXM) runserver $(HOST):$(PORT)

## test: the whole suite (SQLite unless DATABASE_URL names PostgreSQL)
test: install
	$(BIN)/python scripts/ensure_chromium.py
	$(BIN)/pytest -n 2 --dist loadgroup

## bench: speed figures, one JSON file per capability in bench/results/
bench: install
	$(BIN)/python -m bench

## lint: ruff and mypy
lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src tests bench scripts

## messages: refresh the gettext catalogues from the source
messages: install
	cd src/cxm && ../../$(CXM) makemessages -l fa -l ar -l hu -l en --no-obsolete --no-location -i "migrations/*"

clean:
	rm -rf $(VENV) node_modules var opencxm.sqlite3*
