"""Issue 15: a request never waits on a failing Bedrock when stale data can answer it.

Bedrock is the fake of tests/fakes.py: real botocore clients whose retries run as configured against
faults on the wire (throttling, timeouts, refused connections), or calls held open (a region that hangs).
Two clocks: the service's (ages and back-off windows) is the test's ``Clock``; botocore's waits between
retries last until the test opens their gate (``retry_gate``), and the budgets a request waits on a
refresh are real time, kept small; Bedrock holds its answers far longer than any bound asserted here."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from botocore.retries import standard

from model_catalog.adapters.bedrock import CLIENT_CONFIG, CONNECT_TIMEOUT_SECONDS, MAX_ATTEMPTS, READ_TIMEOUT_SECONDS
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.backoff import BackoffPolicy
from model_catalog.errors import CatalogUnavailableError, ConfigurationError, SourceError
from model_catalog.ports import CacheTier, SilentObserver
from model_catalog.service import COLD_WAIT_SECONDS, RETRY_AFTER_FAILURE_SECONDS, CatalogService
from model_catalog.settings import Settings
from tests.conftest import CACHE_TABLE as TABLE
from tests.conftest import HandlerLoader
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.reliability.conftest import (
    REGIONS,
    START,
    WHOLE_WINDOWS,
    call,
    dynamodb_client,
    http_event,
    list_models_calls,
    make_service,
    refreshes_done,
)
from tests.unit.conftest import snapshots_of

BUDGET = 0.2  # the stale wait of these tests, seconds
COLD_BUDGET = 0.5
SLACK = 10.0  # what a loaded machine may add to a budget; Bedrock stays held well beyond it (30 s)

# Each wire fault, as botocore meets it on every attempt.
FAULTS: dict[str, Callable[[FakeBedrock, str], None]] = {
    "throttled": lambda fake, region: fake.throttle(region),
    "read timeout": lambda fake, region: fake.time_out(region, "read"),
    "connect timeout": lambda fake, region: fake.time_out(region, "connect"),
    "connection refused": lambda fake, region: fake.refuse_connections(region),
}


@dataclass
class RetryGate:
    """botocore's standard retries, its decisions included (what is retried, how often), but its wait
    between two attempts lasts until ``open`` is set: the attempt numbers that waited are recorded."""

    open: threading.Event = field(default_factory=threading.Event)
    waited: list[int] = field(default_factory=list)


@pytest.fixture
def retry_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[RetryGate]:
    gate = RetryGate()

    def delay(self: Any, context: Any) -> float:
        gate.waited.append(context.attempt_number)
        gate.open.wait(30)
        return 0.0

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", delay)
    try:
        yield gate
    finally:
        gate.open.set()


def fail_everywhere(fake: FakeBedrock, fault: str) -> None:
    for region in REGIONS:
        FAULTS[fault](fake, region)


def tries(fake: FakeBedrock) -> Counter[str]:
    """Refresh attempts per region: each is MAX_ATTEMPTS HTTP attempts of ListFoundationModels."""
    counts: Counter[str] = Counter()
    for (region, operation), n in fake.attempts.items():
        if operation == "ListFoundationModels":
            counts[region] += n // MAX_ATTEMPTS
    return counts


def timed(service: CatalogService) -> tuple[float, Any]:
    started = time.monotonic()
    try:
        outcome: Any = service.current()
    except CatalogUnavailableError as e:
        outcome = e
    return time.monotonic() - started, outcome


def warm_then_due(fake: FakeBedrock, clock: Clock, **kwargs: Any) -> CatalogService:
    service = make_service(fake, clock, **kwargs)
    assert not service.current().stale
    clock.now += 1000  # past fresh (900 s): every region is due
    return service


# --- 1. stale data answers within the budget --------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
def test_a_due_catalog_answers_stale_within_the_budget_while_botocore_retries(
    fault: str, snapshot_doc: dict[str, Any], clock: Clock, retry_gate: RetryGate, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = warm_then_due(fake, clock, stale_wait=BUDGET)
    fail_everywhere(fake, fault)
    caplog.set_level(logging.INFO, logger="model_catalog")

    elapsed, state = timed(service)
    assert BUDGET <= elapsed < BUDGET + SLACK
    assert state.stale and state.age_seconds == 1000
    assert not service.wait_for_refresh(0), "answered while botocore waits to retry"
    retry_gate.open.set()
    assert service.wait_for_refresh(30)
    # botocore's own cycle ran to its end, in the background: every attempt, a wait between each two.
    assert tries(fake) == dict.fromkeys(REGIONS, 1)
    assert fake.attempts[(REGIONS[0], "ListInferenceProfiles")] == MAX_ATTEMPTS
    assert Counter(retry_gate.waited) == {1: 2 * len(REGIONS), 2: 2 * len(REGIONS)}
    messages = [r.getMessage() for r in caplog.records]
    assert sum("has not answered" in m for m in messages) == 1
    failures = [m for m in messages if "region refresh failed" in m]
    assert len(failures) == len(REGIONS)
    assert all("(1 in a row; next attempt in 30 s)" in m for m in failures)
    # Answered from memory meanwhile, without a second attempt.
    assert service.current() == state and tries(fake) == dict.fromkeys(REGIONS, 1)


def test_a_due_catalog_answers_stale_within_the_budget_while_bedrock_hangs_and_fresh_once_it_answers(
    snapshot_doc: dict[str, Any], clock: Clock
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = warm_then_due(fake, clock, stale_wait=BUDGET)
    fake.hold = threading.Event()  # every call hangs until released
    try:
        elapsed, state = timed(service)
        assert BUDGET <= elapsed < BUDGET + SLACK
        assert state.stale and state.age_seconds == 1000
    finally:
        fake.hold.set()  # Bedrock answers again
    assert service.wait_for_refresh(30)
    fresh = service.current()
    assert not fresh.stale and fresh.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)


def test_a_refresh_that_answers_within_the_budget_is_served_at_once(snapshot_doc: dict[str, Any], clock: Clock) -> None:
    seen: list[tuple[CacheTier, bool]] = []

    class Recorder(SilentObserver):
        def request_served(self, tier: CacheTier, stale: bool) -> None:
            seen.append((tier, stale))

    fake = FakeBedrock(snapshot_doc, rounds=2)
    service = warm_then_due(fake, clock, observer=Recorder())
    state = service.current()
    assert not state.stale and state.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)
    assert seen == [(CacheTier.SOURCE, False), (CacheTier.SOURCE, False)]


def test_through_a_handler_the_stale_answer_has_its_headers_within_the_budget(
    load_handler: HandlerLoader, bedrock_for_handlers: FakeBedrock, lambda_context: Any, retry_gate: RetryGate
) -> None:
    """A container's memory comes due (fresh for 1 s here) while every Bedrock call is throttled and
    botocore retries with its waits. (Not under moto: its own before-send hook would answer Bedrock.)"""
    bedrock_for_handlers.rounds = 2
    handler = load_handler(
        "list_models",
        AWS_BEDROCK_REGIONS=",".join(REGIONS),
        CATALOG_SNAPSHOT="",
        MODEL_CACHE_SECONDS="1",
        MODEL_CACHE_STALE_WAIT_SECONDS=str(BUDGET),
    )
    assert "x-catalog-stale" not in call(handler, http_event("GET", "/v1/models"), lambda_context).headers
    time.sleep(1.1)
    fail_everywhere(bedrock_for_handlers, "throttled")
    started = time.monotonic()
    answer = call(handler, http_event("GET", "/v1/models"), lambda_context)
    elapsed = time.monotonic() - started

    assert answer.status == 200, answer.text
    assert answer.headers["x-catalog-stale"] == "true" and int(answer.headers["x-catalog-age"]) >= 1
    assert answer.headers["cache-control"] == "private, no-cache"
    assert elapsed < BUDGET + SLACK
    assert not refreshes_done(0), "answered while botocore waits to retry"
    retry_gate.open.set()
    assert refreshes_done()
    assert tries(bedrock_for_handlers) == dict.fromkeys(REGIONS, 1)


# --- 2. one attempt per region per back-off window, shared by every container ----------------------


@pytest.mark.usefixtures("instant_retries")
def test_while_bedrock_keeps_failing_each_region_is_tried_once_per_growing_window_by_all_containers(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    failures: Counter[str] = Counter()

    class Failures(SilentObserver):
        def region_fetched(self, region: str, error: SourceError | None) -> None:
            if error is not None:
                failures[region] += 1

    fake = FakeBedrock(snapshot_doc, rounds=3)
    # Every region cached 1000 s ago by a refresher that has failed since.
    DynamoDBStore(TABLE, client=table, clock=clock).save(
        [replace(s, fetched_at=clock.now - 1000) for s in snapshots_of(snapshot_doc, REGIONS).values()]
    )
    for region in REGIONS:  # a stubbed answer: what botocore's last attempt brings (moto owns the wire here)
        fake.fail(region, "ThrottlingException")
    containers = [make_service(fake, clock, dynamodb_client(), observer=Failures()) for _ in range(3)]
    caplog.set_level(logging.INFO, logger="model_catalog")

    def requests_until(end: float) -> None:
        while clock.now < end:
            for service in containers:
                state = service.current()
                assert state.stale
                assert service.wait_for_refresh(30)
            clock.now += 5

    requests_until(START + 300)
    # A container started in the middle finds the data and the back-off in the table: no attempt.
    containers.append(make_service(fake, clock, dynamodb_client(), observer=Failures()))
    requests_until(START + 1200)

    # Windows of 30, 60, 120, 240, then 300 s (the cap): tries at 0, 30, 90, 210, 450, 750 and 1050 s,
    # where a request every 5 s to each container without the back-off would have tried every 30 s.
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 7)
    assert failures == dict.fromkeys(REGIONS, 7)  # the BedrockFailures metric: once per window
    messages = [r.getMessage() for r in caplog.records]
    for region in REGIONS:
        logged = [m for m in messages if m.startswith(f"region refresh failed, keeping its last good data: {region}:")]
        assert [m.split("(")[-1] for m in logged] == [
            f"{n} in a row; next attempt in {w} s)" for n, w in enumerate((30, 60, 120, 240, 300, 300, 300), 1)
        ]
    assert not [m for m in messages if "has not answered" in m or "another container" in m]

    # Bedrock recovers: at the end of the window, one container refreshes and every one serves it.
    for region in REGIONS:
        fake.heal(region)
    clock.now = START + 1350
    for service in containers:
        service.current()
        assert service.wait_for_refresh(30)
        assert not service.current().stale
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 8)  # the eighth try, and the last
    assert DynamoDBStore(TABLE, client=table, clock=clock).load_backoff(REGIONS) == {}
    assert sum("answers again after 7 failed attempts" in r.getMessage() for r in caplog.records) == len(REGIONS)


def test_back_off_windows_grow_are_capped_and_jittered() -> None:
    draws = iter([0.0, 0.999, 0.5])
    policy = BackoffPolicy(30, 300, draw=lambda: next(draws))
    assert [policy.window(1), policy.window(3), policy.window(9)] == pytest.approx([15.0, 119.94, 225.0])
    assert [WHOLE_WINDOWS.window(n) for n in (1, 2, 3, 4, 5, 60)] == [30, 60, 120, 240, 300, 300]
    first = WHOLE_WINDOWS.after_failure("us-east-1", None, 1000.0, "throttled")
    second = WHOLE_WINDOWS.after_failure("us-east-1", first, 1030.0, "throttled")
    assert (first.failures, first.not_before, second.failures, second.not_before) == (1, 1030.0, 2, 1090.0)


@pytest.mark.usefixtures("instant_retries")
def test_the_scheduled_refresher_leaves_a_region_in_its_window_for_later(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    fake.fail(REGIONS[1], "ThrottlingException")
    api = make_service(fake, clock, dynamodb_client())
    api.current()  # fails us-west-2 once: its window (30 s) is in the table
    clock.now += 10
    report = make_service(fake, clock, dynamodb_client()).refresh()
    assert report.refreshed == [REGIONS[0], REGIONS[2]] and report.backed_off == {REGIONS[1]: 20}
    assert list_models_calls(fake) == {REGIONS[0]: 2, REGIONS[1]: 1, REGIONS[2]: 2}


# --- 3. nothing to serve: a 503 within the cold budget -------------------------------------------------


def test_cold_with_bedrock_hanging_is_a_503_within_the_cold_budget_then_data_once_it_answers(
    snapshot_doc: dict[str, Any], clock: Clock
) -> None:
    fake = FakeBedrock(snapshot_doc)
    fake.hold = threading.Event()
    service = make_service(fake, clock, stale_wait=BUDGET, cold_wait=COLD_BUDGET)
    try:
        elapsed, refused = timed(service)
        assert COLD_BUDGET <= elapsed < COLD_BUDGET + SLACK
        assert isinstance(refused, CatalogUnavailableError) and refused.retry_after_seconds == 1
        # Until Retry-After, the answer is the same, at once, without a second attempt.
        elapsed, again = timed(service)
        assert isinstance(again, CatalogUnavailableError) and elapsed < SLACK
    finally:
        fake.hold.set()
    assert service.wait_for_refresh(30)
    state = service.current()  # the refresh that went on answers the next request
    assert not state.stale and state.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)


@pytest.mark.parametrize("fault", FAULTS)
def test_cold_with_every_call_failing_is_a_503_as_soon_as_botocore_gives_up(
    fault: str, snapshot_doc: dict[str, Any], clock: Clock, retry_gate: RetryGate
) -> None:
    """botocore's whole cycle (3 attempts, its waits let through at once) ends before the cold budget."""
    retry_gate.open.set()
    fake = FakeBedrock(snapshot_doc)
    fail_everywhere(fake, fault)
    service = make_service(fake, clock, cold_wait=COLD_WAIT_SECONDS)
    elapsed, refused = timed(service)
    assert elapsed < COLD_WAIT_SECONDS
    assert isinstance(refused, CatalogUnavailableError)
    assert refused.retry_after_seconds == RETRY_AFTER_FAILURE_SECONDS  # the regions' first window
    assert tries(fake) == dict.fromkeys(REGIONS, 1)


