"""GET /search_models over HTTP against the local server, as curl and agents send it: the reference's
examples, repeated parameters, percent-encoding, the OpenAI error shape, and route=anthropic_model_list
against what the official Anthropic SDK lists through {anthropic}/v1/models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anthropic import Anthropic

from tests.contract.local_api import API_KEY, local_api


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with local_api() as url:
        yield url


def search(base_url: str, query: str | tuple[tuple[str, str], ...] | dict[str, str], **headers: str) -> httpx.Response:
    sent = headers or {"Authorization": f"Bearer {API_KEY}"}
    if isinstance(query, str):
        return httpx.get(f"{base_url}/search_models?{query}", headers=sent)
    return httpx.get(f"{base_url}/search_models", params=query, headers=sent)


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: list[dict[str, Any]] = response.json()
    return [m["id"] for m in body]


def test_the_reference_examples(base_url: str) -> None:
    text_in = ids(search(base_url, {"input_modalities": "TEXT"}))
    assert len(text_in) == 116 and text_in == sorted(text_in)
    by_path = ids(search(base_url, {"route": "/v1/images/generations"}))
    assert by_path == ids(search(base_url, {"route": "openai_image_generation"})) != []
    active_chat = ids(search(base_url, {"route": "openai_chat_completion", "legacy": "false"}))
    assert "anthropic.claude-sonnet-4-5-20250929-v1:0" in active_chat
    assert "anthropic.claude-3-5-haiku-20241022-v1:0" not in active_chat  # legacy
    streaming_east = ids(search(base_url, {"region": "us-east-1", "streaming": "true", "legacy": "false"}))
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" in streaming_east
    assert "cohere.embed-v4:0" not in streaming_east


def test_repeated_parameters_are_joined_like_api_gateway_joins_them(base_url: str) -> None:
    repeated = ids(search(base_url, (("input_modalities", "TEXT"), ("input_modalities", "IMAGE"))))
    assert repeated == ids(search(base_url, {"input_modalities": "TEXT,IMAGE"})) != []
    assert repeated == ids(search(base_url, "input_modalities=text%2Cimage"))
    assert ids(search(base_url, "streaming=true&streaming=false")) == []


def test_percent_encoded_route_and_alternative_spellings(base_url: str) -> None:
    chat = ids(search(base_url, "route=%2Fv1%2Fchat%2Fcompletions"))
    assert (
        chat
        == ids(search(base_url, "route=/v1/chat/completions"))
        == ids(search(base_url, "route=OPENAI_CHAT_COMPLETION"))
    )
    assert chat == ids(search(base_url, "route=%2Fanthropic%2Fv1%2Fmodels%2F%7Bmodel_id%7D"))


def test_route_anthropic_model_list_is_what_the_anthropic_sdk_lists(base_url: str) -> None:
    client = Anthropic(base_url=f"{base_url}/anthropic", api_key=API_KEY, max_retries=0)
    listed = [m.id for m in client.models.list(limit=7)]  # auto-pagination walks every page
    assert len(listed) == len(set(listed)) == 85
    assert sorted(listed) == ids(search(base_url, {"route": "anthropic_model_list"}))
    assert sorted(listed) == ids(search(base_url, {"route": "/anthropic/v1/models"}))


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("input_modalities=HOLOGRAM", "input_modalities"),
        ("output_modalities=TEXT,SMELL", "output_modalities"),
        ("route=/v1/completions", "route"),
        ("route=openai_chat", "route"),
        ("region=mars-north-1", "region"),
        ("streaming=yes", "streaming"),
        ("legacy=0", "legacy"),
        ("modality=TEXT", "modality"),
    ],
)
def test_a_bad_value_is_a_400_in_the_openai_shape(base_url: str, query: str, param: str) -> None:
    response = search(base_url, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert param in error["message"]


def test_the_api_key(base_url: str) -> None:
    assert search(base_url, "", **{"x-api-key": API_KEY}).status_code == 200
    missing = httpx.get(f"{base_url}/search_models")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
    assert search(base_url, "", authorization="Bearer wrong").status_code == 401
