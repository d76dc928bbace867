"""Every operation of the HTTP API, declared once: a Powertools route with its path, method, query model,
response model, the errors it answers and its OpenAPI metadata. From these come the functions' routes
(``FUNCTIONS``: which routers each function mounts, under which prefix), the OpenAPI document
(api/openapi.py), the methods a 405 lists and the paths of the route table.

A router is made by a function, not kept in a module global: a Powertools router belongs to the one
resolver that includes it, and several functions (the local server, the tests) share a process.

- A new route: a decorated function in a router here (in a router of its own for a new function, listed
  in ``FUNCTIONS``, with ``functions/<name>/app.py`` = ``make_handler("<name>")`` and its event in
  template.yaml; tests/template/test_declarations.py holds the two together).
- A new query parameter: a field of the route's query model (api/params.py). Validation, the 400, the
  OpenAPI parameter and the MCP argument follow from it."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentModel,
    OpenAPIResponseHeader,
)
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from model_catalog.api import bodies, fact_bodies, operations
from model_catalog.api.errors import Dialect
from model_catalog.api.http import JSON_TYPE, as_sent, json_response, request_body
from model_catalog.api.params import AnthropicListQuery, SearchQuery
from model_catalog.domain.routes import MCP_PATH, STATUS_PATH, RouteTable
from model_catalog.errors import MethodNotAllowedError
from model_catalog.service import CatalogState

OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
CATALOG_PAGE_PATH = "/"

_ERROR_DESCRIPTIONS = {
    400: "Invalid request: the message names the parameter and what it takes",
    401: "Missing or wrong API key",
    404: "Not found",
    405: "The path exists, the method does not (see Allow)",
    406: "The client does not accept application/json",
    415: "The body is not application/json",
    503: "No region could be read and no cached data is young enough (see Retry-After)",
}

_HEADERS: dict[str, OpenAPIResponseHeader] = {
    "ETag": {"description": "Weak validator of the body; send it back as If-None-Match.", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
    "x-catalog-stale": {
        "description": "Present (true) when some region's data is older than MODEL_CACHE_SECONDS.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "x-catalog-age": {
        "description": "With x-catalog-stale: seconds since the oldest region's data was fetched.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "request-id": {"description": "Names the request in the service's logs.", "schema": {"type": "string"}},
    "retry-after": {"description": "Seconds until the service tries Bedrock again.", "schema": {"type": "string"}},
    "allow": {"description": "The methods this path answers.", "schema": {"type": "string"}},
}
_FRESHNESS_HEADERS = ("ETag", "Cache-Control", "x-catalog-stale", "x-catalog-age")
_STATUS_HEADERS = {405: ("allow",), 503: ("retry-after",)}


class Prefix(enum.Enum):
    """Where a router is mounted: under ANTHROPIC_ROUTES_PREFIX, OPENAI_ROUTES_PREFIX, or at the root."""

    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    ROOT = "root"


def answers(dialect: Dialect, body: Any, *errors: int) -> dict[int, OpenAPIResponse]:
    """The OpenAPI responses of an operation, with the headers api/http.py sends: its 200 ``body`` (a
    model, or None: the operation says itself) and each error status in the error body of its dialect.
    Every operation can answer 405."""
    request_id = {"request-id": _HEADERS["request-id"]} if dialect is Dialect.ANTHROPIC else {}
    responses: dict[int, OpenAPIResponse] = {}
    if body is not None:
        responses[200] = {
            "description": "OK",
            "content": {JSON_TYPE: OpenAPIResponseContentModel(model=body)},
            "headers": {**{name: _HEADERS[name] for name in _FRESHNESS_HEADERS}, **request_id},
        }
    for status in (*errors, 405):
        error = OpenAPIResponseContentModel(model=bodies.ERROR_BODY[dialect])
        responses[status] = {"description": _ERROR_DESCRIPTIONS[status], "content": {JSON_TYPE: error}}
        headers = {**request_id, **{name: _HEADERS[name] for name in _STATUS_HEADERS.get(status, ())}}
        if headers:
            responses[status]["headers"] = headers
    return responses


def _router() -> APIGatewayHttpRouter:
    return APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools' __init__ has no annotations


State = Callable[[], CatalogState]  # the catalog a request answers from (Runtime.state)


def answer(state: State, operation: Callable[..., Any], *args: Any) -> Response[str]:
    """``operation(catalog state, *args)`` as a JSON response, with the staleness headers of that state."""
    current = state()
    return json_response(operation(current, *args), current)


def anthropic_list(state: State) -> APIGatewayHttpRouter:
    router = _router()

    @router.get(
        "/v1/models",
        summary="List Anthropic models",
        description="The available TEXT -> TEXT models, newest first, in the Anthropic Models API's shape.",
        tags=["Anthropic"],
        operation_id="list_anthropic_models",
        responses=answers(Dialect.ANTHROPIC, bodies.AnthropicModelPage, 400, 401, 503),
        middlewares=[as_sent(AnthropicListQuery)],
    )
    def list_anthropic_models(query: Annotated[AnthropicListQuery, Query()]) -> Response[str]:
        return answer(state, operations.list_anthropic_models, query)

    return router


def anthropic_get(state: State) -> APIGatewayHttpRouter:
    router = _router()

    @router.get(
        "/v1/models/<model_id>",
        summary="Get Anthropic model",
        description="One model by id, inference profile id or alias.",
        tags=["Anthropic"],
        operation_id="get_anthropic_model",
        responses=answers(Dialect.ANTHROPIC, bodies.AnthropicModelInfo, 401, 404, 503),
    )
    def get_anthropic_model(model_id: str) -> Response[str]:
        return answer(state, operations.get_anthropic_model, model_id)

    return router


def openai_list(state: State) -> APIGatewayHttpRouter:
    router = _router()

    @router.get(
        "/v1/models",
        summary="List OpenAI models",
        description="Every available model, sorted by id, in the OpenAI Models API's shape.",
        tags=["OpenAI"],
        operation_id="list_openai_models",
        responses=answers(Dialect.OPENAI, bodies.OpenAIModelList, 401, 503),
    )
    def list_openai_models() -> Response[str]:
        return answer(state, operations.list_openai_models)

    return router


def openai_get(state: State) -> APIGatewayHttpRouter:
    router = _router()

    @router.get(
        "/v1/models/<model>",
        summary="Get OpenAI model",
        description="One model by id, inference profile id or alias.",
        tags=["OpenAI"],
        operation_id="get_openai_model",
        responses=answers(Dialect.OPENAI, bodies.OpenAIModel, 401, 404, 503),
    )
    def get_openai_model(model: str) -> Response[str]:
        return answer(state, operations.get_openai_model, model)

    return router


def search_and_status(state: State) -> APIGatewayHttpRouter:
    router = _router()

    @router.get(
        "/search_models",
        summary="Search models",
        description="The available models that hold every filter given, with what each supports.",
        tags=["Search"],
        operation_id="search_models",
        responses=answers(Dialect.OPENAI, list[bodies.ModelDetails], 400, 401, 503),
        middlewares=[as_sent(SearchQuery)],
    )
    def search_models(query: Annotated[SearchQuery, Query()]) -> Response[str]:
        return answer(state, operations.search_models, query)

    @router.get(
        STATUS_PATH,
        summary="Catalog status",
        description=(
            "What the catalog serves and how fresh: its source, each configured region's last good read "
            "(fetched_at, age_seconds, stale), its models and last failed read, the model count, and the "
            "provenance of the model facts; access: when this account's access was last checked and how many "
            "models it can call (null with ACCESS_CHECK off)."
        ),
        tags=["Status"],
        operation_id="catalog_status",
        responses=answers(Dialect.OPENAI, fact_bodies.CatalogStatus, 401, 503),
    )
    def catalog_status() -> Response[str]:
        return answer(state, operations.catalog_status)

    return router


def offered_tools() -> Sequence[Any]:
    """The MCP tools this deployment offers; an unknown name in MCP_INCLUDE_TOOLS/EXCLUDE stops the cold start."""
    from model_catalog.api.mcp_tools import select_tools  # noqa: PLC0415
    from model_catalog.runtime import runtime  # noqa: PLC0415

    rt = runtime()
    settings = rt.settings
    return select_tools(rt.routes, rt.service.regions, settings.mcp_include_tools, settings.mcp_exclude_tools)


def mcp(state: State) -> APIGatewayHttpRouter:
    # Imported here: only the MCP function needs the endpoint and its tools.
    from model_catalog.api.mcp import McpEndpoint  # noqa: PLC0415

    @functools.cache
    def endpoint() -> McpEndpoint:
        return McpEndpoint(offered_tools(), state)

    router = _router()

    @router.post(
        MCP_PATH,
        summary="Model Context Protocol",
        description="MCP over Streamable HTTP, stateless, JSON responses (JSON-RPC 2.0).",
        tags=["MCP"],
        operation_id="mcp",
        responses={
            202: {"description": "Only notifications came: accepted, no body"},
            **answers(Dialect.JSONRPC, None, 400, 401, 406, 415, 503),
        },
    )
    def call_mcp() -> Response[Any]:  # Any: a 202 has no body
        reply = endpoint().handle(request_body(router.current_event), router.current_event.headers)
        if reply.body is None:
            return Response(status_code=reply.status)
        return json_response(reply.body, status=reply.status)

    for method in ("GET", "DELETE"):

        @router.route(
            MCP_PATH,
            method=method,
            summary=f"Model Context Protocol ({method})",
            description="The server is stateless: no event stream to open, no session to end.",
            tags=["MCP"],
            operation_id=f"mcp_{method.lower()}",
            responses=answers(Dialect.JSONRPC, None, 401),
        )
        def no_session() -> Response[str]:
            raise MethodNotAllowedError(router.current_event.request_context.http.method, MCP_PATH, ("POST",))

    return router


def docs(state: State) -> APIGatewayHttpRouter:
    # Imported here: only the docs function serves the document and the pages.
    from model_catalog.api.openapi import served_document  # noqa: PLC0415
    from model_catalog.api.page import CATALOG_PAGE, DOCS_PAGE  # noqa: PLC0415

    router = _router()
    document = functools.cache(served_document)  # made on first request, once per container

    @router.get(
        OPENAPI_PATH,
        summary="This document",
        tags=["Docs"],
        operation_id="openapi",
        security=[],
        responses={200: {"description": "OpenAPI 3.1", "content": {JSON_TYPE: {"schema": {"type": "object"}}}}},
    )
    def openapi() -> Response[str]:
        return Response(200, JSON_TYPE, document())

    html: dict[int, OpenAPIResponse] = {
        200: {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}
    }

    @router.get(
        DOCS_PATH, summary="Try the API in a browser", tags=["Docs"], operation_id="docs", security=[], responses=html
    )
    def docs_page() -> Response[str]:
        return DOCS_PAGE.response()

    @router.get(
        CATALOG_PAGE_PATH,
        summary="The catalog in a browser",
        tags=["Docs"],
        operation_id="catalog_page",
        security=[],
        responses=html,
    )
    def catalog_page() -> Response[str]:
        return CATALOG_PAGE.response()

    return router


@dataclass(frozen=True, slots=True)
class Mount:
    routes: Callable[[State], APIGatewayHttpRouter]
    prefix: Prefix = Prefix.ROOT
    open: bool = False  # no API key (the document and the page: a browser cannot send one to load them)
    cold_start: Callable[[], object] | None = None  # checks what the settings choose, before any request


def prefix_of(routes: RouteTable, prefix: Prefix) -> str | None:
    """Where a router is mounted in this configuration; None when its routes are off (the Anthropic
    models routes, with equal prefixes)."""
    if prefix is Prefix.ANTHROPIC:
        return routes.anthropic_prefix if routes.anthropic_models_enabled else None
    if prefix is Prefix.OPENAI:
        return routes.openai_prefix
    return ""


def mount(
    app: APIGatewayHttpResolver, mounts: Sequence[Mount], routes: RouteTable, state: State
) -> APIGatewayHttpResolver:
    for each in mounts:
        prefix = prefix_of(routes, each.prefix)
        if prefix is not None:
            app.include_router(each.routes(state), prefix=prefix or None)
    return app


# What each function (functions/<name>/app.py) serves; template.yaml routes the same paths to it.
FUNCTIONS: dict[str, tuple[Mount, ...]] = {
    "list_models": (Mount(anthropic_list, Prefix.ANTHROPIC), Mount(openai_list, Prefix.OPENAI)),
    "get_model": (Mount(anthropic_get, Prefix.ANTHROPIC), Mount(openai_get, Prefix.OPENAI)),
    "search_models": (Mount(search_and_status),),
    "mcp_server": (Mount(mcp, cold_start=offered_tools),),
    "docs": (Mount(docs, open=True),),
}
