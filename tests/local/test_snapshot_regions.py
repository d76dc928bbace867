"""`make serve` on the snapshot serves every region the snapshot holds, whatever region the shell names."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from local.server import create_server
from model_catalog.runtime import runtime
from tests.conftest import ALL_REGIONS, ROOT, SNAPSHOT


@pytest.mark.parametrize("explicit", [None, "eu-west-1,us-east-1"])
def test_snapshot_regions_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch, explicit: str | None) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    env = {"CATALOG_SNAPSHOT": str(SNAPSHOT)} | ({"AWS_BEDROCK_REGIONS": explicit} if explicit else {})
    runtime.cache_clear()
    server = create_server(template=ROOT / "template.yaml", env=env, log_requests=False, cold_start=False)
    server.start()
    try:
        assert os.environ.get("AWS_BEDROCK_REGIONS") == explicit
        with urllib.request.urlopen(f"{server.base_url}/search_models?route=anthropic_model_get") as reply:
            served = {region for model in json.load(reply) for region in model["regions"]}
        assert served == (set(explicit.split(",")) if explicit else set(ALL_REGIONS))
    finally:
        server.stop()
        runtime.cache_clear()
