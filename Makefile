# Every target installs what it needs; a fresh clone needs only `make serve` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13: use it when the machine has it (pyenv keeps it behind a shim), else python3.
ifeq ($(shell python3.13 -c pass 2>/dev/null && echo yes),)
  PYENV_313 := $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.|$$)' | tail -n1)
  ifneq ($(PYENV_313),)
    export PYENV_VERSION := $(shell pyenv version-name 2>/dev/null):$(PYENV_313)
    PYTHON ?= python3.13
  endif
else
  PYTHON ?= python3.13
endif
PYTHON ?= python3

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
export PORT

.PHONY: help venv serve test lint typecheck unit integration contract e2e bench clean

help:
	@echo "make serve   - run the API on http://127.0.0.1:$(PORT) (snapshot data unless AWS credentials are set)"
	@echo "make test    - install, lint (ruff), type-check (mypy) and run every test tier"
	@echo "make bench   - the performance benchmark"

$(STAMP): requirements-dev.txt layers/catalog/requirements.txt layers/catalog/requirements-layer.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

serve: $(STAMP)
	$(BIN)/python -m local.server

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy layers/catalog/model_catalog functions local tests bench tools

# The template is part of the product: it must lint and build (arm64 layer) on every run.
test: lint typecheck lint-template sam-build
	$(BIN)/python -m pytest

unit integration contract: $(STAMP)
	$(BIN)/python -m pytest tests/$@

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) .venv-sam .aws-sam .pytest_cache .mypy_cache .ruff_cache .hypothesis

-include mk/*.mk
