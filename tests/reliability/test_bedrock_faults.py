"""Faults at the Bedrock boundary, injected into real boto3 clients (tests/fakes.py): a region that is
throttled, denied, hung or answering garbage never costs the other regions their data, and every
region failing still answers: stale data with a header saying so, or a clean 503 in the dialect."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_catalog.adapters.bedrock import MAX_ATTEMPTS
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import CatalogUnavailableError
from model_catalog.service import RETRY_AFTER_FAILURE_SECONDS
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import SNAPSHOT, HandlerLoader
from tests.conftest import create_cache_table as create_table
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.reliability.conftest import (
    REGIONS,
    START,
    call,
    dynamodb_client,
    http_event,
    list_models_calls,
    make_service,
    refreshes_done,
)
from tests.unit.conftest import catalog_of, snapshots_of

FAILING = "us-west-2"  # 9 of its models are listed nowhere else among REGIONS
HEALTHY = tuple(r for r in REGIONS if r != FAILING)


def only_in(doc: dict[str, Any], region: str) -> set[str]:
    return {m.id for m in catalog_of(doc, REGIONS).models if m.regions == (region,)}


def ids(state: Any) -> set[str]:
    return {m.id for m in state.catalog.models}


# Each fault as a test injects it; "reason" is what the log line says about the region.
FAULTS: dict[str, tuple[Callable[[FakeBedrock], None], str]] = {
    "throttled": (lambda fake: fake.throttle(FAILING), "throttled"),
    "access denied": (lambda fake: fake.fail(FAILING, "AccessDeniedException"), "access denied"),
    "read timeout": (lambda fake: fake.time_out(FAILING, "read"), "unreachable"),
    "connect timeout": (lambda fake: fake.time_out(FAILING, "connect"), "unreachable"),
    "malformed body": (
        lambda fake: fake.answer_raw(FAILING, {"ListFoundationModels": b'{"modelSummaries": 42}'}),
        "malformed response",
    ),
    "not JSON": (lambda fake: fake.answer_raw(FAILING, {"ListFoundationModels": b"<html>502</html>"}), "malformed"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.usefixtures("instant_retries")
def test_a_failing_region_keeps_its_last_good_data_and_the_others_refresh(
    fault: str, snapshot_doc: dict[str, Any], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = make_service(fake, clock)
    before = service.current()
    assert not before.stale and only_in(snapshot_doc, FAILING) <= ids(before)

    inject, reason = FAULTS[fault]
    inject(fake)
    clock.now += 1000  # past fresh: every region is due
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        after = service.current()

    assert ids(after) == ids(before)  # nothing dropped, the failed region's models included
    assert after.catalog.models == before.catalog.models
    for region in HEALTHY:
        assert after.catalog.fetched_at[region] == clock.now
    assert after.catalog.fetched_at[FAILING] == START
    assert after.stale and after.age_seconds == 1000
    failures = [r.getMessage() for r in caplog.records if "region refresh failed" in r.getMessage()]
    assert len(failures) == 1 and FAILING in failures[0] and reason in failures[0]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.usefixtures("instant_retries")
def test_a_region_failing_at_cold_start_does_not_cost_the_others_a_model(
    fault: str, snapshot_doc: dict[str, Any], clock: Clock
) -> None:
    fake = FakeBedrock(snapshot_doc)
    FAULTS[fault][0](fake)
    state = make_service(fake, clock).current()
    assert ids(state) == catalog_of_regions(snapshot_doc, HEALTHY)
    assert state.stale and set(state.catalog.fetched_at) == set(HEALTHY)


def catalog_of_regions(doc: dict[str, Any], regions: tuple[str, ...]) -> set[str]:
    """The ids the healthy regions alone make available (merged as the service merges them)."""
    partial = {"regions": {r: doc["regions"][r] for r in regions}}
    return {m.id for m in catalog_of(partial, regions).models}


@pytest.mark.usefixtures("instant_retries")
def test_throttling_is_retried_adaptively_before_the_region_counts_as_failed(
    snapshot_doc: dict[str, Any], clock: Clock
) -> None:
    fake = FakeBedrock(snapshot_doc)
    fake.throttle(FAILING)  # every attempt
    make_service(fake, clock).current()
    assert fake.attempts[(FAILING, "ListFoundationModels")] == MAX_ATTEMPTS
    assert fake.attempts[(FAILING, "ListInferenceProfiles")] == MAX_ATTEMPTS


@pytest.mark.usefixtures("instant_retries")
def test_a_brief_throttle_is_absorbed_by_the_retries(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    fake = FakeBedrock(snapshot_doc)
    fake.throttle(FAILING, attempts=2)
    state = make_service(fake, clock).current()
    assert not state.stale and ids(state) == {m.id for m in catalog_of(snapshot_doc, REGIONS).models}
    assert fake.attempts[(FAILING, "ListFoundationModels")] == 3


def test_a_malformed_summary_is_passed_over_and_the_rest_of_its_region_kept(
    snapshot_doc: dict[str, Any], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Summaries botocore parses but the catalog cannot use. (A body botocore cannot parse at all
    fails its region as a whole: the "malformed body" fault above.)"""
    summaries = [dict(s) for s in snapshot_doc["regions"][FAILING]["ListFoundationModels"]["modelSummaries"]]
    victims = sorted(only_in(snapshot_doc, FAILING))[:4]
    for summary in summaries:
        if summary["modelId"] == victims[0]:
            del summary["modelId"]
        elif summary["modelId"] == victims[1]:
            summary["modelId"] = 7
        elif summary["modelId"] == victims[2]:
            summary["inferenceTypesSupported"] = "ON_DEMAND"  # a string where a list belongs
            summary["inputModalities"] = None
        elif summary["modelId"] == victims[3]:
            summary["modelLifecycle"] = {"status": ["LEGACY"]}
            summary["modelName"] = {"text": "not a name"}
    summaries.append({})
    profiles = snapshot_doc["regions"][FAILING]["ListInferenceProfiles"]["inferenceProfileSummaries"]
    broken_profiles = [*profiles, {"status": "ACTIVE"}, {"inferenceProfileId": "us.x", "models": [{"modelArn": 5}]}]
    fake = FakeBedrock(snapshot_doc)
    fake.answer_raw(
        FAILING,
        {
            "ListFoundationModels": json.dumps({"modelSummaries": summaries}).encode(),
            "ListInferenceProfiles": json.dumps({"inferenceProfileSummaries": broken_profiles}).encode(),
        },
    )
    with caplog.at_level(logging.WARNING, logger="model_catalog"):
        state = make_service(fake, clock).current()

    expected = {m.id for m in catalog_of(snapshot_doc, REGIONS).models}
    assert ids(state) == expected - set(victims[:3])  # no id, or no usable inference type: left out
    odd = state.catalog.all.by_id[victims[3]]
    assert odd.legacy is False and odd.name == victims[3]  # malformed fields fall back, the model stays
    assert state.catalog.fetched_at[FAILING] == clock.now and not state.stale
    skipped = [r.getMessage() for r in caplog.records if "passed over malformed summaries" in r.getMessage()]
    assert len(skipped) == 1 and "model summary without a modelId" in skipped[0]
    assert "inference profile without an id" in skipped[0]


