"""The bodies rendered once per catalog are the views' bodies, value for value and byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_catalog.api import views
from model_catalog.api.rendered import RenderedCatalog, rendered, to_json
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.pagination import paginate
from model_catalog.domain.search import SearchCriteria, search


def plain_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def same_body(body: Any, expected: Any) -> None:
    assert body == expected
    assert to_json(body) == plain_json(expected)
    assert json.loads(to_json(body)) == expected


@given(
    limit=st.integers(min_value=1, max_value=1000),
    cursor=st.integers(min_value=0, max_value=200),
    direction=st.sampled_from(["first", "after_id", "before_id"]),
)
@settings(max_examples=60, deadline=None)
def test_every_anthropic_page(catalog: Catalog, limit: int, cursor: int, direction: str) -> None:
    view = catalog.anthropic
    assert view is not None
    anchor = {direction: view.ordered[cursor % len(view.ordered)].id} if direction != "first" else {}
    page = paginate(view.ordered, view.position, limit, **anchor)
    same_body(rendered(catalog).anthropic_page(page), views.anthropic_page(page))


@given(
    pages=st.lists(
        st.tuples(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=200)), min_size=2
    )
)
@settings(max_examples=30, deadline=None)
def test_a_digest_follows_its_body(catalog: Catalog, pages: list[tuple[int, int]]) -> None:
    """The ETag comes from a rendered body's digest: equal bodies have equal digests, different ones not."""
    view = catalog.anthropic
    assert view is not None
    digests: dict[str, bytes] = {}
    for limit, cursor in pages:
        page = paginate(view.ordered, view.position, limit, after_id=view.ordered[cursor % len(view.ordered)].id)
        for body in (rendered(catalog).anthropic_page(page), rendered(catalog).model_details(page.items)):
            assert digests.setdefault(body.json_text, body.digest) == body.digest
    assert len(set(digests.values())) == len(digests)


def test_an_empty_page(catalog: Catalog) -> None:
    view = catalog.anthropic
    assert view is not None
    page = paginate(view.ordered, view.position, 5, after_id=view.ordered[-1].id)
    body = rendered(catalog).anthropic_page(page)
    same_body(body, views.anthropic_page(page))
    assert body == {"data": [], "first_id": None, "last_id": None, "has_more": False}


def test_every_model_in_every_view(catalog: Catalog) -> None:
    parts = rendered(catalog)
    assert catalog.anthropic is not None
    for record in catalog.anthropic.ordered:
        same_body(parts.anthropic_model(record), views.anthropic_model(record))
    for record in catalog.models:
        same_body(parts.openai_model(record), views.openai_model(record))
    same_body(parts.openai_list, views.openai_list(catalog.models))


@pytest.mark.parametrize(
    "criteria",
    [SearchCriteria(), SearchCriteria(input_modalities=["IMAGE"], output_modalities=["TEXT"], region=["us-east-1"])],
)
def test_search_results(catalog: Catalog, criteria: SearchCriteria) -> None:
    found = search(catalog, criteria)
    same_body(rendered(catalog).model_details(found), [views.model_details(m, catalog) for m in found])


def test_no_match_is_an_empty_array(catalog: Catalog) -> None:
    same_body(rendered(catalog).model_details([]), [])


def test_a_catalog_is_rendered_once_and_a_new_one_again(catalog: Catalog) -> None:
    parts = rendered(catalog)
    assert rendered(catalog) is parts
    assert parts.openai_list is parts.openai_list
    other = Catalog(catalog.models, catalog.routes, catalog.regions, catalog.fetched_at)
    assert rendered(other) is not parts
    assert isinstance(rendered(other), RenderedCatalog)


def test_plain_values_are_serialised_as_before() -> None:
    assert to_json({"b": [1, "é"], "a": None}) == '{"b":[1,"é"],"a":null}'
