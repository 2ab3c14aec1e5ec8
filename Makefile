# Two commands do everything on a fresh machine with Python and git: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
# pytest-xdist workers for `make test` (each browser worker runs its own app server).
TEST_JOBS ?= 3

.PHONY: install messages axe migrate run demo test test-postgres test-fast bench bench-load check clean \
	docs-screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Issue #20: extract every _() / ngettext() / N_() string from the app into the template, then
# merge it into the Spanish catalog (new strings arrive empty, changed ones fuzzy: translate
# them, and tests/unit/test_catalog.py passes again). Catalogs are read at run time: no build.
messages: install
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -k pgettext:1c,2 \
		--no-wrap --sort-by-file --project "IOP Companion" -o companion/locale/companion.pot .
	$(VENV)/bin/pybabel update -i companion/locale/companion.pot -d companion/locale \
		-D companion -l es --no-wrap --ignore-obsolete

migrate: install
	$(PY) -m companion migrate

check: install
	$(PY) -m companion check

# Serves on 127.0.0.1 only: server.address in .streamlit/config.toml, which `check` also reads.
# For a proxy on another machine (README, "Deploying for a clinic"):
#   STREAMLIT_SERVER_ADDRESS=<an address only the proxy reaches> ALLOW_PUBLIC_BIND=1 make run
run: migrate check
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

demo: migrate
	$(PY) -m companion demo $(if $(PASSWORD),--password "$(PASSWORD)")

# PostgreSQL copies a template database per test (~0.9 s each on 2 cores): in `make test` it
# runs the tests whose subject is the database itself (schema, atomic claims, versions, session
# rows, the audit chain, the run's one statement), keeping CI under 15 minutes;
# `make test-postgres` runs every service and page test there.
POSTGRES_TESTS ?= tests/unit/test_migrations.py tests/unit/test_lockout_race.py \
	tests/unit/test_versions.py tests/unit/test_audit_chain.py tests/unit/test_run_context.py

# axe-core for tests/browser/test_accessibility.py, from npm (package.json, package-lock.json;
# never served). Without npm that test is skipped with the reason, and fails under CI=true.
AXE_STAMP := node_modules/.installed-stamp

$(AXE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $@; \
	else \
		echo "npm is missing: tests/browser/test_accessibility.py cannot run (Debian: apt-get install npm)"; \
	fi

axe: $(AXE_STAMP)

# The whole suite on SQLite, then the database tests again on PostgreSQL when
# TEST_DATABASE_URL names one (see ../shared/postgres-testing.md); says so when it skips.
test: install axe
	$(PY) -m pytest -n $(TEST_JOBS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass on $${TEST_DATABASE_URL%%@*}@… =="; \
		COMPANION_TEST_DB=postgres $(PY) -m pytest $(POSTGRES_TESTS) -p no:cacheprovider -n $(TEST_JOBS); \
	else \
		echo "PostgreSQL pass skipped: TEST_DATABASE_URL is not set (postgresql+psycopg://…)"; \
	fi

test-postgres: install
	COMPANION_TEST_DB=postgres $(PY) -m pytest tests/unit tests/app -p no:cacheprovider -n $(TEST_JOBS)

test-fast: install
	$(PY) -m pytest -m "not browser"

bench: install
	$(PY) bench/rerun.py
	$(PY) bench/login.py
	$(PY) bench/trends.py
	$(PY) bench/caseload.py

bench-load: install
	$(PY) bench/load.py

# Phone screenshots of every client page (390 x 844, the demo clinic) into docs/: the 44-px
# journey visits each page and leaves a picture of it in test-artifacts/.
docs-screenshots: install
	$(PY) -m pytest tests/browser/test_phone.py -k 44px -p no:cacheprovider -q
	for f in test-artifacts/phone-targets-*.png; do \
		cp "$$f" "docs/phone-page-$${f#test-artifacts/phone-targets-}"; done

clean:
	rm -rf $(VENV) .pytest_cache