def test_every_region_failing_with_a_warm_cache_serves_stale_data(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=3)
    service = make_service(fake, clock, fresh=900, max_stale=3600)
    fresh = service.current()
    for region in REGIONS:
        fake.fail(region, "ServiceUnavailableException")
    clock.now += 1200
    stale = service.current()
    assert stale.stale and stale.age_seconds == 1200
    assert stale.catalog.models == fresh.catalog.models
    # Until the next try, memory answers without asking Bedrock again.
    calls = fake.total_calls
    clock.now += RETRY_AFTER_FAILURE_SECONDS - 1
    assert service.current().age_seconds == 1200 and fake.total_calls == calls
    # Past max stale, the data is no longer served.
    clock.now += 3600
    with pytest.raises(CatalogUnavailableError):
        service.current()


def test_every_region_failing_with_no_cache_fails_fast_until_the_retry_time(
    snapshot_doc: dict[str, Any], clock: Clock
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    for region in REGIONS:
        fake.fail(region, "AccessDeniedException")
    service = make_service(fake, clock)
    with pytest.raises(CatalogUnavailableError) as first:
        service.current()
    assert first.value.retry_after_seconds == RETRY_AFTER_FAILURE_SECONDS
    calls = fake.total_calls
    clock.now += 10
    with pytest.raises(CatalogUnavailableError) as again:
        service.current()
    assert fake.total_calls == calls  # no new call to Bedrock while it is known to fail
    assert again.value.retry_after_seconds == RETRY_AFTER_FAILURE_SECONDS - 10
    for region in REGIONS:
        fake.heal(region)
    clock.now += RETRY_AFTER_FAILURE_SECONDS
    assert not service.current().stale


def test_a_region_that_comes_back_is_refreshed_at_the_next_try(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=3)
    fake.fail(FAILING, "ThrottlingException")
    service = make_service(fake, clock)
    first = service.current()
    assert first.stale and FAILING not in first.catalog.fetched_at
    fake.heal(FAILING)
    clock.now += RETRY_AFTER_FAILURE_SECONDS
    back = service.current()
    assert not back.stale and back.catalog.fetched_at[FAILING] == clock.now
    assert only_in(snapshot_doc, FAILING) <= ids(back)
    # Only the region that was missing was asked again: the others were still fresh.
    assert list_models_calls(fake) == {"us-east-1": 1, "eu-west-1": 1, FAILING: 2}


# --- through the handlers: what a client sees ----------------------------------------------------

ROUTES = (
    ("list_models", "/anthropic/v1/models", "anthropic"),
    ("get_model", "/anthropic/v1/models/claude-haiku-4-5", "anthropic"),
    ("list_models", "/v1/models", "openai"),
    ("get_model", "/v1/models/anthropic.claude-haiku-4-5-20251001-v1:0", "openai"),
    ("search_models", "/search_models", "openai"),
)


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(("function", "path", "dialect"), ROUTES)
def test_every_region_failing_with_a_cache_in_dynamodb_answers_stale_with_headers(
    function: str,
    path: str,
    dialect: str,
    load_handler: HandlerLoader,
    bedrock_for_handlers: FakeBedrock,
    snapshot_doc: dict[str, Any],
    lambda_context: Any,
) -> None:
    client = dynamodb_client()
    create_table(client)
    written = time.time() - 2000  # another container cached it 2000 s ago: past fresh, within max stale
    snapshots = [replace(s, fetched_at=written) for s in snapshots_of(snapshot_doc, REGIONS).values()]
    DynamoDBStore(TABLE, client=client).save(snapshots)
    for region in REGIONS:
        bedrock_for_handlers.fail(region, "ThrottlingException")
    handler = load_handler(function, AWS_BEDROCK_REGIONS=",".join(REGIONS), CACHE_TABLE_NAME=TABLE, CATALOG_SNAPSHOT="")
    answer = call(handler, http_event("GET", path), lambda_context)
    assert answer.status == 200, answer.text
    assert answer.headers["x-catalog-stale"] == "true"
    assert 2000 <= int(answer.headers["x-catalog-age"]) < 2060
    assert refreshes_done()
    assert bedrock_for_handlers.total_calls > 0  # it did try, without the answer waiting for it


@pytest.mark.usefixtures("aws")
def test_every_region_failing_with_a_cache_in_dynamodb_the_mcp_tools_say_the_answer_is_stale(
    load_handler: HandlerLoader, bedrock_for_handlers: FakeBedrock, snapshot_doc: dict[str, Any], lambda_context: Any
) -> None:
    client = dynamodb_client()
    create_table(client)
    written = time.time() - 2000
    DynamoDBStore(TABLE, client=client).save(
        [replace(s, fetched_at=written) for s in snapshots_of(snapshot_doc, REGIONS).values()]
    )
    for region in REGIONS:
        bedrock_for_handlers.fail(region, "ThrottlingException")
    handler = load_handler(
        "mcp_server", AWS_BEDROCK_REGIONS=",".join(REGIONS), CACHE_TABLE_NAME=TABLE, CATALOG_SNAPSHOT=""
    )
    tools_call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "openai_model_list"}}
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    reply = call(handler, http_event("POST", "/mcp", headers=headers, body=json.dumps(tools_call)), lambda_context)
    assert reply.status == 200, reply.text
    result = reply.json["result"]
    assert result["isError"] is False and result["_meta"]["x-catalog-stale"] is True
    assert 2000 <= result["_meta"]["x-catalog-age"] < 2060
    assert json.loads(result["content"][0]["text"])["data"]  # the stale data, whole
    assert "s old" in result["content"][1]["text"]
    assert refreshes_done()


