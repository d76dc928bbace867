"""Capability search: filters combined with AND, each value checked against what the catalog can
answer, so a typo is a 400 that names the allowed values, and a valid miss is an empty list.

Every filter takes several values and a model must satisfy each of them: two modalities means both,
two routes means both, two regions means available in both, two features means both true;
``streaming=true`` twice is ``streaming=true``, and true together with false matches nothing. Two
providers or lifecycle stages mean either. A filter on a fact (context window, output limit, price)
leaves out the models where that fact is unknown.

The answer is sorted by ``sort``: ``id`` (default), ``newest``, ``context_window`` (largest first),
``input_price`` (cheapest first); models without the value last, ties by id."""

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


def _input_price(model: ModelRecord) -> float | None:
    return model.pricing.input_per_mtok if model.pricing is not None else None


# Each sort but id (the catalog's own order) as the value it sorts on, ascending: largest first is negated.
_SORT_VALUES: dict[str, Callable[[ModelRecord], float | None]] = {
    "newest": lambda m: -m.created_at.timestamp(),
    "context_window": lambda m: None if m.context_window is None else -m.context_window,
    "input_price": _input_price,
}
SORTS: tuple[str, ...] = ("id", *_SORT_VALUES)


def _sorted(models: list[ModelRecord], sort: str) -> list[ModelRecord]:
    """A model without the value after every model with one; ties by id."""
    value = _SORT_VALUES.get(sort)
    if value is None:
        return models  # id: the catalog's order already

    def key(model: ModelRecord) -> tuple[bool, float, str]:
        v = value(model)
        return (v is None, v if v is not None else 0.0, model.id)

    return sorted(models, key=key)


def _output_price(model: ModelRecord) -> float | None:
    return model.pricing.output_per_mtok if model.pricing is not None else None


def _at_least(value: int | None, bound: int | None) -> bool:
    return bound is None or (value is not None and value >= bound)


def _at_most(value: float | None, bound: float | None) -> bool:
    return bound is None or (value is not None and value <= bound)


@dataclass(frozen=True, slots=True)
class _Filter:
    inputs: frozenset[str]
    outputs: frozenset[str]
    routes: tuple[RouteSpec, ...]
    regions: frozenset[str]
    streaming: frozenset[bool]
    legacy: frozenset[bool]
    providers: frozenset[str]  # casefolded; empty: any
    lifecycles: frozenset[str]  # empty: any
    features: tuple[str, ...]
    min_context_window: int | None
    min_output_tokens: int | None
    max_input_price: float | None
    max_output_price: float | None

    def matches(self, model: ModelRecord) -> bool:
        return (
            self.inputs.issubset(model.input_modalities)
            and self.outputs.issubset(model.output_modalities)
            and self.regions.issubset(model.regions)
            and all(route.accepts(model) for route in self.routes)
            and self.streaming.issubset((model.response_streaming,))
            and self.legacy.issubset((model.legacy,))
            and (not self.providers or model.provider.casefold() in self.providers)
            and (not self.lifecycles or model.lifecycle in self.lifecycles)
            and all(model.facts is not None and model.facts.feature(f) is True for f in self.features)
            and _at_least(model.context_window, self.min_context_window)
            and _at_least(model.max_output_tokens, self.min_output_tokens)
            and _at_most(_input_price(model), self.max_input_price)
            and _at_most(_output_price(model), self.max_output_price)
        )


def search(catalog: Catalog, criteria: SearchCriteria) -> list[ModelRecord]:
    """The available models that match every filter, in the order ``criteria.sort`` names."""
    wanted = _validated(catalog, criteria)
    return _sorted([m for m in catalog.models if wanted.matches(m)], criteria.sort)


def checked_lifecycles(values: Sequence[str]) -> frozenset[str]:
    """Lifecycle stages (``active``, ``deprecated``, ``retired``, any case); another value is a 400."""
    return frozenset(_checked("lifecycle", values, lambda v: v.strip().lower(), LIFECYCLES))


def _validated(catalog: Catalog, criteria: SearchCriteria) -> _Filter:
    known_inputs = (*INPUT_MODALITIES, *sorted(catalog.input_modalities.difference(INPUT_MODALITIES)))
    known_outputs = (*OUTPUT_MODALITIES, *sorted(catalog.output_modalities.difference(OUTPUT_MODALITIES)))
    inputs = _checked("input_modalities", criteria.input_modalities, normalize_input, known_inputs)
    outputs = _checked("output_modalities", criteria.output_modalities, normalize_output, known_outputs)
    regions = _checked("region", criteria.region, lambda v: v.strip().lower(), catalog.regions)
    routes = []
    for value in criteria.route:
        route = catalog.routes.find(value)
        if route is None:
            raise InvalidRequestError(
                f"route {value!r} is not a route path or MCP tool name; allowed: {', '.join(catalog.routes.names())}",
                "route",
            )
        routes.append(route)
    providers = {p.casefold() for p in catalog.providers}
    for value in criteria.provider:
        if value.strip().casefold() not in providers:
            raise InvalidRequestError(f"provider {value!r} is not one of: {', '.join(catalog.providers)}", "provider")
    features = _checked("features", criteria.features, lambda v: v.strip().lower(), FEATURES)
    _refuse_below("min_context_window", criteria.min_context_window, 1)
    _refuse_below("min_output_tokens", criteria.min_output_tokens, 1)
    _refuse_below("max_input_price", criteria.max_input_price, 0)
    _refuse_below("max_output_price", criteria.max_output_price, 0)
    if criteria.sort not in SORTS:
        raise InvalidRequestError(f"sort {criteria.sort!r} is not one of: {', '.join(SORTS)}", "sort")
    return _Filter(
        inputs=frozenset(inputs),
        outputs=frozenset(outputs),
        routes=tuple(routes),
        regions=frozenset(regions),
        streaming=frozenset(criteria.streaming),
        legacy=frozenset(criteria.legacy),
        providers=frozenset(p.strip().casefold() for p in criteria.provider),
        lifecycles=checked_lifecycles(criteria.lifecycle),
        features=tuple(dict.fromkeys(features)),
        min_context_window=criteria.min_context_window,
        min_output_tokens=criteria.min_output_tokens,
        max_input_price=criteria.max_input_price,
        max_output_price=criteria.max_output_price,
    )


def _refuse_below(param: str, value: float | None, minimum: int) -> None:
    if value is not None and not value >= minimum:  # not >=: NaN is refused too
        kind = "an integer" if minimum >= 1 else "a number"
        raise InvalidRequestError(f"{param} must be {kind} >= {minimum}, got {value!r}", param)


def _checked(param: str, values: Sequence[str], normalize: Callable[[str], str], allowed: Collection[str]) -> list[str]:
    """The values in their canonical spelling; the first one outside ``allowed`` is a 400 naming it."""
    canonical = []
    for value in values:
        normalized = normalize(value)
        if normalized not in allowed:
            raise InvalidRequestError(f"{param} {value!r} is not one of: {', '.join(allowed)}", param)
        canonical.append(normalized)
    return canonical
