"""The OpenAPI 3.1 description of this API, generated from the route table (the paths, with the prefixes
of this deployment) and the pydantic models (query parameters from api/params.py; response bodies
below, which tests hold against what api/views.py really returns).

``GET /openapi.json`` serves it; ``docs/openapi.json`` is the copy for the default prefixes
(``make openapi`` writes it, a test keeps it current)."""

from __future__ import annotations

import json
import sys
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

from model_catalog.api.mcp import MCP_PATH
from model_catalog.api.params import AnthropicListQuery, SearchQuery
from model_catalog.domain.modalities import INPUT_MODALITIES, OUTPUT_MODALITIES
from model_catalog.domain.routes import RouteTable

TITLE = "Amazon Bedrock model catalog"
VERSION = "1.0.0"
OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"


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


class AnthropicErrorDetail(_Body):
    type: str
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


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    AnthropicModelPage,
    AnthropicModelInfo,
    OpenAIModelList,
    OpenAIModel,
    ModelDetails,
    AnthropicError,
    OpenAIError,
)

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


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    parameters = []
    for name, field in schema["properties"].items():
        prop = {k: v for k, v in field.items() if k != "title"}
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if prop.get("type") == "array":
            # Repeated (?route=a&route=b) or comma-separated (?route=a,b): the same to the API.
            parameter.update(style="form", explode=True)
        if name in _PARAMETER_DOCS:
            parameter["description"] = _PARAMETER_DOCS[name]
        parameters.append(parameter)
    return parameters


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_CACHE_HEADERS = {
    "ETag": {"description": "Weak validator of the body; send it back as If-None-Match.", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
    "x-catalog-stale": {
        "description": "Present (true) when the catalog is older than MODEL_CACHE_SECONDS.",
        "schema": {"type": "string"},
    },
}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 with no body when the answer is unchanged.",
}


def _get(
    summary: str,
    *,
    tag: str,
    ok: dict[str, Any],
    error: type[BaseModel],
    parameters: list[dict[str, Any]],
    statuses: tuple[int, ...],
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {**ok, "headers": _CACHE_HEADERS}, "304": {"description": "Not modified"}}
    descriptions = {400: "Invalid request", 401: "Missing or wrong API key", 404: "Not found", 503: "Unavailable"}
    for status in statuses:
        responses[str(status)] = _json(_ref(error), descriptions[status])
    return {
        "summary": summary,
        "tags": [tag],
        "operationId": summary.lower().replace(" ", "_"),
        "parameters": [*parameters, _IF_NONE_MATCH],
        "responses": responses,
    }


def build_openapi(routes: RouteTable, server_url: str = "/") -> dict[str, Any]:
    """The document for this route table (its prefixes decide the paths)."""
    paths: dict[str, Any] = {}
    anthropic_list = routes.tool("anthropic_model_list")
    if anthropic_list is not None:
        paths[anthropic_list.path] = {
            "get": _get(
                "List Anthropic models",
                tag="Anthropic",
                ok=_json(_ref(AnthropicModelPage), "A page of text models, newest first"),
                error=AnthropicError,
                parameters=_query_parameters(AnthropicListQuery),
                statuses=(400, 401, 503),
            )
        }
        paths[anthropic_list.path + "/{model_id}"] = {
            "get": _get(
                "Get Anthropic model",
                tag="Anthropic",
                ok=_json(_ref(AnthropicModelInfo), "One model"),
                error=AnthropicError,
                parameters=[_path_parameter("model_id", "A model id, an inference profile id, or an alias.")],
                statuses=(401, 404, 503),
            )
        }
    openai_list = routes.tool("openai_model_list")
    if openai_list is not None:
        paths[openai_list.path] = {
            "get": _get(
                "List OpenAI models",
                tag="OpenAI",
                ok=_json(_ref(OpenAIModelList), "Every available model, by id"),
                error=OpenAIError,
                parameters=[],
                statuses=(401, 503),
            )
        }
        paths[openai_list.path + "/{model}"] = {
            "get": _get(
                "Get OpenAI model",
                tag="OpenAI",
                ok=_json(_ref(OpenAIModel), "One model"),
                error=OpenAIError,
                parameters=[_path_parameter("model", "A model id, an inference profile id, or an alias.")],
                statuses=(401, 404, 503),
            )
        }
    search = routes.tool("search_models")
    if search is not None:
        paths[search.path] = {
            "get": _get(
                "Search models",
                tag="Search",
                ok=_json({"type": "array", "items": _ref(ModelDetails)}, "Matching models, by id"),
                error=OpenAIError,
                parameters=_query_parameters(SearchQuery),
                statuses=(400, 401, 503),
            )
        }
    paths[MCP_PATH] = {
        "post": {
            "summary": "Model Context Protocol",
            "description": "MCP over Streamable HTTP, stateless, JSON responses (JSON-RPC 2.0).",
            "tags": ["MCP"],
            "operationId": "mcp",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": _json({"type": "object"}, "JSON-RPC response"), "401": {"description": "No key"}},
        },
        **{
            method: {
                "summary": f"Model Context Protocol ({method.upper()})",
                "description": "The server is stateless: no event stream to open, no session to end.",
                "tags": ["MCP"],
                "operationId": f"mcp_{method}",
                "responses": {"405": {"description": "Method not allowed (Allow: POST)"}},
            }
            for method in ("get", "delete")
        },
    }
    paths[OPENAPI_PATH] = {
        "get": {
            "summary": "This document",
            "tags": ["Docs"],
            "operationId": "openapi",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
        }
    }
    paths[DOCS_PATH] = {
        "get": {
            "summary": "Try the API in a browser",
            "tags": ["Docs"],
            "operationId": "docs",
            "security": [],
            "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
        }
    }
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
                "Authorization: Bearer."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"ApiKey": []}, {"Bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def default_document() -> dict[str, Any]:
    """The document for the default settings: the copy checked in as docs/openapi.json."""
    from model_catalog.settings import Settings  # noqa: PLC0415

    settings = Settings.from_environ({})
    return build_openapi(RouteTable.build(settings.anthropic_routes_prefix, settings.openai_routes_prefix))


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(default_document()))
