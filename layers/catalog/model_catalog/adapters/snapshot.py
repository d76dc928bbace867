"""A snapshot file in the shape of ``bedrock-snapshot-*.json``: per region, the raw
ListFoundationModels and ListInferenceProfiles responses. Serves local runs and tests offline."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from model_catalog.domain.records import RegionSnapshot
from model_catalog.errors import ConfigurationError, SourceError, SourceMalformedError, SourceUnreachableError


class SnapshotSource:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time, required: Sequence[str] = ()) -> None:
        """``required``: the configured regions, each of which the snapshot must hold."""
        self.path = path
        self.name = f"snapshot {path.name}"
        self.kind = "snapshot"
        self._clock = clock
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigurationError(f"cannot read the snapshot {path}: {e}") from e
        regions = document.get("regions") if isinstance(document, dict) else None
        if not isinstance(regions, dict) or not regions:
            raise ConfigurationError(f"{path} is not a snapshot: no 'regions' object")
        self._regions: dict[str, Any] = regions
        missing = [region for region in required if region not in regions]
        if missing:
            raise ConfigurationError(
                f"AWS_BEDROCK_REGIONS: {', '.join(missing)} not in the snapshot {path.name}, "
                f"which holds {', '.join(regions)}"
            )

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self._regions)

    def fetch(self, regions: Sequence[str]) -> Iterator[tuple[str, RegionSnapshot | SourceError]]:
        now = self._clock()
        for region in regions:
            yield region, self._region(region, now)

    def _region(self, region: str, now: float) -> RegionSnapshot | SourceError:
        raw = self._regions.get(region)
        if raw is None:
            return SourceUnreachableError(region, f"not in {self.path.name}")
        try:
            models = raw["ListFoundationModels"]["modelSummaries"]
            profiles = raw["ListInferenceProfiles"]["inferenceProfileSummaries"]
        except (KeyError, TypeError):
            return SourceMalformedError(region, f"{self.path.name} lacks the list responses")
        return RegionSnapshot(region, tuple(models), tuple(profiles), now)
