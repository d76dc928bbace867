"""Bedrock faked at the boto3 boundary, from the snapshot fixture.

Real boto3 ``bedrock`` clients run their whole request path (parameter validation, events, retries
handling of errors); only the HTTP exchange is replaced. botocore's Stubber answers from an ordered
queue, and the adapter calls both operations of a region at once, so ``OperationStubber`` keeps
Stubber's validation but picks the next queued answer *for the operation called*.

Faults that live on the wire (timeouts, a throttle that retries absorb, a body botocore cannot
parse) bypass the Stubber: the request goes on through botocore's endpoint, retry handler and
parser, and a ``before-send`` hook answers it in place of the network."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber, UnStubbedResponseError

from model_catalog.adapters.bedrock import CLIENT_CONFIG, MAX_ATTEMPTS

# Fields Bedrock returns as timestamps: boto3 hands them over as datetimes, so the fake does too.
_MODEL_TIMESTAMPS = ("startOfLifeTime", "endOfLifeTime", "legacyTime", "publicExtendedAccessTime")
_PROFILE_TIMESTAMPS = ("createdAt", "updatedAt")


class OperationStubber(Stubber):
    """A Stubber whose queue is per operation, safe to call from several threads. ``validated`` holds
    the ids of answers already checked against the service model, so an answer queued again (every
    round, every client) is not checked again."""

    _queue: deque[dict[str, Any]]

    def __init__(
        self,
        client: Any,
        validated: set[int] | None = None,
        on_the_wire: Callable[[str], bool] = lambda _operation: False,
    ) -> None:
        super().__init__(client)
        self._lock = threading.Lock()
        self._validated = validated if validated is not None else set()
        self._on_the_wire = on_the_wire

    def _validate_operation_response(self, operation_name: str, service_response: Any) -> None:
        # The same cached answer is queued again and again; checking it against the model once is enough.
        if id(service_response) not in self._validated:
            super()._validate_operation_response(operation_name, service_response)  # type: ignore[misc]
            self._validated.add(id(service_response))

    def _assert_expected_call_order(self, model: Any, params: Any) -> None:
        if self._on_the_wire(model.name):
            return
        with self._lock:
            if not any(r["operation_name"] == model.name for r in self._queue):
                raise UnStubbedResponseError(operation_name=model.name, reason=f"no answer queued for {model.name}")

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        return None  # the fake answers by operation and nextToken; parameters are validated by botocore

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        if self._on_the_wire(model.name):
            return None  # botocore sends the request; FakeBedrock's before-send hook answers it
        with self._lock:
            for index, queued in enumerate(self._queue):
                if queued["operation_name"] == model.name:
                    del self._queue[index]
                    return queued["response"]
        raise UnStubbedResponseError(operation_name=model.name, reason="queue emptied meanwhile")


def _with_datetimes(summary: dict[str, Any], fields: Iterable[str], nested: str | None = None) -> dict[str, Any]:
    result = copy.deepcopy(summary)
    target = result.get(nested, {}) if nested else result
    for field in fields:
        if isinstance(target.get(field), str):
            target[field] = datetime.fromisoformat(target[field])
    return result


@dataclass
class WireFault:
    """What a region's HTTP exchange does for its first ``attempts`` attempts (every attempt when
    None), per operation; after that it answers the fixture's data."""

    kind: str  # "read-timeout", "connect-timeout", "refused", "throttle" or "raw"
    attempts: int | None = None
    bodies: dict[str, bytes] | None = None  # "raw": the body per operation name

    def applies(self, operation: str, attempt: int) -> bool:
        if self.kind == "raw" and operation not in (self.bodies or {}):
            return False
        return self.attempts is None or attempt <= self.attempts


