"""The one entry point of every HTTP function: ``make_handler(name)`` builds the function's resolver from
the routes it serves (api/routes.py: ``FUNCTIONS``) and wraps it in Powertools' Logger, Tracer and
Metrics, once per container at cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.adapters.api_key import StaticApiKey
from model_catalog.api.http import build_resolver
from model_catalog.api.routes import FUNCTIONS, mount
from model_catalog.domain.routes import RouteTable
from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import Runtime, runtime

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def _allowed_methods(routes: RouteTable, path: str) -> tuple[str, ...]:
    # Imported here: only a request no route takes (a 405 or 404) needs every route of the API.
    from model_catalog.api.openapi import allowed_methods  # noqa: PLC0415

    return allowed_methods(routes, path)


def make_resolver(function: str, rt: Runtime) -> APIGatewayHttpResolver:
    mounts = FUNCTIONS[function]
    for each in mounts:
        if each.cold_start is not None:
            each.cold_start()
    api_keys = StaticApiKey(None) if all(m.open for m in mounts) else rt.api_keys
    app = build_resolver(api_keys, rt.dialect_of, rt.http_policy, lambda path: _allowed_methods(rt.routes, path))
    return mount(app, mounts, rt.routes, rt.state)


def make_handler(function: str) -> LambdaHandler:
    """The Lambda handler of ``functions/<function>/app.py``."""
    app = make_resolver(function, runtime())

    # log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event's headers carry the API key.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler
