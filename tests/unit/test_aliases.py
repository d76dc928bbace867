from __future__ import annotations

import pytest

from model_catalog.domain.aliases import aliases_for
from model_catalog.domain.catalog import Catalog
from model_catalog.errors import ModelNotFoundError


@pytest.mark.parametrize(
    ("model_id", "aliases"),
    [
        ("anthropic.claude-haiku-4-5-20251001-v1:0", ("claude-haiku-4-5-20251001", "claude-haiku-4-5")),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")),
        ("anthropic.claude-opus-4-6-v1", ("claude-opus-4-6",)),
        ("anthropic.claude-opus-4-7", ("claude-opus-4-7",)),
        ("amazon.nova-pro-v1:0", ("nova-pro",)),
        ("mistral.mistral-7b-instruct-v0:2", ("mistral-7b-instruct",)),
        ("openai.gpt-oss-120b-1:0", ("gpt-oss-120b",)),
        # a v2 with no date is a model generation, not a version: it stays apart from v1
        ("amazon.titan-embed-text-v2:0", ("titan-embed-text-v2",)),
        ("amazon.titan-embed-text-v1", ("titan-embed-text",)),
        ("cohere.embed-v4:0", ("embed-v4",)),
        ("cohere.rerank-v3-5:0", ("rerank-v3-5",)),
    ],
)
def test_aliases(model_id: str, aliases: tuple[str, ...]) -> None:
    assert aliases_for(model_id) == aliases


def test_resolution_order_id_profile_alias(catalog: Catalog) -> None:
    haiku = "anthropic.claude-haiku-4-5-20251001-v1:0"
    for name in (
        haiku,
        "anthropic.claude-haiku-4-5-20251001-v1%3A0",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "claude-haiku-4-5",
        "claude-haiku-4-5-20251001",
    ):
        assert catalog.all.resolve(name).id == haiku


def test_an_alias_that_fits_several_models_means_the_newest(catalog: Catalog) -> None:
    assert catalog.all.resolve("claude-3-5-sonnet").id == "anthropic.claude-3-5-sonnet-20241022-v2:0"
    reels = [m for m in catalog.models if "nova-reel" in m.aliases]
    assert len(reels) == 2
    newest = max(reels, key=lambda m: (m.created_at, m.id))
    assert catalog.all.resolve("nova-reel").created_at == newest.created_at


def test_non_text_models_are_not_in_the_anthropic_view(catalog: Catalog) -> None:
    assert catalog.anthropic is not None
    assert catalog.all.resolve("cohere.embed-v4:0").id == "cohere.embed-v4:0"
    with pytest.raises(ModelNotFoundError):
        catalog.anthropic.resolve("cohere.embed-v4:0")
    with pytest.raises(ModelNotFoundError):
        catalog.anthropic.resolve("embed-v4")


def test_unknown_name(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFoundError):
        catalog.all.resolve("claude-9")
