"""search_models' filters on lifecycle, provider and facts, and its sorts (API.md, "search_models"), on
the real fixture through the domain: expected answers are read off the fixture and the facts file."""

from __future__ import annotations

from typing import Any

import pytest

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.search import SearchCriteria, search
from model_catalog.errors import InvalidRequestError


def ids(catalog: Catalog, **criteria: Any) -> list[str]:
    return [m.id for m in search(catalog, SearchCriteria(**criteria))]


def refused(catalog: Catalog, **criteria: Any) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        search(catalog, SearchCriteria(**criteria))
    return caught.value


DEPRECATED = [
    "amazon.nova-canvas-v1:0",
    "amazon.nova-premier-v1:0",
    "amazon.nova-reel-v1:0",
    "amazon.nova-reel-v1:1",
    "amazon.nova-sonic-v1:0",
    "amazon.titan-image-generator-v2:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-opus-4-20250514-v1:0",
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "cohere.command-r-plus-v1:0",
    "cohere.command-r-v1:0",
    "meta.llama3-1-405b-instruct-v1:0",
    "meta.llama3-2-11b-instruct-v1:0",
    "meta.llama3-2-1b-instruct-v1:0",
    "meta.llama3-2-3b-instruct-v1:0",
    "meta.llama3-2-90b-instruct-v1:0",
]


def test_lifecycle_is_any_of_and_retired_matches_nothing(catalog: Catalog) -> None:
    assert ids(catalog, lifecycle=["deprecated"]) == DEPRECATED
    assert ids(catalog, lifecycle=["Retired"]) == []
    assert len(ids(catalog, lifecycle=["active", "deprecated"])) == len(catalog)
    assert len(ids(catalog, lifecycle=["active"])) == len(catalog) - len(DEPRECATED)


def test_provider_is_case_insensitive_and_any_of(catalog: Catalog) -> None:
    cohere = ids(catalog, provider=["COHERE"])
    assert cohere and all(i.startswith("cohere.") for i in cohere)
    both = ids(catalog, provider=["cohere", "Mistral AI"])
    assert set(both) == set(cohere) | set(ids(catalog, provider=["mistral ai"]))
    assert all(i.startswith(("cohere.", "mistral.")) for i in both)


def test_fact_minimums_leave_out_unknown_values(catalog: Catalog) -> None:
    big = search(catalog, SearchCriteria(min_context_window=1_000_000))
    assert big and all(m.context_window is not None and m.context_window >= 1_000_000 for m in big)
    assert "anthropic.claude-opus-4-7" in [m.id for m in big]
    long_output = search(catalog, SearchCriteria(min_output_tokens=64_000))
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" in [m.id for m in long_output]
    assert all(m.max_output_tokens is not None and m.max_output_tokens >= 64_000 for m in long_output)
    assert "amazon.nova-reel-v1:0" not in ids(catalog, min_context_window=1)  # no facts: left out


def test_features_must_all_be_true(catalog: Catalog) -> None:
    computer = search(catalog, SearchCriteria(features=["computer_use", "PDF_INPUT"]))
    assert computer and all(
        m.facts and m.facts.feature("computer_use") and m.facts.feature("pdf_input") for m in computer
    )
    assert {m.provider for m in computer} == {"Anthropic"}


def test_price_ceilings_compare_per_million_tokens(catalog: Catalog) -> None:
    cheap = search(catalog, SearchCriteria(max_input_price=0.1, max_output_price=0.4))
    assert cheap and all(
        m.pricing and m.pricing.input_per_mtok is not None and m.pricing.input_per_mtok <= 0.1 for m in cheap
    )
    assert all(m.pricing and m.pricing.output_per_mtok is not None and m.pricing.output_per_mtok <= 0.4 for m in cheap)
    assert "amazon.nova-micro-v1:0" in [m.id for m in cheap]  # $0.035 / $0.14
    assert "amazon.nova-canvas-v1:0" not in ids(catalog, max_input_price=100)  # priced per image only


def test_the_cheapest_model_with_tools_and_200k_context_in_eu_west_1(catalog: Catalog) -> None:
    found = search(
        catalog,
        SearchCriteria(region=["eu-west-1"], features=["tool_use"], min_context_window=200_000, sort="input_price"),
    )
    prices = [m.pricing.input_per_mtok for m in found if m.pricing]
    assert prices == sorted(p for p in prices if p is not None)
    assert found[0].id == "amazon.nova-lite-v1:0"  # $0.06, 300k context; nvidia.nemotron-nano-3-30b ties on price
    assert all("eu-west-1" in m.regions and (m.context_window or 0) >= 200_000 for m in found)


@pytest.mark.parametrize("sort", ["newest", "context_window", "input_price"])
def test_sorts_put_models_without_the_value_last_and_break_ties_by_id(catalog: Catalog, sort: str) -> None:
    found = search(catalog, SearchCriteria(sort=sort))
    assert len(found) == len(catalog)

    def value(m: Any) -> Any:
        if sort == "newest":
            return -m.created_at.timestamp()
        if sort == "context_window":
            return -m.context_window if m.context_window is not None else None
        return m.pricing.input_per_mtok if m.pricing else None

    values = [value(m) for m in found]
    known = [(v, m.id) for v, m in zip(values, found, strict=True) if v is not None]
    assert known == sorted(known)
    first_missing = next((i for i, v in enumerate(values) if v is None), len(values))
    assert all(v is None for v in values[first_missing:])
    missing_ids = [m.id for m in found[first_missing:]]
    assert missing_ids == sorted(missing_ids)


def test_sort_id_is_the_default(catalog: Catalog) -> None:
    assert ids(catalog, sort="id") == ids(catalog) == sorted(ids(catalog))


@pytest.mark.parametrize(
    ("criteria", "param", "says"),
    [
        ({"lifecycle": ["legacy"]}, "lifecycle", "active, deprecated, retired"),
        ({"provider": ["Antropic"]}, "provider", "Anthropic"),
        ({"features": ["tools"]}, "features", "tool_use"),
        ({"sort": "cheapest"}, "sort", "id, newest, context_window, input_price"),
        ({"min_context_window": 0}, "min_context_window", ">= 1"),
        ({"max_input_price": -1.0}, "max_input_price", ">= 0"),
        ({"max_output_price": float("nan")}, "max_output_price", ">= 0"),
    ],
)
def test_a_bad_value_is_a_400_that_names_the_parameter_and_what_it_takes(
    catalog: Catalog, criteria: dict[str, Any], param: str, says: str
) -> None:
    error = refused(catalog, **criteria)
    assert error.param == param
    assert says in str(error)
