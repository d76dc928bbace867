"""Capability search, as docs/api.md ("search_models") describes it: filters combined with AND, each
value checked against what the catalog can answer, so a typo is a 400 that names the allowed values, and
a valid miss is an empty list. Several values of a filter must each hold, except for provider and
lifecycle (any); a filter on a fact leaves out the models where that fact is unknown."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.facts import FEATURES
from model_catalog.domain.modalities import (
    INPUT_MODALITIES,
    OUTPUT_MODALITIES,
    normalize_input,
    normalize_output,
)
from model_catalog.domain.records import LIFECYCLES, ModelRecord
from model_catalog.domain.routes import RouteSpec
from model_catalog.errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """What the caller asked for, as plain values (the API layer has split and typed them)."""

    input_modalities: Sequence[str] = ()
    output_modalities: Sequence[str] = ()
    route: Sequence[str] = ()
    region: Sequence[str] = ()
    streaming: Sequence[bool] = ()
    legacy: Sequence[bool] = ()
    provider: Sequence[str] = ()
    lifecycle: Sequence[str] = ()
    min_context_window: int | None = None
    min_output_tokens: int | None = None
    features: Sequence[str] = ()
    max_input_price: float | None = None  # USD per million input tokens
    max_output_price: float | None = None
    sort: str = "id"
    callable: str | None = None  # true (the default), false or any: needs the access check on


CALLABLE_VALUES = ("true", "false", "any")


def _input_price(model: ModelRecord) -> float | None:
    return model.pricing.input_per_mtok if model.pricing is not None else None


# Each sort but id (the catalog's own order) as the value it sorts on, ascending: largest first is negated.
_SORT_VALUES: dict[str, Callable[[ModelRecord], float | None]] = {
    "newest": lambda m: -m.created_at.timestamp(),
    "context_window": lambda m: None if m.context_window is None else -m.context_window,
    "input_price": _input_price,
}
SORTS: tuple[str, ...] = ("id", *_SORT_VALUES)


def _sorted(catalog: Catalog, models: list[ModelRecord], sort: str) -> list[ModelRecord]:
    """A model without the value after every model with one; ties by id."""
    value = _SORT_VALUES.get(sort)
    if value is None:
        return models  # id: the catalog's order already

    def key(model: ModelRecord) -> tuple[bool, float, str]:
        v = value(model)
        return (v is None, v if v is not None else 0.0, model.id)

    rank = catalog.rank(sort, key)
    return sorted(models, key=lambda m: rank[m.id])


def _output_price(model: ModelRecord) -> float | None:
    return model.pricing.output_per_mtok if model.pricing is not None else None


Test = Callable[[ModelRecord], bool]


def search(catalog: Catalog, criteria: SearchCriteria) -> list[ModelRecord]:
    """The available models that match every filter, in the order ``criteria.sort`` names. Work goes to
    the filters given only: each filter on a value is the catalog's set of the models that hold it
    (``Catalog.holding``), intersected; the filters on facts then test what is left."""
    if criteria.sort not in SORTS:
        raise InvalidRequestError(f"sort {criteria.sort!r} is not one of: {', '.join(SORTS)}", "sort")
    narrowed = _narrowed(catalog, criteria)
    by_access = _by_access(catalog, criteria.callable)
    if by_access is not None:
        narrowed = by_access if narrowed is None else narrowed & by_access
    tests = _bounds(criteria)
    available = catalog.available.ordered
    models = available if narrowed is None else [available[i] for i in sorted(narrowed)]
    found = list(models)
    for test in tests:
        found = [m for m in found if test(m)]
    return _sorted(catalog, found, criteria.sort)


def _by_access(catalog: Catalog, value: str | None) -> frozenset[int] | None:
    """The positions of the models ``callable`` asks for (None: every one): true, those callable (or
    unknown) in some configured region, as without it; false, the others; any, every available model."""
    if value is None:
        return catalog.served_positions if catalog.access.on else None
    if not catalog.access.on:
        raise InvalidRequestError(
            "callable: the account access check is off (ACCESS_CHECK=false, or a snapshot source), so nothing "
            "is known about which models this account can call; leave callable out",
            "callable",
        )
    (word,) = _checked("callable", (value,), lambda v: v.strip().lower(), CALLABLE_VALUES)
    if word == "false":
        return catalog.not_callable_positions
    return None if word == "any" else catalog.served_positions


def checked_lifecycles(values: Sequence[str]) -> frozenset[str]:
    """Lifecycle stages (``active``, ``deprecated``, ``retired``, any case); another value is a 400."""
    return frozenset(_checked("lifecycle", values, lambda v: v.strip().lower(), LIFECYCLES))


def _narrowed(catalog: Catalog, c: SearchCriteria) -> frozenset[int] | None:
    """The positions of the models that pass every filter on a value (None: no such filter), each value
    checked first (a 400 names it). Every value must hold, except for provider and lifecycle: any."""
    every: list[frozenset[int]] = []
    if c.input_modalities:
        known = (*INPUT_MODALITIES, *sorted(catalog.input_modalities.difference(INPUT_MODALITIES)))
        every += [
            catalog.holding("input", m)
            for m in _checked("input_modalities", c.input_modalities, normalize_input, known)
        ]
    if c.output_modalities:
        known = (*OUTPUT_MODALITIES, *sorted(catalog.output_modalities.difference(OUTPUT_MODALITIES)))
        outputs = _checked("output_modalities", c.output_modalities, normalize_output, known)
        every += [catalog.holding("output", m) for m in outputs]
    every += [catalog.holding("route", _route(catalog, value).tool) for value in c.route]
    regions = _checked("region", c.region, lambda v: v.strip().lower(), catalog.regions)
    every += [catalog.holding("region", r) for r in regions]
    every += [catalog.holding("streaming", flag) for flag in set(c.streaming)]
    every += [catalog.holding("legacy", flag) for flag in set(c.legacy)]
    features = _checked("features", c.features, lambda v: v.strip().lower(), FEATURES)
    every += [catalog.holding("feature", f) for f in features]
    if c.provider:
        every.append(frozenset().union(*(catalog.holding("provider", _provider(catalog, v)) for v in c.provider)))
    if c.lifecycle:
        every.append(frozenset().union(*(catalog.holding("lifecycle", s) for s in checked_lifecycles(c.lifecycle))))
    return frozenset.intersection(*every) if every else None


def _bounds(c: SearchCriteria) -> list[Test]:
    """The filters on facts: a model whose fact is unknown fails them."""
    tests: list[Test] = []
    if c.min_context_window is not None:
        least = _refuse_below("min_context_window", c.min_context_window, 1)
        tests.append(lambda m: (window := m.context_window) is not None and window >= least)
    if c.min_output_tokens is not None:
        least_out = _refuse_below("min_output_tokens", c.min_output_tokens, 1)
        tests.append(lambda m: (most_tokens := m.max_output_tokens) is not None and most_tokens >= least_out)
    if c.max_input_price is not None:
        most = _refuse_below("max_input_price", c.max_input_price, 0)
        tests.append(lambda m: (price := _input_price(m)) is not None and price <= most)
    if c.max_output_price is not None:
        most_out = _refuse_below("max_output_price", c.max_output_price, 0)
        tests.append(lambda m: (price := _output_price(m)) is not None and price <= most_out)
    return tests


def _route(catalog: Catalog, value: str) -> RouteSpec:
    route = catalog.routes.find(value)
    if route is None:
        raise InvalidRequestError(
            f"route {value!r} is not a route path or MCP tool name; allowed: {', '.join(catalog.routes.names())}",
            "route",
        )
    return route


def _provider(catalog: Catalog, value: str) -> str:
    """The provider's name as Bedrock spells it, for any case."""
    wanted = value.strip().casefold()
    found = next((p for p in catalog.providers if p.casefold() == wanted), None)
    if found is None:
        raise InvalidRequestError(f"provider {value!r} is not one of: {', '.join(catalog.providers)}", "provider")
    return found


def _refuse_below(param: str, value: float, minimum: int) -> float:
    if not value >= minimum:  # not >=: NaN is refused too
        kind = "an integer" if minimum >= 1 else "a number"
        raise InvalidRequestError(f"{param} must be {kind} >= {minimum}, got {value!r}", param)
    return value


def _checked(param: str, values: Sequence[str], normalize: Callable[[str], str], allowed: Collection[str]) -> list[str]:
    """The values in their canonical spelling; the first one outside ``allowed`` is a 400 naming it."""
    canonical = []
    for value in values:
        normalized = normalize(value)
        if normalized not in allowed:
            raise InvalidRequestError(f"{param} {value!r} is not one of: {', '.join(allowed)}", param)
        canonical.append(normalized)
    return canonical
