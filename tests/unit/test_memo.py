"""The response memo's rules, with a handler that records its calls: what is kept, when it is replayed,
and what always goes through to the handler. (tests/integration/test_response_memo.py checks replays
against the real handlers.)"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from model_catalog.api import memo as memo_module
from model_catalog.api.memo import ResponseMemo, request_key
from model_catalog.errors import SecretUnavailableError
from tests.conftest import load_event

KEY = "example-api-key"


class Catalogs:
    """What memory holds: ``current`` is fresh, None when it is stale or due."""

    def __init__(self) -> None:
        self.current: object | None = object()

    def fresh(self) -> object | None:
        return self.current


class Keys:
    def __init__(self, key: str | None = KEY) -> None:
        self.key: str | None = key
        self.down = False

    def current(self) -> str | None:
        if self.down:
            raise SecretUnavailableError("the API key could not be read from ssm")
        return self.key


class Counter:
    def __init__(self) -> None:
        self.replays = 0

    def request_served(self, tier: Any, stale: bool) -> None: ...
    def region_fetched(self, region: str, error: Any) -> None: ...
    def refresh_finished(self, seconds: float, refreshed: Any, failed: Any) -> None: ...

    def response_replayed(self) -> None:
        self.replays += 1


class Resolver:
    """Stands in for the Powertools handler: answers ``status`` with a body naming the call."""

    def __init__(self) -> None:
        self.calls = 0
        self.status = 200
        self.headers: dict[str, str] = {"Content-Type": "application/json", "request-id": "from-resolver"}

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.calls += 1
        return {
            "statusCode": self.status,
            "body": f'{{"call":{self.calls}}}',
            "isBase64Encoded": False,
            "headers": dict(self.headers),
            "cookies": [],
        }


class Setup:
    def __init__(self) -> None:
        self.catalogs, self.keys, self.observer, self.resolver = Catalogs(), Keys(), Counter(), Resolver()
        self.handler = ResponseMemo(self.catalogs.fresh, self.keys, self.observer)(self.resolver)

    def get(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.handler(event or load_event("anthropic_get_model"), None)


@pytest.fixture
def setup() -> Setup:
    return Setup()


def with_headers(**headers: str | None) -> dict[str, Any]:
    event = load_event("anthropic_get_model")
    for name, value in headers.items():
        event["headers"].pop(name.replace("_", "-"), None)
        if value is not None:
            event["headers"][name.replace("_", "-")] = value
    return event


def test_a_fresh_200_is_answered_again_with_this_request_s_id(setup: Setup) -> None:
    first = setup.get()
    event = load_event("anthropic_get_model")
    event["requestContext"]["requestId"] = "second-request"
    second = setup.get(event)
    assert setup.resolver.calls == 1 and setup.observer.replays == 1
    assert second["body"] == first["body"]
    assert second["headers"] == {**first["headers"], "request-id": "second-request"}


def test_a_replay_is_the_caller_s_own_to_change(setup: Setup) -> None:
    setup.get()
    replay = setup.get()
    kept = copy.deepcopy(replay)
    replay["headers"]["x-changed"] = "yes"
    replay["cookies"].append("a=b")
    replay["body"] = "changed"
    assert setup.get() == kept


@pytest.mark.parametrize("status", [304])
def test_a_304_is_kept_too(setup: Setup, status: int) -> None:
    setup.resolver.status = status
    setup.get()
    assert setup.get()["statusCode"] == status and setup.resolver.calls == 1


@pytest.mark.parametrize("status", [400, 401, 404, 405, 500, 503])
def test_errors_always_go_to_the_resolver(setup: Setup, status: int) -> None:
    setup.resolver.status = status
    setup.get()
    setup.get()
    assert setup.resolver.calls == 2 and setup.observer.replays == 0


def test_a_stale_answer_is_never_kept(setup: Setup) -> None:
    setup.resolver.headers["x-catalog-stale"] = "true"
    setup.get()
    setup.get()
    assert setup.resolver.calls == 2


def test_a_catalog_that_went_stale_or_due_is_not_replayed(setup: Setup) -> None:
    fresh = setup.catalogs.current
    setup.get()
    setup.catalogs.current = None
    setup.get()
    setup.get()
    assert setup.resolver.calls == 3
    setup.catalogs.current = fresh  # reloaded, same data: the kept answers hold again
    setup.get()
    assert setup.resolver.calls == 3


def test_a_new_catalog_drops_every_answer_of_the_old_one(setup: Setup) -> None:
    setup.get()
    setup.catalogs.current = object()
    assert setup.get()["body"] == '{"call":2}'
    assert setup.get()["body"] == '{"call":2}'  # kept again, for the new catalog
    assert setup.resolver.calls == 2


def test_an_answer_made_while_the_catalog_changed_is_not_kept(setup: Setup) -> None:
    resolver = setup.resolver

    def reloading(event: dict[str, Any], context: Any) -> dict[str, Any]:
        setup.catalogs.current = object()  # the resolver's request reloaded the catalog
        return resolver(event, context)

    handler = ResponseMemo(setup.catalogs.fresh, setup.keys, setup.observer)(reloading)
    event = load_event("anthropic_get_model")
    handler(event, None)
    handler(event, None)
    assert resolver.calls == 2


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"x_api_key": "wrong"}, "a wrong key"),
        ({"x_api_key": None}, "no key"),
    ],
)
def test_a_request_without_the_key_goes_to_the_resolver(setup: Setup, headers: dict[str, str | None], why: str) -> None:
    setup.get()
    setup.get(with_headers(**headers))
    assert setup.resolver.calls == 2, why


def test_the_key_is_checked_on_every_replay_so_a_rotated_key_holds_at_once(setup: Setup) -> None:
    setup.get()
    setup.keys.key = "rotated"
    setup.get()
    assert setup.resolver.calls == 2
    setup.get(with_headers(x_api_key=None, authorization="Bearer rotated"))
    assert setup.resolver.calls == 2  # the same answer, for a caller with the new key


def test_an_open_api_replays_without_a_key(setup: Setup) -> None:
    setup.keys.key = None
    setup.get(with_headers(x_api_key=None))
    setup.get(with_headers(x_api_key=None))
    assert setup.resolver.calls == 1


def test_an_unreadable_key_goes_to_the_resolver_which_answers_it(setup: Setup) -> None:
    setup.get()
    setup.keys.down = True
    setup.get()
    assert setup.resolver.calls == 2


@pytest.mark.parametrize(
    ("header", "a", "b"),
    [
        ("accept_encoding", "gzip", None),
        ("if_none_match", 'W/"abc"', 'W/"def"'),
        ("origin", "https://a.example", "https://b.example"),
    ],
)
def test_headers_that_change_the_answer_are_part_of_the_key(setup: Setup, header: str, a: str, b: str | None) -> None:
    setup.get(with_headers(**{header: a}))
    setup.get(with_headers(**{header: b}))
    assert setup.resolver.calls == 2
    setup.get(with_headers(**{header: a}))
    setup.get(with_headers(**{header: b}))
    assert setup.resolver.calls == 2


def test_other_headers_are_not(setup: Setup) -> None:
    setup.get(with_headers(user_agent="one"))
    setup.get(with_headers(user_agent="two", x_amzn_trace_id="Root=1-2-3"))
    assert setup.resolver.calls == 1


def test_paths_and_queries_are(setup: Setup) -> None:
    list_event = load_event("anthropic_list_models", rawQueryString="limit=5")
    other_query = load_event("anthropic_list_models", rawQueryString="limit=6")
    for event in (list_event, other_query, load_event("anthropic_get_model_alias")):
        setup.get(event)
        setup.get(event)
    assert setup.resolver.calls == 3


def test_only_gets_with_lower_case_header_names_are_kept() -> None:
    post = load_event("anthropic_get_model")
    post["requestContext"]["http"]["method"] = "POST"
    head = load_event("anthropic_get_model")
    head["requestContext"]["http"]["method"] = "HEAD"
    hand_made = load_event("anthropic_get_model")
    hand_made["headers"]["Accept-Encoding"] = "gzip"
    assert [request_key(e) for e in (post, head, hand_made, {"rawPath": "/v1/models"})] == [None] * 4
    assert request_key(load_event("anthropic_get_model")) is not None


def test_the_memo_is_bounded_oldest_first(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "MAX_ENTRIES", 3)
    events = [load_event("anthropic_list_models", rawQueryString=f"limit={n}") for n in range(1, 5)]
    for event in events:
        setup.get(event)
    assert setup.resolver.calls == 4
    for event in events[1:]:  # the three latest are kept
        setup.get(event)
    assert setup.resolver.calls == 4
    setup.get(events[0])  # the first was dropped
    assert setup.resolver.calls == 5


def test_the_memo_is_bounded_in_body_size(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "MAX_BODY_CHARS", 20)  # one body of the stand-in is 10 characters
    events = [load_event("anthropic_list_models", rawQueryString=f"limit={n}") for n in range(1, 4)]
    for event in events:
        setup.get(event)
    setup.get(events[2])
    setup.get(events[1])
    assert setup.resolver.calls == 3
    setup.get(events[0])
    assert setup.resolver.calls == 4
