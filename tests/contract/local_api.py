"""The local server for contract tests: the real template and handlers, the snapshot fixture, an API key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from local.server import serve_in_background
from model_catalog.runtime import runtime
from tests.conftest import SNAPSHOT

API_KEY = "contract-test-key"


@contextmanager
def local_api() -> Iterator[str]:
    """The base URL of the API on a free port of 127.0.0.1. The handlers share this process's
    ``model_catalog`` modules (no cold-start reimport), so exception classes and the runtime cache that
    other tests use stay the same objects."""
    runtime.cache_clear()  # the server's environment, not one a previous test cached
    base_url, stop = serve_in_background(env={"API_KEY": API_KEY, "CATALOG_SNAPSHOT": str(SNAPSHOT)}, cold_start=False)
    try:
        yield base_url
    finally:
        stop()
        runtime.cache_clear()
