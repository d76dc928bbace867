"""MCP over Streamable HTTP: the stateless subset a read-only catalog needs, in plain JSON-RPC.

Every POST stands alone: no session id is issued, no event stream is opened, nothing is sent to the
client unasked. The exchange is the handshake era of the protocol (2024-11-05 to 2025-11-25):
``initialize`` (version negotiation), ``notifications/initialized``, ``ping``, ``tools/list`` and
``tools/call``. A body that is not JSON or not JSON-RPC is a JSON-RPC error with a 4xx status; a
method error inside a well-formed request is a JSON-RPC error with 200, as the reference transport
answers; a tool that cannot do what it is asked answers ``isError: true`` so the agent can read the
reason and correct itself.

Why not the official ``mcp`` server package: docs/design.md. Its client is the judge (tests/contract)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model_catalog import __version__
from model_catalog.api.delivery import acceptable
from model_catalog.api.errors import message_of
from model_catalog.api.http import JSON_TYPE
from model_catalog.api.mcp_tools import Tool
from model_catalog.api.rendered import to_json
from model_catalog.errors import CatalogError
from model_catalog.service import CatalogState

# Newest first. A 2026-07-28 client probes ``server/discover`` first; the unsupported-version answer
# below names these, and it falls back to ``initialize``.
SUPPORTED_VERSIONS: tuple[str, ...] = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
LATEST_VERSION = SUPPORTED_VERSIONS[0]
# The spec: a request without MCP-Protocol-Version is taken to speak 2025-03-26, the last revision
# without that header.
VERSION_WITHOUT_HEADER = "2025-03-26"
VERSION_HEADER = "mcp-protocol-version"

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
UNSUPPORTED_PROTOCOL_VERSION = -32022
_BAD_BODY = frozenset({PARSE_ERROR, INVALID_REQUEST, UNSUPPORTED_PROTOCOL_VERSION})


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back: ``body`` None is ``202 Accepted`` with no body (only notifications came)."""

    status: int
    body: Any = None


