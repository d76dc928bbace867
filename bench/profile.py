"""Where the time goes, in the benchmark's own setting:

    python -m bench.profile warm [ROUTE-NUMBER]   cProfile of warm requests via the resolver (numbered as in the table)
    python -m bench.profile cold                  -X importtime, then cProfile, of a cold start
    python -m bench.profile refresh               cProfile of one full refresh, its calls in sequence

(``make bench-profile WHAT=cold``, ``WHAT=warm ROUTE=3``). Prints the top functions by cumulative time."""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import re
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TypeVar
from unittest.mock import patch

from bench.fixtures import ROUTES, container_settings, dynamodb_server, fill_cache, sandbox_environ, snapshot_doc
from bench.processes import container_argv
from bench.refresh import PAGE_SIZE, refresh_once
from bench.warm import container
from model_catalog.adapters import bedrock
from tests.conftest import LambdaContext
from tests.fakes import FakeBedrock

TOP = 35
T = TypeVar("T")


@contextmanager
def warm_cache() -> Iterator[dict[str, str]]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with dynamodb_server() as endpoint:
        env = sandbox_environ(**container_settings(endpoint))
        os.environ.clear()
        os.environ.update(env, POWERTOOLS_LOG_LEVEL="WARNING")
        fill_cache(endpoint, snapshot_doc())
        yield env


def profile_warm(route_number: int, calls: int = 3000) -> None:
    route = ROUTES[route_number - 1]
    with warm_cache(), container([route.function]) as box:
        handler = box.handlers[route.function]
        event, context = route.event(), LambdaContext()
        handler(event, context)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            handler(event, context)
        profiler.disable()
    print(f"{calls} warm requests, {route.label}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(TOP)


def profile_cold() -> None:
    with warm_cache() as env:
        argv = container_argv([ROUTES[0]], repeat=0)
        subprocess.run(argv, env=env, check=True, capture_output=True)  # bytecode written
        imports = subprocess.run(
            [argv[0], "-X", "importtime", *argv[1:]], env=env, check=True, capture_output=True, text=True
        )
        print("slowest imports (cumulative microseconds, nesting shown by indent):")
        print("\n".join(_slowest_imports(imports.stderr)))
        print()
        profiled = subprocess.run(
            [argv[0], "-m", "cProfile", "-s", "cumulative", *argv[1:]],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        print("\n".join(profiled.stdout.splitlines()[: TOP + 10]))


def _slowest_imports(importtime: str, count: int = TOP) -> list[str]:
    rows = []
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(.*)$", line)
        if match:
            rows.append((int(match[2]), match[3].rstrip()))
    rows.sort(reverse=True)
    return [f"{cumulative:>9} {name}" for cumulative, name in rows[:count]]


class _InThisThread:
    """An executor that runs each task as it is submitted: cProfile follows one thread."""

    def __init__(self, **_: object) -> None:
        pass

    def __enter__(self) -> _InThisThread:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None

    def submit(self, task: Callable[..., T], *args: object) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(task(*args))
        except BaseException as error:
            future.set_exception(error)
        return future


def profile_refresh() -> None:
    """The CPU of a full refresh: its Bedrock calls run one after the other here (no delay), so one
    profile sees every thread's work; the benchmark's figure is the concurrent wall time."""
    os.environ.clear()
    os.environ.update(sandbox_environ())
    fake = FakeBedrock(snapshot_doc(), page_size=PAGE_SIZE)
    refresh_once(fake)
    with patch.object(bedrock, "ThreadPoolExecutor", _InThisThread):
        profiler = cProfile.Profile()
        profiler.enable()
        elapsed, calls = refresh_once(fake)
        profiler.disable()
    print(f"one full refresh, calls in sequence without delay: {elapsed * 1000:.0f} ms, {calls} Bedrock calls")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(TOP)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("what", choices=("warm", "cold", "refresh"))
    parser.add_argument("route", nargs="?", type=int, default=1, help="warm: the route's number (1-7)")
    args = parser.parse_args()
    if args.what == "warm":
        profile_warm(args.route)
    elif args.what == "cold":
        profile_cold()
    else:
        profile_refresh()


if __name__ == "__main__":
    main()
