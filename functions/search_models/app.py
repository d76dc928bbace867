"""GET /search_models: capability search; GET /status: what the catalog serves and how fresh. Errors in
OpenAI's dialect."""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.api.errors import Dialect
from model_catalog.api.http import build_resolver, json_response
from model_catalog.api.operations import catalog_status, search_models
from model_catalog.api.params import SearchQuery, parse_query
from model_catalog.domain.routes import STATUS_PATH
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()
app = build_resolver(rt.api_keys, lambda _path: Dialect.OPENAI, rt.http_policy, allowed_methods=rt.allowed_methods)


@app.get(rt.path("search_models"))
def search() -> Response[str]:
    query = parse_query(SearchQuery, app.current_event.query_string_parameters)
    state = rt.state()
    return json_response(search_models(state, query), state)


@app.get(STATUS_PATH)
def status() -> Response[str]:
    state = rt.state()
    return json_response(catalog_status(state), state)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event's headers carry the API key.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def resolve(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# A GET answered before is answered again from the memo while the catalog is fresh (api/memo.py); not
# /status, whose ages move with the clock.
memoized = rt.response_memo()(resolve)


@functools.wraps(resolve)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(event, context) if event.get("rawPath") == STATUS_PATH else memoized(event, context)
