"""The catalog's value types. Frozen and slotted: built once per refresh, read by every request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# One Bedrock summary, JSON-safe (timestamps as ISO strings), as ListFoundationModels /
# ListInferenceProfiles return it.
RawSummary = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RegionSnapshot:
    """What one region answered, and when. The unit of caching: a region that fails keeps its last
    good snapshot."""

    region: str
    model_summaries: Sequence[RawSummary]
    profile_summaries: Sequence[RawSummary]
    fetched_at: float  # unix seconds


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One model, merged over the configured regions."""

    id: str
    name: str
    provider: str
    input_modalities: tuple[str, ...]
    output_modalities: tuple[str, ...]
    response_streaming: bool
    legacy: bool
    created_at: datetime
    regions: tuple[str, ...]
    inference_profiles: tuple[str, ...]
    aliases: tuple[str, ...] = field(default=())
    on_demand_regions: tuple[str, ...] = field(default=())
    """Of ``regions``, those where the model is called on demand; in the others only through a profile."""

    @property
    def created_at_rfc3339(self) -> str:
        return self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def created_unix(self) -> int:
        return int(self.created_at.timestamp())

    def supports(self, input_modality: str, output_modality: str) -> bool:
        return input_modality in self.input_modalities and output_modality in self.output_modalities
