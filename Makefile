# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    the service with a demo network, on embedded defaults
#   make test   the whole test suite
# Set DATABASE_URL and REDIS_URL to use real servers instead of the embedded ones.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test lint fmt check-deploy lock vendor bench bench-smoke clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
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

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements.in
	(echo "# Exact pins of requirements.in and everything it pulls in, for Python 3.11."; \
	 echo "# Regenerate with: make lock"; $(BIN)/python -m pip freeze) > requirements.txt

# The app's libraries (app/package.json, pinned by app/package-lock.json) from
# the npm registry, copied as plain ES modules to app/public/vendor/ (committed,
# so `make run` needs no npm). Run after changing a version; commit the result.
vendor:
	cd app && npm ci --ignore-scripts --no-audit --no-fund && node tools/vendor.mjs

clean:
	rm -rf $(VENV) var .pytest_cache
