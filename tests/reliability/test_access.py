"""Access: with a key configured, every route refuses a request without it or with a wrong one (401
in the route's dialect); the key never reaches a log line or an error; a rotated key (SSM or Secrets
Manager, read through Powertools Parameters with a max age) is picked up within that age; an
unreadable key refuses everything (fail closed); and the template's IAM guard catches wildcards."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

from local.cfn import load_template
from local.server import LocalServer
from tests.conftest import HandlerLoader
from tests.reliability.conftest import API_KEY, Answer, call, http_event, inject_errors, send
from tests.template import test_template as template_guards

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
# (function, method, path, dialect): every route of the API, and what no route matches.
ROUTES = [
    ("list_models", "GET", "/anthropic/v1/models", "anthropic"),
    ("get_model", "GET", "/anthropic/v1/models/claude-haiku-4-5", "anthropic"),
    ("list_models", "GET", "/v1/models", "openai"),
    ("get_model", "GET", f"/v1/models/{HAIKU}", "openai"),
    ("search_models", "GET", "/search_models?region=us-east-1", "openai"),
    ("mcp_server", "POST", "/mcp", "jsonrpc"),
    ("mcp_server", "GET", "/mcp", "jsonrpc"),
    ("list_models", "POST", "/v1/models", "openai"),  # the $default route: a wrong method
    ("list_models", "GET", "/v2/unknown", "openai"),  # the $default route: an unknown path
]
INITIALIZE = b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}}'
JSON = {"content-type": "application/json"}


def body_of(method: str, path: str) -> bytes | None:
    return INITIALIZE if (method, path) == ("POST", "/mcp") else None


WRONG = [
    ({}, "missing"),
    ({"x-api-key": "wrong-key"}, "wrong x-api-key"),
    ({"authorization": "Bearer wrong-key"}, "wrong bearer"),
    ({"x-api-key": API_KEY.upper()}, "the key in other case"),
    ({"x-api-key": API_KEY[:-1]}, "a prefix of the key"),
    ({"x-api-key": API_KEY + "0"}, "the key and more"),
    ({"authorization": f"Basic {API_KEY}"}, "another scheme"),
    ({"authorization": API_KEY}, "no scheme"),
    ({"x-api-key": ""}, "empty"),
]


def assert_unauthorized(answer: Answer, dialect: str) -> None:
    assert answer.status == 401, answer.text
    body = answer.json
    if dialect == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
        assert answer.headers["request-id"]
    elif dialect == "jsonrpc":
        assert body["jsonrpc"] == "2.0" and body["id"] is None and body["error"]["code"] == -32001
    else:
        assert body["error"]["type"] == "invalid_request_error" and body["error"]["code"] == "invalid_api_key"
    assert API_KEY not in answer.text


@pytest.mark.parametrize(("function", "method", "path", "dialect"), ROUTES)
@pytest.mark.parametrize(("headers", "case"), WRONG, ids=[c for _, c in WRONG])
def test_every_route_refuses_a_missing_or_wrong_key(
    local_api: LocalServer, function: str, method: str, path: str, dialect: str, headers: dict[str, str], case: str
) -> None:
    answer = send(local_api, method, path, {**JSON, **headers}, body_of(method, path), key=None)
    assert_unauthorized(answer, dialect)


@pytest.mark.parametrize(("function", "method", "path", "dialect"), ROUTES[:6])
@pytest.mark.parametrize(
    "headers",
    [{"x-api-key": API_KEY}, {"authorization": f"Bearer {API_KEY}"}, {"authorization": f"bearer  {API_KEY} "}],
    ids=["x-api-key", "bearer", "bearer, other case and spaces"],
)
def test_every_route_answers_the_right_key(
    local_api: LocalServer, function: str, method: str, path: str, dialect: str, headers: dict[str, str]
) -> None:
    answer = send(local_api, method, path, {**JSON, **headers}, body_of(method, path), key=None)
    assert answer.status == 200, answer.text


# --- the key stays out of logs and errors ----------------------------------------------------------


class Captured(logging.Handler):
    """Every record, formatted by the handler the logger already has (Powertools' JSON: extra keys,
    the event when it is logged, exceptions and all)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Our loggers and Powertools' at DEBUG; everything else (boto3, botocore, ...) at INFO, as the
    Lambda runtime's root logger would pass it on."""
    from model_catalog.observability import logger as service_logger

    captured = Captured()
    powertools_formatter = service_logger.registered_handler.formatter
    captured.setFormatter(powertools_formatter)
    targets = [logging.getLogger(), logging.getLogger("model_catalog"), service_logger._logger]
    levels = [t.level for t in targets]
    for target in targets:
        target.addHandler(captured)
    logging.getLogger().setLevel(logging.INFO)
    for target in targets[1:]:
        target.setLevel(logging.DEBUG)
    try:
        yield captured.lines
    finally:
        for target, level in zip(targets, levels, strict=True):
            target.removeHandler(captured)
            target.setLevel(level)


