"""local.apigw: route matching, the payload 2.0 event, and the response mapping, as API Gateway does."""

from __future__ import annotations

import base64

import pytest

from local.apigw import HttpRequest, Route, build_event, map_response, match_route, new_request_id

# The route forms template.yaml has: a method and literal or {name} segments.
ROUTES = [
    Route("GET", "/v1/models", "List"),
    Route("GET", "/v1/models/{model}", "Get"),
    Route("GET", "/v1/models/special", "Special"),
    Route("GET", "/mcp", "McpGet"),
    Route("POST", "/mcp", "McpPost"),
    Route("GET", "/", "Root"),
]


def target(method: str, path: str, routes: list[Route] = ROUTES) -> tuple[str, dict[str, str]] | None:
    found = match_route(routes, method, path)
    return None if found is None else (found[0].target, found[1])


def test_exact_paths() -> None:
    assert target("GET", "/v1/models") == ("List", {})
    assert target("GET", "/") == ("Root", {})


def test_path_parameters_are_decoded() -> None:
    assert target("GET", "/v1/models/claude-haiku-4-5") == ("Get", {"model": "claude-haiku-4-5"})
    encoded = "/v1/models/anthropic.claude-haiku-4-5-20251001-v1%3A0"
    assert target("GET", encoded) == ("Get", {"model": "anthropic.claude-haiku-4-5-20251001-v1:0"})
    # An encoded slash stays inside its segment.
    assert target("GET", "/v1/models/a%2Fb") == ("Get", {"model": "a/b"})


def test_the_most_specific_route_wins() -> None:
    assert target("GET", "/v1/models/special") == ("Special", {})
    assert target("POST", "/mcp") == ("McpPost", {})
    assert target("GET", "/mcp") == ("McpGet", {})


def test_no_match() -> None:
    assert target("POST", "/v1/models") is None  # method mismatch: API Gateway answers 404 too
    assert target("GET", "/v1/models/") is None  # an empty parameter does not match
    assert target("GET", "/v1/models/a/b") is None
    assert target("GET", "/v1") is None
    assert target("GET", "/nothing") is None


def test_default_route_catches_the_rest() -> None:
    routes = [Route("GET", "/a", "A"), Route("ANY", "$default", "Default")]
    assert target("GET", "/a", routes) == ("A", {})
    assert target("PUT", "/anything/else", routes) == ("Default", {})


def request(**kwargs: object) -> HttpRequest:
    fields: dict[str, object] = {"method": "GET", "raw_path": "/v1/models"}
    fields.update(kwargs)
    return HttpRequest(**fields)  # type: ignore[arg-type]


def test_event_shape() -> None:
    route = Route("GET", "/v1/models/{model}", "Get")
    raw_path = "/v1/models/anthropic.claude-haiku-4-5-20251001-v1%3A0"
    event = build_event(
        request(
            raw_path=raw_path,
            raw_query="a=1&b=2&a=3&empty=&sp=x%20y",
            headers=[("Host", "localhost:3000"), ("X-Api-Key", "k"), ("Accept", "a"), ("ACCEPT", "b")],
            source_ip="127.0.0.9",
        ),
        route,
        {"model": "anthropic.claude-haiku-4-5-20251001-v1:0"},
        "req-1",
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /v1/models/{model}"
    assert event["rawPath"] == raw_path
    assert event["rawQueryString"] == "a=1&b=2&a=3&empty=&sp=x%20y"
    assert event["queryStringParameters"] == {"a": "1,3", "b": "2", "empty": "", "sp": "x y"}
    assert event["pathParameters"] == {"model": "anthropic.claude-haiku-4-5-20251001-v1:0"}
    assert event["headers"]["x-api-key"] == "k"
    assert event["headers"]["accept"] == "a,b"
    assert event["headers"]["x-forwarded-for"] == "127.0.0.9"
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["http"] == {
        "method": "GET",
        "path": raw_path,
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.9",
        "userAgent": "",
    }
    assert context["requestId"] == "req-1"
    assert context["routeKey"] == "GET /v1/models/{model}"
    assert context["stage"] == "$default"
    assert context["domainName"] == "localhost:3000"
    assert isinstance(context["timeEpoch"], int)


def test_no_query_string_and_no_path_parameters_leave_the_keys_out() -> None:
    event = build_event(request(), Route("GET", "/v1/models", "List"), {}, "rid")
    assert event["rawQueryString"] == ""
    assert "queryStringParameters" not in event
    assert "pathParameters" not in event


def test_each_event_gets_a_fresh_request_id() -> None:
    route = Route("GET", "/v1/models", "List")
    ids = {build_event(request(), route, {}, new_request_id())["requestContext"]["requestId"] for _ in range(20)}
    assert len(ids) == 20


def test_utf8_bodies_stay_text_and_others_are_base64() -> None:
    route = Route("POST", "/mcp", "Mcp")
    json_body = b'{"jsonrpc":"2.0","id":1,"method":"initialize"}'
    event = build_event(request(method="POST", raw_path="/mcp", body=json_body), route, {}, "rid")
    assert (event["body"], event["isBase64Encoded"]) == (json_body.decode(), False)
    binary = bytes(range(256))
    event = build_event(request(method="POST", raw_path="/mcp", body=binary), route, {}, "rid")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == binary


def test_full_responses() -> None:
    result = {"statusCode": 201, "headers": {"Content-Type": "application/json", "X-Count": "3"}, "body": "{}"}
    response = map_response(result, "rid")
    assert (response.status, response.body) == (201, b"{}")
    assert response.headers == [("content-type", "application/json"), ("x-count", "3"), ("apigw-requestid", "rid")]


def test_base64_responses_are_decoded() -> None:
    body = base64.b64encode(b"\x00\x01\xff").decode()
    response = map_response({"statusCode": 200, "body": body, "isBase64Encoded": True}, "rid")
    assert response.body == b"\x00\x01\xff"


@pytest.mark.parametrize(
    "result",
    [
        None,
        {"body": "no status"},
        {"statusCode": "200"},
        {"statusCode": 99},
        {"statusCode": True},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
    ],
)
def test_malformed_responses_are_500(result: object) -> None:
    response = map_response(result, "rid")
    assert (response.status, response.body) == (500, b'{"message":"Internal Server Error"}')
