"""The cache tiers end to end: memory, DynamoDB (moto), Bedrock (the fake), with a controlled clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest
from moto import mock_aws

from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.adapters.snapshot import SnapshotSource
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import CatalogUnavailableError, SourceError
from model_catalog.ports import SilentObserver
from model_catalog.service import CatalogService
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import SNAPSHOT
from tests.fakes import FakeBedrock

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def service(fake: FakeBedrock, clock: Clock, client: Any | None, **kwargs: Any) -> CatalogService:
    """The waits are generous, so that a refresh the fake answers at once is seen whole whatever the
    load of the machine (tests/reliability/test_stale_budget.py holds the budgets themselves)."""
    store = DynamoDBStore(TABLE, client=client, clock=clock) if client is not None else None
    return CatalogService(
        regions=REGIONS,
        routes=RouteTable.build("/anthropic", ""),
        source=BedrockSource(fake.client_factory(), clock=clock),
        store=store,
        fresh_seconds=kwargs.get("fresh", 900),
        max_stale_seconds=kwargs.get("max_stale", 86400),
        clock=clock,
        sleep=lambda s: setattr(clock, "now", clock.now + s),
        stale_wait_seconds=10.0,
        cold_wait_seconds=10.0,
    )


def bedrock_calls(fake: FakeBedrock) -> int:
    return fake.total_calls


def test_warm_requests_touch_nothing(snapshot_doc: dict[str, Any], clock: Clock, table: Any) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    svc = service(fake, clock, table)
    first = svc.current()
    calls = bedrock_calls(fake)
    assert calls > 0 and not first.stale
    clock.now += 899
    for _ in range(100):
        assert svc.current() is first
    assert bedrock_calls(fake) == calls


def test_a_second_container_starts_from_dynamodb(snapshot_doc: dict[str, Any], clock: Clock, table: Any) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service(fake, clock, table).current()
    calls = bedrock_calls(fake)
    clock.now += 10
    other = service(fake, clock, table).current()
    assert bedrock_calls(fake) == calls  # served from the table
    assert len(other.catalog) > 0


def test_stale_regions_are_refreshed_and_failed_ones_keep_their_data(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=1)
    svc = service(fake, clock, table)
    before = svc.current().catalog
    clock.now += 1000  # past fresh, within max stale
    fake.add_rounds(1)
    fake.fail("eu-west-1", "ThrottlingException")
    state = svc.current()
    assert state.stale  # eu-west-1 is still the old data
    assert state.catalog.models == before.models  # nothing dropped
    assert state.catalog.fetched_at["us-east-1"] == clock.now
    assert state.catalog.fetched_at["eu-west-1"] == 1_000_000.0


def test_every_region_failing_with_no_cache_is_unavailable(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    fake = FakeBedrock(snapshot_doc)
    for region in REGIONS:
        fake.fail(region, "AccessDeniedException")
    with pytest.raises(CatalogUnavailableError):
        service(fake, clock, None).current()


def test_data_older_than_max_stale_is_not_served(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    fake = FakeBedrock(snapshot_doc)
    svc = service(fake, clock, None, fresh=60, max_stale=120)
    svc.current()
    for region in REGIONS:
        fake.fail(region, "AccessDeniedException")
    clock.now += 100
    assert svc.current().stale
    clock.now += 100
    with pytest.raises(CatalogUnavailableError):
        svc.current()


def test_dynamodb_down_still_answers_from_bedrock(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    with mock_aws():
        missing_table = boto3.client("dynamodb", region_name="us-east-1")  # no table created
        state = service(FakeBedrock(snapshot_doc), clock, missing_table).current()
    assert len(state.catalog) > 0 and not state.stale


class Reported(SilentObserver):
    def __init__(self) -> None:
        self.fetched: list[str] = []

    def region_fetched(self, region: str, error: SourceError | None) -> None:
        self.fetched.append(region)


def test_a_refresh_reads_each_region_as_it_arrives(clock: Clock) -> None:
    """While slower regions still answer, those in are kept, read for the catalog and reported."""
    observer = Reported()
    snapshots = SnapshotSource(SNAPSHOT, clock=clock)
    reported_before_each: list[list[str]] = []

    class OneByOne:
        name = "one region at a time"
        kind = "snapshot"

        def fetch(self, regions: Sequence[str]) -> Iterator[tuple[str, RegionSnapshot | SourceError]]:
            for region, result in snapshots.fetch(regions):
                reported_before_each.append(list(observer.fetched))
                yield region, result

    regions = ("eu-west-1", "no-such-region", "us-east-1")
    svc = CatalogService(
        regions=regions,
        routes=RouteTable.build("/anthropic", ""),
        source=OneByOne(),
        store=None,
        fresh_seconds=900,
        max_stale_seconds=86400,
        clock=clock,
        observer=observer,
    )
    report = svc.refresh()
    assert reported_before_each == [[], ["eu-west-1"], ["eu-west-1", "no-such-region"]]
    assert report.refreshed == ["eu-west-1", "us-east-1"] and list(report.failed) == ["no-such-region"]
    fetched = dict(snapshots.fetch(regions))
    expected = Catalog.from_snapshots(
        {r: s for r, s in fetched.items() if isinstance(s, RegionSnapshot)}, regions, svc.routes
    )
    assert svc.current().catalog.models == expected.models
