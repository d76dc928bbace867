"""The boto3 adapter against real bedrock clients whose HTTP exchange answers from the fixture."""

from __future__ import annotations

from typing import Any

from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import SourceAccessDeniedError, SourceError, SourceThrottledError
from tests.conftest import ALL_REGIONS
from tests.fakes import FakeBedrock
from tests.unit.conftest import catalog_of


def test_every_region_every_page(fake_bedrock: FakeBedrock, snapshot_doc: dict[str, Any]) -> None:
    source = BedrockSource(fake_bedrock.client_factory())
    results = source.fetch(ALL_REGIONS)
    assert set(results) == set(ALL_REGIONS)
    for region, snapshot in results.items():
        assert isinstance(snapshot, RegionSnapshot)
        raw = snapshot_doc["regions"][region]
        assert len(snapshot.model_summaries) == len(raw["ListFoundationModels"]["modelSummaries"])
        profiles = raw["ListInferenceProfiles"]["inferenceProfileSummaries"]
        assert len(snapshot.profile_summaries) == len(profiles)
        pages = -(-len(profiles) // fake_bedrock.page_size) or 1
        assert fake_bedrock.calls[(region, "ListFoundationModels")] == 1
        assert fake_bedrock.calls[(region, "ListInferenceProfiles")] == pages
    # what the adapter hands over builds the same catalog as the raw fixture
    catalog = Catalog.from_snapshots(dict(results), ALL_REGIONS, RouteTable.build("/anthropic", ""))  # type: ignore[arg-type]
    expected = catalog_of(snapshot_doc)
    assert catalog.models == expected.models


def test_timestamps_become_json_safe_strings(fake_bedrock: FakeBedrock) -> None:
    snapshot = BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1"])["us-east-1"]
    assert isinstance(snapshot, RegionSnapshot)
    start = snapshot.model_summaries[0]["modelLifecycle"]["startOfLifeTime"]
    assert isinstance(start, str) and start.startswith("20")


def test_a_failing_region_does_not_take_the_others_down(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.fail("eu-west-1", "AccessDeniedException")
    fake_bedrock.fail("us-west-2", "ThrottlingException")
    results = BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1", "eu-west-1", "us-west-2"])
    assert isinstance(results["us-east-1"], RegionSnapshot)
    assert isinstance(results["eu-west-1"], SourceAccessDeniedError)
    assert isinstance(results["us-west-2"], SourceThrottledError)
    assert results["us-west-2"].region == "us-west-2"
    assert isinstance(results["eu-west-1"].__cause__, Exception)


def test_an_unknown_error_is_still_ours(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.fail("us-east-1", "ValidationException")
    result = BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1"])["us-east-1"]
    assert isinstance(result, SourceError) and "ValidationException" in str(result)
