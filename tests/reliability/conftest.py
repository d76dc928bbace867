"""What the reliability tests share: a controlled clock, a moto table, services wired to the fake
Bedrock, errors injected into the DynamoDB client, handlers called with HTTP API events."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.retries import adaptive, standard
from moto import mock_aws

from local.server import LocalServer, create_server
from model_catalog.adapters import bedrock as bedrock_adapter
from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.dynamodb import CLIENT_CONFIG as DYNAMODB_CONFIG
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.backoff import BackoffPolicy
from model_catalog.domain.routes import RouteTable
from model_catalog.ports import CatalogObserver
from model_catalog.service import REFRESH_THREAD_NAME, RETRY_AFTER_FAILURE_SECONDS, CatalogService
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import SNAPSHOT
from tests.conftest import create_cache_table as create_table
from tests.fake_access import FakeAccess
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
# The back-off of the service with its jitter pinned to the top: windows of 30, 60, 120, 240, 300 s.
WHOLE_WINDOWS = BackoffPolicy(RETRY_AFTER_FAILURE_SECONDS, 300, draw=lambda: 1.0)
START = 1_000_000.0
API_KEY = "reliability-key-0123456789"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bedrock(snapshot_doc: dict[str, Any]) -> FakeBedrock:
    """Enough rounds for a few refreshes (the access check's tests)."""
    return FakeBedrock(snapshot_doc, rounds=6)


@pytest.fixture
def access() -> FakeAccess:
    """GetFoundationModelAvailability, every pair callable unless a test says otherwise."""
    return FakeAccess()


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def dynamodb_client() -> Any:
    """A DynamoDB client as the store makes it (same retry config); moto answers inside ``aws``."""
    return boto3.client("dynamodb", region_name="us-east-1", config=DYNAMODB_CONFIG)


@pytest.fixture
def table(aws: None) -> Any:
    client = dynamodb_client()
    create_table(client)
    return client


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore still retries as configured, without waiting between attempts (tests stay fast)."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, request, **kwargs: None)


def make_service(
    fake: FakeBedrock,
    clock: Clock,
    client: Any | None = None,
    *,
    regions: Sequence[str] = REGIONS,
    fresh: float = 900,
    max_stale: float = 86400,
    lease: int = 60,
    sleep: Callable[[float], None] | None = None,
    stale_wait: float = 10.0,
    cold_wait: float = 10.0,
    backoff: BackoffPolicy = WHOLE_WINDOWS,
    observer: CatalogObserver | None = None,
) -> CatalogService:
    """One container's service: its own Bedrock clients, its own DynamoDB store on ``client``. The
    waits are generous, so that a refresh the fake answers at once is seen whole whatever the load of
    the machine; the tests of the budgets set their own."""
    store = DynamoDBStore(TABLE, client=client, retention_seconds=int(max_stale), clock=clock) if client else None
    return CatalogService(
        regions=regions,
        routes=RouteTable.build("/anthropic", ""),
        source=BedrockSource(fake.client_factory(), clock=clock),
        store=store,
        fresh_seconds=fresh,
        max_stale_seconds=max_stale,
        lease_seconds=lease,
        stale_wait_seconds=stale_wait,
        cold_wait_seconds=cold_wait,
        backoff=backoff,
        observer=observer,
        clock=clock,
        sleep=sleep or (lambda seconds: setattr(clock, "now", clock.now + seconds)),
    )


def refreshes_done(timeout: float = 30) -> bool:
    """Whether every refresh a request left running in the background (any container's) has ended."""
    for thread in threading.enumerate():
        if thread.name == REFRESH_THREAD_NAME:
            thread.join(timeout)
    return not any(t.name == REFRESH_THREAD_NAME and t.is_alive() for t in threading.enumerate())


def list_models_calls(fake: FakeBedrock) -> Counter[str]:
    """ListFoundationModels calls per region: one per region and refresh."""
    return Counter({region: n for (region, operation), n in fake.calls.items() if operation == "ListFoundationModels"})


@dataclass
class InjectedErrors:
    """AWS errors a moto-backed client answers in place of moto, as the caller would receive them
    after botocore's own retries gave up."""

    code: str
    status: int
    operations: frozenset[str] | None = None  # None: every operation
    active: bool = True
    injected: int = 0

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not self.active or (self.operations is not None and model.name not in self.operations):
            return None
        self.injected += 1
        error = {"Error": {"Code": self.code, "Message": f"injected {self.code}"}, "ResponseMetadata": {}}
        return AWSResponse("https://aws.example.test/", self.status, HTTPHeaders(), None), error


def inject_errors(client: Any, code: str, operations: Sequence[str] | None = None, status: int = 400) -> InjectedErrors:
    injected = InjectedErrors(code, status, frozenset(operations) if operations is not None else None)
    client.meta.events.register_first("before-call.*.*", injected)
    return injected


def inject_dynamodb_errors(client: Any, code: str, operations: Sequence[str] | None = None) -> InjectedErrors:
    return inject_errors(client, code, operations, status=500 if code == "InternalServerError" else 400)


# --- handlers -------------------------------------------------------------------------------------


@pytest.fixture
def bedrock_for_handlers(monkeypatch: pytest.MonkeyPatch, fake_bedrock: FakeBedrock) -> FakeBedrock:
    """Handlers loaded after this build their BedrockSource on the fake's clients."""
    monkeypatch.setattr(bedrock_adapter, "default_client_factory", fake_bedrock.client_factory)
    return fake_bedrock


def http_event(
    method: str,
    path: str,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as API Gateway builds it from a request."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}, quote_via=quote),
        "headers": {"host": "api.example.test", "user-agent": "reliability-test", **(headers or {})},
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "api",
            "domainName": "api.example.test",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": "req-reliability",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/May/2026:00:00:00 +0000",
            "timeEpoch": 1777593600000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def call(handler: ModuleType, event: dict[str, Any], context: Any) -> Answer:
    result = handler.lambda_handler(event, context)
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return Answer(result["statusCode"], headers, result.get("body") or "")


Caller = Callable[..., Answer]


# --- the local server -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalServer]:
    """The API of template.yaml with the real handlers, snapshot data and an API key. The modules the
    other tests imported are shared (no cold start), so class identities stay whole."""
    env = {"CATALOG_SNAPSHOT": str(SNAPSHOT), "AWS_BEDROCK_REGIONS": ",".join(REGIONS), "API_KEY": API_KEY}
    server = create_server(env=env, log_requests=False, cold_start=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def send(
    server: LocalServer,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    key: str | None = API_KEY,
) -> Answer:
    """One request exactly as written: the target is sent raw (no dot-segment or percent clean-up)."""
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        sent = {**({"x-api-key": key} if key is not None else {}), **(headers or {})}
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        connection.close()