@pytest.mark.parametrize(("function", "path", "dialect"), ROUTES)
def test_every_region_failing_with_no_cache_is_a_clean_503_in_the_dialect(
    function: str,
    path: str,
    dialect: str,
    load_handler: HandlerLoader,
    bedrock_for_handlers: FakeBedrock,
    lambda_context: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for region in REGIONS:
        bedrock_for_handlers.fail(region, "AccessDeniedException")
    handler = load_handler(function, AWS_BEDROCK_REGIONS=",".join(REGIONS), CATALOG_SNAPSHOT="")
    answer = call(handler, http_event("GET", path), lambda_context)
    assert answer.status == 503
    assert answer.headers["content-type"] == "application/json"
    # The first back-off window of the regions, jittered: between half of it and all of it.
    assert RETRY_AFTER_FAILURE_SECONDS / 2 <= int(answer.headers["retry-after"]) <= RETRY_AFTER_FAILURE_SECONDS
    body = answer.json
    if dialect == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "overloaded_error"
        assert body["request_id"] == answer.headers["request-id"] == "req-reliability"
        message = body["error"]["message"]
    else:
        assert body["error"]["type"] == "service_unavailable"
        message = body["error"]["message"]
    assert message.startswith("the model catalog is unavailable: no region could be read from Amazon Bedrock")
    for leak in ("Traceback", 'File "', "botocore", "AccessDeniedException", "site-packages"):
        assert leak not in answer.text
    # Logged: why each region failed (warnings) and the refusal (one error line, no stack trace).
    refusals = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(refusals) == 1 and "CatalogUnavailableError" in refusals[0].getMessage()
    assert refusals[0].exc_info is None
    assert sum("region refresh failed" in r.getMessage() for r in caplog.records) == len(REGIONS)


# --- whatever a summary holds, the catalog is built ------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_model_field = st.sampled_from(
    [
        "modelId",
        "modelName",
        "providerName",
        "inputModalities",
        "outputModalities",
        "inferenceTypesSupported",
        "responseStreamingSupported",
        "modelLifecycle",
    ]
)
_profile_field = st.sampled_from(["inferenceProfileId", "status", "type", "models"])


