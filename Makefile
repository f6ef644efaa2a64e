# Capacity LMS — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_WORKERS ?= 2

.PHONY: run test install install-dev lint format db demo bench mutate fuzz clean translations lock audit

## Locked installs (README "Supply chain"): requirements.lock holds the runtime packages,
## requirements-dev.lock those plus the dev extra, each at one version with the hash of every
## file of that version; pip refuses anything else. The project itself is then installed
## without its dependencies and built by the locked hatchling (no build isolation: nothing
## unpinned is fetched). pip itself is locked too, within PIP_SPEC.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
PIP_SPEC := pip>=26.0,<27

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(BIN)/lms db upgrade

demo: db
	$(BIN)/lms demo --if-empty

## Install, create or upgrade the SQLite database, load demo data if empty, serve on :5000,
## with the job scheduler running beside the web server (and stopped with it).
run: demo
	@$(BIN)/lms scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/lms run --host $(HOST) --port $(PORT)

## After changing a dependency in pyproject.toml: `make lock`, and commit both lock files. It
## resolves pyproject.toml ([project] dependencies, the dev extra, [build-system] requires and
## PIP_SPEC) for every platform and Python >= 3.11 (uv's universal resolution, with markers),
## keeping every pin that still fits; `make lock UPGRADE=1` moves every pin to the newest
## release within the bounds, `make lock UPGRADE_PACKAGE=name` just that one. The runtime lock
## is resolved inside the dev lock, so both hold the same versions.
LOCK_INPUTS = { $(BIN)/python -c "import tomllib; \
	print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')"; \
	echo '$(PIP_SPEC)'; }
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
	$(if $(UPGRADE_PACKAGE),--upgrade-package $(UPGRADE_PACKAGE))
lock: install-dev
	$(LOCK_INPUTS) | $(UV_COMPILE) pyproject.toml - --extra dev -o $(DEV_LOCK)
	$(LOCK_INPUTS) | $(UV_COMPILE) pyproject.toml - -c $(DEV_LOCK) -o $(LOCK)

## Known vulnerabilities in the locked versions (tools/audit.py): fails on a vulnerable pin,
## and on a pin the vulnerability service could not check, unless AUDIT_UNREACHABLE=warn
## (then a banner says nothing was audited). Accepted advisories: .pip-audit-ignore.
audit: install-dev
	$(BIN)/python tools/audit.py $(DEV_LOCK)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -q -r lms

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Install the dev lock, lint, audit the locked versions, and run the whole suite (SQLite, and
## PostgreSQL when TEST_DATABASE_URL is set).
test: lint audit
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL run: $$TEST_DATABASE_URL"; \
		LMS_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q -n $(TEST_WORKERS); \
	fi

## The fuzz tests (tests/fuzz, README "Access matrix and fuzzing") with many more examples per
## route than `make test` runs: FUZZ_EXAMPLES per form and API operation (300), not derandomized.
FUZZ_EXAMPLES ?= 300
fuzz: install-dev
	HYPOTHESIS_PROFILE=fuzz LMS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q \
		-n $(TEST_WORKERS) tests/fuzz

## Benchmarks (bench/, README "Benchmarks"): gunicorn on PostgreSQL at 16 clients against the
## same run's ceilings; BENCH_SECONDS per page (10), BENCH_ARGS e.g. --database-url URL --strict.
## Installs Debian's wrk when missing. Exits 0 when targets are missed, unless --strict.
BENCH_ARGS ?=
bench: install-dev
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench $(BENCH_ARGS)

## Mutation testing of the critical rules (groups in tools/mutate.py; one group:
## `make mutate GROUPS=rag`), then the score per group. LMS_SHARED_DIR: the tests run in mutants/.
GROUPS ?=
mutate: install-dev
	LMS_SHARED_DIR=$(abspath ..)/shared $(BIN)/python tools/mutate.py run $(GROUPS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache mutants

## The translator's workflow: extract every interface string into lms/translations/messages.pot,
## then merge it into each language's catalogue (new strings empty, changed ones fuzzy); the
## .mo files are compiled at build and on app start. tests/core/test_translations.py then
## names every string still to translate.
BABEL_KEYWORDS := -k _l -k _p:1c,2 -k _n:1,2 -k lazy_pgettext:1c,2 -k N_
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --sort-by-file --project "Capacity LMS" \
		-o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -w 100
