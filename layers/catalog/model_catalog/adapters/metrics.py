"""The service's observations as CloudWatch metrics: Powertools Metrics in the embedded metric format
(EMF), written to the function's log and turned into metrics by CloudWatch, no API call on the way.

Metrics of a request go into the invocation's one EMF document (``@metrics.log_metrics`` flushes it);
the per-region ones carry a ``region`` dimension and so each go out as a document of their own. Every
metric has the ``service`` dimension. Names are listed in docs/operations.md."""

from __future__ import annotations

from collections.abc import Sequence

from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from model_catalog.errors import SourceError
from model_catalog.ports import CacheTier

CACHE_HIT_METRICS = {
    CacheTier.MEMORY: "CacheHitMemory",
    CacheTier.STORE: "CacheHitDynamoDB",
    CacheTier.SOURCE: "CacheHitBedrock",
}
STALE_RESPONSES = "StaleResponses"
BEDROCK_CALLS = "BedrockCalls"
BEDROCK_FAILURES = "BedrockFailures"
REFRESH_DURATION = "RefreshDuration"
REFRESH_FAILURES = "RefreshFailures"
REGIONS_REFRESHED = "RegionsRefreshed"


class EmfObserver:
    def __init__(self, metrics: Metrics, tracer: Tracer | None = None) -> None:
        self._metrics = metrics
        self._tracer = tracer

    def request_served(self, tier: CacheTier, stale: bool) -> None:
        self._metrics.add_metric(name=CACHE_HIT_METRICS[tier], unit=MetricUnit.Count, value=1)
        if stale:
            self._metrics.add_metric(name=STALE_RESPONSES, unit=MetricUnit.Count, value=1)
        if self._tracer is not None:
            # Lets X-Ray filter the traces of requests that waited on DynamoDB or Bedrock.
            self._tracer.put_annotation(key="cache_tier", value=tier.value)

    def region_fetched(self, region: str, error: SourceError | None) -> None:
        self._region_metric(BEDROCK_CALLS, region)
        if error is not None:
            self._region_metric(BEDROCK_FAILURES, region)

    def refresh_finished(self, seconds: float, refreshed: Sequence[str], failed: Sequence[str]) -> None:
        self._metrics.add_metric(name=REFRESH_DURATION, unit=MetricUnit.Milliseconds, value=round(seconds * 1000, 1))
        self._metrics.add_metric(name=REGIONS_REFRESHED, unit=MetricUnit.Count, value=len(refreshed))
        # Zero included: the refresh-failure alarm then tells "all good" from "the refresher stopped".
        self._metrics.add_metric(name=REFRESH_FAILURES, unit=MetricUnit.Count, value=len(failed))

    def _region_metric(self, name: str, region: str) -> None:
        defaults = dict(self._metrics.default_dimensions)
        service = self._metrics.service
        if service:
            defaults.setdefault("service", service)
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=1,
            namespace=self._metrics.namespace,
            default_dimensions=defaults,
        ) as metric:
            metric.add_dimension(name="region", value=region)
