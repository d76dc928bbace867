"""The scheduled refresh (EventBridge): rebuild the shared cache from Bedrock ahead of its expiry, so no
user request waits on Bedrock in steady state. Reserved concurrency 1: never two at once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from model_catalog.observability import logger, metrics, tracer
from model_catalog.runtime import runtime

rt = runtime()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = rt.service.refresh()
    outcome = {
        "refreshed": report.refreshed,
        "failed": report.failed,
        "skipped": "another refresh holds the lease" if report.skipped_lease else None,
        # Regions that failed lately, left until their back-off window ends: seconds to go.
        "backed_off": report.backed_off,
    }
    if report.failed:
        logger.error("catalog refresh: some regions failed and keep their last good data", extra=outcome)
    else:
        logger.info("catalog refresh done", extra=outcome)
    return outcome
