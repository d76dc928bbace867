"""The catalog service: memory in the container, then the shared store, then the source.

A warm request costs one clock read and one comparison. When the memory copy is due, the store is
read; regions still stale are refreshed from the source by one container at a time (a lease in the
store), while the others go on serving stale data up to the max-stale window. A region that fails
keeps its last good data, and is not asked again before its back-off window has passed (shared by
every container through the store).

A request never waits on the source for longer than its budget: the refresh runs on a thread of its
own, and a request that has stale data to answer with waits for it at most ``stale_wait_seconds``
(``cold_wait_seconds`` when it has nothing to answer with), then answers with what it has. The
refresh goes on: to its end in a process that keeps running (the local server), or, in a Lambda
container frozen once it has answered, when that container is next invoked; the scheduled refresher
is what keeps the shared store fresh there (docs/stale-data.md)."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from model_catalog.access_keeper import AccessKeeper
from model_catalog.domain.access import OFF, AccessRule
from model_catalog.domain.backoff import BackoffPolicy, RegionBackoff
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.normalize import RegionListing
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import CacheStoreError, CatalogUnavailableError, SourceError
from model_catalog.ports import CacheStore, CacheTier, CatalogObserver, CatalogSource, SilentObserver

logger = logging.getLogger(__name__)

# While the data is stale or a region short, how long memory answers before the store is read again;
# also the first back-off window of a failing region (then 2x, 4x, ... up to the cap).
RETRY_AFTER_FAILURE_SECONDS = 30.0
# The most a request waits on a refresh when it has stale data to answer with, and when it has none.
STALE_WAIT_SECONDS = 1.0
COLD_WAIT_SECONDS = 8.0
# A container that has no data at all and finds another one refreshing waits this long for its result.
WAIT_FOR_PEER_SECONDS = 5.0
_PEER_POLL_SECONDS = 0.1
REFRESH_THREAD_NAME = "catalog-refresh"


@dataclass(frozen=True, slots=True)
class RegionFailure:
    """A region's last failed read, for /status: the kind of failure and when, never its message (it
    may name the account's role)."""

    reason: str
    at: float  # unix seconds


@dataclass(frozen=True, slots=True)
class CatalogState:
    """The catalog a request answers from, how old its oldest region is, and for /status where it
    comes from and which regions' last reads failed."""

    catalog: Catalog
    stale: bool
    age_seconds: int
    source: str = "bedrock"  # CatalogSource.kind
    fresh_seconds: float = 900.0
    # Not part of what a request answers from: two states of one catalog are equal whatever failed since.
    failures: Mapping[str, RegionFailure] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class RefreshReport:
    refreshed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped_lease: bool = False
    # Regions not asked because they failed lately: seconds until their next attempt.
    backed_off: dict[str, int] = field(default_factory=dict)


