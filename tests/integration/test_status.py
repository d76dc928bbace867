"""GET /status's body (API.md, "Catalog status"): per-region freshness, models and last error, the
facts' provenance and ``access`` null, from a service over the fake Bedrock with a controlled clock."""

from __future__ import annotations

from typing import Any

import pytest

from model_catalog.api.fact_bodies import CatalogStatus
from model_catalog.api.operations import catalog_status
from model_catalog.domain.facts import bundled_facts
from model_catalog.service import CatalogService
from tests.conftest import HandlerLoader, LambdaContext, load_event
from tests.fakes import FakeBedrock
from tests.integration.test_search_handler import KEY, answer, without_key
from tests.integration.test_service import REGIONS, Clock, service


def status_of(svc: CatalogService, clock: Clock) -> dict[str, Any]:
    body = catalog_status(svc.current(), now=clock.now)
    CatalogStatus.model_validate(body)  # the OpenAPI schema holds the real body
    return body


def test_status_of_a_fresh_catalog(snapshot_doc: dict[str, Any]) -> None:
    clock = Clock()
    svc = service(FakeBedrock(snapshot_doc), clock, None)
    svc.current()  # the first request reads Bedrock
    clock.now += 30
    body = status_of(svc, clock)
    catalog = svc.current().catalog
    assert body["source"] == "bedrock" and body["access"] is None
    assert body["models"] == len(catalog)
    assert list(body["regions"]) == list(REGIONS)
    east = body["regions"]["us-east-1"]
    assert east == {
        "fetched_at": "1970-01-12T13:46:40Z",  # the clock's 1,000,000 s
        "age_seconds": 30,
        "stale": False,
        "models": sum("us-east-1" in m.regions for m in catalog.models),
        "last_error": None,
    }
    assert 0 < east["models"] <= body["models"]
    provenance = bundled_facts().provenance
    assert body["facts"] == {"source": "litellm", "version": provenance.version, "sha256": provenance.sha256}


def test_a_failed_region_shows_its_last_error_until_it_answers_again(snapshot_doc: dict[str, Any]) -> None:
    clock = Clock()
    fake = FakeBedrock(snapshot_doc, rounds=1)
    svc = service(fake, clock, None)
    svc.current()
    clock.now += 1000  # past fresh: the next request refreshes
    fake.add_rounds(1)
    fake.fail("eu-west-1", "AccessDeniedException")
    body = status_of(svc, clock)
    west = body["regions"]["eu-west-1"]
    assert west["last_error"] == {"reason": "access denied", "at": "1970-01-12T14:03:20Z"}
    assert (west["age_seconds"], west["stale"]) == (1000, True)
    assert "AccessDenied" not in str(west)  # the kind of failure, never Bedrock's message
    assert body["regions"]["us-east-1"]["last_error"] is None

    fake.heal("eu-west-1")
    fake.add_rounds(1)
    clock.now += 31  # past the retry pause after a failure
    assert status_of(svc, clock)["regions"]["eu-west-1"]["last_error"] is None


def test_a_configured_region_with_no_data_is_stale_with_nothing(snapshot_doc: dict[str, Any]) -> None:
    clock = Clock()
    fake = FakeBedrock(snapshot_doc)
    fake.fail("us-west-2", "ThrottlingException")
    svc = service(fake, clock, None)
    region = status_of(svc, clock)["regions"]["us-west-2"]
    assert region == {
        "fetched_at": None,
        "age_seconds": None,
        "stale": True,
        "models": 0,
        "last_error": {"reason": "throttled", "at": "1970-01-12T13:46:40Z"},
    }


# --- through the handler, with the shipped event ------------------------------------------------------


@pytest.fixture
def search(load_handler: HandlerLoader) -> Any:
    return load_handler("search_models", API_KEY=KEY)


def test_the_status_event(search: Any, lambda_context: LambdaContext) -> None:
    status, body = answer(search, load_event("status"), lambda_context)
    assert status == 200
    CatalogStatus.model_validate(body)
    assert body["source"] == "snapshot" and body["models"] == 118 and body["access"] is None
    assert len(body["regions"]) == 18
    assert all(r["last_error"] is None and r["models"] > 0 for r in body["regions"].values())
    assert body["facts"]["version"] == bundled_facts().provenance.version


def test_status_needs_the_key(search: Any, lambda_context: LambdaContext) -> None:
    status, body = answer(search, without_key(load_event("status")), lambda_context)
    assert status == 401 and body["error"]["type"] == "invalid_request_error"