def exercise(handler: ModuleType, path: str, context: Any, key: str) -> list[Answer]:
    """Right key, wrong key, the key in both headers, and requests that fail in other ways."""
    if path == "/mcp":
        call_tool = (
            '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"anthropic_model_get","arguments":{}}}'
        )
        mcp_requests = [
            http_event("POST", path, headers={"x-api-key": key, **JSON}, body=INITIALIZE.decode()),
            http_event("POST", path, headers={"authorization": f"Bearer {key}", **JSON}, body=call_tool),
            http_event("POST", path, headers={"x-api-key": key + "-wrong", **JSON}, body=INITIALIZE.decode()),
            http_event("POST", path, headers={"x-api-key": key, **JSON}, body="{not json"),
            http_event("GET", path, headers={"x-api-key": key}),
        ]
        return [call(handler, event, context) for event in mcp_requests]
    requests = [
        http_event("GET", path, headers={"x-api-key": key}),
        http_event("GET", path, headers={"authorization": f"Bearer {key}"}),
        http_event("GET", path, headers={"x-api-key": key + "-wrong"}),
        http_event("GET", path, headers={"authorization": f"Bearer {key}x"}),
        http_event("GET", path, query={"limit": "0", "regoin": "x"}, headers={"x-api-key": key}),
        http_event("GET", path + "/no-such-model", headers={"x-api-key": key}),
        http_event("DELETE", path, headers={"x-api-key": key}),
    ]
    return [call(handler, event, context) for event in requests]


@pytest.mark.parametrize("log_event", ["false", "true"])
@pytest.mark.parametrize(
    ("function", "path"),
    [
        ("list_models", "/anthropic/v1/models"),
        ("get_model", "/v1/models"),
        ("search_models", "/search_models"),
        ("mcp_server", "/mcp"),
    ],
)
def test_the_key_never_appears_in_a_log_line_or_an_error(
    load_handler: HandlerLoader,
    lambda_context: Any,
    every_log_line: list[str],
    monkeypatch: pytest.MonkeyPatch,
    function: str,
    path: str,
    log_event: str,
) -> None:
    """Even with POWERTOOLS_LOGGER_LOG_EVENT=true, the switch that logs whole events (their headers
    carry the key)."""
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", log_event)
    handler = load_handler(function, API_KEY=API_KEY, POWERTOOLS_LOG_LEVEL="DEBUG")
    answers = exercise(handler, path, lambda_context, API_KEY)
    assert {a.status for a in answers} >= {401}
    assert any("request refused, AuthenticationError: invalid API key" in line for line in every_log_line)
    for line in every_log_line:
        assert API_KEY not in line
    for answer in answers:
        assert API_KEY not in answer.text and all(API_KEY not in v for v in answer.headers.values())


# --- a rotated key is picked up within the cache age -----------------------------------------------


class FrozenNow:
    """What Powertools Parameters sees as ``datetime.now()``; the test moves it."""

    now = datetime(2026, 5, 1, 12, 0, 0)

    @classmethod
    def advance(cls, seconds: float) -> None:
        cls.now += timedelta(seconds=seconds)


class _Datetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return FrozenNow.now


@pytest.fixture
def parameters_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FrozenNow]]:
    monkeypatch.setattr(parameters_base, "datetime", _Datetime)
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # a provider (and its boto3 client) from another test would outlive moto
    FrozenNow.now = datetime(2026, 5, 1, 12, 0, 0)
    yield FrozenNow
    parameters.clear_caches()  # type: ignore[no-untyped-call]


CACHE_SECONDS = 300


def _client(service: str) -> Any:
    import boto3

    return boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]


def put_ssm(client: Any, name: str, value: str) -> None:
    client.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def put_secret(client: Any, name: str, value: str) -> None:
    try:
        client.put_secret_value(SecretId=name, SecretString=value)
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=name, SecretString=value)


# store -> (the variable naming the key, a client of the store, how to write the key)
STORES: dict[str, tuple[str, str, Callable[[Any, str, str], None]]] = {
    "ssm": ("API_KEY_SSM_PARAMETER", "ssm", put_ssm),
    "secretsmanager": ("API_KEY_SECRETSMANAGER_SECRET", "secretsmanager", put_secret),
}


