"""A cold start imports only what its request needs: a container answering from memory never loads
boto3, and with tracing off (outside Lambda, or POWERTOOLS_TRACE_DISABLED) never the X-Ray SDK, which
alone builds two boto3 clients at import. A new interpreter is the only way to see what gets imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SNAPSHOT

CHILD = """
import importlib.util, json, sys
from types import SimpleNamespace
spec = importlib.util.spec_from_file_location("app", "functions/{function}/app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
event = json.load(open("events/{event}.json"))
context = SimpleNamespace(function_name="f", memory_limit_in_mb=128, invoked_function_arn="arn", aws_request_id="r")
assert module.lambda_handler(event, context)["statusCode"] == 200
print(json.dumps(sorted(m for m in ("boto3", "s3transfer", "aws_xray_sdk.core") if m in sys.modules)))
"""


@pytest.mark.parametrize(
    ("function", "event"),
    [
        ("list_models", "anthropic_list_models"),
        ("get_model", "anthropic_get_model"),
        ("search_models", "search_models"),
    ],
)
def test_a_request_from_memory_loads_neither_boto3_nor_the_xray_sdk(function: str, event: str) -> None:
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_") or k in ("PATH", "HOME", "POWERTOOLS_DEV")}
    env.update(CATALOG_SNAPSHOT=str(SNAPSHOT), API_KEY="example-api-key", PYTHONPATH=str(ROOT / "layers" / "catalog"))
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(function=function, event=event)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.splitlines()[-1]) == []
