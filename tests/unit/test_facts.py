"""Model facts and lifecycle on the records (API.md, "The catalog" and "Model facts"): the lookup order,
the null rules, the rounding, by_profile / by_region, and Bedrock's lifecycle dates, on the real fixture
and on small tables where the fixture has no case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.facts import FEATURES, FactsTable, ProfilePrice, Provenance, bundled_facts
from model_catalog.domain.normalize import build_records
from model_catalog.domain.records import ModelRecord, RegionSnapshot

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def table(entries: dict[str, dict[str, Any]], overrides: dict[str, Any] | None = None) -> FactsTable:
    return FactsTable.of(
        {"provenance": {"source": "t", "version": "0", "sha256": "0", "license": "MIT"}, "entries": entries}, overrides
    )


def one_model(summary: dict[str, Any], facts: FactsTable, profiles: tuple[str, ...] = ()) -> ModelRecord:
    """The record of one model listed in us-east-1, routed to by ``profiles``."""
    arn = f"arn:aws:bedrock:us-east-1::foundation-model/{summary['modelId']}"
    profile_summaries = [
        {"inferenceProfileId": p, "status": "ACTIVE", "type": "SYSTEM_DEFINED", "models": [{"modelArn": arn}]}
        for p in profiles
    ]
    base = {"inputModalities": ["TEXT"], "outputModalities": ["TEXT"], "inferenceTypesSupported": ["ON_DEMAND"]}
    snapshot = RegionSnapshot("us-east-1", [{**base, **summary}], profile_summaries, fetched_at=0.0)
    [record] = build_records({"us-east-1": snapshot}, ["us-east-1"], facts=facts)
    return record


# --- lifecycle, from Bedrock's modelLifecycle -----------------------------------------------------------


def test_an_active_model_has_no_lifecycle_dates(catalog: Catalog) -> None:
    haiku = catalog.all.by_id[HAIKU]
    assert (haiku.lifecycle, haiku.deprecated_at, haiku.extended_access_at, haiku.retires_at) == (
        "active",
        None,
        None,
        None,
    )


def test_a_legacy_model_is_deprecated_with_bedrocks_three_dates(catalog: Catalog) -> None:
    sonnet = catalog.all.by_id[SONNET_4]
    assert sonnet.lifecycle == "deprecated" and sonnet.legacy
    assert sonnet.deprecated_at == at("2026-04-14T07:00:00")
    assert sonnet.extended_access_at == at("2026-07-14T07:00:00")
    assert sonnet.retires_at == at("2026-10-14T07:00:00")


def test_a_legacy_model_without_extended_access_has_none(catalog: Catalog) -> None:
    sonic = catalog.all.by_id["amazon.nova-sonic-v1:0"]
    assert (sonic.lifecycle, sonic.extended_access_at) == ("deprecated", None)
    assert (sonic.deprecated_at, sonic.retires_at) == (at("2026-03-13T07:00:00"), at("2026-09-14T07:00:00"))


def test_every_record_of_the_fixture_has_the_lifecycle_of_its_legacy_flag(catalog: Catalog) -> None:
    stages = {m.lifecycle for m in catalog.models if m.legacy}, {m.lifecycle for m in catalog.models if not m.legacy}
    assert stages == ({"deprecated"}, {"active"})
    assert sum(m.lifecycle == "deprecated" for m in catalog.models) == 16
    assert all(m.deprecated_at is not None and m.retires_at is not None for m in catalog.models if m.legacy)


def test_retires_at_falls_back_to_the_facts_sources_deprecation_date() -> None:
    facts = table({"x.model-v1": {"deprecation_date": "2027-03-30", "max_input_tokens": 8000}})
    lifecycle = {"status": "LEGACY", "legacyTime": "2026-01-01T00:00:00+00:00"}
    record = one_model({"modelId": "x.model-v1", "modelLifecycle": lifecycle}, facts)
    assert record.retires_at == at("2027-03-30T00:00:00")
    # The source's date never makes an active model deprecated, nor gives it a date.
    active = one_model({"modelId": "x.model-v1", "modelLifecycle": {"status": "ACTIVE"}}, facts)
    assert (active.lifecycle, active.retires_at) == ("active", None)


@pytest.mark.parametrize(
    ("status", "stage"), [("ACTIVE", "active"), (None, "active"), ("LEGACY", "deprecated"), ("SUNSET", "deprecated")]
)
def test_lifecycle_of_each_status(status: str | None, stage: str, caplog: pytest.LogCaptureFixture) -> None:
    lifecycle = {"status": status} if status else {}
    record = one_model({"modelId": "x.model-v1", "modelLifecycle": lifecycle}, FactsTable.empty())
    assert record.lifecycle == stage
    assert record.legacy is (status == "LEGACY")
    assert ("SUNSET" in caplog.text) is (status == "SUNSET")


# --- facts on the fixture --------------------------------------------------------------------------------


def test_haiku_facts_come_from_its_own_entry(catalog: Catalog) -> None:
    facts = catalog.all.by_id[HAIKU].facts
    assert facts is not None and facts.entry == HAIKU
    assert (facts.context_window, facts.max_output_tokens, facts.embedding_dimensions) == (200_000, 64_000, None)
    assert dict(facts.features) == dict.fromkeys(FEATURES, True)
    pricing = facts.pricing
    assert pricing is not None
    assert (pricing.input_per_mtok, pricing.output_per_mtok) == (1.0, 5.0)
    assert (pricing.cache_read_per_mtok, pricing.cache_write_per_mtok, pricing.per_image) == (0.1, 1.25, None)
    # LiteLLM gives the bare id the global profile's price; the geographic profiles cost 10% more.
    assert dict(pricing.by_profile) == {
        f"{geo}.{HAIKU}": ProfilePrice(1.0, 5.0) if geo == "global" else ProfilePrice(1.1, 5.5)
        for geo in ("au", "eu", "global", "jp", "us")
    }
    assert pricing.by_region == ()


def test_region_prices_list_only_the_models_own_regions(catalog: Catalog) -> None:
    llama = catalog.all.by_id["meta.llama3-70b-instruct-v1:0"]
    assert llama.pricing is not None and llama.pricing.input_per_mtok == 2.65
    by_region = dict(llama.pricing.by_region)
    assert by_region["eu-west-2"] == ProfilePrice(3.45, 4.55)
    assert set(by_region) <= set(llama.regions)


def test_an_embedding_model_has_its_dimensions(catalog: Catalog) -> None:
    titan = catalog.all.by_id["amazon.titan-embed-text-v2:0"]
    assert titan.facts is not None and titan.facts.embedding_dimensions == 1024


def test_a_model_without_an_entry_has_no_facts(catalog: Catalog) -> None:
    reel = catalog.all.by_id["amazon.nova-reel-v1:0"]
    assert (reel.facts, reel.context_window, reel.pricing) == (None, None, None)


def test_an_image_model_has_a_price_per_image_and_no_token_price(catalog: Catalog) -> None:
    canvas = catalog.all.by_id["amazon.nova-canvas-v1:0"].pricing
    assert canvas is not None
    assert (canvas.per_image, canvas.input_per_mtok, canvas.output_per_mtok) == (0.06, None, None)


def test_context_window_coverage_does_not_fall_silently(catalog: Catalog) -> None:
    """The share of available models with a context window: a pin bump that lowers it fails here, and
    the floor moves only on purpose (docs/model-facts.md)."""
    covered = [m.id for m in catalog.models if m.context_window is not None]
    assert len(catalog) == 118
    assert len(covered) / len(catalog) >= 110 / 118  # 93.2% with litellm 1.110.2 and the overrides


# --- the lookup rules, on small tables -------------------------------------------------------------------


def test_lookup_order_id_then_bedrock_prefix_then_profiles_global_first() -> None:
    entries = {
        "bedrock/a.m-v1": {"max_input_tokens": 2},
        "us.a.m-v1": {"max_input_tokens": 3},
        "global.a.m-v1": {"max_input_tokens": 4},
        "eu.a.m-v1": {"max_input_tokens": 5},
    }
    profiles = ("us.a.m-v1", "eu.a.m-v1", "global.a.m-v1")
    assert table({"a.m-v1": {"max_input_tokens": 1}, **entries}).lookup("a.m-v1", profiles).entry == "a.m-v1"  # type: ignore[union-attr]
    assert table(entries).lookup("a.m-v1", profiles).entry == "bedrock/a.m-v1"  # type: ignore[union-attr]
    del entries["bedrock/a.m-v1"]
    assert table(entries).lookup("a.m-v1", profiles).entry == "global.a.m-v1"  # type: ignore[union-attr]
    del entries["global.a.m-v1"]
    assert table(entries).lookup("a.m-v1", profiles).entry == "eu.a.m-v1"  # type: ignore[union-attr]
    assert table(entries).lookup("a.m-v1") is None


def test_fields_are_never_mixed_across_entries() -> None:
    facts = table(
        {"a.m-v1": {"max_input_tokens": 100}, "global.a.m-v1": {"max_output_tokens": 50, "supports_vision": True}}
    ).lookup("a.m-v1", ["global.a.m-v1"])
    assert facts is not None
    assert (facts.context_window, facts.max_output_tokens, facts.feature("vision")) == (100, None, None)


def test_prices_per_million_tokens_are_rounded_to_six_decimals() -> None:
    facts = table({"a.m-v1": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 3.3333333333e-06}}).lookup(
        "a.m-v1"
    )
    assert facts is not None and facts.pricing is not None
    assert (facts.pricing.input_per_mtok, facts.pricing.output_per_mtok) == (0.15, 3.333333)


def test_an_entry_without_a_price_has_no_pricing_and_false_is_not_null() -> None:
    facts = table({"a.m-v1": {"max_input_tokens": 10, "supports_vision": False}}).lookup("a.m-v1")
    assert facts is not None
    assert facts.pricing is None
    assert (facts.feature("vision"), facts.feature("tool_use")) == (False, None)


def test_an_override_fills_a_gap_and_never_replaces_the_source() -> None:
    cite = {"url": "https://example.com/spec"}
    overrides = {
        "models": {
            "a.m-v1": {"max_input_tokens": {"value": 999, **cite}, "max_output_tokens": {"value": 7, **cite}},
            "b.m-v1": {"max_input_tokens": {"value": 123, **cite}},
        }
    }
    facts = table({"a.m-v1": {"max_input_tokens": 100}}, overrides)
    a, b = facts.lookup("a.m-v1"), facts.lookup("b.m-v1")
    assert a is not None and (a.context_window, a.max_output_tokens) == (100, 7)
    assert b is not None and (b.context_window, b.pricing) == (123, None)


def test_the_bundled_table_names_its_source() -> None:
    provenance = bundled_facts().provenance
    assert provenance == Provenance("litellm", provenance.version, provenance.sha256, "MIT")
    assert len(provenance.sha256) == 64
