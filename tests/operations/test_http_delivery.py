"""ETag / If-None-Match, Cache-Control, gzip and CORS on every catalog route, through the handlers."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from model_catalog.api.delivery import etag_of
from tests.conftest import HandlerLoader
from tests.fakes import FakeBedrock
from tests.operations.conftest import REGIONS, call, http_event, log_lines

KEY = "example-api-key"  # the key the events in events/ carry

# (handler, event) for every catalog route.
ROUTES = [
    ("list_models", "anthropic_list_models"),
    ("list_models", "openai_list_models"),
    ("get_model", "anthropic_get_model"),
    ("get_model", "openai_get_model"),
    ("search_models", "search_models"),
    ("search_models", "search_models_filtered"),
]


@pytest.mark.parametrize(("handler", "event"), ROUTES)
def test_every_catalog_answer_has_a_validator_and_a_cache_policy(
    load_handler: HandlerLoader, handler: str, event: str
) -> None:
    api = load_handler(handler, API_KEY=KEY)
    answer = call(api, http_event(event))
    assert answer.status == 200
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', answer.headers["etag"])
    assert call(api, http_event(event)).headers["etag"] == answer.headers["etag"]
    assert answer.headers["cache-control"] == "private, max-age=60"
    assert "Accept-Encoding" in answer.headers["vary"]


def test_a_body_not_rendered_once_per_catalog_is_hashed_whole(load_handler: HandlerLoader) -> None:
    api = load_handler("search_models", API_KEY=KEY)
    answer = call(api, http_event("status"))
    assert answer.status == 200
    assert answer.headers["etag"] == etag_of(answer.body)


@pytest.mark.parametrize(("handler", "event"), ROUTES)
def test_if_none_match_gets_304_without_a_body(load_handler: HandlerLoader, handler: str, event: str) -> None:
    api = load_handler(handler, API_KEY=KEY)
    first = call(api, http_event(event))
    again = call(api, http_event(event, {"if-none-match": first.headers["etag"]}))
    assert again.status == 304
    assert again.raw == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert "content-type" not in again.headers


def test_a_changed_representation_is_sent_again(load_handler: HandlerLoader) -> None:
    api = load_handler("list_models", API_KEY=KEY)
    answer = call(api, http_event("anthropic_list_models", {"if-none-match": 'W/"older", "other"'}))
    assert answer.status == 200 and answer.json["data"]


def test_a_strong_or_listed_validator_matches_weakly(load_handler: HandlerLoader) -> None:
    api = load_handler("get_model", API_KEY=KEY)
    etag = call(api, http_event("openai_get_model")).headers["etag"]
    strong = etag.removeprefix("W/")
    assert call(api, http_event("openai_get_model", {"if-none-match": f'"x", {strong}'})).status == 304
    assert call(api, http_event("openai_get_model", {"if-none-match": "*"})).status == 304


def test_no_key_no_validator(load_handler: HandlerLoader) -> None:
    """The key is checked before anything: a 401 carries no ETag, even with a matching If-None-Match."""
    api = load_handler("list_models", API_KEY=KEY)
    etag = call(api, http_event("openai_list_models")).headers["etag"]
    event = http_event("openai_list_models", {"if-none-match": etag, "x-api-key": "wrong"})
    answer = call(api, event)
    assert answer.status == 401
    assert "etag" not in answer.headers
    assert answer.json["error"]["code"] == "invalid_api_key"


def test_errors_have_no_validator(load_handler: HandlerLoader) -> None:
    api = load_handler("get_model", API_KEY=KEY)
    event = http_event("anthropic_get_model")
    event["pathParameters"] = {"model_id": "no-such-model"}
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/anthropic/v1/models/no-such-model"
    answer = call(api, event)
    assert answer.status == 404
    assert "etag" not in answer.headers


def test_large_bodies_are_gzipped_when_accepted(load_handler: HandlerLoader) -> None:
    api = load_handler("search_models", API_KEY=KEY)
    plain = call(api, http_event("search_models", {"accept-encoding": "identity"}))
    zipped = call(api, http_event("search_models", {"accept-encoding": "gzip, deflate, br"}))
    assert "content-encoding" not in plain.headers and not plain.base64_encoded
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.base64_encoded  # API Gateway turns it back into bytes
    assert zipped.body == plain.body
    assert len(zipped.raw) < len(plain.raw) / 4
    assert zipped.headers["etag"] == plain.headers["etag"]  # one weak validator for both encodings


def test_gzip_refused_or_body_small_stays_plain(load_handler: HandlerLoader) -> None:
    api = load_handler("get_model", API_KEY=KEY, GZIP_MIN_BYTES="100000")
    small = call(api, http_event("openai_get_model", {"accept-encoding": "gzip"}))
    assert "content-encoding" not in small.headers
    search = load_handler("search_models", API_KEY=KEY)
    refused = call(search, http_event("search_models", {"accept-encoding": "gzip;q=0, identity"}))
    assert "content-encoding" not in refused.headers


def test_cache_max_age_is_a_setting(load_handler: HandlerLoader) -> None:
    api = load_handler("list_models", API_KEY=KEY, HTTP_MAX_AGE_SECONDS="300")
    assert call(api, http_event("openai_list_models")).headers["cache-control"] == "private, max-age=300"


def test_cors_headers_for_an_allowed_origin_only(load_handler: HandlerLoader) -> None:
    api = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="https://app.example.com,https://b.example")
    allowed = call(api, http_event("openai_list_models", {"origin": "https://app.example.com"}))
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "etag" in allowed.headers["access-control-expose-headers"]
    assert "Origin" in allowed.headers["vary"]
    other = call(api, http_event("openai_list_models", {"origin": "https://evil.example"}))
    assert other.status == 200
    assert "access-control-allow-origin" not in other.headers


def test_cors_off_by_default_and_star_allows_any(load_handler: HandlerLoader) -> None:
    api = load_handler("list_models", API_KEY=KEY)
    assert (
        "access-control-allow-origin"
        not in call(api, http_event("openai_list_models", {"origin": "https://app.example.com"})).headers
    )
    star = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="*")
    answer = call(star, http_event("openai_list_models", {"origin": "https://app.example.com"}))
    assert answer.headers["access-control-allow-origin"] == "*"


def _preflight(path: str, origin: str, request_method: str | None = "GET") -> dict[str, Any]:
    """A browser's CORS preflight for ``path``: OPTIONS, no API key (a preflight never carries one),
    routed by API Gateway's $default route (no OPTIONS route exists) to the list_models function."""
    event = http_event("openai_list_models")
    event["headers"] = {"origin": origin, "host": event["headers"]["host"]}
    if request_method is not None:
        event["headers"]["access-control-request-method"] = request_method
        event["headers"]["access-control-request-headers"] = "x-api-key,anthropic-version"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = "OPTIONS"
    event["routeKey"] = event["requestContext"]["routeKey"] = "$default"
    return event