class _RawBody:
    """What botocore reads an HTTP body from."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self.data

    def read(self, *_: Any) -> bytes:
        return self.data


class FakeBedrock:
    """Answers ListFoundationModels / ListInferenceProfiles per region from a snapshot document.

    ``rounds`` is how many full refreshes each client can answer; ``page_size`` splits the
    inference profiles into pages with nextToken, as Bedrock does. ``fail(region, code)`` makes that
    region answer an AWS error instead; ``delay`` sleeps before every call (injected latency).
    ``time_out``, ``throttle`` and ``answer_raw`` put a region's exchange on the wire (see the module
    docstring); ``attempts`` counts its HTTP attempts, retries included."""

    def __init__(self, snapshot: dict[str, Any], rounds: int = 1, page_size: int = 10, delay: float = 0.0) -> None:
        self.snapshot = snapshot
        self.rounds = rounds
        self.page_size = page_size
        self.delay = delay
        # When set, every call waits for it: a test holds a refresh open while it watches the others.
        self.hold: threading.Event | None = None
        self.calls: Counter[tuple[str, str]] = Counter()
        self.attempts: Counter[tuple[str, str]] = Counter()
        self.failures: dict[str, str] = {}
        self.wire: dict[str, WireFault] = {}
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, OperationStubber] = {}
        self._lock = threading.Lock()
        # Built and checked once, queued by reference: setting up a client stays cheap, so what a
        # benchmark times is the adapter, not the fake.
        self._answers: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._validated: set[int] = set()
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )

    # --- what tests configure ------------------------------------------------------------------------

    def fail(self, region: str, code: str) -> None:
        """Every call in ``region`` answers this AWS error code from now on."""
        self.failures[region] = code
        if region in self.stubbers:
            self._requeue(region)

    def heal(self, region: str) -> None:
        self.failures.pop(region, None)
        self.wire.pop(region, None)
        if region in self.stubbers:
            self._requeue(region)

    def time_out(self, region: str, kind: str = "read", attempts: int | None = None) -> None:
        """The region's HTTP attempts time out (``kind``: read or connect), as a hung endpoint does."""
        self._put_on_the_wire(region, WireFault(f"{kind}-timeout", attempts))

    def refuse_connections(self, region: str, attempts: int | None = None) -> None:
        """The region's HTTP attempts cannot connect, as when its endpoint is down."""
        self._put_on_the_wire(region, WireFault("refused", attempts))

    def throttle(self, region: str, attempts: int | None = None) -> None:
        """The region answers HTTP 429 ThrottlingException to its first ``attempts`` attempts."""
        self._put_on_the_wire(region, WireFault("throttle", attempts))

    def answer_raw(self, region: str, bodies: dict[str, bytes]) -> None:
        """The region answers these bodies (per operation name) with HTTP 200, whatever they hold."""
        self._put_on_the_wire(region, WireFault("raw", None, bodies))

    def _put_on_the_wire(self, region: str, fault: WireFault) -> None:
        self.failures.pop(region, None)
        self.wire[region] = fault

    def add_rounds(self, rounds: int = 1) -> None:
        for region in self.stubbers:
            for _ in range(rounds):
                self._queue_round(region)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    # --- the client factory the adapter receives ------------------------------------------------------

    def client_factory(self, make_client: Callable[[str], Any] | None = None) -> Callable[[str], Any]:
        """The factory ``BedrockSource`` receives. Its clients come from ``make_client`` (the adapter's own
        factory, say, to measure what creating them costs) or from the fake's session, and are stubbed."""

        def make(region: str) -> Any:
            if make_client is not None:
                client = make_client(region)
            else:
                with self._lock:
                    client = self._session.client("bedrock", region_name=region, config=CLIENT_CONFIG)
            client.meta.events.register_first("before-call.*.*", self._count_and_delay(region))
            client.meta.events.register("before-send.*.*", self._answer_on_the_wire(region))
            stubber = OperationStubber(client, self._validated, on_the_wire=lambda _operation: region in self.wire)
            stubber.activate()
            self.clients[region], self.stubbers[region] = client, stubber
            self._requeue(region)
            return client

        return make

    def _count_and_delay(self, region: str) -> Callable[..., None]:
        def hook(model: Any, **_: Any) -> None:
            with self._lock:
                self.calls[(region, model.name)] += 1
            if self.delay:
                time.sleep(self.delay)
            if self.hold is not None and not self.hold.wait(timeout=30):
                raise TimeoutError("FakeBedrock.hold was never released")

        return hook

    def _answer_on_the_wire(self, region: str) -> Callable[..., Any]:
        def hook(request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
            fault = self.wire.get(region)
            if fault is None:
                return None
            operation = event_name.rsplit(".", 1)[-1]
            with self._lock:
                self.attempts[(region, operation)] += 1
                attempt = self.attempts[(region, operation)]
            if not fault.applies(operation, attempt):
                return _response(request, 200, json.dumps(self._wire_body(region, operation)).encode())
            if fault.kind == "read-timeout":
                raise ReadTimeoutError(endpoint_url=request.url)
            if fault.kind == "connect-timeout":
                raise ConnectTimeoutError(endpoint_url=request.url)
            if fault.kind == "refused":
                raise EndpointConnectionError(endpoint_url=request.url)
            if fault.kind == "throttle":
                error = {"message": "Too many requests, please wait before trying again."}
                return _response(request, 429, json.dumps(error).encode(), {"x-amzn-ErrorType": "ThrottlingException"})
            return _response(request, 200, (fault.bodies or {})[operation])

        return hook

    def _wire_body(self, region: str, operation: str) -> dict[str, Any]:
        """The fixture's answer as Bedrock's JSON (timestamps as ISO strings, one profile page)."""
        data = self.snapshot["regions"][region]
        if operation == "ListFoundationModels":
            return {"modelSummaries": data["ListFoundationModels"]["modelSummaries"]}
        return {"inferenceProfileSummaries": data["ListInferenceProfiles"]["inferenceProfileSummaries"]}

    def _requeue(self, region: str) -> None:
        stubber = self.stubbers[region]
        with stubber._lock:
            stubber._queue.clear()
        for _ in range(self.rounds):
            self._queue_round(region)

    def _queue_round(self, region: str) -> None:
        stubber = self.stubbers[region]
        code = self.failures.get(region)
        if code is not None:
            for method in ("list_foundation_models", "list_inference_profiles"):
                # A stubbed answer skips botocore's retries: the error is what the last attempt would
                # bring. Queue plenty, so that later calls within the round see it too.
                for _ in range(MAX_ATTEMPTS):
                    stubber.add_client_error(method, service_error_code=code, http_status_code=_status(code))
            return
        if region not in self.snapshot["regions"]:
            for method in ("list_foundation_models", "list_inference_profiles"):
                stubber.add_client_error(method, service_error_code="UnrecognizedClientException", http_status_code=403)
            return
        for method, response in self._answers_of(region):
            stubber.add_response(method, response)

    def _answers_of(self, region: str) -> list[tuple[str, dict[str, Any]]]:
        """One round of answers for ``region``, as boto3 returns them (timestamps as datetimes)."""
        with self._lock:
            answers = self._answers.get(region)
            if answers is None:
                answers = self._answers[region] = self._build_answers(self.snapshot["regions"][region])
            return answers

    def _build_answers(self, data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        models = [
            _with_datetimes(m, _MODEL_TIMESTAMPS, "modelLifecycle")
            for m in data["ListFoundationModels"]["modelSummaries"]
        ]
        answers: list[tuple[str, dict[str, Any]]] = [("list_foundation_models", {"modelSummaries": models})]
        profiles = [
            _with_datetimes(p, _PROFILE_TIMESTAMPS) for p in data["ListInferenceProfiles"]["inferenceProfileSummaries"]
        ]
        pages = [profiles[i : i + self.page_size] for i in range(0, len(profiles), self.page_size)] or [[]]
        for number, page in enumerate(pages):
            response: dict[str, Any] = {"inferenceProfileSummaries": page}
            if number + 1 < len(pages):
                response["nextToken"] = f"page-{number + 1}"
            answers.append(("list_inference_profiles", response))
        return answers


def refresh_calls(snapshot: dict[str, Any], regions: Iterable[str], page_size: int) -> int:
    """The Bedrock calls of a full refresh of ``regions``: ListFoundationModels once and
    ListInferenceProfiles once per page of ``page_size``, in every region."""
    total = 0
    for region in regions:
        profiles = len(snapshot["regions"][region]["ListInferenceProfiles"]["inferenceProfileSummaries"])
        total += 1 + max(1, -(-profiles // page_size))
    return total


def _response(
    request: AWSPreparedRequest, status: int, body: bytes, headers: dict[str, str] | None = None
) -> AWSResponse:
    http_headers = HTTPHeaders()
    for name, value in {"content-type": "application/json", **(headers or {})}.items():
        http_headers[name] = value
    return AWSResponse(request.url, status, http_headers, _RawBody(body))


def _status(code: str) -> int:
    return {"ThrottlingException": 429, "AccessDeniedException": 403, "ServiceUnavailableException": 503}.get(code, 400)
