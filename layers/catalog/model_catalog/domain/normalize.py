"""From what each region's Bedrock answered to one record per model, as API.md says:

- a model is available in a region when that region lists it with ``ON_DEMAND``, or with
  ``INFERENCE_PROFILE`` and an ACTIVE system profile listed there routes to it;
- ``regions`` are the configured regions where it is available, ``on_demand_regions`` those of them
  that list it with ``ON_DEMAND`` (the others reach it only through a profile), ``inference_profiles``
  the ACTIVE system profiles of any configured region that route to it;
- scalar fields come from the first configured region that lists the model, lifecycle included:
  ``lifecycle`` is ``active`` for status ACTIVE (or none), ``deprecated`` for LEGACY and any status
  Bedrock adds later; its dates are None while the model is active;
- the facts (domain/facts.py) come from the facts table, looked up once per record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from model_catalog.domain.aliases import aliases_for, date_in_id
from model_catalog.domain.facts import FactsTable, ModelFacts, bundled_facts
from model_catalog.domain.modalities import normalize_inputs, normalize_outputs
from model_catalog.domain.records import Lifecycle, ModelRecord, RawSummary, RegionSnapshot

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FOUNDATION_MODEL_ARN = "foundation-model/"
_ON_DEMAND = "ON_DEMAND"
_ACTIVE_STATUSES = frozenset({"ACTIVE", ""})
_KNOWN_STATUSES = frozenset({"ACTIVE", "LEGACY"})
_reported_statuses: set[str] = set()  # a status Bedrock adds later is logged once per container


@dataclass(slots=True)
class BuildReport:
    """What the build passed over, for the logs: a malformed summary never breaks the catalog."""

    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RegionListing:
    """One region's answers read once, the part of the rules that needs no other region: the models it
    lists (each id's first summary, in its order), those available there, and what its ACTIVE system
    profiles route to. A refresh reads each region as it arrives, while slower ones still answer."""

    region: str
    fetched_at: float  # of the snapshot read
    first_listing: Mapping[str, RawSummary]
    available: frozenset[str]
    on_demand: frozenset[str]  # of the available ones, those listed with ON_DEMAND
    profiles_of: Mapping[str, frozenset[str]]  # model id -> ACTIVE system profile ids routing to it
    skipped: tuple[str, ...]

    @classmethod
    def of(cls, snapshot: RegionSnapshot) -> RegionListing:
        report = BuildReport()
        region = snapshot.region
        routed = _active_profile_targets(snapshot.profile_summaries, region, report)
        first_listing: dict[str, RawSummary] = {}
        available: set[str] = set()
        on_demand: set[str] = set()
        for summary in snapshot.model_summaries:
            model_id = _model_id(summary, region, report)
            if model_id is None:
                continue
            first_listing.setdefault(model_id, summary)
            kinds = _strings(summary.get("inferenceTypesSupported"))
            if _ON_DEMAND in kinds:
                on_demand.add(model_id)
            if _ON_DEMAND in kinds or ("INFERENCE_PROFILE" in kinds and model_id in routed):
                available.add(model_id)
        return cls(
            region=region,
            fetched_at=snapshot.fetched_at,
            first_listing=first_listing,
            available=frozenset(available),
            on_demand=frozenset(on_demand),
            profiles_of={target: frozenset(ids) for target, ids in routed.items()},
            skipped=tuple(report.skipped),
        )


def build_records(
    snapshots: Mapping[str, RegionSnapshot],
    regions: Sequence[str],
    report: BuildReport | None = None,
    facts: FactsTable | None = None,
) -> list[ModelRecord]:
    """Merge the snapshots of ``regions`` (in that order) into records sorted by id."""
    listings = {r: RegionListing.of(snapshots[r]) for r in regions if r in snapshots}
    return merge_listings(listings, regions, report, facts)


def merge_listings(
    listings: Mapping[str, RegionListing],
    regions: Sequence[str],
    report: BuildReport | None = None,
    facts: FactsTable | None = None,
) -> list[ModelRecord]:
    """The records of ``regions`` (in that order) from their listings, sorted by id, with their facts
    (``facts``; default: the data file shipped in the layer)."""
    report = report if report is not None else BuildReport()
    facts = facts if facts is not None else bundled_facts()
    present = {r: listings[r] for r in regions if r in listings}
    first_listing: dict[str, RawSummary] = {}
    for listing in reversed(present.values()):
        first_listing.update(listing.first_listing)  # an earlier region's summary replaces a later one's
    available_in: dict[str, list[str]] = {}
    on_demand_in: dict[str, list[str]] = {}
    profiles_of: dict[str, set[str]] = {}
    for region, listing in present.items():
        report.skipped.extend(listing.skipped)
        for target, profile_ids in listing.profiles_of.items():
            profiles_of.setdefault(target, set()).update(profile_ids)
        for model_id in listing.available:
            available_in.setdefault(model_id, []).append(region)
        for model_id in listing.on_demand:
            on_demand_in.setdefault(model_id, []).append(region)

    records = [
        _record(
            model_id,
            first_listing[model_id],
            sorted(regions_),
            sorted(on_demand_in.get(model_id, ())),
            sorted(profiles_of.get(model_id, ())),
            facts_table=facts,
        )
        for model_id, regions_ in available_in.items()
    ]
    records.sort(key=lambda r: r.id)
    return records


def _active_profile_targets(profiles: Iterable[RawSummary], region: str, report: BuildReport) -> dict[str, set[str]]:
    """model id -> ids of the ACTIVE system profiles listed in this region that route to it."""
    targets: dict[str, set[str]] = {}
    for profile in profiles:
        if not isinstance(profile, Mapping):
            report.skipped.append(f"{region}: inference profile summary is not an object")
            continue
        profile_id = profile.get("inferenceProfileId")
        if not isinstance(profile_id, str) or not profile_id:
            report.skipped.append(f"{region}: inference profile without an id")
            continue
        if profile.get("status") != "ACTIVE" or profile.get("type", "SYSTEM_DEFINED") != "SYSTEM_DEFINED":
            continue
        targets_listed = profile.get("models")
        for target in targets_listed if isinstance(targets_listed, list | tuple) else ():
            arn = target.get("modelArn") if isinstance(target, Mapping) else None
            if isinstance(arn, str) and _FOUNDATION_MODEL_ARN in arn:
                targets.setdefault(arn.rsplit(_FOUNDATION_MODEL_ARN, 1)[1], set()).add(profile_id)
    return targets


def _model_id(summary: Any, region: str, report: BuildReport) -> str | None:
    model_id = summary.get("modelId") if isinstance(summary, Mapping) else None
    if not isinstance(model_id, str) or not model_id.strip():
        report.skipped.append(f"{region}: model summary without a modelId")
        return None
    return model_id


def _record(
    model_id: str,
    summary: RawSummary,
    regions: Sequence[str],
    on_demand: Sequence[str],
    profiles: Sequence[str],
    *,
    facts_table: FactsTable,
) -> ModelRecord:
    lifecycle = summary.get("modelLifecycle")
    lifecycle = lifecycle if isinstance(lifecycle, Mapping) else {}
    provider = summary.get("providerName")
    name = summary.get("modelName")
    facts = facts_table.lookup(model_id, profiles, regions)
    stage = _stage(model_id, lifecycle.get("status"))
    deprecated = stage == "deprecated"
    return ModelRecord(
        id=model_id,
        name=name if isinstance(name, str) and name else model_id,
        provider=provider if isinstance(provider, str) and provider else model_id.partition(".")[0],
        input_modalities=normalize_inputs(_strings(summary.get("inputModalities"))),
        output_modalities=normalize_outputs(_strings(summary.get("outputModalities"))),
        response_streaming=summary.get("responseStreamingSupported") is True,
        legacy=lifecycle.get("status") == "LEGACY",
        created_at=created_at(model_id, lifecycle.get("startOfLifeTime")),
        regions=tuple(regions),
        on_demand_regions=tuple(on_demand),
        inference_profiles=tuple(profiles),
        aliases=aliases_for(model_id),
        lifecycle=stage,
        deprecated_at=timestamp(lifecycle.get("legacyTime")) if deprecated else None,
        extended_access_at=timestamp(lifecycle.get("publicExtendedAccessTime")) if deprecated else None,
        retires_at=_retires_at(lifecycle, facts) if deprecated else None,
        facts=facts,
    )


def _stage(model_id: str, status: Any) -> Lifecycle:
    status = status.strip().upper() if isinstance(status, str) else ""
    if status in _ACTIVE_STATUSES:
        return "active"
    if status not in _KNOWN_STATUSES and status not in _reported_statuses:
        _reported_statuses.add(status)
        logger.warning("Bedrock lifecycle status %r (first seen on %s) is taken as deprecated", status, model_id)
    return "deprecated"


def _retires_at(lifecycle: Mapping[str, Any], facts: ModelFacts | None) -> datetime | None:
    """Bedrock's ``endOfLifeTime``, else the facts source's ``deprecation_date``."""
    end_of_life = timestamp(lifecycle.get("endOfLifeTime"))
    if end_of_life is None and facts is not None:
        return facts.deprecation_date
    return end_of_life


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


def timestamp(value: Any) -> datetime | None:
    """A Bedrock timestamp (a datetime, or its ISO text once cached) in UTC; None when it is not one."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str) and value:
        try:
            return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def created_at(model_id: str, start_of_life: Any) -> datetime:
    """``startOfLifeTime``, else the YYYYMMDD date in the id, else the epoch; always UTC."""
    started = timestamp(start_of_life)
    if started is not None:
        return started
    date = date_in_id(model_id)
    if date is not None:
        try:
            return datetime(*date, tzinfo=UTC)
        except ValueError:  # 20250231 looks like a date and is not
            pass
    return EPOCH


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
