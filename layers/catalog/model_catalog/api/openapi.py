"""The OpenAPI 3.1 description of this API: Powertools' own document of the declared routes
(api/routes.py: paths with this deployment's prefixes, query and response models, errors, summaries),
completed with what Powertools cannot know: the vocabularies of the filters (modalities, routes, the
configured regions), the validators and caching headers (ETag, 304), the request-id of the Anthropic
dialect, and the JSON-RPC body of ``POST /mcp`` (each tool's input schema as ``tools/call`` arguments).

``GET /openapi.json`` serves it; ``docs/openapi.json`` is the copy for the default prefixes
(``make openapi`` writes it, a test keeps it current). ``allowed_methods`` reads the same document:
which methods a path answers (else a 405) and which paths exist (else a 404)."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import Server
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from model_catalog.api import params
from model_catalog.api.bodies import RESPONSE_MODELS
from model_catalog.api.fact_bodies import ANY_OF_PARAMETERS, FACT_PARAMETER_DOCS, FACT_VOCABULARIES
from model_catalog.api.mcp import SUPPORTED_VERSIONS, VERSION_HEADER
from model_catalog.api.mcp_tools import Tool, plain_schema, select_tools
from model_catalog.api.routes import FUNCTIONS, mount, offered_tools
from model_catalog.domain.modalities import INPUT_MODALITIES, OUTPUT_MODALITIES
from model_catalog.domain.routes import MCP_PATH, RouteTable
from model_catalog.domain.search import CALLABLE_VALUES

TITLE = "Amazon Bedrock model catalog"
VERSION = "1.0.0"
DESCRIPTION = (
    "The Amazon Bedrock models this account can call, in the dialects of the Anthropic and OpenAI "
    "Models APIs, a capability search, and MCP. Send the API key as x-api-key or "
    "Authorization: Bearer. Errors speak the dialect of their route: Anthropic's under the "
    "Anthropic prefix, JSON-RPC on /mcp, OpenAI's elsewhere."
)
_SCHEMAS = "#/components/schemas/"

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
    **FACT_PARAMETER_DOCS,
    "callable": (
        "Whether this account can call the model (ACCESS_CHECK on; a 400 when off): true (default), callable or "
        "not yet checked in some configured region; false, the others, with their reasons in access; any, all."
    ),
}
_ARRAY_DOC = " Repeated (?x=a&x=b) or comma-separated (?x=a,b): every value must hold; an empty value is no filter."
_ANY_OF_DOC = " Repeated (?x=a&x=b) or comma-separated (?x=a,b): any value may hold; an empty value is no filter."


def _header_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"}, "description": description}


_IF_NONE_MATCH = _header_parameter(
    "If-None-Match", "An ETag from an earlier answer: 304 with no body when the answer is unchanged."
)
_MCP_VERSION = _header_parameter(
    VERSION_HEADER,
    f"The protocol revision spoken ({', '.join(SUPPORTED_VERSIONS)}); without it 2025-03-26. "
    "initialize negotiates in its body instead.",
)


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
    app = APIGatewayHttpResolver(enable_validation=True)
    for mounts in FUNCTIONS.values():
        mount(app, mounts, routes, _no_state)
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            servers=[Server(url=server_url)],
            security_schemes={
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},  # type: ignore[dict-item]
                "Bearer": {"type": "http", "scheme": "bearer"},  # type: ignore[dict-item]
            },
            security=[{"ApiKey": []}, {"Bearer": []}],
        )
    )
    vocabularies: dict[str, list[str]] = {
        "input_modalities": list(INPUT_MODALITIES),
        "output_modalities": list(OUTPUT_MODALITIES),
        "route": list(routes.names()),
        "callable": list(CALLABLE_VALUES),
    }
    if regions:
        vocabularies["region"] = list(regions)
    vocabularies.update(FACT_VOCABULARIES)
    for path, item in document["paths"].items():
        for operation in item.values():
            _complete(path, operation, vocabularies)
    tools = select_tools(routes, regions) if mcp_tools is None else mcp_tools
    # Every body the API answers (JsonRpcResult inside the MCP answer too), none of Powertools' 422 ones.
    _, bodies = models_json_schema([(m, "serialization") for m in RESPONSE_MODELS], ref_template=_SCHEMAS + "{model}")
    document["components"]["schemas"] = {**bodies["$defs"], **_jsonrpc_request_schemas(tools)}
    return document


def _no_state() -> Any:
    raise AssertionError("the document's resolver answers no request")


def _complete(path: str, operation: dict[str, Any], vocabularies: Mapping[str, list[str]]) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)  # Powertools' validation errors leave as each dialect's 400
    if "405" not in responses:  # an open route (the document, the pages): each other one may answer 405
        operation["security"] = []
        return
    if path == MCP_PATH:
        _complete_mcp(operation)
        return
    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    fields = _query_fields({p["name"] for p in parameters if p["in"] == "query"})
    for parameter in parameters:
        if parameter["in"] == "query":
            parameter["schema"] = fields[parameter["name"]]
            _describe_query_parameter(parameter, vocabularies)
        elif parameter["in"] == "path":
            parameter["schema"] = {"type": "string", "minLength": 1}
            parameter["description"] = "A model id, an inference profile id, or an alias."
    operation["parameters"] = [*parameters, _IF_NONE_MATCH]
    responses["304"] = {"description": "Not modified"}
    operation["responses"] = dict(sorted(responses.items()))


def _complete_mcp(operation: dict[str, Any]) -> None:
    if "202" not in operation["responses"]:  # GET and DELETE: refused
        return
    operation["responses"]["202"].pop("content", None)  # Powertools gives every answer the route's body
    operation["parameters"] = [_MCP_VERSION]
    operation["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _SCHEMAS + "JsonRpcBody"}}},
    }
    answer = {"oneOf": [{"$ref": _SCHEMAS + "JsonRpcResult"}, {"$ref": _SCHEMAS + "JsonRpcError"}]}
    operation["responses"]["200"] = {
        "description": (
            "The JSON-RPC response: a result, or an error for a method the request got wrong (a tool's own "
            "failure is a result with isError: true); an array for a batch"
        ),
        "content": {"application/json": {"schema": {"oneOf": [answer, {"type": "array", "items": answer}]}}},
    }
    operation["responses"] = dict(sorted(operation["responses"].items()))


def _query_fields(names: set[str]) -> dict[str, Any]:
    """The JSON schema of each field of the query model (api/params.py) that has these fields: Powertools
    documents a field of a query model as a bare scalar, without its bounds or array type."""
    if not names:
        return {}
    for model in vars(params).values():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        # A field is a parameter by its alias when it has one (lifecycle[] in the Anthropic list).
        if {field.alias or name for name, field in model.model_fields.items()} == names:
            properties: dict[str, Any] = model.model_json_schema()["properties"]
            return properties
    raise LookupError(f"no query model in api/params.py has exactly the parameters {sorted(names)}")


def _describe_query_parameter(parameter: dict[str, Any], vocabularies: Mapping[str, list[str]]) -> None:
    name = parameter["name"]
    schema = plain_schema(parameter["schema"])
    parameter["schema"] = schema
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
        description += _ANY_OF_DOC if name in ANY_OF_PARAMETERS else _ARRAY_DOC
    elif values:
        schema["enum"] = values
    if description:
        parameter["description"] = description.strip()


def allowed_methods(routes: RouteTable, path: str) -> tuple[str, ...]:
    """The methods some operation answers at ``path`` (empty: no such path). GET and DELETE /mcp are
    deployed only to refuse (405): the server is stateless."""
    found = []
    for template, item in _paths(routes).items():
        if _template_regex(template).fullmatch(path):
            found += [m.upper() for m in item if not (template == MCP_PATH and m != "post")]
    return tuple(dict.fromkeys(found))


@functools.lru_cache(maxsize=4)
def _paths(routes: RouteTable) -> dict[str, Any]:
    paths: dict[str, Any] = build_openapi(routes)["paths"]
    return paths


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


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    # A path parameter is one non-empty segment, as API Gateway matches {name}.
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)))


def default_document() -> dict[str, Any]:
    """The document for the default settings: the copy checked in as docs/openapi.json."""
    from model_catalog.settings import Settings  # noqa: PLC0415

    settings = Settings.from_environ({})
    return build_openapi(RouteTable.build(settings.anthropic_routes_prefix, settings.openai_routes_prefix))


def served_document() -> str:
    """What ``GET /openapi.json`` answers: the document of this deployment (its prefixes, its regions,
    the MCP tools it offers)."""
    from model_catalog.api.rendered import to_json  # noqa: PLC0415
    from model_catalog.runtime import runtime  # noqa: PLC0415

    rt = runtime()
    return to_json(build_openapi(rt.routes, regions=rt.service.regions, mcp_tools=offered_tools()))


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(default_document()))
