"""Query parameters, parsed into pydantic models. A bad value is an ``InvalidRequestError`` that
names the parameter, which each dialect renders as its own 400."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from model_catalog.domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT
from model_catalog.domain.search import SearchCriteria
from model_catalog.errors import InvalidRequestError

Query = TypeVar("Query", bound=BaseModel)


def _split(value: Any) -> tuple[str, ...]:
    """``"a,b"``, ``["a", "b"]`` and ``["a,b"]`` are the same two values; null is no value. API Gateway
    joins a repeated query parameter with commas, so ``?x=a&x=b`` arrives as ``"a,b"`` too."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(part for v in value for part in _split(v))
    raise ValueError(f"must be a string or a list of strings, got {value!r}")


def _booleans(value: Any) -> tuple[bool, ...]:
    """``true``, ``"TRUE"``, ``"true,true"``, ``[true, "false"]``; null is no value."""
    if value is None:
        return ()
    parsed: list[bool] = []
    for item in value if isinstance(value, list | tuple) else (value,):
        words = _split(item) if isinstance(item, str) else ()
        if isinstance(item, bool):
            parsed.append(item)
        elif words and all(w.lower() in ("true", "false") for w in words):
            parsed.extend(w.lower() == "true" for w in words)
        else:
            raise ValueError(f"must be true or false, got {value!r}")
    return tuple(parsed)


def _word(value: Any) -> Any:
    """One word; a JSON boolean (an MCP argument) is its word, ``true`` is ``"true"``; blank is no value."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value.strip() or None
    return value  # pydantic refuses anything else as "not a string"


def _whole_number(value: Any) -> Any:
    # Digits only: pydantic's lax mode would read "2.0" as 2 and true (an MCP argument) as 1, but a page
    # size of "2.0", "1e3" or true is a client bug worth a 400, and Anthropic documents limit as an
    # integer from 1 to 1000.
    if isinstance(value, bool) or (isinstance(value, str) and not _DIGITS.fullmatch(value)):
        raise ValueError(f"must be an integer from {MIN_LIMIT} to {MAX_LIMIT}, got {value!r}")
    return value


def _integer(value: Any) -> Any:
    # As for limit: "2.0", "1e3" and true are not integers.
    if isinstance(value, bool) or (isinstance(value, str) and not _DIGITS.fullmatch(value.strip())):
        raise ValueError(f"must be an integer >= 1, got {value!r}")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"must be a number >= 0 (USD per million tokens), got {value!r}")
    return value


_DIGITS = re.compile(r"[0-9]+")
Values = Annotated[tuple[str, ...], BeforeValidator(_split)]
Booleans = Annotated[tuple[bool, ...], BeforeValidator(_booleans)]
Word = Annotated[str | None, BeforeValidator(_word)]
PageSize = Annotated[int, BeforeValidator(_whole_number)]
AtLeastOne = Annotated[Annotated[int, Field(ge=1)] | None, BeforeValidator(_integer)]
UsdPerMtok = Annotated[Annotated[float, Field(ge=0, allow_inf_nan=False)] | None, BeforeValidator(_number)]
Sort = Literal["id", "newest", "context_window", "input_price"]
MAX_LIFECYCLE_VALUES = 3


class AnthropicPage(BaseModel):
    """Which page of the Anthropic list: what the route and the MCP tool both take."""

    # Unknown parameters are ignored, as Anthropic's API does. Each query model is built on first use:
    # a function's cold start pays only for the models of its own routes.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    limit: PageSize = Field(default=DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)
    after_id: str | None = None
    before_id: str | None = None
    lifecycle: Values = ()  # any of these stages; repeated or comma-separated

    @property
    def stages(self) -> tuple[str, ...]:
        return self.lifecycle


class AnthropicListQuery(AnthropicPage):
    # The SDK sends lifecycle[]=a&lifecycle[]=b: the same values as lifecycle=a&lifecycle=b.
    lifecycle_brackets: Values = Field(default=(), alias="lifecycle[]")

    @property
    def stages(self) -> tuple[str, ...]:
        return (*self.lifecycle, *self.lifecycle_brackets)


class SearchQuery(BaseModel):
    # An unknown parameter is a typo an agent must hear about: a silent no-op would widen the search.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    input_modalities: Values = ()
    output_modalities: Values = ()
    route: Values = ()
    region: Values = ()
    streaming: Booleans = ()
    legacy: Booleans = ()
    provider: Values = ()
    lifecycle: Values = ()
    min_context_window: AtLeastOne = None
    min_output_tokens: AtLeastOne = None
    features: Values = ()
    max_input_price: UsdPerMtok = None
    max_output_price: UsdPerMtok = None
    sort: Sort = "id"
    callable: Word = None  # true | false | any, checked by the domain (it knows whether the check is on)

    def criteria(self) -> SearchCriteria:
        return SearchCriteria(
            input_modalities=self.input_modalities,
            output_modalities=self.output_modalities,
            route=self.route,
            region=self.region,
            streaming=self.streaming,
            legacy=self.legacy,
            provider=self.provider,
            lifecycle=self.lifecycle,
            min_context_window=self.min_context_window,
            min_output_tokens=self.min_output_tokens,
            features=self.features,
            max_input_price=self.max_input_price,
            max_output_price=self.max_output_price,
            sort=self.sort,
            callable=self.callable,
        )


def parse_query(model: type[Query], params: Mapping[str, Any] | None) -> Query:
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as e:
        error = e.errors()[0]
        param = ".".join(str(p) for p in error["loc"]) or None
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(model.model_fields) or "none"
            raise InvalidRequestError(f"unknown parameter {param!r}; allowed: {allowed}", param) from None
        message = error["msg"].removeprefix("Value error, ")
        raise InvalidRequestError(f"{param}: {message}", param) from None
