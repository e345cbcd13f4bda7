# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/syndicate scan seeds/

test: $(STAMP)   # exactly what CI runs: starts the Redis the tests need (see .ci/test)
	VENV_BIN=$(BIN) bash .ci/test

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/hotpath.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
