"""Response bodies, as the Anthropic and OpenAI APIs and search_models shape them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.pagination import Page
from model_catalog.domain.records import ModelRecord

JSON = dict[str, Any]


def anthropic_model(record: ModelRecord) -> JSON:
    return {
        "type": "model",
        "id": record.id,
        "display_name": record.name,
        "created_at": record.created_at_rfc3339,
        "regions": list(record.regions),
        "inference_profiles": list(record.inference_profiles),
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
    }
