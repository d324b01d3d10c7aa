# UK TV Guide — every developer command. `make help` lists them.
# The two that must always work on a fresh machine: `make up` and `make test`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON312   := $(shell tools/find-python312.sh)
VENV        := .venv
PY          := $(VENV)/bin/python
EMU_VENV    := .local/emulator-venv
ARCH        ?= x86_64
EMULATOR    ?= ministack
PIP_QUIET   := --quiet --disable-pip-version-check
# The shared layer, every service (found by folder) and the tools, for mypy.
MYPY_PATH   := libs:$(subst $(eval) ,:,$(wildcard services/*)):tools

# A TF_CLI_CONFIG_FILE pointing at a missing file only makes terraform warn: drop it.
ifneq ($(wildcard $(TF_CLI_CONFIG_FILE)),$(TF_CLI_CONFIG_FILE))
unexport TF_CLI_CONFIG_FILE
endif

.PHONY: help venv emulator-venv build chromium up down status test test-unit test-stack lint fmt bench openapi audit clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/dev.txt libs/pyproject.toml
	@echo "==> Creating the project virtualenv ($(PYTHON312))"
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	@$(PY) -m pip install $(PIP_QUIET) -r requirements/dev.txt 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

venv: $(VENV)/.installed ## Install the development tools into .venv

$(EMU_VENV)/.installed: requirements/emulator.txt
	@echo "==> Creating the emulator's own virtualenv (MiniStack, Python 3.12)"
	@mkdir -p .local
	@test -x $(EMU_VENV)/bin/python || $(PYTHON312) -m venv $(EMU_VENV)
	@$(EMU_VENV)/bin/pip install $(PIP_QUIET) -r requirements/emulator.txt 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

emulator-venv: $(EMU_VENV)/.installed ## Install the local AWS emulator into its own virtualenv

SCAN_VENV := .local/scan-venv
$(SCAN_VENV)/.installed: requirements/scan.txt
	@echo "==> Creating the scanners' virtualenv (checkov, bandit, actionlint, pip-audit)"
	@mkdir -p .local
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON312) -m venv $(SCAN_VENV)
	@$(SCAN_VENV)/bin/pip install $(PIP_QUIET) -r requirements/scan.txt 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	@echo "==> Installing the site's pinned third-party assets (npm ci)"
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	@cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

build: venv web/node_modules/.installed ## Build the Lambda layer, service zips and the site deterministically into build/
	@echo "==> Building Lambda artifacts ($(ARCH)) and the site"
	@$(PY) tools/build.py --architecture $(ARCH) 2> >(grep -v "is ignored: it is neither" >&2)
	@$(PY) tools/build_site.py

up: venv emulator-venv build ## Run the whole product locally (emulator, fake Watchmode, Terraform, seed, pipeline)
	@EMULATOR=$(EMULATOR) $(PY) tools/local_cloud.py up --instance dev

down: ## Stop everything `make up` started
	@if [ -x $(PY) ]; then $(PY) tools/local_cloud.py down --instance dev; fi

status: venv ## Show what is running locally
	@$(PY) tools/local_cloud.py status --instance dev

lint: venv $(SCAN_VENV)/.installed ## Every offline check: ruff, mypy, terraform fmt/validate, checkov, bandit, actionlint
	@echo "==> ruff"; $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	@echo "==> mypy"; MYPYPATH=$(MYPY_PATH) $(VENV)/bin/mypy
	@echo "==> terraform fmt"; terraform fmt -check -recursive terraform
	@echo "==> terraform validate"; $(PY) tools/local_cloud.py validate
	@echo "==> checkov (findings are fixed or skipped inline with a reason)"
	@$(SCAN_VENV)/bin/checkov --quiet --compact --skip-download --framework terraform github_actions \
		-d terraform -d .github/workflows
	@echo "==> bandit"; $(SCAN_VENV)/bin/bandit -q -r libs/tvguide services tools -c pyproject.toml 2> >(grep -v "nosec encountered" >&2)
	@echo "==> actionlint"; $(SCAN_VENV)/bin/actionlint .github/workflows/*.yml

audit: $(SCAN_VENV)/.installed ## pip-audit the layer's and the tools' dependencies (needs the network)
	@$(SCAN_VENV)/bin/pip-audit --progress-spinner off -r requirements/layer.txt -r requirements/emulator.txt
	@$(SCAN_VENV)/bin/pip-audit --progress-spinner off -r <(grep -v '^-e' requirements/dev.txt)

fmt: venv ## Format Python and Terraform
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix . && terraform fmt -recursive terraform

test-unit: venv $(SCAN_VENV)/.installed ## Unit tests (pure logic, moto, fake Watchmode in-process)
	@$(VENV)/bin/pytest tests/unit -q

chromium: ## Install Debian's Chromium for the browser tests (no browser downloads)
	@command -v chromium >/dev/null || (echo "==> Installing Debian's chromium" && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test-stack: venv emulator-venv build chromium ## Plan-level, integration and browser tests on an isolated local stack (started and stopped here)
	@tools/with-test-stack.sh up $(VENV)/bin/pytest tests/plan tests/integration tests/e2e -q

test: lint test-unit test-stack ## Everything CI runs: lint, unit, plan-level and integration tests

bench: venv emulator-venv build ## Benchmark two pipeline cycles on the fake catalogue (USERS=100 RATE=1200 CATALOGUE=3000 BUDGET=5000)
	@STACK_INSTANCE=bench WRITE_PLAN=0 RATE_LIMIT=$${RATE:-1200} CREDIT_BUDGET=$${BUDGET:-5000} \
		tools/with-test-stack.sh apply $(PY) tools/bench.py --users $${USERS:-100}

openapi: venv ## Regenerate docs/openapi.json and docs/openapi-admin.json from the APIs' code
	@$(PY) tools/openapi.py

clean: down ## Remove build output and local state (keeps virtualenvs)
	@rm -rf build .local/dev .local/test .local/stack.json
