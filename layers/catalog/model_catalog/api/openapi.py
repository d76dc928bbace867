"""The OpenAPI 3.1 description of this API, generated from what serves it: the route table (the paths,
with the prefixes of this deployment, the Anthropic models routes only when they are on), the pydantic
models (query parameters from api/params.py; response bodies below, which tests hold against what
api/views.py and api/errors.py really return) and the MCP tools (their input schemas are the arguments
of ``tools/call`` in ``POST /mcp``'s JSON-RPC body).

``GET /openapi.json`` serves it; ``docs/openapi.json`` is the copy for the default prefixes
(``make openapi`` writes it, a test keeps it current). ``endpoints(routes)`` is the same list for the
code: which methods a path answers (a 405) and which paths exist (else a 404)."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

from model_catalog.api.mcp import SUPPORTED_VERSIONS, VERSION_HEADER
from model_catalog.api.mcp_tools import Tool, select_tools
from model_catalog.api.params import AnthropicListQuery, SearchQuery
from model_catalog.domain.modalities import INPUT_MODALITIES, OUTPUT_MODALITIES
from model_catalog.domain.routes import MCP_PATH, RouteTable

TITLE = "Amazon Bedrock model catalog"
VERSION = "1.0.0"
OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
CATALOG_PAGE_PATH = "/"

Dialect = Literal["anthropic", "openai", "jsonrpc"]


# --- bodies ----------------------------------------------------------------------------------------------


class _Body(BaseModel):
    # Extra fields are forbidden so that the tests notice a field the views add and this file lacks.
    model_config = ConfigDict(extra="forbid")


class AnthropicModelInfo(_Body):
    type: Literal["model"]
    id: str
    display_name: str
    created_at: str
    regions: list[str]
    inference_profiles: list[str]


class AnthropicModelPage(_Body):
    data: list[AnthropicModelInfo]
    first_id: str | None
    last_id: str | None
    has_more: bool


class OpenAIModel(_Body):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class OpenAIModelList(_Body):
    object: Literal["list"]
    data: list[OpenAIModel]


class ModelDetails(_Body):
    id: str
    name: str
    provider: str
    input_modalities: list[str]
    output_modalities: list[str]
    supported_routes: list[str]
    supported_mcp_tools: list[str]
    regions: list[str]
    response_streaming: bool
    legacy: bool
    inference_profiles: list[str]
    created_at: str
    aliases: list[str]
    on_demand_regions: list[str]


class AnthropicErrorDetail(_Body):
    type: Literal["invalid_request_error", "authentication_error", "not_found_error", "api_error", "overloaded_error"]
    message: str


class AnthropicError(_Body):
    type: Literal["error"]
    error: AnthropicErrorDetail
    request_id: str


class OpenAIErrorDetail(_Body):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIError(_Body):
    error: OpenAIErrorDetail


class JsonRpcErrorDetail(_Body):
    code: int
    message: str
    data: Any = None


class JsonRpcError(_Body):
    jsonrpc: Literal["2.0"]
    id: str | int | None
    error: JsonRpcErrorDetail


class JsonRpcResult(_Body):
    jsonrpc: Literal["2.0"]
    id: str | int
    result: dict[str, Any]


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    AnthropicModelPage,
    AnthropicModelInfo,
    OpenAIModelList,
    OpenAIModel,
    ModelDetails,
    AnthropicError,
    OpenAIError,
    JsonRpcError,
    JsonRpcResult,
)
_ERROR_BODY: dict[Dialect, type[BaseModel]] = {
    "anthropic": AnthropicError,
    "openai": OpenAIError,
    "jsonrpc": JsonRpcError,
}


# --- what the API serves ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # an OpenAPI template: {model_id}
    operation_id: str
    summary: str
    tag: str
    dialect: Dialect
    body: type[BaseModel] | None = None  # the 200 body; None: the operation builds its own
    query: type[BaseModel] | None = None
    array_body: bool = False
    errors: tuple[int, ...] = (401, 503)
    refuses: bool = False  # deployed only to answer 405 (GET and DELETE /mcp: no stream, no session)
    open: bool = False  # no API key (the document and the page)

    def matches(self, path: str) -> bool:
        return _template_regex(self.path).fullmatch(path) is not None

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def endpoints(routes: RouteTable) -> tuple[Endpoint, ...]:
    """Every operation of the HTTP API in this configuration."""
    found: list[Endpoint] = []
    anthropic_list = routes.tool("anthropic_model_list")
    if anthropic_list is not None:
        found += [
            Endpoint(
                "GET",
                anthropic_list.path,
                "list_anthropic_models",
                "List Anthropic models",
                "Anthropic",
                "anthropic",
                AnthropicModelPage,
                AnthropicListQuery,
                errors=(400, 401, 503),
            ),
            Endpoint(
                "GET",
                anthropic_list.path + "/{model_id}",
                "get_anthropic_model",
                "Get Anthropic model",
                "Anthropic",
                "anthropic",
                AnthropicModelInfo,
                errors=(401, 404, 503),
            ),
        ]
    openai_list = routes.tool("openai_model_list")
    if openai_list is not None:
        found += [
            Endpoint(
                "GET", openai_list.path, "list_openai_models", "List OpenAI models", "OpenAI", "openai", OpenAIModelList
            ),
            Endpoint(
                "GET",
                openai_list.path + "/{model}",
                "get_openai_model",
                "Get OpenAI model",
                "OpenAI",
                "openai",
                OpenAIModel,
                errors=(401, 404, 503),
            ),
        ]
    search = routes.tool("search_models")
    if search is not None:
        found.append(
            Endpoint(
                "GET",
                search.path,
                "search_models",
                "Search models",
                "Search",
                "openai",
                ModelDetails,
                SearchQuery,
                array_body=True,
                errors=(400, 401, 503),
            )
        )
    found.append(
        Endpoint("POST", MCP_PATH, "mcp", "Model Context Protocol", "MCP", "jsonrpc", errors=(400, 401, 406, 415, 503))
    )
    found += [
        Endpoint(m, MCP_PATH, f"mcp_{m.lower()}", f"Model Context Protocol ({m})", "MCP", "jsonrpc", refuses=True)
        for m in ("GET", "DELETE")
    ]
    found += [
        Endpoint("GET", OPENAPI_PATH, "openapi", "This document", "Docs", "openai", open=True),
        Endpoint("GET", DOCS_PATH, "docs", "Try the API in a browser", "Docs", "openai", open=True),
        Endpoint("GET", CATALOG_PAGE_PATH, "catalog_page", "The catalog in a browser", "Docs", "openai", open=True),
    ]
    return tuple(found)


def allowed_methods(routes: RouteTable, path: str) -> tuple[str, ...]:
    """The methods some operation answers at ``path`` (empty: no such path)."""
    return tuple(dict.fromkeys(e.method for e in endpoints(routes) if e.matches(path) and not e.refuses))


# --- the document --------------------------------------------------------------------------------------

_PARAMETER_DOCS = {
    "limit": "Page size, 1 to 1000.",
    "after_id": "Return the page right after this model id.",
    "before_id": "Return the page right before this model id (not together with after_id).",
    "input_modalities": f"Every one of these input modalities ({', '.join(INPUT_MODALITIES)}); case-insensitive.",
    "output_modalities": f"Every one of these output modalities ({', '.join(OUTPUT_MODALITIES)}); case-insensitive.",
    "route": "Supports this route, by path or MCP tool name (see supported_routes / supported_mcp_tools).",
    "region": "Available in this configured region.",
    "streaming": "Supports response streaming: true or false.",
    "legacy": "Is (true) or is not (false) a legacy model.",
}
_ARRAY_DOC = " Repeated (?x=a&x=b) or comma-separated (?x=a,b): every value must hold; an empty value is no filter."

_HEADERS: dict[str, dict[str, Any]] = {
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
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 with no body when the answer is unchanged.",
}
_MCP_VERSION = {
    "name": VERSION_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        f"The protocol revision spoken ({', '.join(SUPPORTED_VERSIONS)}); without it 2025-03-26. "
        "initialize negotiates in its body instead."
    ),
}
_ERROR_DESCRIPTIONS = {
    400: "Invalid request: the message names the parameter and what it takes",
    401: "Missing or wrong API key",
    404: "Not found",
    405: "The path exists, the method does not (see Allow)",
    406: "The client does not accept application/json",
    415: "The body is not application/json",
    503: "No region could be read and no cached data is young enough (see Retry-After)",
}


def build_openapi(
    routes: RouteTable,
    server_url: str = "/",
    *,
    regions: Sequence[str] = (),
    mcp_tools: Sequence[Tool] | None = None,
) -> dict[str, Any]:
    """The document for this route table (its prefixes decide the paths). ``regions`` (the configured
    ones) narrow the region filter to what the deployment accepts; ``mcp_tools`` are the offered tools
    (default: every tool of the route table)."""
    tools = select_tools(routes, regions) if mcp_tools is None else mcp_tools
    vocabularies: dict[str, list[str]] = {
        "input_modalities": list(INPUT_MODALITIES),
        "output_modalities": list(OUTPUT_MODALITIES),
        "route": list(routes.names()),
    }
    if regions:
        vocabularies["region"] = list(regions)
    paths: dict[str, Any] = {}
    for endpoint in endpoints(routes):
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, vocabularies)
    _, schemas = models_json_schema(
        [(model, "serialization") for model in RESPONSE_MODELS], ref_template="#/components/schemas/{model}"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "The Amazon Bedrock models this account can call, in the dialects of the Anthropic and OpenAI "
                "Models APIs, a capability search, and MCP. Send the API key as x-api-key or "
                "Authorization: Bearer. Errors speak the dialect of their route: Anthropic's under the "
                "Anthropic prefix, JSON-RPC on /mcp, OpenAI's elsewhere."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"ApiKey": []}, {"Bearer": []}],
        "paths": paths,
        "components": {
            "schemas": {**schemas["$defs"], **_jsonrpc_request_schemas(tools)},
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def _operation(endpoint: Endpoint, vocabularies: Mapping[str, list[str]]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "operationId": endpoint.operation_id,
    }
    if endpoint.open:
        operation["security"] = []
        if endpoint.path in (DOCS_PATH, CATALOG_PAGE_PATH):
            page = {"content": {"text/html": {"schema": {"type": "string"}}}}
            operation["responses"] = {"200": {"description": "HTML", **page}}
        else:
            operation["responses"] = {"200": _json({"type": "object"}, "OpenAPI 3.1")}
        return operation
    if endpoint.refuses:
        operation["description"] = "The server is stateless: no event stream to open, no session to end."
        operation["responses"] = {str(s): _error_response("jsonrpc", s) for s in (401, 405)}
        return operation
    responses: dict[str, Any] = {}
    if endpoint.dialect == "jsonrpc":
        operation["description"] = "MCP over Streamable HTTP, stateless, JSON responses (JSON-RPC 2.0)."
        operation["parameters"] = [_MCP_VERSION]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JsonRpcBody"}}},
        }
        answer = {"oneOf": [_ref(JsonRpcResult), _ref(JsonRpcError)]}
        responses["200"] = _json(
            {"oneOf": [answer, {"type": "array", "items": answer}]},
            "The JSON-RPC response: a result, or an error for a method the request got wrong (a tool's own "
            "failure is a result with isError: true); an array for a batch",
        )
        responses["202"] = {"description": "Only notifications came: accepted, no body"}
    else:
        parameters = [_path_parameter(name) for name in endpoint.path_parameters]
        if endpoint.query is not None:
            parameters += _query_parameters(endpoint.query, vocabularies)
        operation["parameters"] = [*parameters, _IF_NONE_MATCH]
        body = _ref(endpoint.body) if endpoint.body is not None else {"type": "object"}
        headers = {name: _HEADERS[name] for name in ("ETag", "Cache-Control", "x-catalog-stale", "x-catalog-age")}
        if endpoint.dialect == "anthropic":
            headers["request-id"] = _HEADERS["request-id"]
        responses["200"] = {
            **_json({"type": "array", "items": body} if endpoint.array_body else body, "OK"),
            "headers": headers,
        }
        responses["304"] = {"description": "Not modified"}
    for status in (*endpoint.errors, 405):
        responses[str(status)] = _error_response(endpoint.dialect, status)
    operation["responses"] = responses
    return operation


def _error_response(dialect: Dialect, status: int) -> dict[str, Any]:
    response = _json(_ref(_ERROR_BODY[dialect]), _ERROR_DESCRIPTIONS[status])
    headers = {}
    if dialect == "anthropic":
        headers["request-id"] = _HEADERS["request-id"]
    if status == 405:
        headers["allow"] = _HEADERS["allow"]
    if status == 503:
        headers["retry-after"] = _HEADERS["retry-after"]
    if headers:
        response["headers"] = headers
    return response


def _query_parameters(model: type[BaseModel], vocabularies: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    properties: dict[str, Any] = model.model_json_schema()["properties"]
    parameters = []
    for name, field in properties.items():
        schema = _without_null({k: v for k, v in field.items() if k != "title"})
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
        description = _PARAMETER_DOCS.get(name, "")
        values = vocabularies.get(name)
        if schema.get("type") == "array":
            schema.pop("default", None)
            if values:
                schema["items"] = {"type": "string", "enum": [*values, ""]}  # "": an empty value, no filter
            elif schema.get("items", {}).get("type") == "boolean":
                schema["minItems"] = 1  # ?streaming= is neither true nor false: a 400
            # Repeated or comma-separated: the same to the API (API Gateway joins repeats with commas).
            parameter.update(style="form", explode=True)
            description += _ARRAY_DOC
        elif values:
            schema["enum"] = values
        if description:
            parameter["description"] = description.strip()
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``X | None`` with default None is an optional parameter of type X."""
    options = schema.get("anyOf")
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
            return {**kept[0], **rest}
    return schema


