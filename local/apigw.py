"""What API Gateway (HTTP API, payload format 2.0) does around a Lambda integration.

- `Route` / `match_route`: route keys such as `GET /v1/models/{model}` or `ANY /files/{proxy+}`, chosen
  as API Gateway does: the most specific route wins, no route -> 404 `{"message":"Not Found"}` (also
  when only the method differs).
- `build_event`: the event a function receives for a request.
- `map_response`: the HTTP response API Gateway makes of what the function returned.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

ACCOUNT_ID = "000000000000"
API_ID = "local"

NOT_FOUND_BODY = b'{"message":"Not Found"}'
INTERNAL_ERROR_BODY = b'{"message":"Internal Server Error"}'

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)


@dataclass(frozen=True)
class Route:
    method: str
    """Upper-case HTTP method, or ANY."""
    path: str
    """Route path, e.g. /anthropic/v1/models/{model_id}; `$default` catches what nothing else matches."""
    target: str
    """The logical id of the function that serves it."""

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.split("/")[1:])

    def match(self, method: str, segments: Sequence[str]) -> dict[str, str] | None:
        """The path parameters when this route serves the request, else None."""
        if self.method not in ("ANY", method):
            return None
        if self.path == "$default":
            return {}
        pattern = self.segments
        greedy = bool(pattern) and pattern[-1].startswith("{") and pattern[-1].endswith("+}")
        fixed = pattern[:-1] if greedy else pattern
        rest = segments[len(fixed) :]
        if len(segments) < len(fixed) or (not greedy and rest) or (greedy and not "/".join(rest)):
            return None
        params: dict[str, str] = {}
        for part, segment in zip(fixed, segments, strict=False):
            if part.startswith("{") and part.endswith("}"):
                if not segment:
                    return None
                params[part[1:-1]] = segment
            elif part != segment:
                return None
        if greedy:
            params[pattern[-1][1:-2]] = "/".join(rest)
        return params

    def specificity(self) -> tuple[int, int, int, int]:
        """Sort key, highest first: not $default, not greedy, literal segments, exact method."""
        literal = sum(1 for part in self.segments if not part.startswith("{"))
        greedy = any(part.endswith("+}") for part in self.segments)
        return (self.path != "$default", not greedy, literal, self.method != "ANY")


def split_path(raw_path: str) -> list[str]:
    """The decoded segments of a raw (percent-encoded) path; %2F stays inside its segment."""
    return [unquote(part) for part in raw_path.split("/")[1:]]


def match_route(routes: Iterable[Route], method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    segments = split_path(raw_path)
    candidates: list[tuple[Route, dict[str, str]]] = []
    for route in routes:
        params = route.match(method.upper(), segments)
        if params is not None:
            candidates.append((route, params))
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[0].specificity())


def new_request_id() -> str:
    """A request id shaped like API Gateway's (16 characters of base64)."""
    return base64.b64encode(secrets.token_bytes(11)).decode()[:15] + "="


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


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


def build_event(
    request: HttpRequest, route: Route, path_params: dict[str, str], request_id: str | None = None
) -> dict[str, Any]:
    """The payload 2.0 event for a request that `route` serves."""
    request_id = request_id or new_request_id()
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-port", "443")
    headers.setdefault("x-forwarded-proto", "http")
    now = time.time()
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now):08x}-{secrets.token_hex(12)}")
    host = headers.get("host", "localhost")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
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
    if request.body:
        if is_text(headers.get("content-type")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                pass
        if "body" not in event:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def map_response(result: Any, request_id: str) -> HttpResponse:
    """API Gateway's HTTP response for what a payload 2.0 function returned.

    A dict with statusCode is a full response (headers, multiValueHeaders, cookies, body,
    isBase64Encoded); anything else is taken as a JSON body with status 200. A malformed response is a
    500 `{"message":"Internal Server Error"}`, as API Gateway answers.
    """
    try:
        response = _map_response(result)
    except (TypeError, ValueError, KeyError):
        response = error_response(500)
    response.headers.append(("apigw-requestid", request_id))
    return response


def _map_response(result: Any) -> HttpResponse:
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return HttpResponse(200, [("content-type", "application/json")], body)
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"bad statusCode {status!r}")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name).lower(), _header_text(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        key = str(name).lower()
        if any(existing == key for existing, _ in headers):
            continue
        headers.extend((key, _header_text(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif not isinstance(raw_body, str):
        raise TypeError("body must be a string")
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body, validate=True)
    else:
        body = raw_body.encode("utf-8")
    return HttpResponse(status, headers, body)


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error_response(status: int) -> HttpResponse:
    body = NOT_FOUND_BODY if status == 404 else INTERNAL_ERROR_BODY
    return HttpResponse(status, [("content-type", "application/json")], body)
