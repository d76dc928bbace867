"""Bedrock's lifecycle dates survive the real adapter (boto3 answers datetimes; the adapter keeps them as
ISO text for the cache) and a round trip through DynamoDB, as the fixture says them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock, service

SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"


def test_lifecycle_dates_through_the_adapter_and_the_cache_table(snapshot_doc: dict[str, Any], table: Any) -> None:
    clock = Clock()
    fake = FakeBedrock(snapshot_doc)
    from_bedrock = service(fake, clock, table).current().catalog.all.by_id[SONNET_4]
    from_table = service(fake, clock, table).current().catalog.all.by_id[SONNET_4]  # a second container
    for record in (from_bedrock, from_table):
        assert record.lifecycle == "deprecated"
        assert record.deprecated_at == datetime(2026, 4, 14, 7, tzinfo=UTC)
        assert record.extended_access_at == datetime(2026, 7, 14, 7, tzinfo=UTC)
        assert record.retires_at == datetime(2026, 10, 14, 7, tzinfo=UTC)
    assert fake.total_calls > 0
