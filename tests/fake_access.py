"""Bedrock's GetFoundationModelAvailability faked at the boto3 boundary.

The request goes through the real client (parameter validation, the URI with the model id, the retry
handler, adaptive mode's rate limiter) and a ``before-send`` hook answers it in place of the network with
the JSON Bedrock sends, which botocore's parser reads against the service model. Every pair answers
"callable" unless a test says otherwise; a region can be throttled (HTTP 429), denied (403) or down (no
connection)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import EndpointConnectionError
from moto.core.models import botocore_stubber

from model_catalog.adapters.bedrock_access import CLIENT_CONFIG
from tests.fakes import _response

OPERATION = "GetFoundationModelAvailability"


@dataclass(frozen=True)
class Statuses:
    """One answer, as Bedrock spells its values."""

    authorization: str = "AUTHORIZED"
    entitlement: str = "AVAILABLE"
    region: str = "AVAILABLE"
    agreement: str = "AVAILABLE"

    def body(self, model_id: str) -> dict[str, Any]:
        return {
            "modelId": model_id,
            "authorizationStatus": self.authorization,
            "entitlementAvailability": self.entitlement,
            "regionAvailability": self.region,
            "agreementAvailability": {"status": self.agreement},
        }


CALLABLE = Statuses()


@dataclass
class _Fault:
    code: str  # ThrottlingException (429), AccessDeniedException (403) or refused (no connection)
    attempts: int | None  # the first so many HTTP attempts; None: all


class FakeAccess:
    """``answers[(region, model id)]`` overrides the default answer (callable); ``calls`` counts API calls
    per pair (what the adapter asked), ``attempts`` HTTP attempts (retries included)."""

    def __init__(self, default: Statuses = CALLABLE, delay: float = 0.0) -> None:
        self.default = default
        self.delay = delay
        self.answers: dict[tuple[str, str], Statuses] = {}
        self.faults: dict[str, _Fault] = {}
        self.calls: Counter[tuple[str, str]] = Counter()
        self.attempts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )

    # --- what tests configure ------------------------------------------------------------------------

    def answer(self, region: str, model_id: str, statuses: Statuses) -> None:
        self.answers[(region, model_id)] = statuses

    def throttle(self, region: str, attempts: int | None = None) -> None:
        self.faults[region] = _Fault("ThrottlingException", attempts)

    def deny(self, region: str) -> None:
        """The call itself is refused: the role lacks bedrock:GetFoundationModelAvailability."""
        self.faults[region] = _Fault("AccessDeniedException", None)

    def refuse_connections(self, region: str) -> None:
        """Every attempt fails to connect, as when the region's endpoint is down."""
        self.faults[region] = _Fault("refused", None)

    def heal(self, region: str) -> None:
        self.faults.pop(region, None)
        self.attempts = Counter({k: v for k, v in self.attempts.items() if k[0] != region})

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def calls_in(self, region: str) -> int:
        return sum(n for (r, _), n in self.calls.items() if r == region)

    # --- clients ---------------------------------------------------------------------------------------

    def client(self, region: str) -> Any:
        """A Bedrock client of its own session, configured as the adapter's, answered by this fake (the
        factory ``BedrockAccessChecker`` receives)."""
        with self._lock:
            client = self._session.client("bedrock", region_name=region, config=CLIENT_CONFIG)
        return self.install(client, region)

    def install(self, client: Any, region: str) -> Any:
        # botocore calls every before-send handler, not just up to the first answer: inside mock_aws, moto's
        # would also run and refuse an operation it does not implement. This one is answered here alone.
        client.meta.events.unregister("before-send", botocore_stubber)
        client.meta.events.register(f"before-call.bedrock.{OPERATION}", self._count(region))
        client.meta.events.register_first(f"before-send.bedrock.{OPERATION}", self._answer(region))
        return client

    def _count(self, region: str) -> Callable[..., None]:
        def hook(params: dict[str, Any], **_: Any) -> None:
            with self._lock:
                self.calls[(region, unquote(params["url_path"].rsplit("/", 1)[-1]))] += 1
            if self.delay:
                time.sleep(self.delay)

        return hook

    def _answer(self, region: str) -> Callable[..., AWSResponse]:
        def hook(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
            model_id = unquote(request.url.rsplit("/", 1)[-1])
            with self._lock:
                self.attempts[(region, model_id)] += 1
                attempt = self.attempts[(region, model_id)]
            fault = self.faults.get(region)
            if fault is not None and (fault.attempts is None or attempt <= fault.attempts):
                if fault.code == "refused":
                    raise EndpointConnectionError(endpoint_url=request.url)
                status = 429 if fault.code == "ThrottlingException" else 403
                body = json.dumps({"message": fault.code}).encode()
                return _response(request, status, body, {"x-amzn-ErrorType": fault.code})
            statuses = self.answers.get((region, model_id), self.default)
            return _response(request, 200, json.dumps(statuses.body(model_id)).encode())

        return hook
