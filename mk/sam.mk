# AWS SAM targets, included from the top-level Makefile (`include mk/sam.mk`); run from the repo root.
#
#   make sam-venv        .venv-sam: SAM CLI + cfn-lint (reinstalled only when requirements-sam.txt changes)
#   make lint-template   sam validate (transform) + sam validate --lint + cfn-lint; needs no AWS credentials
#   make sam-build       sam build without Docker, then checks the layer holds arm64 (aarch64) binaries
#   make sam-deploy      sam deploy with samconfig.toml's defaults (needs AWS credentials);
#                        SAM_DEPLOY_FLAGS=--guided to choose the parameters
#
# The SAM CLI pins its own boto3/pydantic, so it never shares the app's .venv.

SAM_VENV ?= .venv-sam
SAM_BOOTSTRAP_PYTHON ?= python3
SAM_REGION ?= us-east-1
SAM_TEMPLATE ?= template.yaml
SAM_BUILD_DIR ?= .aws-sam/build
SAM_DEPLOY_FLAGS ?=

SAM := $(SAM_VENV)/bin/sam
CFN_LINT := $(SAM_VENV)/bin/cfn-lint
SAM_STAMP := $(SAM_VENV)/.stamp-requirements-sam

# No telemetry, and nothing probes the EC2 instance metadata address for credentials or a region.
# Every sam command gets --language-extensions: it expands AWS::LanguageExtensions (our !Sub/!If route
# paths) locally, as CloudFormation does at deploy time; without it the SAM CLI's own SAM transform sees
# non-string paths and stops. What gets deployed is still the original template, expanded by CloudFormation.
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true

# sam build for python3.13 needs a `python3.13` on PATH. Where it is only a pyenv shim that is not
# selected, put the newest installed pyenv 3.13 in front of PATH (for this command only).
define SAM_WITH_PY313
if ! python3.13 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then \
  v=""; \
  if command -v pyenv >/dev/null 2>&1; then \
    v=$$(pyenv versions --bare | grep -E '^3\.13(\.[0-9]+)?$$' | sort -V | tail -n 1); \
  fi; \
  if [ -z "$$v" ]; then \
    echo "sam-build: python3.13 is needed (e.g. 'pyenv install 3.13')" >&2; exit 1; \
  fi; \
  PATH="$$(pyenv prefix "$$v")/bin:$$PATH"; export PATH; \
fi;
endef

.PHONY: sam-venv lint-template sam-build sam-check-arch sam-deploy

sam-venv: $(SAM_STAMP)

$(SAM_STAMP): requirements-sam.txt
	$(SAM_BOOTSTRAP_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

lint-template: $(SAM_STAMP)
	$(SAM_ENV) $(SAM) validate --language-extensions --region $(SAM_REGION) --template $(SAM_TEMPLATE)
	$(SAM_ENV) $(SAM) validate --lint --language-extensions --region $(SAM_REGION) --template $(SAM_TEMPLATE)
	$(SAM_ENV) $(CFN_LINT) $(SAM_TEMPLATE)

sam-build: $(SAM_STAMP)
	@$(SAM_WITH_PY313) \
	set -x; $(SAM_ENV) $(SAM) build --language-extensions --parallel --template $(SAM_TEMPLATE) \
	  --build-dir $(SAM_BUILD_DIR)
	$(SAM_BOOTSTRAP_PYTHON) tests/template/test_build_artifacts.py $(SAM_BUILD_DIR)

# The Lambda functions run on arm64: every native extension in the build must be aarch64.
sam-check-arch:
	$(SAM_BOOTSTRAP_PYTHON) tests/template/test_build_artifacts.py $(SAM_BUILD_DIR)

sam-deploy: sam-build
	$(SAM_ENV) $(SAM) deploy --language-extensions --template-file $(SAM_BUILD_DIR)/template.yaml \
	  $(SAM_DEPLOY_FLAGS)
