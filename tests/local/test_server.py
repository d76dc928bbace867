"""local.server over real HTTP, against the stub project of conftest.py."""

from __future__ import annotations

import base64
import http.client
import http.server
import importlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from local.api import HandlerLoadError
from local.server import (
    DEFAULT_SNAPSHOT,
    _HttpServer,
    create_server,
    describe,
    main,
    running_server,
    serve_in_background,
)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(base_url: str, method: str, path: str, body: bytes | None = None, **headers: str) -> Reply:
    """Sends `path` exactly as written (no re-encoding)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Reply(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


@pytest.fixture
def server(stub_project: Path) -> Iterator[str]:
    with running_server(env={"CATALOG_SNAPSHOT": "/snapshots/test.json"}, template=stub_project) as base_url:
        yield base_url


def echoed(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.json()
    return body


def test_binds_loopback_on_a_free_port(server: str) -> None:
    url = urlsplit(server)
    assert url.hostname == "127.0.0.1"
    assert url.port


def test_routes_reach_their_function(server: str) -> None:
    body = echoed(fetch(server, "GET", "/anthropic/v1/models?limit=5"))
    assert body["event"]["routeKey"] == "GET /anthropic/v1/models"
    assert body["event"]["queryStringParameters"] == {"limit": "5"}
    assert echoed(fetch(server, "GET", "/v1/models"))["event"]["routeKey"] == "GET /v1/models"
    # Both functions' handlers are app.py: each keeps its own module.
    other = fetch(server, "GET", "/items/fixed").json()
    assert other == {"function": "other", "routeKey": "GET /items/fixed"}
    assert echoed(fetch(server, "GET", "/items/42"))["event"]["pathParameters"] == {"item_id": "42"}


def test_the_event_is_api_gateway_s(server: str) -> None:
    path = "/items/anthropic.claude-haiku-4-5-20251001-v1%3A0?a=1&a=2&b=x%20y"
    event = echoed(fetch(server, "GET", path))["event"]
    assert event["rawPath"] == "/items/anthropic.claude-haiku-4-5-20251001-v1%3A0"
    assert event["requestContext"]["http"]["path"] == event["rawPath"]
    assert event["pathParameters"] == {"item_id": "anthropic.claude-haiku-4-5-20251001-v1:0"}
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"


def test_headers_are_lower_case(server: str) -> None:
    event = echoed(fetch(server, "GET", "/v1/models", X_Api_Key="secret", Authorization="Bearer t"))["event"]
    assert event["headers"]["x-api-key"] == "secret"
    assert event["headers"]["authorization"] == "Bearer t"
    assert all(name == name.lower() for name in event["headers"])


def test_fresh_request_id_per_request(server: str) -> None:
    first = fetch(server, "GET", "/v1/models")
    second = fetch(server, "GET", "/v1/models")
    ids = {echoed(reply)["event"]["requestContext"]["requestId"] for reply in (first, second)}
    assert len(ids) == 2
    assert first.header("apigw-requestid") == [echoed(first)["event"]["requestContext"]["requestId"]]


def test_no_route_is_api_gateway_s_404(server: str) -> None:
    misses = (("GET", "/nothing"), ("POST", "/v1/models"), ("GET", "/echo"), ("GET", "/v1/models/"))
    for method, path in misses:
        reply = fetch(server, method, path)
        assert reply.status == 404, (method, path)
        assert reply.json() == {"message": "Not Found"}
        assert reply.header("content-type") == ["application/json"]


def test_request_bodies(server: str) -> None:
    payload = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    event = echoed(fetch(server, "POST", "/echo", payload, Content_Type="application/json"))["event"]
    assert event["body"] == payload.decode()
    assert event["isBase64Encoded"] is False

    binary = bytes([0, 159, 146, 150, 255])
    event = echoed(fetch(server, "POST", "/echo", binary, Content_Type="application/octet-stream"))["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == binary


def test_response_mapping(server: str) -> None:
    reply = fetch(server, "GET", "/items/headers")
    assert reply.status == 201
    assert reply.header("x-custom") == ["a"]
    assert reply.header("x-number") == ["5"]
    assert reply.body == b""

    binary = fetch(server, "GET", "/items/binary")
    assert binary.body == bytes([0, 255, 1])
    assert binary.header("content-type") == ["application/octet-stream"]
    assert binary.header("content-length") == ["3"]


def test_head_gets_no_body(server: str) -> None:
    assert fetch(server, "HEAD", "/v1/models").status == 404  # HEAD is not GET for API Gateway


def test_handler_failures_are_500(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    for path in ("/items/boom", "/items/badstatus"):
        reply = fetch(server, "GET", path)
        assert (reply.status, reply.json()) == (500, {"message": "Internal Server Error"})
    assert "RuntimeError: boom" in capsys.readouterr().err
    # The server keeps serving.
    assert fetch(server, "GET", "/v1/models").status == 200


def test_lambda_context(server: str) -> None:
    body = echoed(fetch(server, "GET", "/v1/models"))
    context = body["context"]
    assert context["function_name"] == "EchoFunction"
    assert context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"].startswith("arn:aws:lambda:")
    assert context["invoked_function_arn"].endswith(":000000000000:function:EchoFunction")
    assert context["aws_request_id"]
    assert 0 < body["remaining_ms"] <= 10_000


def test_environment_is_set_before_the_handlers_import(server: str) -> None:
    body = echoed(fetch(server, "GET", "/v1/models"))
    assert body["import_env"]["GREETING"] == "hello, world"  # !Sub of a parameter default
    assert body["import_env"]["ANTHROPIC_ROUTES_PREFIX"] == "/anthropic"
    assert body["import_env"]["TABLE_NAME"] is None  # a Ref to a resource has no local value
    assert body["import_env"]["CATALOG_SNAPSHOT"] == "/snapshots/test.json"
    assert body["layer"] == "stub layer"


def test_env_argument_and_restore(stub_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREETING", "from the shell")
    before_path = list(sys.path)
    env = {"EXTRA": "1", "CATALOG_SNAPSHOT": "x.json"}
    base_url, stop = serve_in_background(env=env, template=stub_project)
    try:
        body = echoed(fetch(base_url, "GET", "/v1/models"))
        assert body["import_env"]["EXTRA"] == "1"
        assert body["import_env"]["GREETING"] == "from the shell"  # the environment beats the template
        assert os.environ["ANTHROPIC_ROUTES_PREFIX"] == "/anthropic"
    finally:
        stop()
    stop()  # idempotent
    assert "EXTRA" not in os.environ
    assert "ANTHROPIC_ROUTES_PREFIX" not in os.environ
    assert "CATALOG_SNAPSHOT" not in os.environ
    assert os.environ["GREETING"] == "from the shell"
    assert sys.path == before_path
    with pytest.raises(ConnectionRefusedError):
        fetch(base_url, "GET", "/v1/models")


def test_each_server_is_a_cold_start(stub_project: Path) -> None:
    for greeting in ("first", "second"):
        env = {"GREETING": greeting, "CATALOG_SNAPSHOT": "x"}
        with running_server(env=env, template=stub_project) as url:
            body = echoed(fetch(url, "GET", "/v1/models"))
            assert body["import_env"]["GREETING"] == body["layer_greeting"] == greeting
    assert "stub_layer_helpers" not in sys.modules


def test_without_cold_start_modules_already_imported_are_shared(
    stub_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(stub_project.parent / "layer"))
    monkeypatch.setenv("GREETING", "imported before")
    monkeypatch.delitem(sys.modules, "stub_layer_helpers", raising=False)
    importlib.import_module("stub_layer_helpers")
    try:
        env = {"GREETING": "second", "CATALOG_SNAPSHOT": "x"}
        base_url, stop = serve_in_background(env=env, template=stub_project, cold_start=False)
        try:
            body = echoed(fetch(base_url, "GET", "/v1/models"))
            assert body["import_env"]["GREETING"] == "second"  # the handler module is always new
            assert body["layer_greeting"] == "imported before"
        finally:
            stop()
        assert "stub_layer_helpers" in sys.modules
    finally:
        sys.modules.pop("stub_layer_helpers", None)


def test_route_prefixes_follow_the_env_vars(stub_project: Path) -> None:
    env = {"ANTHROPIC_ROUTES_PREFIX": "/claude", "OPENAI_ROUTES_PREFIX": "/openai", "CATALOG_SNAPSHOT": "x"}
    with running_server(env=env, template=stub_project) as base_url:
        for path in ("/claude/v1/models", "/openai/v1/models"):
            assert echoed(fetch(base_url, "GET", path))["event"]["routeKey"] == f"GET {path}"
        assert fetch(base_url, "GET", "/anthropic/v1/models").status == 404
        assert fetch(base_url, "GET", "/v1/models").status == 404


def test_equal_prefixes_drop_the_anthropic_route(stub_project: Path) -> None:
    env = {"ANTHROPIC_ROUTES_PREFIX": "", "CATALOG_SNAPSHOT": "x"}
    server = create_server(env=env, template=stub_project, log_requests=False)
    try:
        keys = sorted(route.route_key for route in server.api.routes)
        assert keys.count("GET /v1/models") == 1
        assert "GET /anthropic/v1/models" not in keys
    finally:
        server.stop()


def test_parameter_overrides(stub_project: Path) -> None:
    overrides = {"AnthropicRoutesPrefix": "/a", "Greeting": "hi"}
    env = {"CATALOG_SNAPSHOT": "x"}
    server = create_server(env=env, template=stub_project, parameter_overrides=overrides)
    try:
        server.start()
        body = echoed(fetch(server.base_url, "GET", "/a/v1/models"))
        assert body["import_env"]["GREETING"] == "hi, world"
        assert body["import_env"]["ANTHROPIC_ROUTES_PREFIX"] == "/a"
    finally:
        server.stop()


def test_the_embedded_snapshot_is_served_whatever_credentials_the_shell_has(
    stub_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_PROFILE", "someone")
    server = create_server(template=stub_project, log_requests=False)
    try:
        expected = str((stub_project.parent / DEFAULT_SNAPSHOT).resolve())
        assert server.source == "snapshot"
        assert (os.environ["CATALOG_SOURCE"], os.environ["CATALOG_SNAPSHOT"]) == ("snapshot", expected)
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        assert f"Source: snapshot {expected}" in describe(server)
    finally:
        server.stop()
    assert "CATALOG_SNAPSHOT" not in os.environ and "CATALOG_SOURCE" not in os.environ


def test_bedrock_only_when_asked(stub_project: Path) -> None:
    server = create_server(env={"CATALOG_SOURCE": "Bedrock"}, template=stub_project, log_requests=False)
    try:
        assert server.source == "bedrock" and os.environ["CATALOG_SOURCE"] == "bedrock"
        assert "CATALOG_SNAPSHOT" not in os.environ
        assert "Source: live Amazon Bedrock" in describe(server)
    finally:
        server.stop()


def test_a_handler_that_cannot_load_stops_the_start(stub_project: Path) -> None:
    (stub_project.parent / "functions" / "other" / "app.py").write_text("raise ImportError('broken')\n")
    before = dict(os.environ)
    with pytest.raises(HandlerLoadError) as caught:
        create_server(template=stub_project)
    assert caught.value.logical_id == "OtherFunction"
    assert dict(os.environ) == before


def test_main_prints_where_it_listens(
    stub_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import local.server as server_module

    served: list[str] = []

    def fake_serve_forever(self: server_module.LocalServer) -> None:
        served.append(self.base_url)
        self.stop()

    monkeypatch.setattr(server_module.LocalServer, "serve_forever", fake_serve_forever)
    monkeypatch.setenv("PORT", "0")
    assert main(["--template", str(stub_project), "--parameter", "Greeting=hey"]) == 0
    out = capsys.readouterr().out
    assert f"listening on {served[0]}" in out
    assert "Source: snapshot" in out
    assert "API key: none" in out
    assert "GET /anthropic/v1/models" in out
    assert "-> EchoFunction" in out


def test_a_client_that_hangs_up_early_leaves_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    server = _HttpServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler, bind_and_activate=False)
    try:
        for hang_up in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset by peer")):
            try:
                raise hang_up
            except ConnectionError:
                server.handle_error(None, ("127.0.0.1", 50000))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 50000))
        assert "ValueError: a bug" in capsys.readouterr().err
    finally:
        server.server_close()
