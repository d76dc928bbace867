"""The access answers a container knows: read from the shared store with the region data, and checked
again by the refresher for the pairs whose answer is older than ACCESS_CHECK_SECONDS (or missing).

Only the refresh checks (``CatalogService.refresh``, under the refresh lease); a request at most reads
the store's answers, as it reads the region data. A check that fails keeps the pair's last answer; a
region whose check is throttled, denied or unreachable is not checked again before its back-off window
ends. The back-offs live in this keeper's memory: only the refresher checks, so only it needs them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from model_catalog.domain.access import AccessBook, AccessCheckReport, AccessRule, Availability
from model_catalog.domain.backoff import BackoffPolicy, RegionBackoff
from model_catalog.domain.normalize import RegionListing
from model_catalog.errors import CacheStoreError
from model_catalog.ports import AccessChecker, AccessStore

logger = logging.getLogger(__name__)

# The first back-off window of a region whose check fails; then 2x, 4x, ... up to ACCESS_CHECK_SECONDS. A
# throttle or an outage is often over within minutes; a missing grant lasts until someone fixes it, and
# an answer is kept that long anyway, so asking more than about once per answer's age buys nothing.
ACCESS_RETRY_SECONDS = 300.0


class AccessKeeper:
    def __init__(
        self,
        checker: AccessChecker,
        store: AccessStore | None,
        max_age_seconds: float,
        auto_subscribe: bool = False,
        clock: Callable[[], float] = time.time,
        *,
        backoff: BackoffPolicy | None = None,
    ) -> None:
        self.checker = checker
        self.store = store
        self.max_age_seconds = max_age_seconds
        self.auto_subscribe = auto_subscribe
        self.backoff = backoff or BackoffPolicy(ACCESS_RETRY_SECONDS, max_age_seconds)
        self._clock = clock
        self._lock = threading.Lock()  # a check's answers and a request's read of the store merge in turn
        self.book = AccessBook()
        self._backoffs: dict[str, RegionBackoff] = {}  # regions whose check failed, until one answers

    @property
    def backoffs(self) -> dict[str, RegionBackoff]:
        """The regions whose check is backed off, and until when."""
        return dict(self._backoffs)

    @property
    def rule(self) -> AccessRule:
        return AccessRule(self.book, self.auto_subscribe)

    def load(self, regions: Sequence[str]) -> None:
        """Take the store's answers that are newer than the ones known here."""
        if self.store is None:
            return
        try:
            answers = self.store.load_access(regions)
        except CacheStoreError as e:
            logger.warning("access answers unreadable, going on with those in memory: %s", e)
            return
        self.merge(answers)

    def merge(self, answers: Mapping[str, Mapping[str, Availability]]) -> None:
        """Take the answers read from the store, when newer than the ones known here."""
        with self._lock:
            self.book = self.book.merged(answers)

    def due(self, listings: Mapping[str, RegionListing]) -> dict[str, list[str]]:
        """region -> the models available there with no answer young enough, but for the regions in
        their back-off window."""
        now = self._clock()
        pairs = [
            (region, model_id)
            for region, listing in listings.items()
            if (backoff := self._backoffs.get(region)) is None or backoff.not_before <= now
            for model_id in sorted(listing.available)
        ]
        due: dict[str, list[str]] = {}
        for region, model_id in self.book.due(pairs, now, self.max_age_seconds):
            due.setdefault(region, []).append(model_id)
        return due

    def check(self, listings: Mapping[str, RegionListing]) -> AccessCheckReport:
        """Check every model available in ``listings``' regions that has no answer young enough, then
        share the regions whose answers changed."""
        due = self.due(listings)
        if not due:
            return AccessCheckReport()
        report = self.checker.check(due)
        with self._lock:
            self.book = self.book.merged(report.answers)
        self._back_off(report)
        logger.info(
            "access checked: %d answers, %d pairs without one, %d calls, of %d pairs due",
            report.answered,
            report.unanswered,
            report.calls,
            sum(len(ids) for ids in due.values()),
        )
        if self.store is not None and report.answers:
            try:
                self.store.save_access({region: self.book.region(region) for region in report.answers})
            except CacheStoreError as e:
                logger.warning("access answers unwritable, kept in this container only: %s", e)
        return report

    def _back_off(self, report: AccessCheckReport) -> None:
        """A region stopped by a failure backs off (one WARNING when it starts failing or fails otherwise,
        INFO while it fails the same way); one that answered without stopping is back."""
        now = self._clock()
        for region, reason in report.stopped.items():
            previous = self._backoffs.get(region)
            backoff = self._backoffs[region] = self.backoff.after_failure(region, previous, now, reason)
            log = logger.info if previous is not None and previous.reason == reason else logger.warning
            log(
                "access check of %s backs off: %s (%d in a row), keeping its last answers; next try in %.0f s: %s",
                region,
                reason,
                backoff.failures,
                backoff.not_before - now,
                report.failed.get(region, reason),
            )
        for region in report.answers.keys() - report.stopped.keys():
            previous = self._backoffs.pop(region, None)
            if previous is not None:
                logger.info("access check of %s answers again after %d failures", region, previous.failures)
