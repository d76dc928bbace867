"""The generated OpenAPI document: valid OpenAPI 3.1 in every configuration, one operation per route
of the configuration, parameters and enumerations from the query models and the route table."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from model_catalog.api.mcp_tools import select_tools
from model_catalog.api.openapi import allowed_methods, endpoints, openapi_document
from model_catalog.domain.routes import RouteTable

CONFIGURATIONS = [("/anthropic", ""), ("/claude", "/openai"), ("", ""), ("/api", "/api")]


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


@pytest.mark.parametrize(("anthropic", "openai"), CONFIGURATIONS)
def test_the_document_is_valid_openapi_3_1(anthropic: str, openai: str) -> None:
    document = openapi_document(RouteTable.build(anthropic, openai), regions=["us-east-1", "eu-west-1"])
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema


@pytest.mark.parametrize(("anthropic", "openai"), CONFIGURATIONS)
def test_one_operation_per_route_of_the_configuration(anthropic: str, openai: str) -> None:
    routes = RouteTable.build(anthropic, openai)
    got = operations(openapi_document(routes))
    openai_models = f"{routes.openai_prefix}/v1/models"
    expected = {("GET", openai_models), ("GET", openai_models + "/{model}"), ("GET", "/search_models")}
    expected |= {("POST", "/mcp"), ("GET", "/mcp"), ("DELETE", "/mcp")}
    if routes.anthropic_models_enabled:
        anthropic_models = f"{routes.anthropic_prefix}/v1/models"
        expected |= {("GET", anthropic_models), ("GET", anthropic_models + "/{model_id}")}
    assert got == expected


def test_parameters_come_from_the_query_models_and_the_route_table() -> None:
    routes = RouteTable.build("/anthropic", "")
    document = openapi_document(routes, regions=["us-east-1"])
    listing = {p["name"]: p for p in document["paths"]["/anthropic/v1/models"]["get"]["parameters"]}
    assert listing["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20}
    assert set(listing) == {"limit", "after_id", "before_id"}
    search = {p["name"]: p for p in document["paths"]["/search_models"]["get"]["parameters"]}
    assert set(search) == {"input_modalities", "output_modalities", "route", "region", "streaming", "legacy"}
    assert search["region"]["schema"]["items"]["enum"] == ["us-east-1", ""]
    assert set(routes.names()) < set(search["route"]["schema"]["items"]["enum"])
    assert search["streaming"]["schema"]["items"] == {"type": "boolean"}
    assert all(p["style"] == "form" and p["explode"] is False for p in search.values())


def test_the_mcp_body_names_the_offered_tools_with_their_input_schemas() -> None:
    routes = RouteTable.build("/anthropic", "")
    tools = select_tools(routes, ["us-east-1"], exclude=["openai_model_list"])
    document = openapi_document(routes, mcp_tools=tools)
    calls = document["components"]["schemas"]["McpToolsCall"]["properties"]["params"]["oneOf"]
    assert [c["properties"]["name"]["const"] for c in calls] == [t.name for t in tools]
    search = next(c for c in calls if c["properties"]["name"]["const"] == "search_models")
    assert set(search["properties"]["arguments"]["anyOf"][0]["properties"]) == set(tools[0].input_schema["properties"])


def test_errors_are_documented_in_the_dialect_of_the_route() -> None:
    paths = openapi_document(RouteTable.build("/anthropic", ""))["paths"]

    def error_schema(path: str, method: str, status: str) -> str:
        ref: str = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return ref.rsplit("/", 1)[1]

    assert error_schema("/anthropic/v1/models", "get", "400") == "AnthropicError"
    assert error_schema("/anthropic/v1/models/{model_id}", "get", "404") == "AnthropicError"
    assert error_schema("/v1/models/{model}", "get", "404") == "OpenAIError"
    assert error_schema("/search_models", "get", "400") == "OpenAIError"
    assert error_schema("/mcp", "post", "401") == "JsonRpcError"
    assert error_schema("/mcp", "get", "405") == "JsonRpcError"


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/anthropic/v1/models", ("GET",)),
        ("/anthropic/v1/models/claude-haiku-4-5", ("GET",)),
        ("/v1/models/anthropic.claude-haiku-4-5-20251001-v1:0", ("GET",)),
        ("/mcp", ("POST",)),  # GET and DELETE are routed only to be refused
        ("/v1/models/a/b", ()),
        ("/search_models/", ()),
        ("/nowhere", ()),
    ],
)
def test_allowed_methods(path: str, methods: tuple[str, ...]) -> None:
    assert allowed_methods(RouteTable.build("/anthropic", ""), path) == methods


def test_endpoints_follow_the_prefixes() -> None:
    paths = {e.path for e in endpoints(RouteTable.build("/claude", "/openai"))}
    assert {"/claude/v1/models/{model_id}", "/openai/v1/models/{model}"} <= paths
