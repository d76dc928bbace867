"""What every measurement shares: an environment that cannot reach AWS, the 18-region fixture, moto's
DynamoDB on 127.0.0.1 filled by a real refresh, and the events of the measured routes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.routes import RouteTable
from model_catalog.service import CatalogService
from tests.conftest import ALL_REGIONS, ROOT, SNAPSHOT, load_event
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import create_cache_table as create_table
from tests.fakes import FakeBedrock

LAYER = ROOT / "layers" / "catalog"
# Whatever might still try Bedrock in a measured process meets a closed local port, never AWS.
NOWHERE = "http://127.0.0.1:9"
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def snapshot_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return doc


def sandbox_environ(**settings: str) -> dict[str, str]:
    """A process environment with fake credentials, no metadata service and no AWS config files,
    none of the caller's own settings, and the given ones."""
    env = {k: v for k, v in os.environ.items() if k in _KEPT}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_ENDPOINT_URL_BEDROCK=NOWHERE,
        PYTHONPATH=str(LAYER),
    )
    env.update(settings)
    return env


def container_settings(dynamodb_endpoint: str) -> dict[str, str]:
    """A deployed container's settings: every fixture region, the DynamoDB cache (moto's), an API key."""
    return {
        "AWS_BEDROCK_REGIONS": ",".join(ALL_REGIONS),
        "CACHE_TABLE_NAME": TABLE,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        # The key the events carry: every measured request passes the API key check.
        "API_KEY": "example-api-key",
        # As template.yaml sets it for every function.
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


@contextmanager
def dynamodb_server() -> Iterator[str]:
    """moto's DynamoDB on a free port of 127.0.0.1, for this process and its children; yields its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def fill_cache(endpoint: str, doc: Mapping[str, Any]) -> None:
    """Create the cache table and refresh every region into it, as the scheduled refresher does
    (Bedrock faked), so a container starting now finds a warm cache."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    create_table(client)
    service = CatalogService(
        regions=ALL_REGIONS,
        routes=RouteTable.build("/anthropic", ""),
        source=BedrockSource(FakeBedrock(dict(doc)).client_factory()),
        store=DynamoDBStore(TABLE, client=client),
        fresh_seconds=900,
        max_stale_seconds=86400,
    )
    report = service.refresh()
    if report.failed or len(report.refreshed) != len(ALL_REGIONS):
        raise RuntimeError(f"could not fill the cache: {report}")


@dataclass(frozen=True)
class Route:
    """A measured route: the function that serves it and its event in ``events/``, with the query string
    replaced when ``query`` is given."""

    label: str
    function: str
    event_name: str
    query: Mapping[str, str] | None = None

    def event(self) -> dict[str, Any]:
        if self.query is None:
            return load_event(self.event_name)
        return load_event(
            self.event_name,
            queryStringParameters=dict(self.query),
            rawQueryString="&".join(f"{k}={v}" for k, v in self.query.items()),
        )


# The rows of the issue: list limit 20 and 1000, retrieve by id and alias, search with none and three
# filters, the OpenAI list.
ROUTES: tuple[Route, ...] = (
    Route("list, limit 20", "list_models", "anthropic_list_models", {"limit": "20"}),
    Route("list, limit 1000", "list_models", "anthropic_list_models", {"limit": "1000"}),
    Route("retrieve by id", "get_model", "anthropic_get_model"),
    Route("retrieve by alias", "get_model", "anthropic_get_model_alias"),
    Route("search, no filter", "search_models", "search_models"),
    Route("search, three filters", "search_models", "search_models_filtered"),
    Route(
        "search, three filters, a fact and a sort",
        "search_models",
        "search_models_filtered",
        {
            "input_modalities": "TEXT",
            "output_modalities": "TEXT",
            "region": "us-east-1",
            "min_context_window": "200000",
            "sort": "input_price",
        },
    ),
    Route("OpenAI list", "list_models", "openai_list_models"),
)
