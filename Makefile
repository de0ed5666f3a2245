# Roundtable: `make run` serves the app, `make test` runs the whole suite, `make test-fast`
# all of it but the browser tests.
# Both create .venv on first use and reinstall only when pyproject.toml or the pins change.
# Every package is installed at the exact version in requirements/constraints.txt;
# `make lock` rewrites that file from a fresh virtualenv (after changing pyproject.toml).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

CONSTRAINTS := requirements/constraints.txt

.PHONY: run test test-fast lint lock bench-assignment bench-rooms bench-control bench-workshop bench-pages scale scale-stop clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e ".[test]"
	touch $@

# Pins every package (with the test extra) at the newest versions pyproject.toml allows.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e ".[test]"
	{ echo "# Exact versions \`make\` installs (pip install -c). Regenerate with \`make lock\`."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > $(CONSTRAINTS)
	rm -rf .venv-lock

run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	@echo "Roundtable is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	DEBUG=$${DEBUG:-1} $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench-assignment: $(VENV)/.installed
	$(BIN)/python bench/assignment.py --quick

bench-rooms: $(VENV)/.installed-test
	$(BIN)/python bench/rooms.py $(BENCH_ARGS)

bench-control: $(VENV)/.installed-test
	$(BIN)/python bench/control.py $(BENCH_ARGS)

# The facilitator's pages at 100 rooms x 10, one request at a time (docs/scale.md).
bench-pages: $(VENV)/.installed-test
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# N Daphne processes (default: one per core; N=4 make scale) + PostgreSQL + Redis behind HAProxy
# on http://127.0.0.1:8080/ (deploy/scale.sh lists every setting).
scale: $(VENV)/.installed
	deploy/scale.sh start

scale-stop:
	deploy/scale.sh stop

bench-workshop: $(VENV)/.installed-test
	$(BIN)/python bench/workshop.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-lock var
