"""GET /openapi.json (this deployment's OpenAPI document), GET /docs (a page to try the API in a
browser) and GET / (the catalog page). All are open: a browser cannot send the key when it loads a page,
and none holds data."""

from model_catalog.handler import make_handler

lambda_handler = make_handler("docs")
