"""Logs a user reads: a request that publishes no metric writes no Powertools warning, and a warm request
writes at most one line (its metrics), nothing on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, SNAPSHOT

SCRIPT = """
import json
from local.lambda_runtime import import_file
from tests.conftest import LambdaContext, load_event

docs = import_file("functions/docs/app.py", "docs_app")
models = import_file("functions/list_models/app.py", "models_app")
page = load_event("openai_list_models")
page["rawPath"] = page["requestContext"]["http"]["path"] = "/openapi.json"
for _ in range(2):
    assert docs.lambda_handler(page, LambdaContext())["statusCode"] == 200
models.lambda_handler(load_event("openai_list_models"), LambdaContext())  # the cold request
print("WARM", flush=True)
for _ in range(3):
    assert models.lambda_handler(load_event("openai_list_models"), LambdaContext())["statusCode"] == 200
"""


def test_no_warning_and_one_line_per_warm_request() -> None:
    env = {
        **os.environ,
        "CATALOG_SNAPSHOT": str(SNAPSHOT),
        "PYTHONPATH": f"{ROOT / 'layers' / 'catalog'}:{ROOT}",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    argv = [sys.executable, "-c", SCRIPT]
    done = subprocess.run(argv, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    warm = done.stdout.split("WARM\n", 1)[1].splitlines()
    assert len(warm) == 3 and all(line.startswith('{"_aws"') for line in warm)
