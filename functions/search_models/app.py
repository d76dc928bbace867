"""GET /search_models: capability search; GET /status: what the catalog serves and how fresh. Errors in
OpenAI's dialect."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("search_models")
