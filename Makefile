# One entry point: `make run` serves the app, `make test` proves it. Re-running either is fast:
# installs happen only when the lock files change.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/var
export MAINTHING_DATA_DIR ?= $(DATA_DIR)

.PHONY: run test test-fast lint format bench demo install install-dev browser wrk clean help

help:
	@echo "make run    install, migrate and serve http://127.0.0.1:8000 with the worker"
	@echo "make test   the whole suite (SQLite; PostgreSQL/Redis legs when their URLs are set)"
	@echo "make bench  benchmarks in bench/ (prints figures)"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make demo   a demo account (demo@mainthing.local, password 'demo-password-1')"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.base-installed node_modules/.installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium'."; fi; \
	fi

# Debian's wrk for the web bench; without it bench/web.py runs its own Python load generator.
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "The web bench uses wrk when present ('sudo apt-get install -y wrk'); a Python load generator runs instead."; fi; \
	fi

run: install
	$(BIN)/mainthing manage migrate --no-input -v 0
	$(BIN)/mainthing manage collectstatic --no-input -v 0
	$(BIN)/mainthing serve

demo: install
	$(BIN)/mainthing manage migrate --no-input -v 0
	$(BIN)/mainthing demo --password demo-password-1

test: install-dev browser
	@bash scripts/test-legs.sh

test-fast: install-dev
	MAINTHING_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q -m "not browser" -x

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev wrk
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench $(BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.calendar $(CALENDAR_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.prospects $(PROSPECTS_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.lead_import $(LEAD_IMPORT_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.booking $(BOOKING_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.call_queue $(CALL_QUEUE_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.insights $(INSIGHTS_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench $(BIN)/python -m bench.cli_startup $(CLI_STARTUP_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench $(BIN)/python -m bench.import_concurrency $(IMPORT_CONCURRENCY_BENCH_ARGS)
	MAINTHING_DATA_DIR=$(CURDIR)/var/bench MAINTHING_RATE_LIMITS=off $(BIN)/python -m bench.web $(WEB_BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var/test var/bench
