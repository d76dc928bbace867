"""The response memo in front of the real handlers: a replay is the resolver's own answer to the same
request (its request-id aside), counted as a memory hit in the same EMF document Powertools writes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import HandlerLoader, LambdaContext, load_event

KEY = "example-api-key"  # what the events in events/ carry
GET_EVENTS = {
    "get_model": ["anthropic_get_model", "anthropic_get_model_alias", "openai_get_model"],
    "list_models": ["anthropic_list_models", "openai_list_models"],
    "search_models": ["search_models", "search_models_filtered", "search_models_repeated"],
}
CASES = [(function, event) for function, events in GET_EVENTS.items() for event in events]


class CountingResolver:
    """The handler's resolver, counted: a replay never reaches it. Counting starts on a warm container:
    a cold start's first answer is not kept, since no fresh catalog was current before it."""

    def __init__(self, module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
        module.rt.service.current()
        self.calls = 0
        resolve: Callable[..., dict[str, Any]] = module.app.resolve

        def counted(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.calls += 1
            return resolve(event, context)

        monkeypatch.setattr(module.app, "resolve", counted)


def event_with(name: str, request_id: str, **headers: str) -> dict[str, Any]:
    event = load_event(name)
    event["requestContext"]["requestId"] = request_id
    event["headers"].update(headers)
    return event


def without_request_id(response: dict[str, Any]) -> dict[str, Any]:
    return {**response, "headers": {k: v for k, v in response["headers"].items() if k != "request-id"}}


@pytest.mark.parametrize(("function", "event_name"), CASES)
@pytest.mark.parametrize("variant", ["plain", "gzip", "validator"])
def test_a_replay_is_what_the_resolver_answers(
    load_handler: HandlerLoader, monkeypatch: pytest.MonkeyPatch, function: str, event_name: str, variant: str
) -> None:
    module = load_handler(function, API_KEY=KEY, GZIP_MIN_BYTES="256")
    resolver = CountingResolver(module, monkeypatch)
    headers: dict[str, str] = {}
    if variant == "gzip":
        headers["accept-encoding"] = "gzip, deflate"
    if variant == "validator":
        first = module.lambda_handler(event_with(event_name, "etag-request"), LambdaContext())
        headers["if-none-match"] = first["headers"]["ETag"]
    first = module.lambda_handler(event_with(event_name, "first", **headers), LambdaContext())
    calls = resolver.calls
    replay = module.lambda_handler(event_with(event_name, "second", **headers), LambdaContext())
    assert resolver.calls == calls, "the second request was not replayed"
    # What the resolver answers the second request, the memo bypassed:
    resolved = module.lambda_handler.__wrapped__(event_with(event_name, "second", **headers), LambdaContext())
    assert replay == resolved
    assert without_request_id(replay) == without_request_id(first)
    assert replay["statusCode"] == (304 if variant == "validator" else 200)
    if "request-id" in first["headers"]:
        assert replay["headers"]["request-id"] == "second"


def test_a_replay_needs_the_key_and_an_error_is_the_resolver_s(
    load_handler: HandlerLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler("get_model", API_KEY=KEY)
    resolver = CountingResolver(module, monkeypatch)
    assert module.lambda_handler(load_event("anthropic_get_model"), LambdaContext())["statusCode"] == 200
    wrong = event_with("anthropic_get_model", "wrong-key", **{"x-api-key": "wrong"})
    answer = module.lambda_handler(wrong, LambdaContext())
    assert answer["statusCode"] == 401 and json.loads(answer["body"])["error"]["type"] == "authentication_error"
    assert resolver.calls == 2


def test_a_catalog_due_goes_through_the_resolver_and_a_new_one_is_not_answered_from_the_old(
    load_handler: HandlerLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler("list_models", API_KEY=KEY)
    resolver = CountingResolver(module, monkeypatch)
    event = load_event("anthropic_list_models")
    module.lambda_handler(event, LambdaContext())
    module.lambda_handler(event, LambdaContext())
    assert resolver.calls == 1
    module.rt.service.forget_restored_state()  # due now: the next request re-checks its sources
    module.lambda_handler(event, LambdaContext())
    assert resolver.calls == 2
    before = module.rt.service.fresh_catalog()
    module.rt.service.refresh()  # new data, a new catalog
    assert module.rt.service.fresh_catalog() is not before
    module.lambda_handler(event, LambdaContext())
    module.lambda_handler(event, LambdaContext())
    assert resolver.calls == 3


def test_cors_answers_are_kept_per_origin(load_handler: HandlerLoader, monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_handler("get_model", API_KEY=KEY, CORS_ALLOW_ORIGINS="https://a.example,https://b.example")
    resolver = CountingResolver(module, monkeypatch)
    for _ in range(2):
        for origin in ("https://a.example", "https://b.example"):
            answer = module.lambda_handler(event_with("openai_get_model", "r", origin=origin), LambdaContext())
            assert answer["headers"]["Access-Control-Allow-Origin"] == origin
    assert resolver.calls == 2


def emf_documents(printed: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in printed.splitlines() if line.startswith('{"_aws"')]


def test_a_replay_writes_the_memory_hit_powertools_would(
    load_handler: HandlerLoader, capsys: pytest.CaptureFixture[str]
) -> None:
    module = load_handler("get_model", API_KEY=KEY)
    event = load_event("anthropic_get_model")
    module.lambda_handler(event, LambdaContext())  # the cold path: the catalog is loaded
    capsys.readouterr()
    module.lambda_handler.__wrapped__(event, LambdaContext())  # a memory hit, through the resolver
    resolved = emf_documents(capsys.readouterr().out)
    module.lambda_handler(event, LambdaContext())  # the same, replayed
    replayed = emf_documents(capsys.readouterr().out)
    assert len(resolved) == len(replayed) == 1
    assert replayed[0]["CacheHitMemory"] == [1.0]
    now_ms = time.time() * 1000
    stamps = [document["_aws"].pop("Timestamp") for document in (resolved[0], replayed[0])]
    assert all(abs(stamp - now_ms) < 60_000 for stamp in stamps)
    assert replayed[0] == resolved[0]
