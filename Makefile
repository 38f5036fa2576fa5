PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PORTALSTAMP := $(VENV)/.installed-portal
OUT ?= out/demo
PORT ?= 8000
SERVE_DATA ?= out/portal-demo

.PHONY: demo test test-all bench lint clean template serve readme

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[batch]'
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(STAMP) $(PORTALSTAMP)

$(PORTALSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[portal]'
	touch $@

demo: $(STAMP)
	$(PY) scripts/demo.py --out $(OUT)

serve: $(PORTALSTAMP)
	$(VENV)/bin/workbook-tools serve --port $(PORT) --data $(SERVE_DATA) --demo examples/departments.csv \
		--demo-seed examples/seed_2022_anhua_zhongdian.xlsx

# On a developer machine `make test` leaves out the tests marked slow; under CI=true it runs everything.
# Tests run on every core (pytest-xdist); tests that share a costly fixture form one xdist group (one worker).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup

# PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every pytest process, xdist workers and the
# suite's own pytest runs among them, rewrite and compile the test modules again (~3 s of CPU each); see docs/testing.md.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

test: $(DEVSTAMP)
	$(PYTEST) $(XDIST) $(if $(filter true,$(CI)),,-m "not slow")

test-all: $(DEVSTAMP)
	$(PYTEST) $(XDIST)

bench: $(DEVSTAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/engines.py
	$(PY) benchmarks/portal_load.py --concurrency 10 --waves 3 --json out/bench/portal_load.json
	$(PY) benchmarks/live_checks.py

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check workbook_tools tests scripts benchmarks
	$(VENV)/bin/mypy --strict workbook_tools

template: $(STAMP)
	$(VENV)/bin/workbook-tools template

clean:
	rm -rf $(VENV) out

# the README's command transcripts, re-run and rewritten (tests/test_readme.py checks them)
readme: $(DEVSTAMP)
	$(PY) scripts/readme_outputs.py --update
