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
TEST_WORKERS ?= $(shell nproc)
# The shared layer, every service (found by folder) and the tools, for mypy.
MYPY_PATH   := libs:$(subst $(eval) ,:,$(wildcard services/*)):tools

# A TF_CLI_CONFIG_FILE pointing at a missing file only makes terraform warn: drop it.
ifneq ($(wildcard $(TF_CLI_CONFIG_FILE)),$(TF_CLI_CONFIG_FILE))
unexport TF_CLI_CONFIG_FILE
endif

.PHONY: help venv emulator-venv envs envs-all build chromium up refresh sync watch down status test test-unit \
	test-stack lint fmt bench openapi audit clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# Every virtualenv is made by uv (from PyPI, pinned here; installed with pip into .local/uv-tool), which
# resolves and installs in seconds where pip took a minute; the envs a target needs install side by side.
UV_VERSION := 0.13.8
UV         := .local/uv-tool/bin/uv
UV_INSTALL  = $(UV) pip install --quiet --python
export UV_LINK_MODE := copy
export UV_PYTHON_DOWNLOADS := never

$(UV):
	@echo "==> Installing uv $(UV_VERSION) (the virtualenvs' installer)"
	@mkdir -p .local
	@$(PYTHON312) -m pip install $(PIP_QUIET) --root-user-action=ignore --target .local/uv-tool \
		uv==$(UV_VERSION) 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

# make_venv(folder, requirements): a Python 3.12 virtualenv with pip in it (the layer's build uses it).
define make_venv
	@mkdir -p $(dir $(1))
	@flock $(1).lock sh -c 'test -x $(1)/bin/python || $(UV) venv --quiet --seed --python $(PYTHON312) $(1); \
		$(UV_INSTALL) $(1)/bin/python -r $(2)'
	@touch $(1)/.installed
endef

$(VENV)/.installed: requirements/dev.txt libs/pyproject.toml | $(UV)
	@echo "==> Creating the project virtualenv ($(PYTHON312))"
	$(call make_venv,$(VENV),requirements/dev.txt)

venv: $(VENV)/.installed ## Install the development tools into .venv

$(EMU_VENV)/.installed: requirements/emulator.txt | $(UV)
	@echo "==> Creating the emulator's own virtualenv (MiniStack, Python 3.12)"
	$(call make_venv,$(EMU_VENV),requirements/emulator.txt)

emulator-venv: $(EMU_VENV)/.installed ## Install the local AWS emulator into its own virtualenv

SCAN_VENV := .local/scan-venv
$(SCAN_VENV)/.installed: requirements/scan.txt | $(UV)
	@echo "==> Creating the scanners' virtualenv (checkov, bandit, actionlint, pip-audit)"
	$(call make_venv,$(SCAN_VENV),requirements/scan.txt)

# What `make up` and `make test` install, side by side (a sub-make with jobs; each target is still a file).
SITE_DEPS := web/node_modules/.installed
envs: $(UV)
	@$(MAKE) --no-print-directory -s -j4 $(VENV)/.installed $(EMU_VENV)/.installed $(SITE_DEPS)

envs-all: $(UV)
	@$(MAKE) --no-print-directory -s -j5 $(VENV)/.installed $(EMU_VENV)/.installed $(SITE_DEPS) \
		$(SCAN_VENV)/.installed chromium

web/node_modules/.installed: web/package.json web/package-lock.json
	@echo "==> Installing the site's pinned third-party assets (npm ci)"
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	@cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# One build at a time (make up, make test and make bench may run side by side): a lock on build/.lock.
build: venv $(SITE_DEPS) ## Build the Lambda layer, service zips and the site deterministically into build/
	@echo "==> Building Lambda artifacts ($(ARCH)) and the site"
	@mkdir -p build
	@flock build/.lock $(PY) tools/build.py --architecture $(ARCH) 2> >(grep -v "is ignored: it is neither" >&2)
	@flock build/.lock $(PY) tools/build_site.py

up: envs build ## Run the whole product locally (emulator, fake Watchmode, Terraform, seed; the pipeline on a new stack)
	@EMULATOR=$(EMULATOR) $(PY) tools/local_cloud.py up --instance dev $(if $(filter 1,$(REFRESH)),--refresh)

refresh: venv ## Run the pipeline once more on the running `make up` stack (a tracked titles refresh)
	@$(PY) tools/local_cloud.py refresh --instance dev

sync: envs ## Put edited code live on the running `make up` stack in seconds: changed functions, layer, site
	@$(PY) tools/local_sync.py --instance dev --architecture $(ARCH)

watch: envs ## `make sync` whenever a file in services/, libs/ or web/ changes (Ctrl-C stops)
	@$(PY) tools/local_sync.py --instance dev --architecture $(ARCH) --watch

down: ## Stop everything `make up` started
	@if [ -x $(PY) ]; then $(PY) tools/local_cloud.py down --instance dev; fi

status: venv ## Show what is running locally
	@$(PY) tools/local_cloud.py status --instance dev

lint: envs-all ## Every offline check: ruff, mypy, terraform fmt/validate, checkov, bandit, actionlint, biome
	@echo "==> ruff"; $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	@echo "==> mypy"; MYPYPATH=$(MYPY_PATH) $(VENV)/bin/mypy
	@echo "==> terraform fmt"; terraform fmt -check -recursive terraform
	@echo "==> terraform validate"; $(PY) tools/local_cloud.py validate
	@echo "==> checkov (findings are fixed or skipped inline with a reason)"
	@$(SCAN_VENV)/bin/checkov --quiet --compact --skip-download --framework terraform github_actions \
		-d terraform -d .github/workflows
	@echo "==> bandit"; $(SCAN_VENV)/bin/bandit -q -r libs/tvguide services tools -c pyproject.toml 2> >(grep -v "nosec encountered" >&2)
	@echo "==> actionlint"; $(SCAN_VENV)/bin/actionlint .github/workflows/*.yml
	@echo "==> biome (the site's JavaScript: format and lint)"; cd web && ./node_modules/.bin/biome ci --colors=off js sw.js

audit: $(SCAN_VENV)/.installed ## pip-audit the layer's and the tools' dependencies (needs the network)
	@$(SCAN_VENV)/bin/pip-audit --progress-spinner off -r requirements/layer.txt -r requirements/emulator.txt
	@$(SCAN_VENV)/bin/pip-audit --progress-spinner off -r <(grep -v '^-e' requirements/dev.txt)

fmt: venv $(SITE_DEPS) ## Format Python, Terraform and the site's JavaScript
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix . && terraform fmt -recursive terraform
	@cd web && ./node_modules/.bin/biome format --write js sw.js >/dev/null

test-unit: envs-all ## Unit tests (pure logic, moto, fake Watchmode in-process), on every core
	@$(VENV)/bin/pytest tests/unit -q -n $(TEST_WORKERS)

chromium: ## Install Debian's Chromium for the browser tests (no browser downloads)
	@command -v chromium >/dev/null || (echo "==> Installing Debian's chromium" && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test-stack: envs-all build chromium ## Plan-level, integration and browser tests on an isolated local stack (started and stopped here)
	@tools/with-test-stack.sh up $(VENV)/bin/pytest tests/plan tests/integration tests/e2e -q

# Lint and the unit tests run while the isolated stack is set up; then the stack's suites run on it.
test: envs-all build ## Everything CI runs: lint, unit, plan-level, integration and browser tests
	@ALONGSIDE="$(MAKE) --no-print-directory lint test-unit" \
		tools/with-test-stack.sh up $(VENV)/bin/pytest tests/plan tests/integration tests/e2e -q

bench: envs build ## Benchmark two pipeline cycles on the fake catalogue (USERS=100 RATE=1200 CATALOGUE=3000 BUDGET=5000)
	@STACK_INSTANCE=$${BENCH_INSTANCE:-bench} WRITE_PLAN=0 RATE_LIMIT=$${RATE:-1200} CREDIT_BUDGET=$${BUDGET:-5000} \
		tools/with-test-stack.sh apply $(PY) tools/bench.py --users $${USERS:-100}

openapi: venv ## Regenerate docs/openapi.json and docs/openapi-admin.json from the APIs' code
	@$(PY) tools/openapi.py

clean: down ## Remove build output and local state (keeps virtualenvs)
	@rm -rf build .local/dev .local/test .local/bench .local/validate .local/stack.json