class RpcError(Exception):
    """A JSON-RPC error. When it refuses the whole body, ``status`` is the HTTP status and
    ``request_id`` the id of the body's one request, if it has a readable one."""

    def __init__(
        self, code: int, message: str, data: Any = None, status: int = 400, request_id: str | int | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.data, self.status, self.request_id = code, message, data, status, request_id


@dataclass(frozen=True, slots=True)
class _Request:
    id: str | int
    method: str
    params: Mapping[str, Any]


SERVER_NAME = "bedrock-model-catalog"
SERVER_TITLE = "Amazon Bedrock model catalog"
INSTRUCTIONS = (
    "Call search_models first to find the Bedrock model id that fits the task: filter by input and output "
    "modality, by the route or MCP tool you will call next, by region, streaming or legacy. Then pass that "
    "id on. Prefer legacy=false unless an older model is asked for."
)


class McpEndpoint:
    """The POST /mcp exchange. ``state`` gives the catalog; only ``tools/call`` reads it."""

    def __init__(self, tools: Sequence[Tool], state: Callable[[], CatalogState]) -> None:
        self.tools = {t.name: t for t in tools}
        self.state = state
        self._methods: dict[str, Callable[[Mapping[str, Any], str], Any]] = {
            "initialize": lambda params, _: self._initialize(params),
            "ping": lambda _params, _version: {},
            "tools/list": lambda _, version: {"tools": [self._describe(t, version) for t in self.tools.values()]},
            "tools/call": self._call_tool,
            # Not offered (no capability is declared for them), but some clients ask anyway: an empty
            # answer keeps them quiet.
            "resources/list": lambda _params, _version: {"resources": []},
            "resources/templates/list": lambda _params, _version: {"resourceTemplates": []},
            "prompts/list": lambda _params, _version: {"prompts": []},
        }

    # --- HTTP ----------------------------------------------------------------------------------------

    def handle(self, body: str | bytes | None, headers: Mapping[str, str]) -> Reply:
        try:
            messages, version, batch = _envelope(body, {k.lower(): v for k, v in headers.items()})
        except RpcError as e:
            return Reply(e.status, _error(e.request_id, e))
        replies = [r for r in (self._answer(m, version) for m in messages) if r is not None]
        if not replies:
            return Reply(202)
        if batch:
            return Reply(200, replies)
        single = replies[0]
        bad_body = "error" in single and single["error"]["code"] in _BAD_BODY
        return Reply(400 if bad_body else 200, single)

    # --- JSON-RPC ------------------------------------------------------------------------------------

    def _answer(self, message: Any, version: str) -> dict[str, Any] | None:
        """The response to one message, or None for a notification or a client's response."""
        try:
            request = _request_in(message)
            if request is None:
                return None
            handler = self._methods.get(request.method)
            if handler is None:
                offered = "initialize, ping, tools/list, tools/call"
                raise RpcError(METHOD_NOT_FOUND, f"method {request.method!r} not found; offered: {offered}")
            return {"jsonrpc": "2.0", "id": request.id, "result": handler(request.params, version)}
        except RpcError as e:
            return _error(_id_in(message), e)

    # --- methods -------------------------------------------------------------------------------------

    def _initialize(self, params: Mapping[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise RpcError(INVALID_PARAMS, f"initialize needs params.protocolVersion, e.g. {LATEST_VERSION!r}")
        # The spec: the requested version when supported, else the newest we support (the client
        # decides whether it can go on).
        version = requested if requested in SUPPORTED_VERSIONS else LATEST_VERSION
        server_info = {"name": SERVER_NAME, "version": __version__}
        if version >= "2025-06-18":  # revision dates sort as strings
            server_info["title"] = SERVER_TITLE
        return {
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": server_info,
            "instructions": INSTRUCTIONS,
        }

    def _describe(self, tool: Tool, version: str) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": tool.name,
            "description": tool.description,
            "inputSchema": tool.input_schema,
        }
        if version >= "2025-03-26":
            described["annotations"] = {
                "title": tool.title,
                "readOnlyHint": True,
                "destructiveHint": False,
                "idempotentHint": True,
                "openWorldHint": False,
            }
        if version >= "2025-06-18":
            described["title"] = tool.title
        return described

    def _call_tool(self, params: Mapping[str, Any], version: str) -> dict[str, Any]:
        name = params.get("name")
        if not isinstance(name, str):
            raise RpcError(INVALID_PARAMS, "tools/call needs params.name, the tool's name")
        tool = self.tools.get(name)
        if tool is None:
            raise RpcError(INVALID_PARAMS, f"unknown tool {name!r}; tools: {', '.join(self.tools)}")
        arguments = params.get("arguments")
        if arguments is not None and not isinstance(arguments, dict):
            raise RpcError(INVALID_PARAMS, "tools/call params.arguments must be an object")
        # An agent often sends null for an argument it means to leave out.
        given = {k: v for k, v in (arguments or {}).items() if v is not None}
        try:
            answer, current = tool.call(self.state, given)
        except CatalogError as e:  # a bad argument, an unknown model, the catalog down: the agent reads why
            return {"content": [{"type": "text", "text": message_of(e)}], "isError": True}
        result: dict[str, Any] = {"content": [{"type": "text", "text": to_json(answer)}], "isError": False}
        if version >= "2025-06-18":
            result["structuredContent"] = answer
        if current.stale:
            # What the HTTP routes say in their headers, for the client (_meta) and for the model, which
            # reads the content and seldom sees _meta.
            result["_meta"] = {"x-catalog-stale": True, "x-catalog-age": current.age_seconds}
            result["content"].append({"type": "text", "text": stale_note(current.age_seconds)})
        return result


def stale_note(age_seconds: int) -> str:
    return (
        f"Note: this answer comes from catalog data {age_seconds} s old: Amazon Bedrock could not be read "
        "lately, so models or their facts may have changed since. The catalog refreshes once Bedrock answers."
    )


def _envelope(body: str | bytes | None, headers: Mapping[str, str]) -> tuple[list[Any], str, bool]:
    """The messages of a POST body, the protocol version they speak, and whether they came as a batch."""
    _check_media_types(headers)
    try:
        document = json.loads(body or "")
    except (ValueError, RecursionError):  # ValueError includes bytes that are no Unicode text
        raise RpcError(PARSE_ERROR, "parse error: the body is not a JSON document") from None
    if document == []:
        raise RpcError(INVALID_REQUEST, "an empty batch is not a JSON-RPC request")
    messages = document if isinstance(document, list) else [document]
    version = headers.get(VERSION_HEADER, "").strip() or VERSION_WITHOUT_HEADER
    # ``initialize`` negotiates in its body; any other message must come in a version we speak.
    if version not in SUPPORTED_VERSIONS and not all(_is_initialize(m) for m in messages):
        raise RpcError(
            UNSUPPORTED_PROTOCOL_VERSION,
            f"unsupported {VERSION_HEADER} {version!r}; this server speaks {', '.join(SUPPORTED_VERSIONS)}",
            {"supported": list(SUPPORTED_VERSIONS), "requested": version},
            request_id=_id_in(document),
        )
    return messages, version, isinstance(document, list)


def _request_in(message: Any) -> _Request | None:
    """The request a message makes; None for a notification or a response."""
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, 'not a JSON-RPC 2.0 message: an object with "jsonrpc": "2.0"')
    if "id" in message and _id_in(message) is None:
        raise RpcError(INVALID_REQUEST, "id must be a string or an integer")
    method = message.get("method")
    if method is None and "id" in message and ("result" in message or "error" in message):
        return None  # a response, yet this server never asks the client anything
    if not isinstance(method, str):
        raise RpcError(INVALID_REQUEST, "method must be a string")
    if "id" not in message:
        return None  # notifications (initialized, cancelled ...) change nothing in a stateless server
    params = message.get("params")
    if params is not None and not isinstance(params, dict):
        raise RpcError(INVALID_PARAMS, "params must be an object")
    return _Request(message["id"], method, params or {})


def _id_in(message: Any) -> str | int | None:
    request_id = message.get("id") if isinstance(message, dict) else None
    return request_id if isinstance(request_id, str | int) and not isinstance(request_id, bool) else None


def _is_initialize(message: Any) -> bool:
    return isinstance(message, dict) and message.get("method") == "initialize"


def _media_types(header: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in header.split(",") if part.strip()]


def _check_media_types(headers: Mapping[str, str]) -> None:
    """Only JSON in and JSON out. A missing header is taken as JSON, as curl users expect."""
    content_type = _media_types(headers.get("content-type", ""))
    if content_type and content_type[0] != JSON_TYPE:
        raise RpcError(INVALID_REQUEST, f"Content-Type must be {JSON_TYPE}", status=415)
    accepted = headers.get("accept", "")
    if accepted.strip() and not acceptable(accepted, JSON_TYPE, "application/*", "*/*"):
        message = f"Accept must include {JSON_TYPE}: this server answers JSON, never an event stream"
        raise RpcError(INVALID_REQUEST, message, status=406)


def _error(request_id: Any, error: RpcError) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.data is not None:
        detail["data"] = error.data
    return {"jsonrpc": "2.0", "id": request_id, "error": detail}
