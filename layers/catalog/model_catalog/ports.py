"""What the service needs from the outside world. Adapters implement these; tests may too."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from model_catalog.domain.access import AccessCheckReport, Availability
from model_catalog.domain.backoff import RegionBackoff
from model_catalog.domain.records import RegionSnapshot
from model_catalog.errors import SourceError


class CatalogSource(Protocol):
    """Where region data comes from: Bedrock, or a snapshot file."""

    name: str
    kind: str  # "bedrock" or "snapshot", as /status names the source

    def fetch(self, regions: Sequence[str]) -> Iterator[tuple[str, RegionSnapshot | SourceError]]:
        """Every region asked, concurrently, each yielded as soon as it is read (in any order), so the
        caller works on it while slower regions are still being read. A failed region yields its error;
        never raises."""
        ...


class CacheStore(Protocol):
    """The cache shared by containers (DynamoDB). Every method raises only ``CacheStoreError``."""

    def load(self, regions: Sequence[str]) -> dict[str, RegionSnapshot]: ...

    def load_with_access(
        self, regions: Sequence[str]
    ) -> tuple[dict[str, RegionSnapshot], dict[str, dict[str, Availability]]]:
        """``load`` and the access answers (``AccessStore.load_access``) in one read: a cold start's."""
        ...

    def save(self, snapshots: Sequence[RegionSnapshot]) -> None: ...

    def acquire_refresh_lease(self, owner: str, seconds: int) -> bool:
        """True when this caller may refresh now; a lease expires so a crashed owner blocks nobody."""
        ...

    def release_refresh_lease(self, owner: str) -> None: ...

    def load_backoff(self, regions: Sequence[str]) -> dict[str, RegionBackoff]:
        """The regions some container found failing, and when they may be asked again."""
        ...

    def save_backoff(self, backoffs: Sequence[RegionBackoff], cleared: Sequence[str]) -> None:
        """Record ``backoffs`` and forget the back-off of the ``cleared`` regions (they answered)."""
        ...

    def connect(self) -> None:
        """Make the client now, with no I/O: SnapStart takes it into the snapshot, so a restored
        container's first request does not pay for it."""
        ...


class AccessChecker(Protocol):
    """Asks Bedrock whether this account may call each model (GetFoundationModelAvailability)."""

    def check(self, due: Mapping[str, Sequence[str]]) -> AccessCheckReport:
        """One answer per (region, model id) of ``due`` (region -> model ids) that could be had; never raises."""
        ...


class AccessStore(Protocol):
    """Where the access answers are shared between containers (DynamoDB, beside the region data).
    Every method raises only ``CacheStoreError``."""

    def load_access(self, regions: Sequence[str]) -> dict[str, dict[str, Availability]]: ...

    def save_access(self, answers: Mapping[str, Mapping[str, Availability]]) -> None: ...


class ApiKeyProvider(Protocol):
    def current(self) -> str | None:
        """The key requests must carry, or None when access is open. Raises SecretUnavailableError."""
        ...


class CacheTier(enum.Enum):
    """Where a request's catalog came from: the container's memory, the shared store, or the source."""

    MEMORY = "memory"
    STORE = "dynamodb"
    SOURCE = "bedrock"


class CatalogObserver(Protocol):
    """What the service reports for metrics. It never raises and never blocks the request."""

    def request_served(self, tier: CacheTier, stale: bool) -> None: ...

    def region_fetched(self, region: str, error: SourceError | None) -> None:
        """One region read from the source; ``error`` is None when it succeeded."""
        ...

    def refresh_finished(self, seconds: float, refreshed: Sequence[str], failed: Sequence[str]) -> None:
        """A full refresh (the scheduled refresher) is over."""
        ...


class SilentObserver:
    """The observer when nobody listens (tests, scripts)."""

    def request_served(self, tier: CacheTier, stale: bool) -> None:
        return None

    def region_fetched(self, region: str, error: SourceError | None) -> None:
        return None

    def refresh_finished(self, seconds: float, refreshed: Sequence[str], failed: Sequence[str]) -> None:
        return None
