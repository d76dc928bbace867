"""One Lambda container in a process of its own, for the cold start and memory figures.

    python bench/container.py REPEAT '[["list_models", {event}], ...]'

Imports each handler file as the Lambda runtime does (the layer is on PYTHONPATH), answers the first
event and writes a line (the cold start ends there), answers the others, then all of them REPEAT more
times, warm. Exits non-zero when an answer is not a fresh 200. Imports nothing else, so the process costs
what a container does."""

import importlib.util
import json
import os
import sys
from types import SimpleNamespace
from typing import Any

FUNCTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "functions")
CONTEXT = SimpleNamespace(
    function_name="bench",
    function_version="$LATEST",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:bench",
    aws_request_id="bench-request",
    log_group_name="/aws/lambda/bench",
    log_stream_name="bench",
)


def load_handler(function: str) -> Any:
    """A function of functions/ by name, or a handler file by its path (bench/design_floor.py)."""
    path = function if function.endswith(".py") else os.path.join(FUNCTIONS, function, "app.py")
    spec = importlib.util.spec_from_file_location(f"{os.path.basename(os.path.dirname(path))}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: pydantic resolves a model's names through it
    spec.loader.exec_module(module)
    return module.lambda_handler


def main(repeat: int, routes: list[tuple[str, dict[str, Any]]]) -> int:
    handlers: dict[str, Any] = {}
    for round_number in range(1 + repeat):
        for index, (function, event) in enumerate(routes):
            if function not in handlers:
                handlers[function] = load_handler(function)
            response = handlers[function](event, CONTEXT)
            headers = response.get("headers") or {}
            if response["statusCode"] != 200 or "x-catalog-stale" in headers:
                print(f"{function}: {response['statusCode']} {headers} {response['body'][:300]}", file=sys.stderr)
                return 1
            if round_number == 0 and index == 0:
                print("answered", flush=True)  # the cold start ends here
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), json.loads(sys.argv[2])))
