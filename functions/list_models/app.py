"""GET {anthropic}/v1/models and GET {openai}/v1/models."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.api.http import build_resolver, json_response
from model_catalog.api.operations import list_anthropic_models, list_openai_models
from model_catalog.api.params import AnthropicListQuery, parse_query
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()
app = build_resolver(rt.api_keys, rt.dialect_of, rt.http_policy, allowed_methods=rt.allowed_methods)

if rt.routes.anthropic_models_enabled:

    @app.get(rt.path("anthropic_model_list"))
    def anthropic_list() -> Response[str]:
        query = parse_query(AnthropicListQuery, app.current_event.query_string_parameters)
        state = rt.state()
        return json_response(list_anthropic_models(state, query), state)


@app.get(rt.path("openai_model_list"))
def openai_list() -> Response[str]:
    state = rt.state()
    return json_response(list_openai_models(state), state)


# A GET answered before is answered again from the memo while the catalog is fresh (api/memo.py).
# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event's headers carry the API key.
@rt.response_memo()
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
