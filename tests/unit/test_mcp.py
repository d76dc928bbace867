"""The MCP exchange (api/mcp.py) and its tools (api/mcp_tools.py) on the real fixture, without HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from model_catalog.api.mcp import LATEST_VERSION, SUPPORTED_VERSIONS, McpEndpoint, Reply
from model_catalog.api.mcp_tools import select_tools
from model_catalog.api.operations import list_anthropic_models, list_openai_models, search_models
from model_catalog.api.params import AnthropicListQuery, AnthropicPage, SearchQuery
from model_catalog.domain.catalog import Catalog
from model_catalog.errors import CatalogUnavailableError, ConfigurationError
from model_catalog.service import CatalogState
from tests.conftest import ALL_REGIONS
from tests.unit.conftest import catalog_of

HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
TOOLS = ["search_models", "anthropic_model_list", "anthropic_model_get", "openai_model_list"]


@pytest.fixture(scope="module")
def state(catalog: Catalog) -> CatalogState:
    return CatalogState(catalog, stale=False, age_seconds=0)


@pytest.fixture(scope="module")
def endpoint(catalog: Catalog, state: CatalogState) -> McpEndpoint:
    return McpEndpoint(select_tools(catalog.routes, ALL_REGIONS), lambda: state)


def post(endpoint: McpEndpoint, body: Any, version: str | None = LATEST_VERSION, **headers: str) -> Reply:
    sent = dict(HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()})
    if version is not None:
        sent["MCP-Protocol-Version"] = version
    return endpoint.handle(body if isinstance(body, str) else json.dumps(body), sent)


def request(method: str, params: dict[str, Any] | None = None, request_id: int | str = 1) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def result(endpoint: McpEndpoint, method: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    reply = post(endpoint, request(method, params), **kwargs)
    assert reply.status == 200 and "error" not in reply.body, reply.body
    assert reply.body["id"] == 1 and reply.body["jsonrpc"] == "2.0"
    return reply.body["result"]


def call(endpoint: McpEndpoint, tool: str, arguments: Any = None, **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"name": tool}
    if arguments is not None:
        params["arguments"] = arguments
    answer: dict[str, Any] = result(endpoint, "tools/call", params, **kwargs)
    return answer


def rpc_error(reply: Reply) -> dict[str, Any]:
    error: dict[str, Any] = reply.body["error"]
    return error


# --- lifecycle --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_initialize_answers_the_version_asked_when_supported(endpoint: McpEndpoint, version: str) -> None:
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    answer = result(endpoint, "initialize", params, version=None)
    assert answer["protocolVersion"] == version
    assert answer["capabilities"] == {"tools": {"listChanged": False}}
    assert answer["serverInfo"]["name"] == "bedrock-model-catalog" and answer["serverInfo"]["version"]
    assert "search_models" in answer["instructions"]


def test_initialize_offers_the_newest_version_for_one_it_does_not_know(endpoint: McpEndpoint) -> None:
    answer = result(endpoint, "initialize", {"protocolVersion": "2099-01-01", "capabilities": {}}, version=None)
    assert answer["protocolVersion"] == LATEST_VERSION == "2025-11-25"
    # The header of a stale connection does not stand in the way of a new handshake.
    stale = post(endpoint, request("initialize", {"protocolVersion": "2025-06-18"}), version="1999-01-01")
    assert stale.status == 200 and stale.body["result"]["protocolVersion"] == "2025-06-18"


def test_initialize_without_a_version_is_invalid_params(endpoint: McpEndpoint) -> None:
    reply = post(endpoint, request("initialize", {"capabilities": {}}))
    assert reply.status == 200 and rpc_error(reply)["code"] == -32602
    assert "protocolVersion" in rpc_error(reply)["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}},
        {"jsonrpc": "2.0", "id": 9, "result": {}},  # a client's response: we never ask it anything
        [{"jsonrpc": "2.0", "method": "notifications/initialized"}, {"jsonrpc": "2.0", "method": "x/y"}],
    ],
)
def test_notifications_and_responses_are_accepted_with_202_and_no_body(endpoint: McpEndpoint, body: Any) -> None:
    assert post(endpoint, body) == Reply(202)


def test_ping(endpoint: McpEndpoint) -> None:
    assert result(endpoint, "ping") == {}
    assert post(endpoint, request("ping", request_id="p-1")).body["id"] == "p-1"


def test_a_batch_gets_a_batch(endpoint: McpEndpoint) -> None:
    reply = post(
        endpoint,
        [
            request("ping", request_id=1),
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            request("nope/x", request_id=2),
        ],
    )
    assert reply.status == 200
    assert [r["id"] for r in reply.body] == [1, 2]
    assert reply.body[0]["result"] == {} and reply.body[1]["error"]["code"] == -32601


# --- transport and envelope errors: JSON-RPC errors with 4xx, never 5xx --------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", -32700),
        ("", -32700),
        ('{"jsonrpc": "2.0", "id": 1, "method": "ping"', -32700),
        ("[" * 100_000 + "]" * 100_000, -32700),  # too deep to parse is still the client's fault
        ("[]", -32600),
        ("42", -32600),
        ("null", -32600),
        ('{"id": 1, "method": "ping"}', -32600),  # no "jsonrpc": "2.0"
        ('{"jsonrpc": "1.0", "id": 1, "method": "ping"}', -32600),
        ('{"jsonrpc": "2.0", "id": null, "method": "ping"}', -32600),  # MCP ids are never null
        ('{"jsonrpc": "2.0", "id": true, "method": "ping"}', -32600),
        ('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}', -32600),
        ('{"jsonrpc": "2.0", "id": 1, "method": 7}', -32600),
        ('{"jsonrpc": "2.0", "id": 1}', -32600),
    ],
)
def test_a_bad_body_is_a_json_rpc_error_with_400(endpoint: McpEndpoint, body: str, code: int) -> None:
    reply = post(endpoint, body)
    assert reply.status == 400
    assert reply.body["jsonrpc"] == "2.0" and rpc_error(reply)["code"] == code and rpc_error(reply)["message"]


def test_bodies_as_bytes(endpoint: McpEndpoint) -> None:
    good = endpoint.handle(json.dumps(request("ping")).encode("utf-16"), HEADERS)  # JSON may come in UTF-16 too
    assert good.status == 200 and good.body["result"] == {}
    bad = endpoint.handle(b'{"jsonrpc": "2.0", "id": 1, "method": "\xff"}', HEADERS)
    assert bad.status == 400 and rpc_error(bad)["code"] == -32700


def test_a_bad_request_with_a_readable_id_keeps_it(endpoint: McpEndpoint) -> None:
    reply = post(endpoint, '{"jsonrpc": "2.0", "id": 5, "method": ["ping"]}')
    assert reply.status == 400 and reply.body["id"] == 5


def test_method_errors_are_json_rpc_errors_in_a_200(endpoint: McpEndpoint) -> None:
    unknown = post(endpoint, request("resources/read", {"uri": "x"}))
    assert unknown.status == 200 and rpc_error(unknown)["code"] == -32601 and unknown.body["id"] == 1
    assert "tools/call" in rpc_error(unknown)["message"]
    positional = post(endpoint, {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1]})
    assert positional.status == 200 and rpc_error(positional)["code"] == -32602


def test_an_unsupported_protocol_version_header_is_refused_with_the_supported_ones(endpoint: McpEndpoint) -> None:
    # A 2026-07-28 client probes server/discover at its own version first, reads this, and falls back to
    # initialize.
    reply = post(endpoint, request("server/discover"), version="2026-07-28")
    assert reply.status == 400 and reply.body["id"] == 1
    assert rpc_error(reply)["code"] == -32022
    assert rpc_error(reply)["data"] == {"supported": list(SUPPORTED_VERSIONS), "requested": "2026-07-28"}


def test_a_request_without_the_version_header_speaks_2025_03_26(endpoint: McpEndpoint) -> None:
    tools = result(endpoint, "tools/list", version=None)["tools"]
    assert all("annotations" in t and "title" not in t for t in tools)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Accept": "text/event-stream"}, 406),
        ({"Accept": "text/html, text/event-stream"}, 406),
        ({"Accept": "application/json;q=0, text/event-stream"}, 406),  # q=0: not acceptable
        ({"Accept": "application/json; charset=utf-8; q=0, */*"}, 406),  # the most specific range decides
        ({"Accept": "*/*;q=0"}, 406),
    ],
)
def test_media_types_other_than_json_are_refused(endpoint: McpEndpoint, headers: dict[str, str], status: int) -> None:
    reply = endpoint.handle(json.dumps(request("ping")), {**HEADERS, **headers})
    assert reply.status == status and rpc_error(reply)["code"] == -32600


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"accept": "*/*"},
        {"accept": "application/*"},
        {"accept": "text/event-stream, application/json;q=0.5"},
        {"accept": "application/*;q=0.1, */*;q=0"},
        {"content-type": "application/json; charset=utf-8"},
    ],
)
def test_lenient_media_types(endpoint: McpEndpoint, headers: dict[str, str]) -> None:
    reply = endpoint.handle(json.dumps(request("ping")), headers)
    assert reply.status == 200 and reply.body["result"] == {}


# --- tools/list ---------------------------------------------------------------------------------------


def test_tools_list_names_every_tool_with_a_schema_an_agent_can_act_on(endpoint: McpEndpoint) -> None:
    tools = {t["name"]: t for t in result(endpoint, "tools/list")["tools"]}
    assert list(tools) == TOOLS
    for tool in tools.values():
        schema = tool["inputSchema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert len(tool["description"]) > 80 and tool["title"]
        assert tool["annotations"]["readOnlyHint"] is True and tool["annotations"]["destructiveHint"] is False
        assert all(p.get("description") for p in schema["properties"].values())

    search = tools["search_models"]["inputSchema"]
    assert "required" not in search  # every argument optional, as the route's query parameters
    assert list(search["properties"]) == list(SearchQuery.model_fields)
    assert search["properties"]["streaming"]["type"] == "boolean"
    assert {"type": "string"} in search["properties"]["route"]["anyOf"]
    assert "openai_chat_completion" in search["properties"]["route"]["description"]
    assert ", ".join(ALL_REGIONS) in search["properties"]["region"]["description"]
    assert "EMBEDDINGS" in search["properties"]["output_modalities"]["description"]

    listing = tools["anthropic_model_list"]["inputSchema"]
    assert list(listing["properties"]) == list(AnthropicPage.model_fields) and "required" not in listing
    assert listing["properties"]["limit"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 20,
        "description": "How many models per page.",
    }
    assert tools["anthropic_model_get"]["inputSchema"]["required"] == ["model_id"]
    assert tools["openai_model_list"]["inputSchema"]["properties"] == {}


def test_tools_list_speaks_the_negotiated_version(endpoint: McpEndpoint) -> None:
    oldest = result(endpoint, "tools/list", version="2024-11-05")["tools"]
    assert all(set(t) == {"name", "description", "inputSchema"} for t in oldest)
    newest = result(endpoint, "tools/list", version="2025-11-25")["tools"]
    assert all({"title", "annotations"} <= set(t) for t in newest)


# --- tools/call: the routes' operations, errors as isError results -----------------------------------


def payload(answer: dict[str, Any]) -> Any:
    assert answer["isError"] is False and [c["type"] for c in answer["content"]] == ["text"]
    parsed = json.loads(answer["content"][0]["text"])
    assert answer["structuredContent"] == parsed
    return parsed


def test_search_models_tool_answers_what_the_route_answers(endpoint: McpEndpoint, state: CatalogState) -> None:
    arguments = {"route": "openai_chat_completion", "legacy": False, "region": ["eu-west-3"]}
    models = payload(call(endpoint, "search_models", arguments))["models"]
    query = SearchQuery(route=("openai_chat_completion",), legacy=(False,), region=("eu-west-3",))
    assert models == search_models(state, query) != []
    assert payload(call(endpoint, "search_models"))["models"] == search_models(state, SearchQuery())
    assert payload(call(endpoint, "search_models", {}))["models"] == search_models(state, SearchQuery())


def test_search_models_takes_strings_lists_and_leaves_out_nulls(endpoint: McpEndpoint) -> None:
    as_list = payload(call(endpoint, "search_models", {"input_modalities": ["TEXT", "IMAGE"], "streaming": True}))
    as_text = payload(call(endpoint, "search_models", {"input_modalities": "text,image", "streaming": "true"}))
    with_nulls = payload(
        call(endpoint, "search_models", {"input_modalities": "TEXT,IMAGE", "streaming": True, "legacy": None})
    )
    assert as_list == as_text == with_nulls and as_list["models"]


def test_anthropic_tools(endpoint: McpEndpoint, state: CatalogState) -> None:
    page = payload(call(endpoint, "anthropic_model_list", {"limit": 5}))
    assert page == list_anthropic_models(state, AnthropicListQuery(limit=5)) and page["has_more"] is True
    after = payload(call(endpoint, "anthropic_model_list", {"limit": 5, "after_id": page["last_id"]}))
    assert after["data"][0]["id"] not in {m["id"] for m in page["data"]}
    model = payload(call(endpoint, "anthropic_model_get", {"model_id": "claude-haiku-4-5"}))
    assert model["id"] == "anthropic.claude-haiku-4-5-20251001-v1:0" and model["type"] == "model"
    by_profile = payload(call(endpoint, "anthropic_model_get", {"model_id": "global.anthropic.claude-opus-4-7"}))
    assert by_profile["id"] == "anthropic.claude-opus-4-7"


def test_openai_model_list_tool(endpoint: McpEndpoint, state: CatalogState) -> None:
    assert payload(call(endpoint, "openai_model_list")) == list_openai_models(state)


def test_structured_content_only_from_2025_06_18(endpoint: McpEndpoint) -> None:
    old = call(endpoint, "openai_model_list", version="2025-03-26")
    assert "structuredContent" not in old and json.loads(old["content"][0]["text"])["object"] == "list"


@pytest.mark.parametrize(
    ("tool", "arguments", "names"),
    [
        ("search_models", {"input_modalities": "HOLOGRAM"}, ["input_modalities", "'HOLOGRAM'", "TEXT"]),
        ("search_models", {"route": "openai_chat"}, ["route", "openai_chat_completion"]),
        ("search_models", {"region": "mars-north-1"}, ["region", "us-east-1"]),
        ("search_models", {"legacy": "maybe"}, ["legacy", "true or false"]),
        ("search_models", {"streaming": 3}, ["streaming", "true or false"]),
        ("search_models", {"input_modalities": {"a": 1}}, ["input_modalities", "string"]),
        ("search_models", {"modality": "TEXT"}, ["unknown parameter 'modality'", "input_modalities"]),
        ("anthropic_model_list", {"limit": 0}, ["limit"]),
        ("anthropic_model_list", {"limit": 5000}, ["limit"]),
        ("anthropic_model_list", {"after_id": "no-such-model"}, ["after_id"]),
        ("anthropic_model_list", {"after_id": "a", "before_id": "b"}, ["after_id"]),
        ("anthropic_model_list", {"limt": 5}, ["unknown parameter 'limt'"]),
        ("anthropic_model_get", {}, ["model_id"]),
        ("anthropic_model_get", {"model_id": ""}, ["model_id"]),
        ("anthropic_model_get", {"model_id": "no-such-model"}, ["not found", "no-such-model"]),
        ("anthropic_model_get", {"model_id": "amazon.titan-embed-text-v2:0"}, ["not found"]),  # not TEXT->TEXT
        ("openai_model_list", {"page": 2}, ["unknown parameter 'page'", "allowed: none"]),
    ],
)
def test_a_bad_call_is_an_is_error_result_that_says_why(
    endpoint: McpEndpoint, tool: str, arguments: dict[str, Any], names: list[str]
) -> None:
    answer = call(endpoint, tool, arguments)
    assert answer["isError"] is True and "structuredContent" not in answer
    text = answer["content"][0]["text"]
    for name in names:
        assert name in text


def test_an_unknown_tool_or_malformed_call_is_invalid_params(endpoint: McpEndpoint) -> None:
    malformed: list[dict[str, Any]] = [
        {"name": "openai_chat_completion"},
        {"arguments": {}},
        {"name": "search_models", "arguments": [1]},
    ]
    for params in malformed:
        reply = post(endpoint, request("tools/call", params))
        assert reply.status == 200 and rpc_error(reply)["code"] == -32602, params
    unknown = post(endpoint, request("tools/call", {"name": "openai_chat_completion"}))
    assert "search_models" in rpc_error(unknown)["message"]


@pytest.mark.parametrize("version", ["2025-03-26", LATEST_VERSION])
def test_an_answer_from_stale_data_says_so_to_the_client_and_to_the_model(catalog: Catalog, version: str) -> None:
    stale = CatalogState(catalog, stale=True, age_seconds=1234)
    endpoint = McpEndpoint(select_tools(catalog.routes, ALL_REGIONS), lambda: stale)
    for tool, arguments in [
        ("search_models", {"provider": "Anthropic"}),
        ("anthropic_model_get", {"model_id": "anthropic.claude-opus-4-7"}),
    ]:
        answer = call(endpoint, tool, arguments, version=version)
        assert answer["isError"] is False
        assert answer["_meta"] == {"x-catalog-stale": True, "x-catalog-age": 1234}
        data, note = answer["content"]
        assert json.loads(data["text"]) == answer.get("structuredContent", json.loads(data["text"]))
        assert note["type"] == "text" and "1234 s old" in note["text"] and "Bedrock" in note["text"]
    refused = call(endpoint, "anthropic_model_get", {"model_id": "no-such-model"}, version=version)
    assert refused["isError"] is True and "_meta" not in refused and len(refused["content"]) == 1


def test_an_answer_from_fresh_data_carries_no_note(endpoint: McpEndpoint) -> None:
    answer = call(endpoint, "search_models", {"provider": "Anthropic"})
    assert "_meta" not in answer and len(answer["content"]) == 1


def test_the_catalog_being_down_is_an_is_error_result(catalog: Catalog) -> None:
    def down() -> CatalogState:
        raise CatalogUnavailableError("no region could be read and no cached data is young enough")

    endpoint = McpEndpoint(select_tools(catalog.routes, ALL_REGIONS), down)
    assert [t["name"] for t in result(endpoint, "tools/list")["tools"]] == TOOLS  # listing needs no catalog
    answer = call(endpoint, "openai_model_list")
    assert answer["isError"] is True and "no region could be read" in answer["content"][0]["text"]


# --- which tools: the route table, MCP_INCLUDE_TOOLS, MCP_EXCLUDE_TOOLS ---------------------------------


def names(catalog: Catalog, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[str]:
    return [t.name for t in select_tools(catalog.routes, ALL_REGIONS, include, exclude)]


def test_include_and_exclude(catalog: Catalog) -> None:
    assert names(catalog) == TOOLS
    assert names(catalog, include=("openai_model_list", "search_models")) == ["search_models", "openai_model_list"]
    assert names(catalog, exclude=("anthropic_model_get",)) == [
        "search_models",
        "anthropic_model_list",
        "openai_model_list",
    ]
    assert names(catalog, include=("search_models", "openai_model_list"), exclude=("openai_model_list",)) == [
        "search_models"
    ]


@pytest.mark.parametrize(("include", "exclude"), [(("search_model",), ()), ((), ("openai_chat_completion",))])
def test_a_name_that_is_no_tool_stops_the_cold_start(
    catalog: Catalog, include: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        names(catalog, include, exclude)
    variable = "MCP_INCLUDE_TOOLS" if include else "MCP_EXCLUDE_TOOLS"
    assert variable in str(caught.value) and "search_models" in str(caught.value)


def test_equal_prefixes_take_the_anthropic_tools_away(snapshot_doc: dict[str, Any]) -> None:
    shared = catalog_of(snapshot_doc, anthropic="")
    assert names(shared) == ["search_models", "openai_model_list"]
    assert names(shared, include=("anthropic_model_list", "search_models")) == ["search_models"]
