"""What each route does, from a catalog state and parsed parameters to a response body. The bodies come
from the catalog's rendered parts (api/rendered.py): a warm request renders nothing again."""

from __future__ import annotations

from typing import Any

from model_catalog.api.params import AnthropicListQuery, SearchQuery
from model_catalog.api.rendered import rendered
from model_catalog.api.views import JSON
from model_catalog.domain.catalog import ModelView
from model_catalog.domain.pagination import paginate
from model_catalog.domain.search import search
from model_catalog.errors import RouteNotFoundError
from model_catalog.service import CatalogState


def _anthropic_view(state: CatalogState) -> ModelView:
    view = state.catalog.anthropic
    if view is None:  # equal prefixes: the routes are not registered, so this is a wiring error
        raise RouteNotFoundError("GET", "anthropic models")
    return view


def list_anthropic_models(state: CatalogState, query: AnthropicListQuery) -> JSON:
    view = _anthropic_view(state)
    page = paginate(view.ordered, view.position, query.limit, query.after_id, query.before_id)
    return rendered(state.catalog).anthropic_page(page)


def get_anthropic_model(state: CatalogState, model_id: str) -> JSON:
    return rendered(state.catalog).anthropic_model(_anthropic_view(state).resolve(model_id))


def list_openai_models(state: CatalogState) -> JSON:
    return rendered(state.catalog).openai_list


def get_openai_model(state: CatalogState, model_id: str) -> JSON:
    return rendered(state.catalog).openai_model(state.catalog.all.resolve(model_id))


def search_models(state: CatalogState, query: SearchQuery) -> list[Any]:
    return rendered(state.catalog).model_details(search(state.catalog, query.criteria()))
