# The two commands a new user needs: `make run` (set up and open reader) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
DEV_READY := $(VENV)/.dev-ready

.PHONY: run test test-fast bench screenshots lint clean

run: $(READY)
	$(BIN)/reader

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_READY): $(READY)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

test: $(DEV_READY)
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Everything but the tests marked slow (model loads, processes, kill loops, training).
test-fast: $(DEV_READY)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

lint: $(DEV_READY)
	$(BIN)/ruff check reader tests bench scripts

bench: $(DEV_READY)
	$(BIN)/python -m bench

screenshots: $(DEV_READY)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) dist build
