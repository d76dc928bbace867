"""One settings model, read from the environment once per container and validated at cold start.
A bad value stops the cold start with a message that names the variable."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from model_catalog.errors import ConfigurationError

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]
BlankIsNone = BeforeValidator(_blank_is_none)


class Settings(BaseModel):
    """Field aliases are the environment variable names (see the README's settings table)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    regions: CommaList = Field(default=(), alias="AWS_BEDROCK_REGIONS")
    # Lambda sets AWS_REGION: the default region list when AWS_BEDROCK_REGIONS is not given.
    function_region: Annotated[str | None, BlankIsNone] = Field(default=None, alias="AWS_REGION")
    anthropic_routes_prefix: str = Field(default="/anthropic", alias="ANTHROPIC_ROUTES_PREFIX")
    openai_routes_prefix: str = Field(default="", alias="OPENAI_ROUTES_PREFIX")
    model_cache_seconds: int = Field(default=900, ge=1, alias="MODEL_CACHE_SECONDS")
    model_cache_max_stale_seconds: int = Field(default=86400, ge=0, alias="MODEL_CACHE_MAX_STALE_SECONDS")
    cache_table_name: Annotated[str | None, BlankIsNone] = Field(default=None, alias="CACHE_TABLE_NAME")
    # Deployed, the template says bedrock; `make serve` says snapshot unless asked. Unset: a snapshot when
    # CATALOG_SNAPSHOT names one, else Bedrock.
    catalog_source: Annotated[Literal["bedrock", "snapshot"] | None, BlankIsNone, BeforeValidator(_lower)] = Field(
        default=None, alias="CATALOG_SOURCE"
    )
    catalog_snapshot: Annotated[Path | None, BlankIsNone] = Field(default=None, alias="CATALOG_SNAPSHOT")
    api_key: Annotated[SecretStr | None, BlankIsNone] = Field(default=None, alias="API_KEY")
    api_key_ssm_parameter: Annotated[str | None, BlankIsNone] = Field(default=None, alias="API_KEY_SSM_PARAMETER")
    api_key_secretsmanager_secret: Annotated[str | None, BlankIsNone] = Field(
        default=None, alias="API_KEY_SECRETSMANAGER_SECRET"
    )
    api_key_cache_seconds: int = Field(default=300, ge=1, alias="API_KEY_CACHE_SECONDS")
    mcp_include_tools: CommaList = Field(default=(), alias="MCP_INCLUDE_TOOLS")
    mcp_exclude_tools: CommaList = Field(default=(), alias="MCP_EXCLUDE_TOOLS")
    refresh_lease_seconds: int = Field(default=60, ge=5, alias="REFRESH_LEASE_SECONDS")
    # A request waits on Bedrock at most this long when it has stale data to answer with, and when it
    # has none (then a 503): well under API Gateway's 30 s integration timeout.
    model_cache_stale_wait_seconds: float = Field(default=1.0, ge=0, le=10, alias="MODEL_CACHE_STALE_WAIT_SECONDS")
    model_cache_cold_wait_seconds: float = Field(default=8.0, gt=0, le=25, alias="MODEL_CACHE_COLD_WAIT_SECONDS")
    refresh_backoff_seconds: int = Field(default=30, ge=1, alias="REFRESH_BACKOFF_SECONDS")
    refresh_backoff_max_seconds: int = Field(default=300, ge=1, alias="REFRESH_BACKOFF_MAX_SECONDS")
    cors_allow_origins: CommaList = Field(default=(), alias="CORS_ALLOW_ORIGINS")
    http_max_age_seconds: int = Field(default=60, ge=0, alias="HTTP_MAX_AGE_SECONDS")
    gzip_min_bytes: int = Field(default=1024, ge=0, alias="GZIP_MIN_BYTES")

    @field_validator("regions")
    @classmethod
    def _regions_look_like_regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in regions if not _REGION.match(r)]
        if bad:
            raise ValueError(f"not AWS region names: {', '.join(bad)} (expected e.g. us-east-1,eu-west-1)")
        return regions

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins_are_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        bad = [o for o in origins if o != "*" and not _ORIGIN.match(o)]
        if bad:
            raise ValueError(f"not origins: {', '.join(bad)} (expected * or e.g. https://app.example.com)")
        return origins

    @field_validator("catalog_snapshot")
    @classmethod
    def _snapshot_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"no snapshot file at {path}")
        return path

    @model_validator(mode="after")
    def _one_catalog_source(self) -> Settings:
        if self.catalog_source == "snapshot" and self.catalog_snapshot is None:
            raise ValueError("CATALOG_SOURCE=snapshot needs CATALOG_SNAPSHOT, the snapshot file to serve")
        if self.catalog_source == "bedrock" and self.catalog_snapshot is not None:
            raise ValueError("CATALOG_SOURCE=bedrock and CATALOG_SNAPSHOT are both set: unset one of them")
        return self

    @model_validator(mode="after")
    def _one_key_source(self) -> Settings:
        sources = [self.api_key, self.api_key_ssm_parameter, self.api_key_secretsmanager_secret]
        if sum(s is not None for s in sources) > 1:
            raise ValueError("set only one of API_KEY, API_KEY_SSM_PARAMETER, API_KEY_SECRETSMANAGER_SECRET")
        if self.model_cache_max_stale_seconds and self.model_cache_max_stale_seconds < self.model_cache_seconds:
            raise ValueError("MODEL_CACHE_MAX_STALE_SECONDS must be 0 or at least MODEL_CACHE_SECONDS")
        if self.model_cache_cold_wait_seconds < self.model_cache_stale_wait_seconds:
            raise ValueError("MODEL_CACHE_COLD_WAIT_SECONDS must be at least MODEL_CACHE_STALE_WAIT_SECONDS")
        if self.refresh_backoff_max_seconds < self.refresh_backoff_seconds:
            raise ValueError("REFRESH_BACKOFF_MAX_SECONDS must be at least REFRESH_BACKOFF_SECONDS")
        return self

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        names = {f.alias for f in cls.model_fields.values() if f.alias}
        try:
            return cls.model_validate({k: v for k, v in environ.items() if k in names})
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg'].removeprefix('Value error, ')}"
                for err in e.errors()
            )
            raise ConfigurationError(f"invalid configuration: {problems}") from None

    @property
    def configured_regions(self) -> tuple[str, ...]:
        """The regions to serve, or () when only the data source can tell (a snapshot)."""
        if self.regions:
            return self.regions
        return (self.function_region,) if self.function_region and not self.catalog_snapshot else ()

    @property
    def max_stale_seconds(self) -> int:
        return max(self.model_cache_max_stale_seconds, self.model_cache_seconds)
