"""The project's own exceptions. Adapters translate AWS errors into these (``raise ... from e``);
each API dialect maps them to a status and a body in exactly one place (``api/errors.py``)."""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigurationError(CatalogError):
    """A setting is missing or invalid. Raised at cold start, never per request."""


# --- request errors (4xx) ---------------------------------------------------------------------


class InvalidRequestError(CatalogError):
    """The client sent something we cannot answer (400)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class ModelNotFoundError(CatalogError):
    """No model, inference profile or alias by that name (404)."""

    def __init__(self, model_id: str, reason: str | None = None) -> None:
        super().__init__(f"model not found: {model_id!r}" + (f" ({reason})" if reason else ""))


class RouteNotFoundError(CatalogError):
    """No route at that path (404)."""

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"no route for {method} {path}")


class MethodNotAllowedError(CatalogError):
    """The path exists, the method does not (405)."""

    def __init__(self, method: str, path: str, allowed: tuple[str, ...] = ()) -> None:
        hint = f"; use {', '.join(allowed)}" if allowed else ""
        super().__init__(f"method {method} is not allowed on {path}{hint}")
        self.allowed = allowed


class AuthenticationError(CatalogError):
    """Missing or wrong API key (401). The message never contains the key."""


# --- dependency errors (5xx) ------------------------------------------------------------------


class CatalogUnavailableError(CatalogError):
    """No region could be read and there is no cached data young enough to serve (503). The service
    answers this again, without trying, for ``retry_after_seconds``: clients hear it as Retry-After."""

    def __init__(self, message: str, retry_after_seconds: int = 30) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class SourceError(CatalogError):
    """Reading one region from Bedrock (or a snapshot) failed."""

    reason = "error"

    def __init__(self, region: str, detail: str) -> None:
        super().__init__(f"{region}: {self.reason}: {detail}")
        self.region = region


class SourceThrottledError(SourceError):
    reason = "throttled"


class SourceAccessDeniedError(SourceError):
    reason = "access denied"


class SourceUnreachableError(SourceError):
    reason = "unreachable"


class SourceMalformedError(SourceError):
    reason = "malformed response"


class CacheStoreError(CatalogError):
    """The shared cache (DynamoDB) could not be read or written. Never fatal: the service goes on
    from memory or the source."""


class SecretUnavailableError(CatalogError):
    """The configured API key could not be read. Requests are refused (fail closed)."""
