"""Faults at the DynamoDB boundary (moto, with AWS errors injected into the client): the service
answers from Bedrock or memory whatever the table does, and rewrites what it could not use."""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from model_catalog.adapters import dynamodb
from model_catalog.adapters.dynamodb import CHUNK_BYTES, SCHEMA_VERSION, DynamoDBStore
from model_catalog.domain.records import RegionSnapshot
from model_catalog.errors import CatalogUnavailableError
from model_catalog.service import RETRY_AFTER_FAILURE_SECONDS
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import HandlerLoader
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.reliability.conftest import (
    REGIONS,
    call,
    dynamodb_client,
    http_event,
    inject_dynamodb_errors,
    list_models_calls,
    make_service,
)
from tests.unit.conftest import snapshots_of

DYNAMODB_ITEM_LIMIT = 400 * 1024


def seed(table: Any, doc: dict[str, Any], fetched_at: float, regions: tuple[str, ...] = REGIONS) -> None:
    """What another container left in the table."""
    store = DynamoDBStore(TABLE, client=table, clock=lambda: fetched_at)
    store.save([replace(s, fetched_at=fetched_at) for s in snapshots_of(doc, regions).values()])


def stored(table: Any, clock: Clock) -> dict[str, RegionSnapshot]:
    """What a new container reads from the table now."""
    return DynamoDBStore(TABLE, client=table, clock=clock).load(REGIONS)


def manifest(table: Any, region: str) -> dict[str, Any]:
    item: dict[str, Any] = table.get_item(TableName=TABLE, Key={"pk": {"S": f"region#{region}"}})["Item"]
    return item


def assert_repaired(table: Any, clock: Clock, doc: dict[str, Any], region: str) -> None:
    """The region's item is whole again, current, and holds what Bedrock answered."""
    snapshot = stored(table, clock)[region]
    assert snapshot.fetched_at == clock.now
    raw = doc["regions"][region]
    assert [s["modelId"] for s in snapshot.model_summaries] == [
        s["modelId"] for s in raw["ListFoundationModels"]["modelSummaries"]
    ]
    assert len(snapshot.profile_summaries) == len(raw["ListInferenceProfiles"]["inferenceProfileSummaries"])
    assert manifest(table, region)["schema"]["N"] == str(SCHEMA_VERSION)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# --- the table is missing ---------------------------------------------------------------------------


@pytest.mark.usefixtures("aws")
def test_a_missing_table_answers_from_bedrock_and_then_from_memory(
    snapshot_doc: dict[str, Any], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeBedrock(snapshot_doc)
    service = make_service(fake, clock, dynamodb_client())  # no table created
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        state = service.current()
    assert not state.stale and len(state.catalog) > 0
    logged = warnings_of(caplog)
    assert any("cache store unreadable" in m and "ResourceNotFoundException" in m for m in logged)
    assert any("refresh lease unavailable, refreshing without it" in m for m in logged)
    assert any("cache store unwritable" in m for m in logged)
    calls = fake.total_calls
    clock.now += 899
    assert service.current() is state and fake.total_calls == calls


@pytest.mark.usefixtures("aws")
def test_a_missing_table_is_invisible_to_the_client(
    load_handler: HandlerLoader, bedrock_for_handlers: FakeBedrock, lambda_context: Any
) -> None:
    handler = load_handler(
        "list_models", AWS_BEDROCK_REGIONS=",".join(REGIONS), CACHE_TABLE_NAME="no-such-table", CATALOG_SNAPSHOT=""
    )
    answer = call(handler, http_event("GET", "/v1/models"), lambda_context)
    assert answer.status == 200 and "x-catalog-stale" not in answer.headers
    assert len(answer.json["data"]) > 100


# --- the table is throttled or failing ----------------------------------------------------------------

STORE_ERRORS = ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded")


@pytest.mark.parametrize("code", [*STORE_ERRORS, "InternalServerError"])
def test_a_throttled_table_answers_from_bedrock_then_memory_and_is_repaired(
    code: str, snapshot_doc: dict[str, Any], clock: Clock, table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = make_service(fake, clock, table)
    injected = inject_dynamodb_errors(table, code)
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        state = service.current()
    assert not state.stale and state.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)
    assert injected.injected >= 3  # the read, the lease, the write all failed
    assert any(code in m for m in warnings_of(caplog))

    clock.now += 600  # memory answers; neither the table nor Bedrock is asked
    calls = fake.total_calls
    assert service.current() is state and fake.total_calls == calls

    injected.active = False  # the table recovers
    clock.now += 301  # past fresh: the next request refreshes and writes the table again
    assert not service.current().stale
    for region in REGIONS:
        assert_repaired(table, clock, snapshot_doc, region)


def test_a_table_that_refuses_only_writes_keeps_serving_and_is_repaired_later(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = make_service(fake, clock, table)
    injected = inject_dynamodb_errors(table, "ProvisionedThroughputExceededException", ["BatchWriteItem", "PutItem"])
    assert not service.current().stale
    assert stored(table, clock) == {}  # nothing could be written (not even the lease)
    injected.active = False
    clock.now += 901
    service.current()
    assert set(stored(table, clock)) == set(REGIONS)


# --- the item is corrupt, old, or does not fit one item -------------------------------------------


def set_manifest(table: Any, region: str, name: str, value: dict[str, Any]) -> None:
    table.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"region#{region}"}},
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":v": value},
    )


