# The two commands of the quick start:
#   make run   -- set up and start the desk with the bundled offline demo on http://127.0.0.1:8000
#   make test  -- set up and run every check: ruff, mypy, the test suite on SQLite and PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

# Every desk process imports ~240 of the project's modules; an editable install leaves them to be
# compiled at import, and where PYTHONDONTWRITEBYTECODE is set (CI, containers) that happens in
# every process, ~0.2 s of each start. Compiled once here (only what changed; ~0.1 s otherwise).
bytecode: | $(BIN)/python
	$(BIN)/python -m compileall -q src >/dev/null

run: $(VENV)/.run-installed bytecode
	$(BIN)/wiredesk run --demo --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed bytecode
	VENV=$(VENV) scripts/test.sh

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
