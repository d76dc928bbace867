"""ANTHROPIC_ROUTES_PREFIX / OPENAI_ROUTES_PREFIX, set as template parameters or as environment
variables, through the local server (template.yaml's routes) and the official SDKs."""

from __future__ import annotations

from collections.abc import Mapping

import anthropic
import httpx
import openai
import pytest

from tests.contract.local_api import API_KEY, local_api

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


def check_both_dialects(base_url: str, anthropic_prefix: str, openai_prefix: str) -> None:
    claude = anthropic.Anthropic(base_url=base_url + anthropic_prefix, api_key=API_KEY, max_retries=0)
    gpt = openai.OpenAI(base_url=f"{base_url}{openai_prefix}/v1", api_key=API_KEY, max_retries=0)
    page = claude.models.list(limit=2)
    assert len(page.data) == 2 and page.has_more
    assert claude.models.retrieve("claude-haiku-4-5").id == HAIKU
    with pytest.raises(anthropic.NotFoundError) as anthropic_missing:
        claude.models.retrieve("no-such-model")
    assert anthropic_missing.value.request_id
    ids = [m.id for m in gpt.models.list()]
    assert HAIKU in ids and ids == sorted(ids) and len(ids) > 85
    assert gpt.models.retrieve(HAIKU).owned_by == "Anthropic"
    with pytest.raises(openai.NotFoundError) as openai_missing:
        gpt.models.retrieve("no-such-model")
    assert openai_missing.value.code == "model_not_found"


@pytest.mark.parametrize(
    ("parameters", "env", "anthropic_prefix", "openai_prefix"),
    [
        ({"AnthropicRoutesPrefix": "", "OpenAIRoutesPrefix": "/openai"}, {}, "", "/openai"),
        ({"AnthropicRoutesPrefix": "/anthropic", "OpenAIRoutesPrefix": "/openai"}, {}, "/anthropic", "/openai"),
        ({}, {"ANTHROPIC_ROUTES_PREFIX": "/claude", "OPENAI_ROUTES_PREFIX": "/gpt"}, "/claude", "/gpt"),
    ],
    ids=["anthropic-at-root", "both-prefixed", "from-environment"],
)
def test_each_dialect_at_its_prefix(
    parameters: Mapping[str, str], env: dict[str, str], anthropic_prefix: str, openai_prefix: str
) -> None:
    with local_api(parameter_overrides=parameters, **env) as base_url:
        check_both_dialects(base_url, anthropic_prefix, openai_prefix)


def test_equal_prefixes_leave_v1_models_to_openai() -> None:
    with local_api(parameter_overrides={"AnthropicRoutesPrefix": "/same", "OpenAIRoutesPrefix": "/same"}) as url:
        gpt = openai.OpenAI(base_url=f"{url}/same/v1", api_key=API_KEY, max_retries=0)
        assert HAIKU in [m.id for m in gpt.models.list()]
        with pytest.raises(openai.NotFoundError):
            gpt.models.retrieve("no-such-model")
        # No Anthropic models route at all, under either prefix: the $default route's 404, in OpenAI's
        # dialect (the only one left for these paths).
        for path in ("/anthropic/v1/models", "/anthropic/v1/models/claude-haiku-4-5"):
            reply = httpx.get(url + path, headers={"x-api-key": API_KEY})
            assert reply.status_code == 404 and reply.json()["error"]["code"] == "unknown_url"
        error = httpx.get(f"{url}/same/v1/models/nope", headers={"x-api-key": API_KEY})
        assert error.status_code == 404 and "request-id" not in error.headers
        assert error.json()["error"]["code"] == "model_not_found"
