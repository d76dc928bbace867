"""The catalog service: memory in the container, then the shared store, then the source.

A warm request costs one clock read and one comparison. When the memory copy is due, the store is
read; regions still stale are refreshed from the source by one container at a time (a lease in the
store), while the others go on serving stale data up to the max-stale window. A region that fails
keeps its last good data."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.normalize import RegionListing
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import CacheStoreError, CatalogUnavailableError, SourceError
from model_catalog.ports import CacheStore, CacheTier, CatalogObserver, CatalogSource, SilentObserver

logger = logging.getLogger(__name__)

# After a failed refresh, how long memory is served before the next try: keeps a region that is down
# from costing every request a call.
RETRY_AFTER_FAILURE_SECONDS = 30.0
# A container that has no data at all and finds another one refreshing waits this long for its result.
WAIT_FOR_PEER_SECONDS = 5.0
_PEER_POLL_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class CatalogState:
    """The catalog a request answers from, and how old its oldest region is."""

    catalog: Catalog
    stale: bool
    age_seconds: int


@dataclass(slots=True)
class RefreshReport:
    refreshed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped_lease: bool = False


class CatalogService:
    def __init__(
        self,
        *,
        regions: Sequence[str],
        routes: RouteTable,
        source: CatalogSource,
        store: CacheStore | None,
        fresh_seconds: float,
        max_stale_seconds: float,
        lease_seconds: int = 60,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        observer: CatalogObserver | None = None,
    ) -> None:
        self.regions = tuple(regions)
        self.routes = routes
        self.source = source
        self.store = store
        self.fresh_seconds = fresh_seconds
        self.max_stale_seconds = max(max_stale_seconds, fresh_seconds)
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._sleep = sleep
        self._observer = observer or SilentObserver()
        self._owner = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._snapshots: dict[str, RegionSnapshot] = {}
        self._listings: dict[str, RegionListing] = {}  # each region's snapshot, read for the catalog
        self._state: CatalogState | None = None
        self._serve_until = 0.0  # until then memory answers without any I/O
        # With nothing to serve and every region failing, requests fail fast until then instead of
        # each one waiting on Bedrock's retries again.
        self._unavailable_message = ""
        self._unavailable_until = 0.0

    # --- request path ----------------------------------------------------------------------------

    def current(self) -> CatalogState:
        state = self._state
        if state is not None and self._clock() < self._serve_until:
            self._observer.request_served(CacheTier.MEMORY, state.stale)
            return state
        with self._lock:
            state = self._state
            now = self._clock()
            if state is not None and now < self._serve_until:
                self._observer.request_served(CacheTier.MEMORY, state.stale)
                return state  # another thread refreshed while we waited
            if now < self._unavailable_until:
                retry_after = max(1, int(self._unavailable_until - now))
                raise CatalogUnavailableError(self._unavailable_message, retry_after_seconds=retry_after)
            try:
                return self._reload()
            except CatalogUnavailableError as e:
                self._unavailable_message, self._unavailable_until = str(e), now + e.retry_after_seconds
                raise

    def refresh(self) -> RefreshReport:
        """Fetch every region from the source now (the scheduled refresher), under the lease."""
        started = time.perf_counter()
        with self._lock:
            report = self._refresh_regions(self.regions)
            if self._snapshots:
                self._publish(self._clock(), failed=bool(report.failed))
        if not report.skipped_lease:
            self._observer.refresh_finished(time.perf_counter() - started, report.refreshed, sorted(report.failed))
        return report

    def connect_store(self) -> None:
        """SnapStart, before the snapshot: the store's client made now, no I/O."""
        if self.store is not None:
            self.store.connect()

    def forget_restored_state(self) -> None:
        """After a SnapStart restore. The snapshot was taken once, maybe hours ago, and every container
        restored from it shares its memory: re-check the store on the next request instead of trusting
        the snapshot's serve-until, and take a lease owner id of this container's own."""
        with self._lock:
            self._owner = uuid.uuid4().hex
            self._serve_until = 0.0

    # --- internals -------------------------------------------------------------------------------

    def _reload(self) -> CatalogState:
        now = self._clock()
        self._merge(self._load_from_store())
        due = self._due(now)
        failed = False
        tier = CacheTier.STORE if self.store is not None else CacheTier.MEMORY
        if due:
            report = self._refresh_regions(due, recheck=True)
            failed = bool(report.failed)
            if report.refreshed or report.failed:
                tier = CacheTier.SOURCE
            if report.skipped_lease:
                logger.info("another container is refreshing %s; serving what is cached meanwhile", ",".join(due))
                if not self._usable(now):
                    self._wait_for_peer()
        state = self._publish(self._clock(), failed)
        self._observer.request_served(tier, state.stale)
        return state

    def _refresh_regions(self, regions: Sequence[str], recheck: bool = False) -> RefreshReport:
        """Fetch ``regions`` under the lease. With ``recheck``, the store is read again once the lease
        is ours: a peer may have refreshed and released it since this container last read."""
        report = RefreshReport()
        if not self._acquire_lease():
            report.skipped_lease = True
            return report
        try:
            if recheck:
                self._merge(self._load_from_store())
                regions = [r for r in regions if r in self._due(self._clock())]
                if not regions:
                    return report
            results = self._fetch(regions)
            fetched = []
            for region, result in results.items():
                if isinstance(result, RegionSnapshot):
                    fetched.append(result)
                    report.refreshed.append(region)
                else:
                    report.failed[region] = str(result)
                    logger.warning("region refresh failed, keeping its last good data: %s", result)
            self._save_to_store(fetched)
        finally:
            self._release_lease()
        return report

    def _fetch(self, regions: Sequence[str]) -> dict[str, RegionSnapshot | SourceError]:
        """Every region from the source, in the order of ``regions``. Each one is kept, read for the
        catalog and reported as it arrives, while slower regions are still answering."""
        arrived: dict[str, RegionSnapshot | SourceError] = {}
        for region, result in self.source.fetch(regions):
            arrived[region] = result
            self._arrived(region, result)
        for region in regions:
            if region not in arrived:
                arrived[region] = SourceError(region, "no answer")
                self._arrived(region, arrived[region])
        return {region: arrived[region] for region in regions}

    def _arrived(self, region: str, result: RegionSnapshot | SourceError) -> None:
        if isinstance(result, RegionSnapshot):
            self._merge({region: result})
            self._observer.region_fetched(region, None)
        else:
            self._observer.region_fetched(region, result)

    def _publish(self, now: float, failed: bool) -> CatalogState:
        usable = {r: s for r, s in self._snapshots.items() if now - s.fetched_at <= self.max_stale_seconds}
        if not usable:
            raise CatalogUnavailableError(
                "the model catalog is unavailable: no region could be read from "
                f"{self.source.name} and no cached data is young enough to serve",
                retry_after_seconds=int(min(RETRY_AFTER_FAILURE_SECONDS, self.fresh_seconds)),
            )
        previous = self._state
        if previous is not None and previous.catalog.fetched_at == {r: s.fetched_at for r, s in usable.items()}:
            catalog = previous.catalog  # same data: keep the built indexes
        else:
            catalog = Catalog.from_listings({r: self._listings[r] for r in usable}, self.regions, self.routes)
            if catalog.skipped:
                logger.warning("passed over malformed summaries: %s", "; ".join(catalog.skipped[:20]))
        oldest = min(s.fetched_at for s in usable.values())
        complete = len(usable) == len(self.regions)
        age = max(0.0, now - oldest)
        stale = age > self.fresh_seconds or not complete
        self._state = CatalogState(catalog, stale=stale, age_seconds=int(age))
        self._unavailable_until = 0.0
        if failed or not complete or stale:
            self._serve_until = now + min(RETRY_AFTER_FAILURE_SECONDS, self.fresh_seconds)
        else:
            self._serve_until = oldest + self.fresh_seconds
        return self._state

    def _merge(self, snapshots: Mapping[str, RegionSnapshot]) -> None:
        for region, snapshot in snapshots.items():
            known = self._snapshots.get(region)
            if known is None or snapshot.fetched_at > known.fetched_at:
                self._snapshots[region] = snapshot
                self._listings[region] = RegionListing.of(snapshot)

    def _due(self, now: float) -> list[str]:
        return [r for r in self.regions if not self._is_fresh(r, now)]

    def _is_fresh(self, region: str, now: float) -> bool:
        snapshot = self._snapshots.get(region)
        return snapshot is not None and now - snapshot.fetched_at < self.fresh_seconds

    def _usable(self, now: float) -> bool:
        return any(now - s.fetched_at <= self.max_stale_seconds for s in self._snapshots.values())

    def _wait_for_peer(self) -> None:
        """Nothing to serve and another container is refreshing: wait for its result, then, if it
        never comes, refresh without the lease rather than fail."""
        deadline = self._clock() + WAIT_FOR_PEER_SECONDS
        while self._clock() < deadline:
            self._sleep(_PEER_POLL_SECONDS)
            self._merge(self._load_from_store())
            if self._usable(self._clock()):
                return
        results = self._fetch(self.regions)
        self._save_to_store([s for s in results.values() if isinstance(s, RegionSnapshot)])

    # The store is an optimisation: when it fails, the service goes on from memory and the source.

    def _load_from_store(self) -> dict[str, RegionSnapshot]:
        if self.store is None:
            return {}
        try:
            return self.store.load(self.regions)
        except CacheStoreError as e:
            logger.warning("cache store unreadable, going on without it: %s", e)
            return {}

    def _save_to_store(self, snapshots: Sequence[RegionSnapshot]) -> None:
        if self.store is None or not snapshots:
            return
        try:
            self.store.save(snapshots)
        except CacheStoreError as e:
            logger.warning("cache store unwritable, going on without it: %s", e)

    def _acquire_lease(self) -> bool:
        if self.store is None:
            return True
        try:
            return self.store.acquire_refresh_lease(self._owner, self.lease_seconds)
        except CacheStoreError as e:
            logger.warning("refresh lease unavailable, refreshing without it: %s", e)
            return True

    def _release_lease(self) -> None:
        if self.store is None:
            return
        try:
            self.store.release_refresh_lease(self._owner)
        except CacheStoreError as e:
            logger.warning("could not release the refresh lease (it expires by itself): %s", e)
