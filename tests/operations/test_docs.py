"""GET /openapi.json and GET /docs: open (no key), this deployment's paths, a self-contained page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from model_catalog.api import openapi
from model_catalog.domain.routes import RouteTable
from tests.conftest import HandlerLoader
from tests.operations.conftest import call


def get(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP API event for GET path, with no API key."""
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.test", **(headers or {})},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "api",
            "domainName": "api.example.test",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": "req-docs",
            "routeKey": f"GET {path}",
            "stage": "$default",
            "time": "01/May/2026:00:00:00 +0000",
            "timeEpoch": 1777593600000,
        },
        "isBase64Encoded": False,
    }


def test_openapi_is_served_without_a_key_for_this_deployments_prefixes(load_handler: HandlerLoader) -> None:
    docs = load_handler("docs", API_KEY="secret", ANTHROPIC_ROUTES_PREFIX="/claude")
    answer = call(docs, get("/openapi.json", {"accept-encoding": "gzip"}))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-encoding"] == "gzip"
    document = answer.json
    assert "/claude/v1/models" in document["paths"]
    assert "/anthropic/v1/models" not in document["paths"]
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    assert call(docs, get("/openapi.json", {"if-none-match": answer.headers["etag"]})).status == 304


def test_the_default_deployment_serves_the_checked_in_document_with_its_regions(load_handler: HandlerLoader) -> None:
    docs = load_handler("docs")
    served = call(docs, get("/openapi.json")).json
    region = next(p for p in served["paths"]["/search_models"]["get"]["parameters"] if p["name"] == "region")
    regions = region["schema"]["items"]["enum"][:-1]  # "" (no filter) last
    assert regions and all("-" in r for r in regions)
    routes = RouteTable.build("/anthropic", "")
    assert served == json.loads(openapi.render(openapi.build_openapi(routes, regions=regions)))


@pytest.mark.parametrize(
    ("path", "reads"),
    [("/docs", ['fetch("openapi.json"']), ("/", ['api("search_models"', 'api("status")', 'api("openapi.json"'])],
)
def test_pages_are_open_self_contained_and_allowed_by_hash(
    load_handler: HandlerLoader, path: str, reads: list[str]
) -> None:
    docs = load_handler("docs", API_KEY="secret")
    answer = call(docs, get(path))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert all(read in page for read in reads)
    # Nothing loads from elsewhere: no src= or href= to another host, and the policy forbids it anyway.
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "<script src" not in page and "<link" not in page
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]{44}'; style-src 'sha256-[A-Za-z0-9+/=]{44}';", policy)
    assert "unsafe-inline" not in policy
