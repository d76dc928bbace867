"""The parts of the response bodies that hold lifecycle, model facts and the catalog's status, as
pydantic models for the OpenAPI document (tests hold them against what api/views.py returns)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model_catalog.domain.facts import FEATURES
from model_catalog.domain.records import LIFECYCLES

# The OpenAPI descriptions and vocabularies of the query parameters on lifecycle and facts.
FACT_PARAMETER_DOCS = {
    "lifecycle": "Any of these lifecycle stages (active, deprecated, retired; Bedrock has no retired model). "
    "Anthropic's list takes lifecycle[]=a&lifecycle[]=b as its SDK sends it, at most 3; omitted: active and "
    "deprecated.",
    "provider": "Any of these providers, as Bedrock names them (Anthropic, Amazon, Mistral AI, ...); case-insensitive.",
    "min_context_window": "Context window (input tokens) at least this; models whose window is unknown are left out.",
    "min_output_tokens": "Output limit at least this many tokens; unknown: left out.",
    "features": f"Every one of these features is true ({', '.join(FEATURES)}).",
    "max_input_price": "USD per million input tokens (pricing.input_per_mtok) at most this; unpriced: left out.",
    "max_output_price": "USD per million output tokens (pricing.output_per_mtok) at most this; unpriced: left out.",
    "lifecycle[]": "lifecycle as the Anthropic SDK sends it (lifecycle[]=a&lifecycle[]=b); the same values.",
    "sort": "id (default); newest (created_at, newest first); context_window (largest first); input_price "
    "(cheapest first). Models without the value last, ties by id.",
}
ANY_OF_PARAMETERS = frozenset({"provider", "lifecycle", "lifecycle[]"})  # several values: any of them
FACT_VOCABULARIES = {"lifecycle": list(LIFECYCLES), "lifecycle[]": list(LIFECYCLES), "features": list(FEATURES)}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Supported(_Part):
    supported: bool


class EffortSupport(_Part):
    supported: bool
    low: Supported
    medium: Supported
    high: Supported
    xhigh: Supported
    max: Supported


class ServerToolsSupport(_Part):
    supported: bool
    code_execution: Supported
    web_search: Supported


class ThinkingTypes(_Part):
    adaptive: Supported
    between_tools: Supported
    disabled: Supported
    enabled: Supported


class ThinkingSupport(_Part):
    supported: bool
    types: ThinkingTypes


class ModelCapabilities(_Part):
    """Every key of the Anthropic SDK's ModelCapabilities; what the facts source says nothing about is
    not supported."""

    batch: Supported
    citations: Supported
    code_execution: Supported
    context_management: Supported
    effort: EffortSupport
    image_input: Supported
    pdf_input: Supported
    server_tools: ServerToolsSupport
    structured_outputs: Supported
    thinking: ThinkingSupport


class Features(_Part):
    """Each true, false, or null when the facts source says nothing."""

    tool_use: bool | None
    vision: bool | None
    pdf_input: bool | None
    reasoning: bool | None
    prompt_caching: bool | None
    structured_output: bool | None
    computer_use: bool | None


class TokenPrice(_Part):
    input_per_mtok: float | None
    output_per_mtok: float | None


class Pricing(_Part):
    """USD, per million tokens unless named otherwise; the base price is the source's price for the bare
    model id (for Claude 4.5 and later, the global inference profile's)."""

    currency: Literal["USD"]
    input_per_mtok: float | None
    output_per_mtok: float | None
    cache_read_per_mtok: float | None
    cache_write_per_mtok: float | None
    per_image: float | None
    by_profile: dict[str, TokenPrice] = Field(description="The model's own inference profiles that have a price.")
    by_region: dict[str, TokenPrice] = Field(description="The model's own regions that have a price of their own.")


Lifecycle = Literal["active", "deprecated"]


class RegionError(_Part):
    reason: str = Field(
        description="The kind of failure: throttled, access denied, unreachable, malformed response, error"
    )
    at: str


class RegionStatus(_Part):
    fetched_at: str | None
    age_seconds: int | None
    stale: bool
    models: int
    last_error: RegionError | None = Field(description="The last failed read of the region; null after a success.")


class FactsProvenance(_Part):
    source: Literal["litellm"]
    version: str
    sha256: str


class AccessStatus(_Part):
    checked_at: str | None = Field(description="When the latest access answer came; null before any.")
    callable: int = Field(description="The models callable in at least one configured region.")


class CatalogStatus(_Part):
    source: Literal["bedrock", "snapshot"]
    regions: dict[str, RegionStatus]
    facts: FactsProvenance
    models: int
    access: AccessStatus | None = Field(description="The account access check (ACCESS_CHECK); null when it is off.")
