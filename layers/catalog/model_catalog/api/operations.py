"""What each route does, from a catalog state and parsed parameters to a response body. The bodies come
from the catalog's rendered parts (api/rendered.py): a warm request renders nothing again."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from model_catalog.api.params import MAX_LIFECYCLE_VALUES, AnthropicPage, SearchQuery
from model_catalog.api.rendered import rendered
from model_catalog.api.views import JSON, access_status
from model_catalog.domain.access import why_not_callable
from model_catalog.domain.catalog import Catalog, ModelView
from model_catalog.domain.pagination import paginate
from model_catalog.domain.records import rfc3339
from model_catalog.domain.search import checked_lifecycles, search
from model_catalog.errors import InvalidRequestError, ModelNotFoundError, RouteNotFoundError
from model_catalog.service import CatalogState


def _anthropic_view(state: CatalogState, lifecycle: Sequence[str] = ()) -> ModelView:
    if len(lifecycle) > MAX_LIFECYCLE_VALUES:
        raise InvalidRequestError(
            f"lifecycle takes at most {MAX_LIFECYCLE_VALUES} values (any of active, deprecated, retired), "
            f"got {len(lifecycle)}",
            "lifecycle",
        )
    view = state.catalog.anthropic_in(checked_lifecycles(lifecycle))
    if view is None:  # equal prefixes: the routes are not registered, so this is a wiring error
        raise RouteNotFoundError("GET", "anthropic models")
    return view


def list_anthropic_models(state: CatalogState, query: AnthropicPage) -> JSON:
    view = _anthropic_view(state, query.stages)
    _refuse_foreign_cursor(state, view, query)
    page = paginate(view.ordered, view.position, query.limit, query.after_id, query.before_id)
    return rendered(state.catalog).anthropic_page(page)


def _refuse_foreign_cursor(state: CatalogState, view: ModelView, query: AnthropicPage) -> None:
    """A cursor naming a real model that is not in this list (an embedding model, say) is a 400 like any
    unknown id, with a message that says why."""
    if query.after_id is not None and query.before_id is not None:
        return  # paginate refuses the pair
    param, cursor = ("before_id", query.before_id) if query.before_id is not None else ("after_id", query.after_id)
    if cursor is not None and cursor not in view.position and cursor in state.catalog.all.by_id:
        stages = f" in lifecycle {', '.join(query.stages)}" if query.stages else ""
        raise InvalidRequestError(
            f"{param} {cursor!r} is not in this list: it holds TEXT -> TEXT models{stages} only", param
        )


def get_anthropic_model(state: CatalogState, model_id: str) -> JSON:
    found = _anthropic_view(state).find(model_id)
    if found is None:
        _refuse_uncallable(state.catalog, model_id)
        elsewhere = state.catalog.all.find(model_id)
        reason = f"{elsewhere.id} is not a TEXT -> TEXT model; the OpenAI models route lists it" if elsewhere else None
        raise ModelNotFoundError(unquote(model_id), reason)
    return rendered(state.catalog).anthropic_model(found)


def _refuse_uncallable(catalog: Catalog, model_id: str) -> None:
    """A model that is available but that this account can call in no configured region: a 404 that
    says why (with the access check on; with it off every available model is served)."""
    found = catalog.available.find(model_id)
    if found is not None and found.id not in catalog.all.by_id:
        raise ModelNotFoundError(unquote(model_id), f"{found.id}: {why_not_callable(found)}")


def list_openai_models(state: CatalogState) -> JSON:
    return rendered(state.catalog).openai_list


def get_openai_model(state: CatalogState, model_id: str) -> JSON:
    if state.catalog.all.find(model_id) is None:
        _refuse_uncallable(state.catalog, model_id)
    return rendered(state.catalog).openai_model(state.catalog.all.resolve(model_id))


def search_models(state: CatalogState, query: SearchQuery) -> list[Any]:
    return rendered(state.catalog).model_details(search(state.catalog, query.criteria()))


def catalog_status(state: CatalogState, now: float | None = None) -> JSON:
    """What the catalog serves and how fresh (API.md, "Catalog status"), ages at ``now`` (default: the
    clock); ``access`` says when the account's access was last checked and how many models are callable
    (null with the check off)."""
    now = time.time() if now is None else now
    catalog, failures, fresh_seconds = state.catalog, state.failures, state.fresh_seconds
    regions: JSON = {}
    for region in catalog.regions:
        fetched = catalog.fetched_at.get(region)
        age = None if fetched is None else max(0, int(now - fetched))
        failure = failures.get(region)
        regions[region] = {
            "fetched_at": rfc3339(datetime.fromtimestamp(fetched, UTC)) if fetched is not None else None,
            "age_seconds": age,
            "stale": age is None or age > fresh_seconds,
            "models": catalog.models_in(region),
            "last_error": {"reason": failure.reason, "at": rfc3339(datetime.fromtimestamp(failure.at, UTC))}
            if failure is not None
            else None,
        }
    provenance = catalog.facts.provenance
    return {
        "source": state.source,
        "regions": regions,
        "facts": {"source": provenance.source, "version": provenance.version, "sha256": provenance.sha256},
        "models": len(catalog),
        "access": access_status(catalog),
    }
