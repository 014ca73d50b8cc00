# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint seed-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## Create the venv, migrate and seed the embedded demo database if it is empty, expire certificates past
## their date (the seeded country is as of 2026-10-31), start the dashboard on http://127.0.0.1:8501 with
## DEMO sign-in: a local OpenID Connect provider on 127.0.0.1:9400 with one demo account per role
## (its secrets go to data/demo-auth/, written fresh on every start and never committed).
run: $(STAMP)
	$(BIN)/regdash db upgrade
	$(BIN)/regdash seed --scale demo --if-empty
	$(BIN)/regdash db expire
	$(BIN)/regdash serve --demo

## Install what the tests need (Debian packages and Python packages) and run the whole suite.
test: $(STAMP)
	bash scripts/install-system-packages.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
