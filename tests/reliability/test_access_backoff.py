"""A region whose access check keeps failing, through the refresher: GetFoundationModelAvailability over
real botocore clients (tests/fake_access.py), the region data from the fake Bedrock, the answers in moto's
table. The region costs one call at the first check, none at a check within its back-off window, one
after it; the other regions are checked as usual; its last answers stay; one
WARNING when it starts failing or fails otherwise, INFO while it fails the same way."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from model_catalog.access_keeper import ACCESS_RETRY_SECONDS
from model_catalog.api.fact_bodies import CatalogStatus
from model_catalog.domain.backoff import BackoffPolicy
from model_catalog.domain.records import ModelAccess
from tests.fake_access import FakeAccess
from tests.fakes import FakeBedrock
from tests.integration.test_service import Clock
from tests.integration.test_status import status_of
from tests.reliability.test_account_access import DAY, HAIKU, Container, pairs_of

FAILING = "eu-west-1"
# The keeper's windows with the jitter pinned to the top: 300, 600, 1200 s, ...
WHOLE = BackoffPolicy(ACCESS_RETRY_SECONDS, DAY, draw=lambda: 1.0)
FAULTS: dict[str, tuple[Callable[[FakeAccess, str], None], str]] = {
    "denied": (FakeAccess.deny, "access denied"),
    "throttled": (FakeAccess.throttle, "throttled"),
    "unreachable": (FakeAccess.refuse_connections, "unreachable"),
}


def refresher_of(bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any) -> Container:
    container = Container(bedrock, access, clock, table)
    container.keeper.backoff = WHOLE
    return container


@pytest.mark.usefixtures("instant_retries")
@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_region_costs_one_call_per_window(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any, fault: str
) -> None:
    inflict, reason = FAULTS[fault]
    refresher = refresher_of(bedrock, access, clock, table)
    refresher.service.refresh()  # every pair answers once
    pairs = pairs_of(refresher.catalog)
    failing_pairs = sum(r == FAILING for r, _ in pairs)
    answered = refresher.access(HAIKU)[FAILING]
    assert answered == ModelAccess(True)
    status = status_of(refresher.service, clock)
    CatalogStatus.model_validate(status)  # the OpenAPI schema holds the body with the check on
    assert status["access"]["callable"] > 0 and status["access"]["checked_at"]

    clock.now += DAY  # every answer is due again, and the region fails
    inflict(access, FAILING)
    refresher.service.refresh()
    assert access.calls_in(FAILING) == failing_pairs + 1  # its probe, no more
    assert {n for (r, _), n in access.calls.items() if r != FAILING} == {2}  # the others: each pair again
    assert refresher.access(HAIKU)[FAILING] == answered  # its last answers stay
    backoff = refresher.keeper.backoffs[FAILING]
    assert (backoff.reason, backoff.not_before) == (reason, clock.now + 300)

    calls = access.total_calls
    clock.now += 299  # within the window: nothing is asked
    refresher.service.refresh()
    assert access.total_calls == calls

    clock.now += 1  # the window has passed: one probe, a window twice as long
    refresher.service.refresh()
    assert access.total_calls == calls + 1
    backoff = refresher.keeper.backoffs[FAILING]
    assert (backoff.reason, backoff.not_before) == (reason, clock.now + 600)

    access.heal(FAILING)
    clock.now += 600
    calls = access.calls_in(FAILING)
    refresher.service.refresh()  # it answers: each of its pairs once, and the back-off is over
    assert access.calls_in(FAILING) == calls + failing_pairs
    assert refresher.keeper.backoffs == {}
    assert refresher.access(HAIKU)[FAILING] == ModelAccess(True)


@pytest.mark.usefixtures("instant_retries")
def test_one_warning_when_the_check_starts_failing_or_fails_otherwise_info_meanwhile(
    bedrock: FakeBedrock, access: FakeAccess, clock: Clock, table: Any, caplog: pytest.LogCaptureFixture
) -> None:
    refresher = refresher_of(bedrock, access, clock, table)
    access.throttle(FAILING)
    with caplog.at_level(logging.INFO, logger="model_catalog"):
        for fault in ("throttled", "throttled", "throttled", "denied", "denied"):
            FAULTS[fault][0](access, FAILING)
            refresher.service.refresh()
            clock.now += 600 * 2**4  # past the window of any of these five failures
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if f"access check of {FAILING}" in r.getMessage()]
    assert [level for level, _ in lines] == ["WARNING", "INFO", "INFO", "WARNING", "INFO"]
    assert lines[0][1].startswith(f"access check of {FAILING} backs off: throttled (1 in a row)")
    assert "next try in 300 s" in lines[0][1] and "next try in 1200 s" in lines[2][1]
    assert lines[3][1].startswith(f"access check of {FAILING} backs off: access denied (4 in a row)")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2  # nothing else warns, once per refresh or otherwise
