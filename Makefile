# Two commands do everything on a fresh machine with Python and git: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: install migrate run demo test test-fast bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m companion migrate

check: install
	$(PY) -m companion check

run: migrate check
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

demo: migrate
	$(PY) -m companion demo $(if $(PASSWORD),--password "$(PASSWORD)")

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser"

bench: install
	$(PY) bench/rerun.py
	$(PY) bench/login.py

clean:
	rm -rf $(VENV) .pytest_cache
