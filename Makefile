# `make test` and `make demo` work on a fresh clone with only Python >= 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two test workers per CPU: most tests wait on subprocesses and files, so the CPUs stay busy
# (on 2 cores: 3 min 15 s against 3 min 51 s with one worker per core).
JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) * 2 )))

.PHONY: test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(JOBS)

demo: $(STAMP)
	$(BIN)/shelver demo

lint: $(STAMP)
	$(BIN)/ruff check core plugins tests
	$(BIN)/mypy core

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
