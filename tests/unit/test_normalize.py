"""Normalisation and merging on the real 18-region fixture, checked against a plain re-reading of
API.md's rules (the oracle below) and against facts read off the fixture by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.normalize import BuildReport, RegionListing, build_records, created_at, merge_listings
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from tests.conftest import ALL_REGIONS
from tests.unit.conftest import catalog_of, snapshots_of


def oracle_available(doc: dict[str, Any], regions: tuple[str, ...]) -> dict[str, set[str]]:
    """model id -> regions where it is available, straight from the rule's words."""
    result: dict[str, set[str]] = {}
    for region in regions:
        data = doc["regions"][region]
        routed = {
            arn.split("foundation-model/")[1]
            for p in data["ListInferenceProfiles"]["inferenceProfileSummaries"]
            if p["status"] == "ACTIVE" and p["type"] == "SYSTEM_DEFINED"
            for arn in (m["modelArn"] for m in p["models"])
        }
        for m in data["ListFoundationModels"]["modelSummaries"]:
            kinds = m["inferenceTypesSupported"]
            if "ON_DEMAND" in kinds or ("INFERENCE_PROFILE" in kinds and m["modelId"] in routed):
                result.setdefault(m["modelId"], set()).add(region)
    return result


def is_text_to_text(doc: dict[str, Any], model_id: str, regions: tuple[str, ...]) -> bool:
    first = next(
        m
        for r in regions
        for m in doc["regions"][r]["ListFoundationModels"]["modelSummaries"]
        if m["modelId"] == model_id
    )
    return "TEXT" in first["inputModalities"] and "TEXT" in first["outputModalities"]


@pytest.mark.parametrize("region", ALL_REGIONS)
def test_each_region_alone_matches_the_rule(snapshot_doc: dict[str, Any], region: str) -> None:
    catalog = catalog_of(snapshot_doc, (region,))
    expected = oracle_available(snapshot_doc, (region,))
    assert {m.id for m in catalog.models} == set(expected)
    assert catalog.anthropic is not None
    assert {m.id for m in catalog.anthropic.ordered} == {
        i for i in expected if is_text_to_text(snapshot_doc, i, (region,))
    }
    assert all(m.regions == (region,) for m in catalog.models)


def test_all_regions_merge_into_one_record_per_model(snapshot_doc: dict[str, Any], catalog: Catalog) -> None:
    expected = oracle_available(snapshot_doc, ALL_REGIONS)
    assert len(catalog) == len(expected) == len({m.id for m in catalog.models})
    for model in catalog.models:
        assert model.regions == tuple(sorted(expected[model.id]))
    assert [m.id for m in catalog.models] == sorted(m.id for m in catalog.models)


def test_on_demand_regions_are_those_listing_on_demand(snapshot_doc: dict[str, Any], catalog: Catalog) -> None:
    on_demand: dict[str, set[str]] = {}
    for region in ALL_REGIONS:
        for m in snapshot_doc["regions"][region]["ListFoundationModels"]["modelSummaries"]:
            if "ON_DEMAND" in m["inferenceTypesSupported"]:
                on_demand.setdefault(m["modelId"], set()).add(region)
    for model in catalog.models:
        assert model.on_demand_regions == tuple(sorted(on_demand.get(model.id, ())))
        assert set(model.on_demand_regions) <= set(model.regions)
    # The page's region matrix tells the two apart: a model reached only through profiles in some region.
    assert any(set(m.regions) - set(m.on_demand_regions) for m in catalog.models)


def test_provisioned_only_and_empty_variants_are_left_out(catalog: Catalog) -> None:
    for variant in (
        "amazon.nova-pro-v1:0:300k",
        "anthropic.claude-3-haiku-20240307-v1:0:200k",
        "meta.llama4-scout-17b-instruct-v1:0:10m",
        "amazon.nova-premier-v1:0:mm",
    ):
        assert variant not in catalog.all.by_id
    assert "amazon.nova-pro-v1:0" in catalog.all.by_id


def test_multi_region_model_by_hand(catalog: Catalog) -> None:
    # Read off the fixture: Claude 3.5 Haiku is listed with INFERENCE_PROFILE in the three US regions
    # that carry us.anthropic.claude-3-5-haiku-20241022-v1:0, and it is LEGACY.
    haiku = catalog.all.by_id["anthropic.claude-3-5-haiku-20241022-v1:0"]
    assert haiku.regions == ("us-east-1", "us-east-2", "us-west-2")
    assert haiku.inference_profiles == ("us.anthropic.claude-3-5-haiku-20241022-v1:0",)
    assert haiku.legacy is True
    assert haiku.created_at_rfc3339 == "2024-11-04T08:00:00Z"
    assert haiku.name == "Claude 3.5 Haiku" and haiku.provider == "Anthropic"

    nova_pro = catalog.all.by_id["amazon.nova-pro-v1:0"]
    assert nova_pro.inference_profiles == (
        "apac.amazon.nova-pro-v1:0",
        "eu.amazon.nova-pro-v1:0",
        "us.amazon.nova-pro-v1:0",
    )
    assert nova_pro.input_modalities == ("TEXT", "IMAGE", "VIDEO")
    assert "ca-central-1" not in nova_pro.regions and "us-east-1" in nova_pro.regions

    haiku45 = catalog.all.by_id["anthropic.claude-haiku-4-5-20251001-v1:0"]
    assert haiku45.regions == ALL_REGIONS
    assert "global.anthropic.claude-haiku-4-5-20251001-v1:0" in haiku45.inference_profiles
    assert list(haiku45.inference_profiles) == sorted(haiku45.inference_profiles)


