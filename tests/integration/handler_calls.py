"""Calling a handler as API Gateway would: an event from events/ with the parts a test changes, and
the handler's answer read back as status, headers and JSON."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from tests.conftest import LambdaContext, load_event


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error_type(self) -> str:
        """The error's type in either dialect."""
        return str(self.body["error"]["type"])


def request(
    event_name: str,
    *,
    path: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The event ``event_name`` with another rawPath (encoded or not, as given), query or headers; a
    header set to None is left out."""
    event = load_event(event_name)
    if path is not None:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
    if path_parameters is not None:
        event["pathParameters"] = path_parameters
    if query is not None:
        event["rawQueryString"] = urlencode(query)
        event.pop("queryStringParameters", None)
        if query:
            event["queryStringParameters"] = dict(query)
    for name, value in (headers or {}).items():
        event["headers"].pop(name, None)
        if value is not None:
            event["headers"][name] = value
    return event


def invoke(handler: ModuleType, event: dict[str, Any]) -> Reply:
    result = handler.lambda_handler(event, LambdaContext())
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name.lower(), ",".join(str(v) for v in values))
    body: str | bytes | None = result.get("body")
    if body and result.get("isBase64Encoded"):
        body = base64.b64decode(body)
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
    return Reply(result["statusCode"], headers, json.loads(body) if body else None)
