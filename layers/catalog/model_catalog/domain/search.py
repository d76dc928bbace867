"""Capability search: filters combined with AND, each value checked against what the catalog can
answer, so a typo is a 400 that names the allowed values, and a valid miss is an empty list.

Every filter takes several values and a model must satisfy each of them: two modalities means both,
two routes means both, two regions means available in both; ``streaming=true`` twice is
``streaming=true``, and true together with false matches nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.modalities import (
    INPUT_MODALITIES,
    OUTPUT_MODALITIES,
    normalize_input,
    normalize_output,
)
from model_catalog.domain.records import ModelRecord
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
    callable: str | None = None  # true (the default), false or any: needs the access check on


CALLABLE_VALUES = ("true", "false", "any")


@dataclass(frozen=True, slots=True)
class _Filter:
    inputs: frozenset[str]
    outputs: frozenset[str]
    routes: tuple[RouteSpec, ...]
    regions: frozenset[str]
    streaming: frozenset[bool]
    legacy: frozenset[bool]

    def matches(self, model: ModelRecord) -> bool:
        return (
            self.inputs.issubset(model.input_modalities)
            and self.outputs.issubset(model.output_modalities)
            and self.regions.issubset(model.regions)
            and all(route.accepts(model) for route in self.routes)
            and self.streaming.issubset((model.response_streaming,))
            and self.legacy.issubset((model.legacy,))
        )


def search(catalog: Catalog, criteria: SearchCriteria) -> list[ModelRecord]:
    """The available models that match every filter, sorted by id."""
    candidates = _by_access(catalog, criteria.callable)
    wanted = _validated(catalog, criteria)
    return [m for m in candidates if wanted.matches(m)]


def _by_access(catalog: Catalog, value: str | None) -> Sequence[ModelRecord]:
    """The models ``callable`` asks for: true, those callable (or unknown) in some configured region, as
    without it; false, the others; any, every available model."""
    if value is None:
        return catalog.models
    if not catalog.access.on:
        raise InvalidRequestError(
            "callable: the account access check is off (ACCESS_CHECK=false, or a snapshot source), so nothing "
            "is known about which models this account can call; leave callable out",
            "callable",
        )
    (word,) = _checked("callable", (value,), lambda v: v.strip().lower(), CALLABLE_VALUES)
    if word == "false":
        return catalog.not_callable
    return catalog.available.ordered if word == "any" else catalog.models


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
    return _Filter(
        inputs=frozenset(inputs),
        outputs=frozenset(outputs),
        routes=tuple(routes),
        regions=frozenset(regions),
        streaming=frozenset(criteria.streaming),
        legacy=frozenset(criteria.legacy),
    )


def _checked(param: str, values: Sequence[str], normalize: Callable[[str], str], allowed: Collection[str]) -> list[str]:
    """The values in their canonical spelling; the first one outside ``allowed`` is a 400 naming it."""
    canonical = []
    for value in values:
        normalized = normalize(value)
        if normalized not in allowed:
            raise InvalidRequestError(f"{param} {value!r} is not one of: {', '.join(allowed)}", param)
        canonical.append(normalized)
    return canonical