def store_reads(store: str) -> Callable[[], int]:
    """How many times the store was read since this call (counted on Powertools' own client)."""
    provider = DEFAULT_PROVIDERS["ssm" if store == "ssm" else "secrets"]
    operation = "GetParameter" if store == "ssm" else "GetSecretValue"
    count = [0]
    provider.client.meta.events.register(f"before-call.*.{operation}", lambda **_: count.__setitem__(0, count[0] + 1))
    return lambda: count[0]


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("store", STORES)
def test_a_rotated_key_is_picked_up_within_the_cache_age(
    store: str, load_handler: HandlerLoader, lambda_context: Any, parameters_clock: type[FrozenNow]
) -> None:
    variable, service, put = STORES[store]
    name = "/model-catalog/api-key"
    client = _client(service)
    put(client, name, "key-one")
    handler = load_handler(
        "list_models", **{variable: name, "API_KEY_CACHE_SECONDS": str(CACHE_SECONDS), "AWS_REGION": "us-east-1"}
    )

    def status(key: str) -> int:
        return call(handler, http_event("GET", "/v1/models", headers={"x-api-key": key}), lambda_context).status

    assert status("key-one") == 200
    reads = store_reads(store)
    put(client, name, "key-two")  # rotated
    parameters_clock.advance(CACHE_SECONDS - 1)
    # Within the cache age the container still knows the old key: requests do not read the store.
    assert [status("key-one") for _ in range(20)] == [200] * 20
    assert status("key-two") == 401
    assert reads() == 0
    parameters_clock.advance(2)  # past the cache age
    assert status("key-two") == 200
    assert status("key-one") == 401
    assert reads() == 1  # one read for the new window, not one per request


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize(("path", "dialect"), [("/anthropic/v1/models", "anthropic"), ("/v1/models", "openai")])
def test_an_unreadable_key_refuses_every_request(
    store: str,
    path: str,
    dialect: str,
    load_handler: HandlerLoader,
    lambda_context: Any,
    parameters_clock: type[FrozenNow],
    every_log_line: list[str],
) -> None:
    """Fail closed: the store has no such key, so nobody gets in, and nobody is told why in detail."""
    variable, _, _ = STORES[store]
    handler = load_handler("list_models", **{variable: "/model-catalog/missing", "AWS_REGION": "us-east-1"})
    answer = call(handler, http_event("GET", path, headers={"x-api-key": "anything"}), lambda_context)
    assert answer.status == 503
    body = answer.json
    message = body["error"]["message"]
    if dialect == "anthropic":
        assert body["error"]["type"] == "overloaded_error"
    else:
        assert body["error"]["type"] == "service_unavailable"
    assert message == f"the API key could not be read from {store}"
    assert any("SecretUnavailableError" in line for line in every_log_line)


@pytest.mark.usefixtures("aws")
def test_a_key_the_function_may_not_read_refuses_every_request(
    load_handler: HandlerLoader, lambda_context: Any, parameters_clock: type[FrozenNow]
) -> None:
    """Access denied by IAM (injected into the client Powertools reads with): fail closed as well."""
    client = _client("ssm")
    put_ssm(client, "/model-catalog/api-key", "key-one")
    denied = inject_errors(client, "AccessDeniedException", status=400)
    DEFAULT_PROVIDERS["ssm"] = parameters.SSMProvider(boto3_client=client)
    handler = load_handler("list_models", API_KEY_SSM_PARAMETER="/model-catalog/api-key", AWS_REGION="us-east-1")
    answer = call(handler, http_event("GET", "/v1/models", headers={"x-api-key": "key-one"}), lambda_context)
    assert answer.status == 503 and answer.json["error"]["message"] == "the API key could not be read from ssm"
    assert denied.injected >= 1 and "key-one" not in answer.text


@pytest.mark.usefixtures("aws")
def test_an_empty_key_in_the_store_refuses_every_request(
    load_handler: HandlerLoader, lambda_context: Any, parameters_clock: type[FrozenNow]
) -> None:
    put_ssm(_client("ssm"), "/model-catalog/api-key", " ")
    handler = load_handler("list_models", API_KEY_SSM_PARAMETER="/model-catalog/api-key", AWS_REGION="us-east-1")
    answer = call(handler, http_event("GET", "/v1/models", headers={"x-api-key": " "}), lambda_context)
    assert answer.status == 503 and "empty" in answer.json["error"]["message"]


# --- the template's IAM -------------------------------------------------------------------------------

WIDENINGS: dict[str, Callable[[list[dict[str, Any]]], None]] = {
    "a service wildcard action": lambda policy: policy[1]["Action"].append("dynamodb:*"),
    "a wildcard action": lambda policy: policy[2].update(Action="*"),
    "a star resource where the table would do": lambda policy: policy[1].update(Resource="*"),
    "a wildcard inside an ARN": lambda policy: policy[1].update(
        Resource={"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}
    ),
    "a prefix wildcard action": lambda policy: policy[0]["Action"].append("bedrock:List*"),
    "an extra statement on every resource": lambda policy: policy.append(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    ),
}


def test_the_template_passes_the_least_privilege_guard() -> None:
    template_guards.test_iam_is_least_privilege(load_template(template_guards.TEMPLATE_PATH))


@pytest.mark.parametrize("widening", WIDENINGS)
def test_the_least_privilege_guard_fails_on_a_widened_policy(widening: str) -> None:
    """The guard in tests/template reads template.yaml: each widening here must make it fail."""
    template = copy.deepcopy(load_template(template_guards.TEMPLATE_PATH))
    statements = template["Resources"]["CatalogAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    WIDENINGS[widening](statements)
    with pytest.raises(AssertionError):
        template_guards.test_iam_is_least_privilege(template)
