"""The list and retrieve handlers, called with API Gateway events from events/: paging, lookup, the two
error dialects, the request-id header and the route prefixes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_catalog.api import operations
from model_catalog.api.errors import INTERNAL_MESSAGE
from model_catalog.domain.catalog import Catalog
from tests.conftest import HandlerLoader, load_event
from tests.integration.handler_calls import Reply, invoke, request

KEY = "example-api-key"  # what the events in events/ carry
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
EMBEDDING = "amazon.titan-embed-text-v2:0"  # available, but not TEXT -> TEXT


@pytest.fixture
def list_models(load_handler: HandlerLoader) -> ModuleType:
    return load_handler("list_models", API_KEY=KEY)


@pytest.fixture
def get_model(load_handler: HandlerLoader) -> ModuleType:
    return load_handler("get_model", API_KEY=KEY)


def anthropic_page(handler: ModuleType, **query: str) -> Reply:
    return invoke(handler, request("anthropic_list_models", query=query))


def ids_of(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [m["id"] for m in reply.body["data"]]


def assert_anthropic_error(reply: Reply, status: int, error_type: str, event: dict[str, Any]) -> None:
    request_id = event["requestContext"]["requestId"]
    assert reply.status == status, reply.body
    assert reply.body == {
        "type": "error",
        "error": {"type": error_type, "message": reply.body["error"]["message"]},
        "request_id": request_id,
    }
    assert reply.body["error"]["message"]
    assert reply.headers["request-id"] == request_id
    assert reply.headers["content-type"] == "application/json"


def assert_openai_error(reply: Reply, status: int, error_type: str, code: str | None, param: str | None) -> None:
    assert reply.status == status, reply.body
    error = reply.body["error"]
    assert error == {"message": error["message"], "type": error_type, "param": param, "code": code}
    assert error["message"]
    assert "request-id" not in reply.headers


# --- the events as shipped ----------------------------------------------------------------------


def test_the_shipped_events(
    list_models: ModuleType, get_model: ModuleType, text_ids: list[str], catalog: Catalog
) -> None:
    page = invoke(list_models, load_event("anthropic_list_models"))  # ?limit=5
    assert ids_of(page) == text_ids[:5]
    assert page.body["first_id"] == text_ids[0] and page.body["last_id"] == text_ids[4] and page.body["has_more"]
    first = page.body["data"][0]
    model_info = {"type", "id", "display_name", "created_at", "lifecycle", "deprecated_at", "retires_at"}
    model_info |= {"max_input_tokens", "max_tokens", "line", "capabilities"}
    assert set(first) == model_info | {"regions", "inference_profiles", "extended_access_at"}
    assert first["type"] == "model" and first["created_at"].endswith("Z")

    by_id = invoke(get_model, load_event("anthropic_get_model"))  # rawPath has %3A
    by_alias = invoke(get_model, load_event("anthropic_get_model_alias"))  # claude-haiku-4-5
    assert by_id.status == by_alias.status == 200
    assert by_id.body == by_alias.body and by_id.body["id"] == HAIKU
    assert by_id.body["display_name"] == "Claude Haiku 4.5"

    openai_list = invoke(list_models, load_event("openai_list_models"))
    ids = [m["id"] for m in openai_list.body["data"]]
    assert openai_list.body["object"] == "list" and ids == sorted(ids) and len(ids) > len(text_ids)

    openai_one = invoke(get_model, load_event("openai_get_model"))
    haiku = catalog.all.by_id[HAIKU]
    assert haiku.created_at_rfc3339 == by_id.body["created_at"] == "2025-10-15T17:00:00Z"
    assert openai_one.body == {"id": HAIKU, "object": "model", "created": haiku.created_unix, "owned_by": "Anthropic"}
    assert openai_one.body in openai_list.body["data"]


# --- paging -------------------------------------------------------------------------------------


def test_default_limit_is_20(list_models: ModuleType, text_ids: list[str]) -> None:
    assert ids_of(anthropic_page(list_models)) == text_ids[:20]


def test_a_page_of_exactly_the_whole_list(list_models: ModuleType, text_ids: list[str]) -> None:
    whole = anthropic_page(list_models, limit=str(len(text_ids)))
    assert ids_of(whole) == text_ids and whole.body["has_more"] is False
    assert whole.body["last_id"] == text_ids[-1]
    one_short = anthropic_page(list_models, limit=str(len(text_ids) - 1))
    assert ids_of(one_short) == text_ids[:-1] and one_short.body["has_more"] is True
    assert ids_of(anthropic_page(list_models, limit="1000")) == text_ids


def test_the_last_page_and_after_it(list_models: ModuleType, text_ids: list[str]) -> None:
    last = anthropic_page(list_models, limit="5", after_id=text_ids[-6])
    assert ids_of(last) == text_ids[-5:] and last.body["has_more"] is False
    beyond = anthropic_page(list_models, limit="5", after_id=text_ids[-1])
    assert beyond.body == {"data": [], "first_id": None, "last_id": None, "has_more": False}


def test_before_id_pages_backwards_and_has_more_speaks_of_that_direction(
    list_models: ModuleType, text_ids: list[str]
) -> None:
    middle = anthropic_page(list_models, limit="3", before_id=text_ids[10])
    assert ids_of(middle) == text_ids[7:10] and middle.body["has_more"] is True
    assert (middle.body["first_id"], middle.body["last_id"]) == (text_ids[7], text_ids[9])
    start = anthropic_page(list_models, limit="3", before_id=text_ids[2])
    assert ids_of(start) == text_ids[:2] and start.body["has_more"] is False
    exact = anthropic_page(list_models, limit="3", before_id=text_ids[3])
    assert ids_of(exact) == text_ids[:3] and exact.body["has_more"] is False
    before_first = anthropic_page(list_models, limit="3", before_id=text_ids[0])
    assert before_first.body == {"data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "2.0"}, "limit"),
        ({"limit": "1e2"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"limit": "5,6"}, "limit"),  # ?limit=5&limit=6, as API Gateway joins it
        ({"after_id": "no-such-model"}, "after_id"),
        ({"before_id": "no-such-model"}, "before_id"),
        ({"after_id": HAIKU, "before_id": HAIKU}, "after_id and before_id"),
        ({"after_id": "claude-haiku-4-5"}, "after_id"),  # an alias is not a cursor
    ],
)
def test_bad_paging_is_a_400_in_anthropic_s_dialect(
    list_models: ModuleType, query: dict[str, str], mentions: str
) -> None:
    event = request("anthropic_list_models", query=query)
    reply = invoke(list_models, event)
    assert_anthropic_error(reply, 400, "invalid_request_error", event)
    assert reply.body["error"]["message"].startswith(mentions)


@pytest.mark.parametrize("param", ["after_id", "before_id"])
def test_a_cursor_that_is_a_model_but_not_in_the_text_list(list_models: ModuleType, param: str) -> None:
    event = request("anthropic_list_models", query={param: EMBEDDING})
    reply = invoke(list_models, event)
    assert_anthropic_error(reply, 400, "invalid_request_error", event)
    message = reply.body["error"]["message"]
    assert message == f"{param} {EMBEDDING!r} is not in this list: it holds TEXT -> TEXT models only"


def test_unknown_query_parameters_are_ignored_as_anthropic_does(list_models: ModuleType, text_ids: list[str]) -> None:
    assert ids_of(anthropic_page(list_models, limit="2", beta="true")) == text_ids[:2]


# Through the handler: random page sizes, forward to the end, then back from the last page.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    forward=st.lists(st.integers(1, 100), min_size=1, max_size=20),
    backward=st.lists(st.integers(1, 100), min_size=1, max_size=20),
)
def test_walking_the_whole_list_both_ways(
    list_models: ModuleType, text_ids: list[str], forward: list[int], backward: list[int]
) -> None:
    def walk(limits: list[int], cursor_param: str, cursor: str | None) -> list[list[str]]:
        pages: list[list[str]] = []
        for n in range(len(text_ids) + 1):
            query = {"limit": str(limits[n % len(limits)])}
            if cursor is not None:
                query[cursor_param] = cursor
            body = anthropic_page(list_models, **query).body
            ids = [m["id"] for m in body["data"]]
            ends = (ids[0], ids[-1]) if ids else (None, None)
            assert (body["first_id"], body["last_id"]) == ends
            assert len(ids) == int(query["limit"]) or not body["has_more"]
            if ids:
                pages.append(ids)
            if not body["has_more"]:
                return pages
            cursor = body["last_id"] if cursor_param == "after_id" else body["first_id"]
        raise AssertionError("has_more never became false")

    forward_pages = walk(forward, "after_id", None)
    walked = [model for page in forward_pages for model in page]
    assert len(walked) == len(set(walked))  # pages are disjoint
    assert walked == text_ids  # and their union, in order, is the list

    back_pages = walk(backward, "before_id", forward_pages[-1][0])
    back = [model for page in reversed(back_pages) for model in page] + forward_pages[-1]
    assert len(back) == len(set(back))
    assert back == walked  # backward is forward reversed


# Whatever arrives in the query, the answer is a page or a 400, never a 5xx.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(
        st.sampled_from(["limit", "after_id", "before_id", "other"]),
        st.one_of(st.text(max_size=12), st.integers(-5, 1005).map(str), st.sampled_from([HAIKU, EMBEDDING])),
    )
)
def test_any_query_is_a_page_or_a_400(list_models: ModuleType, query: dict[str, str]) -> None:
    event = request("anthropic_list_models", query=query)
    reply = invoke(list_models, event)
    if reply.status == 200:
        assert set(reply.body) == {"data", "first_id", "last_id", "has_more"}
    else:
        assert_anthropic_error(reply, 400, "invalid_request_error", event)


# --- retrieve -----------------------------------------------------------------------------------


def get(handler: ModuleType, raw_path: str, param: str = "model_id", decoded: str | None = None) -> Reply:
    """GET ``raw_path`` on the get_model function; pathParameters as API Gateway decodes them."""
    event_name = "anthropic_get_model" if param == "model_id" else "openai_get_model"
    value = decoded if decoded is not None else raw_path.rsplit("/", 1)[1]
    return invoke(handler, request(event_name, path=raw_path, path_parameters={param: value}))


@pytest.mark.parametrize(
    "raw_path",
    [
        f"/anthropic/v1/models/{HAIKU}",  # rawPath as HTTP APIs hand it over: decoded
        "/anthropic/v1/models/anthropic.claude-haiku-4-5-20251001-v1%3A0",  # or as sent: encoded
        "/anthropic/v1/models/anthropic.claude-haiku-4-5-20251001-v1%3a0",  # lower-case hex
        "/anthropic/v1/models/global.anthropic.claude-haiku-4-5-20251001-v1:0",  # inference profile
        "/anthropic/v1/models/us.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        "/anthropic/v1/models/claude-haiku-4-5",  # alias
        "/anthropic/v1/models/claude-haiku-4-5-20251001",  # alias with its date
    ],
)
def test_retrieve_by_id_profile_or_alias(get_model: ModuleType, raw_path: str) -> None:
    reply = get(get_model, raw_path)
    assert reply.status == 200, reply.body
    assert reply.body["id"] == HAIKU and reply.headers["request-id"]
    openai_path = raw_path.removeprefix("/anthropic")
    assert get(get_model, openai_path, "model").body["id"] == HAIKU


def test_an_alias_of_several_models_is_the_newest(get_model: ModuleType, catalog: Catalog) -> None:
    fits = [m for m in catalog.models if "claude-3-5-sonnet" in m.aliases]
    assert len(fits) == 2
    newest = max(fits, key=lambda m: m.created_at)
    assert get(get_model, "/anthropic/v1/models/claude-3-5-sonnet").body["id"] == newest.id
    assert get(get_model, "/v1/models/claude-3-5-sonnet", "model").body["id"] == newest.id


def test_retrieve_answers_what_the_list_says(list_models: ModuleType, get_model: ModuleType) -> None:
    listed = anthropic_page(list_models, limit="1000").body["data"]
    for model in listed[:: max(1, len(listed) // 10)]:
        assert get(get_model, f"/anthropic/v1/models/{model['id']}").body == model


def test_a_model_that_is_not_text_to_text_is_not_found_on_the_anthropic_route(get_model: ModuleType) -> None:
    event = request("anthropic_get_model", path=f"/anthropic/v1/models/{EMBEDDING}")
    reply = invoke(get_model, event)
    assert_anthropic_error(reply, 404, "not_found_error", event)
    assert reply.body["error"]["message"] == (
        f"model not found: {EMBEDDING!r} ({EMBEDDING} is not a TEXT -> TEXT model; the OpenAI models route lists it)"
    )
    assert get(get_model, f"/v1/models/{EMBEDDING}", "model").body["id"] == EMBEDDING


@pytest.mark.parametrize(
    ("raw_path", "decoded"),
    [
        ("/v1/models/no-such-model", None),
        ("/v1/models/anthropic.claude-haiku-4-5", None),  # neither id nor alias
        ("/v1/models/a%2Fb", "a/b"),  # encoded slash, rawPath kept encoded
        ("/v1/models/a/b", "a/b"),  # the same, rawPath decoded by API Gateway
        ("/v1/models/what%3F", "what?"),
    ],
)
def test_unknown_model_is_a_404_in_each_dialect(get_model: ModuleType, raw_path: str, decoded: str | None) -> None:
    openai = get(get_model, raw_path, "model", decoded)
    assert_openai_error(openai, 404, "invalid_request_error", "model_not_found", "model")
    event = request(
        "anthropic_get_model",
        path="/anthropic" + raw_path,
        path_parameters={"model_id": decoded or raw_path.rsplit("/", 1)[1]},
    )
    anthropic = invoke(get_model, event)
    assert_anthropic_error(anthropic, 404, "not_found_error", event)
    # The message names the id as the client wrote it, not as it was encoded for the URL.
    named = decoded or raw_path.rsplit("/", 1)[1]
    for reply in (openai, anthropic):
        assert reply.body["error"]["message"] == f"model not found: {named!r}"


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"anthropic-version": "2023-06-01"},
        {"anthropic-version": "1999-01-01", "anthropic-beta": "unknown-beta-2099-01-01"},
        {"anthropic-version": None, "anthropic-beta": "files-api-2025-04-14,context-1m-2025-08-07"},
    ],
)
def test_anthropic_version_and_beta_headers_are_accepted(
    list_models: ModuleType, get_model: ModuleType, extra: dict[str, str | None]
) -> None:
    listed = invoke(list_models, request("anthropic_list_models", headers=extra))
    one = invoke(get_model, request("anthropic_get_model", headers=extra))
    assert listed.status == one.status == 200


def test_every_anthropic_answer_carries_the_request_id(list_models: ModuleType, get_model: ModuleType) -> None:
    for handler, event in [
        (list_models, request("anthropic_list_models")),
        (list_models, request("anthropic_list_models", query={"limit": "0"})),
        (list_models, request("anthropic_list_models", headers={"x-api-key": "wrong"})),
        (get_model, request("anthropic_get_model")),
        (get_model, request("anthropic_get_model", path="/anthropic/v1/models/nope")),
    ]:
        reply = invoke(handler, event)
        assert reply.headers["request-id"] == event["requestContext"]["requestId"], reply.status
        if reply.status != 200:
            assert reply.body["request_id"] == event["requestContext"]["requestId"]


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [
        {"x-api-key": KEY, "authorization": None},
        {"x-api-key": None, "authorization": f"Bearer {KEY}"},
        {"x-api-key": None, "authorization": f"bearer  {KEY} "},
    ],
)
def test_the_key_as_x_api_key_or_bearer(
    list_models: ModuleType, credentials: dict[str, str | None], text_ids: list[str]
) -> None:
    assert ids_of(invoke(list_models, request("anthropic_list_models", headers=credentials))) == text_ids[:5]
    assert invoke(list_models, request("openai_list_models", headers=credentials)).status == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"x-api-key": None, "authorization": None},
        {"x-api-key": "wrong", "authorization": None},
        {"x-api-key": KEY[:-1], "authorization": None},
        {"x-api-key": None, "authorization": f"Basic {KEY}"},
        {"x-api-key": None, "authorization": "Bearer "},
    ],
)
def test_missing_or_wrong_key_is_a_401_in_the_route_s_dialect(
    list_models: ModuleType, get_model: ModuleType, credentials: dict[str, str | None]
) -> None:
    for name, handler in [("anthropic_list_models", list_models), ("anthropic_get_model", get_model)]:
        event = request(name, headers=credentials)
        reply = invoke(handler, event)
        assert_anthropic_error(reply, 401, "authentication_error", event)
        assert KEY not in str(reply.body)
    for name, handler in [("openai_list_models", list_models), ("openai_get_model", get_model)]:
        reply = invoke(handler, request(name, headers=credentials))
        assert_openai_error(reply, 401, "invalid_request_error", "invalid_api_key", None)


def test_the_key_is_compared_in_constant_time(list_models: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert invoke(list_models, request("anthropic_list_models", headers={"x-api-key": "wrong"})).status == 401
    assert compared == [(b"wrong", KEY.encode())]


def test_no_key_configured_is_open(load_handler: HandlerLoader) -> None:
    handler = load_handler("list_models")
    event = request("anthropic_list_models", headers={"x-api-key": None})
    assert invoke(handler, event).status == 200


# --- errors -------------------------------------------------------------------------------------


def test_an_unexpected_exception_is_a_500_that_tells_nothing(
    list_models: ModuleType, get_model: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any) -> Any:
        raise RuntimeError("secret detail at /srv/app/internal.py line 42")

    for name in ("list_anthropic_models", "list_openai_models", "get_anthropic_model", "get_openai_model"):
        monkeypatch.setattr(operations, name, boom)
    for handler, name in [(list_models, "anthropic_list_models"), (get_model, "anthropic_get_model")]:
        event = request(name)
        reply = invoke(handler, event)
        assert_anthropic_error(reply, 500, "api_error", event)
        assert reply.body["error"]["message"] == INTERNAL_MESSAGE
    for handler, name in [(list_models, "openai_list_models"), (get_model, "openai_get_model")]:
        reply = invoke(handler, request(name))
        assert_openai_error(reply, 500, "server_error", None, None)
        assert reply.body["error"]["message"] == INTERNAL_MESSAGE


def test_catalog_unavailable_is_a_503_in_each_dialect(load_handler: HandlerLoader, tmp_path: Path) -> None:
    # The snapshot's one region holds no list responses: nothing to serve. (A region the snapshot does not
    # hold at all is a configuration error, tests/local/test_start.py.)
    snapshot = tmp_path / "unusable.json"
    snapshot.write_text('{"regions": {"us-east-1": {}}}')
    handler = load_handler("list_models", API_KEY=KEY, AWS_BEDROCK_REGIONS="us-east-1", CATALOG_SNAPSHOT=str(snapshot))
    event = request("anthropic_list_models")
    reply = invoke(handler, event)
    assert_anthropic_error(reply, 503, "overloaded_error", event)
    assert "unavailable" in reply.body["error"]["message"]
    assert_openai_error(invoke(handler, request("openai_list_models")), 503, "service_unavailable", None, None)


# --- prefixes -----------------------------------------------------------------------------------

Prefixed = Callable[[str, str], ModuleType]


@pytest.fixture
def with_prefixes(load_handler: HandlerLoader) -> Prefixed:
    def load(anthropic: str, openai: str) -> ModuleType:
        env = {"API_KEY": KEY, "ANTHROPIC_ROUTES_PREFIX": anthropic, "OPENAI_ROUTES_PREFIX": openai}
        return load_handler("list_models", **env)

    return load


def dialect_at(handler: ModuleType, path: str, event_name: str) -> str:
    """Which dialect answers at ``path``: Anthropic's page, OpenAI's list, or a 404."""
    reply = invoke(handler, request(event_name, path=path, query={}))
    if reply.status == 404:
        return "none"
    assert reply.status == 200, reply.body
    bad = invoke(handler, request(event_name, path=path, headers={"x-api-key": None, "authorization": None}))
    # Errors speak the same dialect as the answers.
    assert ("request-id" in bad.headers) == ("has_more" in reply.body)
    return "anthropic" if "has_more" in reply.body else "openai"


@pytest.mark.parametrize(
    ("anthropic", "openai", "expected"),
    [
        ("/anthropic", "", {"/anthropic/v1/models": "anthropic", "/v1/models": "openai"}),
        ("/anthropic", "/openai", {"/anthropic/v1/models": "anthropic", "/openai/v1/models": "openai"}),
        ("", "/openai", {"/v1/models": "anthropic", "/openai/v1/models": "openai"}),
        ("/a/b", "/a", {"/a/b/v1/models": "anthropic", "/a/v1/models": "openai"}),
        ("anthropic/", "", {"/anthropic/v1/models": "anthropic", "/v1/models": "openai"}),
        ("/same", "/same", {"/same/v1/models": "openai", "/anthropic/v1/models": "none"}),
        ("", "", {"/v1/models": "openai", "/anthropic/v1/models": "none"}),
    ],
)
def test_prefixes_choose_the_paths_and_equal_prefixes_turn_anthropic_off(
    with_prefixes: Prefixed, anthropic: str, openai: str, expected: dict[str, str]
) -> None:
    handler = with_prefixes(anthropic, openai)
    for path, dialect in expected.items():
        event_name = "anthropic_list_models" if dialect == "anthropic" else "openai_list_models"
        assert dialect_at(handler, path, event_name) == dialect, path
