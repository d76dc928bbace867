"""The DynamoDB cache against moto: round trips, one read for a cold start, chunking past the item limit,
corruption, leases."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest
from moto import mock_aws

from model_catalog.adapters.dynamodb import CHUNK_BYTES, DynamoDBStore
from model_catalog.domain.access import Availability
from model_catalog.domain.records import RegionSnapshot
from model_catalog.errors import CacheStoreError
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import create_cache_table as create_table
from tests.unit.conftest import snapshots_of

# The fixture's snapshots say they were fetched at 1000 s: read them back a little later than that.
NOW = 2_000.0


def test_round_trip_of_every_region(table: Any, snapshot_doc: dict[str, Any]) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    snapshots = snapshots_of(snapshot_doc)
    store.save(list(snapshots.values()))
    loaded = store.load(list(snapshots))
    assert set(loaded) == set(snapshots)
    for region, snapshot in snapshots.items():
        assert list(loaded[region].model_summaries) == list(snapshot.model_summaries)
        assert list(loaded[region].profile_summaries) == list(snapshot.profile_summaries)
        assert loaded[region].fetched_at == snapshot.fetched_at


def test_a_region_with_thousands_of_models_spans_several_items(table: Any, snapshot_doc: dict[str, Any]) -> None:
    east = snapshots_of(snapshot_doc, ("us-east-1",))["us-east-1"]
    # Unique ids and names so compression cannot fold them away: many times DynamoDB's 400 KB.
    huge = [
        dict(m, modelId=f"{m['modelId']}-{i}", modelName=hashlib.sha512(f"{m['modelId']}{i}".encode()).hexdigest())
        for i in range(40)
        for m in east.model_summaries
    ]
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    store.save([RegionSnapshot("us-east-1", huge, east.profile_summaries, 5.0)])
    items = table.scan(TableName=TABLE)["Items"]
    chunks = [i for i in items if i["pk"]["S"].count("#") == 3]
    assert len(chunks) > 1 and all(len(i["data"]["B"]) <= CHUNK_BYTES for i in chunks)
    assert len(store.load(["us-east-1"])["us-east-1"].model_summaries) == len(huge)


def test_a_corrupt_item_reads_as_missing(table: Any, snapshot_doc: dict[str, Any]) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    store.save(list(snapshots_of(snapshot_doc, ("us-east-1", "us-west-2")).values()))
    manifest = table.get_item(TableName=TABLE, Key={"pk": {"S": "region#us-west-2"}})["Item"]
    table.put_item(TableName=TABLE, Item=dict(manifest, data={"B": b"not zlib"}))
    assert set(store.load(["us-east-1", "us-west-2"])) == {"us-east-1"}


def test_a_region_that_fits_one_item_is_that_item_alone(table: Any, snapshot_doc: dict[str, Any]) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    store.save(list(snapshots_of(snapshot_doc).values()))
    items = table.scan(TableName=TABLE)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == sorted(f"region#{r}" for r in snapshot_doc["regions"])
    assert all(0 < len(i["data"]["B"]) <= CHUNK_BYTES for i in items)


def test_the_data_and_the_access_answers_of_every_region_are_one_read(table: Any, snapshot_doc: dict[str, Any]) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    snapshots = snapshots_of(snapshot_doc)
    store.save(list(snapshots.values()))
    callable_here = Availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE", NOW)
    answers = {"us-east-1": {"amazon.nova-pro-v1:0": callable_here}}
    store.save_access(answers)
    reads: list[str] = []
    table.meta.events.register("before-call.dynamodb.*", lambda model, **_: reads.append(model.name))
    both = store.load_with_access(list(snapshots))
    assert reads == ["BatchGetItem"]
    assert both == (store.load(list(snapshots)), store.load_access(list(snapshots))) and both[1] == answers
    assert set(both[0]) == set(snapshots)


def test_an_item_of_another_schema_version_reads_as_missing(table: Any, snapshot_doc: dict[str, Any]) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=lambda: NOW)
    store.save(list(snapshots_of(snapshot_doc, ("us-east-1",)).values()))
    table.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "region#us-east-1"}},
        UpdateExpression="SET #s = :v",
        ExpressionAttributeNames={"#s": "schema"},
        ExpressionAttributeValues={":v": {"N": "0"}},
    )
    assert store.load(["us-east-1"]) == {}


def test_lease_is_exclusive_and_expires() -> None:
    now = [1000.0]
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client, clock=lambda: now[0])
        assert store.acquire_refresh_lease("a", 60)
        assert not store.acquire_refresh_lease("b", 60)
        now[0] += 61  # a crashed owner never released it
        assert store.acquire_refresh_lease("b", 60)
        store.release_refresh_lease("a")  # not a's any more: a no-op
        assert not store.acquire_refresh_lease("a", 60)
        store.release_refresh_lease("b")
        assert store.acquire_refresh_lease("a", 60)


def test_a_missing_table_is_a_cache_store_error() -> None:
    with mock_aws():
        store = DynamoDBStore("no-such-table", client=boto3.client("dynamodb", region_name="us-east-1"))
        with pytest.raises(CacheStoreError):
            store.load(["us-east-1"])
        with pytest.raises(CacheStoreError):
            store.acquire_refresh_lease("a", 60)
