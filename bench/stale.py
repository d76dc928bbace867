"""The stale answer (issue 15): a container whose catalog is due, every Bedrock call throttled (botocore's
standard retries and their waits run in the background refresh). Timed: the request that finds the
catalog due and waits for the refresh at most MODEL_CACHE_STALE_WAIT_SECONDS, against a warm request of
the same stale catalog (a memory hit). Self-contained: its own container (memory tier, 18 regions),
environment and handler import; ``figures`` is what ``bench/__main__`` adds to the table."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

from bench.fixtures import ROUTES, sandbox_environ, snapshot_doc
from bench.report import Figure
from local.lambda_runtime import import_file
from model_catalog.adapters.bedrock import BedrockSource
from model_catalog.runtime import runtime
from model_catalog.service import REFRESH_THREAD_NAME, CatalogService
from tests.conftest import ALL_REGIONS, ROOT, LambdaContext
from tests.fakes import FakeBedrock

FRESH_SECONDS = 1  # the catalog comes due a second after it is read
# When the wait ends, the request thread takes the GIL back from the refresh's threads (botocore is
# busy parsing their throttled answers): up to one switch interval (5 ms) may pass before it runs.
TIMER_SLACK_MS = sys.getswitchinterval() * 1e3
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class StaleResult:
    stale_p50_s: float
    warm_p50_s: float
    budget_s: float
    samples: int


@contextmanager
def _container(fake: FakeBedrock) -> Iterator[tuple[Handler, CatalogService]]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(
        sandbox_environ(
            AWS_BEDROCK_REGIONS=",".join(ALL_REGIONS),
            API_KEY="example-api-key",
            PYDANTIC_DISABLE_PLUGINS="__all__",
            POWERTOOLS_LOG_LEVEL="ERROR",
            MODEL_CACHE_SECONDS=str(FRESH_SECONDS),
            # Each sample is a container's first stale answer: the back-off of the last one is over.
            REFRESH_BACKOFF_SECONDS="1",
            REFRESH_BACKOFF_MAX_SECONDS="1",
        )
    )
    runtime.cache_clear()
    try:
        module = import_file(ROOT / "functions" / ROUTES[0].function / "app.py", "bench_stale_handler")
        service = runtime().service
        service.source = BedrockSource(fake.client_factory())
        yield module.lambda_handler, service
    finally:
        sys.modules.pop("bench_stale_handler", None)
        runtime.cache_clear()
        os.environ.clear()
        os.environ.update(saved)


def measure_stale_answers(samples: int, warm_iterations: int = 300) -> StaleResult:
    fake = FakeBedrock(snapshot_doc(), rounds=2)
    context, event = LambdaContext(), ROUTES[0].event()
    # Never closed: a logger made in this container keeps its stream, and a refresh thread may still log.
    log = open(os.devnull, "w")  # noqa: SIM115
    with redirect_stdout(log), _container(fake) as (handler, service):
        _check(handler(event, context), stale=False)  # the cold start reads every region
        time.sleep(FRESH_SECONDS + 0.1)
        for region in ALL_REGIONS:
            fake.throttle(region)
        stale: list[float] = []
        warm: list[float] = []
        for _ in range(samples):
            start = time.perf_counter()
            _check(handler(event, context), stale=True)
            stale.append(time.perf_counter() - start)
            for _ in range(warm_iterations // samples):  # the same stale catalog, from memory
                start = time.perf_counter()
                handler(event, context)
                warm.append(time.perf_counter() - start)
            if not service.wait_for_refresh(30):
                raise RuntimeError("the background refresh never ended")
            time.sleep(FRESH_SECONDS + 0.1)  # memory due again, the back-off window over
        for thread in threading.enumerate():  # none may log once this container's stdout is gone
            if thread.name == REFRESH_THREAD_NAME:
                thread.join(30)
        return StaleResult(statistics.median(stale), statistics.median(warm), service.stale_wait_seconds, samples)


def _check(response: dict[str, Any], stale: bool) -> None:
    headers = response.get("headers") or {}
    if response["statusCode"] != 200 or ("x-catalog-stale" in headers) != stale:
        raise RuntimeError(f"stale answer: {response['statusCode']} {headers} {response['body'][:300]}")


def figures(result: StaleResult) -> list[Figure]:
    floor_ms = (result.warm_p50_s + result.budget_s) * 1e3
    return [
        Figure(
            "stale answer p50, due catalog, Bedrock throttled",
            result.stale_p50_s * 1e3,
            "ms",
            floor_ms,
            "warm p50 + MODEL_CACHE_STALE_WAIT_SECONDS",
            f"<= floor + {TIMER_SLACK_MS:g} ms",
            result.stale_p50_s * 1e3 <= floor_ms + TIMER_SLACK_MS,
        )
    ]