class _Refresh:
    """A refresh on a thread of its own, so that a request can stop waiting for it."""

    def __init__(self, regions: Sequence[str], run: Callable[[], None]) -> None:
        self.regions = tuple(regions)
        self.done = threading.Event()
        self._run = run
        self._thread = threading.Thread(target=self._main, name=REFRESH_THREAD_NAME, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self._run()
        except Exception:  # a thread's exception would otherwise vanish into stderr
            logger.exception("catalog refresh of %s stopped on an unexpected error", ",".join(self.regions))
        finally:
            self.done.set()

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def elsewhere(self) -> bool:
        """Running, on a thread other than the caller's."""
        return self.running and threading.current_thread() is not self._thread


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
        stale_wait_seconds: float = STALE_WAIT_SECONDS,
        cold_wait_seconds: float = COLD_WAIT_SECONDS,
        backoff: BackoffPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        observer: CatalogObserver | None = None,
        access: AccessKeeper | None = None,
    ) -> None:
        self.regions = tuple(regions)
        self.routes = routes
        self.source = source
        self.store = store
        self.fresh_seconds = fresh_seconds
        self.max_stale_seconds = max(max_stale_seconds, fresh_seconds)
        self.lease_seconds = lease_seconds
        self.stale_wait_seconds = stale_wait_seconds
        self.cold_wait_seconds = max(cold_wait_seconds, stale_wait_seconds)
        self.backoff = backoff or BackoffPolicy(RETRY_AFTER_FAILURE_SECONDS)
        self._clock = clock
        self._sleep = sleep
        self._observer = observer or SilentObserver()
        self.access = access  # None: ACCESS_CHECK is off
        self._owner = uuid.uuid4().hex
        # Held for decisions and for the data below, never while waiting on a refresh; re-entrant, as
        # helpers that take it (``_usable``) are also called with it held.
        self._lock = threading.RLock()
        self._snapshots: dict[str, RegionSnapshot] = {}
        self._listings: dict[str, RegionListing] = {}  # each region's snapshot, read for the catalog
        self._backoffs: dict[str, RegionBackoff] = {}  # failing regions: not asked before their window ends
        self._refresh: _Refresh | None = None  # the request path's refresh, while it runs
        self._state: CatalogState | None = None
        self._serve_until = 0.0  # until then memory answers without any I/O
        # With nothing to serve and every region failing, requests fail fast until then instead of
        # each one waiting on Bedrock again.
        self._unavailable_message = ""
        self._unavailable_until = 0.0
        self._failures: dict[str, RegionFailure] = {}  # region -> its last failed read, until one succeeds

    @property
    def recheck_seconds(self) -> float:
        """While the data is stale, how long memory answers before the store and back-off are read again."""
        return min(RETRY_AFTER_FAILURE_SECONDS, self.fresh_seconds)

    # --- request path ----------------------------------------------------------------------------

    def current(self) -> CatalogState:
        state = self._state
        if state is not None and self._clock() < self._serve_until:
            self._observer.request_served(CacheTier.MEMORY, state.stale)
            return state
        started = time.monotonic()
        with self._lock:
            state = self._state
            now = self._clock()
            if state is not None and now < self._serve_until:
                self._observer.request_served(CacheTier.MEMORY, state.stale)
                return state  # another thread refreshed while we waited
            if now < self._unavailable_until:
                raise self._unavailable(now)
            tier, refresh = self._check(now)
            budget = self.stale_wait_seconds if self._usable(now) else self.cold_wait_seconds
        if refresh is not None:
            if refresh.done.wait(max(0.0, started + budget - time.monotonic())):
                tier = CacheTier.SOURCE
            else:
                logger.info(
                    "%s has not answered for %s within %.1f s: answering from the cache, the refresh goes on",
                    self.source.name,
                    ",".join(refresh.regions),
                    budget,
                )
        with self._lock:
            state = self._publish_or_refuse(self._clock())
        self._observer.request_served(tier, state.stale)
        return state

    def wait_for_refresh(self, timeout: float) -> bool:
        """Wait for the request path's refresh, if one runs; False if it still runs after ``timeout``
        seconds (tests, the benchmark)."""
        refresh = self._refresh
        return refresh is None or refresh.done.wait(timeout)

    def refresh(self) -> RefreshReport:
        """Fetch every region from the source now (the scheduled refresher), under the lease. A region
        in its back-off window is left for later, as on the request path."""
        started = time.perf_counter()
        report = self._refresh_regions(self.regions)
        if not report.skipped_lease:
            self._check_access()
        with self._lock:
            if self._snapshots:
                self._publish_or_refuse(self._clock())
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

    def _check(self, now: float) -> tuple[CacheTier, _Refresh | None]:
        """Memory is due (under the lock): read the store; when regions are still due and out of their
        back-off window, start their refresh. Returns the tier read and the refresh to wait for."""
        tier = CacheTier.STORE if self.store is not None else CacheTier.MEMORY
        self._merge(self._load_from_store())
        due = self._due(now)
        if not due:
            return tier, None
        if self._refresh is not None and self._refresh.running:
            # Started by an earlier request: only a request with nothing to answer with waits for it.
            return tier, None if self._usable(now) else self._refresh
        self._merge_backoffs(self._load_backoffs(due))
        ready = [r for r in due if self._out_of_backoff(r, now)]
        if not ready:
            return tier, None  # every due region failed lately: stale data until a window ends
        self._refresh = _Refresh(ready, lambda: self._refresh_in_background(ready))
        return tier, self._refresh

    def _refresh_in_background(self, regions: Sequence[str]) -> None:
        report = self._refresh_regions(regions, recheck=True)
        if report.skipped_lease:
            logger.info("another container is refreshing %s; serving what is cached meanwhile", ",".join(regions))
            if not self._usable(self._clock()):
                self._wait_for_peer()
        with self._lock, contextlib.suppress(CatalogUnavailableError):  # the next request hears it
            self._publish_or_refuse(self._clock())

    def _refresh_regions(self, regions: Sequence[str], recheck: bool = False) -> RefreshReport:
        """Fetch ``regions`` under the lease, but for those in their back-off window. With ``recheck``,
        the store is read again once the lease is ours: a peer may have refreshed and released it since
        this container last read.

        A region that failed before has its next window claimed in the store before it is asked: a
        container frozen or gone in the middle of the attempt does not make the others try it again."""
        report = RefreshReport()
        with self._lease() as held:
            if not held:
                report.skipped_lease = True
                return report
            now = self._clock()
            with self._lock:
                if recheck:
                    self._merge(self._load_from_store())
                    regions = [r for r in regions if r in self._due(now)]
                self._merge_backoffs(self._load_backoffs(regions))
                ready = [r for r in regions if self._out_of_backoff(r, now)]
                for region in regions:
                    if region not in ready:
                        report.backed_off[region] = math.ceil(self._backoffs[region].not_before - now)
                claims = [
                    self.backoff.after_failure(r, self._backoffs[r], now, self._backoffs[r].reason)
                    for r in ready
                    if r in self._backoffs
                ]
                self._backoffs.update((claim.region, claim) for claim in claims)
            if not ready:
                return report
            self._save_backoffs(claims, ())
            self._record(self._fetch(ready), {claim.region for claim in claims}, report)
        return report

    def _record(
        self, results: Mapping[str, RegionSnapshot | SourceError], claimed: set[str], report: RefreshReport
    ) -> None:
        """What an attempt brought: the data kept and saved, each failure's back-off logged and saved
        (once per window: nobody asks the region again within it), the back-off of regions back forgotten."""
        fetched: list[RegionSnapshot] = []
        failing: list[RegionBackoff] = []
        back: list[str] = []
        now = self._clock()
        with self._lock:
            for region, result in results.items():
                if isinstance(result, RegionSnapshot):
                    fetched.append(result)
                    report.refreshed.append(region)
                    previous = self._backoffs.pop(region, None)
                    if previous is not None:
                        back.append(region)
                        failed = previous.failures - (region in claimed)  # a claim counts the attempt ahead
                        logger.info("%s answers again after %d failed attempts", region, failed)
                    continue
                report.failed[region] = str(result)
                if region in claimed:
                    backoff = replace(self._backoffs[region], reason=str(result))
                else:
                    backoff = self.backoff.after_failure(region, self._backoffs.get(region), now, str(result))
                self._backoffs[region] = backoff
                failing.append(backoff)
                logger.warning(
                    "region refresh failed, keeping its last good data: %s (%d in a row; next attempt in %.0f s)",
                    result,
                    backoff.failures,
                    max(0.0, backoff.not_before - now),
                )
        self._save_to_store(fetched)
        self._save_backoffs(failing, back)

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
            with self._lock:
                self._merge({region: result})
                self._failures.pop(region, None)
            self._observer.region_fetched(region, None)
        else:
            self._failures[region] = RegionFailure(result.reason, self._clock())
            self._observer.region_fetched(region, result)

    def _publish_or_refuse(self, now: float) -> CatalogState:
        try:
            return self._publish(now)
        except CatalogUnavailableError as e:
            self._unavailable_message, self._unavailable_until = str(e), now + e.retry_after_seconds
            raise

    def _unavailable(self, now: float) -> CatalogUnavailableError:
        retry_after = max(1, math.ceil(self._unavailable_until - now))
        return CatalogUnavailableError(self._unavailable_message, retry_after_seconds=retry_after)

    def _retry_after(self, now: float) -> int:
        """With nothing to serve: when asking again may help. A refresh still running may end any
        moment; else the first region out of its back-off window."""
        if self._refresh is not None and self._refresh.elsewhere():
            return max(1, math.ceil(self.cold_wait_seconds))
        windows = [b.not_before - now for r, b in self._backoffs.items() if r in self.regions]
        return max(1, math.ceil(min(windows))) if windows else int(self.recheck_seconds)

    def _publish(self, now: float) -> CatalogState:
        usable = {r: s for r, s in self._snapshots.items() if now - s.fetched_at <= self.max_stale_seconds}
        if not usable:
            raise CatalogUnavailableError(
                "the model catalog is unavailable: no region could be read from "
                f"{self.source.name} and no cached data is young enough to serve",
                retry_after_seconds=self._retry_after(now),
            )
        previous = self._state
        access = self._access_rule()
        if (
            previous is not None
            and previous.catalog.fetched_at == {r: s.fetched_at for r, s in usable.items()}
            and previous.catalog.access == access
        ):
            catalog = previous.catalog  # same data: keep the built indexes
        else:
            catalog = Catalog.from_listings(
                {r: self._listings[r] for r in usable}, self.regions, self.routes, access=access
            )
            if catalog.skipped:
                logger.warning("passed over malformed summaries: %s", "; ".join(catalog.skipped[:20]))
        oldest = min(s.fetched_at for s in usable.values())
        complete = len(usable) == len(self.regions)
        age = max(0.0, now - oldest)
        stale = age > self.fresh_seconds or not complete
        self._state = CatalogState(
            catalog,
            stale=stale,
            age_seconds=int(age),
            source=self.source.kind,
            fresh_seconds=self.fresh_seconds,
            failures=dict(self._failures),
        )
        self._unavailable_until = 0.0
        if stale:
            self._serve_until = now + self.recheck_seconds
        else:
            self._serve_until = oldest + self.fresh_seconds
        return self._state

    def _merge(self, snapshots: Mapping[str, RegionSnapshot]) -> None:
        for region, snapshot in snapshots.items():
            known = self._snapshots.get(region)
            if known is None or snapshot.fetched_at > known.fetched_at:
                self._snapshots[region] = snapshot
                self._listings[region] = RegionListing.of(snapshot)

    def _merge_backoffs(self, backoffs: Mapping[str, RegionBackoff]) -> None:
        for region, backoff in backoffs.items():
            known = self._backoffs.get(region)
            if known is None or backoff.not_before > known.not_before:
                self._backoffs[region] = backoff

    def _out_of_backoff(self, region: str, now: float) -> bool:
        backoff = self._backoffs.get(region)
        return backoff is None or backoff.not_before <= now

    def _due(self, now: float) -> list[str]:
        return [r for r in self.regions if not self._is_fresh(r, now)]

    def _is_fresh(self, region: str, now: float) -> bool:
        snapshot = self._snapshots.get(region)
        return snapshot is not None and now - snapshot.fetched_at < self.fresh_seconds

    def _usable(self, now: float) -> bool:
        with self._lock:
            return any(now - s.fetched_at <= self.max_stale_seconds for s in self._snapshots.values())

    def _wait_for_peer(self) -> None:
        """Nothing to serve and another container is refreshing: wait for its result, then, if it
        never comes, refresh without the lease rather than fail."""
        deadline = self._clock() + WAIT_FOR_PEER_SECONDS
        while self._clock() < deadline:
            self._sleep(_PEER_POLL_SECONDS)
            with self._lock:
                self._merge(self._load_from_store())
            if self._usable(self._clock()):
                return
        results = self._fetch(self.regions)
        self._save_to_store([s for s in results.values() if isinstance(s, RegionSnapshot)])

    # --- account access (domain/access.py): checked by the refresh only, never by a request ---------

    def _access_rule(self) -> AccessRule:
        return self.access.rule if self.access is not None else OFF

    def _check_access(self) -> None:
        """The pairs due for a check, under the lease: one container writes the answers at a time. With
        every answer young (most refreshes) it costs one read of the store, and no lease."""
        if self.access is None:
            return
        with self._lock:
            self.access.load(self.regions)  # a peer's answers, or this refresher's of an earlier run
            listings = dict(self._listings)
        if not listings or not self.access.due(listings):
            return
        with self._lease() as held:
            if held:
                self.access.check(listings)  # Bedrock's answers, with no lock held: requests go on meanwhile

    # The store is an optimisation: when it fails, the service goes on from memory and the source.

    def _load_from_store(self) -> dict[str, RegionSnapshot]:
        """The regions' data, and with the access check on their access answers, in one read."""
        if self.store is None:
            return {}
        try:
            if self.access is None:
                return self.store.load(self.regions)
            snapshots, answers = self.store.load_with_access(self.regions)
        except CacheStoreError as e:
            logger.warning("cache store unreadable, going on without it: %s", e)
            return {}
        self.access.merge(answers)
        return snapshots

    def _save_to_store(self, snapshots: Sequence[RegionSnapshot]) -> None:
        if self.store is None or not snapshots:
            return
        try:
            self.store.save(snapshots)
        except CacheStoreError as e:
            logger.warning("cache store unwritable, going on without it: %s", e)

    def _load_backoffs(self, regions: Sequence[str]) -> dict[str, RegionBackoff]:
        if self.store is None or not regions:
            return {}
        try:
            return self.store.load_backoff(regions)
        except CacheStoreError as e:
            logger.warning("cache store unreadable, going on without it: %s", e)
            return {}

    def _save_backoffs(self, backoffs: Sequence[RegionBackoff], cleared: Sequence[str]) -> None:
        if self.store is None or not (backoffs or cleared):
            return
        try:
            self.store.save_backoff(backoffs, cleared)
        except CacheStoreError as e:
            logger.warning("cache store unwritable, going on without it: %s", e)

    @contextlib.contextmanager
    def _lease(self) -> Iterator[bool]:
        """The refresh lease for the block (False: a peer holds it), renewed every third of its length
        while the block runs, so that a refresh that outlasts REFRESH_LEASE_SECONDS is still the only one."""
        if not self._acquire_lease():
            yield False
            return
        if self.store is None:  # no table, no lease to keep
            yield True
            return
        done = threading.Event()
        renewer = threading.Thread(target=self._renew_lease, args=(self.store, done), name="lease", daemon=True)
        renewer.start()
        try:
            yield True
        finally:
            done.set()
            renewer.join()
            self._release_lease()

    def _renew_lease(self, store: CacheStore, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            try:
                if not store.acquire_refresh_lease(self._owner, self.lease_seconds):
                    # Ours expired (this container was frozen past it) and a peer holds it now.
                    logger.warning("the refresh lease passed to another container; this refresh goes on")
                    return
            except CacheStoreError as e:
                logger.warning("could not renew the refresh lease (it expires by itself): %s", e)

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
