# The front door. `make run` and `make test` work on a fresh machine with only Python 3.11:
# they install uv into .tools/ and every pinned dependency (uv.lock) into .venv/.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --frozen
PYTEST_PARALLEL := -n auto --dist loadfile --no-loadscope-reorder
export TERTIAL_HOME ?= $(CURDIR)/var
export DAGSTER_HOME := $(TERTIAL_HOME)/dagster

.PHONY: install dagster-settings run test test-fast lint format dagster docs bench-small bench clean chromium postgresql serve

install: .venv/.installed

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: this machine's shells set PYTHONDONTWRITEBYTECODE, so without
# bytecode written here every process (each CLI subprocess, each test worker) compiles
# its imports again (`import dagster`: 1.2 s uncompiled, 0.7 s compiled).
.venv/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

## run: install, write the demo city into landing/, ingest, build, publish, show queries
run: install dagster-settings
	$(RUN) tertial demo
	$(RUN) tertial report --namnd 142 --report T2 --year 2024 \
		$(if $(wildcard /usr/bin/chromium),,--format html xlsx)

# The Dagster instance's settings, $(DAGSTER_HOME)/dagster.yaml, written every time from
# TERTIAL_CATALOG (orchestration/instance.py: SQLite by default, the catalog's PostgreSQL
# on the lake). A CLI run reports what it loaded, built and published to the instance set
# up here (warehouse/dagster_events.py), so `make dagster` shows it.
dagster-settings: install
	$(RUN) python -m orchestration.instance $(DAGSTER_HOME)

## test: install, lint (ruff, sqlfluff) and run the whole test suite, one worker per core
## (pytest-xdist; a module's tests stay on one worker, so its built home is built once);
## it ends with the 30 slowest steps, which is where the CI time budget goes
test: install lint chromium postgresql
	$(RUN) pytest $(PYTEST_PARALLEL) --durations=30

## test-fast: the unit tests and the quick integration tests (no dbt build), < 3 min
test-fast: install
	$(RUN) pytest $(PYTEST_PARALLEL) -m "not slow"

## chromium: Debian's headless browser, which opens the generated docs and prints the
## boards' reports to PDF, and poppler-utils (pdftotext, pdftoppm), which read the PDF
## back in the tests. CI runs as root on a fresh machine with apt reachable; elsewhere
## install them yourself.
chromium:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		chromium poppler-utils; }

## postgresql: Debian's PostgreSQL 15, the server BI tools connect to (`make serve`) and
## the tests start their own cluster of (warehouse/postgres/server.py). As root, like chromium.
postgresql:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; }

## serve: the local PostgreSQL server BI tools connect to (port 5433, database tertial),
## loaded with the published snapshot; every later publish refreshes it (README "BI tools")
serve: install postgresql
	$(RUN) tertial serve start

## sqlfluff's dbt templater compiles every model on one core: 47 s alone, 30 s on this
## machine's two (`--processes 0`: one per CPU), the same findings.
lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) sqlfluff lint --processes 0 dbt_project

format: install
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

## dagster: the web UI and the daemon, so the 02:00 schedule and the landing sensor fire
dagster: install dagster-settings
	$(RUN) dagster dev -m orchestration.definitions

## docs: dbt docs and data docs as static HTML in $(TERTIAL_HOME)/docs (after `make run`)
docs: install
	$(RUN) tertial docs
## bench-small: the city benchmark at 1 year (~100 000 ledger lines a month, a 1 M-line
## ingest probe); writes docs/benchmarks-small.md. Data in var/bench-small/ (git-ignored).
bench-small: install
	$(RUN) python -m bench.run --years 1 --rows 100000 --ingest-rows 1000000 \
		--out var/bench-small --docs docs/benchmarks-small.md

## bench: 10 years of ~1 M ledger lines a month (~40 min on a quiet 2-core machine; by
## hand); writes docs/benchmarks.md. Data in var/bench/ (~14 GB, git-ignored).
bench: install
	$(RUN) python -m bench.run --years 10 --rows 1000000 --ingest-rows 1000000

clean:
	rm -rf var .venv .tools
