"""The OpenAPI document: valid OpenAPI 3.1, the same routes as the template, response schemas that hold
what the views really return, and docs/openapi.json current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from local.api import LocalApi
from model_catalog.api import bodies, openapi, views
from model_catalog.api.errors import anthropic_body, jsonrpc_body, openai_body
from model_catalog.api.mcp_tools import select_tools
from model_catalog.api.params import SearchQuery
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.pagination import paginate
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import AuthenticationError, InvalidRequestError, ModelNotFoundError

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "docs" / "openapi.json"


def test_docs_copy_is_current() -> None:
    assert CHECKED_IN.read_text() == openapi.render(openapi.default_document()), "run `make openapi`"


@pytest.mark.parametrize(("anthropic", "openai_prefix"), [("/anthropic", ""), ("/claude", "/openai"), ("", "")])
def test_document_is_valid_openapi(anthropic: str, openai_prefix: str) -> None:
    validate(openapi.build_openapi(RouteTable.build(anthropic, openai_prefix)))


@pytest.mark.parametrize(("anthropic", "openai_prefix"), [("/anthropic", ""), ("/claude", "/openai"), ("/x", "/x")])
def test_paths_are_the_routes_the_template_deploys(anthropic: str, openai_prefix: str) -> None:
    environ = {"ANTHROPIC_ROUTES_PREFIX": anthropic, "OPENAI_ROUTES_PREFIX": openai_prefix}
    deployed = {
        (route.method, route.path)
        for route in LocalApi.from_template(ROOT / "template.yaml", environ).routes
        if route.method != "ANY"
    }
    document = openapi.build_openapi(RouteTable.build(anthropic, openai_prefix))
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    # The template names its path parameters as the document does ({model_id}, {model}).
    assert described == deployed


def test_query_parameters_come_from_the_pydantic_models() -> None:
    document = openapi.default_document()
    search = document["paths"]["/search_models"]["get"]
    names = {p["name"] for p in search["parameters"] if p["in"] == "query"}
    assert names == set(SearchQuery.model_fields)
    listing = document["paths"]["/anthropic/v1/models"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 1000


def conforms(model: type[BaseModel], body: Any) -> None:
    model.model_validate(body)  # extra="forbid": a field the view adds and the schema lacks fails here


def test_response_schemas_hold_the_real_bodies(catalog: Catalog) -> None:
    records = list(catalog.models)
    view = catalog.anthropic
    assert view is not None
    for record in records:
        conforms(bodies.OpenAIModel, views.openai_model(record))
        conforms(bodies.ModelDetails, views.model_details(record, catalog))
    for record in view.ordered:
        conforms(bodies.AnthropicModelInfo, views.anthropic_model(record))
    conforms(bodies.OpenAIModelList, views.openai_list(records))
    conforms(bodies.AnthropicModelPage, views.anthropic_page(paginate(view.ordered, view.position, 5, None, None)))
    for error in (InvalidRequestError("bad", "limit"), AuthenticationError("no"), ModelNotFoundError("x")):
        conforms(bodies.AnthropicError, anthropic_body(error, "req-1"))
        conforms(bodies.OpenAIError, openai_body(error))


def test_every_response_schema_is_in_the_document() -> None:
    schemas = openapi.default_document()["components"]["schemas"]
    assert {model.__name__ for model in bodies.RESPONSE_MODELS} <= set(schemas)
    assert json.dumps(schemas)  # plain JSON


# --- what the document says, beyond the paths ---------------------------------------------------------

CONFIGURATIONS = [("/anthropic", ""), ("/claude", "/openai"), ("", ""), ("/api", "/api")]


@pytest.mark.parametrize(("anthropic", "openai_prefix"), CONFIGURATIONS)
def test_the_document_of_a_deployment_is_valid_too(anthropic: str, openai_prefix: str) -> None:
    """With the deployment's regions and offered tools narrowing the enumerations."""
    routes = RouteTable.build(anthropic, openai_prefix)
    tools = select_tools(routes, ["us-east-1"], exclude=["openai_model_list"])
    validate(openapi.build_openapi(routes, regions=["us-east-1", "eu-west-1"], mcp_tools=tools))


def test_parameters_take_their_vocabularies_from_the_route_table_and_the_regions() -> None:
    routes = RouteTable.build("/anthropic", "")
    document = openapi.build_openapi(routes, regions=["us-east-1"])
    search = {p["name"]: p for p in document["paths"]["/search_models"]["get"]["parameters"]}
    assert search["region"]["schema"]["items"]["enum"] == ["us-east-1", ""]  # "": an empty value is no filter
    assert set(routes.names()) < set(search["route"]["schema"]["items"]["enum"])
    assert search["streaming"]["schema"] == {"type": "array", "items": {"type": "boolean"}, "minItems": 1}
    listing = {p["name"]: p for p in document["paths"]["/anthropic/v1/models"]["get"]["parameters"]}
    assert listing["after_id"]["schema"] == {"type": "string"}  # optional, not "string or null"


def test_the_mcp_body_names_the_offered_tools_with_their_input_schemas() -> None:
    routes = RouteTable.build("/anthropic", "")
    tools = select_tools(routes, ["us-east-1"], exclude=["openai_model_list"])
    document = openapi.build_openapi(routes, mcp_tools=tools)
    calls = document["components"]["schemas"]["McpToolsCall"]["properties"]["params"]["oneOf"]
    assert [c["properties"]["name"]["const"] for c in calls] == [t.name for t in tools]
    search = next(c for c in calls if c["properties"]["name"]["const"] == "search_models")
    assert set(search["properties"]["arguments"]["anyOf"][0]["properties"]) == set(tools[0].input_schema["properties"])


def test_errors_are_documented_in_the_dialect_of_the_route() -> None:
    paths = openapi.default_document()["paths"]

    def error_schema(path: str, method: str, status: str) -> str:
        ref: str = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return ref.rsplit("/", 1)[1]

    assert error_schema("/anthropic/v1/models", "get", "400") == "AnthropicError"
    assert error_schema("/anthropic/v1/models/{model_id}", "get", "405") == "AnthropicError"
    assert error_schema("/v1/models/{model}", "get", "404") == "OpenAIError"
    assert error_schema("/search_models", "get", "503") == "OpenAIError"
    assert error_schema("/mcp", "post", "401") == "JsonRpcError"
    assert error_schema("/mcp", "get", "405") == "JsonRpcError"
    assert "retry-after" in paths["/v1/models"]["get"]["responses"]["503"]["headers"]
    assert "allow" in paths["/v1/models"]["get"]["responses"]["405"]["headers"]


def test_json_rpc_bodies_hold_the_real_errors() -> None:
    conforms(bodies.JsonRpcError, jsonrpc_body(AuthenticationError("no")))


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/anthropic/v1/models", ("GET",)),
        ("/anthropic/v1/models/claude-haiku-4-5", ("GET",)),
        ("/v1/models/anthropic.claude-haiku-4-5-20251001-v1:0", ("GET",)),
        ("/mcp", ("POST",)),  # GET and DELETE are routed only to be refused
        ("/openapi.json", ("GET",)),
        ("/v1/models/a/b", ()),
        ("/search_models/", ()),
        ("/nowhere", ()),
    ],
)
def test_allowed_methods(path: str, methods: tuple[str, ...]) -> None:
    assert openapi.allowed_methods(RouteTable.build("/anthropic", ""), path) == methods
