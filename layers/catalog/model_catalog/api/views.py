"""Response bodies, as the Anthropic and OpenAI APIs and search_models shape them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.facts import EFFORT_LEVELS, FEATURES, ModelFacts, Pricing, ProfilePrice
from model_catalog.domain.pagination import Page
from model_catalog.domain.records import ModelRecord, rfc3339

JSON = dict[str, Any]

# The SDK's ModelLine values (anthropic 2.12.0, types/model_line.py; a test holds them to it).
MODEL_LINES: tuple[str, ...] = ("haiku", "sonnet", "opus", "fable", "mythos")
_WORDS = re.compile(r"[a-z]+")


def anthropic_model(record: ModelRecord) -> JSON:
    """ModelInfo as the pinned Anthropic SDK defines it, plus regions, inference_profiles and
    extended_access_at (extras its clients ignore)."""
    return {
        "type": "model",
        "id": record.id,
        "display_name": record.name,
        "created_at": record.created_at_rfc3339,
        "lifecycle": record.lifecycle,
        "deprecated_at": rfc3339(record.deprecated_at),
        "retires_at": rfc3339(record.retires_at),
        "max_input_tokens": record.context_window,
        "max_tokens": record.max_output_tokens,
        "line": model_line(record),
        "capabilities": anthropic_capabilities(record),
        "regions": list(record.regions),
        "inference_profiles": list(record.inference_profiles),
        "extended_access_at": rfc3339(record.extended_access_at),
    }


def model_line(record: ModelRecord) -> str | None:
    """For an Anthropic model, the line its id names (``anthropic.claude-3-5-haiku-...``: haiku)."""
    if not record.id.startswith("anthropic."):
        return None
    return next((w for w in _WORDS.findall(record.id) if w in MODEL_LINES), None)


def _supported(flag: bool | None) -> JSON:
    return {"supported": flag is True}


def anthropic_capabilities(record: ModelRecord) -> JSON | None:
    """Every key of the SDK's ModelCapabilities, from the facts (None without a facts entry). A key the
    source says nothing about is not supported."""
    facts: ModelFacts | None = record.facts
    if facts is None:
        return None
    thinking = facts.feature("reasoning") is True
    effort = set(facts.effort_levels)
    return {
        "batch": _supported(None),
        "citations": _supported(None),
        "code_execution": _supported(None),
        "context_management": _supported(None),
        "effort": {"supported": bool(effort), **{level: _supported(level in effort) for level in EFFORT_LEVELS}},
        "image_input": _supported("IMAGE" in record.input_modalities),
        "pdf_input": _supported(facts.feature("pdf_input") is True or "DOCUMENT" in record.input_modalities),
        "server_tools": {"supported": False, "code_execution": _supported(None), "web_search": _supported(None)},
        "structured_outputs": _supported(facts.feature("structured_output")),
        "thinking": {
            "supported": thinking,
            "types": {
                "adaptive": _supported(thinking and facts.adaptive_thinking is True),
                "between_tools": _supported(None),
                # True on a model that does not think, as the SDK documents; false only when it always does.
                "disabled": _supported(facts.thinking_always_on is not True),
                "enabled": _supported(thinking),
            },
        },
    }


def anthropic_page(page: Page[ModelRecord], model: Callable[[ModelRecord], JSON] = anthropic_model) -> JSON:
    """``model`` renders each item (api/rendered.py hands over the items it rendered once)."""
    items = page.items
    return {
        "data": [model(r) for r in items],
        "first_id": items[0].id if items else None,
        "last_id": items[-1].id if items else None,
        "has_more": page.has_more,
    }


def openai_model(record: ModelRecord) -> JSON:
    return {"id": record.id, "object": "model", "created": record.created_unix, "owned_by": record.provider}


def openai_list(records: Iterable[ModelRecord]) -> JSON:
    return {"object": "list", "data": [openai_model(r) for r in records]}


def model_details(record: ModelRecord, catalog: Catalog) -> JSON:
    routes = catalog.supported_routes.get(record.id, ())
    return {
        "id": record.id,
        "name": record.name,
        "provider": record.provider,
        "input_modalities": list(record.input_modalities),
        "output_modalities": list(record.output_modalities),
        "supported_routes": [r.path for r in routes],
        "supported_mcp_tools": [r.tool for r in routes],
        "regions": list(record.regions),
        "response_streaming": record.response_streaming,
        "legacy": record.legacy,
        "inference_profiles": list(record.inference_profiles),
        "created_at": record.created_at_rfc3339,
        "aliases": list(record.aliases),
        "on_demand_regions": list(record.on_demand_regions),
        "lifecycle": record.lifecycle,
        "deprecated_at": rfc3339(record.deprecated_at),
        "extended_access_at": rfc3339(record.extended_access_at),
        "retires_at": rfc3339(record.retires_at),
        "context_window": record.context_window,
        "max_output_tokens": record.max_output_tokens,
        "embedding_dimensions": record.facts.embedding_dimensions if record.facts else None,
        "features": dict(record.facts.features) if record.facts else dict.fromkeys(FEATURES),
        "pricing": pricing(record.pricing),
        **access_fields(record),
    }


def _price(price: ProfilePrice) -> JSON:
    return {"input_per_mtok": price.input_per_mtok, "output_per_mtok": price.output_per_mtok}


def pricing(value: Pricing | None) -> JSON | None:
    if value is None:
        return None
    return {
        "currency": value.currency,
        "input_per_mtok": value.input_per_mtok,
        "output_per_mtok": value.output_per_mtok,
        "cache_read_per_mtok": value.cache_read_per_mtok,
        "cache_write_per_mtok": value.cache_write_per_mtok,
        "per_image": value.per_image,
        "by_profile": {profile: _price(p) for profile, p in value.by_profile},
        "by_region": {region: _price(p) for region, p in value.by_region},
    }


def access_fields(record: ModelRecord) -> JSON:
    """``callable_regions`` and ``access`` ({region: {callable, reasons}}); both null with the check off."""
    access = record.access
    return {
        "callable_regions": list(record.callable_regions) if record.callable_regions is not None else None,
        "access": (
            {region: {"callable": a.callable, "reasons": list(a.reasons)} for region, a in access.items()}
            if access is not None
            else None
        ),
    }


def access_status(catalog: Catalog) -> JSON | None:
    """/status's ``access``: when the latest answer came and how many models are callable in some
    configured region; null with the check off."""
    book = catalog.access.book
    if book is None:
        return None
    checked = book.checked_at
    return {
        "checked_at": rfc3339(datetime.fromtimestamp(checked, UTC)) if checked else None,
        "callable": catalog.callable_count,
    }
