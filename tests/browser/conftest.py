"""The browser tier: the catalog page in Debian's Chromium against the local server (the real template,
handlers and snapshot, as in the contract tier)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.harness import Tab, chromium, new_tab
from tests.contract.local_api import API_KEY, local_api

NewTab = Callable[..., AbstractContextManager[Tab]]


# One browser per module, not per session: Playwright's sync API runs an event loop in this thread while
# it is started, and the asyncio tests of the tiers after this one need the thread free of it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as e:  # no Chromium: say what to install rather than skip the tier
        pytest.fail(f"{e}; `make test` installs it when run as root")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The local server of this module, requiring API_KEY."""
    with local_api() as url:
        yield url


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A tab that already holds the key; the test fails if the page asked another origin for anything
    or logged an error."""
    with new_tab(browser, base_url, key=API_KEY) as opened:
        yield opened
        assert opened.outside_requests == []
        assert opened.unexpected_errors() == []


@pytest.fixture
def api(base_url: str) -> Iterator[httpx.Client]:
    """The API itself, with the key: what the page must show."""
    with httpx.Client(base_url=base_url, headers={"x-api-key": API_KEY}) as client:
        yield client
