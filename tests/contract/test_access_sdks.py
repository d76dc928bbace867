"""The account access check as the official SDKs see it: a deployment whose refresher found a model this
account cannot call (the answers in the shared table, moto), served by the local server from Bedrock
(faked at the boto3 boundary). The lists leave the model out, a retrieve is the SDK's NotFoundError with
the reasons, search_models?callable=false lists it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import boto3
import httpx
import openai
import pytest
from moto import mock_aws

from model_catalog.access_keeper import AccessKeeper
from model_catalog.adapters import bedrock as bedrock_adapter
from model_catalog.adapters import bedrock_access
from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.bedrock_access import BedrockAccessChecker
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.routes import RouteTable
from model_catalog.service import CatalogService
from tests.conftest import CACHE_TABLE, create_cache_table
from tests.contract.local_api import API_KEY, local_api
from tests.fake_access import FakeAccess, Statuses
from tests.fakes import FakeBedrock

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture(scope="module")
def base_url(snapshot_doc: dict[str, Any]) -> Iterator[str]:
    bedrock, access = FakeBedrock(snapshot_doc, rounds=4), FakeAccess()
    for region in REGIONS:
        access.answer(region, HAIKU, Statuses(authorization="NOT_AUTHORIZED", agreement="PENDING"))
    with mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        table = boto3.client("dynamodb", region_name="us-east-1")
        create_cache_table(table)
        store = DynamoDBStore(CACHE_TABLE, client=table)
        refresher = CatalogService(
            regions=REGIONS,
            routes=RouteTable.build("/anthropic", ""),
            source=BedrockSource(bedrock.client_factory()),
            store=store,
            fresh_seconds=900,
            max_stale_seconds=86400,
            access=AccessKeeper(BedrockAccessChecker(access.client), store, 86400),
        )
        refresher.refresh()  # the scheduled refresher, in another container
        checked = access.total_calls
        monkeypatch.setattr(bedrock_adapter, "default_client_factory", bedrock.client_factory)
        monkeypatch.setattr(bedrock_access, "default_client_factory", lambda: access.client)
        with local_api(
            CATALOG_SOURCE="bedrock",
            CATALOG_SNAPSHOT="",
            AWS_BEDROCK_REGIONS=",".join(REGIONS),
            CACHE_TABLE_NAME=CACHE_TABLE,
        ) as url:
            yield url
        assert access.total_calls == checked  # the API never called GetFoundationModelAvailability


def test_the_sdks_lists_leave_out_a_model_this_account_cannot_call(base_url: str) -> None:
    claude = anthropic.Anthropic(base_url=f"{base_url}/anthropic", api_key=API_KEY, max_retries=0)
    listed = [m.id for m in claude.models.list(limit=5)]  # auto-paging over every page
    assert listed and HAIKU not in listed
    gpt = openai.OpenAI(base_url=f"{base_url}/v1", api_key=API_KEY, max_retries=0)
    assert HAIKU not in [m.id for m in gpt.models.list()]


def test_the_sdks_retrieve_is_not_found_with_the_reasons(base_url: str) -> None:
    claude = anthropic.Anthropic(base_url=f"{base_url}/anthropic", api_key=API_KEY, max_retries=0)
    with pytest.raises(anthropic.NotFoundError) as refused:
        claude.models.retrieve("claude-haiku-4-5")
    assert "cannot call it: eu-west-1: unauthorized, agreement_pending" in refused.value.message
    gpt = openai.OpenAI(base_url=f"{base_url}/v1", api_key=API_KEY, max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        gpt.models.retrieve(HAIKU)
    assert "us-east-1: unauthorized, agreement_pending" in missing.value.message


def test_search_models_lists_it_with_callable_false(base_url: str) -> None:
    found = httpx.get(f"{base_url}/search_models", params={"callable": "false"}, headers={"x-api-key": API_KEY})
    assert found.status_code == 200
    (haiku,) = found.json()
    assert haiku["id"] == HAIKU and haiku["callable_regions"] == []
    assert haiku["access"]["us-west-2"] == {"callable": False, "reasons": ["unauthorized", "agreement_pending"]}
