# Parcours: the two commands of the README (make demo, make test) and a few helpers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest workers: two cores on the reference machine.
WORKERS ?= 2

.PHONY: demo run test guide install system-packages messages compilemessages lint format check-migrations lint-imports clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Parcours needs Python >= 3.11"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: system-packages $(STAMP) compilemessages

# What pip cannot install (Chromium, Pango, gettext): apt-get when possible, else one
# sentence naming the packages (scripts/system-packages.sh). Fast when all is there.
system-packages:
	@bash scripts/system-packages.sh

# Catalogs are compiled by the build (Babel, pure Python: no system gettext needed).
compilemessages: $(STAMP)
	@$(BIN)/python -m parcours.core.i18n compile

# Extract strings into the catalogs (needs GNU gettext, a developer tool).
messages: $(STAMP)
	cd parcours && ../$(BIN)/python ../manage.py makemessages --locale en --no-obsolete --no-location

# The demo is served as production serves it (parcours/core/serve.py): gunicorn, DEBUG off,
# a secret generated for this clone, collectstatic with WhiteNoise's manifest storage.
demo: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python -m parcours.core.serve --bind $(HOST):$(PORT) --workers 3

# Django's development server (DEBUG on, code reloaded), for developers.
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two runs: the bulk in parallel inside rolled-back transactions, then the tests that need
# committed data (browser, concurrency), serially, since they empty the database they use.
test: install
	$(BIN)/python -m pytest -n $(WORKERS) -m "not (e2e or transactional)" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "e2e or transactional" $(PYTEST_ARGS)

# The user guide's screenshots (docs/guide/images/), taken by the browser journeys against the
# application served as in production; without the variable, the journeys take none.
GUIDE_IMAGES := docs/guide/images
guide: install
	PARCOURS_GUIDE_SCREENSHOTS=$(CURDIR)/$(GUIDE_IMAGES) $(BIN)/python -m pytest tests/e2e/test_journeys_e2e.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Import layers (.importlinter): www → domain apps → people/organisations/territories → core.
lint-imports: $(STAMP)
	$(BIN)/lint-imports --config .importlinter

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Benchmarks (docs/benchmarks.md), on PostgreSQL only, at two sizes: BENCH_SMALL_PERSONS in
# BENCH_SMALL_DATABASE_URL and BENCH_PERSONS in BENCH_DATABASE_URL. Each database gets the
# demo accounts and its dataset on the first run (later runs reuse them); then the figures'
# timings (bench_reports, large size) and the pages over HTTP at both sizes (bench_pages:
# gunicorn, 16 clients), printed side by side. Results: var/bench/.
BENCH_PERSONS ?= 1000000
BENCH_SMALL_PERSONS ?= 10000
BENCH_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/parcours_bench)
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/parcours_bench_10k
# The workers share the figures' cache in this Redis database, emptied before each run, as on
# several web machines; unreachable (or set empty), each worker keeps its own.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
export BENCH_REDIS_URL
.PHONY: bench bench-database
bench: $(STAMP) compilemessages
	@for url in "$(BENCH_DATABASE_URL)" "$(BENCH_SMALL_DATABASE_URL)"; do \
	  case "$$url" in postgres*) ;; *) echo "make bench needs PostgreSQL URLs"; exit 1;; esac; done
	$(MAKE) --no-print-directory bench-database URL=$(BENCH_SMALL_DATABASE_URL) PERSONS=$(BENCH_SMALL_PERSONS)
	$(MAKE) --no-print-directory bench-database URL=$(BENCH_DATABASE_URL) PERSONS=$(BENCH_PERSONS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_reports
	# Protection and audit of releases on generated months (issue 11; no database read).
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_release
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_duplicates
	# Job-title search over the 11,061 ROME titles (issue 20: p95 under 50 ms).
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_autocomplete
	DATABASE_URL=$(BENCH_SMALL_DATABASE_URL) $(BIN)/python manage.py bench_pages --output var/bench/pages-small.json
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_pages --output var/bench/pages-large.json
	$(BIN)/python manage.py bench_pages --compare var/bench/pages-small.json var/bench/pages-large.json
	# Person import throughput (issue 17) on PostgreSQL, then on the embedded SQLite default.
	DATABASE_URL=$(BENCH_SMALL_DATABASE_URL) $(BIN)/python manage.py bench_imports
	env -u DATABASE_URL $(BIN)/python manage.py migrate --noinput --verbosity 0
	env -u DATABASE_URL $(BIN)/python manage.py bench_imports

# One benchmark database: created if missing, migrated, demo accounts, dataset of PERSONS.
bench-database:
	DATABASE_URL=$(URL) $(BIN)/python manage.py bench_pages --create-database
	DATABASE_URL=$(URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(URL) $(BIN)/python manage.py load_demo >/dev/null
	DATABASE_URL=$(URL) $(BIN)/python manage.py generate_dataset --persons $(PERSONS)
