"""functions/mcp_server as Lambda runs it, from the events/ JSON: the API key, the JSON-RPC error
forms, the tools chosen by MCP_INCLUDE_TOOLS / MCP_EXCLUDE_TOOLS, a cold start that refuses a bad
tool name."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from model_catalog.errors import ConfigurationError
from tests.conftest import HandlerLoader, LambdaContext, load_event

KEY = "example-api-key"  # what the events carry
TOOLS = ["search_models", "anthropic_model_list", "anthropic_model_get", "openai_model_list"]


def with_body(message: Any, **headers: str) -> dict[str, Any]:
    event = load_event("mcp_tools_list")
    event["body"] = message if isinstance(message, str) else json.dumps(message)
    event["headers"].update(headers)
    return event


def invoke(handler: Any, event: dict[str, Any], context: LambdaContext) -> tuple[int, Any, dict[str, str]]:
    response = handler.lambda_handler(event, context)
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], body, response.get("headers", {})


def tool_names(handler: Any, context: LambdaContext) -> list[str]:
    status, body, _ = invoke(handler, load_event("mcp_tools_list"), context)
    assert status == 200, body
    return [t["name"] for t in body["result"]["tools"]]


@pytest.fixture
def mcp(load_handler: HandlerLoader) -> Any:
    return load_handler("mcp_server", API_KEY=KEY)


def test_initialize_event(mcp: Any, lambda_context: LambdaContext) -> None:
    status, body, headers = invoke(mcp, load_event("mcp_initialize"), lambda_context)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert body["id"] == 1 and body["result"]["protocolVersion"] == "2025-11-25"
    assert "mcp-session-id" not in {k.lower() for k in headers}  # stateless: no session


def test_tools_list_event(mcp: Any, lambda_context: LambdaContext) -> None:
    assert tool_names(mcp, lambda_context) == TOOLS


def test_tools_call_event(mcp: Any, lambda_context: LambdaContext) -> None:
    status, body, _ = invoke(mcp, load_event("mcp_tools_call"), lambda_context)
    assert status == 200 and body["id"] == 3 and body["result"]["isError"] is False
    models = body["result"]["structuredContent"]["models"]
    assert json.loads(body["result"]["content"][0]["text"]) == {"models": models}
    assert "anthropic.claude-sonnet-4-5-20250929-v1:0" in [m["id"] for m in models]
    for model in models:
        assert "openai_chat_completion" in model["supported_mcp_tools"]
        assert "eu-west-1" in model["regions"] and model["legacy"] is False


def test_synonyms_through_a_call(mcp: Any, lambda_context: LambdaContext) -> None:
    call = {"name": "search_models", "arguments": {"output_modalities": "embedding", "region": "eu-west-1"}}
    event = with_body({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": call})
    status, body, _ = invoke(mcp, event, lambda_context)
    assert status == 200 and body["id"] == 7 and body["result"]["isError"] is False
    models = body["result"]["structuredContent"]["models"]
    assert models and all("EMBEDDINGS" in m["output_modalities"] and "eu-west-1" in m["regions"] for m in models)


def test_a_bad_argument_is_an_is_error_result(mcp: Any, lambda_context: LambdaContext) -> None:
    call = {"name": "search_models", "arguments": {"region": "moon-1"}}
    status, body, _ = invoke(
        mcp, with_body({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": call}), lambda_context
    )
    assert status == 200 and body["result"]["isError"] is True
    assert "region 'moon-1'" in body["result"]["content"][0]["text"]


def test_a_notification_is_202_without_a_body(mcp: Any, lambda_context: LambdaContext) -> None:
    response = mcp.lambda_handler(with_body({"jsonrpc": "2.0", "method": "notifications/initialized"}), lambda_context)
    assert response["statusCode"] == 202 and not response.get("body")


@pytest.mark.parametrize(
    ("body", "code"),
    [("{", -32700), ('{"jsonrpc": "2.0"}', -32600), ("[]", -32600), ('"ping"', -32600)],
)
def test_bad_bodies_are_json_rpc_errors_with_400(mcp: Any, lambda_context: LambdaContext, body: str, code: int) -> None:
    status, answer, _ = invoke(mcp, with_body(body), lambda_context)
    assert status == 400 and answer["jsonrpc"] == "2.0" and answer["error"]["code"] == code


def test_a_base64_body(mcp: Any, lambda_context: LambdaContext) -> None:
    event = with_body("")
    event["body"] = base64.b64encode(b'{"jsonrpc":"2.0","id":3,"method":"ping"}').decode()
    event["isBase64Encoded"] = True
    status, body, _ = invoke(mcp, event, lambda_context)
    assert status == 200 and body == {"jsonrpc": "2.0", "id": 3, "result": {}}
    # Bytes that are no UTF-8 text arrive base64-encoded: a parse error, not a server error.
    event["body"] = base64.b64encode(b'{"jsonrpc":"2.0","id":3,"method":"\xff\xfe"}').decode()
    status, body, _ = invoke(mcp, event, lambda_context)
    assert status == 400 and body["error"]["code"] == -32700


@pytest.mark.parametrize(
    "headers", [{}, {"x-api-key": "wrong"}, {"authorization": "Bearer wrong"}, {"authorization": KEY}]
)
def test_without_the_key_a_401_with_a_json_rpc_error(
    mcp: Any, lambda_context: LambdaContext, headers: dict[str, str]
) -> None:
    event = load_event("mcp_tools_list")
    del event["headers"]["x-api-key"]
    event["headers"].update(headers)
    status, body, response_headers = invoke(mcp, event, lambda_context)
    assert status == 401 and response_headers["Content-Type"] == "application/json"
    assert body["jsonrpc"] == "2.0" and body["id"] is None
    assert body["error"]["code"] == -32001 and "API key" in body["error"]["message"]


def test_the_key_as_a_bearer_token(mcp: Any, lambda_context: LambdaContext) -> None:
    event = load_event("mcp_tools_list")
    event["headers"]["authorization"] = f"Bearer {event['headers'].pop('x-api-key')}"
    assert invoke(mcp, event, lambda_context)[0] == 200


def test_get_is_405(mcp: Any, lambda_context: LambdaContext) -> None:
    event = copy.deepcopy(load_event("mcp_tools_list"))
    event["requestContext"]["http"]["method"] = "GET"
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /mcp"
    event["body"] = None
    status, body, headers = invoke(mcp, event, lambda_context)
    assert status == 405 and headers["allow"] == "POST" and body["error"]["code"] == -32600


def test_include_and_exclude_tools(load_handler: HandlerLoader, lambda_context: LambdaContext) -> None:
    only = load_handler("mcp_server", MCP_INCLUDE_TOOLS="search_models, openai_model_list")
    assert tool_names(only, lambda_context) == ["search_models", "openai_model_list"]
    without = load_handler("mcp_server", MCP_EXCLUDE_TOOLS="anthropic_model_get,anthropic_model_list")
    assert tool_names(without, lambda_context) == ["search_models", "openai_model_list"]
    call = {"name": "anthropic_model_get", "arguments": {"model_id": "claude-sonnet-4-5"}}
    status, body, _ = invoke(
        without, with_body({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": call}), lambda_context
    )
    assert status == 200 and body["error"]["code"] == -32602


def test_equal_prefixes_take_the_anthropic_tools_away(
    load_handler: HandlerLoader, lambda_context: LambdaContext
) -> None:
    shared = load_handler("mcp_server", ANTHROPIC_ROUTES_PREFIX="/v1", OPENAI_ROUTES_PREFIX="v1/")
    assert tool_names(shared, lambda_context) == ["search_models", "openai_model_list"]


def test_an_unknown_tool_name_stops_the_cold_start(load_handler: HandlerLoader) -> None:
    with pytest.raises(ConfigurationError, match="MCP_INCLUDE_TOOLS: unknown MCP tools search_model"):
        load_handler("mcp_server", MCP_INCLUDE_TOOLS="search_model")