@settings(max_examples=150, deadline=None)
@given(
    model_garbage=st.lists(st.tuples(st.integers(0, 50), _model_field, _json), max_size=6),
    profile_garbage=st.lists(st.tuples(st.integers(0, 20), _profile_field, _json), max_size=6),
    extra=st.lists(_json, max_size=3),
)
def test_any_json_in_a_summary_never_breaks_the_catalog(
    model_garbage: list[tuple[int, str, Any]], profile_garbage: list[tuple[int, str, Any]], extra: list[Any]
) -> None:
    """What the snapshot source or an old cache item may hand over, never parsed by botocore: the
    catalog is built, and the models whose summaries were left alone are all in it."""
    raw = _REGION_DOC["regions"][FAILING]
    models: list[Any] = [dict(s) for s in raw["ListFoundationModels"]["modelSummaries"]]
    profiles: list[Any] = [dict(s) for s in raw["ListInferenceProfiles"]["inferenceProfileSummaries"]]
    touched = {models[i % len(models)]["modelId"] for i, _, _ in model_garbage}
    for index, field, value in model_garbage:
        models[index % len(models)][field] = value
    for index, field, value in profile_garbage:
        profiles[index % len(profiles)][field] = value
    snapshot = RegionSnapshot(FAILING, [*models, *extra], [*profiles, *extra], START)
    catalog = Catalog.from_snapshots({FAILING: snapshot}, (FAILING,), RouteTable.build("/anthropic", ""))
    # Models on demand need no profile, so garbage in the profiles cannot cost them their place.
    on_demand = {
        s["modelId"]
        for s in raw["ListFoundationModels"]["modelSummaries"]
        if "ON_DEMAND" in s["inferenceTypesSupported"]
    }
    assert on_demand - touched <= {m.id for m in catalog.models}


_REGION_DOC = json.loads(SNAPSHOT.read_text())


def test_every_region_failing_with_no_cache_over_mcp_is_a_tool_error_the_agent_can_read(
    load_handler: HandlerLoader, bedrock_for_handlers: FakeBedrock, lambda_context: Any
) -> None:
    """MCP's way: the exchange stays up (initialize, tools/list need no data); a tool that needs the
    catalog answers isError with the reason, so the agent can tell its user or try later."""
    for region in REGIONS:
        bedrock_for_handlers.fail(region, "AccessDeniedException")
    handler = load_handler("mcp_server", AWS_BEDROCK_REGIONS=",".join(REGIONS), CATALOG_SNAPSHOT="")

    def rpc(method: str, params: dict[str, Any]) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        event = http_event("POST", "/mcp", headers={"content-type": "application/json"}, body=body)
        answer = call(handler, event, lambda_context)
        assert answer.status == 200, answer.text
        return answer.json["result"]

    assert rpc("initialize", {"protocolVersion": "2025-06-18"})["serverInfo"]
    assert len(rpc("tools/list", {})["tools"]) == 4
    result = rpc("tools/call", {"name": "openai_model_list", "arguments": {}})
    assert result["isError"] is True
    assert result["content"][0]["text"].startswith("the model catalog is unavailable")
    assert "Traceback" not in result["content"][0]["text"]
