# Two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
# The pip and uv that installed and locked what CI tested.
PIP_VERSION := 26.3
UV_VERSION  := 0.13.9
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: setup run test lint format migrate seed schema clean bench lock

# Every dependency, transitive ones included, exactly as the lock file pins them (with
# their hashes); then the project itself, without dependencies of its own.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
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

# After changing a pin in pyproject.toml: resolve every dependency again into the lock.
lock: setup
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile --quiet --python-version 3.11 --universal --extra dev \
	  --generate-hashes --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache

bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)
