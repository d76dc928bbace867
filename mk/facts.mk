# make facts: the model facts data file (API.md, "Model facts") from one pinned litellm wheel.
# Bump the pin with `make facts LITELLM_VERSION=x.y.z` and commit the data file (docs/model-facts.md).
# The wheel is kept in .cache/facts/ so tests/unit/test_facts_data.py can hold the file to it.
LITELLM_VERSION ?= 1.110.2
FACTS_CACHE := .cache/facts
FACTS_FILE := layers/catalog/model_catalog/data/litellm_bedrock.json

.PHONY: facts

facts: $(STAMP) ## the model facts data file from the pinned litellm wheel (LITELLM_VERSION=x.y.z to bump)
	mkdir -p $(FACTS_CACHE)
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --dest $(FACTS_CACHE) litellm==$(LITELLM_VERSION)
	$(BIN)/python -m tools.litellm_facts "$$(ls $(FACTS_CACHE)/litellm-$(LITELLM_VERSION)-*.whl | head -n1)" $(LITELLM_VERSION) $(FACTS_FILE)
