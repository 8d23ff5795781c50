# The two commands a newcomer needs: `make run` and `make test`. Everything installs itself into .venv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000
HOST   ?= 127.0.0.1
PYTEST_FLAGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-slow lint format typecheck check openapi openapi-check calibrate evaluate browser bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its pinned dependencies

run: $(STAMP) ## Start the service on 127.0.0.1:8000 (PORT=... to change)
	HOST=$(HOST) PORT=$(PORT) $(PY) -m api serve

test: $(STAMP) ## Run the test suite (what CI runs)
	$(PY) -m pytest $(PYTEST_FLAGS)

test-slow: $(STAMP) ## Run the slow statistical validity checks
	$(PY) -m pytest -m slow $(PYTEST_FLAGS)

lint: $(STAMP) ## ruff: lint and formatting
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: $(STAMP) ## mypy --strict on the packages
	$(PY) -m mypy

check: lint typecheck test openapi-check ## Everything CI should see green

openapi: $(STAMP) ## Regenerate openapi/openapi.json from the app
	$(PY) -m api openapi -o openapi/openapi.json

openapi-check: $(STAMP) ## Fail if openapi/openapi.json is stale
	@$(PY) -m api openapi | diff -q - openapi/openapi.json >/dev/null || { echo "openapi/openapi.json is stale: run 'make openapi'"; exit 1; }

calibrate: $(STAMP) ## Refit the default model from the bundled cases (estimator/model/default_model.json)
	$(PY) -m calibration fit calibration/data/cases.jsonl -o estimator/model/default_model.json

evaluate: $(STAMP) ## Cross-validate the model against the baselines on the bundled cases
	$(PY) -m calibration evaluate calibration/data/cases.jsonl

BENCH_FLAGS ?=

bench: $(STAMP) ## Measure speed and memory against the targets (~3-5 min; BENCH_FLAGS=--quick for ~1 min)
	$(PY) -m bench $(BENCH_FLAGS)

browser: ## Install Debian's chromium for the offline Swagger UI test (skipped without it; needs root)
	@command -v chromium >/dev/null || { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium >/dev/null; }

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
