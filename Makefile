# Two commands set everything up: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.kit-installed
DEVSTAMP := $(VENV)/.kit-dev-installed

.PHONY: site test bench run clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs the project and registers the `python3` kernel the templates name,
# inside the venv (--sys-prefix), so papermill runs with the kit installed.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kit)"
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (kit)"
	touch $@ $(STAMP)

site: $(STAMP)
	$(VENV)/bin/kit build

test: $(DEVSTAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest

bench: $(DEVSTAMP)
	$(PY) benchmarks/bench_synthesis.py
	$(PY) benchmarks/bench_redaction.py
	$(PY) benchmarks/bench_run.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_panel.py
	$(PY) benchmarks/bench_agreement.py
	$(PY) benchmarks/bench_qdpx.py
	$(PY) benchmarks/bench_outcomes.py
	$(PY) benchmarks/bench_site.py
	$(PY) benchmarks/bench_ask.py

run: $(STAMP)
	$(VENV)/bin/kit run

clean:
	rm -rf reports _site _site.* .quarto
