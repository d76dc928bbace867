"""The access check end to end: GetFoundationModelAvailability through real botocore clients (faked at
the wire, tests/fake_access.py), the refresh that calls it, the DynamoDB items that share its answers
(moto), and what requests see. Every status, per-region differences, a model that becomes callable after
the cache age, throttling and access denied for the call itself, and the calls counted."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

from model_catalog.access_keeper import AccessKeeper
from model_catalog.adapters import bedrock as bedrock_adapter
from model_catalog.adapters import bedrock_access
from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.bedrock_access import CALLS_PER_REGION, CLIENT_CONFIG, MAX_ATTEMPTS, BedrockAccessChecker
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.access import Availability
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import ModelAccess
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import SourceAccessDeniedError, SourceThrottledError
from model_catalog.service import CatalogService
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import HandlerLoader, load_event
from tests.conftest import create_cache_table as create_table
from tests.fake_access import FakeAccess, Statuses
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.reliability.conftest import REGIONS, call, dynamodb_client, http_event, inject_dynamodb_errors

DAY = 86400
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA = "amazon.nova-pro-v1:0"


class Container:
    """One container: its service with the access check on, its Bedrock clients the fakes'."""

    def __init__(
        self,
        bedrock: FakeBedrock,
        access: FakeAccess,
        clock: Clock,
        table: Any | None,
        *,
        auto_subscribe: bool = False,
        age: int = DAY,
    ) -> None:
        self.store = DynamoDBStore(TABLE, client=table, clock=clock) if table is not None else None
        source = BedrockSource(bedrock.client_factory(), clock=clock)
        checker = BedrockAccessChecker(access.client, clock=clock)
        self.keeper = AccessKeeper(checker, self.store, age, auto_subscribe, clock=clock)
        self.service = CatalogService(
            regions=REGIONS,
            routes=RouteTable.build("/anthropic", ""),
            source=source,
            store=self.store,
            fresh_seconds=900,
            max_stale_seconds=DAY,
            clock=clock,
            sleep=lambda seconds: setattr(clock, "now", clock.now + seconds),
            access=self.keeper,
        )

    @property
    def catalog(self) -> Catalog:
        return self.service.current().catalog

    def access(self, model_id: str) -> dict[str, ModelAccess]:
        record = self.catalog.available.by_id[model_id]
        assert record.access is not None
        return dict(record.access)


def pairs_of(catalog: Catalog) -> set[tuple[str, str]]:
    """Every (region, model id) the account could be asked about: each available model in each of its regions."""
    return {(region, record.id) for record in catalog.available.ordered for region in record.regions}


# --- the adapter: Bedrock's answer, as botocore parses it -------------------------------------------------


@pytest.mark.parametrize(
    "statuses",
    [
        Statuses(),
        Statuses(authorization="NOT_AUTHORIZED"),
        Statuses(entitlement="NOT_AVAILABLE"),
        Statuses(region="NOT_AVAILABLE"),
        Statuses(agreement="PENDING"),
        Statuses(agreement="NOT_AVAILABLE"),
        Statuses(agreement="ERROR"),
    ],
)
def test_every_status_is_read_from_bedrock_s_answer(access: FakeAccess, clock: Clock, statuses: Statuses) -> None:
    access.answer("us-east-1", HAIKU, statuses)
    checker = BedrockAccessChecker(access.client, clock=clock)
    report = checker.check({"us-east-1": [HAIKU]})
    expected = Availability(
        statuses.authorization, statuses.entitlement, statuses.region, statuses.agreement, clock.now
    )
    assert report.answers == {"us-east-1": {HAIKU: expected}}
    assert report.calls == 1 and report.unanswered == 0 and not report.failed
    assert access.calls == {("us-east-1", HAIKU): 1}


