"""The access check's back-off, its rules one by one: a region's first call probes it, a region whose
check is denied (throttled, unreachable: tests/reliability/test_access_backoff.py) costs that one call
and is not asked again within a window that doubles per failure up to the answers' age, an answer ends
the back-off, and only the failures no further call would mend back a region off. The AccessKeeper and
the real checker, over GetFoundationModelAvailability faked at the wire (tests/fake_access.py)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from model_catalog.access_keeper import ACCESS_RETRY_SECONDS, AccessKeeper
from model_catalog.adapters.bedrock_access import CALLS_PER_REGION, BedrockAccessChecker
from model_catalog.domain.backoff import BackoffPolicy
from model_catalog.domain.normalize import RegionListing
from model_catalog.domain.records import RegionSnapshot
from tests.fake_access import FakeAccess, Statuses
from tests.integration.test_service import Clock

DAY = 86400
MODELS = [f"vendor.model-{i:02d}-v1:0" for i in range(12)]
WHOLE = BackoffPolicy(ACCESS_RETRY_SECONDS, DAY, draw=lambda: 1.0)  # no jitter: windows a test can name


def listing(region: str, model_ids: list[str]) -> RegionListing:
    summaries = [{"modelId": m, "inferenceTypesSupported": ["ON_DEMAND"]} for m in model_ids]
    return RegionListing.of(RegionSnapshot(region, summaries, [], fetched_at=0.0))


LISTINGS = {"us-east-1": listing("us-east-1", MODELS), "us-west-2": listing("us-west-2", MODELS)}


@pytest.fixture
def access() -> FakeAccess:
    return FakeAccess()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def keeper_of(access: FakeAccess, clock: Clock, backoff: BackoffPolicy | None = WHOLE) -> AccessKeeper:
    return AccessKeeper(BedrockAccessChecker(access.client, clock=clock), None, DAY, clock=clock, backoff=backoff)


# --- the probe ----------------------------------------------------------------------------------------


def test_a_lane_that_fails_unexpectedly_is_logged_and_the_other_answers_are_kept(
    access: FakeAccess, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    checker = BedrockAccessChecker(access.client, clock=clock)
    answer = checker.availability

    def a_bug_in_one_region(client: Any, region: str, model_id: str) -> Any:
        if region == "us-west-2":
            raise KeyError("a bug, not an AWS error")
        return answer(client, region, model_id)

    monkeypatch.setattr(checker, "availability", a_bug_in_one_region)
    report = checker.check({"us-west-2": MODELS, "us-east-1": MODELS})
    assert set(report.answers) == {"us-east-1"} and len(report.answers["us-east-1"]) == len(MODELS)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all("us-west-2" in r.getMessage() and r.exc_info for r in errors)


def test_a_denied_region_costs_its_probe_alone_and_the_others_are_checked_whole(clock: Clock) -> None:
    access = FakeAccess(delay=0.02)  # a call takes time, as on the network: lanes opened at once would all be in flight
    access.deny("us-west-2")
    report = BedrockAccessChecker(access.client, clock=clock).check({"us-west-2": MODELS, "us-east-1": MODELS})
    assert access.calls_in("us-west-2") == 1  # was up to CALLS_PER_REGION: one per lane
    assert report.stopped == {"us-west-2": "access denied"} and "AccessDeniedException" in report.failed["us-west-2"]
    assert set(report.answers) == {"us-east-1"} and len(report.answers["us-east-1"]) == len(MODELS)
    assert report.calls == len(MODELS) + 1 and report.unanswered == len(MODELS)


def test_a_region_that_answers_its_probe_gets_its_lanes_and_the_probe_s_answer_counts(
    access: FakeAccess, clock: Clock
) -> None:
    access.answer("us-east-1", MODELS[0], Statuses(agreement="PENDING"))
    report = BedrockAccessChecker(access.client, clock=clock).check({"us-east-1": MODELS})
    assert set(access.calls) == {("us-east-1", m) for m in MODELS} and set(access.calls.values()) == {1}
    assert report.answers["us-east-1"][MODELS[0]].agreement == "PENDING"  # the probe's own answer
    assert report.calls == len(MODELS) and not report.failed and not report.stopped


def test_a_failure_after_the_probe_still_stops_the_region(access: FakeAccess, clock: Clock) -> None:
    """The probe is answered, then the role loses the action: each lane stops at its first failure."""

    def denied_after_the_probe(region: str) -> Any:
        client = access.client(region)
        client.meta.events.register(
            "after-call.bedrock.GetFoundationModelAvailability", lambda **_: access.deny(region)
        )
        return client

    report = BedrockAccessChecker(denied_after_the_probe, clock=clock).check({"us-east-1": MODELS})
    assert report.stopped == {"us-east-1": "access denied"}
    assert len(report.answers["us-east-1"]) == 1  # the probe's
    assert 2 <= access.calls_in("us-east-1") <= 1 + CALLS_PER_REGION


# --- the windows ----------------------------------------------------------------------------------------


def test_the_windows_start_at_five_minutes_double_per_failure_and_stop_at_the_answers_age(
    access: FakeAccess, clock: Clock
) -> None:
    policy = keeper_of(access, clock, backoff=None).backoff  # the keeper's own
    assert (policy.base_seconds, policy.max_seconds) == (ACCESS_RETRY_SECONDS, DAY) == (300.0, 86400)
    whole = replace(policy, draw=lambda: 1.0)
    assert [whole.window(n) for n in range(1, 12)] == [300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 76800, DAY, DAY]
    least = replace(policy, draw=lambda: 0.0)  # the jitter takes off up to half
    assert [least.window(n) for n in (1, 2, 20)] == [150, 300, DAY / 2]
    short = AccessKeeper(BedrockAccessChecker(access.client, clock=clock), None, 60, clock=clock)
    assert replace(short.backoff, draw=lambda: 1.0).window(1) == 60  # never longer than an answer is kept


def test_a_denied_region_is_not_asked_within_its_window_then_once(access: FakeAccess, clock: Clock) -> None:
    access.deny("us-west-2")
    keeper = keeper_of(access, clock)
    keeper.check(LISTINGS)
    assert access.calls_in("us-west-2") == 1
    assert keeper.backoffs["us-west-2"].not_before == clock.now + 300
    assert keeper.backoffs["us-west-2"].reason == "access denied"

    clock.now += 299  # inside the window: the region is not due, so it costs nothing
    assert "us-west-2" not in keeper.due(LISTINGS)
    keeper.check(LISTINGS)
    assert access.calls_in("us-west-2") == 1

    clock.now += 1  # the window ends: one probe, which fails again, and a window twice as long
    assert keeper.due(LISTINGS)["us-west-2"] == MODELS
    keeper.check(LISTINGS)
    assert access.calls_in("us-west-2") == 2
    assert (keeper.backoffs["us-west-2"].failures, keeper.backoffs["us-west-2"].not_before) == (2, clock.now + 600)
    assert access.calls_in("us-east-1") == len(MODELS)  # checked once, as usual, and young since


def test_an_answer_ends_the_back_off(access: FakeAccess, clock: Clock) -> None:
    access.deny("us-west-2")
    keeper = keeper_of(access, clock)
    keeper.check(LISTINGS)
    access.heal("us-west-2")  # the role is granted the action
    clock.now += 300
    keeper.check(LISTINGS)
    assert keeper.backoffs == {}
    assert len(keeper.book.region("us-west-2")) == len(MODELS)
    assert access.calls_in("us-west-2") == 1 + len(MODELS)


def test_a_failure_that_another_call_may_mend_backs_nothing_off(access: FakeAccess, clock: Clock) -> None:
    """A malformed answer spoils one pair, not the region: the other lanes go on, and no back-off."""
    access.answer("us-west-2", MODELS[0], Statuses(authorization=""))
    keeper = keeper_of(access, clock)
    report = keeper.check(LISTINGS)
    assert "malformed response" in report.failed["us-west-2"] and not report.stopped
    assert keeper.backoffs == {} and access.calls_in("us-west-2") == len(MODELS)
    assert keeper.due(LISTINGS) == {"us-west-2": [MODELS[0]]}  # asked again at the next check


# --- the logs ---------------------------------------------------------------------------------------------


def test_one_warning_when_a_region_starts_failing_then_info_while_it_fails_the_same_way(
    access: FakeAccess, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    access.deny("us-west-2")
    keeper = keeper_of(access, clock)
    with caplog.at_level(logging.INFO, logger="model_catalog"):
        for _ in range(4):
            keeper.check(LISTINGS)
            clock.now = keeper.backoffs["us-west-2"].not_before
    records = [r for r in caplog.records if "us-west-2" in r.getMessage()]
    assert [r.levelname for r in records] == ["WARNING", "INFO", "INFO", "INFO"]
    first = "access check of us-west-2 backs off: access denied (1 in a row), keeping its last answers; next try in 300"
    assert records[0].getMessage().startswith(first)
    assert "next try in 600 s" in records[1].getMessage()
    assert not [r for r in caplog.records if "access check incomplete" in r.getMessage()]  # not also the checker's
