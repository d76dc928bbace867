"""The API key on the catalog page: asked once when the deployment has one, kept for the tab only, a
wrong key said to be wrong; never asked when none is configured."""

from __future__ import annotations

from playwright.sync_api import Browser, Response, expect

from tests.browser.harness import KEY_STORAGE, READY, new_tab
from tests.contract.local_api import API_KEY, local_api

REFUSED = "status of 401"
"""Chromium logs each 401 it is answered; the page's first request without a key provokes one."""


def test_the_key_is_asked_once_kept_for_the_tab_and_a_wrong_one_is_refused(browser: Browser) -> None:
    with local_api() as base_url:
        ask_refuse_keep_forget(browser, base_url)
        # Another tab has its own storage: it asks again.
        with new_tab(browser, base_url) as other:
            other.expected_errors.append(REFUSED)
            other.page.goto(base_url + "/")
            expect(other.page.get_by_label("API key")).to_be_visible()
            assert other.unexpected_errors() == []


def ask_refuse_keep_forget(browser: Browser, base_url: str) -> None:
    with new_tab(browser, base_url) as tab:
        tab.expected_errors.append(REFUSED)
        page = tab.page
        page.goto(base_url + "/?input_modalities=IMAGE")
        key = page.get_by_label("API key")
        expect(key).to_be_focused()
        expect(page.get_by_role("alert")).to_have_text("This catalog needs its API key.")
        expect(page.locator("#catalog")).to_be_hidden()

        key.fill("not-the-key")
        key.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("That key was refused (invalid API key)")
        expect(key).to_have_value("")
        expect(page.locator("#catalog")).to_be_hidden()

        key.fill(API_KEY)
        page.get_by_role("button", name="Use this key").click()
        page.wait_for_selector(READY, state="attached")
        expect(page.locator("#key-form")).to_be_hidden()
        expect(page.get_by_role("alert")).to_have_count(0)
        assert page.locator("#model-rows tr").count() > 0
        assert page.url.endswith("/?input_modalities=IMAGE")  # the view asked for survives the key
        assert page.evaluate(f"sessionStorage.getItem({KEY_STORAGE!r})") == API_KEY
        assert page.evaluate(f"localStorage.getItem({KEY_STORAGE!r})") is None

        # Kept for the tab: a reload does not ask again, and sends no request without it.
        refused: list[str] = []
        page.on("response", lambda r: refused.append(r.url) if r.status == 401 else None)
        page.reload()
        page.wait_for_selector(READY, state="attached")
        expect(page.locator("#key-form")).to_be_hidden()
        assert refused == []

        # Forgetting it asks again.
        page.get_by_role("button", name="Forget key").click()
        expect(page.get_by_label("API key")).to_be_visible()
        assert page.evaluate(f"sessionStorage.getItem({KEY_STORAGE!r})") is None
        assert tab.outside_requests == []
        assert tab.unexpected_errors() == []


def test_a_deployment_without_a_key_never_asks(browser: Browser) -> None:
    with local_api(API_KEY="") as url, new_tab(browser, url) as tab:
        statuses: list[int] = []

        def seen(response: Response) -> None:
            statuses.append(response.status)

        tab.page.on("response", seen)
        page = tab.open("/")
        expect(page.locator("#key-form")).to_be_hidden()
        expect(page.locator("#forget-key")).to_be_hidden()
        assert page.locator("#model-rows tr").count() > 0
        assert 401 not in statuses
        assert tab.outside_requests == []
        assert tab.unexpected_errors() == []
