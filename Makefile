# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    the service with a demo network, on embedded defaults
#   make test   the whole test suite
# Set DATABASE_URL and REDIS_URL to use real servers instead of the embedded ones.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Development installs requirements-dev.txt (production's pins, then the tools);
# the image installs requirements.txt alone (Dockerfile).
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint fmt check-deploy lock image-check vendor bench bench-smoke clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/python -m config.stack run

# Two pytest-xdist workers, one per core: each has its own test database, Redis
# database and channel-layer prefix (config/settings/test.py). TEST_WORKERS=0
# runs everything in one process (for a debugger, or pytest's own -x output).
# Work stealing: a worker that runs out takes tests queued for the other, so the
# long browser and process tests do not end the run on one core while the other idles.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m config.stack exec -- $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Benchmarks (issue 7, docs/performance.md): PostgreSQL from DATABASE_URL (default the
# machine's at 127.0.0.1:5432), Redis from REDIS_URL (default an embedded one).
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke $(BENCH_ARGS)

# lint-imports checks the floors (the import contracts in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Both locks from one resolution, in fresh venvs so nothing already installed
# leaks into a pin. Production and the tools are resolved together (resolved
# apart, production took a jsonschema-rs that schemathesis refuses); then
# production alone is installed at those versions, and what it pulls in is
# requirements.txt. requirements-dev.txt is the rest.
LOCK_VENV := var/lock-venv

lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)/all && $(PYTHON) -m venv $(LOCK_VENV)/production
	grep -vx -- '-r requirements.txt' requirements-dev.in > $(LOCK_VENV)/tools.in
	$(LOCK_VENV)/all/bin/python -m pip install --quiet -r requirements.in -r $(LOCK_VENV)/tools.in
	$(LOCK_VENV)/all/bin/python -m pip freeze > $(LOCK_VENV)/all.txt
	$(LOCK_VENV)/production/bin/python -m pip install --quiet -r requirements.in -c $(LOCK_VENV)/all.txt
	(echo "# Exact pins of requirements.in and everything it pulls in, for Python 3.11:"; \
	 echo "# production only (the image installs nothing else). Regenerate with: make lock"; \
	 $(LOCK_VENV)/production/bin/python -m pip freeze) > requirements.txt
	(echo "# Exact pins of requirements-dev.in beyond production's, for Python 3.11."; \
	 echo "# Regenerate with: make lock"; echo "-r requirements.txt"; \
	 grep -vxF -f requirements.txt $(LOCK_VENV)/all.txt) > requirements-dev.txt
	rm -rf $(LOCK_VENV)

# The Dockerfile's stages without docker (docker cannot build on every machine,
# CI's included): wheels of requirements.txt, a fresh venv that installs only
# those, then the image's checks from it (scripts/image_check.py).
image-check: $(STAMP)
	$(BIN)/python scripts/image_check.py

# The app's libraries (app/package.json, pinned by app/package-lock.json) from
# the npm registry, copied as plain ES modules to app/public/vendor/ (committed,
# so `make run` needs no npm). Run after changing a version; commit the result.
vendor:
	cd app && npm ci --ignore-scripts --no-audit --no-fund && node tools/vendor.mjs

clean:
	rm -rf $(VENV) var .pytest_cache