@pytest.mark.parametrize("path", ["/v1/models", "/anthropic/v1/models/claude-haiku-4-5", "/search_models", "/mcp"])
def test_a_cors_preflight_is_answered_without_the_api_key(load_handler: HandlerLoader, path: str) -> None:
    """Behind the $default route API Gateway hands preflights to the function: refused for want of a key
    it never has, it would stop every browser call (the CORS tests above send no preflight)."""
    api = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="https://app.example.com")
    answer = call(api, _preflight(path, "https://app.example.com"))
    assert answer.status == 204 and answer.raw == b""
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "x-api-key" in answer.headers["access-control-allow-headers"].lower()
    assert "etag" not in answer.headers
    # The methods of the path asked about, whichever function answers: POST for /mcp.
    expected = "POST,OPTIONS" if path == "/mcp" else "GET,OPTIONS"
    assert answer.headers["access-control-allow-methods"] == expected


# What the official JavaScript SDKs send from a browser on a models call, besides the key: Anthropic's
# (dangerouslyAllowBrowser) and OpenAI's are both Stainless clients.
BROWSER_SDK_HEADERS = (
    "anthropic-version",
    "anthropic-dangerous-direct-browser-access",
    *(f"x-stainless-{name}" for name in ("arch", "lang", "os", "package-version", "retry-count", "timeout")),
    *(f"x-stainless-runtime{part}" for part in ("", "-version")),
)


def test_a_preflight_allows_what_the_browser_sdks_send(load_handler: HandlerLoader) -> None:
    api = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="https://app.example.com")
    answer = call(api, _preflight("/anthropic/v1/models", "https://app.example.com"))
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert set(BROWSER_SDK_HEADERS) <= allowed, set(BROWSER_SDK_HEADERS) - allowed


def test_only_a_real_preflight_goes_without_the_key(load_handler: HandlerLoader) -> None:
    with_cors = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="https://app.example.com")
    assert call(with_cors, _preflight("/v1/models", "https://app.example.com", request_method=None)).status == 401
    without_cors = load_handler("list_models", API_KEY=KEY, CORS_ALLOW_ORIGINS="")
    assert call(without_cors, _preflight("/v1/models", "https://app.example.com")).status == 401


def test_log_lines_of_a_request_carry_its_request_id(
    load_handler: HandlerLoader, bedrock: FakeBedrock, structured_logs: io.StringIO
) -> None:
    """A region failing during a request: the service's warning names the request it happened in."""
    failing = REGIONS.split(",")[0]
    bedrock.fail(failing, "AccessDeniedException")
    api = load_handler("list_models", API_KEY=KEY, AWS_BEDROCK_REGIONS=REGIONS, CATALOG_SNAPSHOT="")
    answer = call(api, http_event("openai_list_models", request_id="req-1234"))
    assert answer.status == 200
    # A region short: the answer is marked stale, and clients are told to revalidate rather than keep it.
    assert answer.headers["x-catalog-stale"] == "true"
    assert answer.headers["cache-control"] == "private, no-cache"
    warnings = [entry for entry in log_lines(structured_logs) if entry["level"] == "WARNING"]
    assert warnings, "the failed region is logged"
    assert all(entry["correlation_id"] == "req-1234" for entry in warnings)
    assert any(failing in entry["message"] for entry in warnings)
    assert {entry["service"] for entry in warnings} == {"bedrock-model-catalog"}
