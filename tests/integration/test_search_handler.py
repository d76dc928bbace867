"""functions/search_models as Lambda runs it: API Gateway HTTP API events from events/, a cold start
under the chosen environment, the snapshot fixture as the data source."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import HandlerLoader, LambdaContext, load_event

KEY = "example-api-key"  # what the events carry


def with_query(event: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """The event API Gateway sends for these query parameters (repeated ones already comma-joined)."""
    changed = copy.deepcopy(event)
    changed["rawQueryString"] = urlencode(params)
    changed["queryStringParameters"] = dict(params) or None
    return changed


def with_path(event: dict[str, Any], path: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["rawPath"] = changed["requestContext"]["http"]["path"] = path
    method = changed["requestContext"]["http"]["method"]
    changed["routeKey"] = changed["requestContext"]["routeKey"] = f"{method} {path}"
    return changed


def without_key(event: dict[str, Any], **headers: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["headers"].pop("x-api-key", None)
    changed["headers"].update(headers)
    return changed


def answer(handler: Any, event: dict[str, Any], context: LambdaContext) -> tuple[int, Any]:
    response = handler.lambda_handler(event, context)
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def found(handler: Any, params: dict[str, str], context: LambdaContext) -> list[str]:
    status, body = answer(handler, with_query(load_event("search_models"), params), context)
    assert status == 200, body
    return [m["id"] for m in body]


@pytest.fixture
def search(load_handler: HandlerLoader) -> Any:
    return load_handler("search_models", API_KEY=KEY)


def test_no_filter_is_every_model_sorted_by_id(search: Any, lambda_context: LambdaContext) -> None:
    status, body = answer(search, load_event("search_models"), lambda_context)
    assert status == 200 and len(body) == 118
    assert [m["id"] for m in body] == sorted(m["id"] for m in body)


def test_the_filtered_event(search: Any, lambda_context: LambdaContext) -> None:
    status, body = answer(search, load_event("search_models_filtered"), lambda_context)
    assert status == 200 and body
    assert all("TEXT" in m["input_modalities"] and "TEXT" in m["output_modalities"] for m in body)
    assert all("us-east-1" in m["regions"] for m in body)
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" in [m["id"] for m in body]


def test_repeated_parameters_arrive_comma_joined_and_mean_all_of_them(
    search: Any, lambda_context: LambdaContext
) -> None:
    event = load_event("search_models_repeated")
    assert "input_modalities=TEXT&input_modalities=IMAGE" in event["rawQueryString"]
    # HTTP API payload 2.0 has no multiValueQueryStringParameters: the repeated values come joined.
    assert "multiValueQueryStringParameters" not in event
    status, body = answer(search, event, lambda_context)
    assert status == 200 and body
    for model in body:
        assert {"TEXT", "IMAGE"} <= set(model["input_modalities"])
        assert "/v1/chat/completions" in model["supported_routes"]
    assert "amazon.nova-micro-v1:0" not in [m["id"] for m in body]  # TEXT only


def test_route_anthropic_model_list_is_every_page_of_the_list_route(
    load_handler: HandlerLoader, lambda_context: LambdaContext
) -> None:
    search = load_handler("search_models", API_KEY=KEY)
    listing = load_handler("list_models", API_KEY=KEY)
    listed: list[str] = []
    after: dict[str, str] = {}
    while True:
        status, page = answer(
            listing, with_query(load_event("anthropic_list_models"), {"limit": "9", **after}), lambda_context
        )
        assert status == 200
        listed += [m["id"] for m in page["data"]]
        if not page["has_more"]:
            break
        after = {"after_id": page["last_id"]}
    assert len(listed) == 85 and len(set(listed)) == 85
    assert found(search, {"route": "anthropic_model_list"}, lambda_context) == sorted(listed)
    assert found(search, {"route": "/anthropic/v1/models"}, lambda_context) == sorted(listed)


def test_routes_follow_the_configured_prefix(load_handler: HandlerLoader, lambda_context: LambdaContext) -> None:
    search = load_handler(
        "search_models", API_KEY=KEY, ANTHROPIC_ROUTES_PREFIX="/claude", OPENAI_ROUTES_PREFIX="/openai"
    )
    by_tool = found(search, {"route": "anthropic_model_list"}, lambda_context)
    assert found(search, {"route": "/claude/v1/models"}, lambda_context) == by_tool
    assert found(search, {"route": "/openai/v1/models"}, lambda_context) == found(search, {}, lambda_context)
    status, body = answer(search, with_query(load_event("search_models"), {"route": "/v1/models"}), lambda_context)
    assert status == 400 and "/claude/v1/models" in body["error"]["message"]
    details = answer(search, load_event("search_models"), lambda_context)[1]
    sonnet = next(m for m in details if m["id"] == "anthropic.claude-sonnet-4-6")
    assert "/claude/v1/messages" in sonnet["supported_routes"] and "/openai/v1/models" in sonnet["supported_routes"]


@pytest.mark.parametrize(
    ("params", "param", "says"),
    [
        ({"input_modalities": "TEXT,HOLOGRAM"}, "input_modalities", "TEXT, IMAGE, SPEECH, VIDEO, DOCUMENT"),
        ({"output_modalities": "smell"}, "output_modalities", "EMBEDDINGS"),
        ({"route": "/v1/completion"}, "route", "openai_chat_completion"),
        ({"route": "anthropic_models"}, "route", "anthropic_model_list"),
        ({"region": "af-south-1"}, "region", "us-east-1"),
        ({"streaming": "yes"}, "streaming", "true or false"),
        ({"legacy": "TRUEISH"}, "legacy", "true or false"),
        ({"vendor": "Anthropic"}, "vendor", "input_modalities"),
    ],
)
def test_bad_values_are_openai_shaped_400s(
    search: Any, lambda_context: LambdaContext, params: dict[str, str], param: str, says: str
) -> None:
    status, body = answer(search, with_query(load_event("search_models"), params), lambda_context)
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error" and body["error"]["param"] == param
    assert param in body["error"]["message"] and says in body["error"]["message"]


def test_a_valid_miss_is_200_and_an_empty_list(search: Any, lambda_context: LambdaContext) -> None:
    assert found(search, {"input_modalities": "DOCUMENT"}, lambda_context) == []
    assert found(search, {"route": "/v1/audio/speech"}, lambda_context) == []


def test_the_api_key(search: Any, lambda_context: LambdaContext) -> None:
    event = load_event("search_models")
    status, body = answer(search, without_key(event), lambda_context)
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    assert answer(search, without_key(event, authorization=f"Bearer {KEY}"), lambda_context)[0] == 200
    assert answer(search, without_key(event, **{"x-api-key": "nope"}), lambda_context)[0] == 401


def test_only_the_configured_regions(load_handler: HandlerLoader, lambda_context: LambdaContext) -> None:
    search = load_handler("search_models", AWS_BEDROCK_REGIONS="eu-west-1,us-east-1")
    status, body = answer(search, with_query(load_event("search_models"), {"region": "us-west-2"}), lambda_context)
    assert status == 400 and "eu-west-1, us-east-1" in body["error"]["message"]
    everything = answer(search, load_event("search_models"), lambda_context)[1]
    assert all(set(m["regions"]) <= {"eu-west-1", "us-east-1"} and m["regions"] for m in everything)
