# AWS SAM targets, included from the top-level Makefile; run from the repo root (`make help` lists them).
# The SAM CLI pins its own boto3/pydantic, so it never shares the app's .venv.

SAM_VENV ?= .venv-sam
SAM_BOOTSTRAP_PYTHON ?= python3
SAM_REGION ?= us-east-1
SAM_TEMPLATE ?= template.yaml
SAM_BUILD_DIR ?= .aws-sam/build
SAM_DEPLOY_FLAGS ?=
SAM_BUILD_FLAGS ?=

SAM := $(SAM_VENV)/bin/sam
CFN_LINT := $(SAM_VENV)/bin/cfn-lint
SAM_STAMP := $(SAM_VENV)/.stamp-requirements-sam

# No telemetry, and nothing probes the EC2 instance metadata address for credentials or a region.
# Every sam command gets --language-extensions: it expands AWS::LanguageExtensions (our !Sub/!If route
# paths) locally, as CloudFormation does at deploy time; without it the SAM CLI's own SAM transform sees
# non-string paths and stops. What gets deployed is still the original template, expanded by CloudFormation.
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true

.PHONY: sam-venv lint-template sam-build sam-check-arch sam-deploy

sam-venv: $(SAM_STAMP) ## .venv-sam: the SAM CLI and cfn-lint (their own virtualenv)

$(SAM_STAMP): requirements-sam.txt
	@echo "Installing the AWS SAM CLI into $(SAM_VENV) (first time only, about a minute)..."
	$(SAM_BOOTSTRAP_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

lint-template: $(SAM_STAMP) ## sam validate, sam validate --lint and cfn-lint on template.yaml (no AWS credentials)
	$(SAM_ENV) $(SAM) validate --language-extensions --region $(SAM_REGION) --template $(SAM_TEMPLATE)
	$(SAM_ENV) $(SAM) validate --lint --language-extensions --region $(SAM_REGION) --template $(SAM_TEMPLATE)
	$(SAM_ENV) $(CFN_LINT) $(SAM_TEMPLATE)

# Every function and the layer use BuildMethod: makefile (functions/Makefile, layers/catalog/Makefile), so
# the build needs `make` and a pip (.venv-sam's), not the python3.13 that Lambda runs.
sam-build: $(SAM_STAMP) ## sam build (arm64 layer and functions, no Docker, any local Python), then check the artifacts
	$(SAM_ENV) PIP_PYTHON=$(abspath $(SAM_VENV))/bin/python $(SAM) build --language-extensions --parallel --template $(SAM_TEMPLATE) \
	  --build-dir $(SAM_BUILD_DIR) $(SAM_BUILD_FLAGS)
	$(SAM_BOOTSTRAP_PYTHON) tests/template/test_build_artifacts.py $(SAM_BUILD_DIR)

# The Lambda functions run on arm64: every native extension in the build must be aarch64.
sam-check-arch: ## check that the last sam build holds aarch64 binaries only and no boto3/botocore
	$(SAM_BOOTSTRAP_PYTHON) tests/template/test_build_artifacts.py $(SAM_BUILD_DIR)

sam-deploy: sam-build ## sam deploy with samconfig.toml (AWS credentials; SAM_DEPLOY_FLAGS=--guided to choose parameters)
	$(SAM_ENV) $(SAM) deploy --language-extensions --template-file $(SAM_BUILD_DIR)/template.yaml \
	  $(SAM_DEPLOY_FLAGS)
