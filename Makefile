# Relata: `make run` to start, `make test` to run the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/relata
# Two or more workers (pytest-xdist), at most four: each has its own test database.
PYTEST_ARGS ?= -n auto --maxprocesses=4

.PHONY: run test test-sqlite test-postgres lint bench deps messages clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

node_modules/.installed: package.json .npmrc
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(VENV)/.installed node_modules/.installed

# Start Relata on http://127.0.0.1:8000 with the background worker, on SQLite under var/.
run: deps
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(VENV)/bin/honcho -f Procfile start

# The whole suite on SQLite, then on PostgreSQL (skipped with a warning when no server
# answers, unless RELATA_REQUIRE_SERVICES=1, as in CI).
test: deps test-sqlite test-postgres

test-sqlite: deps
	DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: deps
	@if $(PY) -m relata.devtools.postgres_available "$(PG_URL)"; then \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$$RELATA_REQUIRE_SERVICES" = "1" ]; then \
		echo "PostgreSQL is required but does not answer at $(PG_URL)"; exit 1; \
	else \
		echo "WARNING: PostgreSQL does not answer at $(PG_URL); the PostgreSQL pass was skipped."; \
	fi

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: deps
	$(PY) -m bench.run

# Refresh the Russian catalogue after changing strings (needs GNU gettext).
messages: deps
	$(PY) manage.py makemessages --locale ru --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" --ignore "var/*"
	$(PY) manage.py makemessages --locale ru --domain djangojs --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" --ignore "var/*"
	$(PY) -m relata.devtools.compile_messages

clean:
	rm -rf $(VENV) node_modules var
