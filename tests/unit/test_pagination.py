from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.pagination import paginate
from model_catalog.errors import InvalidRequestError

ITEMS = [f"m{i:03d}" for i in range(57)]
POSITION = {m: i for i, m in enumerate(ITEMS)}


def test_first_page_and_has_more() -> None:
    page = paginate(ITEMS, POSITION, limit=20)
    assert list(page.items) == ITEMS[:20] and page.has_more


def test_a_page_of_exactly_the_rest_has_no_more() -> None:
    page = paginate(ITEMS, POSITION, limit=17, after_id=ITEMS[39])
    assert list(page.items) == ITEMS[40:] and not page.has_more
    assert not paginate(ITEMS, POSITION, limit=57).has_more


def test_after_the_last_item_is_an_empty_page() -> None:
    page = paginate(ITEMS, POSITION, limit=5, after_id=ITEMS[-1])
    assert list(page.items) == [] and not page.has_more


def test_before_id_is_the_limit_items_right_before() -> None:
    page = paginate(ITEMS, POSITION, limit=5, before_id=ITEMS[12])
    assert list(page.items) == ITEMS[7:12] and page.has_more
    start = paginate(ITEMS, POSITION, limit=5, before_id=ITEMS[3])
    assert list(start.items) == ITEMS[:3] and not start.has_more
    assert list(paginate(ITEMS, POSITION, limit=5, before_id=ITEMS[0]).items) == []


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"after_id": "nope"}, "after_id"),
        ({"before_id": "nope"}, "before_id"),
        ({"after_id": ITEMS[1], "before_id": ITEMS[5]}, "after_id"),
    ],
)
def test_bad_requests(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequestError) as error:
        paginate(ITEMS, POSITION, **kwargs)  # type: ignore[arg-type]
    assert error.value.param == param


@settings(max_examples=60, deadline=None)
@given(forward=st.lists(st.integers(1, 40), min_size=1, max_size=30), backward=st.integers(1, 40))
def test_walking_the_anthropic_list_both_ways(catalog: Catalog, forward: list[int], backward: int) -> None:
    view = catalog.anthropic
    assert view is not None
    ordered = [m.id for m in view.ordered]
    seen: list[str] = []
    after: str | None = None
    limits = iter(forward * (len(ordered) + 1))
    while True:
        page = paginate(view.ordered, view.position, next(limits), after_id=after)
        ids = [m.id for m in page.items]
        assert not set(ids) & set(seen)
        seen += ids
        if not page.has_more:
            break
        after = ids[-1]
    assert seen == ordered

    back: list[str] = []
    before = ordered[-1]
    tail = paginate(view.ordered, view.position, 1, after_id=ordered[-2]).items
    back = [m.id for m in tail]
    while True:
        page = paginate(view.ordered, view.position, backward, before_id=before)
        ids = [m.id for m in page.items]
        assert not set(ids) & set(back)
        back = ids + back
        if not page.has_more:
            break
        before = ids[0]
    assert back == ordered


def test_anthropic_order_is_newest_first_ties_by_id(catalog: Catalog) -> None:
    assert catalog.anthropic is not None
    keys = [(-m.created_at.timestamp(), m.id) for m in catalog.anthropic.ordered]
    assert keys == sorted(keys)
    assert len({m.created_at for m in catalog.anthropic.ordered}) < len(keys)  # the fixture has ties
