# Linju's everyday commands. Each target sets the machine up first (scripts/setup.sh), so on a
# fresh Debian 12 with Python 3.11, `make demo` and `make test` are all it takes.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help setup demo test bench lint messages clean distclean

help:
	@echo "make demo       run the demo site on http://127.0.0.1:8000"
	@echo "make test       ruff, mypy and the whole test suite (PostgreSQL too if DATABASE_URL is set)"
	@echo "make bench      run the benchmarks"
	@echo "make lint       ruff check, ruff format --check, mypy"
	@echo "make messages   refresh and compile the catalogues (zh_Hans, en); list untranslated strings"
	@echo "make clean      remove caches and build output (keeps .venv and data/)"
	@echo "make distclean  also remove .venv and data/ (the demo's database)"

setup:
	@bash scripts/setup.sh test

demo:
	@bash scripts/setup.sh demo
	$(BIN)/linju demo

test:
	@bash scripts/setup.sh test
	@bash scripts/test.sh

bench:
	@bash scripts/setup.sh base
	$(BIN)/python -m bench

lint:
	@bash scripts/setup.sh base
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy linju

messages:
	@bash scripts/setup.sh base
	@# Extract, keep English equal to the source text, compile, list untranslated Chinese.
	tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	  LINJU_DATA_DIR="$$tmp" $(BIN)/python scripts/messages.py

clean:
	rm -rf build dist test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) data
