"""A full refresh of every fixture region, every Bedrock call delayed at the boto3 boundary.

Each run is a container's first refresh: a new botocore session that has created the DynamoDB client
(a container reads the cache, or takes the refresh lease, before it refreshes), then, timed, the
adapter creates its 18 Bedrock clients (its own factory, stubbed by the fake), fetches every region and
page, and the catalog is built. The DynamoDB write is not part of the figure."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from model_catalog.adapters import clients
from model_catalog.adapters.bedrock import BedrockSource, default_client_factory
from model_catalog.domain.routes import RouteTable
from model_catalog.service import CatalogService
from tests.conftest import ALL_REGIONS
from tests.fakes import FakeBedrock, refresh_calls

# Bedrock answers ListInferenceProfiles (maxResults 1000) in one page; the fake pages by 50 so the three
# largest regions need a second page and the figure includes following nextToken.
PAGE_SIZE = 50


@dataclass(frozen=True)
class RefreshResult:
    seconds: float  # median
    delay: float
    calls: int  # Bedrock calls of one refresh (every run made the same number)
    expected_calls: int  # 2 per region + extra profile pages


def refresh_once(fake: FakeBedrock) -> tuple[float, int]:
    """One container's first refresh: seconds, and the Bedrock calls it made."""
    service = CatalogService(
        regions=ALL_REGIONS,
        routes=RouteTable.build("/anthropic", ""),
        source=BedrockSource(fake.client_factory(default_client_factory())),
        store=None,
        fresh_seconds=900,
        max_stale_seconds=86400,
    )
    return timed_first_refresh(service, lambda: fake.total_calls)


def timed_first_refresh(service: CatalogService, calls: Callable[[], int]) -> tuple[float, int]:
    """``service.refresh()`` as a new container's first: a new botocore session that has made the DynamoDB
    client, then, timed, the refresh of every fixture region. Seconds, and how far ``calls()`` moved."""
    clients.session.cache_clear()
    clients.create_client("dynamodb", region_name="us-east-1")
    calls_before = calls()
    gc.collect()
    start = time.perf_counter()
    report = service.refresh()
    elapsed = time.perf_counter() - start
    if report.failed or len(report.refreshed) != len(ALL_REGIONS):
        raise RuntimeError(f"refresh failed: {report}")
    return elapsed, calls() - calls_before


def measure_refresh(doc: Mapping[str, Any], runs: int, delay: float) -> RefreshResult:
    fake = FakeBedrock(dict(doc), delay=delay, page_size=PAGE_SIZE)
    refresh_once(fake)  # this process's imports, and the fake builds and checks its answers once
    seconds, calls = [], set()
    for _ in range(runs):
        elapsed, made = refresh_once(fake)
        seconds.append(elapsed)
        calls.add(made)
    if len(calls) != 1:
        raise RuntimeError(f"refreshes made different numbers of Bedrock calls: {sorted(calls)}")
    expected = refresh_calls(dict(doc), ALL_REGIONS, PAGE_SIZE)
    return RefreshResult(statistics.median(seconds), delay, calls.pop(), expected)
