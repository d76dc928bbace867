"""Shared fixtures: an isolated AWS environment, the snapshot fixture, the Lambda context, the fake
Bedrock, and handlers loaded fresh under a chosen environment."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.lambda_runtime import import_file
from model_catalog import runtime as runtime_module
from model_catalog.domain.catalog import Catalog
from model_catalog.service import REFRESH_THREAD_NAME
from tests.fakes import FakeBedrock

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "snapshots" / "bedrock-snapshot-2026-05-01.json"
EVENTS = ROOT / "events"
ALL_REGIONS = tuple(json.loads(SNAPSHOT.read_text())["regions"])

# Variables of ours or of AWS that a developer's shell might carry into a test.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_BEDROCK_REGIONS",
    "AWS_REGION",
    "ANTHROPIC_ROUTES_PREFIX",
    "OPENAI_ROUTES_PREFIX",
    "MODEL_CACHE_SECONDS",
    "MODEL_CACHE_MAX_STALE_SECONDS",
    "MODEL_CACHE_STALE_WAIT_SECONDS",
    "MODEL_CACHE_COLD_WAIT_SECONDS",
    "REFRESH_BACKOFF_SECONDS",
    "REFRESH_BACKOFF_MAX_SECONDS",
    "CACHE_TABLE_NAME",
    "CATALOG_SNAPSHOT",
    "CATALOG_SOURCE",
    "API_KEY",
    "API_KEY_SSM_PARAMETER",
    "API_KEY_SECRETSMANAGER_SECRET",
    "MCP_INCLUDE_TOOLS",
    "MCP_EXCLUDE_TOOLS",
)


@pytest.fixture(autouse=True)
def aws_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches AWS: fake credentials, no instance metadata, no tracing daemon."""
    isolate_aws_environment(monkeypatch)


@pytest.fixture(autouse=True)
def refreshes_end_with_their_test() -> Iterator[None]:
    """A refresh a request left running in the background ends before the next test begins: it
    would otherwise call its fakes, and log, in the middle of another test."""
    yield
    for thread in threading.enumerate():
        if thread.name == REFRESH_THREAD_NAME:
            thread.join(timeout=30)


def isolate_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """aws_sandbox's work, for fixtures wider than one test (a server shared by a module)."""
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.setenv("POWERTOOLS_DEV", "0")


CACHE_TABLE = "model-catalog-cache"


def create_cache_table(client: Any, name: str = CACHE_TABLE) -> None:
    """The cache table as template.yaml declares it: a string hash key ``pk``, on demand."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def table() -> Iterator[Any]:
    """A DynamoDB client (moto) with the cache table created."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_cache_table(client)
        yield client


@pytest.fixture(scope="session")
def snapshot_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return doc


@pytest.fixture(scope="session")
def catalog(snapshot_doc: dict[str, Any]) -> Catalog:
    """The catalog of all 18 regions of the fixture, built by the domain."""
    from tests.unit.conftest import catalog_of  # that module imports this one

    return catalog_of(snapshot_doc)


@pytest.fixture(scope="session")
def text_ids(catalog: Catalog) -> list[str]:
    """The Anthropic list as the domain orders it: newest first, ties by id."""
    assert catalog.anthropic is not None
    return [m.id for m in catalog.anthropic.ordered]


@pytest.fixture
def fake_bedrock(snapshot_doc: dict[str, Any]) -> FakeBedrock:
    return FakeBedrock(snapshot_doc)


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.update(overrides)
    return event


HandlerLoader = Callable[..., ModuleType]


@pytest.fixture
def load_handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[HandlerLoader]:
    """Import ``functions/<name>/app.py`` as a cold start would, under the given environment."""
    loaded: list[str] = []

    def load(name: str, **env: str) -> ModuleType:
        env.setdefault("CATALOG_SNAPSHOT", str(SNAPSHOT))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        forget_runtime()
        module_name = f"handler_{name}_{len(loaded)}"
        module = import_file(ROOT / "functions" / name / "app.py", module_name)
        loaded.append(module_name)
        return module

    yield load
    for module_name in loaded:
        sys.modules.pop(module_name, None)
    forget_runtime()


def forget_runtime() -> None:
    """Clear the container's cached runtime, in the runtime module imported now: the local server
    re-imports the layer for its cold starts, so that may not be the module this file imported."""
    runtime_module.runtime.cache_clear()
    current = sys.modules.get("model_catalog.runtime")
    if current is not None:
        current.runtime.cache_clear()
