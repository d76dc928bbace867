"""Bad input on every route, by hand, against the local server (raw HTTP, nothing cleaned up on the
way): huge and repeated parameters, unicode and control characters, ``../`` and ``%2F`` in model ids,
10 kB headers, wrong methods, a body on GET. Every answer is a 2xx or a 4xx in the route's dialect;
none is a 5xx, none echoes more than a bounded message, none lets input into a response header."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.server import LocalServer
from model_catalog.api.errors import MAX_MESSAGE_CHARS
from tests.reliability.conftest import API_KEY, Answer, send

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


def anthropic_error(answer: Answer, status: int, kind: str) -> str:
    assert answer.status == status, answer.text
    body = answer.json
    assert body["type"] == "error" and body["error"]["type"] == kind
    assert answer.headers["request-id"] and body["request_id"] == answer.headers["request-id"]
    message: str = body["error"]["message"]
    assert len(message) <= MAX_MESSAGE_CHARS
    return message


def openai_error(answer: Answer, status: int, param: str | None = None) -> str:
    assert answer.status == status, answer.text
    error = answer.json["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param
    message: str = error["message"]
    assert len(message) <= MAX_MESSAGE_CHARS
    return message


# --- huge and repeated parameters -------------------------------------------------------------------


def test_huge_parameters(local_api: LocalServer) -> None:
    assert "limit" in anthropic_error(
        send(local_api, "GET", "/anthropic/v1/models?limit=" + "9" * 4000), 400, "invalid_request_error"
    )
    assert "after_id" in anthropic_error(
        send(local_api, "GET", "/anthropic/v1/models?after_id=" + "a" * 50_000), 400, "invalid_request_error"
    )
    huge_filter = send(local_api, "GET", "/search_models?route=" + "x" * 50_000)
    assert "route" in openai_error(huge_filter, 400, "route")
    assert len(huge_filter.text) < 2 * MAX_MESSAGE_CHARS
    assert openai_error(send(local_api, "GET", "/v1/models/" + "m" * 50_000), 404).startswith("model not found")


def test_a_long_list_of_the_same_valid_value_is_one_filter(local_api: LocalServer) -> None:
    once = send(local_api, "GET", "/search_models?region=us-east-1")
    many = send(local_api, "GET", "/search_models?region=" + ",".join(["us-east-1"] * 2000))
    assert once.status == many.status == 200 and once.json == many.json


def test_repeated_parameters(local_api: LocalServer) -> None:
    # API Gateway joins a repeated parameter with commas: two limits are not a number.
    message = anthropic_error(
        send(local_api, "GET", "/anthropic/v1/models?limit=1&limit=2"), 400, "invalid_request_error"
    )
    assert "limit" in message
    both = send(local_api, "GET", "/search_models?input_modalities=TEXT&input_modalities=IMAGE")
    comma = send(local_api, "GET", "/search_models?input_modalities=TEXT,IMAGE")
    assert both.status == 200 and both.json == comma.json and both.json
    assert all({"TEXT", "IMAGE"} <= set(m["input_modalities"]) for m in both.json)
    # Every listed value must hold (AND): contradictory values are a valid search that matches nothing.
    contradiction = send(local_api, "GET", "/search_models?streaming=true&streaming=false")
    assert contradiction.status == 200 and contradiction.json == []


@pytest.mark.parametrize("query", ["region=", "route=,,", "input_modalities=%20", "output_modalities=&region="])
def test_an_empty_filter_value_is_no_filter(local_api: LocalServer, query: str) -> None:
    """The README's rule (an unset variable in an agent's call should not turn into a 400)."""
    assert send(local_api, "GET", f"/search_models?{query}").json == send(local_api, "GET", "/search_models").json


@pytest.mark.parametrize("flag", ["streaming", "legacy"])
def test_an_empty_boolean_is_not_true_or_false(local_api: LocalServer, flag: str) -> None:
    assert "true or false" in openai_error(send(local_api, "GET", f"/search_models?{flag}="), 400, flag)


def test_an_unknown_search_parameter_is_named(local_api: LocalServer) -> None:
    assert "regoin" in openai_error(send(local_api, "GET", "/search_models?regoin=us-east-1"), 400, "regoin")


# --- unicode and control characters -----------------------------------------------------------------

WEIRD = [
    "%00",
    "%0D%0AX-Injected:%20yes",
    "%E2%80%AE%E2%80%8B",  # right-to-left override, zero-width space
    "%F0%9F%A6%99",  # an emoji
    "T%C3%89XT",
    "%FF%FE",  # not UTF-8 at all
    "%",
    "%ZZ",
]


@pytest.mark.parametrize("value", WEIRD)
def test_unicode_and_control_characters_in_parameters(local_api: LocalServer, value: str) -> None:
    for target, dialect in (
        (f"/search_models?input_modalities={value}", "openai"),
        (f"/search_models?region={value}", "openai"),
        (f"/anthropic/v1/models?after_id={value}", "anthropic"),
        (f"/anthropic/v1/models?limit={value}", "anthropic"),
    ):
        answer = send(local_api, "GET", target)
        assert "x-injected" not in answer.headers
        if dialect == "openai":
            openai_error(answer, 400)
        else:
            anthropic_error(answer, 400, "invalid_request_error")


@pytest.mark.parametrize("value", WEIRD)
def test_unicode_and_control_characters_in_model_ids(local_api: LocalServer, value: str) -> None:
    anthropic_error(send(local_api, "GET", f"/anthropic/v1/models/claude{value}"), 404, "not_found_error")
    answer = send(local_api, "GET", f"/v1/models/claude{value}")
    assert "x-injected" not in answer.headers
    assert answer.json["error"]["code"] == "model_not_found" and answer.status == 404


# --- ../ and %2F in model ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_id",
    [
        "..%2F..%2Fsearch_models",
        "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "anthropic%2Fclaude-haiku-4-5",
        "..",
        "%2E%2E",
        "claude-haiku-4-5%2F",
        "%2Fclaude-haiku-4-5",
    ],
)
def test_traversal_and_encoded_slashes_in_model_ids_find_nothing(local_api: LocalServer, model_id: str) -> None:
    anthropic_error(send(local_api, "GET", f"/anthropic/v1/models/{model_id}"), 404, "not_found_error")
    answer = send(local_api, "GET", f"/v1/models/{model_id}")
    assert answer.status == 404 and answer.json["error"]["code"] == "model_not_found"


@pytest.mark.parametrize(
    "target", ["/anthropic/v1/models/../../search_models", "/anthropic/v1/models/a/b", "/anthropic/v1/models/a/.."]
)
def test_raw_dot_segments_under_the_anthropic_prefix_match_no_route(local_api: LocalServer, target: str) -> None:
    """Sent raw (a client that does not normalize): no route has that many segments, so the path is
    unknown, never resolved to another route; the error speaks the dialect of the prefix."""
    assert anthropic_error(send(local_api, "GET", target), 404, "not_found_error").startswith("no route for GET")


@pytest.mark.parametrize("target", ["/v1/models/../models", "/v1/models/a/../b", "/search_models/..", "/../v1/models"])
def test_raw_dot_segments_elsewhere_match_no_route(local_api: LocalServer, target: str) -> None:
    assert openai_error(send(local_api, "GET", target), 404).startswith("no route for GET")


def test_a_percent_encoded_colon_is_the_same_model(local_api: LocalServer) -> None:
    plain = send(local_api, "GET", f"/v1/models/{HAIKU}")
    encoded = send(local_api, "GET", "/v1/models/" + HAIKU.replace(":", "%3A"))
    assert plain.status == encoded.status == 200 and plain.json == encoded.json


# --- 10 kB headers ---------------------------------------------------------------------------------------


def test_ten_kilobyte_headers(local_api: LocalServer) -> None:
    big = "k" * 10 * 1024
    answer = send(local_api, "GET", "/anthropic/v1/models?limit=1", key=big)
    assert "invalid API key" in anthropic_error(answer, 401, "authentication_error")
    assert big not in answer.text and "k" * 100 not in answer.text
    bearer = send(local_api, "GET", "/v1/models", {"authorization": f"Bearer {big}"}, key=None)
    assert big not in openai_error(bearer, 401)
    ok = send(local_api, "GET", "/v1/models", {"user-agent": "u" * 10 * 1024, "x-padding": "p" * 10 * 1024})
    assert ok.status == 200 and ok.json["object"] == "list"
    many = send(local_api, "GET", "/search_models?region=us-east-1", {f"x-extra-{i}": "v" * 100 for i in range(80)})
    assert many.status == 200


# --- wrong methods ---------------------------------------------------------------------------------------

GET_ROUTES = [
    ("/anthropic/v1/models", "anthropic"),
    ("/anthropic/v1/models/claude-haiku-4-5", "anthropic"),
    ("/v1/models", "openai"),
    (f"/v1/models/{HAIKU}", "openai"),
    ("/search_models", "openai"),
]


@pytest.mark.parametrize(("path", "dialect"), GET_ROUTES)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"])
def test_a_wrong_method_is_405_with_allow_in_the_dialect(
    local_api: LocalServer, path: str, dialect: str, method: str
) -> None:
    answer = send(local_api, method, path, {"content-type": "application/json"}, b"{}")
    assert answer.status == 405 and answer.headers["allow"] == "GET"
    if method == "HEAD":
        assert answer.text == ""  # HEAD gets the status and headers only
        return
    if dialect == "anthropic":
        assert "method" in anthropic_error(answer, 405, "invalid_request_error")
    else:
        assert "not allowed" in openai_error(answer, 405)


def test_get_on_the_mcp_endpoint_is_405(local_api: LocalServer) -> None:
    """The MCP Streamable HTTP spec: a server that offers no SSE stream answers GET with 405."""
    answer = send(local_api, "GET", "/mcp", {"accept": "text/event-stream"})
    assert answer.status == 405 and answer.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_unknown_path_is_404_in_the_dialect(local_api: LocalServer, method: str) -> None:
    assert "no route" in openai_error(send(local_api, method, "/v2/models"), 404)
    assert "no route" in openai_error(send(local_api, method, "/v2"), 404)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_the_catalog_page_answers_only_get(local_api: LocalServer, method: str) -> None:
    answer = send(local_api, method, "/")
    assert "not allowed" in openai_error(answer, 405)
    assert answer.headers["allow"] == "GET"


def test_the_key_is_checked_before_the_method(local_api: LocalServer) -> None:
    assert send(local_api, "POST", "/v1/models", key=None).status == 401
    assert send(local_api, "GET", "/nowhere", key="wrong").status == 401


# --- a body on GET ---------------------------------------------------------------------------------------

BODIES: list[tuple[dict[str, str], bytes]] = [
    ({"content-type": "application/json"}, b'{"limit": 1, "model": "x"}'),
    ({"content-type": "application/json"}, b"{not json"),
    ({"content-type": "application/octet-stream"}, bytes(range(256))),
    ({"content-type": "text/plain"}, b"x" * 100_000),
]


@pytest.mark.parametrize(("headers", "body"), BODIES)
@pytest.mark.parametrize(("path", "dialect"), GET_ROUTES)
def test_a_body_on_get_is_ignored(
    local_api: LocalServer, headers: dict[str, str], body: bytes, path: str, dialect: str
) -> None:
    without = send(local_api, "GET", path)
    answer = send(local_api, "GET", path, headers, body)
    assert answer.status == without.status == 200
    assert answer.json == without.json


def test_no_answer_above_is_a_server_error(local_api: LocalServer) -> None:
    """A last sweep: the odd requests of this module again, every method, with and without the key."""
    targets: list[str] = [p for p, _ in GET_ROUTES] + ["/mcp", "/v1/models/%00", "/anthropic/v1/models?limit=-1"]
    seen: list[Any] = []
    for target in targets:
        for method in ("GET", "POST", "PUT", "DELETE", "HEAD"):
            for key in (API_KEY, None, "wrong"):
                answer = send(local_api, method, target, key=key)
                if target == "/mcp" and method == "POST":
                    continue  # MCP's own tests judge its answers (and locally its code may not be here yet)
                seen.append((method, target, key is not None, answer.status))
                assert answer.status < 500, (method, target, answer.text)
    assert len(seen) > 100


# --- the MCP endpoint ---------------------------------------------------------------------------------

MCP_BODIES: dict[str, bytes] = {
    "a megabyte argument": json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "anthropic_model_get", "arguments": {"model_id": "x" * 1_000_000}},
        }
    ).encode(),
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "not UTF-8": b'{"jsonrpc": "2.0", "id": 1, "method": "\xff\xfe"}',
    "control characters": json.dumps({"jsonrpc": "2.0", "id": "\u0000\u202e", "method": "ping\r\n"}).encode(),
    "a unicode tool": json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "🦙/../search_models"}}
    ).encode(),
    "a thousand pings": json.dumps([{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(1000)]).encode(),
    "a huge id": json.dumps({"jsonrpc": "2.0", "id": 10**400, "method": "ping"}).encode(),
    "empty": b"",
}


@pytest.mark.parametrize("body", MCP_BODIES)
def test_odd_mcp_bodies_get_json_rpc_answers(local_api: LocalServer, body: str) -> None:
    answer = send(local_api, "POST", "/mcp", {"content-type": "application/json"}, MCP_BODIES[body])
    assert answer.status in (200, 400), answer.text
    replies = answer.json if isinstance(answer.json, list) else [answer.json]
    assert all(r["jsonrpc"] == "2.0" for r in replies)
    if answer.status == 400:
        assert replies[0]["error"]["code"] in (-32700, -32600)
    assert len(answer.text) < 200_000  # a megabyte in, no megabyte echoed back


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_on_mcp_are_405_in_json_rpc(local_api: LocalServer, method: str) -> None:
    answer = send(local_api, method, "/mcp", {"content-type": "application/json"}, b"{}")
    assert answer.status == 405 and answer.headers["allow"] == "POST"
    assert answer.json["jsonrpc"] == "2.0" and answer.json["error"]["message"].startswith(f"method {method}")


def test_a_body_on_get_mcp_changes_nothing(local_api: LocalServer) -> None:
    answer = send(
        local_api, "GET", "/mcp", {"content-type": "application/json"}, b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    )
    assert answer.status == 405 and answer.json["jsonrpc"] == "2.0"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("anthropic_model_list", {"limit": True}),
        ("anthropic_model_list", {"limit": False}),
        ("search_models", {"min_context_window": True}),
    ],
)
def test_a_json_boolean_is_no_integer_argument(local_api: LocalServer, tool: str, arguments: dict[str, Any]) -> None:
    """An agent that sends limit: true has a bug to hear about, not a page of one model."""
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    answer = send(local_api, "POST", "/mcp", headers, json.dumps(call).encode())
    assert answer.status == 200 and answer.json["result"]["isError"] is True
    assert next(iter(arguments)) in answer.json["result"]["content"][0]["text"]
