"""The HTTP API as an OpenAPI 3.1 document, generated from what serves it: the route table gives the
paths (prefixes applied, the Anthropic models routes present only when they are on), the query models
of ``api/params.py`` give the parameters, and the models below give the bodies ``api/views.py`` and
``api/errors.py`` return (a contract test holds the two together).

``endpoints(routes)`` is the same list for the code: which methods a path answers (405 vs 404)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from model_catalog.api.mcp import SUPPORTED_VERSIONS, VERSION_HEADER
from model_catalog.api.mcp_tools import Tool, select_tools
from model_catalog.api.params import AnthropicListQuery, SearchQuery
from model_catalog.domain.modalities import INPUT_MODALITIES, OUTPUT_MODALITIES
from model_catalog.domain.routes import MCP_PATH, RouteTable

OPENAPI_VERSION = "3.1.0"
TITLE = "Amazon Bedrock model catalog"

Dialect = Literal["anthropic", "openai", "jsonrpc"]


# --- response bodies ------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="allow")  # clients must ignore fields they do not know


class AnthropicModelInfo(_Schema):
    """A model, as Anthropic's Models API describes one (regions and inference_profiles are extras)."""

    type: Literal["model"]
    id: str
    display_name: str
    created_at: datetime
    regions: list[str]
    inference_profiles: list[str]


class AnthropicModelPage(_Schema):
    data: list[AnthropicModelInfo]
    first_id: str | None
    last_id: str | None
    has_more: bool


class OpenAIModel(_Schema):
    id: str
    object: Literal["model"]
    created: int = Field(description="unix seconds of created_at")
    owned_by: str = Field(description="the provider")


class OpenAIModelList(_Schema):
    object: Literal["list"]
    data: list[OpenAIModel]


class ModelDetails(_Schema):
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
    created_at: datetime
    aliases: list[str]


class AnthropicErrorDetail(_Schema):
    type: Literal["invalid_request_error", "authentication_error", "not_found_error", "api_error", "overloaded_error"]
    message: str


class AnthropicError(_Schema):
    type: Literal["error"]
    error: AnthropicErrorDetail
    request_id: str


class OpenAIErrorDetail(_Schema):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIError(_Schema):
    error: OpenAIErrorDetail


class JsonRpcErrorDetail(_Schema):
    code: int
    message: str
    data: Any = None


class JsonRpcError(_Schema):
    jsonrpc: Literal["2.0"]
    id: str | int | None
    error: JsonRpcErrorDetail


class JsonRpcResult(_Schema):
    jsonrpc: Literal["2.0"]
    id: str | int
    result: dict[str, Any]


_BODIES: tuple[type[BaseModel], ...] = (
    AnthropicModelInfo,
    AnthropicModelPage,
    OpenAIModel,
    OpenAIModelList,
    ModelDetails,
    AnthropicError,
    OpenAIError,
    JsonRpcError,
    JsonRpcResult,
)
_ERROR_BODY: dict[Dialect, str] = {"anthropic": "AnthropicError", "openai": "OpenAIError", "jsonrpc": "JsonRpcError"}


# --- what the API serves ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # OpenAPI template: {model_id}
    operation_id: str
    summary: str
    dialect: Dialect
    body: str | None = None  # the 200 body's schema name; None: built by the caller (MCP)
    query: type[BaseModel] | None = None
    array_body: bool = False
    errors: tuple[int, ...] = (401, 503)
    refuses: bool = False  # deployed only to answer 405 (GET and DELETE /mcp: no stream, no session)

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
                "anthropic_model_list",
                "List the text models, newest first (Anthropic Models API)",
                "anthropic",
                "AnthropicModelPage",
                AnthropicListQuery,
                errors=(400, 401, 503),
            ),
            Endpoint(
                "GET",
                anthropic_list.path + "/{model_id}",
                "anthropic_model_get",
                "Get a model by id, inference profile id or alias (Anthropic Models API)",
                "anthropic",
                "AnthropicModelInfo",
                errors=(401, 404, 503),
            ),
        ]
    openai_list = routes.tool("openai_model_list")
    search = routes.tool("search_models")
    if openai_list is not None:
        found += [
            Endpoint(
                "GET",
                openai_list.path,
                "openai_model_list",
                "List every model (OpenAI Models API)",
                "openai",
                "OpenAIModelList",
            ),
            Endpoint(
                "GET",
                openai_list.path + "/{model}",
                "openai_model_get",
                "Get a model (OpenAI Models API)",
                "openai",
                "OpenAIModel",
                errors=(401, 404, 503),
            ),
        ]
    if search is not None:
        found.append(
            Endpoint(
                "GET",
                search.path,
                "search_models",
                "Find models by capability; filters combine with AND",
                "openai",
                "ModelDetails",
                SearchQuery,
                array_body=True,
                errors=(400, 401, 503),
            )
        )
    summary = "Model Context Protocol (Streamable HTTP, stateless, JSON responses)"
    found.append(Endpoint("POST", MCP_PATH, "mcp", summary, "jsonrpc", errors=(400, 401, 406, 415, 503)))
    refused = "Refused: a stateless server opens no event stream and keeps no session"
    found += [Endpoint(m, MCP_PATH, f"mcp_{m.lower()}", refused, "jsonrpc", refuses=True) for m in ("GET", "DELETE")]
    return tuple(found)


