"""events/: each API event is one that API Gateway would send for a route of template.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from local.api import LocalApi
from local.apigw import match_route

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
HTTP_EVENTS = sorted(path for path in EVENTS.glob("*.json") if '"version": "2.0"' in path.read_text())


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text())
    return event


def test_one_event_per_route() -> None:
    names = {path.stem for path in EVENTS.glob("*.json")}
    assert {
        "anthropic_list_models",
        "openai_list_models",
        "anthropic_get_model",
        "anthropic_get_model_alias",
        "openai_get_model",
        "search_models",
        "search_models_filtered",
        "status",
        "mcp_initialize",
        "mcp_tools_list",
        "refresh_catalog_schedule",
    } <= names


@pytest.mark.parametrize("path", HTTP_EVENTS, ids=lambda path: path.stem)
def test_http_events_match_a_template_route(path: Path) -> None:
    event = load(path)
    routes = LocalApi.from_template(ROOT / "template.yaml", {}).routes
    method = event["requestContext"]["http"]["method"]
    found = match_route(routes, method, event["rawPath"])
    assert found is not None
    route, params = found
    assert event["routeKey"] == event["requestContext"]["routeKey"] == route.route_key
    assert event.get("pathParameters", {}) == params
    assert event["requestContext"]["http"]["path"] == event["rawPath"]
    assert event["requestContext"]["stage"] == "$default"
    joined: dict[str, str] = {}
    for key, value in parse_qsl(event["rawQueryString"], keep_blank_values=True):
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    assert event.get("queryStringParameters", {}) == joined
    assert all(name == name.lower() for name in event["headers"])
    if "body" in event:
        assert event["isBase64Encoded"] is False
        assert int(event["headers"]["content-length"]) == len(event["body"].encode())


def test_mcp_events_are_json_rpc() -> None:
    initialize = json.loads(load(EVENTS / "mcp_initialize.json")["body"])
    assert initialize["method"] == "initialize"
    assert initialize["params"]["protocolVersion"]
    assert json.loads(load(EVENTS / "mcp_tools_list.json")["body"])["method"] == "tools/list"


def test_search_filters_event() -> None:
    event = load(EVENTS / "search_models_filtered.json")
    assert event["queryStringParameters"] == {
        "input_modalities": "TEXT",
        "output_modalities": "TEXT",
        "region": "us-east-1",
    }


def test_schedule_event() -> None:
    event = load(EVENTS / "refresh_catalog_schedule.json")
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
