"""The official ``mcp`` Python client against POST /mcp of the local server, over HTTP: it must
connect (its default auto mode and the plain initialize handshake), list the tools with schemas an
agent can act on, call every tool, and get ``isError`` for a bad call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, TextContent

from model_catalog.runtime import runtime
from tests.contract.local_api import API_KEY, local_api

TOOLS = ["search_models", "anthropic_model_list", "anthropic_model_get", "openai_model_list"]
T = TypeVar("T")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with local_api() as url:
        yield url


def with_client(
    base_url: str,
    use: Callable[[Client], Awaitable[T]],
    headers: dict[str, str] | None = None,
    mode: str = "auto",
) -> T:
    """Run ``use`` with a connected client (an API key header unless ``headers`` says otherwise)."""

    async def main() -> T:
        sent = {"x-api-key": API_KEY} if headers is None else headers
        async with (
            httpx2.AsyncClient(headers=sent, timeout=30) as http,
            Client(streamable_http_client(f"{base_url}/mcp", http_client=http), mode=mode) as client,
        ):
            return await use(client)

    return anyio.run(main)


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


def json_of(result: CallToolResult) -> Any:
    assert result.is_error is False, text_of(result)
    body = json.loads(text_of(result))
    assert result.structured_content == body
    return body


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_the_client_connects_and_negotiates(base_url: str, mode: str) -> None:
    async def use(client: Client) -> tuple[str, str | None, str | None, Any]:
        info = client.server_info
        pong = await client.session.send_ping()
        return client.protocol_version, info.name if info else None, client.instructions, pong

    version, name, instructions, pong = with_client(base_url, use, mode=mode)
    assert version == "2025-11-25" and name == "bedrock-model-catalog"
    assert instructions is not None and "search_models" in instructions
    assert pong.model_dump(exclude_none=True) == {}


def test_list_tools_with_schemas_an_agent_can_act_on(base_url: str) -> None:
    async def use(client: Client) -> list[Any]:
        return (await client.list_tools()).tools

    tools = {t.name: t for t in with_client(base_url, use)}
    assert list(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        assert all(p.get("description") for p in tool.input_schema["properties"].values()), tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
    search = tools["search_models"].input_schema
    assert "required" not in search  # every argument optional
    assert set(search["properties"]) == {
        "input_modalities",
        "output_modalities",
        "route",
        "region",
        "streaming",
        "legacy",
        "provider",
        "lifecycle",
        "min_context_window",
        "min_output_tokens",
        "features",
        "max_input_price",
        "max_output_price",
        "sort",
        "callable",
    }
    assert "us-east-1" in search["properties"]["region"]["description"]
    assert tools["anthropic_model_get"].input_schema["required"] == ["model_id"]


def test_call_every_tool(base_url: str) -> None:
    async def use(client: Client) -> dict[str, CallToolResult]:
        return {
            "search": await client.call_tool("search_models", {"route": "openai_chat_completion", "legacy": False}),
            "search_all": await client.call_tool("search_models", {}),
            "list": await client.call_tool("anthropic_model_list", {"limit": 3}),
            "get": await client.call_tool("anthropic_model_get", {"model_id": "claude-sonnet-4-5"}),
            "openai": await client.call_tool("openai_model_list"),
        }

    results = with_client(base_url, use)
    chat = json_of(results["search"])["models"]
    assert chat and all("openai_chat_completion" in m["supported_mcp_tools"] and not m["legacy"] for m in chat)
    # The tool answers what the route answers.
    http = httpx.get(
        f"{base_url}/search_models",
        params={"route": "openai_chat_completion", "legacy": "false"},
        headers={"x-api-key": API_KEY},
    )
    assert http.status_code == 200 and http.json() == chat
    assert len(json_of(results["search_all"])["models"]) == 118

    page = json_of(results["list"])
    assert len(page["data"]) == 3 and page["has_more"] is True and page["first_id"] == page["data"][0]["id"]
    assert json_of(results["get"])["id"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    openai = json_of(results["openai"])
    assert openai["object"] == "list" and [m["id"] for m in openai["data"]] == [
        m["id"] for m in json_of(results["search_all"])["models"]
    ]


def test_a_stale_answer_says_so_in_meta_and_in_a_note(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Staleness by hand: the client reads the answer; tests/reliability makes it from a failing Bedrock.
    service = runtime().service
    fresh = service.current
    monkeypatch.setattr(service, "current", lambda: replace(fresh(), stale=True, age_seconds=1234))

    async def use(client: Client) -> CallToolResult:
        return await client.call_tool("anthropic_model_get", {"model_id": "claude-sonnet-4-5"})

    result = with_client(base_url, use)
    assert result.is_error is False and result.meta == {"x-catalog-stale": True, "x-catalog-age": 1234}
    data, note = result.content
    assert isinstance(data, TextContent) and json.loads(data.text) == result.structured_content
    assert isinstance(note, TextContent) and "1234 s old" in note.text


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("search_models", {"input_modalities": "HOLOGRAM"}, "input_modalities"),
        ("search_models", {"route": "openai_chat"}, "openai_chat_completion"),
        ("search_models", {"legacy": "maybe"}, "true or false"),
        ("search_models", {"regoin": "us-east-1"}, "unknown parameter 'regoin'"),
        ("anthropic_model_get", {"model_id": "claude-99"}, "not found"),
        ("anthropic_model_list", {"limit": 0}, "limit"),
    ],
)
def test_a_bad_call_is_an_is_error_result(base_url: str, tool: str, arguments: dict[str, Any], says: str) -> None:
    async def use(client: Client) -> CallToolResult:
        return await client.call_tool(tool, arguments)

    result = with_client(base_url, use)
    assert result.is_error is True and says in text_of(result)


def test_an_unknown_tool_is_a_protocol_error(base_url: str) -> None:
    async def use(client: Client) -> MCPError:
        with pytest.raises(MCPError) as caught:
            await client.call_tool("openai_chat_completion", {})
        return caught.value

    error = with_client(base_url, use)
    assert error.error.code == -32602 and "search_models" in error.error.message


def test_the_api_key_as_a_bearer_token(base_url: str) -> None:
    async def use(client: Client) -> list[str]:
        return [t.name for t in (await client.list_tools()).tools]

    assert with_client(base_url, use, headers={"Authorization": f"Bearer {API_KEY}"}) == TOOLS


def unauthorized(error: MCPError) -> bool:
    return error.error.code == -32001 and "API key" in error.error.message


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("headers", [{}, {"x-api-key": "wrong"}], ids=["missing", "wrong"])
def test_without_the_api_key_the_client_cannot_connect(base_url: str, headers: dict[str, str], mode: str) -> None:
    async def use(client: Client) -> None:
        return None

    # The client's task group wraps what the handshake raised.
    with pytest.RaisesGroup(pytest.RaisesExc(MCPError, check=unauthorized), flatten_subgroups=True):
        with_client(base_url, use, headers=headers, mode=mode)
    raw = httpx.post(f"{base_url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers)
    assert raw.status_code == 401 and raw.json()["error"]["code"] == -32001


def test_raw_http_edges(base_url: str) -> None:
    key = {"x-api-key": API_KEY}
    notification = httpx.post(
        f"{base_url}/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=key
    )
    assert notification.status_code == 202 and notification.content == b""
    for body in (b"{nope", b"\xff\xfe{}"):  # not JSON; not even text
        bad = httpx.post(f"{base_url}/mcp", content=body, headers={**key, "content-type": "application/json"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == -32700
    for method in ("GET", "DELETE"):  # no event stream, no session
        refused = httpx.request(method, f"{base_url}/mcp", headers=key)
        assert refused.status_code == 405 and refused.headers["allow"] == "POST"
