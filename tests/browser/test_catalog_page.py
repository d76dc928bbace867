"""GET / in Chromium, as a person sees it: the rows match /search_models for the same URL, sorting, the
region matrix against the fixture, the detail panel, copying, keyboard use, the 360 px layout, both
colour schemes, stale data and an outage."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.harness import Tab
from tests.conftest import ALL_REGIONS, SNAPSHOT

Model = dict[str, Any]
ROWS = "#model-rows tr"


def api_answer(api: httpx.Client, page_path: str) -> list[Model]:
    """What /search_models answers for the page's URL: its query without the page's own `q`."""
    query: list[tuple[str, str | int | float | bool | None]] = [
        (k, v) for k, v in parse_qsl(urlsplit(page_path).query) if k != "q"
    ]
    answer = api.get("/search_models", params=query)
    assert answer.status_code == 200, answer.text
    models: list[Model] = answer.json()
    return models


def row_ids(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(ROWS, "rows => rows.map(r => r.dataset.id)")
    return ids


def expect_rows(page: Page, ids: list[str]) -> None:
    """The table shows exactly these models in this order (waits for the page to redraw)."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the assertion below shows the difference
        page.wait_for_function(
            "ids => [...document.querySelectorAll('#model-rows tr')].map(r => r.dataset.id).join(' ') === ids",
            arg=" ".join(ids),
            timeout=5000,
        )
    assert row_ids(page) == ids


def matches_text(model: Model, q: str) -> bool:
    text = " ".join([model["name"], model["id"], *model["aliases"]]).lower()
    return all(word in text for word in q.lower().split())


