"""Bedrock's control plane: ListFoundationModels and ListInferenceProfiles (SYSTEM_DEFINED, every
page) for every region at once. AWS errors become the project's own ``SourceError``s."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from model_catalog.adapters.clients import bedrock_clients
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

# Set to fit a request's budget (MODEL_CACHE_COLD_WAIT_SECONDS): a throttled or refused region gives up
# within about 3 s, with no adaptive rate limiter's waits on top (docs/stale-data.md, "botocore").
MAX_ATTEMPTS = 3  # in all, the first try included (botocore's "max_attempts" would count retries only)
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
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
_SCALARS = frozenset({str, bool, int, float, type(None)})

ClientFactory = Callable[[str], "BedrockClient"]
# A region's calls under way: its ListInferenceProfiles pages, its ListFoundationModels.
_Calls = tuple[Future[list[RawSummary]], Future[list[RawSummary]]]


def default_client_factory() -> ClientFactory:
    return bedrock_clients(CLIENT_CONFIG)


class BedrockSource:
    name = "Amazon Bedrock"
    kind = "bedrock"

    def __init__(self, client_factory: ClientFactory | None = None, clock: Callable[[], float] = time.time) -> None:
        self._factory = client_factory or default_client_factory()
        self._clients: dict[str, BedrockClient] = {}
        self._clients_lock = threading.Lock()
        self._clock = clock

    def fetch(self, regions: Sequence[str]) -> Iterator[tuple[str, RegionSnapshot | SourceError]]:
        """Every region at once; each is yielded as soon as both its calls have answered, so the caller
        reads it while slower regions are still answering."""
        if not regions:
            return
        pool = ThreadPoolExecutor(max_workers=2 * len(regions), thread_name_prefix="bedrock")
        try:
            started, failed = self._start(regions, pool)
            yield from failed.items()
            yield from self._as_answered(started)
        finally:
            # Every call has answered (or the caller stopped listening): the threads end by themselves,
            # and waiting for them would only hold the refresh up.
            pool.shutdown(wait=False, cancel_futures=True)

    def _start(
        self, regions: Sequence[str], pool: ThreadPoolExecutor
    ) -> tuple[dict[str, _Calls], dict[str, SourceError]]:
        """Make each region's client and start its first ListInferenceProfiles page at once, then the
        next region's; the ListFoundationModels calls, never more than one page, start last.

        Clients are made in this thread, one after the other: making one is CPU-bound and holds the
        session's lock, so threads would only queue for it. Each region's calls wait on Bedrock while
        the next client is made."""
        failed: dict[str, SourceError] = {}
        clients: dict[str, BedrockClient] = {}
        profiles: dict[str, Future[list[RawSummary]]] = {}
        for region in regions:
            try:
                clients[region] = self.client(region)
            except BotoCoreError as e:
                failed[region] = SourceError(region, f"no client: {type(e).__name__}")
                continue
            profiles[region] = pool.submit(self._profiles, clients[region], region)
        started = {
            region: (profiles[region], pool.submit(self._models, client, region)) for region, client in clients.items()
        }
        return started, failed

    def _as_answered(self, started: Mapping[str, _Calls]) -> Iterator[tuple[str, RegionSnapshot | SourceError]]:
        region_of = {call: region for region, calls in started.items() for call in calls}
        unanswered = Counter(region_of.values())
        for call in as_completed(region_of):
            region = region_of[call]
            unanswered[region] -= 1
            if not unanswered[region]:
                yield region, self._snapshot(region, *started[region])

    def _snapshot(
        self, region: str, profiles: Future[list[RawSummary]], models: Future[list[RawSummary]]
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

    def _models(self, client: BedrockClient, region: str) -> list[RawSummary]:
        with translated_bedrock_errors(region, "ListFoundationModels"):
            response = client.list_foundation_models()
        summaries = response.get("modelSummaries")
        if not isinstance(summaries, list):
            raise SourceMalformedError(region, "ListFoundationModels answered without modelSummaries")
        return [_project(s, _MODEL_FIELDS) for s in summaries]

    def _profiles(self, client: BedrockClient, region: str) -> list[RawSummary]:
        found: list[RawSummary] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"typeEquals": "SYSTEM_DEFINED", "maxResults": 1000}
            if token:
                kwargs["nextToken"] = token
            with translated_bedrock_errors(region, "ListInferenceProfiles"):
                response = client.list_inference_profiles(**kwargs)
            page = response.get("inferenceProfileSummaries")
            if not isinstance(page, list):
                raise SourceMalformedError(region, "ListInferenceProfiles answered without inferenceProfileSummaries")
            found.extend(_project(s, _PROFILE_FIELDS) for s in page)
            token = response.get("nextToken")
            if not token:
                return found


@contextlib.contextmanager
def translated_bedrock_errors(region: str, operation: str) -> Iterator[None]:
    """Turns botocore's errors into ours, naming the region and the call."""
    try:
        yield
    except SourceError:
        raise
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        message = f"{operation}: {code}"
        if code in _THROTTLING:
            raise SourceThrottledError(region, message) from e
        if code in _ACCESS_DENIED:
            raise SourceAccessDeniedError(region, message) from e
        raise SourceError(region, message) from e
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError) as e:
        raise SourceUnreachableError(region, f"{operation}: {type(e).__name__}") from e
    except BotoCoreError as e:
        raise SourceError(region, f"{operation}: {type(e).__name__}") from e
    except Exception as e:
        # botocore's parser raises plain TypeError/ValueError on a body that does not fit the
        # API's shape: that is the region answering garbage, not a bug of ours.
        raise SourceMalformedError(region, f"{operation}: unparseable answer ({type(e).__name__})") from e


def _project(summary: Any, fields: Sequence[str]) -> RawSummary:
    """Keep what the catalog uses, JSON-safe: smaller cache items, nothing boto3-specific inside."""
    if not isinstance(summary, dict):
        return {}
    return {k: _json_safe(summary[k]) for k in fields if k in summary}


def _json_safe(value: Any) -> Any:
    if type(value) in _SCALARS:  # most values: a third less time for a refresh's ~900 summaries
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
