"""The MCP tools: each one is an HTTP route's operation (``api/operations.py``) with an input schema an
agent can act on. Arguments are validated by the same pydantic models as the routes' query
parameters, so a tool and its route accept and refuse the same values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from model_catalog.api.operations import (
    get_anthropic_model,
    list_anthropic_models,
    list_openai_models,
    search_models,
)
from model_catalog.api.params import MAX_LIFECYCLE_VALUES, AnthropicPage, SearchQuery, parse_query
from model_catalog.domain.facts import FEATURES
from model_catalog.domain.modalities import INPUT_MODALITIES, OUTPUT_MODALITIES
from model_catalog.domain.records import LIFECYCLES
from model_catalog.domain.routes import RouteTable
from model_catalog.domain.search import CALLABLE_VALUES
from model_catalog.errors import ConfigurationError
from model_catalog.service import CatalogState

JSONSchema = dict[str, Any]


class AnthropicListArguments(AnthropicPage):
    # Unlike the HTTP route, a tool refuses an argument it does not know: an agent learns of its typo.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelIdArguments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model_id: str = Field(min_length=1)


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    title: str
    description: str
    arguments: type[BaseModel]
    input_schema: JSONSchema
    run: Callable[[CatalogState, Any], Mapping[str, Any]]

    def call(
        self, state: Callable[[], CatalogState], arguments: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], CatalogState]:
        """The tool's answer as a JSON object, and the catalog state it came from; a bad argument raises
        ``InvalidRequestError``, like the route. The catalog is read only after the arguments passed."""
        parsed = parse_query(self.arguments, arguments)
        current = state()
        return self.run(current, parsed), current


# --- the input schemas ------------------------------------------------------------------------------


def input_schema(
    model: type[BaseModel], descriptions: Mapping[str, str], types: Mapping[str, JSONSchema] | None = None
) -> JSONSchema:
    """The JSON schema of the arguments' model (the route's query model: the same types and bounds), each
    argument with a description an agent can act on; ``types`` say more than the model can, by name."""
    schema = model.model_json_schema()
    properties = {
        name: {**(types or {}).get(name, _argument(field)), "description": descriptions[name]}
        for name, field in schema["properties"].items()
    }
    described: JSONSchema = {"type": "object", "properties": properties, "additionalProperties": False}
    if schema.get("required"):
        described["required"] = schema["required"]
    return described


def _argument(field: JSONSchema) -> JSONSchema:
    if field.get("items") == {"type": "boolean"}:
        return {"type": "boolean"}  # true or false: both at once matches nothing
    if "items" in field:
        # One value or several: agents write both, and the route's query parameters accept both.
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    return plain_schema(field)


def plain_schema(field: JSONSchema) -> JSONSchema:
    """A field's JSON schema without its title (the name says it); ``X | None`` with default None is
    an optional X."""
    plain = {k: v for k, v in field.items() if k != "title"}
    options = [o for o in plain.get("anyOf", ()) if o != {"type": "null"}]
    if "anyOf" in plain and len(options) == 1:
        return {**options[0], **{k: v for k, v in plain.items() if k not in ("anyOf", "default")}}
    return plain


def _search_descriptions(routes: RouteTable, regions: Sequence[str]) -> dict[str, str]:
    tools = ", ".join(r.tool for r in routes.routes)
    return {
        "input_modalities": "Input the model must accept; with several, it must accept each. "
        f"One of {', '.join(INPUT_MODALITIES)} (case-insensitive; AUDIO means SPEECH).",
        "output_modalities": "Output the model must produce; with several, it must produce each. "
        f"One of {', '.join(OUTPUT_MODALITIES)} (case-insensitive; SPEECH means AUDIO, EMBEDDING means "
        "EMBEDDINGS).",
        "route": "The API route or MCP tool you will use the model with; only models it can serve are returned. "
        f"An MCP tool name ({tools}) or its HTTP path (e.g. /v1/chat/completions).",
        "region": f"AWS region the model must be available in; with several, each. One of {', '.join(regions)}.",
        "streaming": "true: only models that stream responses; false: only models that do not.",
        "legacy": "false: only active models (pass this unless you need an old one); "
        "true: only legacy (deprecated) models.",
        "provider": "Model provider as Bedrock names it (Anthropic, Amazon, Meta, Mistral AI, ...; case-insensitive); "
        "with several, any of them. An unknown name is an error that lists the providers.",
        "lifecycle": f"Lifecycle stage, any of: {', '.join(LIFECYCLES)}. active: open to new use; deprecated: "
        "Bedrock marked it legacy, see retires_at. Bedrock has no retired model.",
        "min_context_window": "Only models whose context window (input tokens) is at least this, e.g. 200000 for "
        "200k. Models whose context window is unknown are left out.",
        "min_output_tokens": "Only models that can write at least this many tokens in one answer. Unknown: left out.",
        "features": f"Features the model must have, every one of them: {', '.join(FEATURES)} (tool_use is function "
        "calling).",
        "max_input_price": "Most USD per million input tokens (pricing.input_per_mtok, the on-demand base "
        "price). Models without a token price are left out.",
        "max_output_price": "Most USD per million output tokens (pricing.output_per_mtok). Models without a "
        "token price are left out.",
        "sort": "Order of the answer: id; newest (release date, newest first); context_window "
        "(largest first); input_price (cheapest first, so the first model is the cheapest match). Models "
        "without the value come last.",
        "callable": "Whether this AWS account can call the model (Bedrock's access check): true "
        "(the default) lists models callable in some configured region, false the others with their "
        "reasons (field access), any every available model. An error when the deployment's "
        "ACCESS_CHECK is off.",
    }


_ANTHROPIC_LIST_DESCRIPTIONS = {
    "limit": "How many models per page.",
    "after_id": "Return the page right after this model id (last_id).",
    "before_id": "Return the page right before this model id (first_id).",
    "lifecycle": "Only models in any of these lifecycle stages; omitted: active and deprecated.",
}
_MODEL_ID_DESCRIPTION = {
    "model_id": "A Bedrock model id (anthropic.claude-sonnet-4-5-20250929-v1:0), an inference profile id "
    "(global.anthropic.claude-sonnet-4-5-20250929-v1:0) or an alias (claude-sonnet-4-5, "
    "claude-sonnet-4-5-20250929); an alias means its newest model.",
}


# --- the tools --------------------------------------------------------------------------------------


def _tools(routes: RouteTable, regions: Sequence[str]) -> tuple[Tool, ...]:
    anthropic_list = routes.tool("anthropic_model_list")
    anthropic_path = anthropic_list.path if anthropic_list else "the Anthropic models route"
    return (
        Tool(
            name="search_models",
            title="Search models by capability",
            description=(
                "Find the Amazon Bedrock models that fit a task. Call this first to get the model id to pass to "
                "another endpoint or tool. Every argument is optional and they combine with AND; a list means "
                "every value must hold (provider and lifecycle: any of them). With no argument, every available "
                "model. Returns {models: [...]} in the order of sort (default id); each has id, name, provider, "
                "input_modalities, output_modalities, supported_routes, supported_mcp_tools, regions, "
                "response_streaming, legacy, inference_profiles, created_at, aliases, lifecycle, deprecated_at, "
                "extended_access_at, retires_at, context_window, max_output_tokens, embedding_dimensions, features "
                "and pricing (USD per million tokens). Example: the cheapest model with tools and at least 200k "
                "context in eu-west-1 is {region: 'eu-west-1', features: ['tool_use'], min_context_window: 200000, "
                "sort: 'input_price'}, first result. An unknown value is an error that lists the allowed ones; no "
                "match is an empty list."
            ),
            arguments=SearchQuery,
            input_schema=input_schema(
                SearchQuery,
                _search_descriptions(routes, regions),
                # A JSON boolean is its word (true is "true"), as agents send it.
                {"callable": {"anyOf": [{"type": "string", "enum": list(CALLABLE_VALUES)}, {"type": "boolean"}]}},
            ),
            run=lambda state, query: {"models": search_models(state, query)},  # an object, not the bare list
        ),
        Tool(
            name="anthropic_model_list",
            title="List Anthropic-compatible models",
            description=(
                f"One page of the TEXT-to-TEXT models, newest first, as GET {anthropic_path} answers: "
                "{data: [ModelInfo], first_id, last_id, has_more}; a ModelInfo has type, id, display_name, "
                "created_at, lifecycle, deprecated_at, retires_at, max_input_tokens, max_tokens, line, capabilities, "
                "regions, inference_profiles. For the next page pass after_id = last_id while has_more is true."
            ),
            arguments=AnthropicListArguments,
            input_schema=input_schema(
                AnthropicListArguments,
                _ANTHROPIC_LIST_DESCRIPTIONS,
                {
                    "lifecycle": {
                        "type": "array",
                        "items": {"type": "string", "enum": list(LIFECYCLES)},
                        "maxItems": MAX_LIFECYCLE_VALUES,
                    }
                },
            ),
            run=list_anthropic_models,
        ),
        Tool(
            name="anthropic_model_get",
            title="Get one Anthropic-compatible model",
            description=(
                "One TEXT-to-TEXT model as Anthropic's ModelInfo: {type, id, display_name, created_at, lifecycle, "
                "deprecated_at, retires_at, max_input_tokens, max_tokens, line, capabilities, regions, "
                "inference_profiles}. Unknown names are an error."
            ),
            arguments=ModelIdArguments,
            input_schema=input_schema(ModelIdArguments, _MODEL_ID_DESCRIPTION),
            run=lambda state, args: get_anthropic_model(state, args.model_id),
        ),
        Tool(
            name="openai_model_list",
            title="List models (OpenAI format)",
            description=(
                "Every available model, sorted by id, as OpenAI's GET /v1/models answers: {object: 'list', "
                "data: [{id, object: 'model', created, owned_by}]}. search_models tells more about each."
            ),
            arguments=NoArguments,
            input_schema=input_schema(NoArguments, {}),
            run=lambda state, _: list_openai_models(state),
        ),
    )


def select_tools(
    routes: RouteTable, regions: Sequence[str], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> tuple[Tool, ...]:
    """The tools this deployment offers: those of the route table (the Anthropic ones leave it when the
    two prefixes are equal), narrowed by MCP_INCLUDE_TOOLS (empty: all) and MCP_EXCLUDE_TOOLS. A name
    that is no tool of this server stops the cold start: a typo would silently hide a tool."""
    every = _tools(routes, regions)
    known = [t.name for t in every]
    include, exclude = tuple(include), tuple(exclude)
    for variable, names in (("MCP_INCLUDE_TOOLS", include), ("MCP_EXCLUDE_TOOLS", exclude)):
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigurationError(f"{variable}: unknown MCP tools {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(
        t
        for t in every
        if routes.tool(t.name) is not None and (not include or t.name in include) and t.name not in exclude
    )
