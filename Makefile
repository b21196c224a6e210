# make demo: build a sample workbook and run the month-end job on it.
# make test: run the test suite.  Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

.PHONY: install demo test lint bench addin wheel-check
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check workbook_tools tests benchmarks scripts setup.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

addin: $(STAMP)
	$(BIN)/wbt excel build-addin --force -o dist/CRM工具.xlam

wheel-check: $(STAMP)
	bash .ci/wheel
