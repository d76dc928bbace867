"""Operations tests: handlers called with HTTP API / EventBridge events, Bedrock faked at the boto3
boundary, DynamoDB from moto, and the EMF metric documents the functions print captured."""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from model_catalog.adapters import bedrock as bedrock_adapter
from model_catalog.observability import logger, metrics
from tests.conftest import ALL_REGIONS, LambdaContext, load_event
from tests.fakes import FakeBedrock

REGIONS = ",".join(ALL_REGIONS[:3])


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch, snapshot_doc: dict[str, Any]) -> FakeBedrock:
    """Handlers loaded after this read Bedrock through the fake (enough answers for a few refreshes)."""
    fake = FakeBedrock(snapshot_doc, rounds=3)
    monkeypatch.setattr(bedrock_adapter, "default_client_factory", fake.client_factory)
    return fake


@pytest.fixture(autouse=True)
def no_leftover_metrics() -> Iterator[None]:
    """Powertools keeps the metric set at class level: start and end every test with it empty."""
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def emf_documents(printed: str) -> list[dict[str, Any]]:
    """The EMF documents among printed lines (each is one JSON object with an _aws key)."""
    documents = []
    for line in printed.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            documents.append(json.loads(line))
    return documents


def metric_values(documents: list[dict[str, Any]], name: str, **dimensions: str) -> list[float]:
    """Every value emitted for ``name`` whose dimensions include ``dimensions``."""
    values: list[float] = []
    for document in documents:
        names = {m["Name"] for d in document["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
        if name in names and all(document.get(k) == v for k, v in dimensions.items()):
            value = document[name]
            values.extend(value if isinstance(value, list) else [value])
    return values


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes
    base64_encoded: bool

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def body(self) -> bytes:
        """The body as the client reads it (gzip undone, as curl --compressed or httpx do)."""
        if self.headers.get("content-encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def call(handler: ModuleType, event: dict[str, Any]) -> Answer:
    """Invoke a handler and decode its answer as API Gateway would."""
    result = handler.lambda_handler(event, LambdaContext())
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return Answer(result["statusCode"], headers, raw, bool(result.get("isBase64Encoded")))


def http_event(name: str, headers: dict[str, str] | None = None, request_id: str | None = None) -> dict[str, Any]:
    """An event from events/, with extra request headers."""
    event = load_event(name)
    event["headers"] = {**event.get("headers", {}), **(headers or {})}
    if request_id is not None:
        event["requestContext"]["requestId"] = request_id
    return event


@pytest.fixture
def structured_logs() -> Iterator[io.StringIO]:
    """The Powertools log lines (JSON) written while the test runs, as the function's log would get them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    # The Powertools logger, and the package's standard loggers that share its formatter (observability.py).
    package = logging.getLogger("model_catalog")
    powertools = logging.getLogger(logger.name)
    for target in (powertools, package):
        target.addHandler(handler)
    yield stream
    for target in (powertools, package):
        target.removeHandler(handler)


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
