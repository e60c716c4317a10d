# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make run    set up .venv from the lock file, then load raw/ into warehouse/tthc.duckdb
#   make test   set up .venv, then run the whole test suite
# Also: make test-fast (no pipeline runs), make lint (ruff, import-linter, sqlfluff).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint setup lock clean bench bench-quick

setup: $(STAMP)

# Re-installs only when the lock file or the project's metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tthc run

test: $(STAMP)
	$(BIN)/pytest

# Everything that needs no full pipeline run (parsing, ingestion helpers, dbt macros): under a minute.
test-fast: $(STAMP)
	$(BIN)/pytest tests/unit tests/dbt

# ruff over the Python, import-linter over the package's layers, sqlfluff over the dbt SQL (pyproject.toml, .sqlfluff).
lint: $(STAMP)
	$(BIN)/ruff check tthc tests bench .ci/sqlfluff
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

# Refresh requirements.lock from the ranges in pyproject.toml (needs the package registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[test]'
	{ echo "# Exact versions of everything installed (pip freeze), for Python 3.11. Regenerate: make lock"; \
	  .lock-venv/bin/pip freeze --exclude tthc-warehouse; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) warehouse

# Benchmarks against bare DuckDB (prints figures; see docs/benchmarks.md). ROWS=10000000 make bench;
# TARGET=postgres make bench for the PostgreSQL target (docs/scaling.md).
ROWS ?= 1000000
TARGET ?= duckdb
bench: $(STAMP)
	$(BIN)/python bench/run.py --rows $(ROWS) --target $(TARGET)

# The quick benchmark (about two minutes): 1M rows and one small file, each beside its own floor,
# and the change against the figures last committed in docs/benchmarks.md. It fails nothing.
bench-quick: $(STAMP)
	$(BIN)/python bench/quick.py