def _path_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "description": "A model id, an inference profile id, or an alias.",
    }


def _jsonrpc_request_schemas(tools: Sequence[Tool]) -> dict[str, Any]:
    """What an MCP client posts: one JSON-RPC request or notification, or a batch of them. What the
    server reads, no more: tools/call's arguments are each tool's own input schema."""
    request_id = {"oneOf": [{"type": "string"}, {"type": "integer"}]}

    def request(method: str, params: dict[str, Any], required: bool) -> dict[str, Any]:
        # Optional params may come as null: taken as none, as the server does.
        properties: dict[str, Any] = {
            "jsonrpc": {"const": "2.0"},
            "id": request_id,
            "method": {"const": method},
            "params": params if required else {"anyOf": [params, {"type": "null"}]},
        }
        return {
            "type": "object",
            "properties": properties,
            "required": ["jsonrpc", "id", "method", *(["params"] if required else [])],
        }

    calls = [
        {
            "type": "object",
            "properties": {"name": {"const": tool.name}, "arguments": _null_leaves_out(tool.input_schema)},
            "required": ["name"],
        }
        for tool in tools
    ]
    # It negotiates any protocolVersion; capabilities and clientInfo are welcome and not read.
    initialize = {
        "type": "object",
        "properties": {"protocolVersion": {"type": "string", "examples": list(SUPPORTED_VERSIONS)}},
        "required": ["protocolVersion"],
    }
    notification = {
        "type": "object",
        "properties": {"jsonrpc": {"const": "2.0"}, "method": {"const": "notifications/initialized"}},
        "required": ["jsonrpc", "method"],
    }
    messages = ["McpInitialize", "McpInitialized", "McpPing", "McpToolsList", "McpToolsCall"]
    return {
        "JsonRpcBody": {
            "oneOf": [
                {"$ref": "#/components/schemas/JsonRpcMessage"},
                {"type": "array", "items": {"$ref": "#/components/schemas/JsonRpcMessage"}, "minItems": 1},
            ]
        },
        "JsonRpcMessage": {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in messages]},
        "McpInitialize": request("initialize", initialize, True),
        "McpInitialized": notification,
        "McpPing": request("ping", {"type": "object"}, False),
        "McpToolsList": request("tools/list", {"type": "object"}, False),
        "McpToolsCall": request("tools/call", {"oneOf": calls}, True),
    }


def _null_leaves_out(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The server takes null for the arguments, or for one argument, as leaving it out (agents send it)."""
    given = arguments.get("properties", {})
    properties = {name: {"anyOf": [schema, {"type": "null"}]} for name, schema in given.items()}
    return {"anyOf": [{**arguments, "properties": properties}, {"type": "null"}]}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    # A path parameter is one non-empty segment, as API Gateway matches {name}.
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)))


def default_document() -> dict[str, Any]:
    """The document for the default settings: the copy checked in as docs/openapi.json."""
    from model_catalog.settings import Settings  # noqa: PLC0415

    settings = Settings.from_environ({})
    return build_openapi(RouteTable.build(settings.anthropic_routes_prefix, settings.openai_routes_prefix))


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(default_document()))
