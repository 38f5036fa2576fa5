PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
OUT ?= out/demo

.PHONY: demo test test-all bench lint clean template

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[batch]'
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py --out $(OUT)

# On a developer machine `make test` leaves out the tests marked slow; under CI=true it runs everything.
test: $(DEVSTAMP)
	$(PY) -m pytest $(if $(filter true,$(CI)),,-m "not slow")

test-all: $(DEVSTAMP)
	$(PY) -m pytest

bench: $(DEVSTAMP)
	$(PY) benchmarks/run.py

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check workbook_tools tests scripts benchmarks
	$(VENV)/bin/mypy --strict workbook_tools

template: $(STAMP)
	$(VENV)/bin/workbook-tools template

clean:
	rm -rf $(VENV) out
