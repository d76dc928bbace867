"""The catalog's value types. Frozen and slotted: built once per refresh, read by every request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from model_catalog.domain.facts import ModelFacts, Pricing

Lifecycle = Literal["active", "deprecated"]
# Anthropic's stages; Bedrock has no retired state (a model it stops listing leaves the catalog), so
# ``retired`` is a valid filter that matches nothing.
LIFECYCLES: tuple[str, ...] = ("active", "deprecated", "retired")

_RFC3339 = "%Y-%m-%dT%H:%M:%SZ"
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
class ModelAccess:
    """Whether the account can call a model in one region (domain/access.py): True, False, or None
    (never checked), with the reasons when not."""

    callable: bool | None
    reasons: tuple[str, ...] = ()


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
    # Bedrock's modelLifecycle; the three dates are None while the model is active.
    lifecycle: Lifecycle = "active"
    deprecated_at: datetime | None = None
    extended_access_at: datetime | None = None
    retires_at: datetime | None = None
    facts: ModelFacts | None = None  # None: the facts source has no entry for the model
    # Account access (domain/access.py); both None with ACCESS_CHECK off.
    callable_regions: tuple[str, ...] | None = None
    access: Mapping[str, ModelAccess] | None = None

    @property
    def context_window(self) -> int | None:
        return self.facts.context_window if self.facts else None

    @property
    def max_output_tokens(self) -> int | None:
        return self.facts.max_output_tokens if self.facts else None

    @property
    def pricing(self) -> Pricing | None:
        return self.facts.pricing if self.facts else None

    @property
    def created_at_rfc3339(self) -> str:
        return self.created_at.strftime(_RFC3339)

    @property
    def created_unix(self) -> int:
        return int(self.created_at.timestamp())

    def supports(self, input_modality: str, output_modality: str) -> bool:
        return input_modality in self.input_modalities and output_modality in self.output_modalities


def rfc3339(value: datetime | None) -> str | None:
    return value.strftime(_RFC3339) if value is not None else None
