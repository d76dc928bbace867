"""The response bodies, as pydantic models: what the OpenAPI document says each route answers. Tests hold
them against what api/views.py and api/errors.py really return (extra fields are forbidden for that)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from model_catalog.api.errors import Dialect
from model_catalog.api.fact_bodies import CatalogStatus, Features, Lifecycle, ModelCapabilities, Pricing


class _Body(BaseModel):
    # Extra fields are forbidden so that the tests notice a field the views add and this file lacks.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class AnthropicModelInfo(_Body):
    type: Literal["model"]
    id: str
    display_name: str
    created_at: str
    lifecycle: Lifecycle
    deprecated_at: str | None
    retires_at: str | None
    max_input_tokens: int | None
    max_tokens: int | None
    line: str | None
    capabilities: ModelCapabilities | None
    regions: list[str]
    inference_profiles: list[str]
    extended_access_at: str | None


class AnthropicModelPage(_Body):
    data: list[AnthropicModelInfo]
    first_id: str | None
    last_id: str | None
    has_more: bool


class OpenAIModel(_Body):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class OpenAIModelList(_Body):
    object: Literal["list"]
    data: list[OpenAIModel]


AccessReason = Literal[
    "unauthorized", "unentitled", "region_unavailable", "no_agreement", "agreement_pending", "agreement_error"
]


class ModelAccess(_Body):
    callable: bool | None  # null: not checked yet
    reasons: list[AccessReason]


class ModelDetails(_Body):
    id: str
    name: str
    provider: str
    input_modalities: list[str]
    output_modalities: list[str]
    supported_routes: list[str]
    supported_mcp_tools: list[str]
    regions: list[str]
    response_streaming: bool
    legacy: bool
    inference_profiles: list[str]
    created_at: str
    aliases: list[str]
    lifecycle: Lifecycle
    deprecated_at: str | None
    extended_access_at: str | None
    retires_at: str | None
    context_window: int | None
    max_output_tokens: int | None
    embedding_dimensions: int | None
    features: Features
    pricing: Pricing | None
    on_demand_regions: list[str]
    # Null with ACCESS_CHECK off; else the regions it is callable in, and each region's answer.
    callable_regions: list[str] | None
    access: dict[str, ModelAccess] | None


class AnthropicErrorDetail(_Body):
    type: Literal["invalid_request_error", "authentication_error", "not_found_error", "api_error", "overloaded_error"]
    message: str


class AnthropicError(_Body):
    type: Literal["error"]
    error: AnthropicErrorDetail
    request_id: str


class OpenAIErrorDetail(_Body):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIError(_Body):
    error: OpenAIErrorDetail


class JsonRpcErrorDetail(_Body):
    code: int
    message: str
    data: Any = None


class JsonRpcError(_Body):
    jsonrpc: Literal["2.0"]
    id: str | int | None
    error: JsonRpcErrorDetail


class JsonRpcResult(_Body):
    jsonrpc: Literal["2.0"]
    id: str | int
    result: dict[str, Any]


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    AnthropicModelPage,
    AnthropicModelInfo,
    OpenAIModelList,
    OpenAIModel,
    ModelDetails,
    CatalogStatus,
    AnthropicError,
    OpenAIError,
    JsonRpcError,
    JsonRpcResult,
)
ERROR_BODY: dict[Dialect, type[BaseModel]] = {
    Dialect.ANTHROPIC: AnthropicError,
    Dialect.OPENAI: OpenAIError,
    Dialect.JSONRPC: JsonRpcError,
}
