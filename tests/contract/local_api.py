"""The local server (template.yaml, the real handlers, the snapshot) for the SDK contract tests, in an
environment of its own so nothing from the developer's shell or AWS leaks in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest

from local.server import running_server
from tests.conftest import ALL_REGIONS, SNAPSHOT, isolate_aws_environment

API_KEY = "contract-test-key"


@contextmanager
def local_api(parameter_overrides: Mapping[str, str] | None = None, **env: str) -> Iterator[str]:
    """The base URL of a local server over every region of the snapshot, requiring ``API_KEY`` unless
    ``env`` says otherwise. One at a time: the server applies its environment to the process."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_aws_environment(monkeypatch)
        # Without AWS_BEDROCK_REGIONS the template would serve the one region of AWS_DEFAULT_REGION.
        served = {
            "CATALOG_SNAPSHOT": str(SNAPSHOT),
            "AWS_BEDROCK_REGIONS": ",".join(ALL_REGIONS),
            "API_KEY": API_KEY,
            **env,
        }
        with running_server(env=served, parameter_overrides=parameter_overrides) as base_url:
            yield base_url
