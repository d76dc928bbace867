"""Debian's Chromium driven by Playwright, for the catalog page (GET /): the browser tier's tests and
`make screenshots` open the page the same way. Playwright cannot download browsers here: it drives
/usr/bin/chromium (`apt-get install chromium`; `make test` installs it when it runs as root)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
KEY_STORAGE = "catalog-api-key"
"""The sessionStorage item the page keeps the key in."""
READY = "body[data-ready]"
"""The page sets data-ready once the table is drawn and every control answers."""


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """One browser tab on the local server: what it asked of other origins and what it logged as an
    error are recorded (a request to another origin is refused, not sent)."""

    base_url: str
    context: BrowserContext
    page: Page
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)
    """Regular expressions of console errors a test provokes on purpose (an HTTP error it asks for)."""

    def open(self, path: str = "/") -> Page:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector(READY, state="attached")
        return self.page

    def unexpected_errors(self) -> list[str]:
        """The console errors that match none of ``expected_errors``."""
        return [e for e in self.console_errors if not any(re.search(p, e) for p in self.expected_errors)]


@contextmanager
def new_tab(
    browser: Browser, base_url: str, *, key: str | None = None, width: int = 1280, height: int = 900, dark: bool = False
) -> Iterator[Tab]:
    """A fresh tab (its own sessionStorage); ``key``: the API key already kept for the tab, as after
    the person typed it once."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
        base_url=base_url,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    if key is not None:
        context.add_init_script(f"sessionStorage.setItem({KEY_STORAGE!r}, {key!r})")
    tab = Tab(base_url, context, context.new_page())

    def same_origin_only(route: Route) -> None:
        url = route.request.url
        if url == base_url or url.startswith(base_url + "/"):
            route.continue_()
        else:
            tab.outside_requests.append(url)
            route.abort()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.console_errors.append(message.text)

    context.route("**/*", same_origin_only)
    tab.page.on("console", record)
    tab.page.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))
    try:
        yield tab
    finally:
        context.close()