def remove_from_manifest(table: Any, region: str, name: str) -> None:
    table.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"region#{region}"}},
        UpdateExpression="REMOVE #n",
        ExpressionAttributeNames={"#n": name},
    )


# A region's data in its manifest, as every region of the fixture has it.
CORRUPTIONS: dict[str, Callable[[Any, str], None]] = {
    "data not zlib": lambda table, region: set_manifest(table, region, "data", {"B": b"\x00 not zlib"}),
    "digest mismatch": lambda table, region: set_manifest(
        table, region, "digest", {"S": hashlib.sha256(b"other").hexdigest()}
    ),
    "data missing": lambda table, region: remove_from_manifest(table, region, "data"),
    "older schema version": lambda table, region: set_manifest(table, region, "schema", {"N": str(SCHEMA_VERSION - 1)}),
    "manifest without schema": lambda table, region: remove_from_manifest(table, region, "schema"),
}
# A region's data in chunks, as a region too big for one item has it.
CHUNK_CORRUPTIONS: dict[str, Callable[[Any, str], None]] = {
    "chunk not zlib": lambda table, region: table.put_item(
        TableName=TABLE,
        Item={**chunk_of(table, region), "data": {"B": b"\x00 not zlib"}},
    ),
    "chunk missing": lambda table, region: table.delete_item(
        TableName=TABLE, Key={"pk": chunk_of(table, region)["pk"]}
    ),
    "manifest without generation": lambda table, region: remove_from_manifest(table, region, "generation"),
    "manifest with a text chunk count": lambda table, region: set_manifest(table, region, "chunks", {"S": "three"}),
    "manifest claiming a million chunks": lambda table, region: set_manifest(table, region, "chunks", {"N": "1000000"}),
}


def chunk_of(table: Any, region: str) -> dict[str, Any]:
    generation = manifest(table, region)["generation"]["S"]
    item: dict[str, Any] = table.get_item(TableName=TABLE, Key={"pk": {"S": f"region#{region}#{generation}#0"}})["Item"]
    return item


