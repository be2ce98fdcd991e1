# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST ?=
# pytest-xdist processes; each test gets its own PostgreSQL schema or SQLite file.
TEST_WORKERS ?= 2

.PHONY: run test lint format bench clean install

PLUGIN := tests/plugins/example_adapter

$(STAMP): pyproject.toml $(PLUGIN)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps -e $(PLUGIN)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/datacollect serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python bench/storage.py
	$(BIN)/python bench/http_sync.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/limits.py
	$(BIN)/python bench/external.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
