# Every target installs what it needs; a fresh clone needs only `make serve` or `make test`.
# `make help` lists the targets: each one's `## ` comment is its line.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Any Python 3.11+ runs the app and the tests; the Lambda build (mk/sam.mk) needs none in particular.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
export PORT

.PHONY: help venv serve test lint typecheck unit integration contract e2e clean

help: ## this list
	@grep -hE '^[a-z][a-z-]*( [a-z-]+)*:.*## ' $(MAKEFILE_LIST) \
	  | awk -F':.*## ' '{printf "make %-15s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/catalog/requirements.txt layers/catalog/requirements-layer.txt
	@echo "Installing the development tools into $(VENV) (first time only, two or three minutes)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(STAMP) ## .venv with the app, the test tools and the official SDKs

serve: $(STAMP) ## the API on http://127.0.0.1:$PORT (3000), from the embedded snapshot (CATALOG_SOURCE=bedrock: live)
	@$(BIN)/python -m local.server

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy (strict on the layer)
	$(BIN)/mypy layers/catalog/model_catalog functions local tests bench tools

# The template is part of the product: it must lint and build (arm64 layer) on every run.
test: lint typecheck lint-template sam-build ## everything CI runs: lint, mypy, the template, sam build, every test tier
	$(BIN)/python -m pytest

unit: $(STAMP) ## tests/unit only
	$(BIN)/python -m pytest tests/unit
integration: $(STAMP) ## tests/integration only (handlers in-process, moto)
	$(BIN)/python -m pytest tests/integration
contract: $(STAMP) ## tests/contract only (the official SDKs against the local server)
	$(BIN)/python -m pytest tests/contract

e2e: $(STAMP) ## tests/e2e against a deployed stack (AWS_SAM_STACK_NAME) or a server (E2E_BASE_URL)
	$(BIN)/python -m pytest tests/e2e

clean: ## remove the virtualenvs, the build and the caches
	rm -rf $(VENV) .venv-sam .aws-sam .pytest_cache .mypy_cache .ruff_cache .hypothesis

-include mk/*.mk