def test_every_model_is_a_row_in_the_apis_order(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    models = api_answer(api, "/")
    expect_rows(page, [m["id"] for m in models])
    expect(page.locator("#count")).to_have_text(f"All {len(models)} models")
    first = page.locator(ROWS).first
    assert first.locator('[data-column="provider"]').inner_text() == models[0]["provider"]
    assert first.locator('[data-column="name"]').inner_text() == models[0]["name"]
    assert first.locator('[data-column="id"]').inner_text().startswith(models[0]["id"])
    inputs, outputs = (", ".join(models[0][f"{side}_modalities"]) for side in ("input", "output"))
    assert first.locator('[data-column="modalities"]').inner_text() == f"{inputs} \u2192 {outputs}"
    assert page.locator("#key-form").is_hidden()


@pytest.mark.parametrize(
    "path",
    [
        "/?input_modalities=IMAGE&region=eu-west-1",
        "/?output_modalities=EMBEDDINGS",
        "/?route=anthropic_message&streaming=true",
        "/?legacy=true",
        "/?region=us-west-2,eu-central-1&input_modalities=text",
        "/?q=claude+sonnet",
        "/?q=nova&output_modalities=IMAGE",
    ],
)
def test_a_url_opens_the_view_search_models_answers(tab: Tab, api: httpx.Client, path: str) -> None:
    page = tab.open(path)
    q = dict(parse_qsl(urlsplit(path).query)).get("q", "")
    expected = [m["id"] for m in api_answer(api, path) if matches_text(m, q)]
    assert expected, "a filter that matches nothing proves little"
    expect_rows(page, expected)
    # The controls show the filters the URL holds.
    assert page.input_value("#q") == q
    for name, value in parse_qsl(urlsplit(path).query):
        if name in ("q", "streaming", "legacy"):
            continue
        for one in value.split(","):
            checkbox = page.locator(f'input[name="{name}"][value="{one.upper() if "modalities" in name else one}"]')
            expect(checkbox).to_be_checked()
    for name in ("streaming", "legacy"):
        chosen = dict(parse_qsl(urlsplit(path).query)).get(name)
        if chosen:
            assert page.input_value(f"#filter-{name}") == chosen


def test_choosing_filters_writes_the_url_and_asks_search_models(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    page.get_by_role("group", name="Input modalities (all of)").get_by_label("IMAGE").check()
    page.get_by_role("group", name="Regions (all of)").get_by_label("eu-west-1").check()
    page.wait_for_url("**/?input_modalities=IMAGE&region=eu-west-1")
    expect_rows(page, [m["id"] for m in api_answer(api, "/?input_modalities=IMAGE&region=eu-west-1")])

    page.select_option("#filter-streaming", "true")
    page.wait_for_url("**/?input_modalities=IMAGE&region=eu-west-1&streaming=true")
    streaming = api_answer(api, "/?input_modalities=IMAGE&region=eu-west-1&streaming=true")
    expect_rows(page, [m["id"] for m in streaming])

    page.fill("#q", "nova")
    page.wait_for_url("**/?q=nova&input_modalities=IMAGE&region=eu-west-1&streaming=true")
    expect_rows(page, [m["id"] for m in streaming if matches_text(m, "nova")])

    page.click("#clear-filters")
    page.wait_for_url(tab.base_url + "/")
    expect_rows(page, [m["id"] for m in api_answer(api, "/")])


def test_no_callable_control_while_the_access_check_is_off(tab: Tab, api: httpx.Client) -> None:
    # The snapshot holds no access data: /status says access is null, and search_models refuses callable.
    assert api.get("/status").json()["access"] is None
    assert api.get("/search_models", params={"callable": "true"}).status_code == 400
    page = tab.open("/")
    expect(page.locator('[data-filter="streaming"]')).to_have_count(1)
    expect(page.locator('[data-filter="callable"]')).to_have_count(0)


def test_a_filter_the_api_refuses_is_shown_with_its_message(tab: Tab, api: httpx.Client) -> None:
    tab.expected_errors.append("status of 400")
    page = tab.open("/?input_modalities=SMELL")
    refused = api.get("/search_models", params={"input_modalities": "SMELL"})
    assert refused.status_code == 400
    expect(page.get_by_role("alert")).to_contain_text(refused.json()["error"]["message"])
    assert row_ids(page) == []


def sorted_by(models: list[Model], key: Any, descending: bool = False) -> list[str]:
    """The page's order: by the column, models without a value last, ties by id."""
    by_id = sorted(models, key=lambda m: m["id"])
    valued = [m for m in by_id if key(m) is not None]
    missing = [m for m in by_id if key(m) is None]
    return [m["id"] for m in sorted(valued, key=key, reverse=descending) + missing]


def test_sorting_by_a_column_and_back(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    models = api_answer(api, "/")
    name = page.locator('th[data-column="name"]')
    name.get_by_role("button").click()
    expect(name).to_have_attribute("aria-sort", "ascending")
    expect_rows(page, sorted_by(models, lambda m: m["name"].lower()))
    name.get_by_role("button").click()
    expect(name).to_have_attribute("aria-sort", "descending")
    expect_rows(page, sorted_by(models, lambda m: m["name"].lower(), descending=True))

    regions = page.locator('th[data-column="regions"]')
    regions.get_by_role("button").click()
    expect(name).to_have_attribute("aria-sort", "none")
    expect_rows(page, sorted_by(models, lambda m: len(m["regions"])))

    released = page.locator('th[data-column="created_at"]').get_by_role("button")
    released.click()
    released.click()
    expect_rows(page, sorted_by(models, lambda m: m["created_at"], descending=True))


def test_every_column_sorts(tab: Tab) -> None:
    page = tab.open("/")
    count = len(row_ids(page))
    for header in page.locator("#model-head th").all():
        header.get_by_role("button").click()
        expect(header).to_have_attribute("aria-sort", "ascending")
        assert len(row_ids(page)) == count


def fixture_presence() -> dict[tuple[str, str], str]:
    """(model id, region) -> on_demand / profile, read straight from the fixture; absent otherwise."""
    regions = json.loads(SNAPSHOT.read_text())["regions"]
    found: dict[tuple[str, str], str] = {}
    for region, answers in regions.items():
        routed = {
            target["modelArn"].rsplit("foundation-model/", 1)[1]
            for profile in answers["ListInferenceProfiles"]["inferenceProfileSummaries"]
            if profile.get("status") == "ACTIVE"
            for target in profile.get("models", [])
            if "foundation-model/" in target.get("modelArn", "")
        }
        for summary in answers["ListFoundationModels"]["modelSummaries"]:
            kinds = summary.get("inferenceTypesSupported", [])
            key = (summary["modelId"], region)
            if "ON_DEMAND" in kinds:
                found[key] = "on_demand"
            elif "INFERENCE_PROFILE" in kinds and summary["modelId"] in routed:
                found.setdefault(key, "profile")
    return found


def test_the_region_matrix_matches_the_fixture(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    page.click("#show-matrix")
    expect(page.locator("#matrix-view")).to_be_visible()
    expect(page.locator("#models")).to_be_hidden()
    headers = page.eval_on_selector_all("#matrix-head th.region", "ths => ths.map(t => t.textContent)")
    assert headers == sorted(ALL_REGIONS)
    cells = page.eval_on_selector_all(
        "#matrix-rows td",
        "tds => tds.map(td => [td.parentElement.dataset.id, td.dataset.region, td.dataset.presence])",
    )
    models = api_answer(api, "/")
    assert len(cells) == len(models) * len(ALL_REGIONS)
    expected = fixture_presence()
    shown = {(model_id, region): presence for model_id, region, presence in cells}
    assert shown == {
        (m["id"], region): expected.get((m["id"], region), "absent") for m in models for region in ALL_REGIONS
    }
    kinds = set(shown.values())
    assert kinds == {"on_demand", "profile", "absent"}
    # A filter narrows the matrix too.
    page.goto(tab.base_url + "/?region=eu-west-1")
    page.wait_for_selector("body[data-ready]", state="attached")
    page.click("#show-matrix")
    ids = page.eval_on_selector_all("#matrix-rows tr", "rows => rows.map(r => r.dataset.id)")
    assert ids == [m["id"] for m in api_answer(api, "/?region=eu-west-1")]


def an_anthropic_model_through_profiles_only(models: list[Model]) -> Model:
    return next(
        m for m in models if m["provider"] == "Anthropic" and m["inference_profiles"] and not m["on_demand_regions"]
    )


def test_the_detail_panel_opens_with_enter_and_closes_with_escape(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    model = an_anthropic_model_through_profiles_only(api_answer(api, "/"))
    opener = page.locator(f'#model-rows tr[data-id="{model["id"]}"] button[data-open]')
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=model["name"])
    expect(dialog).to_be_visible()
    expect(page.locator("#detail-close")).to_be_focused()
    text = dialog.inner_text()
    for value in (model["id"], *model["regions"], *model["inference_profiles"], *model["supported_routes"]):
        assert value in text
    snippets = {
        pre.get_attribute("data-snippet") or "": pre.inner_text() for pre in dialog.locator("pre[data-snippet]").all()
    }
    assert len(snippets) == 3
    assert any(title.startswith("curl") for title in snippets)
    assert any(title.startswith("boto3") for title in snippets)
    assert any(title.startswith("Anthropic SDK") for title in snippets)
    # Reached only through a profile: the snippets call a profile id that routes to it (in a URL, encoded).
    profiles = [*model["inference_profiles"], *(quote(p, safe="") for p in model["inference_profiles"])]
    assert all(any(p in code for p in profiles) for code in snippets.values())
    assert "AnthropicBedrock" in snippets["Anthropic SDK (Python, on Bedrock)"]
    boto3 = dialog.locator("pre[data-snippet^=boto3]")
    dialog.get_by_role("button", name="Copy", exact=True).nth(2).click()
    expect(page.locator("#copied")).to_have_text("Copied the snippet.")
    assert page.evaluate("navigator.clipboard.readText()") == boto3.inner_text()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_the_detail_panel_shows_every_field(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/?output_modalities=EMBEDDINGS")
    model = api_answer(api, "/?output_modalities=EMBEDDINGS")[0]
    page.locator(f'#model-rows tr[data-id="{model["id"]}"] button[data-open]').click()
    dialog = page.get_by_role("dialog")
    terms = dialog.locator("dl.fields dt").all_inner_texts()
    for label in (
        "Model id",
        "Provider",
        "Input modalities",
        "Output modalities",
        "Context window",
        "Output limit",
        "Embedding dimensions",
        "Lifecycle",
        "Retires at",
        "Legacy",
        "Released",
        "Response streaming",
        "Features",
        "Aliases",
        "Regions",
        "On demand in",
        "Inference profiles",
        "Routes",
        "MCP tools",
    ):
        assert label in terms
    assert "Prices" in dialog.inner_text()
    # An embedding model has no chat API: the snippets say to invoke it with the provider's body.
    assert "invoke_model" in dialog.locator("pre[data-snippet^=boto3]").inner_text()
    dialog.get_by_role("button", name="Close details").click()
    expect(dialog).to_be_hidden()


def test_one_click_copies_a_models_id(tab: Tab, api: httpx.Client) -> None:
    page = tab.open("/")
    model = api_answer(api, "/")[3]
    page.locator(f'#model-rows tr[data-id="{model["id"]}"] button[data-copy]').click()
    expect(page.locator("#copied")).to_have_text(f"Copied {model['id']}.")
    assert page.evaluate("navigator.clipboard.readText()") == model["id"]


def test_keyboard_alone_reaches_a_model_sorts_and_opens_it(tab: Tab) -> None:
    page = tab.open("/")
    seen: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 return {id: e.id, open: e.dataset.open || null, sort: e.dataset.sort || null,
                         outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
        )
        assert focused["outline"] != "none" and focused["width"] >= 2, f"no visible focus on {focused}"
        seen.append(focused["id"] or focused["sort"] or focused["open"] or "")
        if focused["sort"] == "name":
            page.keyboard.press("Enter")
            expect(page.locator('th[data-column="name"]')).to_have_attribute("aria-sort", "ascending")
        if focused["open"]:
            break
    assert seen.index("q") < seen.index("name") < len(seen) - 1, seen
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('detail').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.open") == seen[-1]


def test_controls_and_headers_are_labelled(tab: Tab) -> None:
    page = tab.open("/")
    unlabelled = page.eval_on_selector_all(
        "input, select",
        "controls => controls.filter(c => !c.closest('[hidden]') && c.labels.length === 0).map(c => c.outerHTML)",
    )
    assert unlabelled == []
    nameless = page.eval_on_selector_all(
        "button", "bs => bs.filter(b => !b.closest('[hidden]') && !b.textContent.trim()).map(b => b.outerHTML)"
    )
    assert nameless == []
    assert page.eval_on_selector_all("thead th", "ths => ths.every(t => t.getAttribute('scope') === 'col')")
    page.click("#show-matrix")
    assert page.eval_on_selector_all("#matrix-rows th", "ths => ths.every(t => t.getAttribute('scope') === 'row')")
    # A cell says what it means in words, not only by its symbol.
    assert page.locator("#matrix-rows td .sr-only").first.inner_text() in (
        "on demand",
        "through an inference profile",
        "absent",
    )


@pytest.mark.parametrize("dark", [False, True])
def test_readable_at_360_px_without_sideways_scrolling(tab: Tab, api: httpx.Client, dark: bool) -> None:
    page = tab.page
    page.emulate_media(color_scheme="dark" if dark else "light")
    page.set_viewport_size({"width": 360, "height": 780})
    tab.open("/")

    def page_width() -> int:
        width: int = page.evaluate("document.documentElement.scrollWidth")
        return width

    assert page_width() <= 360
    # Each model is a card: the id is whole on screen, its label beside it.
    model = api_answer(api, "/")[0]
    cell = page.locator(f'#model-rows tr[data-id="{model["id"]}"] td[data-column="id"]')
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.click("#show-matrix")
    assert page_width() <= 360
    page.click("#show-table")
    page.locator("#model-rows button[data-open]").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page_width() <= 360
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(22, 23, 26)" if dark else "rgb(255, 255, 255)")


def test_stale_data_is_shown(tab: Tab) -> None:
    def stale(route: Route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers, "x-catalog-stale": "true", "x-catalog-age": "5400"})

    tab.page.route("**/search_models*", stale)
    page = tab.open("/")
    expect(page.locator("#notices")).to_contain_text("Stale data: the oldest region's data is 90 min old")
    assert row_ids(page)


def test_an_outage_is_shown_and_the_page_recovers(tab: Tab) -> None:
    tab.expected_errors.append("status of 503")
    body = {
        "error": {
            "message": "the model catalog is unavailable",
            "type": "service_unavailable",
            "param": None,
            "code": None,
        }
    }

    def down(route: Route) -> None:
        route.fulfill(status=503, json=body, headers={"retry-after": "30"})

    tab.page.route("**/search_models*", down)
    page = tab.page
    page.goto(tab.base_url + "/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The catalog is unavailable: the model catalog is unavailable.")
    expect(alert).to_contain_text("30 s")
    assert page.locator("#catalog").is_hidden()
    page.unroute("**/search_models*")
    alert.get_by_role("button", name="Try again").click()
    page.wait_for_selector("body[data-ready]", state="attached")
    expect(page.locator("#catalog")).to_be_visible()
    assert row_ids(page)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_page_is_interactive_soon_after_load(tab: Tab) -> None:
    """The figure is measured and shown by `make screenshots`; this only checks that the page reports it."""
    page = tab.open("/")
    assert int(page.get_attribute("body", "data-ready-ms") or "-1") >= 0
