PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
OUT ?= out/demo

.PHONY: demo test bench lint clean template

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

test: $(DEVSTAMP)
	$(PY) -m pytest

bench: $(DEVSTAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/live_checks.py

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check workbook_tools tests scripts benchmarks
	$(VENV)/bin/mypy workbook_tools

template: $(STAMP)
	$(VENV)/bin/workbook-tools template

clean:
	rm -rf $(VENV) out
