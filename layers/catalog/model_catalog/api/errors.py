"""The one place where an exception becomes a status and a body, per dialect."""

from __future__ import annotations

import enum
from typing import Any

from model_catalog.errors import (
    AuthenticationError,
    CatalogUnavailableError,
    InvalidRequestError,
    MethodNotAllowedError,
    ModelNotFoundError,
    RouteNotFoundError,
    SecretUnavailableError,
)


class Dialect(enum.Enum):
    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    JSONRPC = "jsonrpc"  # POST /mcp: errors before or around the MCP exchange itself


_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InvalidRequestError, 400),
    (AuthenticationError, 401),
    (ModelNotFoundError, 404),
    (RouteNotFoundError, 404),
    (MethodNotAllowedError, 405),
    (CatalogUnavailableError, 503),
    (SecretUnavailableError, 503),
)

_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    405: "invalid_request_error",
    503: "overloaded_error",
}
_OPENAI_TYPES = {503: "service_unavailable", 500: "server_error"}

# JSON-RPC codes for errors raised outside a method call (the API key check, a dependency down), else
# -32600 (invalid request). -32001 is what MCP servers conventionally send for "unauthorized";
# -32000..-32019 is the implementation-defined band; -32603 is JSON-RPC's internal error.
_JSONRPC_CODES = {401: -32001, 503: -32003, 500: -32603}

# What a client is told about an error we did not expect: never internals.
INTERNAL_MESSAGE = "internal error; the request id identifies it in the service's logs"


def status_of(error: Exception) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 500)


# Messages quote what the client sent; a 100 kB parameter must not come back as a 100 kB error.
MAX_MESSAGE_CHARS = 500


def message_of(error: Exception) -> str:
    if status_of(error) == 500:
        return INTERNAL_MESSAGE
    message = str(error)
    if not message and isinstance(error, AuthenticationError):
        message = "invalid API key"
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def anthropic_body(error: Exception, request_id: str) -> dict[str, Any]:
    status = status_of(error)
    return {
        "type": "error",
        "error": {"type": _ANTHROPIC_TYPES.get(status, "api_error"), "message": message_of(error)},
        "request_id": request_id,
    }


def openai_body(error: Exception) -> dict[str, Any]:
    status = status_of(error)
    param: str | None = None
    code: str | None = None
    if isinstance(error, InvalidRequestError):
        param = error.param
    elif isinstance(error, ModelNotFoundError):
        param, code = "model", "model_not_found"
    elif isinstance(error, AuthenticationError):
        code = "invalid_api_key"
    elif isinstance(error, RouteNotFoundError):
        code = "unknown_url"
    return {
        "error": {
            "message": message_of(error),
            "type": _OPENAI_TYPES.get(status, "invalid_request_error"),
            "param": param,
            "code": code,
        }
    }


def jsonrpc_body(error: Exception) -> dict[str, Any]:
    """A JSON-RPC error response with a null id: the request's id is not known at this point."""
    status = status_of(error)
    code = _JSONRPC_CODES.get(status, -32600)
    return {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message_of(error)}}
