PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint typecheck pytest faults clean install migrations bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "tiji needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/tiji migrate
	$(BIN)/tiji org import examples/org.yaml
	$(BIN)/tiji dev

lint: $(STAMP)
	$(BIN)/ruff check bot handlers models tests bench
	$(BIN)/ruff format --check bot handlers models tests bench
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r bot handlers models --severity-level medium -q

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# Real `tiji serve` / `tiji worker` processes, a redis-server they restart, the machine's PostgreSQL
# (TIJI_TEST_POSTGRES_URL): not part of `make test`, a CI step of its own.
faults: $(STAMP)
	$(BIN)/pytest tests/faults

migrations: $(STAMP)
	$(BIN)/python -m tortoise -c bot.runtime.migration_config.MIGRATION_CONFIG makemigrations

bench: $(STAMP)
	$(BIN)/python -m compileall -q bot handlers models bench tests
	$(BIN)/python -m bench $(if $(TIJI_BENCH_DATABASE_URL),--database-url '$(TIJI_BENCH_DATABASE_URL)')

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
