"""POST /mcp: the catalog's tools over MCP (Streamable HTTP, stateless, JSON responses)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.api.errors import Dialect
from model_catalog.api.http import JSON_TYPE, build_resolver, dumps, request_body
from model_catalog.api.mcp import SERVER_INFO, McpEndpoint
from model_catalog.api.mcp_tools import select_tools
from model_catalog.domain.routes import MCP_PATH
from model_catalog.errors import MethodNotAllowedError
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()
app = build_resolver(rt.api_keys, lambda _path: Dialect.JSONRPC, rt.http_policy)
tools = select_tools(rt.routes, rt.service.regions, rt.settings.mcp_include_tools, rt.settings.mcp_exclude_tools)
endpoint = McpEndpoint(tools, rt.state, SERVER_INFO)


@app.post(MCP_PATH)
def mcp() -> Response[str]:
    reply = endpoint.handle(request_body(app.current_event), app.current_event.headers)
    if reply.body is None:
        return Response(status_code=reply.status)
    return Response(reply.status, JSON_TYPE, dumps(reply.body))


@app.route(MCP_PATH, method=["GET", "DELETE"])
def no_session() -> Response[str]:
    # Stateless: no event stream to open (GET) and no session to end (DELETE).
    raise MethodNotAllowedError(app.current_event.request_context.http.method, MCP_PATH, ("POST",))


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event's headers carry the API key.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
