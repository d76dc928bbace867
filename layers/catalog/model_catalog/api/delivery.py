"""How a response leaves: validators and caching for GETs, gzip for large bodies, CORS. One middleware,
added by the shared resolver factory, so every route gets the same behaviour.

- ``ETag``: a weak validator, a hash of the uncompressed body, or the one the route set (a rendered
  body's, from its parts' digests: api/rendered.py). Weak because the gzip and identity
  representations share it (RFC 9110 8.8.1); ``If-None-Match`` uses the weak comparison anyway.
- ``If-None-Match`` that matches: ``304 Not Modified`` with the validator and caching headers, no body.
- ``Cache-Control: private`` (a key-protected answer is for the caller, never a shared cache), with
  ``max-age`` from the settings; ``no-cache`` while the catalog is stale so clients revalidate soon.
- gzip when the client accepts it and the body is at least ``gzip_min_bytes``, at a moderate level (6:
  most of level 9's ratio for a fraction of its time). It leaves base64-encoded (``isBase64Encoded``),
  which API Gateway decodes on the way out.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import CORSConfig
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

STALE_HEADER = "x-catalog-stale"
# What a browser client may send and read across origins (the SDKs' own headers included: the JavaScript
# SDKs of Anthropic and OpenAI send their x-stainless-* platform headers from a browser too).
CORS_ALLOW_HEADERS = [
    "anthropic-version",
    "anthropic-beta",
    "anthropic-workspace-id",
    "anthropic-dangerous-direct-browser-access",
    "if-none-match",
    "mcp-protocol-version",
    "mcp-session-id",
    "x-stainless-arch",
    "x-stainless-lang",
    "x-stainless-os",
    "x-stainless-package-version",
    "x-stainless-retry-count",
    "x-stainless-runtime",
    "x-stainless-runtime-version",
    "x-stainless-timeout",
]
CORS_EXPOSE_HEADERS = ["etag", "request-id", "x-catalog-stale", "x-catalog-age", "mcp-session-id"]
CORS_MAX_AGE_SECONDS = 600
_DROPPED_ON_304 = frozenset({"content-type", "content-length", "content-encoding"})
GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """The HTTP behaviour the settings choose (CORS_ALLOW_ORIGINS, HTTP_MAX_AGE_SECONDS, GZIP_MIN_BYTES)."""

    cors_origins: tuple[str, ...] = ()
    max_age_seconds: int = 60
    gzip_min_bytes: int = 1024

    def cors(self) -> CORSConfig | None:
        if not self.cors_origins:
            return None
        first, *others = ("*",) if "*" in self.cors_origins else self.cors_origins
        return CORSConfig(
            allow_origin=first,
            extra_origins=others,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            max_age=CORS_MAX_AGE_SECONDS,
        )


def weak_etag(digest: bytes) -> str:
    return f'W/"{digest.hex()[:32]}"'


def etag_of(body: bytes) -> str:
    # SHA-256 runs on the CPU's SHA instructions (Graviton and x86 both): twice as fast as BLAKE2b here.
    return weak_etag(hashlib.sha256(body).digest())


def gzipped(raw: bytes) -> str:
    """``raw`` gzipped, in base64 as a Lambda response carries bytes."""
    return base64.b64encode(gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)).decode()


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header matches ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not header:
        return False
    wanted = _opaque(etag)
    return any(tag.strip() == "*" or _opaque(tag) == wanted for tag in header.split(","))


def qualities(header: str | None) -> dict[str, float]:
    """An Accept or Accept-Encoding header as {value: quality}: q is 1 unless given, 0 when unreadable."""
    found: dict[str, float] = {}
    for part in (header or "").split(","):
        value, *params = part.split(";")
        quality = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if value.strip():
            found[value.strip().lower()] = quality
    return found


def acceptable(header: str | None, *ranges: str) -> bool:
    """``header`` allows the most specific of ``ranges`` it names (``"gzip", "*"``; ``"application/json",
    "application/*", "*/*"``) with a quality above zero: ``gzip;q=0, *`` refuses gzip."""
    named = qualities(header)
    return next((named[r] > 0 for r in ranges if r in named), False)


def accepts_gzip(header: str | None) -> bool:
    return acceptable(header, "gzip", "*")


def _encoded(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def _vary(response: Response[Any], *names: str) -> None:
    present = [v.strip() for v in str(response.headers.get("Vary", "")).split(",") if v.strip()]
    for name in names:
        if name.lower() not in (p.lower() for p in present):
            present.append(name)
    response.headers["Vary"] = ", ".join(present)


def deliver(
    method: str, request_headers: Mapping[str, str], response: Response[Any], policy: HttpPolicy
) -> Response[Any]:
    """The response as it should leave, given the request's method and (lower-case) headers."""
    body = response.body
    if not isinstance(body, str | bytes):
        return response
    # Allow-Origin echoes the request's Origin unless every origin is allowed.
    echoes_origin = bool(policy.cors_origins) and "*" not in policy.cors_origins
    vary = ("Accept-Encoding", "Origin") if echoes_origin else ("Accept-Encoding",)
    if method in ("GET", "HEAD") and response.status_code == 200:
        preset = response.headers.get("ETag")
        etag = preset if isinstance(preset, str) else etag_of(_encoded(body))
        response.headers["ETag"] = etag
        stale = str(response.headers.get(STALE_HEADER, "")).lower() == "true"
        max_age = "no-cache" if stale else f"max-age={policy.max_age_seconds}"
        response.headers["Cache-Control"] = f"private, {max_age}"
        _vary(response, *vary)
        if if_none_match(request_headers.get("if-none-match"), etag):
            headers = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED_ON_304}
            return Response(status_code=304, headers=headers, cookies=response.cookies, compress=False)
    elif 200 <= response.status_code < 300:
        _vary(response, *vary)
    if accepts_gzip(request_headers.get("accept-encoding")) and len(raw := _encoded(body)) >= policy.gzip_min_bytes:
        response.body = gzipped(raw)
        response.base64_encoded = True
        response.headers["Content-Encoding"] = "gzip"
    response.compress = False  # compressed here, or not at all
    return response


def delivery_middleware(
    policy: HttpPolicy,
) -> Callable[[APIGatewayHttpResolver, NextMiddleware], Response[Any]]:
    def middleware(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
        response = next_middleware(router)
        event = router.current_event
        # Powertools' headers are case-insensitive already.
        return deliver(event.request_context.http.method.upper(), event.headers, response, policy)

    return middleware