def allowed_methods(routes: RouteTable, path: str) -> tuple[str, ...]:
    """The methods some operation answers at ``path`` (empty: no such path)."""
    return tuple(dict.fromkeys(e.method for e in endpoints(routes) if e.matches(path) and not e.refuses))


# --- the document ------------------------------------------------------------------------------------


def openapi_document(
    routes: RouteTable,
    *,
    regions: Sequence[str] = (),
    mcp_tools: Sequence[Tool] | None = None,
    server_url: str | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of this configuration. ``regions`` (the configured ones) and
    ``mcp_tools`` (the offered ones; default: every tool of the route table) narrow the enumerations
    to what the deployment accepts."""
    tools = select_tools(routes, regions) if mcp_tools is None else mcp_tools
    vocabularies: dict[str, list[str]] = {
        "input_modalities": list(INPUT_MODALITIES),
        "output_modalities": list(OUTPUT_MODALITIES),
        "route": list(routes.names()),
    }
    if regions:
        vocabularies["region"] = list(regions)
    _, defs = models_json_schema([(m, "serialization") for m in _BODIES], ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas.update(_jsonrpc_request_schemas(tools))
    paths: dict[str, Any] = {}
    for endpoint in endpoints(routes):
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, vocabularies)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": TITLE,
            "version": version,
            "description": (
                "Which Amazon Bedrock models this account can call, in the dialects of the Anthropic and "
                "OpenAI Models APIs, a capability search and MCP. Errors follow the dialect of the route: "
                "Anthropic's shape under the Anthropic prefix, OpenAI's elsewhere, JSON-RPC on /mcp. "
                "A response served from stale data carries x-catalog-stale and x-catalog-age."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
            },
            "headers": {
                "x-catalog-stale": {
                    "description": "present (true) when some region's data is past its fresh window",
                    "schema": {"type": "string", "enum": ["true"]},
                },
                "x-catalog-age": {
                    "description": "seconds since the oldest region's data was fetched; with x-catalog-stale",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                },
                "request-id": {"description": "identifies the request in the logs", "schema": {"type": "string"}},
                "retry-after": {"description": "seconds until the service tries again", "schema": {"type": "string"}},
                "allow": {"description": "the methods the path answers", "schema": {"type": "string"}},
            },
        },
        "security": [{"ApiKey": []}, {"Bearer": []}],
    }
    if server_url is not None:
        document["servers"] = [{"url": server_url}]
    return document


def _operation(endpoint: Endpoint, vocabularies: Mapping[str, list[str]]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in endpoint.path_parameters
    ]
    if endpoint.query is not None:
        parameters += _query_parameters(endpoint.query, vocabularies)
    operation: dict[str, Any] = {"operationId": endpoint.operation_id, "summary": endpoint.summary}
    if parameters:
        operation["parameters"] = parameters
    data_headers = {"x-catalog-stale": _header("x-catalog-stale"), "x-catalog-age": _header("x-catalog-age")}
    if endpoint.dialect == "anthropic":
        data_headers["request-id"] = _header("request-id")
    responses: dict[str, Any] = {}
    if endpoint.refuses:
        operation["responses"] = {"401": _error_response("jsonrpc", 401), "405": _error_response("jsonrpc", 405)}
        return operation
    if endpoint.dialect == "jsonrpc":
        operation["parameters"] = [
            {
                "name": VERSION_HEADER,
                "in": "header",
                "required": False,
                "description": (
                    f"the protocol revision of the session ({', '.join(SUPPORTED_VERSIONS)}); without it, "
                    "2025-03-26; initialize negotiates in its body and ignores it"
                ),
                "schema": {"type": "string"},
            }
        ]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("JsonRpcBody")}},
        }
        answer = {"oneOf": [_ref("JsonRpcResult"), _ref("JsonRpcError")]}
        responses["200"] = {
            "description": (
                "the JSON-RPC response: a result, or an error for a method the request got wrong (a tool's "
                "own failure is a result with isError: true); an array for a batch"
            ),
            "content": {"application/json": {"schema": {"oneOf": [answer, {"type": "array", "items": answer}]}}},
        }
        responses["202"] = {"description": "only notifications came: accepted, no body"}
    else:
        body = _ref(endpoint.body or "")
        schema = {"type": "array", "items": body} if endpoint.array_body else body
        responses["200"] = {
            "description": "OK",
            "headers": data_headers,
            "content": {"application/json": {"schema": schema}},
        }
    for status in (*endpoint.errors, 405):
        responses[str(status)] = _error_response(endpoint.dialect, status)
    operation["responses"] = responses
    return operation


_ERROR_DESCRIPTIONS = {
    400: "the request is invalid; the message names the parameter",
    401: "the API key is missing or wrong",
    404: "no model, inference profile or alias by that name",
    405: "the path exists; the method does not (see Allow)",
    406: "the client does not accept application/json",
    415: "the body is not application/json",
    503: "no region could be read and no cached data is young enough (see Retry-After)",
}


def _error_response(dialect: Dialect, status: int) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if dialect == "anthropic":
        headers["request-id"] = _header("request-id")
    if status == 405:
        headers["allow"] = _header("allow")
    if status == 503:
        headers["retry-after"] = _header("retry-after")
    response: dict[str, Any] = {
        "description": _ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": _ref(_ERROR_BODY[dialect])}},
    }
    if headers:
        response["headers"] = headers
    return response


def _query_parameters(model: type[BaseModel], vocabularies: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    properties: dict[str, Any] = model.model_json_schema()["properties"]
    parameters = []
    for name, field_schema in properties.items():
        schema = _without_null(field_schema)
        schema.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
        values = vocabularies.get(name)
        if schema.get("type") == "array":
            schema.pop("default", None)
            if values:
                # An empty value (?region=) is no filter: "" is accepted and ignored.
                schema["items"] = {"type": "string", "enum": [*values, ""]}
            elif schema.get("items", {}).get("type") == "boolean":
                schema["minItems"] = 1  # ?streaming= is not true or false: a 400
            # Comma-separated, as API Gateway also joins a repeated parameter.
            parameter.update(style="form", explode=False)
            parameter["description"] = "one or more values, comma-separated or repeated; every one must hold"
        elif values:
            schema["enum"] = values
        if name in ("input_modalities", "output_modalities", "streaming", "legacy"):
            parameter["description"] = parameter.get("description", "") + " (case-insensitive)"
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
    return dict(schema)


def _jsonrpc_request_schemas(tools: Sequence[Tool]) -> dict[str, Any]:
    """What an MCP client posts: one JSON-RPC request or notification, or a batch of them (accepted
    from 2025-03-26 clients). tools/call's arguments are each tool's own input schema."""
    request_id = {"oneOf": [{"type": "string"}, {"type": "integer"}]}

    def request(method: str, params: dict[str, Any] | None, required: bool) -> dict[str, Any]:
        properties: dict[str, Any] = {"jsonrpc": {"const": "2.0"}, "id": request_id, "method": {"const": method}}
        if params is not None:
            # Optional params may come as null: taken as none, as the server does.
            properties["params"] = params if required else {"anyOf": [params, {"type": "null"}]}
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
    # What the server reads, no more: it negotiates any protocolVersion and ignores what it does not use
    # (capabilities, clientInfo, a cursor: the tool list is one page).
    initialize = {
        "type": "object",
        "description": "capabilities and clientInfo are welcome and not read",
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
            "oneOf": [_ref("JsonRpcMessage"), {"type": "array", "items": _ref("JsonRpcMessage"), "minItems": 1}]
        },
        "JsonRpcMessage": {"oneOf": [_ref(name) for name in messages]},
        "McpInitialize": request("initialize", initialize, True),
        "McpInitialized": notification,
        "McpPing": request("ping", {"type": "object"}, False),
        "McpToolsList": request("tools/list", {"type": "object"}, False),
        "McpToolsCall": request("tools/call", {"oneOf": calls}, True),
    }


def _null_leaves_out(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The server takes null for the arguments, or for one argument, as leaving it out (agents do send it)."""
    properties = {
        name: {"anyOf": [schema, {"type": "null"}]} for name, schema in arguments.get("properties", {}).items()
    }
    return {"anyOf": [{**arguments, "properties": properties}, {"type": "null"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _header(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    # A path parameter is one non-empty segment, as API Gateway matches {name}.
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)))
