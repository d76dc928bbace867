"""The boto3 adapter against real bedrock clients whose HTTP exchange answers from the fixture."""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import InvalidRegionError

from model_catalog.adapters import clients
from model_catalog.adapters.bedrock import BedrockSource, default_client_factory
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import SourceAccessDeniedError, SourceError, SourceThrottledError
from tests.conftest import ALL_REGIONS
from tests.fakes import FakeBedrock
from tests.unit.conftest import catalog_of


def test_every_region_every_page(fake_bedrock: FakeBedrock, snapshot_doc: dict[str, Any]) -> None:
    source = BedrockSource(fake_bedrock.client_factory())
    results = dict(source.fetch(ALL_REGIONS))
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
    snapshot = dict(BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1"]))["us-east-1"]
    assert isinstance(snapshot, RegionSnapshot)
    start = snapshot.model_summaries[0]["modelLifecycle"]["startOfLifeTime"]
    assert isinstance(start, str) and start.startswith("20")


def test_a_failing_region_does_not_take_the_others_down(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.fail("eu-west-1", "AccessDeniedException")
    fake_bedrock.fail("us-west-2", "ThrottlingException")
    results = dict(BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1", "eu-west-1", "us-west-2"]))
    assert isinstance(results["us-east-1"], RegionSnapshot)
    assert isinstance(results["eu-west-1"], SourceAccessDeniedError)
    assert isinstance(results["us-west-2"], SourceThrottledError)
    assert results["us-west-2"].region == "us-west-2"
    assert isinstance(results["eu-west-1"].__cause__, Exception)


def test_an_unknown_error_is_still_ours(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.fail("us-east-1", "ValidationException")
    result = dict(BedrockSource(fake_bedrock.client_factory()).fetch(["us-east-1"]))["us-east-1"]
    assert isinstance(result, SourceError) and "ValidationException" in str(result)


class Recorded:
    """The fake's client factory, recording (in order, from any thread) each client made, each call
    started."""

    def __init__(self, fake: FakeBedrock) -> None:
        self.events: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._make = fake.client_factory()

    def factory(self, region: str) -> Any:
        client = self._make(region)
        self._record("client", region, "")
        client.meta.events.register_first(
            "before-call.*.*", lambda model, **_: self._record("call", region, model.name)
        )
        return client

    def _record(self, kind: str, region: str, operation: str) -> None:
        with self._lock:
            self.events.append((kind, region, operation))


def test_one_client_per_region_made_once_and_in_the_order_asked(snapshot_doc: dict[str, Any]) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    recorded = Recorded(fake)
    source = BedrockSource(recorded.factory)
    dict(source.fetch(ALL_REGIONS))
    made = [region for kind, region, _ in recorded.events if kind == "client"]
    assert made == list(ALL_REGIONS)
    dict(source.fetch(ALL_REGIONS))  # a second refresh reuses them
    assert [region for kind, region, _ in recorded.events if kind == "client"] == made


def test_foundation_model_calls_start_once_every_client_is_made(snapshot_doc: dict[str, Any]) -> None:
    """ListFoundationModels never has a second page: it waits until every region's client is made and its
    first ListInferenceProfiles page (which may lead to more) is under way."""
    fake = FakeBedrock(snapshot_doc)
    recorded = Recorded(fake)
    dict(BedrockSource(recorded.factory).fetch(ALL_REGIONS))
    last_client = max(i for i, (kind, _, _) in enumerate(recorded.events) if kind == "client")
    model_calls = [i for i, (_, _, operation) in enumerate(recorded.events) if operation == "ListFoundationModels"]
    assert len(model_calls) == len(ALL_REGIONS)
    assert min(model_calls) > last_client


def test_each_region_is_handed_over_as_soon_as_it_has_answered(fake_bedrock: FakeBedrock) -> None:
    held = threading.Event()

    def hold(model: Any, **_: Any) -> None:
        if model.name == "ListInferenceProfiles":
            held.wait(timeout=30)

    source = BedrockSource(fake_bedrock.client_factory())
    # Before the fake's answer: botocore calls wildcard handlers ahead of those of the exact event.
    source.client("us-west-2").meta.events.register_first("before-call.*.*", hold)
    results = source.fetch(["us-west-2", "us-east-1", "eu-west-1"])
    early = {next(results)[0], next(results)[0]}  # us-west-2 has not answered yet
    assert early == {"us-east-1", "eu-west-1"}
    held.set()
    region, snapshot = next(results)
    assert region == "us-west-2" and isinstance(snapshot, RegionSnapshot)
    assert next(results, None) is None


def test_the_layer_s_own_clients_read_everything(snapshot_doc: dict[str, Any], fake_bedrock: FakeBedrock) -> None:
    """The benchmark's clients: made by the layer's factory from one shared session, stubbed by the fake."""
    clients.session.cache_clear()  # a new container
    source = BedrockSource(fake_bedrock.client_factory(default_client_factory()))
    results = dict(source.fetch(ALL_REGIONS))
    assert all(isinstance(r, RegionSnapshot) for r in results.values())
    catalog = Catalog.from_snapshots(results, ALL_REGIONS, RouteTable.build("/anthropic", ""))  # type: ignore[arg-type]
    assert catalog.models == catalog_of(snapshot_doc).models
    clients.session.cache_clear()


def test_a_region_without_a_client_fails_alone(fake_bedrock: FakeBedrock) -> None:
    make = fake_bedrock.client_factory()

    def factory(region: str) -> Any:
        if region == "eu-west-1":
            raise InvalidRegionError(region_name=region)
        return make(region)

    results = dict(BedrockSource(factory).fetch(["us-east-1", "eu-west-1"]))
    assert isinstance(results["us-east-1"], RegionSnapshot)
    failed = results["eu-west-1"]
    assert isinstance(failed, SourceError) and failed.region == "eu-west-1" and "InvalidRegionError" in str(failed)
