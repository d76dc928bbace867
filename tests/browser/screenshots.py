"""`make screenshots`: docs/screenshots/*.png of the catalog page (GET /) on the local server with the
18-region snapshot, and how soon the page is interactive in headless Chromium (printed, never a test)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.harness import READY, chromium, new_tab
from tests.contract.local_api import API_KEY, local_api

LOADS = 7


def shoot(browser: Browser, base_url: str, out: Path) -> None:
    with new_tab(browser, base_url, key=API_KEY, width=1440, height=860) as tab:
        page = tab.open("/?input_modalities=TEXT")
        page.screenshot(path=out / "table.png")
        page.click("#show-matrix")
        page.locator("#matrix-view").scroll_into_view_if_needed()
        page.screenshot(path=out / "matrix.png")
        page.click("#show-table")
        page.locator('#model-rows tr[data-id^="anthropic.claude-sonnet-4-5"] button[data-open]').first.click()
        page.wait_for_selector("#detail[open]")
        page.screenshot(path=out / "detail.png")
    with new_tab(browser, base_url, key=API_KEY, width=360, height=780, dark=True) as tab:
        page = tab.open("/?region=eu-west-1")
        page.locator("#count").scroll_into_view_if_needed()
        page.screenshot(path=out / "narrow.png")


def time_to_interactive(browser: Browser, base_url: str) -> tuple[list[float], list[float]]:
    """Milliseconds until the table is drawn with every control live, in fresh tabs: as the page
    measures it (from navigation start), and as the test driver sees it (goto until it sees the page
    ready, Playwright's own round trips included)."""
    in_page, driver = [], []
    for _ in range(LOADS):
        with new_tab(browser, base_url, key=API_KEY) as tab:
            started = time.perf_counter()
            tab.page.goto(base_url + "/")
            tab.page.wait_for_selector(READY, state="attached")
            driver.append((time.perf_counter() - started) * 1000)
            in_page.append(float(tab.page.get_attribute("body", "data-ready-ms") or "nan"))
    return in_page, driver


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with local_api() as base_url, chromium() as browser:
        time_to_interactive(browser, base_url)  # the server's first answers build its caches: not counted
        in_page, driver = time_to_interactive(browser, base_url)
        shoot(browser, base_url, out)
    print(f"screenshots in {out}/: table.png matrix.png detail.png narrow.png")
    print(f"GET / interactive, 18 regions, headless Chromium, {LOADS} fresh tabs:")
    for what, figures in (("in the page, from navigation start", in_page), ("seen by the driver", driver)):
        print(f"  {what}: median {statistics.median(figures):.0f} ms, max {max(figures):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
