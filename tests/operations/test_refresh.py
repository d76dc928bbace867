"""The scheduled refresher, in-process: EventBridge event in, Bedrock (fake) and DynamoDB (moto) behind,
per-region outcome out, and the metrics and log lines a platform team watches."""

from __future__ import annotations

import io
from typing import Any

import pytest

from model_catalog.adapters import metrics as emf
from model_catalog.observability import SERVICE
from model_catalog.ports import CacheTier
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import HandlerLoader, load_event
from tests.fakes import FakeBedrock
from tests.operations.conftest import REGIONS, call, emf_documents, http_event, log_lines, metric_values


def list_models_calls(fake: FakeBedrock) -> int:
    return sum(n for (_, operation), n in fake.calls.items() if operation == "ListFoundationModels")


def test_refresh_fills_the_table_and_reports_every_region(
    load_handler: HandlerLoader,
    table: Any,
    bedrock: FakeBedrock,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    structured_logs: io.StringIO,
) -> None:
    refresher = load_handler(
        "refresh_catalog", AWS_BEDROCK_REGIONS=REGIONS, CACHE_TABLE_NAME=TABLE, CATALOG_SNAPSHOT=""
    )
    event = load_event("refresh_catalog_schedule")

    outcome = refresher.lambda_handler(event, lambda_context)

    assert outcome == {"refreshed": REGIONS.split(","), "failed": {}, "skipped": None, "backed_off": {}}
    assert list_models_calls(bedrock) == 3
    assert table.scan(TableName=TABLE)["Count"] >= 3  # an item per region, at least
    documents = emf_documents(capsys.readouterr().out)
    assert metric_values(documents, emf.REGIONS_REFRESHED, service=SERVICE) == [3]
    assert metric_values(documents, emf.REFRESH_FAILURES, service=SERVICE) == [0]
    (duration,) = metric_values(documents, emf.REFRESH_DURATION, service=SERVICE)
    assert duration > 0
    for region in REGIONS.split(","):
        assert metric_values(documents, emf.BEDROCK_CALLS, region=region, service=SERVICE) == [1]
    assert metric_values(documents, emf.BEDROCK_FAILURES) == []
    (line,) = [entry for entry in log_lines(structured_logs) if entry["message"] == "catalog refresh done"]
    assert line["refreshed"] == REGIONS.split(",")
    assert line["correlation_id"] == event["id"]
    assert line["level"] == "INFO"


def test_a_failing_region_is_reported_and_counted(
    load_handler: HandlerLoader,
    table: Any,
    bedrock: FakeBedrock,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    structured_logs: io.StringIO,
) -> None:
    failing = REGIONS.split(",")[1]
    bedrock.fail(failing, "AccessDeniedException")
    refresher = load_handler(
        "refresh_catalog", AWS_BEDROCK_REGIONS=REGIONS, CACHE_TABLE_NAME=TABLE, CATALOG_SNAPSHOT=""
    )

    outcome = refresher.lambda_handler(load_event("refresh_catalog_schedule"), lambda_context)

    assert set(outcome["failed"]) == {failing}
    assert "access denied" in outcome["failed"][failing]
    assert failing not in outcome["refreshed"] and len(outcome["refreshed"]) == 2
    documents = emf_documents(capsys.readouterr().out)
    assert metric_values(documents, emf.REFRESH_FAILURES, service=SERVICE) == [1]
    assert metric_values(documents, emf.BEDROCK_FAILURES, region=failing, service=SERVICE) == [1]
    errors = [entry for entry in log_lines(structured_logs) if entry["level"] == "ERROR"]
    assert errors and errors[-1]["failed"] == outcome["failed"]


def test_after_a_refresh_requests_never_wait_on_bedrock(
    load_handler: HandlerLoader,
    table: Any,
    bedrock: FakeBedrock,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Steady state: the refresher fills DynamoDB, a new API container reads it there, then memory."""
    env = {"AWS_BEDROCK_REGIONS": REGIONS, "CACHE_TABLE_NAME": TABLE, "CATALOG_SNAPSHOT": ""}
    refresher = load_handler("refresh_catalog", **env)
    refresher.lambda_handler(load_event("refresh_catalog_schedule"), lambda_context)
    calls_after_refresh = bedrock.total_calls
    capsys.readouterr()

    api = load_handler("list_models", **env)
    answers = [call(api, http_event("openai_list_models")) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert bedrock.total_calls == calls_after_refresh
    documents = emf_documents(capsys.readouterr().out)
    assert metric_values(documents, emf.CACHE_HIT_METRICS[CacheTier.STORE]) == [1]
    assert metric_values(documents, emf.CACHE_HIT_METRICS[CacheTier.MEMORY]) == [1, 1]
    assert metric_values(documents, emf.CACHE_HIT_METRICS[CacheTier.SOURCE]) == []
    assert metric_values(documents, emf.STALE_RESPONSES) == []


def test_a_cold_container_without_the_table_filled_reads_bedrock_once(
    load_handler: HandlerLoader, table: Any, bedrock: FakeBedrock, capsys: pytest.CaptureFixture[str]
) -> None:
    api = load_handler("list_models", AWS_BEDROCK_REGIONS=REGIONS, CACHE_TABLE_NAME=TABLE, CATALOG_SNAPSHOT="")
    assert call(api, http_event("openai_list_models")).status == 200
    assert call(api, http_event("openai_list_models")).status == 200
    documents = emf_documents(capsys.readouterr().out)
    assert metric_values(documents, emf.CACHE_HIT_METRICS[CacheTier.SOURCE]) == [1]
    assert metric_values(documents, emf.CACHE_HIT_METRICS[CacheTier.MEMORY]) == [1]
    assert list_models_calls(bedrock) == 3
