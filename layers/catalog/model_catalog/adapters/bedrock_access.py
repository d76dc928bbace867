"""Bedrock's ``GetFoundationModelAvailability``: may this account call a model in a region. One call
per (model, region), a few at a time per region once a first call has probed it, on clients of its
own: the check runs in the background refresh only, so it can afford botocore's adaptive retries, which
slow down when Bedrock throttles (the source's clients are set to fit a request's budget instead). AWS
errors become the project's own ``SourceError``s."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError

from model_catalog.adapters.bedrock import translated_bedrock_errors
from model_catalog.adapters.clients import bedrock_clients
from model_catalog.domain.access import AccessCheckReport, Availability
from model_catalog.errors import (
    SourceAccessDeniedError,
    SourceError,
    SourceMalformedError,
    SourceThrottledError,
    SourceUnreachableError,
)

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

logger = logging.getLogger(__name__)

OPERATION = "GetFoundationModelAvailability"
# Calls under way at once in one region: as many as a client keeps connections, so none waits for one
# (nor opens one it must throw away). Regions are checked side by side, up to MAX_THREADS calls in all.
CALLS_PER_REGION = 4
MAX_ATTEMPTS = 4  # in all, the first try included
CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
    max_pool_connections=CALLS_PER_REGION,
)
MAX_THREADS = 64
# A region that answers these has no use for more calls now: they would fail the same way (or make the
# throttle worse). Its other pairs keep their last answers, and the AccessKeeper backs the region off.
_STOPS_THE_REGION = (SourceThrottledError, SourceAccessDeniedError, SourceUnreachableError)


def default_client_factory() -> Callable[[str], BedrockClient]:
    return bedrock_clients(CLIENT_CONFIG)


@dataclass(slots=True)
class _RegionCheck:
    """One region's part of a check: its client, and what its lanes tell each other."""

    region: str
    client: BedrockClient
    stopped: threading.Event = field(default_factory=threading.Event)  # a failure no further call would mend
    probed: threading.Event = field(default_factory=threading.Event)  # the region's first call has answered


class BedrockAccessChecker:
    """``client_factory(region)`` makes the Bedrock client of a region, once, the first time a check there
    is due (the 143 refreshes a day with every answer young make none)."""

    def __init__(
        self, client_factory: Callable[[str], BedrockClient] | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._factory = client_factory or default_client_factory()
        self._clients: dict[str, BedrockClient] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def client(self, region: str) -> BedrockClient:
        client = self._clients.get(region)
        if client is None:
            client = self._clients[region] = self._factory(region)
        return client

    def check(self, due: Mapping[str, Sequence[str]]) -> AccessCheckReport:
        report = AccessCheckReport()
        lanes: list[tuple[_RegionCheck, Sequence[str], bool]] = []
        for region, model_ids in due.items():
            if not model_ids:
                continue
            try:
                client = self.client(region)  # in this thread: making clients is CPU-bound
            except BotoCoreError as e:
                report.failed[region] = f"{region}: no client: {type(e).__name__}"
                report.unanswered += len(model_ids)
                continue
            region_check = _RegionCheck(region, client)
            width = min(CALLS_PER_REGION, len(model_ids))
            lanes.extend((region_check, model_ids[i::width], i == 0) for i in range(width))
        if not lanes:
            return report
        # Each region's probing lane is submitted before its others, so it has a thread before they wait on it.
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(lanes)), thread_name_prefix="access") as pool:
            ran = [pool.submit(self._run_lane, report, *lane) for lane in lanes]
        for (region_check, _, _), lane in zip(lanes, ran, strict=True):
            if (bug := lane.exception()) is not None:  # not Bedrock's answer: loud, and the other answers are kept
                logger.error("access check of %s: a lane failed: %r", region_check.region, bug, exc_info=bug)
        for region, error in report.failed.items():
            if region not in report.stopped:  # a stopped region's failure is the AccessKeeper's to log (its back-off)
                logger.warning("access check incomplete, keeping the last answers: %s", error)
        return report

    def _run_lane(
        self, report: AccessCheckReport, check: _RegionCheck, model_ids: Sequence[str], probing: bool
    ) -> None:
        """One lane of a region's models. The first lane's first call probes the region and the other lanes
        wait for its answer: a region that is throttled, denied or down costs one call, not one per lane."""
        if probing:
            try:
                self._ask(report, check, model_ids[0])
            finally:
                check.probed.set()
            model_ids = model_ids[1:]
        else:
            check.probed.wait()
        for position, model_id in enumerate(model_ids):
            if check.stopped.is_set():
                with self._lock:
                    report.unanswered += len(model_ids) - position
                return
            self._ask(report, check, model_id)

    def _ask(self, report: AccessCheckReport, check: _RegionCheck, model_id: str) -> None:
        try:
            answer = self.availability(check.client, check.region, model_id)
        except SourceError as e:
            with self._lock:
                report.calls += 1
                report.unanswered += 1
                report.failed.setdefault(check.region, str(e))
                if isinstance(e, _STOPS_THE_REGION):
                    report.stopped.setdefault(check.region, e.reason)
                    check.stopped.set()
            return
        with self._lock:
            report.calls += 1
            report.answers.setdefault(check.region, {})[model_id] = answer

    def availability(self, client: BedrockClient, region: str, model_id: str) -> Availability:
        """One call. Raises ``SourceError`` (throttled, denied, unreachable, malformed, or another code)."""
        with translated_bedrock_errors(region, f"{OPERATION}({model_id})"):
            response: Mapping[str, Any] = client.get_foundation_model_availability(modelId=model_id)
        agreement = response.get("agreementAvailability")
        values = (
            response.get("authorizationStatus"),
            response.get("entitlementAvailability"),
            response.get("regionAvailability"),
            agreement.get("status") if isinstance(agreement, Mapping) else None,
        )
        if not all(isinstance(v, str) and v for v in values):
            raise SourceMalformedError(region, f"{OPERATION}({model_id}) answered without its statuses")
        authorization, entitlement, region_availability, agreement_status = (str(v) for v in values)
        return Availability(authorization, entitlement, region_availability, agreement_status, self._clock())