@pytest.mark.parametrize(
    ("path", "error_type"), [("/anthropic/v1/models", "overloaded_error"), ("/v1/models", "service_unavailable")]
)
def test_cold_with_bedrock_hanging_through_a_handler_is_a_503_in_the_dialect_within_the_budget(
    path: str, error_type: str, load_handler: HandlerLoader, bedrock_for_handlers: FakeBedrock, lambda_context: Any
) -> None:
    bedrock_for_handlers.hold = threading.Event()
    handler = load_handler(
        "list_models",
        AWS_BEDROCK_REGIONS=",".join(REGIONS),
        CATALOG_SNAPSHOT="",
        MODEL_CACHE_STALE_WAIT_SECONDS=str(BUDGET),
        MODEL_CACHE_COLD_WAIT_SECONDS=str(COLD_BUDGET),
    )
    try:
        started = time.monotonic()
        answer = call(handler, http_event("GET", path), lambda_context)
        elapsed = time.monotonic() - started
    finally:
        bedrock_for_handlers.hold.set()
    assert answer.status == 503 and answer.headers["retry-after"] == "1"
    assert COLD_BUDGET <= elapsed < COLD_BUDGET + SLACK
    body = answer.json
    assert (body["error"]["type"]) == error_type
    assert body["error"]["message"].startswith("the model catalog is unavailable")


