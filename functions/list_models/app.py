"""GET {anthropic}/v1/models and GET {openai}/v1/models."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("list_models")
