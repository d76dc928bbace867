"""The local server for contract tests: the real template and handlers, the snapshot fixture, an API key,
in an environment of its own so nothing from the developer's shell or AWS leaks in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest

from local.server import serve_in_background
from model_catalog.runtime import runtime
from tests.conftest import ALL_REGIONS, SNAPSHOT, isolate_aws_environment

API_KEY = "contract-test-key"


@contextmanager
def local_api(parameter_overrides: Mapping[str, str] | None = None, **env: str) -> Iterator[str]:
    """The base URL of the API on a free port of 127.0.0.1, over every region of the snapshot, requiring
    ``API_KEY`` unless ``env`` says otherwise. One at a time: the server applies its environment to the
    process. The handlers share this process's ``model_catalog`` modules (no cold-start reimport), so
    exception classes and the runtime cache that other tests use stay the same objects."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_aws_environment(monkeypatch)
        # Without AWS_BEDROCK_REGIONS the template would serve the one region of AWS_DEFAULT_REGION.
        served = {
            "CATALOG_SNAPSHOT": str(SNAPSHOT),
            "AWS_BEDROCK_REGIONS": ",".join(ALL_REGIONS),
            "API_KEY": API_KEY,
            **env,
        }
        runtime.cache_clear()  # the server's environment, not one a previous test cached
        base_url, stop = serve_in_background(env=served, parameter_overrides=parameter_overrides, cold_start=False)
        try:
            yield base_url
        finally:
            stop()
            runtime.cache_clear()
