"""What the model facts cost the cold start: reading the data file shipped in the layer and looking up
every model of the fixture catalog (model_catalog/domain/facts.py), against json.loads of the same file."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

from bench.report import Figure
from model_catalog.domain.facts import DATA_DIR, DATA_FILE, bundled_facts
from model_catalog.domain.normalize import build_records
from tests.unit.conftest import snapshots_of


@dataclass(frozen=True)
class FactsLoad:
    seconds: float  # median: read the file, build the table, look every model up
    json_seconds: float  # median: json.loads of the file's text alone


def measure_facts_load(doc: dict[str, Any], runs: int) -> FactsLoad:
    text = (DATA_DIR / DATA_FILE).read_text(encoding="utf-8")
    snapshots = snapshots_of(doc)
    regions = tuple(snapshots)
    keys = [(r.id, r.inference_profiles, r.regions) for r in build_records(snapshots, regions)]
    loads, parses = [], []
    for _ in range(runs):
        bundled_facts.cache_clear()
        started = time.perf_counter()
        table = bundled_facts()
        for model_id, profiles, model_regions in keys:
            table.lookup(model_id, profiles, model_regions)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        json.loads(text)
        parses.append(time.perf_counter() - started)
    return FactsLoad(statistics.median(loads), statistics.median(parses))


def facts_figure(load: FactsLoad, cold_start_seconds: float) -> Figure:
    """Reported against json.loads of the file; the target: a small share of the cold start."""
    return Figure(
        "model facts: load + look up 118 models",
        load.seconds * 1e3,
        "ms",
        load.json_seconds * 1e3,
        "json.loads of the data file",
        "<= 5% of the cold start",
        load.seconds <= 0.05 * cold_start_seconds,
    )