def test_modalities_use_the_vocabulary(catalog: Catalog) -> None:
    sonic = catalog.all.by_id["amazon.nova-2-sonic-v1:0"]
    assert sonic.input_modalities == ("SPEECH",)  # Bedrock says SPEECH in, SPEECH out
    assert sonic.output_modalities == ("AUDIO", "TEXT")
    assert catalog.all.by_id["cohere.embed-v4:0"].output_modalities == ("EMBEDDINGS",)
    every_output = {m for r in catalog.models for m in r.output_modalities}
    assert every_output <= {"TEXT", "IMAGE", "AUDIO", "EMBEDDINGS", "VIDEO"}
    assert "EMBEDDING" not in every_output and "SPEECH" not in every_output


def test_scalar_fields_come_from_the_first_configured_region(snapshot_doc: dict[str, Any]) -> None:
    snaps = snapshots_of(snapshot_doc, ("us-east-1", "us-west-2"))
    west = snaps["us-west-2"]
    renamed = [
        dict(m, modelName="Renamed In West") if m["modelId"] == "amazon.nova-pro-v1:0" else m
        for m in west.model_summaries
    ]
    snaps["us-west-2"] = RegionSnapshot("us-west-2", renamed, west.profile_summaries, west.fetched_at)
    east_first = {r.id: r for r in build_records(snaps, ("us-east-1", "us-west-2"))}
    west_first = {r.id: r for r in build_records(snaps, ("us-west-2", "us-east-1"))}
    assert east_first["amazon.nova-pro-v1:0"].name == "Nova Pro"
    assert west_first["amazon.nova-pro-v1:0"].name == "Renamed In West"


def test_the_first_configured_region_wins_whatever_order_regions_are_read_in(snapshot_doc: dict[str, Any]) -> None:
    """A refresh reads each region as it arrives; the merge still follows the configured order."""
    snaps = snapshots_of(snapshot_doc, ("us-east-1", "us-west-2"))
    west = snaps["us-west-2"]
    renamed = [dict(m, modelName="Renamed In West") for m in west.model_summaries]
    snaps["us-west-2"] = RegionSnapshot("us-west-2", renamed, west.profile_summaries, 2_000.0)
    west_read_first = {r: RegionListing.of(snaps[r]) for r in ("us-west-2", "us-east-1")}
    merged = {r.id: r for r in merge_listings(west_read_first, ("us-east-1", "us-west-2"))}
    assert merged["amazon.nova-pro-v1:0"].name == "Nova Pro"
    assert merged["amazon.nova-pro-v1:0"].regions == ("us-east-1", "us-west-2")
    routes = RouteTable.build("/anthropic", "")
    catalog = Catalog.from_listings(west_read_first, ("us-east-1", "us-west-2"), routes)
    assert catalog.models == Catalog.from_snapshots(snaps, ("us-east-1", "us-west-2"), routes).models
    assert catalog.fetched_at == {"us-east-1": 1_000.0, "us-west-2": 2_000.0}


def test_inference_profile_only_model_needs_an_active_profile(snapshot_doc: dict[str, Any]) -> None:
    snaps = snapshots_of(snapshot_doc, ("us-east-1",))
    east = snaps["us-east-1"]
    inactive = [
        dict(p, status="INACTIVE") if "claude-3-5-haiku" in p["inferenceProfileId"] else p
        for p in east.profile_summaries
    ]
    snaps["us-east-1"] = RegionSnapshot("us-east-1", east.model_summaries, inactive, east.fetched_at)
    ids = {r.id for r in build_records(snaps, ("us-east-1",))}
    assert "anthropic.claude-3-5-haiku-20241022-v1:0" not in ids


def test_malformed_summaries_are_skipped_not_fatal(snapshot_doc: dict[str, Any]) -> None:
    snaps = snapshots_of(snapshot_doc, ("us-east-1",))
    east = snaps["us-east-1"]
    broken: list[Any] = [*east.model_summaries, {"modelName": "no id"}, "not an object", {"modelId": "x.y-v1:0"}]
    snaps["us-east-1"] = RegionSnapshot("us-east-1", broken, [*east.profile_summaries, {"status": "ACTIVE"}], 0.0)
    report = BuildReport()
    records = build_records(snaps, ("us-east-1",), report)
    assert len(records) == len(oracle_available(snapshot_doc, ("us-east-1",)))
    assert len(report.skipped) == 3


@pytest.mark.parametrize(
    ("model_id", "start", "expected"),
    [
        ("a.b-v1:0", "2025-12-02T00:00:00+00:00", datetime(2025, 12, 2, tzinfo=UTC)),
        ("a.b-v1:0", "2025-12-02T02:00:00+02:00", datetime(2025, 12, 2, tzinfo=UTC)),
        ("anthropic.claude-3-haiku-20240307-v1:0", None, datetime(2024, 3, 7, tzinfo=UTC)),
        ("anthropic.claude-3-haiku-20240307-v1:0", "garbage", datetime(2024, 3, 7, tzinfo=UTC)),
        ("x.model-20251399-v1:0", None, datetime(1970, 1, 1, tzinfo=UTC)),
        ("meta.llama3-8b-instruct-v1:0", None, datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_created_at_rule(model_id: str, start: str | None, expected: datetime) -> None:
    assert created_at(model_id, start) == expected


def test_created_at_is_rfc3339_utc(catalog: Catalog) -> None:
    for model in catalog.models:
        text = model.created_at_rfc3339
        assert text.endswith("Z") and datetime.fromisoformat(text.replace("Z", "+00:00")) == model.created_at