@pytest.mark.parametrize("corruption", [*CORRUPTIONS, *CHUNK_CORRUPTIONS])
def test_an_unusable_item_reads_as_missing_and_only_its_region_is_refetched_and_rewritten(
    corruption: str,
    snapshot_doc: dict[str, Any],
    clock: Clock,
    table: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if corruption in CHUNK_CORRUPTIONS:
        monkeypatch.setattr(dynamodb, "CHUNK_BYTES", 1000)  # every region of the fixture in chunks
    seed(table, snapshot_doc, clock.now - 60)  # fresh: no region needs Bedrock
    {**CORRUPTIONS, **CHUNK_CORRUPTIONS}[corruption](table, "us-west-2")
    fake = FakeBedrock(snapshot_doc)
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        state = make_service(fake, clock, table).current()
    assert not state.stale and set(state.catalog.fetched_at) == set(REGIONS)
    assert list_models_calls(fake) == {"us-west-2": 1}
    assert any("us-west-2" in m and ("corrupt" in m or "schema" in m) for m in warnings_of(caplog))
    assert_repaired(table, clock, snapshot_doc, "us-west-2")
    assert stored(table, clock)["us-east-1"].fetched_at == clock.now - 60  # the others left as they were


def test_a_region_larger_than_one_dynamodb_item_round_trips_through_chunks(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    doc = copy.deepcopy(snapshot_doc)
    east = doc["regions"]["us-east-1"]["ListFoundationModels"]
    # Unique ids and names so compression cannot fold them away.
    east["modelSummaries"] = [
        dict(m, modelId=f"{m['modelId']}-{i}", modelName=hashlib.sha512(f"{m['modelId']}{i}".encode()).hexdigest())
        for i in range(60)
        for m in east["modelSummaries"]
    ]
    writer = FakeBedrock(doc)
    written = make_service(writer, clock, table).current()
    items = table.scan(TableName=TABLE)["Items"]
    chunks = [i for i in items if i["pk"]["S"].startswith("region#us-east-1#")]
    assert sum(len(i["data"]["B"]) for i in chunks) > DYNAMODB_ITEM_LIMIT  # would not fit one item
    assert len(chunks) > 1 and all(len(i["data"]["B"]) <= CHUNK_BYTES for i in chunks)

    reader = FakeBedrock(doc)
    clock.now += 10
    read = make_service(reader, clock, table).current()  # another container
    assert reader.total_calls == 0
    assert read.catalog.models == written.catalog.models
    assert len(stored(table, clock)["us-east-1"].model_summaries) == len(east["modelSummaries"])


# --- clocks and TTL -----------------------------------------------------------------------------------


def test_an_expired_item_that_dynamodb_has_not_deleted_yet_is_not_served(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    retention = 86400
    seed(table, snapshot_doc, clock.now - retention - 100)  # its expires_at passed 100 s ago
    assert int(manifest(table, "us-east-1")["expires_at"]["N"]) < clock.now
    fake = FakeBedrock(snapshot_doc)
    state = make_service(fake, clock, table, max_stale=retention).current()
    assert not state.stale and state.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 1)
    for region in REGIONS:
        assert_repaired(table, clock, snapshot_doc, region)
        assert int(manifest(table, region)["expires_at"]["N"]) == int(clock.now + retention)


def test_an_expired_item_is_not_served_even_when_bedrock_is_down(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    seed(table, snapshot_doc, clock.now - 86400 - 100)
    fake = FakeBedrock(snapshot_doc)
    for region in REGIONS:
        fake.fail(region, "ServiceUnavailableException")
    with pytest.raises(CatalogUnavailableError):
        make_service(fake, clock, table).current()


def test_an_item_from_a_clock_far_ahead_is_refetched_not_trusted_as_fresh(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed(table, snapshot_doc, clock.now + 3600, ("us-west-2",))  # a writer whose clock ran an hour ahead
    seed(table, snapshot_doc, clock.now - 60, ("us-east-1", "eu-west-1"))
    fake = FakeBedrock(snapshot_doc)
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        state = make_service(fake, clock, table).current()
    assert list_models_calls(fake) == {"us-west-2": 1}
    assert state.catalog.fetched_at["us-west-2"] == clock.now and not state.stale
    assert any("clock skew" in m and "us-west-2" in m for m in warnings_of(caplog))
    assert_repaired(table, clock, snapshot_doc, "us-west-2")


def test_a_few_seconds_of_clock_skew_is_tolerated(snapshot_doc: dict[str, Any], clock: Clock, table: Any) -> None:
    seed(table, snapshot_doc, clock.now + 5)
    fake = FakeBedrock(snapshot_doc)
    state = make_service(fake, clock, table).current()
    assert fake.total_calls == 0 and not state.stale


def test_a_region_that_failed_is_retried_from_the_table_before_bedrock(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    """Memory stale for one region: another container may have refreshed it meanwhile."""
    fake = FakeBedrock(snapshot_doc, rounds=2)
    fake.fail("us-west-2", "ThrottlingException")
    service = make_service(fake, clock, table)
    assert service.current().stale
    seed(table, snapshot_doc, clock.now + 1, ("us-west-2",))  # a peer wrote it a second later
    clock.now += RETRY_AFTER_FAILURE_SECONDS
    state = service.current()
    assert not state.stale and list_models_calls(fake)["us-west-2"] == 1
