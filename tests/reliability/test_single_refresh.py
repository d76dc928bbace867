"""One refresh at a time: many containers (threads, each with its own service, DynamoDB client and
Bedrock clients) that find the cache stale make exactly one Bedrock refresh per window, through a
conditional-write lease in DynamoDB; the others serve stale data meanwhile, and a lease whose owner
crashed expires."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from model_catalog.adapters.dynamodb import LEASE_KEY, DynamoDBStore
from model_catalog.domain.records import RegionSnapshot
from model_catalog.ports import CacheStore
from model_catalog.service import RETRY_AFTER_FAILURE_SECONDS, CatalogService, CatalogState
from tests.conftest import CACHE_TABLE as TABLE
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.reliability.conftest import (
    REGIONS,
    dynamodb_client,
    inject_dynamodb_errors,
    list_models_calls,
    make_service,
)
from tests.unit.conftest import snapshots_of

CONTAINERS = 20
FRESH = 900
LEASE = 60


@pytest.fixture(autouse=True)
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies a conditional write atomically; moto's in-memory table does not lock. One
    request at a time gives moto DynamoDB's guarantee, so the test judges our lease, not moto."""
    lock = threading.Lock()
    answer = BotocoreStubber.__call__

    def one_at_a_time(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return answer(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


@pytest.fixture
def stale_table(table: Any, snapshot_doc: dict[str, Any], clock: Clock) -> Any:
    """Every region cached 1000 s ago: past fresh (900 s), well within max stale."""
    written = clock.now - 1000
    store = DynamoDBStore(TABLE, client=table, clock=lambda: written)
    store.save([replace(s, fetched_at=written) for s in snapshots_of(snapshot_doc, REGIONS).values()])
    return table


def containers(fake: FakeBedrock, clock: Clock, count: int = CONTAINERS) -> list[CatalogService]:
    return [make_service(fake, clock, dynamodb_client(), fresh=FRESH, lease=LEASE) for _ in range(count)]


def run_at_once(services: Sequence[CatalogService]) -> Iterator[tuple[int, CatalogState]]:
    """Every service's ``current()`` on its own thread, released together; yields as they finish."""
    barrier = threading.Barrier(len(services))
    finished: queue.Queue[tuple[int, CatalogState | BaseException]] = queue.Queue()

    def request(index: int, service: CatalogService) -> None:
        barrier.wait()
        try:
            finished.put((index, service.current()))
        except BaseException as e:  # reported to the test thread
            finished.put((index, e))

    threads = [threading.Thread(target=request, args=(i, s), daemon=True) for i, s in enumerate(services)]
    for thread in threads:
        thread.start()
    for _ in services:
        index, outcome = finished.get(timeout=30)
        if isinstance(outcome, BaseException):
            raise outcome
        yield index, outcome
    for thread in threads:
        thread.join(timeout=30)


def stored_fetched_at(table: Any, clock: Clock) -> dict[str, float]:
    loaded: dict[str, RegionSnapshot] = DynamoDBStore(TABLE, client=table, clock=clock).load(REGIONS)
    return {region: snapshot.fetched_at for region, snapshot in loaded.items()}


def test_twenty_containers_finding_the_cache_stale_make_one_refresh_and_the_others_serve_stale(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeBedrock(snapshot_doc)
    fake.hold = threading.Event()  # the refresh stays open until the others have answered
    services = containers(fake, clock)
    caplog.set_level(logging.INFO, logger="model_catalog")
    answers = run_at_once(services)

    try:
        served_stale = [next(answers) for _ in range(CONTAINERS - 1)]
    finally:
        fake.hold.set()
    refresher, refreshed = next(answers)
    # Nineteen answered while the refresh was still held open: none waited for it.
    assert [(s.stale, s.age_seconds) for _, s in served_stale] == [(True, 1000)] * (CONTAINERS - 1)
    waiting = [r for r in caplog.records if r.getMessage().startswith("another container is refreshing")]
    assert len(waiting) == CONTAINERS - 1

    assert not refreshed.stale and refreshed.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)
    assert refresher not in {index for index, _ in served_stale}
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 1)
    assert stored_fetched_at(stale_table, clock) == dict.fromkeys(REGIONS, clock.now)

    # Next window: everyone picks the refreshed data up from the table; nobody asks Bedrock.
    calls = fake.total_calls
    clock.now += RETRY_AFTER_FAILURE_SECONDS
    states = dict(run_at_once(services))
    assert all(not s.stale for s in states.values())
    assert states.pop(refresher) is refreshed  # its memory is fresh: no I/O at all
    assert {s.age_seconds for s in states.values()} == {RETRY_AFTER_FAILURE_SECONDS}  # read from the table
    assert fake.total_calls == calls


def test_each_window_has_one_refresh(snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=3)
    services = containers(fake, clock)
    for window in range(1, 4):
        states = [state for _, state in run_at_once(services)]
        assert list_models_calls(fake) == dict.fromkeys(REGIONS, window)
        assert sum(not s.stale for s in states) >= 1
        clock.now += FRESH + RETRY_AFTER_FAILURE_SECONDS  # everything is due again


def test_a_crashed_refresher_blocks_nobody_once_its_lease_expires(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any
) -> None:
    crashed = DynamoDBStore(TABLE, client=stale_table, clock=clock)
    assert crashed.acquire_refresh_lease("a container that died mid-refresh", LEASE)
    fake = FakeBedrock(snapshot_doc)
    services = containers(fake, clock)

    states = [state for _, state in run_at_once(services)]
    assert all(s.stale for s in states) and fake.total_calls == 0  # the lease holds; stale data is served

    clock.now += LEASE + 1  # the lease is past its expiry, and nobody released it
    states = [state for _, state in run_at_once(services)]
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 1)
    assert sum(not s.stale for s in states) == 1


