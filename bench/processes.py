"""Figures of whole processes: the cold start (a new interpreter that imports a handler, builds its
settings and answers its first request from the warm DynamoDB cache) and the peak memory of a warm
container, each against ``python -c "import boto3"`` run the same way, interleaved. A cold start ends
when the first answer is out (a container is frozen then, never torn down on the request path); the
floor is timed to the end of its import likewise."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.fixtures import Route
from tests.conftest import ROOT

CONTAINER = ROOT / "bench" / "container.py"
DESIGN_FLOOR = ROOT / "bench" / "design_floor.py"
SPAWN = ROOT / "bench" / "spawn.py"
# python -c "import boto3", timed to the same point as a container: a line written when it is done.
FLOOR = (sys.executable, "-c", "import boto3; print('answered', flush=True)")
# What the stack the product is built on costs before any code of ours runs: botocore, pydantic and
# Powertools imported, and the one client a cold start needs (DynamoDB's) created.
STACK = (
    sys.executable,
    "-c",
    "import botocore.session; from pydantic import BaseModel; import aws_lambda_powertools.event_handler; "
    "from aws_lambda_powertools import Logger, Metrics, Tracer; "
    "botocore.session.get_session().create_client('dynamodb', region_name='us-east-1'); "
    "print('answered', flush=True)",
)


@dataclass(frozen=True)
class ProcessRun:
    seconds: float  # from spawn to the line ``answered`` on stdout
    max_rss_kib: int  # Linux reports ru_maxrss in KiB


@dataclass(frozen=True)
class Comparison:
    measured: float
    floor: float
    stack: float | None = None  # STACK, for the cold start
    design: float | None = None  # bench/design_floor.py, for the cold start


def run_process(argv: Sequence[str], env: Mapping[str, str]) -> ProcessRun:
    """Run to the end: seconds from spawn to its line ``answered``, and its own peak RSS."""
    completed = subprocess.run(
        [sys.executable, "-S", str(SPAWN), *argv], env=dict(env), capture_output=True, text=True, check=False
    )
    try:
        result = json.loads(completed.stdout)
    except ValueError:
        result = {"exit": completed.returncode}
    if completed.returncode != 0 or result["exit"] != 0 or not result["answered"]:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({result['exit']}): {completed.stderr[-2000:]}")
    return ProcessRun(result["ready"], result["max_rss_kib"])


def container_argv(routes: Sequence[Route], repeat: int, handler: str | None = None) -> list[str]:
    """A container answering ``routes``, by their functions or all by the ``handler`` file given."""
    spec = [[handler or route.function, route.event()] for route in routes]
    return [sys.executable, str(CONTAINER), str(repeat), json.dumps(spec)]


def measure_cold_start(route: Route, env: Mapping[str, str], runs: int) -> Comparison:
    """Median seconds of a cold start answering ``route``, of the floor, of the stack alone and of the
    design floor answering the same event, interleaved."""
    argv = container_argv([route], repeat=0)
    design = container_argv([route], repeat=0, handler=str(DESIGN_FLOOR))
    run_process(argv, env)  # the first run writes the layer's bytecode, as a deployment package holds it
    cold, floor, stack, least = [], [], [], []
    for _ in range(runs):
        floor.append(run_process(FLOOR, env).seconds)
        stack.append(run_process(STACK, env).seconds)
        least.append(run_process(design, env).seconds)
        cold.append(run_process(argv, env).seconds)
    return Comparison(*(statistics.median(series) for series in (cold, floor, stack, least)))


def measure_peak_memory(routes: Sequence[Route], env: Mapping[str, str], runs: int, repeat: int) -> Comparison:
    """Median peak RSS (KiB) of a container that answered every route, then each ``repeat`` more times."""
    argv = container_argv(routes, repeat)
    warm, floor = [], []
    for _ in range(runs):
        floor.append(run_process(FLOOR, env).max_rss_kib)
        warm.append(run_process(argv, env).max_rss_kib)
    return Comparison(statistics.median(warm), statistics.median(floor))
