"""Against the deployed stack (see conftest.py): what a new user does first, with the official SDKs,
plus the operations promises (fresh data, ETag/304, gzip, docs, the refresher)."""

from __future__ import annotations

import json

import anthropic
import httpx
import openai
import pytest

from tests.e2e.stack import Endpoint

TIMEOUT = httpx.Timeout(30.0)


def client(endpoint: Endpoint, **headers: str) -> httpx.Client:
    key = {"x-api-key": endpoint.api_key} if endpoint.api_key else {}
    return httpx.Client(timeout=TIMEOUT, headers={**key, **headers})


def test_a_request_without_the_key_is_refused(endpoint: Endpoint) -> None:
    if not endpoint.api_key:
        pytest.skip("this server has no API key")
    answer = httpx.get(endpoint.url("/search_models"), timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_api_key"


def test_anthropic_sdk_walks_the_whole_list_and_resolves_an_alias(endpoint: Endpoint) -> None:
    if endpoint.anthropic_base_url is None:
        pytest.skip("the Anthropic models routes are off in this deployment")
    sdk = anthropic.Anthropic(api_key=endpoint.api_key or "none", base_url=endpoint.anthropic_base_url)
    ids = [model.id for model in sdk.models.list(limit=3)]
    assert ids and len(ids) == len(set(ids))
    newest = sdk.models.retrieve(ids[0])
    assert newest.id == ids[0]


def test_openai_sdk_lists_and_retrieves(endpoint: Endpoint) -> None:
    sdk = openai.OpenAI(api_key=endpoint.api_key or "none", base_url=endpoint.openai_base_url)
    models = list(sdk.models.list())
    assert models
    assert sdk.models.retrieve(models[0].id).id == models[0].id


def test_search_is_fresh_compressed_and_revalidates(endpoint: Endpoint) -> None:
    with client(endpoint, **{"accept-encoding": "gzip"}) as http:
        first = http.get(endpoint.url("/search_models"))
        assert first.status_code == 200
        assert first.json(), "the account can call at least one Bedrock model"
        assert first.headers.get("content-encoding") == "gzip"
        assert "x-catalog-stale" not in first.headers, "the scheduled refresh keeps the catalog fresh"
        assert first.headers["cache-control"].startswith("private")
        again = http.get(endpoint.url("/search_models"), headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""


def test_openapi_and_docs_are_open(endpoint: Endpoint) -> None:
    document = httpx.get(endpoint.url("/openapi.json"), timeout=TIMEOUT)
    assert document.status_code == 200
    assert "/search_models" in document.json()["paths"]
    page = httpx.get(endpoint.url("/docs"), timeout=TIMEOUT)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


def test_the_refresher_reports_every_region(endpoint: Endpoint) -> None:
    if endpoint.refresh_function is None:
        pytest.skip("only against a deployed stack")
    import boto3

    result = boto3.client("lambda").invoke(FunctionName=endpoint.refresh_function + ":live")
    assert "FunctionError" not in result, result["Payload"].read()
    outcome = json.loads(result["Payload"].read())
    assert outcome["failed"] == {}
    assert outcome["refreshed"] or outcome["skipped"]


def test_status_says_where_the_catalog_comes_from_and_how_fresh(endpoint: Endpoint) -> None:
    with client(endpoint) as http:
        status = http.get(endpoint.url("/status"))
    assert status.status_code == 200
    body = status.json()
    assert body["source"] in ("bedrock", "snapshot") and body["models"] > 0
    assert body["facts"]["source"] == "litellm" and body["access"] is None
    assert all(r["fetched_at"] is not None for r in body["regions"].values()), body["regions"]
