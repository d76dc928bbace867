"""Powertools Logger, Tracer and Metrics, one of each per container, shared by every handler."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

SERVICE = "bedrock-model-catalog"


class _NoSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class _NoTracing(BaseProvider):
    """The provider of a Tracer that is off. Powertools' default provider is the X-Ray SDK even then,
    and importing it builds two botocore clients: as much cold start as importing boto3, for nothing."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _NoSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _NoSegment()

    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Sequence[str]) -> None: ...
    def patch_all(self) -> None: ...


def _tracer() -> Tracer:
    # Powertools' own rule: on in Lambda unless POWERTOOLS_TRACE_DISABLED; off locally and under SAM.
    if Tracer._is_tracer_disabled():
        return Tracer(service=SERVICE, disabled=True, provider=_NoTracing())
    return Tracer(service=SERVICE)


# Powertools warns on every flush with no metric: the docs, MCP's initialize and a refused request publish
# none, as they should. A log line per such request says nothing.
warnings.filterwarnings("ignore", message="No application metrics to publish", module="aws_lambda_powertools")

logger = Logger(service=SERVICE)
tracer = _tracer()
metrics = Metrics(service=SERVICE, namespace="BedrockModelCatalog")

# The package's modules log through the standard library; give them the same structured output.
logging.getLogger("model_catalog")
copy_config_to_registered_loggers(source_logger=logger, include={"model_catalog"})
