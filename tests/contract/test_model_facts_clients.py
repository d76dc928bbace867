"""Lifecycle and model facts through the official clients: every Anthropic ModelInfo passes the pinned
SDK's own pydantic model strictly, its ``lifecycle`` list filter works as the SDK sends it, and an agent
asks the MCP server for "the cheapest model with tools and at least 200k context in eu-west-1" in one
call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import quote

import anthropic
import anyio
import httpx
import httpx2
import pytest
from anthropic.types import ModelCapabilities, ModelInfo, ModelLine
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from model_catalog.api.views import MODEL_LINES
from model_catalog.domain.catalog import Catalog
from tests.contract.local_api import API_KEY, local_api

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with local_api() as url:
        yield url


def claude(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=f"{base_url}/anthropic", api_key=API_KEY, max_retries=0)


def strictly_model_info(item: dict[str, Any]) -> ModelInfo:
    """The SDK's ModelInfo, validated strictly (JSON mode: RFC 3339 strings are datetimes, nothing else is
    coerced), with every capability key when capabilities are given."""
    info = ModelInfo.model_validate_json(json.dumps(item), strict=True)
    if item["capabilities"] is not None:
        assert set(item["capabilities"]) == set(ModelCapabilities.model_fields)
    return info


def test_every_listed_and_retrieved_model_is_the_sdks_model_info(base_url: str, text_ids: list[str]) -> None:
    headers = {"x-api-key": API_KEY}
    page = httpx.get(f"{base_url}/anthropic/v1/models", params={"limit": 1000}, headers=headers).json()
    assert [item["id"] for item in page["data"]] == text_ids
    listed = {item["id"]: strictly_model_info(item) for item in page["data"]}
    with httpx.Client(headers=headers) as http:
        for model_id in text_ids:
            answer = http.get(f"{base_url}/anthropic/v1/models/{quote(model_id)}")
            assert answer.status_code == 200, model_id
            assert strictly_model_info(answer.json()) == listed[model_id]
    with_facts = [m for m in listed.values() if m.capabilities is not None]
    assert len(with_facts) >= len(listed) - 8  # a model without a facts entry has capabilities null


def test_haiku_as_the_sdk_reads_it(base_url: str, catalog: Catalog) -> None:
    model = claude(base_url).models.retrieve(HAIKU)
    assert (model.lifecycle, model.deprecated_at, model.retires_at) == ("active", None, None)
    assert (model.max_input_tokens, model.max_tokens, model.line) == (200_000, 64_000, "haiku")
    caps = model.capabilities
    assert caps is not None
    assert caps.image_input.supported and caps.pdf_input.supported and caps.thinking.supported
    assert caps.structured_outputs.supported and not caps.effort.supported  # no effort flags in the source


def test_a_deprecated_model_as_the_sdk_reads_it(base_url: str, catalog: Catalog) -> None:
    sonnet = "anthropic.claude-sonnet-4-20250514-v1:0"
    model = claude(base_url).models.retrieve(sonnet)
    record = catalog.all.by_id[sonnet]
    assert model.lifecycle == "deprecated"
    assert (model.deprecated_at, model.retires_at) == (record.deprecated_at, record.retires_at)
    assert (model.model_extra or {})["extended_access_at"] == "2026-07-14T07:00:00Z"


@pytest.mark.parametrize(
    ("lifecycle", "wanted"),
    [(["deprecated"], {"deprecated"}), (["active"], {"active"}), (["active", "deprecated"], {"active", "deprecated"})],
)
def test_the_lifecycle_filter_as_the_sdk_sends_it(
    base_url: str, catalog: Catalog, text_ids: list[str], lifecycle: list[Any], wanted: set[str]
) -> None:
    pages = list(claude(base_url).models.list(lifecycle=lifecycle, limit=7).iter_pages())
    found = [m.id for p in pages for m in p.data]
    assert found == [i for i in text_ids if catalog.all.by_id[i].lifecycle in wanted]
    assert found and {m.lifecycle for p in pages for m in p.data} == wanted


def test_retired_is_a_valid_stage_no_model_is_in(base_url: str) -> None:
    page = claude(base_url).models.list(lifecycle=["retired"])
    assert (page.data, page.has_more) == ([], False)


def test_plain_repeats_and_commas_are_the_same_filter(base_url: str) -> None:
    headers = {"x-api-key": API_KEY}
    url = f"{base_url}/anthropic/v1/models?limit=1000"
    bracketed = httpx.get(f"{url}&lifecycle[]=deprecated", headers=headers).json()
    assert bracketed["data"]
    assert httpx.get(f"{url}&lifecycle=deprecated", headers=headers).json() == bracketed
    both = httpx.get(f"{url}&lifecycle=deprecated,active", headers=headers).json()
    assert both == httpx.get(f"{url}&lifecycle=active&lifecycle=deprecated", headers=headers).json()


@pytest.mark.parametrize("lifecycle", [["legacy"], ["active", "deprecated", "retired", "active"]])
def test_a_bad_lifecycle_is_an_anthropic_400(base_url: str, lifecycle: list[Any]) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude(base_url).models.list(lifecycle=lifecycle)
    body: Any = caught.value.body
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "lifecycle" in body["error"]["message"]


def test_model_lines_are_the_sdks() -> None:
    assert set(MODEL_LINES) == set(get_args(ModelLine))


def test_the_cheapest_model_with_tools_and_200k_context_in_eu_west_1_is_one_mcp_call(
    base_url: str, catalog: Catalog
) -> None:
    arguments = {"region": "eu-west-1", "features": ["tool_use"], "min_context_window": 200000, "sort": "input_price"}

    async def main() -> Any:
        async with (
            httpx2.AsyncClient(headers={"x-api-key": API_KEY}, timeout=30) as http,
            Client(streamable_http_client(f"{base_url}/mcp", http_client=http)) as client,
        ):
            return await client.call_tool("search_models", arguments)

    result = anyio.run(main)
    assert result.is_error is False
    models = result.structured_content["models"]
    cheapest = models[0]
    assert cheapest["id"] == "amazon.nova-lite-v1:0"
    assert "eu-west-1" in cheapest["regions"] and cheapest["features"]["tool_use"] is True
    assert cheapest["context_window"] >= 200_000
    # Nothing that matches is cheaper.
    prices = [
        m.pricing.input_per_mtok
        for m in catalog.models
        if "eu-west-1" in m.regions
        and m.facts is not None
        and m.facts.feature("tool_use")
        and (m.context_window or 0) >= 200_000
        and m.pricing is not None
        and m.pricing.input_per_mtok is not None
    ]
    assert cheapest["pricing"]["input_per_mtok"] == min(p for p in prices if p is not None)
    assert len(models) == len([m for m in catalog.models if m.id in {x["id"] for x in models}])


@pytest.mark.parametrize(
    ("query", "param", "says"),
    [
        ("sort=cheapest", "sort", "input_price"),
        ("min_context_window=200k", "min_context_window", "integer"),
        ("max_input_price=cheap", "max_input_price", "number"),
        ("features=tools", "features", "tool_use"),
        ("lifecycle=legacy", "lifecycle", "active, deprecated, retired"),
        ("provider=Antropic", "provider", "Anthropic"),
    ],
)
def test_search_refuses_a_bad_fact_filter_in_openais_shape(base_url: str, query: str, param: str, says: str) -> None:
    answer = httpx.get(f"{base_url}/search_models?{query}", headers={"x-api-key": API_KEY})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    assert says in error["message"]


def test_search_over_http_with_filters_on_facts_and_a_sort(base_url: str) -> None:
    query = "provider=anthropic&lifecycle=active&min_output_tokens=64000&features=reasoning,vision&sort=context_window"
    found = httpx.get(f"{base_url}/search_models?{query}", headers={"x-api-key": API_KEY}).json()
    assert found and all(m["provider"] == "Anthropic" and m["lifecycle"] == "active" for m in found)
    windows = [m["context_window"] for m in found]
    assert windows == sorted(windows, reverse=True)
    assert all(m["features"]["reasoning"] and m["features"]["vision"] for m in found)


def test_status_over_http(base_url: str) -> None:
    assert httpx.get(f"{base_url}/status").status_code == 401
    body = httpx.get(f"{base_url}/status", headers={"authorization": f"Bearer {API_KEY}"}).json()
    assert (body["source"], body["models"], body["access"]) == ("snapshot", 118, None)
    assert body["facts"]["source"] == "litellm" and len(body["facts"]["sha256"]) == 64
    assert all(not r["stale"] and r["age_seconds"] >= 0 for r in body["regions"].values())


def test_the_mcp_anthropic_list_takes_lifecycle(base_url: str, catalog: Catalog) -> None:
    async def main() -> tuple[Any, Any]:
        async with (
            httpx2.AsyncClient(headers={"x-api-key": API_KEY}, timeout=30) as http,
            Client(streamable_http_client(f"{base_url}/mcp", http_client=http)) as client,
        ):
            good = await client.call_tool("anthropic_model_list", {"lifecycle": ["deprecated"], "limit": 100})
            bad = await client.call_tool("anthropic_model_list", {"lifecycle": ["sunset"]})
            return good, bad

    good, bad = anyio.run(main)
    assert good.is_error is False
    listed = good.structured_content["data"]
    assert listed and all(m["lifecycle"] == "deprecated" for m in listed)
    assert {m["id"] for m in listed} <= {m.id for m in catalog.models if m.lifecycle == "deprecated"}
    assert bad.is_error is True and "lifecycle" in json.dumps([c.model_dump() for c in bad.content])