def lease_until(table: Any) -> float:
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": LEASE_KEY}}).get("Item")
    return float(item["lease_until"]["N"]) if item else 0.0


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    """``condition`` came true within ``seconds`` of wall time (a renewal runs on its own thread)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def held_refresh(snapshot_doc: dict[str, Any], clock: Clock, client: Any, lease: int) -> Iterator[FakeBedrock]:
    """A refresher that took the lease, its Bedrock calls held open until the block ends."""
    fake = FakeBedrock(snapshot_doc)
    fake.hold = threading.Event()
    refresher = make_service(fake, clock, client, fresh=FRESH, lease=lease)
    running = threading.Thread(target=refresher.refresh, daemon=True)
    running.start()
    try:
        assert within(10, lambda: lease_until(client) > 0)
        yield fake
    finally:
        fake.hold.set()
        running.join(timeout=30)
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 1)  # it went on to the end


# Renewed every second of wall time; when it expires is judged on the test's clock.
SHORT_LEASE = 3


def test_a_refresh_longer_than_its_lease_keeps_it_to_the_end(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any
) -> None:
    peer = DynamoDBStore(TABLE, client=dynamodb_client(), clock=clock)
    with held_refresh(snapshot_doc, clock, dynamodb_client(), SHORT_LEASE):
        clock.now += SHORT_LEASE + 1  # past the lease as it was first taken
        assert within(10, lambda: lease_until(stale_table) > clock.now)  # renewed meanwhile
        assert not peer.acquire_refresh_lease("a peer finding the cache stale", SHORT_LEASE)
    assert peer.acquire_refresh_lease("a peer finding the cache stale", SHORT_LEASE)  # released at the end


def test_a_lease_lost_while_frozen_is_not_taken_back(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    peer = DynamoDBStore(TABLE, client=dynamodb_client(), clock=clock)
    with held_refresh(snapshot_doc, clock, dynamodb_client(), SHORT_LEASE):
        clock.now += 10 * SHORT_LEASE  # as if frozen: the lease expired and a peer took it
        assert peer.acquire_refresh_lease("a peer", SHORT_LEASE)
        assert within(10, lambda: "the refresh lease passed to another container" in caplog.text)
    assert lease_until(stale_table) == clock.now + SHORT_LEASE  # still the peer's: not renewed, not deleted


def test_a_renewal_dynamodb_refuses_leaves_the_refresh_going(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = dynamodb_client()
    with held_refresh(snapshot_doc, clock, client, SHORT_LEASE):
        injected = inject_dynamodb_errors(client, "ProvisionedThroughputExceededException", ["PutItem"])
        assert within(10, lambda: injected.injected > 0)
        assert within(10, lambda: "could not renew the refresh lease" in caplog.text)
        injected.active = False


def test_a_cold_container_waits_for_the_refresher_rather_than_failing(
    snapshot_doc: dict[str, Any], clock: Clock, table: Any
) -> None:
    """Nothing cached anywhere, another container holds the lease: the newcomer waits for its
    result (polling the table) instead of calling Bedrock too."""
    holder = make_service(FakeBedrock(snapshot_doc), clock, table)
    store = DynamoDBStore(TABLE, client=table, clock=clock)
    assert store.acquire_refresh_lease("refreshing right now", LEASE)
    newcomer_fake = FakeBedrock(snapshot_doc)
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        clock.now += seconds
        if len(polls) == 3:  # the refresher finishes while the newcomer polls
            store.release_refresh_lease("refreshing right now")
            holder.refresh()

    newcomer = make_service(newcomer_fake, clock, dynamodb_client(), sleep=sleep)
    state = newcomer.current()
    assert newcomer_fake.total_calls == 0 and len(polls) >= 3 and not state.stale


class _PeerRefreshesFirst:
    """A store whose lease is taken only after ``peer`` has done a whole refresh: the interleaving
    in which a container read the table, then a peer refreshed and released the lease."""

    def __init__(self, store: CacheStore, peer: Callable[[], object]) -> None:
        self._store, self._peer = store, peer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def acquire_refresh_lease(self, owner: str, seconds: int) -> bool:
        self._peer()
        return self._store.acquire_refresh_lease(owner, seconds)


def test_a_lease_taken_just_after_a_peer_refreshed_does_not_refresh_again(
    snapshot_doc: dict[str, Any], clock: Clock, stale_table: Any
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    late, peer = containers(fake, clock, 2)
    assert late.store is not None
    late.store = _PeerRefreshesFirst(late.store, peer.current)
    state = late.current()
    assert list_models_calls(fake) == dict.fromkeys(REGIONS, 1)  # the peer's refresh, and only that
    assert not state.stale and state.catalog.fetched_at == dict.fromkeys(REGIONS, clock.now)
