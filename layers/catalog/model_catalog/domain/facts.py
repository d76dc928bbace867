"""What Bedrock's control plane does not say: context window, output limit, prices and feature flags,
from LiteLLM's published JSON, pinned and extracted at development time into ``model_catalog/data/``
(``make facts``; docs/model-facts.md).

Lookup for a model (API.md, "Model facts"): the entry keyed by its id; else ``bedrock/<id>``; else the
entries of its inference profiles, ``global.`` first, then the others sorted. The first entry found
gives every field: fields are never mixed across entries. A field the entry lacks is None, never
guessed. Region prices come from ``bedrock/<region>/<id>``, profile prices from the entries keyed by
a profile id."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# model_catalog/data/, read as a plain directory (as api/page.py reads its pages): the layer is one.
DATA_DIR = Path(__file__).parent.parent / "data"
DATA_FILE = "litellm_bedrock.json"
OVERRIDES_FILE = "facts_overrides.json"

# Our feature name <- LiteLLM's flag.
FEATURE_FLAGS: Mapping[str, str] = {
    "tool_use": "supports_function_calling",
    "vision": "supports_vision",
    "pdf_input": "supports_pdf_input",
    "reasoning": "supports_reasoning",
    "prompt_caching": "supports_prompt_caching",
    "structured_output": "supports_native_structured_output",
    "computer_use": "supports_computer_use",
}
FEATURES: tuple[str, ...] = tuple(FEATURE_FLAGS)
# Effort levels, lowest first (Anthropic's ``effort`` capability).
EFFORT_LEVELS: tuple[str, ...] = ("low", "medium", "high", "xhigh", "max")
_PER_MTOK = 1_000_000


@dataclass(frozen=True, slots=True)
class Provenance:
    source: str
    version: str
    sha256: str
    license: str


@dataclass(frozen=True, slots=True)
class ProfilePrice:
    """USD per million tokens, in one region or through one inference profile."""

    input_per_mtok: float | None
    output_per_mtok: float | None


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD; per million tokens unless named otherwise. ``by_profile`` / ``by_region`` are sorted pairs."""

    input_per_mtok: float | None
    output_per_mtok: float | None
    cache_read_per_mtok: float | None
    cache_write_per_mtok: float | None
    per_image: float | None
    by_profile: tuple[tuple[str, ProfilePrice], ...] = ()
    by_region: tuple[tuple[str, ProfilePrice], ...] = ()
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """One model's facts, all from one entry (``entry``, its key in the source)."""

    entry: str
    context_window: int | None
    max_output_tokens: int | None
    embedding_dimensions: int | None
    features: tuple[tuple[str, bool | None], ...]  # (name, flag) in FEATURES order
    pricing: Pricing | None
    deprecation_date: datetime | None
    effort_levels: tuple[str, ...]  # the levels the source names; empty: no effort setting
    adaptive_thinking: bool | None
    thinking_always_on: bool | None

    def feature(self, name: str) -> bool | None:
        return next((flag for feature, flag in self.features if feature == name), None)


