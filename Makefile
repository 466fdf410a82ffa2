# Compact: run the platform and its tests.
#   make run    install (uv + uv.lock), migrate, load the default data if empty, serve on $(PORT)
#   make test   the whole test suite on SQLite, then on PostgreSQL when one is reachable
#   make lint   ruff
# uv is used from PATH when present; otherwise it is installed once into .tools/ with pip.

PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
UV_VERSION ?= 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export PORT

.PHONY: run setup serve test lint sync bench
.DEFAULT_GOAL := run

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

sync: | $(UV)
	$(UV) sync --frozen --quiet

setup: sync
	$(UV) run --frozen compact setup

run: setup
	$(UV) run --frozen compact serve --host $(HOST) --port $(PORT)

test: sync
	UV="$(UV)" scripts/test-all

lint: sync
	$(UV) run --frozen ruff check src tests

bench: sync
	$(UV) run --frozen python tests/bench/bench_registry.py
	$(UV) run --frozen python tests/bench/bench_access.py
	$(UV) run --frozen python tests/bench/bench_funding.py
	$(UV) run --frozen python tests/bench/bench_iati.py
