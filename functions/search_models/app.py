"""GET /search_models: capability search, errors in OpenAI's dialect."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("search_models")