class FactsTable:
    """The entries of the data file, and the lookup of API.md."""

    def __init__(
        self,
        entries: Mapping[str, Mapping[str, Any]],
        provenance: Provenance,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.entries = entries
        self.provenance = provenance
        # model id -> {field: value}: each fills a gap the source leaves (never replaces its value).
        self.overrides = overrides or {}

    @classmethod
    def of(cls, document: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> FactsTable:
        p = document["provenance"]
        provenance = Provenance(p["source"], p["version"], p["sha256"], p["license"])
        filled = {
            model_id: {name: cited["value"] for name, cited in fields.items()}
            for model_id, fields in (overrides or {}).get("models", {}).items()
        }
        return cls(document["entries"], provenance, filled)

    @classmethod
    def empty(cls) -> FactsTable:
        return cls({}, Provenance("none", "", "", ""))

    def lookup(self, model_id: str, profiles: Iterable[str] = (), regions: Iterable[str] = ()) -> ModelFacts | None:
        """The facts of ``model_id``, routed to by ``profiles`` and available in ``regions``; None when
        neither the source nor the overrides know it."""
        profiles = sorted(profiles, key=lambda p: (not p.startswith("global."), p))
        key = next((k for k in (model_id, f"bedrock/{model_id}", *profiles) if k in self.entries), None)
        override = self.overrides.get(model_id, {})
        if key is None and not override:
            return None
        entry = {**override, **self.entries[key]} if key is not None else override  # the source's values win
        by_region = self._prices(f"bedrock/{r}/{model_id}" for r in regions)
        return _facts(key or "overrides", entry, self._prices(profiles), by_region)

    def _prices(self, keys: Iterable[str]) -> tuple[tuple[str, ProfilePrice], ...]:
        found = []
        for key in keys:
            entry = self.entries.get(key)
            price = _profile_price(entry) if entry is not None else None
            if price is not None:
                found.append((key.split("/")[1] if key.startswith("bedrock/") else key, price))
        return tuple(sorted(found))


def _facts(
    key: str,
    entry: Mapping[str, Any],
    by_profile: tuple[tuple[str, ProfilePrice], ...],
    by_region: tuple[tuple[str, ProfilePrice], ...],
) -> ModelFacts:
    return ModelFacts(
        entry=key,
        context_window=_positive_int(entry.get("max_input_tokens")),
        max_output_tokens=_positive_int(entry.get("max_output_tokens")),
        embedding_dimensions=_positive_int(entry.get("output_vector_size")),
        features=tuple((name, _flag(entry.get(flag))) for name, flag in FEATURE_FLAGS.items()),
        pricing=_pricing(entry, by_profile, by_region),
        deprecation_date=_date(entry.get("deprecation_date")),
        effort_levels=_effort_levels(entry),
        adaptive_thinking=_flag(entry.get("supports_adaptive_thinking")),
        thinking_always_on=_flag(entry.get("thinking_always_on")),
    )


def _pricing(
    entry: Mapping[str, Any],
    by_profile: tuple[tuple[str, ProfilePrice], ...],
    by_region: tuple[tuple[str, ProfilePrice], ...],
) -> Pricing | None:
    pricing = Pricing(
        input_per_mtok=_per_mtok(entry.get("input_cost_per_token")),
        output_per_mtok=_per_mtok(entry.get("output_cost_per_token")),
        cache_read_per_mtok=_per_mtok(entry.get("cache_read_input_token_cost")),
        cache_write_per_mtok=_per_mtok(entry.get("cache_creation_input_token_cost")),
        per_image=_number(entry.get("output_cost_per_image")),
        by_profile=by_profile,
        by_region=by_region,
    )
    prices = (pricing.input_per_mtok, pricing.output_per_mtok, pricing.cache_read_per_mtok)
    return None if all(v is None for v in (*prices, pricing.cache_write_per_mtok, pricing.per_image)) else pricing


def _profile_price(entry: Mapping[str, Any]) -> ProfilePrice | None:
    price = ProfilePrice(_per_mtok(entry.get("input_cost_per_token")), _per_mtok(entry.get("output_cost_per_token")))
    return None if price.input_per_mtok is None and price.output_per_mtok is None else price


def _effort_levels(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The levels the source names: its list when it has one; else, for a model that takes an effort
    setting (``supports_output_config`` or an effort ceiling), low to high plus xhigh and max when
    flagged."""
    listed = entry.get("reasoning_effort_levels")
    if isinstance(listed, list):
        return tuple(level for level in EFFORT_LEVELS if level in listed)
    if entry.get("supports_output_config") is not True and not entry.get("bedrock_output_config_effort_ceiling"):
        return ()
    levels = ["low", "medium", "high"]
    if entry.get("supports_xhigh_reasoning_effort") is True:
        levels.append("xhigh")
    if entry.get("supports_max_reasoning_effort") is True:
        levels.append("max")
    return tuple(levels)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _per_mtok(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else round(number * _PER_MTOK, 6)


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _date(value: Any) -> datetime | None:
    """LiteLLM's ``YYYY-MM-DD``, as midnight UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_data_file(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def bundled_facts() -> FactsTable:
    """The data file shipped in the layer, with the overrides, read once per container."""
    return FactsTable.of(read_data_file(DATA_FILE), read_data_file(OVERRIDES_FILE))
