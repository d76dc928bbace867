"""What API Gateway (HTTP API, payload format 2.0) does around a Lambda integration, for the routes
template.yaml has: a method and a path of literal and `{name}` segments, plus the `$default` route.

- `Route` / `match_route`: the route that serves a request, as API Gateway chooses it (a literal segment
  beats a parameter; no route -> 404 `{"message":"Not Found"}`, also when only the method differs).
- `build_event`: the event a function receives for a request.
- `map_response`: the HTTP response API Gateway makes of what the function returned.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

INTERNAL_ERROR_BODY = b'{"message":"Internal Server Error"}'
DEFAULT_ROUTE = "$default"


@dataclass(frozen=True)
class Route:
    method: str
    """Upper-case HTTP method; ANY for the `$default` route."""
    path: str
    """Route path, e.g. /anthropic/v1/models/{model_id}, or `$default` (what nothing else matches)."""
    target: str
    """The logical id of the function that serves it."""

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"

    def match(self, method: str, segments: Sequence[str]) -> dict[str, str] | None:
        """The path parameters when this route serves the request, else None."""
        if self.path == DEFAULT_ROUTE:
            return {}
        parts = self.path.split("/")[1:]
        if self.method != method or len(segments) != len(parts):
            return None
        params = {part[1:-1]: segment for part, segment in zip(parts, segments, strict=True) if part.startswith("{")}
        literal_ok = all(part == segment for part, segment in zip(parts, segments, strict=True) if part[:1] != "{")
        return params if literal_ok and all(params.values()) else None

    def specificity(self) -> tuple[bool, int]:
        """Sort key, highest first: not $default, then the number of literal segments."""
        return (self.path != DEFAULT_ROUTE, sum(1 for part in self.path.split("/") if part[:1] != "{"))


def match_route(routes: Iterable[Route], method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    # Segments are decoded one by one: %2F stays inside its segment.
    segments = [unquote(part) for part in raw_path.split("/")[1:]]
    candidates = [(route, params) for route in routes if (params := route.match(method.upper(), segments)) is not None]
    return max(candidates, key=lambda candidate: candidate[0].specificity()) if candidates else None


def new_request_id() -> str:
    """A request id shaped like API Gateway's (16 characters of base64)."""
    return base64.b64encode(secrets.token_bytes(11)).decode()[:15] + "="


@dataclass
class HttpRequest:
    method: str
    raw_path: str
    raw_query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def build_event(request: HttpRequest, route: Route, path_params: dict[str, str], request_id: str) -> dict[str, Any]:
    """The payload 2.0 event for a request that `route` serves."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    now = time.time()
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now):08x}-{secrets.token_hex(12)}")
    host = headers.get("host", "localhost")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
    }
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value  # API Gateway joins repeats
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method.upper(),
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    event["isBase64Encoded"] = False
    if request.body:
        try:
            event["body"] = request.body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def map_response(result: Any, request_id: str) -> HttpResponse:
    """API Gateway's HTTP response for the function's `{"statusCode", "headers", "body",
    "isBase64Encoded"}`; anything malformed is a 500 `{"message":"Internal Server Error"}`, as API
    Gateway answers."""
    try:
        status = result["statusCode"]
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"bad statusCode {status!r}")
        headers = [(str(name).lower(), str(value)) for name, value in (result.get("headers") or {}).items()]
        raw_body = result.get("body") or ""
        if not isinstance(raw_body, str):
            raise TypeError("body must be a string")
        body = base64.b64decode(raw_body, validate=True) if result.get("isBase64Encoded") else raw_body.encode()
        response = HttpResponse(status, headers, body)
    except (TypeError, ValueError, KeyError, binascii.Error):
        response = HttpResponse(500, [("content-type", "application/json")], INTERNAL_ERROR_BODY)
    response.headers.append(("apigw-requestid", request_id))
    return response
