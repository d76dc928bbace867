"""When a failing region may be asked again: a window that doubles with each failure in a row, is
capped, and is jittered so that containers and regions that failed together do not come back together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import random


@dataclass(frozen=True, slots=True)
class RegionBackoff:
    """A region that failed ``failures`` times in a row: nobody asks it again before ``not_before``
    (unix seconds). Shared by every container through the cache store."""

    region: str
    failures: int
    not_before: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 300.0
    draw: Callable[[], float] = random  # uniform in [0, 1): the jitter

    def window(self, failures: int) -> float:
        """Seconds before the next attempt after ``failures`` in a row: base, 2 x base, 4 x base, ... up
        to the cap, then jittered down by up to half ("equal jitter": never less than half the window)."""
        full = min(self.max_seconds, self.base_seconds * 2.0 ** min(max(failures, 1) - 1, 32))
        return full * (0.5 + 0.5 * self.draw())

    def after_failure(self, region: str, previous: RegionBackoff | None, now: float, reason: str) -> RegionBackoff:
        failures = (previous.failures if previous is not None else 0) + 1
        return RegionBackoff(region, failures, now + self.window(failures), reason)
