"""The access answers a container knows: read from the shared store with the region data, and checked
again by the refresher for the pairs whose answer is older than ACCESS_CHECK_SECONDS (or missing).

Only the refresh checks (``CatalogService.refresh``, under the refresh lease); a request at most reads
the store's answers, as it reads the region data. A check that fails keeps the pair's last answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from model_catalog.domain.access import AccessBook, AccessCheckReport, AccessRule, Availability
from model_catalog.domain.normalize import RegionListing
from model_catalog.errors import CacheStoreError
from model_catalog.ports import AccessChecker, AccessStore

logger = logging.getLogger(__name__)


class AccessKeeper:
    def __init__(
        self,
        checker: AccessChecker,
        store: AccessStore | None,
        max_age_seconds: float,
        auto_subscribe: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.checker = checker
        self.store = store
        self.max_age_seconds = max_age_seconds
        self.auto_subscribe = auto_subscribe
        self._clock = clock
        self._lock = threading.Lock()  # a check's answers and a request's read of the store merge in turn
        self.book = AccessBook()

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
        """region -> the models available there with no answer young enough."""
        pairs = [(region, model_id) for region, listing in listings.items() for model_id in sorted(listing.available)]
        due: dict[str, list[str]] = {}
        for region, model_id in self.book.due(pairs, self._clock(), self.max_age_seconds):
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
