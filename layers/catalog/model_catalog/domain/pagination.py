"""Cursor pagination in the Anthropic style: ``after_id`` / ``before_id`` name an item of the list,
``has_more`` speaks of the direction asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from model_catalog.errors import InvalidRequestError

T = TypeVar("T")

MIN_LIMIT, MAX_LIMIT, DEFAULT_LIMIT = 1, 1000, 20


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    has_more: bool


def paginate(
    ordered: Sequence[T],
    position: Mapping[str, int],
    limit: int = DEFAULT_LIMIT,
    after_id: str | None = None,
    before_id: str | None = None,
) -> Page[T]:
    """One page of ``ordered``; ``position`` maps each item's id to its index. Work is proportional
    to the page, not the list."""
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise InvalidRequestError(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}, got {limit}", "limit")
    if after_id is not None and before_id is not None:
        raise InvalidRequestError("after_id and before_id cannot be used together", "after_id")
    if before_id is not None:
        end = _index(position, before_id, "before_id")
        start = max(0, end - limit)
        return Page(ordered[start:end], has_more=start > 0)
    start = 0 if after_id is None else _index(position, after_id, "after_id") + 1
    end = start + limit
    return Page(ordered[start:end], has_more=end < len(ordered))


def _index(position: Mapping[str, int], model_id: str, param: str) -> int:
    try:
        return position[model_id]
    except KeyError:
        raise InvalidRequestError(f"{param} {model_id!r} is not a model id of this list", param) from None
