# The few verbs people type. Everything installs into .venv from this repo's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean layers docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the main job on bundled real data (SQLite workspace under out/demo)
demo: $(STAMP)
	$(BIN)/truce demo --out out/demo

## test: ruff, mypy and the whole test suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

## layers: rebuild the bundled layers from ../shared/data
layers: $(STAMP)
	$(BIN)/python scripts/build_layers.py

## docs: regenerate docs/cli.md from the commands' own --help
docs: $(STAMP)
	$(BIN)/python scripts/cli_docs.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
