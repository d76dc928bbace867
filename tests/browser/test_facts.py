"""The model facts on the catalog page (context window, output limit, prices, lifecycle): the columns
sort as search_models' own `sort` does, the fact filters open the views the API answers, a deprecated
model and its retirement stand out, and the detail panel has the prices per region and profile."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.harness import Tab
from tests.browser.test_catalog_page import api_answer, expect_rows, matches_text

Model = dict[str, Any]


def money(value: float | None) -> str:
    """The page's price: dollars with 2 to 6 decimals, thousands separated; "—" for none."""
    if value is None:
        return "\u2014"
    digits = f"{value:,.6f}".rstrip("0")
    whole, _, cents = digits.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


@pytest.mark.parametrize(
    ("column", "clicks", "api_sort"),
    [("context_window", 2, "context_window"), ("input_price", 1, "input_price"), ("created_at", 2, "newest")],
)
def test_a_column_sorts_as_search_models_sort_does(
    tab: Tab, api: httpx.Client, column: str, clicks: int, api_sort: str
) -> None:
    page = tab.open("/")
    header = page.locator(f'th[data-column="{column}"]')
    for _ in range(clicks):  # once: ascending, twice: descending
        header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending" if clicks == 2 else "ascending")
    expect_rows(page, [m["id"] for m in api_answer(api, f"/?sort={api_sort}")])


@pytest.mark.parametrize(
    "path",
    [
        "/?provider=Anthropic&lifecycle=deprecated",
        "/?min_context_window=200000&features=tool_use",
        "/?features=vision,reasoning&min_output_tokens=32000",
        "/?max_input_price=1&max_output_price=5&input_modalities=TEXT",
        "/?lifecycle=active&sort=input_price",
        "/?q=claude&sort=newest",
    ],
)
def test_a_fact_filter_in_the_url_opens_the_view_search_models_answers(tab: Tab, api: httpx.Client, path: str) -> None:
    page = tab.open(path)
    q = "claude" if "q=claude" in path else ""
    expected = [m["id"] for m in api_answer(api, path) if matches_text(m, q)]
    assert expected
    expect_rows(page, expected)


def test_fact_filters_are_controls_that_write_the_url(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    page.get_by_role("group", name="Provider (any of)").get_by_label("Anthropic").check()
    page.fill("#filter-min_context_window", "200000")
    page.press("#filter-min_context_window", "Enter")
    page.wait_for_url("**/?provider=Anthropic&min_context_window=200000")
    expect_rows(page, [m["id"] for m in api_answer(api, "/?provider=Anthropic&min_context_window=200000")])
    page.select_option("#filter-sort", "input_price")
    page.wait_for_url("**/?provider=Anthropic&min_context_window=200000&sort=input_price")
    expect_rows(
        page, [m["id"] for m in api_answer(api, "/?provider=Anthropic&min_context_window=200000&sort=input_price")]
    )


def test_prices_and_limits_are_shown_as_the_api_gives_them(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    priced = [m for m in api_answer(api, "/") if m["pricing"] and m["context_window"]]
    assert priced
    for model in priced[:5]:
        row = page.locator(f'#model-rows tr[data-id="{model["id"]}"]')
        assert row.locator('[data-column="input_price"]').inner_text() == money(model["pricing"]["input_per_mtok"])
        assert row.locator('[data-column="output_price"]').inner_text() == money(model["pricing"]["output_per_mtok"])
        assert row.locator('[data-column="context_window"]').inner_text() != "\u2014"
    unpriced = next((m for m in api_answer(api, "/") if m["pricing"] is None), None)
    if unpriced is not None:
        row = page.locator(f'#model-rows tr[data-id="{unpriced["id"]}"]')
        assert row.locator('[data-column="input_price"]').inner_text() == "\u2014"


def test_a_deprecated_model_and_its_retirement_stand_out(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/?lifecycle=deprecated")
    deprecated = api_answer(api, "/?lifecycle=deprecated")
    assert deprecated
    for model in deprecated:
        row = page.locator(f'#model-rows tr[data-id="{model["id"]}"]')
        expect(row).to_have_class("deprecated")
        cell = row.locator('[data-column="lifecycle"]')
        assert "deprecated" in cell.inner_text()
        if model["retires_at"]:
            assert model["retires_at"][:10] in cell.locator(".retires").inner_text()
    assert any(m["retires_at"] for m in deprecated), "the fixture has deprecated models with a retirement date"


def test_the_detail_panel_has_prices_per_region_and_profile(tab: Tab, api: httpx.Client) -> None:
    models = api_answer(api, "/")
    model = next(m for m in models if m["pricing"] and m["pricing"]["by_profile"])
    page = tab.open("/")
    page.locator(f'#model-rows tr[data-id="{model["id"]}"] button[data-open]').click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    profiles = dialog.get_by_role("table", name="Prices by inference profile")
    for profile, price in model["pricing"]["by_profile"].items():
        row = profiles.get_by_role("row", name=profile, exact=False)
        expect(row).to_contain_text(money(price["input_per_mtok"]))
    if model["pricing"]["by_region"]:
        regions = dialog.get_by_role("table", name="Prices by region")
        for region in model["pricing"]["by_region"]:
            expect(regions).to_contain_text(region)
    assert str(model["context_window"]) in dialog.inner_text().replace(",", "")


def test_the_status_line_names_the_source_and_the_facts(tab: Tab, api: httpx.Client) -> None:
    status = api.get("/status").json()
    page = tab.open("/")
    summary = page.locator("#summary")
    expect(summary).to_contain_text(f"{status['models']} models")
    expect(summary).to_contain_text(f"data from {status['source']}")
    expect(summary).to_contain_text(status["facts"]["version"])
