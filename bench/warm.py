"""Warm requests: each handler called in-process with its event, after its first answer, timed against
``json.dumps`` of the same body. Every request goes through the whole handler: Logger, Tracer, Metrics
and the Powertools resolver. Every Bedrock and DynamoDB call made meanwhile is counted at the boto3
boundary."""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

from bench.fixtures import Route, snapshot_doc
from local.lambda_runtime import import_file
from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.runtime import runtime
from tests.conftest import ROOT, LambdaContext
from tests.fakes import FakeBedrock

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_BLOCK = 25  # requests timed in a row, then as many floors


@dataclass(frozen=True)
class Percentiles:
    p50_ns: float
    p99_ns: float

    @classmethod
    def of(cls, samples: Sequence[int]) -> Percentiles:
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        return cls(statistics.median(samples), cuts[98])


@dataclass(frozen=True)
class WarmResult:
    route: str
    handler: Percentiles  # the request again, through the whole handler
    floor: Percentiles  # json.dumps of the same body


@dataclass(frozen=True)
class WarmRun:
    results: list[WarmResult]
    requests: int
    bedrock_calls: int
    dynamodb_calls: int


@dataclass
class _Container:
    handlers: dict[str, Handler]
    fake: FakeBedrock
    dynamodb_calls: list[str]


@contextmanager
def container(functions: Sequence[str]) -> Iterator[_Container]:
    """The handlers loaded in this process as a cold start would (the process environment holds the
    container's settings), sharing one runtime. Bedrock clients are the fake's, so a Bedrock call would
    be counted, not sent; DynamoDB calls are counted on the store's client."""
    runtime.cache_clear()
    handlers: dict[str, Handler] = {}
    for function in dict.fromkeys(functions):
        module = import_file(ROOT / "functions" / function / "app.py", f"bench_{function}")
        handlers[function] = module.lambda_handler
    service = runtime().service
    fake = FakeBedrock(snapshot_doc())
    service.source = BedrockSource(fake.client_factory())
    dynamodb_calls: list[str] = []
    assert isinstance(service.store, DynamoDBStore), "the bench container reads the DynamoDB cache"
    service.store.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: dynamodb_calls.append(model.name)
    )
    try:
        yield _Container(handlers, fake, dynamodb_calls)
    finally:
        for function in handlers:
            sys.modules.pop(f"bench_{function}", None)
        runtime.cache_clear()


def measure_warm_requests(routes: Sequence[Route], iterations: int, warmup: int = 200) -> WarmRun:
    context = LambdaContext()
    # Each request writes its metrics (EMF) to stdout, as to a function's log: here, to /dev/null.
    # Never closed: the loggers made in this container keep this stream for the rest of the run.
    log = open(os.devnull, "w")  # noqa: SIM115
    with redirect_stdout(log), container([r.function for r in routes]) as box:
        events = [(route, box.handlers[route.function], route.event()) for route in routes]
        bodies = {}
        for route, handler, event in events:  # first answers: the cold path, not measured
            bodies[route.label] = _checked_body(route, handler(event, context))
        calls_before, dynamodb_before = box.fake.total_calls, len(box.dynamodb_calls)
        results = [
            _measure(route, handler, event, bodies[route.label], iterations, warmup, context)
            for route, handler, event in events
        ]
        return WarmRun(
            results=results,
            requests=len(routes) * (iterations + warmup),
            bedrock_calls=box.fake.total_calls - calls_before,
            dynamodb_calls=len(box.dynamodb_calls) - dynamodb_before,
        )


def _measure(
    route: Route, handler: Handler, event: dict[str, Any], body: Any, iterations: int, warmup: int, context: Any
) -> WarmResult:
    for _ in range(warmup):
        handler(event, context)
    gc.collect()
    handler_ns: list[int] = []
    floor_ns: list[int] = []
    clock = time.perf_counter_ns
    dumps = json.dumps
    # Interleaved in blocks, so the machine's noise falls on both alike. Not request by request: a
    # json.dumps of a large body between two requests evicts the request's data from the CPU's caches,
    # which no warm container sees (between two invocations the runtime only sends one body, gets one
    # event), and that put up to 100 us of the floor's own cost into a search's figure.
    for block in range(0, iterations, _BLOCK):
        for _ in range(min(_BLOCK, iterations - block)):
            start = clock()
            handler(event, context)
            handler_ns.append(clock() - start)
        for _ in range(min(_BLOCK, iterations - block)):
            start = clock()
            dumps(body)
            floor_ns.append(clock() - start)
    return WarmResult(route.label, Percentiles.of(handler_ns), Percentiles.of(floor_ns))


def _checked_body(route: Route, response: dict[str, Any]) -> Any:
    headers = response.get("headers") or {}
    if response["statusCode"] != 200 or "x-catalog-stale" in headers:
        raise RuntimeError(f"{route.label}: {response['statusCode']} {headers} {response['body'][:300]}")
    return json.loads(response["body"])
