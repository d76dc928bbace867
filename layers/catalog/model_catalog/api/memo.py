"""The response memo: a GET answered from a fresh catalog is kept, whole, and the same request is
answered again with it, without the resolver, while memory still holds that catalog fresh.

A warm catalog answers the same few requests again and again, and the Powertools resolver, logger and
metrics flush cost a small request fifteen times what serialising its body does (README: Performance). What a
GET answers depends on its path, its query, the headers ``deliver`` reads (Accept-Encoding,
If-None-Match, Origin) and the catalog: that is the key, and the catalog is checked on every replay.

The memo never decides anything the resolver would: a request it cannot replay for sure (another
method, no entry, a catalog that changed or is due, a key it cannot confirm) goes through the resolver,
which also renders every error. Only fresh 200 and 304 answers are kept; a replay gets this request's
``request-id`` and counts as a memory hit (``CacheHitMemory``), as the resolver's answer would."""

from __future__ import annotations

import functools
import hmac
import threading
from collections.abc import Callable, Mapping
from typing import Any

from model_catalog.api.delivery import STALE_HEADER
from model_catalog.api.http import presented_key
from model_catalog.errors import SecretUnavailableError
from model_catalog.ports import ApiKeyProvider, CatalogObserver

Event = dict[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]
Key = tuple[str, str, str | None, str | None, str | None]

# Bounds for a client that sends endless distinct paths or validators: the oldest answers go first.
MAX_ENTRIES = 512
MAX_BODY_CHARS = 8 * 1024 * 1024
_REMEMBERED_STATUSES = frozenset({200, 304})
_REQUEST_ID = "request-id"


class ResponseMemo:
    """``fresh_catalog()`` is the catalog memory answers with now, or None when it is stale or due
    (``CatalogService.fresh_catalog``); the memo compares it by identity only."""

    def __init__(
        self, fresh_catalog: Callable[[], object | None], api_keys: ApiKeyProvider, observer: CatalogObserver
    ) -> None:
        self._fresh_catalog = fresh_catalog
        self._api_keys = api_keys
        self._observer = observer
        self._lock = threading.Lock()  # the local server answers from threads; Lambda from one
        self._catalog: object | None = None
        self._entries: dict[Key, dict[str, Any]] = {}
        self._body_chars = 0

    def __call__(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        def answer(event: Event, context: Any) -> dict[str, Any]:
            key = request_key(event)
            if key is None:
                return handler(event, context)
            replay = self._replay(key, event)
            if replay is not None:
                return replay
            before = self._fresh_catalog()
            response = handler(event, context)
            # Kept only when one fresh catalog was current all along, so it is the one that answered.
            if before is not None and self._fresh_catalog() is before:
                self._remember(key, response, before)
            return response

        return answer

    def _replay(self, key: Key, event: Event) -> dict[str, Any] | None:
        kept = self._entries.get(key)
        if kept is None:
            return None
        catalog = self._fresh_catalog()
        if catalog is None or catalog is not self._catalog or not self._authorised(event):
            return None
        self._observer.response_replayed()
        headers = dict(kept["headers"])
        if _REQUEST_ID in headers:  # the Anthropic dialect names each request
            headers[_REQUEST_ID] = str(event["requestContext"].get("requestId") or "")
        return _copy(kept, headers)

    def _authorised(self, event: Event) -> bool:
        try:
            expected = self._api_keys.current()
        except SecretUnavailableError:
            return False  # the resolver answers that one
        if expected is None:
            return True
        given = presented_key(event.get("headers") or {})
        return given is not None and hmac.compare_digest(given.encode(), expected.encode())

    def _remember(self, key: Key, response: dict[str, Any], catalog: object) -> None:
        headers = response.get("headers")
        if (
            response.get("statusCode") not in _REMEMBERED_STATUSES
            or not isinstance(headers, dict)
            or STALE_HEADER in headers
        ):
            return
        size = len(response.get("body") or "")
        if size > MAX_BODY_CHARS:
            return
        kept = _copy(response, dict(headers))
        with self._lock:
            if catalog is not self._catalog:  # answers of an older catalog are never replayed: drop them
                self._entries.clear()
                self._body_chars = 0
                self._catalog = catalog
            old = self._entries.pop(key, None)
            if old is not None:
                self._body_chars -= len(old.get("body") or "")
            while self._entries and (len(self._entries) >= MAX_ENTRIES or self._body_chars + size > MAX_BODY_CHARS):
                oldest = next(iter(self._entries))
                self._body_chars -= len(self._entries.pop(oldest).get("body") or "")
            self._entries[key] = kept
            self._body_chars += size


def _copy(response: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """A response of its own for the caller (the Lambda runtime, the local server): sharing the kept one
    would let a caller that edits its answer change every later replay."""
    copied = {**response, "headers": headers}
    if isinstance(response.get("cookies"), list):
        copied["cookies"] = list(response["cookies"])
    return copied


def request_key(event: Mapping[str, Any]) -> Key | None:
    """What a GET's answer depends on besides the catalog; None for a request that is never replayed.
    API Gateway's HTTP API (payload 2.0) hands header names over in lower case; an event whose names are
    not (a hand-made one) goes through the resolver, whose headers are case-insensitive."""
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    if not isinstance(http, dict) or http.get("method") != "GET":
        return None
    headers = event.get("headers") or {}
    if not isinstance(headers, dict) or not all(map(str.islower, headers)):
        return None
    return (
        str(event.get("rawPath") or ""),
        str(event.get("rawQueryString") or ""),
        headers.get("accept-encoding"),
        headers.get("if-none-match"),
        headers.get("origin"),
    )
