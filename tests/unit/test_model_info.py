"""Anthropic's ModelInfo fields the catalog derives (API.md, "Anthropic-compatible Models API"): line,
capabilities from the facts and the modalities, the lifecycle dates; and the OpenAPI document's new
parameters."""

from __future__ import annotations

import pytest

from model_catalog.api import openapi
from model_catalog.api.views import anthropic_model, model_line
from model_catalog.domain.catalog import Catalog


@pytest.mark.parametrize(
    ("model_id", "line"),
    [
        ("anthropic.claude-haiku-4-5-20251001-v1:0", "haiku"),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "haiku"),
        ("anthropic.claude-opus-4-7", "opus"),
        ("anthropic.claude-sonnet-4-6", "sonnet"),
        ("amazon.nova-pro-v1:0", None),
    ],
)
def test_line_is_named_in_an_anthropic_id(catalog: Catalog, model_id: str, line: str | None) -> None:
    assert model_line(catalog.all.by_id[model_id]) == line


def test_opus_4_7_capabilities_from_the_facts(catalog: Catalog) -> None:
    info = anthropic_model(catalog.all.by_id["anthropic.claude-opus-4-7"])
    caps = info["capabilities"]
    assert (info["max_input_tokens"], info["max_tokens"]) == (1_000_000, 128_000)
    assert caps["effort"] == {
        "supported": True,
        **{level: {"supported": True} for level in ("low", "medium", "high", "xhigh", "max")},
    }
    assert caps["thinking"]["supported"] and caps["thinking"]["types"]["adaptive"] == {"supported": True}
    assert caps["thinking"]["types"]["disabled"] == {"supported": True}
    assert caps["structured_outputs"] == {"supported": False}  # supports_native_structured_output: false
    assert caps["image_input"] == caps["pdf_input"] == {"supported": True}
    assert caps["citations"] == caps["batch"] == {"supported": False}  # the source says nothing


def test_a_model_without_facts_has_no_capabilities_nor_limits(catalog: Catalog) -> None:
    info = anthropic_model(catalog.all.by_id["cohere.command-r-v1:0"])
    assert (info["capabilities"], info["max_input_tokens"], info["max_tokens"], info["line"]) == (
        None,
        None,
        None,
        None,
    )
    assert (info["lifecycle"], info["deprecated_at"], info["retires_at"]) == (
        "deprecated",
        "2026-02-19T08:00:00Z",
        "2026-08-19T08:00:00Z",
    )
    assert info["extended_access_at"] == "2026-05-19T08:00:00Z"


def test_the_document_names_the_new_parameters_and_their_vocabularies() -> None:
    document = openapi.default_document()
    search = {p["name"]: p for p in document["paths"]["/search_models"]["get"]["parameters"]}
    assert search["sort"]["schema"]["enum"] == ["id", "newest", "context_window", "input_price"]
    assert "tool_use" in search["features"]["schema"]["items"]["enum"]
    assert "any value may hold" in search["provider"]["description"]
    assert search["min_context_window"]["schema"] == {"type": "integer", "minimum": 1}
    listing = {p["name"] for p in document["paths"]["/anthropic/v1/models"]["get"]["parameters"]}
    assert {"lifecycle", "lifecycle[]"} <= listing
    details = document["components"]["schemas"]["ModelDetails"]["properties"]
    assert {"lifecycle", "retires_at", "context_window", "features", "pricing"} <= set(details)
