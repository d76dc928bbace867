from __future__ import annotations

import pytest

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


# The walk over the whole list, both ways, with random page sizes runs through the handler:
# tests/integration/test_models_handlers.py::test_walking_the_whole_list_both_ways.


def test_anthropic_order_is_newest_first_ties_by_id(catalog: Catalog) -> None:
    assert catalog.anthropic is not None
    keys = [(-m.created_at.timestamp(), m.id) for m in catalog.anthropic.ordered]
    assert keys == sorted(keys)
    assert len({m.created_at for m in catalog.anthropic.ordered}) < len(keys)  # the fixture has ties
