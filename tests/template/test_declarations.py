"""template.yaml's HttpApi events against the routes declared in the layer (api/routes.py): each function
is deployed for exactly the paths and methods its routers declare, whatever the prefixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from local.api import LocalApi
from local.cfn import load_template
from model_catalog.api.routes import FUNCTIONS, mount
from model_catalog.domain.routes import RouteTable

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"


def no_state() -> Any:
    raise AssertionError("no request here")


def declared(function: str, routes: RouteTable) -> set[str]:
    app = mount(APIGatewayHttpResolver(enable_validation=True), FUNCTIONS[function], routes, no_state)
    paths: dict[str, Any] = app.get_openapi_schema().model_dump(by_alias=True)["paths"] or {}
    return {f"{method.upper()} {path}" for path, item in paths.items() for method, op in item.items() if op}


def deployed(environ: dict[str, str]) -> dict[str, set[str]]:
    resources = load_template(TEMPLATE_PATH)["Resources"]
    function_of = {
        resource["Properties"]["CodeUri"].strip("/").split("/")[-1]: name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    routes = LocalApi.from_template(TEMPLATE_PATH, environ).routes
    return {
        function: {r.route_key for r in routes if r.target == logical_id and r.route_key != "$default"}
        for function, logical_id in function_of.items()
    }


@pytest.mark.parametrize(("anthropic", "openai"), [("/anthropic", ""), ("/claude", "/openai"), ("/x", "/x")])
def test_each_function_is_deployed_for_the_routes_it_declares(anthropic: str, openai: str) -> None:
    environ = {"ANTHROPIC_ROUTES_PREFIX": anthropic, "OPENAI_ROUTES_PREFIX": openai}
    by_function = deployed(environ)
    routes = RouteTable.build(anthropic, openai)
    for function in FUNCTIONS:
        assert declared(function, routes) == by_function[function], function
    assert set(by_function) - set(FUNCTIONS) == {"refresh_catalog"}  # scheduled, no route


@pytest.mark.parametrize(("anthropic", "openai"), [("/anthropic", ""), ("/claude", "/openai")])
def test_the_route_table_names_the_paths_the_api_declares(anthropic: str, openai: str) -> None:
    """supported_routes lists the catalog's own routes by the paths its routers serve."""
    routes = RouteTable.build(anthropic, openai)
    served = set().union(*(declared(function, routes) for function in FUNCTIONS))
    for tool in ("anthropic_model_list", "anthropic_model_get", "openai_model_list", "search_models"):
        route = routes.tool(tool)
        assert route is not None and f"GET {route.path}" in served, tool