def test_the_check_s_clients_retry_adaptively_with_a_connection_per_call() -> None:
    assert CLIENT_CONFIG.retries == {"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS}  # type: ignore[attr-defined]
    # As many calls at once per region as a client keeps connections: none waits for one.
    assert CLIENT_CONFIG.max_pool_connections == CALLS_PER_REGION  # type: ignore[attr-defined]


@pytest.mark.usefixtures("instant_retries")
def test_throttling_is_retried_adaptively_then_the_region_stops_for_this_refresh(
    access: FakeAccess, clock: Clock
) -> None:
    access.throttle("eu-west-1")  # every attempt
    models = [f"vendor.model-{i}" for i in range(20)]
    report = BedrockAccessChecker(access.client, clock=clock).check({"eu-west-1": models, "us-east-1": models[:3]})
    assert set(report.answers) == {"us-east-1"}  # the other region is not held up
    assert "throttled" in report.failed["eu-west-1"]
    assert 1 <= access.calls_in("eu-west-1") <= CALLS_PER_REGION  # each lane stops at its first failure
    assert all(n == MAX_ATTEMPTS for (r, _), n in access.attempts.items() if r == "eu-west-1")
    assert report.unanswered == 20


@pytest.mark.usefixtures("instant_retries")
def test_a_brief_throttle_is_absorbed_by_the_retries(access: FakeAccess, clock: Clock) -> None:
    access.throttle("eu-west-1", attempts=1)
    report = BedrockAccessChecker(access.client, clock=clock).check({"eu-west-1": [HAIKU]})
    assert report.answers["eu-west-1"][HAIKU].authorization == "AUTHORIZED"
    assert access.attempts[("eu-west-1", HAIKU)] == 2 and access.calls[("eu-west-1", HAIKU)] == 1


def test_access_denied_for_the_call_itself_stops_that_region(access: FakeAccess, clock: Clock) -> None:
    access.deny("us-west-2")
    models = [f"vendor.model-{i}" for i in range(12)]
    report = BedrockAccessChecker(access.client, clock=clock).check({"us-west-2": models})
    assert report.answers == {}
    assert "access denied" in report.failed["us-west-2"]
    assert access.calls_in("us-west-2") <= CALLS_PER_REGION
    # The errors are the project's own, from botocore's.
    client = access.client("us-west-2")
    with pytest.raises(SourceAccessDeniedError) as denied:
        BedrockAccessChecker(access.client).availability(client, "us-west-2", HAIKU)
    assert isinstance(denied.value.__cause__, ClientError)


@pytest.mark.usefixtures("instant_retries")
def test_the_errors_are_the_project_s_own(access: FakeAccess) -> None:
    access.throttle("us-east-1")
    with pytest.raises(SourceThrottledError, match="GetFoundationModelAvailability"):
        BedrockAccessChecker(access.client).availability(access.client("us-east-1"), "us-east-1", HAIKU)


# --- the refresh: one call per pair, none per request, none within the age -------------------------------


def test_one_call_per_pair_none_per_warm_request_none_within_the_age(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any
) -> None:
    refresher = Container(bedrock, access, clock, table)
    refresher.service.refresh()
    pairs = pairs_of(refresher.catalog)
    assert set(access.calls) == pairs and set(access.calls.values()) == {1}  # one call per pair, no more
    assert all(r.callable_regions == r.regions for r in refresher.catalog.available.ordered)

    for _ in range(50):  # warm requests
        refresher.service.current()
    clock.now += 900  # fresh data is due: the request path reloads, never checks
    refresher.service.current()
    assert access.total_calls == len(pairs)

    for _ in range(3):  # scheduled refreshes within the age
        clock.now += 600
        refresher.service.refresh()
    assert access.total_calls == len(pairs)

    clock.now += DAY  # every answer is now too old: each pair once more
    refresher.service.refresh()
    assert set(access.calls.values()) == {2}


def test_a_new_container_and_the_refresher_share_the_answers_through_the_table(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any
) -> None:
    access.answer("us-east-1", HAIKU, Statuses(agreement="PENDING"))
    first = Container(bedrock, access, clock, table)
    first.service.refresh()
    calls = access.total_calls
    assert {item["pk"]["S"] for item in table.scan(TableName=TABLE)["Items"]} >= {f"access#{r}" for r in REGIONS}

    request_container = Container(bedrock, access, clock, table)
    assert request_container.access(HAIKU)["us-east-1"] == ModelAccess(False, ("agreement_pending",))
    another_refresher = Container(bedrock, access, clock, table)  # the scheduled refresher's next container
    clock.now += 600
    another_refresher.service.refresh()
    assert access.total_calls == calls  # it read the answers instead of asking again


def test_a_request_never_checks_access_and_unknown_access_is_served(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any
) -> None:
    container = Container(bedrock, access, clock, table)
    catalog = container.catalog  # a cold request: region data from Bedrock, no access answer yet
    assert access.total_calls == 0
    assert all(a == ModelAccess(None) for r in catalog.models for a in (r.access or {}).values())
    assert all(r.callable_regions == () for r in catalog.models)
    assert catalog.models == catalog.available.ordered  # unknown: served


def test_per_region_differences(bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any) -> None:
    access.answer("us-east-1", HAIKU, Statuses())
    access.answer("us-west-2", HAIKU, Statuses(entitlement="NOT_AVAILABLE"))
    access.answer("eu-west-1", HAIKU, Statuses(region="NOT_AVAILABLE", agreement="ERROR"))
    container = Container(bedrock, access, clock, table)
    container.service.refresh()
    assert container.access(HAIKU) == {
        "us-east-1": ModelAccess(True),
        "us-west-2": ModelAccess(False, ("unentitled",)),
        "eu-west-1": ModelAccess(False, ("region_unavailable", "agreement_error")),
    }
    assert container.catalog.all.by_id[HAIKU].callable_regions == ("us-east-1",)


def test_a_model_that_becomes_callable_is_seen_after_the_cache_age(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any
) -> None:
    for region in REGIONS:
        access.answer(region, HAIKU, Statuses(authorization="NOT_AUTHORIZED"))
    container = Container(bedrock, access, clock, table)
    container.service.refresh()
    assert HAIKU not in container.catalog.all.by_id and HAIKU in container.catalog.available.by_id

    for region in REGIONS:  # the account is granted the model
        access.answer(region, HAIKU, Statuses())
    clock.now += DAY - 1
    container.service.refresh()
    assert HAIKU not in container.catalog.all.by_id  # the answer is still young: not asked again
    clock.now += 1
    container.service.refresh()
    assert HAIKU in container.catalog.all.by_id
    assert container.catalog.all.by_id[HAIKU].callable_regions == tuple(sorted(REGIONS))


@pytest.mark.usefixtures("instant_retries")
@pytest.mark.parametrize("fault", ["throttle", "deny"])
def test_a_failed_check_keeps_the_last_answer(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any, fault: str
) -> None:
    access.answer("us-west-2", NOVA, Statuses(agreement="NOT_AVAILABLE"))
    container = Container(bedrock, access, clock, table)
    container.service.refresh()
    before = container.access(NOVA)
    assert before["us-west-2"] == ModelAccess(False, ("no_agreement",))

    clock.now += DAY
    access.answer("us-west-2", NOVA, Statuses())
    access.throttle("us-west-2") if fault == "throttle" else access.deny("us-west-2")
    calls_before = access.calls_in("us-west-2")
    container.service.refresh()
    assert access.calls_in("us-west-2") - calls_before <= CALLS_PER_REGION  # the region stopped
    assert container.access(NOVA) == before  # the last answers stay
    assert all(a.callable for r, a in container.access(HAIKU).items() if r != "us-west-2")

    access.heal("us-west-2")  # the next refresh asks what is still due
    clock.now += 600
    container.service.refresh()
    assert container.access(NOVA)["us-west-2"] == ModelAccess(True)


@pytest.mark.usefixtures("instant_retries")
def test_a_region_whose_check_never_answered_is_unknown_and_served(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any
) -> None:
    access.deny("eu-west-1")
    for region in ("us-east-1", "us-west-2"):
        access.answer(region, HAIKU, Statuses(authorization="NOT_AUTHORIZED"))
    container = Container(bedrock, access, clock, table)
    container.service.refresh()
    assert container.access(HAIKU) == {
        "us-east-1": ModelAccess(False, ("unauthorized",)),
        "us-west-2": ModelAccess(False, ("unauthorized",)),
        "eu-west-1": ModelAccess(None),
    }
    assert HAIKU in container.catalog.all.by_id  # unknown somewhere: served


def test_marketplace_auto_subscribe(bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any) -> None:
    for region in REGIONS:
        access.answer(region, HAIKU, Statuses(agreement="NOT_AVAILABLE"))
    container = Container(bedrock, access, clock, table, auto_subscribe=True)
    container.service.refresh()
    assert container.catalog.all.by_id[HAIKU].callable_regions == tuple(sorted(REGIONS))


# --- the store ----------------------------------------------------------------------------------------


def test_a_store_that_fails_leaves_the_answers_in_memory(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    container = Container(bedrock, access, clock, table)
    assert container.store is not None
    inject_dynamodb_errors(container.store.client, "ProvisionedThroughputExceededException")
    container.service.refresh()
    assert container.catalog.all.by_id[HAIKU].callable_regions == tuple(sorted(REGIONS))
    assert "access answers unwritable" in caplog.text


def test_access_items_round_trip_and_a_corrupt_one_reads_as_none(clock: Clock, table: Any) -> None:
    store = DynamoDBStore(TABLE, client=table, clock=clock)
    answers = {"us-east-1": {HAIKU: Availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "PENDING", clock.now)}}
    store.save_access(answers)
    assert store.load_access(REGIONS) == answers
    table.put_item(TableName=TABLE, Item={"pk": {"S": "access#us-east-1"}, "schema": {"N": "1"}, "data": {"B": b"x"}})
    assert store.load_access(REGIONS) == {}


def test_a_region_of_thousands_of_models_fits_one_item(clock: Clock, table: Any) -> None:
    """DynamoDB's item limit is 400 KB: compressed, 5,000 answers take a fraction of it."""
    store = DynamoDBStore(TABLE, client=table, clock=clock)
    many = {
        f"vendor.model-{i:05d}-v1:0": Availability("AUTHORIZED", "AVAILABLE", "AVAILABLE", "AVAILABLE", clock.now + i)
        for i in range(5000)
    }
    store.save_access({"us-east-1": many})
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": "access#us-east-1"}})["Item"]
    assert len(item["data"]["B"]) < 100_000
    assert store.load_access(["us-east-1"]) == {"us-east-1": many}


# --- through the handlers: the refresher checks, every route serves what the account can call -------------


@pytest.mark.usefixtures("aws")
def test_the_routes_serve_what_the_refresher_found_callable(
    monkeypatch: pytest.MonkeyPatch,
    load_handler: HandlerLoader,
    bedrock: FakeBedrock,
    access: FakeAccess,
    lambda_context: Any,
) -> None:
    create_table(dynamodb_client())
    monkeypatch.setattr(bedrock_adapter, "default_client_factory", bedrock.client_factory)
    monkeypatch.setattr(bedrock_access, "default_client_factory", lambda: access.client)
    for region in REGIONS:
        access.answer(region, HAIKU, Statuses(authorization="NOT_AUTHORIZED"))
    env = {"AWS_BEDROCK_REGIONS": ",".join(REGIONS), "CACHE_TABLE_NAME": TABLE, "CATALOG_SNAPSHOT": ""}
    refresher = load_handler("refresh_catalog", **env)  # access check on by default with the Bedrock source
    refresher.lambda_handler(load_event("refresh_catalog_schedule"), lambda_context)
    checked = access.total_calls
    assert checked > 0

    search = load_handler("search_models", **env)
    hidden = call(search, http_event("GET", "/search_models", {"callable": "false"}), lambda_context)
    assert hidden.status == 200 and [m["id"] for m in hidden.json] == [HAIKU]
    assert hidden.json[0]["access"]["us-east-1"] == {"callable": False, "reasons": ["unauthorized"]}
    served = call(search, http_event("GET", "/search_models"), lambda_context).json
    assert HAIKU not in [m["id"] for m in served] and all(m["callable_regions"] for m in served)
    every = call(search, http_event("GET", "/search_models", {"callable": "any"}), lambda_context).json
    assert len(every) == len(served) + 1

    models = load_handler("get_model", **env)
    refused = call(models, http_event("GET", f"/anthropic/v1/models/{HAIKU}"), lambda_context)
    assert refused.status == 404 and refused.json["error"]["type"] == "not_found_error"
    assert "cannot call it: eu-west-1: unauthorized" in refused.json["error"]["message"]
    lists = load_handler("list_models", **env)
    listed = call(lists, http_event("GET", "/v1/models"), lambda_context).json["data"]
    assert HAIKU not in [m["id"] for m in listed] and listed

    mcp = load_handler("mcp_server", **env)
    tools_call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_models", "arguments": {"callable": False}},
    }
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    reply = call(mcp, http_event("POST", "/mcp", headers=headers, body=json.dumps(tools_call)), lambda_context)
    assert [m["id"] for m in json.loads(reply.json["result"]["content"][0]["text"])["models"]] == [HAIKU]
    assert access.total_calls == checked  # no request called GetFoundationModelAvailability


def test_with_a_snapshot_the_check_is_off_and_callable_is_a_400(
    load_handler: HandlerLoader, lambda_context: Any
) -> None:
    search = load_handler("search_models", AWS_BEDROCK_REGIONS=",".join(REGIONS))
    assert sys.modules["model_catalog.runtime"].runtime().service.access is None  # this cold start's
    body = call(search, http_event("GET", "/search_models"), lambda_context).json
    assert all(m["access"] is None and m["callable_regions"] is None for m in body)
    refused = call(search, http_event("GET", "/search_models", {"callable": "true"}), lambda_context)
    assert refused.status == 400 and refused.json["error"]["param"] == "callable"
    assert "ACCESS_CHECK" in refused.json["error"]["message"]
