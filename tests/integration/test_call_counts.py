"""What the request path calls, counted at the boto3 boundary through the handlers (the benchmark's count
figures; its times are for the benchmark alone). A first container finds the DynamoDB cache empty and
refreshes with exactly two Bedrock calls per region plus the extra profile pages; the next container
reads the cache; warm requests on every route call neither."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.dynamodb import DynamoDBStore
from tests.conftest import ALL_REGIONS, HandlerLoader, LambdaContext, load_event
from tests.conftest import CACHE_TABLE as TABLE
from tests.fakes import FakeBedrock, refresh_calls

# (function, event) of every route the handlers serve.
ROUTES = (
    ("list_models", "anthropic_list_models"),
    ("list_models", "openai_list_models"),
    ("get_model", "anthropic_get_model"),
    ("get_model", "anthropic_get_model_alias"),
    ("get_model", "openai_get_model"),
    ("search_models", "search_models"),
    ("search_models", "search_models_filtered"),
)


class Container:
    """A handler loaded as a cold start, its Bedrock clients the fake's, its DynamoDB calls counted."""

    def __init__(self, load_handler: HandlerLoader, function: str, fake: FakeBedrock) -> None:
        self.module: ModuleType = load_handler(
            function,
            AWS_BEDROCK_REGIONS=",".join(ALL_REGIONS),
            CACHE_TABLE_NAME=TABLE,
            CATALOG_SNAPSHOT="",
            API_KEY="example-api-key",
        )
        self.fake = fake
        service = sys.modules["model_catalog.runtime"].runtime().service  # the one this cold start built
        service.source = BedrockSource(fake.client_factory())
        assert isinstance(service.store, DynamoDBStore)
        self.dynamodb_calls: list[str] = []
        service.store.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: self.dynamodb_calls.append(model.name)
        )

    def answer(self, event_name: str, context: LambdaContext) -> dict[str, Any]:
        response: dict[str, Any] = self.module.lambda_handler(load_event(event_name), context)
        assert response["statusCode"] == 200, response
        return response


def test_a_cold_container_refreshes_once_and_warm_requests_call_nothing(
    table: Any, load_handler: HandlerLoader, lambda_context: LambdaContext, snapshot_doc: dict[str, Any]
) -> None:
    fake = FakeBedrock(snapshot_doc, rounds=2)
    first = Container(load_handler, "list_models", fake)
    first.answer("anthropic_list_models", lambda_context)
    assert fake.total_calls == refresh_calls(snapshot_doc, ALL_REGIONS, fake.page_size)
    assert fake.total_calls > 2 * len(ALL_REGIONS)  # the fixture has regions of several profile pages

    calls_after_refresh = fake.total_calls
    containers = {function: Container(load_handler, function, fake) for function, _ in ROUTES}
    for function, event_name in ROUTES:
        containers[function].answer(event_name, lambda_context)  # each container's first request
    assert fake.total_calls == calls_after_refresh  # the cache was warm: no Bedrock call
    for container in containers.values():
        assert set(container.dynamodb_calls) == {"BatchGetItem"}
        container.dynamodb_calls.clear()

    for _ in range(20):
        for function, event_name in ROUTES:
            containers[function].answer(event_name, lambda_context)
    assert fake.total_calls == calls_after_refresh
    assert [c.dynamodb_calls for c in containers.values()] == [[] for _ in containers]
