from __future__ import annotations

from typing import Any

from model_catalog.domain.catalog import Catalog
from model_catalog.domain.records import RegionSnapshot
from model_catalog.domain.routes import RouteTable
from tests.conftest import ALL_REGIONS


def snapshots_of(doc: dict[str, Any], regions: tuple[str, ...] = ALL_REGIONS) -> dict[str, RegionSnapshot]:
    return {
        r: RegionSnapshot(
            r,
            doc["regions"][r]["ListFoundationModels"]["modelSummaries"],
            doc["regions"][r]["ListInferenceProfiles"]["inferenceProfileSummaries"],
            fetched_at=1_000.0,
        )
        for r in regions
    }


def catalog_of(doc: dict[str, Any], regions: tuple[str, ...] = ALL_REGIONS, anthropic: str = "/anthropic") -> Catalog:
    return Catalog.from_snapshots(snapshots_of(doc, regions), regions, RouteTable.build(anthropic, ""))
