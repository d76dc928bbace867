"""GET {anthropic}/v1/models/{model_id} and GET {openai}/v1/models/{model}."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("get_model")
