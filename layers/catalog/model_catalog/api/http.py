"""A Powertools resolver with what every route shares: the API key check, the error dialects, JSON
responses, and how responses leave (ETag/304, Cache-Control, gzip, CORS: api/delivery.py). Handlers add
their routes to it and nothing else."""

from __future__ import annotations

import base64
import hmac
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel

from model_catalog.api.delivery import HttpPolicy, delivery_middleware, weak_etag
from model_catalog.api.errors import Dialect, anthropic_body, jsonrpc_body, openai_body, status_of
from model_catalog.api.params import parse_query
from model_catalog.api.rendered import RenderedArray, RenderedObject, to_json
from model_catalog.errors import (
    AuthenticationError,
    CatalogUnavailableError,
    InvalidRequestError,
    MethodNotAllowedError,
    ModelNotFoundError,
    RouteNotFoundError,
)
from model_catalog.ports import ApiKeyProvider
from model_catalog.service import CatalogState

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json"


def catalog_headers(state: CatalogState) -> dict[str, str]:
    """Tell the client when it is served stale data, and how old."""
    if not state.stale:
        return {}
    return {"x-catalog-stale": "true", "x-catalog-age": str(state.age_seconds)}


def json_response(body: Any, state: CatalogState | None = None, status: int = 200) -> Response[str]:
    headers = catalog_headers(state) if state is not None else {}
    if isinstance(body, RenderedObject | RenderedArray):
        headers["ETag"] = weak_etag(body.digest)  # from its parts' digests, not a hash of the whole text
    return Response(status_code=status, content_type=JSON_TYPE, body=to_json(body), headers=headers)


def request_body(event: BaseProxyEvent) -> str | bytes | None:
    """The body as sent. API Gateway base64-encodes a body that is not UTF-8 text; that one stays bytes
    (Powertools' ``decoded_body`` would insist on UTF-8 and fail on a client's bad bytes)."""
    if event.is_base64_encoded and event.body:
        return base64.b64decode(event.body)
    return event.body


def presented_key(headers: dict[str, str]) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_preflight(event: BaseProxyEvent) -> bool:
    """A browser's CORS preflight: it never carries the API key (Fetch sends no credentials with it), and
    behind API Gateway's $default route it reaches the function, where Powertools answers it (204)."""
    headers = event.headers
    return (
        event.http_method.upper() == "OPTIONS"
        and bool(headers.get("origin"))
        and bool(headers.get("access-control-request-method"))
    )


def invalid_request_error(error: RequestValidationError) -> InvalidRequestError:
    """Powertools' validation error as the 400 each dialect renders: the first problem, naming the
    parameter (``loc`` is ``("query", <model>, <field>)`` or ``("path", <name>)``)."""
    first = error.errors()[0]
    names = [str(part) for part in first.get("loc", ()) if isinstance(part, str)]
    param = names[-1] if len(names) > 1 else None
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return InvalidRequestError(f"{param}: {message}" if param else message, param)


def as_sent(model: type[BaseModel]) -> Callable[[APIGatewayHttpResolver, NextMiddleware], Response[Any]]:
    """A route middleware: the query as API Gateway hands it over (a repeated parameter joined with
    commas) must fit ``model`` too. Powertools reads only a query model's fields, and the first of a
    repeated scalar: an unknown filter or two page sizes would pass silently."""

    def middleware(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
        parse_query(model, router.current_event.query_string_parameters)
        return next_middleware(router)

    return middleware


def build_resolver(
    api_keys: ApiKeyProvider,
    dialect_of: Callable[[str], Dialect],
    policy: HttpPolicy | None = None,
    allowed_methods: Callable[[str], Sequence[str]] = lambda _path: (),
) -> APIGatewayHttpResolver:
    """``dialect_of(path)`` says in which dialect a path answers errors; ``policy`` how responses leave;
    ``allowed_methods(path)`` which methods the API answers there, so that a wrong method is a 405 and
    an unknown path a 404."""
    policy = policy or HttpPolicy()
    app = APIGatewayHttpResolver(cors=policy.cors(), enable_validation=True)

    def request_id() -> str:
        return str(app.current_event.request_context.request_id or "")

    def check_api_key(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
        expected = api_keys.current()
        preflight = bool(policy.cors_origins) and is_preflight(router.current_event)
        if expected is not None and not preflight:
            given = presented_key(router.current_event.headers)  # Powertools' headers: case-insensitive
            if given is None:
                raise AuthenticationError("missing API key: send it as x-api-key or Authorization: Bearer")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise AuthenticationError("invalid API key")
        response = next_middleware(router)
        if preflight:  # Powertools lists this function's methods; the path's own are what the browser asks
            methods = allowed_methods(router.current_event.path)
            response.headers["Access-Control-Allow-Methods"] = ",".join((*methods, "OPTIONS"))
        if dialect_of(router.current_event.path) is Dialect.ANTHROPIC:
            response.headers["request-id"] = request_id()
        return response

    # The key is checked first: a client without it learns nothing, not even an ETag.
    app.use(middlewares=[check_api_key, delivery_middleware(policy)])

    def render_error(error: Exception) -> Response[str]:
        status = status_of(error)
        headers: dict[str, str] = {}
        if status == 500:  # a bug: the trace goes to the log, never to the client
            logger.exception("request failed: %s", type(error).__name__)
        elif status >= 500:  # a dependency is down: the cause was logged where it happened
            logger.error("request refused, %s: %s", type(error).__name__, error)
        elif status == 401:  # for the audit trail; the message never holds a key
            logger.info("request refused, %s: %s", type(error).__name__, error)
        if isinstance(error, CatalogUnavailableError):
            headers["retry-after"] = str(error.retry_after_seconds)
        if isinstance(error, MethodNotAllowedError):
            headers["allow"] = ", ".join(error.allowed)
        dialect = dialect_of(app.current_event.path)
        rid = request_id()
        if dialect is Dialect.ANTHROPIC:
            return Response(status, JSON_TYPE, to_json(anthropic_body(error, rid)), {**headers, "request-id": rid})
        if dialect is Dialect.JSONRPC:
            return Response(status, JSON_TYPE, to_json(jsonrpc_body(error)), headers)
        return Response(status, JSON_TYPE, to_json(openai_body(error)), headers)

    def not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        if event.path_parameters:
            # API Gateway routed this to a route with a path parameter, but the rawPath it hands over is
            # decoded, so an id holding an encoded "/" or "?" no longer fits the resolver's pattern. Those
            # routes all name a model: it is a model that does not exist.
            return render_error(ModelNotFoundError(next(iter(event.path_parameters.values()))))
        method, path = event.request_context.http.method, event.path
        allowed = allowed_methods(path)  # what the $default route brings: no route for this method
        if allowed:
            return render_error(MethodNotAllowedError(method, path, tuple(allowed)))
        return render_error(RouteNotFoundError(method, path))

    def invalid_request(error: RequestValidationError) -> Response[str]:
        return render_error(invalid_request_error(error))

    app.exception_handler(Exception)(render_error)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.not_found(not_found)
    return app