def test_botocore_config_fits_the_budgets() -> None:
    """A throttled or unreachable region: botocore gives up within the cold budget (standard retries
    wait at most 1 s, then 2 s); a hung one holds its refresh no longer than the lease."""
    assert vars(CLIENT_CONFIG)["retries"] == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    waits = sum(2**attempt for attempt in range(MAX_ATTEMPTS - 1))
    assert waits + MAX_ATTEMPTS * CONNECT_TIMEOUT_SECONDS <= COLD_WAIT_SECONDS
    settings = Settings()
    assert MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + waits < settings.refresh_lease_seconds
    assert settings.model_cache_stale_wait_seconds == 1.0 and settings.model_cache_cold_wait_seconds <= 10


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MODEL_CACHE_COLD_WAIT_SECONDS": "30"}, "MODEL_CACHE_COLD_WAIT_SECONDS"),
        ({"MODEL_CACHE_STALE_WAIT_SECONDS": "-1"}, "MODEL_CACHE_STALE_WAIT_SECONDS"),
        ({"MODEL_CACHE_STALE_WAIT_SECONDS": "3", "MODEL_CACHE_COLD_WAIT_SECONDS": "2"}, "at least"),
        ({"REFRESH_BACKOFF_SECONDS": "600"}, "REFRESH_BACKOFF_MAX_SECONDS must be at least"),
        ({"REFRESH_BACKOFF_SECONDS": "soon"}, "REFRESH_BACKOFF_SECONDS"),
    ],
)
def test_bad_budgets_stop_the_cold_start_with_a_clear_error(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_environ(environ)
