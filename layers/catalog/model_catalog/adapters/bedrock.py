"""Bedrock's control plane: ListFoundationModels and ListInferenceProfiles (SYSTEM_DEFINED, every
page) for every region at once. AWS errors become the project's own ``SourceError``s."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from model_catalog.adapters.clients import create_client
from model_catalog.domain.records import RawSummary, RegionSnapshot
from model_catalog.errors import (
    SourceAccessDeniedError,
    SourceError,
    SourceMalformedError,
    SourceThrottledError,
    SourceUnreachableError,
)

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

# Set on purpose: a region that hangs must not hold a refresh longer than the API's timeout, and
# adaptive retries back off when Bedrock throttles a burst of regions.
MAX_ATTEMPTS = 4  # in all, the first try included (botocore's "max_attempts" would count retries only)
CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
    max_pool_connections=4,
)

_THROTTLING = {"ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling"}
_ACCESS_DENIED = {"AccessDeniedException", "UnrecognizedClientException", "AccessDenied", "ExpiredTokenException"}
_MODEL_FIELDS = (
    "modelId",
    "modelName",
    "providerName",
    "inputModalities",
    "outputModalities",
    "responseStreamingSupported",
    "inferenceTypesSupported",
    "modelLifecycle",
)
_PROFILE_FIELDS = ("inferenceProfileId", "status", "type", "models")

ClientFactory = Callable[[str], "BedrockClient"]


def default_client_factory() -> ClientFactory:
    def make(region: str) -> BedrockClient:
        return cast("BedrockClient", create_client("bedrock", region_name=region, config=CLIENT_CONFIG))

    return make


class BedrockSource:
    name = "Amazon Bedrock"

    def __init__(self, client_factory: ClientFactory | None = None, clock: Callable[[], float] = time.time) -> None:
        self._factory = client_factory or default_client_factory()
        self._clients: dict[str, BedrockClient] = {}
        self._clients_lock = threading.Lock()
        self._clock = clock

    def fetch(self, regions: Sequence[str]) -> Mapping[str, RegionSnapshot | SourceError]:
        if not regions:
            return {}
        # Both calls of every region run at once: a refresh takes as long as the slowest region.
        with ThreadPoolExecutor(max_workers=2 * len(regions), thread_name_prefix="bedrock") as pool:
            pending = {
                region: (
                    pool.submit(self._models, region),
                    pool.submit(self._profiles, region),
                )
                for region in regions
            }
            return {region: self._collect(region, *futures) for region, futures in pending.items()}

    def _collect(
        self, region: str, models: Future[list[RawSummary]], profiles: Future[list[RawSummary]]
    ) -> RegionSnapshot | SourceError:
        try:
            return RegionSnapshot(region, tuple(models.result()), tuple(profiles.result()), self._clock())
        except SourceError as e:
            return e

    def client(self, region: str) -> BedrockClient:
        with self._clients_lock:
            client = self._clients.get(region)
            if client is None:
                client = self._clients[region] = self._factory(region)
            return client

    def _models(self, region: str) -> list[RawSummary]:
        with _translated(region, "ListFoundationModels"):
            response = self.client(region).list_foundation_models()
        summaries = response.get("modelSummaries")
        if not isinstance(summaries, list):
            raise SourceMalformedError(region, "ListFoundationModels answered without modelSummaries")
        return [_project(s, _MODEL_FIELDS) for s in summaries]

    def _profiles(self, region: str) -> list[RawSummary]:
        client = self.client(region)
        found: list[RawSummary] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"typeEquals": "SYSTEM_DEFINED", "maxResults": 1000}
            if token:
                kwargs["nextToken"] = token
            with _translated(region, "ListInferenceProfiles"):
                response = client.list_inference_profiles(**kwargs)
            page = response.get("inferenceProfileSummaries")
            if not isinstance(page, list):
                raise SourceMalformedError(region, "ListInferenceProfiles answered without inferenceProfileSummaries")
            found.extend(_project(s, _PROFILE_FIELDS) for s in page)
            token = response.get("nextToken")
            if not token:
                return found


class _translated:
    """Turns botocore's errors into ours, naming the region and the call."""

    def __init__(self, region: str, operation: str) -> None:
        self.region, self.operation = region, operation

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if error is None or isinstance(error, SourceError):
            return
        where = f"{self.operation}"
        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "")
            message = f"{where}: {code}"
            if code in _THROTTLING:
                raise SourceThrottledError(self.region, message) from error
            if code in _ACCESS_DENIED:
                raise SourceAccessDeniedError(self.region, message) from error
            raise SourceError(self.region, message) from error
        if isinstance(error, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
            raise SourceUnreachableError(self.region, f"{where}: {type(error).__name__}") from error
        if isinstance(error, BotoCoreError):
            raise SourceError(self.region, f"{where}: {type(error).__name__}") from error
        if isinstance(error, Exception):
            # botocore's parser raises plain TypeError/ValueError on a body that does not fit the
            # API's shape: that is the region answering garbage, not a bug of ours.
            raise SourceMalformedError(self.region, f"{where}: unparseable answer ({type(error).__name__})") from error


def _project(summary: Any, fields: Sequence[str]) -> RawSummary:
    """Keep what the catalog uses, JSON-safe: smaller cache items, nothing boto3-specific inside."""
    if not isinstance(summary, dict):
        return {}
    return {k: _json_safe(summary[k]) for k in fields if k in summary}


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
