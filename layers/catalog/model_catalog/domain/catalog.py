"""The merged catalog: built once when the data changes, then only read. Every index a request needs
is computed here, so a request does work proportional to its answer, not to the catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from model_catalog.domain.access import OFF, AccessRule, is_served
from model_catalog.domain.facts import FactsTable, bundled_facts
from model_catalog.domain.normalize import BuildReport, RegionListing, merge_listings
from model_catalog.domain.records import ModelRecord, RegionSnapshot
from model_catalog.domain.routes import ANTHROPIC_LIST_TOOL, RouteSpec, RouteTable
from model_catalog.errors import ModelNotFoundError


@dataclass(frozen=True, slots=True)
class ModelView:
    """An ordered subset of the catalog with its own lookup indexes (the Anthropic list, say)."""

    ordered: tuple[ModelRecord, ...]
    position: Mapping[str, int]
    by_id: Mapping[str, ModelRecord]
    by_profile: Mapping[str, ModelRecord]
    by_alias: Mapping[str, ModelRecord]

    @classmethod
    def of(cls, records: Iterable[ModelRecord], order: str) -> ModelView:
        ordered = tuple(sorted(records, key=_newest_first if order == "newest" else _by_id))
        newest_first = sorted(ordered, key=_newest_first)
        by_profile: dict[str, ModelRecord] = {}
        by_alias: dict[str, ModelRecord] = {}
        # Newest first with setdefault: an alias or profile that fits several models means the newest.
        for record in newest_first:
            for profile in record.inference_profiles:
                by_profile.setdefault(profile, record)
            for alias in record.aliases:
                by_alias.setdefault(alias, record)
        return cls(
            ordered=ordered,
            position={r.id: i for i, r in enumerate(ordered)},
            by_id={r.id: r for r in ordered},
            by_profile=by_profile,
            by_alias=by_alias,
        )

    def find(self, name: str) -> ModelRecord | None:
        """A model by id, inference profile id or alias, raw or percent-encoded."""
        for candidate in dict.fromkeys((name, unquote(name))):
            for index in (self.by_id, self.by_profile, self.by_alias):
                found = index.get(candidate)
                if found is not None:
                    return found
        return None

    def resolve(self, name: str) -> ModelRecord:
        """``find``, or ModelNotFoundError."""
        found = self.find(name)
        if found is None:
            raise ModelNotFoundError(unquote(name))  # as the client wrote it, before encoding it for the URL
        return found


def _newest_first(record: ModelRecord) -> tuple[float, str]:
    return (-record.created_at.timestamp(), record.id)


def _by_id(record: ModelRecord) -> str:
    return record.id


class Catalog:
    """All available models of the configured regions, and the views the routes serve. With the access
    check on (``access``), ``all`` and ``anthropic`` hold only the models served (callable or unknown in
    some region) and ``available`` holds every available one."""

    def __init__(
        self,
        records: Sequence[ModelRecord],
        routes: RouteTable,
        regions: Sequence[str],
        fetched_at: Mapping[str, float],
        skipped: Sequence[str] = (),
        *,
        facts: FactsTable | None = None,
        access: AccessRule = OFF,
    ) -> None:
        self.access = access
        records = access.apply(records)
        self.available = ModelView.of(records, order="id")
        if access.on:
            records = [r for r in records if is_served(r)]
        self.routes = routes
        self.facts = facts if facts is not None else bundled_facts()  # what the records' facts came from
        self.regions = tuple(regions)
        self.fetched_at = dict(fetched_at)  # region -> unix seconds of its data
        self.skipped = tuple(skipped)
        self.all = ModelView.of(records, order="id")
        anthropic_route = routes.tool(ANTHROPIC_LIST_TOOL)
        self.anthropic = (
            ModelView.of((r for r in records if anthropic_route.accepts(r)), order="newest")
            if anthropic_route is not None
            else None
        )
        self._anthropic_by_stage: dict[frozenset[str], ModelView] = {}
        self._ranks: dict[str, Mapping[str, int]] = {}
        self._anthropic_stages = frozenset(r.lifecycle for r in (self.anthropic.ordered if self.anthropic else ()))
        # Over every available model, the ones not served included: search's callable=false and any.
        available = self.available.ordered
        self.supported_routes: Mapping[str, tuple[RouteSpec, ...]] = {r.id: routes.supported_by(r) for r in available}
        # Every modality some model has: a raw value Bedrock adds later is a valid filter value too.
        self.input_modalities = frozenset(m for r in available for m in r.input_modalities)
        self.providers = tuple(sorted({r.provider for r in available}))
        self._holding = _index(available, self.supported_routes)
        self.output_modalities = frozenset(m for r in available for m in r.output_modalities)
        # Positions in ``available`` of the models served (callable or unknown somewhere) and of the others.
        self.served_positions = frozenset(i for i, r in enumerate(available) if is_served(r))
        self.not_callable_positions = frozenset(range(len(available))) - self.served_positions

    @classmethod
    def from_snapshots(
        cls,
        snapshots: Mapping[str, RegionSnapshot],
        regions: Sequence[str],
        routes: RouteTable,
        facts: FactsTable | None = None,
    ) -> Catalog:
        return cls.from_listings(
            {r: RegionListing.of(snapshots[r]) for r in regions if r in snapshots}, regions, routes, facts
        )

    @classmethod
    def from_listings(
        cls,
        listings: Mapping[str, RegionListing],
        regions: Sequence[str],
        routes: RouteTable,
        facts: FactsTable | None = None,
        access: AccessRule = OFF,
    ) -> Catalog:
        """From each region's answers already read (``RegionListing.of``), as a refresh reads them;
        ``facts`` default to the data file shipped in the layer."""
        facts = facts if facts is not None else bundled_facts()
        report = BuildReport()
        records = merge_listings(listings, regions, report, facts)
        fetched_at = {r: listings[r].fetched_at for r in regions if r in listings}
        return cls(records, routes, regions, fetched_at, report.skipped, facts=facts, access=access)

    def anthropic_in(self, stages: frozenset[str]) -> ModelView | None:
        """The Anthropic list narrowed to these lifecycle stages (empty: active and deprecated, so every
        model; Bedrock has no retired one). Each narrowed view is built once, on first use."""
        view = self.anthropic
        if view is None or not stages or self._anthropic_stages <= stages:
            return view
        key = frozenset(stages)
        narrowed = self._anthropic_by_stage.get(key)
        if narrowed is None:
            narrowed = ModelView.of((r for r in view.ordered if r.lifecycle in key), order="newest")
            self._anthropic_by_stage[key] = narrowed
        return narrowed

    def rank(self, name: str, key: Callable[[ModelRecord], Any]) -> Mapping[str, int]:
        """Each available model's place in the order ``key`` gives, by id: computed once per catalog for
        each ``name``, so a search sorts its answer by looking places up, not by computing keys again."""
        ranks = self._ranks.get(name)
        if ranks is None:
            ranks = {r.id: i for i, r in enumerate(sorted(self.available.ordered, key=key))}
            self._ranks[name] = ranks
        return ranks

    def holding(self, kind: str, value: object) -> frozenset[int]:
        """The positions in ``available.ordered`` of the models that hold ``value`` (see ``_index``): a search
        intersects these instead of testing every model."""
        return self._holding.get((kind, value), frozenset())

    def models_in(self, region: str) -> int:
        """How many models are available in ``region``."""
        return len(self.holding("region", region))

    @property
    def models(self) -> tuple[ModelRecord, ...]:
        """Every model served, sorted by id: every available one, with the access check off."""
        return self.all.ordered

    @property
    def not_callable(self) -> tuple[ModelRecord, ...]:
        """The available models this account can call in no configured region, sorted by id."""
        return tuple(self.available.ordered[i] for i in sorted(self.not_callable_positions))

    @property
    def callable_count(self) -> int:
        """How many models are callable in at least one configured region (0 with the check off)."""
        return sum(1 for r in self.available.ordered if r.callable_regions)

    @property
    def oldest_fetch(self) -> float | None:
        return min(self.fetched_at.values(), default=None)

    def __len__(self) -> int:
        return len(self.all.ordered)


def _index(
    models: Sequence[ModelRecord], supported_routes: Mapping[str, tuple[RouteSpec, ...]]
) -> dict[tuple[str, object], frozenset[int]]:
    """(kind, value) -> positions of the models that hold it: each input and output modality, region,
    route (by MCP tool), provider, lifecycle stage, streaming and legacy flag, and feature that is true."""
    index: dict[tuple[str, object], set[int]] = {}
    for position, model in enumerate(models):
        held: list[tuple[str, object]] = [
            *(("input", m) for m in model.input_modalities),
            *(("output", m) for m in model.output_modalities),
            *(("region", r) for r in model.regions),
            *(("route", route.tool) for route in supported_routes.get(model.id, ())),
            ("provider", model.provider),
            ("lifecycle", model.lifecycle),
            ("streaming", model.response_streaming),
            ("legacy", model.legacy),
        ]
        if model.facts is not None:
            held += [("feature", name) for name, flag in model.facts.features if flag is True]
        for key in held:
            index.setdefault(key, set()).add(position)
    return {key: frozenset(positions) for key, positions in index.items()}
