"""The one declarative table of routes and MCP tools, and what a model needs to support each.

It fills ``supported_routes`` / ``supported_mcp_tools``, validates ``route=`` filters, and defines the
Anthropic models view (the models ``anthropic_model_list`` serves)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from model_catalog.domain.records import ModelRecord

ANTHROPIC = "{anthropic}"
OPENAI = "{openai}"
# The MCP endpoint: no prefix, and not in the table (it serves the tools, it is none of them).
MCP_PATH = "/mcp"
# What the catalog serves and how fresh: no prefix, not in the table (no model supports it).
STATUS_PATH = "/status"


@dataclass(frozen=True, slots=True)
class RouteSpec:
    path: str  # with the prefixes filled in
    tool: str
    input_modality: str | None  # None: any available model
    output_modality: str | None

    def accepts(self, model: ModelRecord) -> bool:
        return (self.input_modality is None or self.input_modality in model.input_modalities) and (
            self.output_modality is None or self.output_modality in model.output_modalities
        )


# (path template, MCP tool, input, output). Order is the order of supported_routes in responses.
_ROUTES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("/v1/chat/completions", "openai_chat_completion", "TEXT", "TEXT"),
    (ANTHROPIC + "/v1/messages", "anthropic_message", "TEXT", "TEXT"),
    ("/v1/embeddings", "openai_embedding", "TEXT", "EMBEDDINGS"),
    ("/v1/images/generations", "openai_image_generation", "TEXT", "IMAGE"),
    ("/v1/audio/speech", "openai_audio_speech", "TEXT", "AUDIO"),
    ("/v1/audio/transcriptions", "openai_audio_transcription", "SPEECH", "TEXT"),
    (ANTHROPIC + "/v1/models", "anthropic_model_list", "TEXT", "TEXT"),
    (ANTHROPIC + "/v1/models/{model_id}", "anthropic_model_get", "TEXT", "TEXT"),
    (OPENAI + "/v1/models", "openai_model_list", None, None),
    ("/search_models", "search_models", None, None),
)
ANTHROPIC_MODELS_TOOLS = frozenset({"anthropic_model_list", "anthropic_model_get"})
ANTHROPIC_LIST_TOOL = "anthropic_model_list"


def normalize_prefix(prefix: str) -> str:
    """``anthropic/`` and ``/anthropic`` are the same prefix; the empty prefix stays empty."""
    stripped = prefix.strip().strip("/")
    return f"/{stripped}" if stripped else ""


@dataclass(frozen=True, slots=True)
class RouteTable:
    routes: tuple[RouteSpec, ...]
    anthropic_prefix: str
    openai_prefix: str

    @classmethod
    def build(cls, anthropic_prefix: str, openai_prefix: str) -> RouteTable:
        anthropic, openai = normalize_prefix(anthropic_prefix), normalize_prefix(openai_prefix)
        # Equal prefixes: /v1/models is OpenAI's and the Anthropic models routes leave the table.
        anthropic_models_on = anthropic != openai
        routes = tuple(
            RouteSpec(path.replace(ANTHROPIC, anthropic).replace(OPENAI, openai), tool, needs_in, needs_out)
            for path, tool, needs_in, needs_out in _ROUTES
            if anthropic_models_on or tool not in ANTHROPIC_MODELS_TOOLS
        )
        return cls(routes, anthropic, openai)

    @property
    def anthropic_models_enabled(self) -> bool:
        return self.anthropic_prefix != self.openai_prefix

    def find(self, path_or_tool: str) -> RouteSpec | None:
        """A route by its path or by its MCP tool name, in any case; a path's leading or trailing slash
        may be left out or doubled (``v1/chat/completions/`` is ``/v1/chat/completions``)."""
        wanted = path_or_tool.strip().casefold()
        as_path = "/" + wanted.strip("/")
        for route in self.routes:
            if wanted == route.tool or as_path == route.path.casefold():
                return route
        return None

    def tool(self, name: str) -> RouteSpec | None:
        return next((r for r in self.routes if r.tool == name), None)

    def supported_by(self, model: ModelRecord) -> tuple[RouteSpec, ...]:
        return tuple(r for r in self.routes if r.accepts(model))

    def names(self) -> Iterable[str]:
        for route in self.routes:
            yield route.path
            yield route.tool
