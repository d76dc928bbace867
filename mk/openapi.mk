# docs/openapi.json: the OpenAPI document for the default settings (GET /openapi.json serves the one of the
# deployment). tests/unit/test_openapi.py fails when it is out of date.
.PHONY: openapi

openapi: $(STAMP) ## rewrite docs/openapi.json (the OpenAPI document of the default settings)
	mkdir -p docs
	PYTHONPATH=layers/catalog $(BIN)/python -m model_catalog.api.openapi > docs/openapi.json
