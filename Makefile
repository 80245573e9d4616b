# Two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test lint format migrate seed schema clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/soundpost migrate
	$(BIN)/soundpost seed --if-empty
	$(BIN)/soundpost serve

test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: setup
	$(BIN)/soundpost migrate

seed: setup
	$(BIN)/soundpost seed

schema: setup
	$(BIN)/soundpost export-schema > schema.graphql

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache

bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)
