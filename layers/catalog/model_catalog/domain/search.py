"""Capability search: filters combined with AND, each value checked against what the catalog can
answer, so a typo is a 400 that names the allowed values, and a valid miss is an empty list."""

from __future__ import annotations

from collections.abc import Sequence
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
    streaming: bool | None = None
    legacy: bool | None = None


@dataclass(frozen=True, slots=True)
class _Filter:
    inputs: frozenset[str]
    outputs: frozenset[str]
    routes: tuple[RouteSpec, ...]
    regions: frozenset[str]
    streaming: bool | None
    legacy: bool | None

    def matches(self, model: ModelRecord) -> bool:
        return (
            self.inputs.issubset(model.input_modalities)
            and self.outputs.issubset(model.output_modalities)
            and self.regions.issubset(model.regions)
            and all(route.accepts(model) for route in self.routes)
            and (self.streaming is None or model.response_streaming is self.streaming)
            and (self.legacy is None or model.legacy is self.legacy)
        )


def search(catalog: Catalog, criteria: SearchCriteria) -> list[ModelRecord]:
    """The available models that match every filter, sorted by id."""
    wanted = _validated(catalog, criteria)
    return [m for m in catalog.models if wanted.matches(m)]


def _validated(catalog: Catalog, criteria: SearchCriteria) -> _Filter:
    # A raw modality Bedrock adds later passes through and becomes a valid filter value.
    known_in = dict.fromkeys((*INPUT_MODALITIES, *(m for r in catalog.models for m in r.input_modalities)))
    known_out = dict.fromkeys((*OUTPUT_MODALITIES, *(m for r in catalog.models for m in r.output_modalities)))
    inputs = _in_vocabulary("input_modalities", [normalize_input(v) for v in criteria.input_modalities], known_in)
    outputs = _in_vocabulary("output_modalities", [normalize_output(v) for v in criteria.output_modalities], known_out)
    routes = []
    for value in criteria.route:
        route = catalog.routes.find(value)
        if route is None:
            allowed = ", ".join(catalog.routes.names())
            raise InvalidRequestError(f"route {value!r} is not a route or MCP tool; allowed: {allowed}", "route")
        routes.append(route)
    regions = _in_vocabulary("region", [v.strip() for v in criteria.region], dict.fromkeys(catalog.regions))
    return _Filter(
        frozenset(inputs), frozenset(outputs), tuple(routes), frozenset(regions), criteria.streaming, criteria.legacy
    )


def _in_vocabulary(param: str, values: list[str], allowed: dict[str, None]) -> list[str]:
    for value in values:
        if value not in allowed:
            raise InvalidRequestError(f"{param} {value!r} is not one of: {', '.join(allowed)}", param)
    return values
