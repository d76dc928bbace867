"""Query parameters, parsed into pydantic models. A bad value is an ``InvalidRequestError`` that
names the parameter, which each dialect renders as its own 400."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from model_catalog.domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT
from model_catalog.domain.search import SearchCriteria
from model_catalog.errors import InvalidRequestError

Query = TypeVar("Query", bound=BaseModel)


def _split(value: Any) -> Any:
    # API Gateway joins a repeated parameter with commas, so both spellings arrive the same way.
    if isinstance(value, str):
        values = tuple(v.strip() for v in value.split(",") if v.strip())
        if not values:
            # Most often an unset variable in the caller: matching everything would hide it.
            raise ValueError("must not be empty; leave the parameter out to match any value")
        return values
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"must be true or false, got {value!r}")


Values = Annotated[tuple[str, ...], BeforeValidator(_split)]
Boolean = Annotated[bool | None, BeforeValidator(_boolean)]


class AnthropicListQuery(BaseModel):
    # Unknown parameters are ignored, as Anthropic's API does.
    model_config = ConfigDict(extra="ignore", frozen=True)

    limit: int = Field(default=DEFAULT_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)
    after_id: str | None = None
    before_id: str | None = None


class SearchQuery(BaseModel):
    # An unknown parameter is a typo an agent must hear about: a silent no-op would widen the search.
    model_config = ConfigDict(extra="forbid", frozen=True)

    input_modalities: Values = ()
    output_modalities: Values = ()
    route: Values = ()
    region: Values = ()
    streaming: Boolean = None
    legacy: Boolean = None

    def criteria(self) -> SearchCriteria:
        return SearchCriteria(
            input_modalities=self.input_modalities,
            output_modalities=self.output_modalities,
            route=self.route,
            region=tuple(r.lower() for r in self.region),
            streaming=self.streaming,
            legacy=self.legacy,
        )


def parse_query(model: type[Query], params: Mapping[str, Any] | None) -> Query:
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as e:
        error = e.errors()[0]
        param = ".".join(str(p) for p in error["loc"]) or None
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(model.model_fields)
            raise InvalidRequestError(f"unknown parameter {param!r}; allowed: {allowed}", param) from None
        message = error["msg"].removeprefix("Value error, ")
        raise InvalidRequestError(f"{param}: {message}", param) from None
