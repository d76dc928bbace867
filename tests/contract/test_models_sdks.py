"""The official ``anthropic`` and ``openai`` packages, sync and async, against the local server: they are
the judges of compatibility."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from model_catalog.domain.catalog import Catalog
from tests.contract.local_api import API_KEY, local_api

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
EMBEDDING = "amazon.titan-embed-text-v2:0"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with local_api() as url:
        yield url


def claude(base_url: str, key: str = API_KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=f"{base_url}/anthropic", api_key=key, max_retries=0)


def gpt(base_url: str, key: str = API_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=key, max_retries=0)


# --- anthropic ----------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 20, 84, 85, 1000])
def test_anthropic_auto_paging_walks_every_page(base_url: str, text_ids: list[str], limit: int) -> None:
    pages = list(claude(base_url).models.list(limit=limit).iter_pages())
    assert [len(p.data) for p in pages[:-1]] == [limit] * (len(pages) - 1)
    assert [m.id for p in pages for m in p.data] == text_ids
    assert pages[-1].has_more is False


@pytest.mark.parametrize("limit", [1, 6, 40])
def test_anthropic_auto_paging_backwards_with_before_id(base_url: str, text_ids: list[str], limit: int) -> None:
    # From the last model back to the first: the SDK follows first_id while has_more is true.
    pages = list(claude(base_url).models.list(before_id=text_ids[-1], limit=limit).iter_pages())
    assert all(len(p.data) == limit for p in pages[:-1]) and pages[-1].has_more is False
    assert [m.id for p in reversed(pages) for m in p.data] == text_ids[:-1]
    # Each page is a run of the list in its own order, newest first, as on the way forward.
    for page in pages:
        ids = [m.id for m in page.data]
        start = text_ids.index(ids[0])
        assert ids == text_ids[start : start + len(ids)]


def test_anthropic_model_info(base_url: str, catalog: Catalog) -> None:
    model = claude(base_url).models.retrieve(HAIKU)
    record = catalog.all.by_id[HAIKU]
    assert (model.type, model.id, model.display_name) == ("model", HAIKU, record.name)
    assert model.created_at == record.created_at
    extras = model.model_extra or {}
    assert extras["regions"] == list(record.regions)
    assert extras["inference_profiles"] == list(record.inference_profiles)


@pytest.mark.parametrize(
    "name",
    [
        HAIKU,
        f"global.{HAIKU}",
        f"us.{HAIKU}",
        "claude-haiku-4-5",
        "claude-haiku-4-5-20251001",
    ],
)
def test_anthropic_retrieve_ids_with_colons_profiles_and_aliases(base_url: str, name: str) -> None:
    assert claude(base_url).models.retrieve(name).id == HAIKU


def test_anthropic_retrieve_percent_encoded_by_hand(base_url: str) -> None:
    reply = httpx.get(
        f"{base_url}/anthropic/v1/models/anthropic.claude-haiku-4-5-20251001-v1%3A0",
        headers={"x-api-key": API_KEY, "anthropic-version": "2023-06-01"},
    )
    assert reply.status_code == 200 and reply.json()["id"] == HAIKU


@pytest.mark.parametrize("name", ["no-such-model", EMBEDDING, "claude-haiku-9"])
def test_anthropic_not_found(base_url: str, name: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        claude(base_url).models.retrieve(name)
    error = caught.value
    assert error.status_code == 404 and error.request_id
    assert isinstance(error.body, dict)
    message = error.body["error"]["message"]
    assert message.startswith(f"model not found: {name!r}")
    assert error.body == {
        "type": "error",
        "error": {"type": "not_found_error", "message": message},
        "request_id": error.request_id,
    }


def test_anthropic_authentication_error(base_url: str) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        claude(base_url, key="not-the-key").models.list()
    assert caught.value.status_code == 401 and caught.value.request_id
    assert isinstance(caught.value.body, dict) and caught.value.body["error"]["type"] == "authentication_error"


def test_anthropic_bad_request(base_url: str, text_ids: list[str]) -> None:
    client = claude(base_url)
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(limit=0)
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(after_id=text_ids[0], before_id=text_ids[5])
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(after_id=EMBEDDING)


def test_anthropic_beta_headers(base_url: str, text_ids: list[str]) -> None:
    # client.beta sends anthropic-beta (comma-joined) and ?beta=true: both accepted, any value.
    betas: list[Any] = ["files-api-2025-04-14", "some-future-beta-2099-01-01"]
    beta = claude(base_url).beta.models
    response = beta.with_raw_response.list(limit=3, betas=betas)
    assert response.headers["request-id"]
    assert [m.id for m in response.parse().data] == text_ids[:3]
    assert [m.id for m in beta.list(limit=30, betas=betas)] == text_ids
    assert beta.retrieve("claude-haiku-4-5", betas=betas).id == HAIKU


def test_anthropic_async(base_url: str, text_ids: list[str]) -> None:
    async def scenario() -> tuple[list[str], str, str]:
        client = anthropic.AsyncAnthropic(base_url=f"{base_url}/anthropic", api_key=API_KEY, max_retries=0)
        forward = [m.id async for m in client.models.list(limit=9)]
        last_page = await client.models.list(before_id=text_ids[-1], limit=9)
        backward = [p async for p in last_page.iter_pages()]
        model = await client.models.retrieve("claude-haiku-4-5")
        with pytest.raises(anthropic.NotFoundError) as missing:
            await client.models.retrieve("no-such-model")
        bad_key = anthropic.AsyncAnthropic(base_url=f"{base_url}/anthropic", api_key="wrong", max_retries=0)
        with pytest.raises(anthropic.AuthenticationError):
            await bad_key.models.list()
        walked_back = [m.id for p in reversed(backward) for m in p.data]
        assert walked_back == forward[:-1]
        return forward, model.id, str(missing.value.request_id)

    forward, model_id, request_id = asyncio.run(scenario())
    assert forward == text_ids and model_id == HAIKU and request_id


# --- openai -------------------------------------------------------------------------------------


def test_openai_list(base_url: str, catalog: Catalog) -> None:
    models = list(gpt(base_url).models.list())
    assert [m.id for m in models] == [m.id for m in catalog.models]
    haiku = next(m for m in models if m.id == HAIKU)
    record = catalog.all.by_id[HAIKU]
    assert (haiku.object, haiku.owned_by, haiku.created) == ("model", record.provider, record.created_unix)


@pytest.mark.parametrize(("name", "expected"), [(HAIKU, HAIKU), (EMBEDDING, EMBEDDING), (f"eu.{HAIKU}", HAIKU)])
def test_openai_retrieve(base_url: str, name: str, expected: str) -> None:
    model = gpt(base_url).models.retrieve(name)
    assert model.id == expected and model.object == "model"


def test_openai_not_found(base_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        gpt(base_url).models.retrieve("no-such-model")
    error = caught.value
    assert (error.status_code, error.code, error.param, error.type) == (
        404,
        "model_not_found",
        "model",
        "invalid_request_error",
    )


def test_openai_authentication_error(base_url: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        gpt(base_url, key="not-the-key").models.list()
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"


def test_openai_async(base_url: str, catalog: Catalog) -> None:
    async def scenario() -> tuple[list[str], str]:
        client = openai.AsyncOpenAI(base_url=f"{base_url}/v1", api_key=API_KEY, max_retries=0)
        ids = [m.id async for m in client.models.list()]
        model = await client.models.retrieve(HAIKU)
        with pytest.raises(openai.NotFoundError) as missing:
            await client.models.retrieve("no-such-model")
        assert missing.value.code == "model_not_found"
        with pytest.raises(openai.AuthenticationError):
            await openai.AsyncOpenAI(base_url=f"{base_url}/v1", api_key="wrong", max_retries=0).models.list()
        return ids, model.id

    ids, model_id = asyncio.run(scenario())
    assert ids == [m.id for m in catalog.models] and model_id == HAIKU
