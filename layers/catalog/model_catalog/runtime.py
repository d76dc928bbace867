"""The composition root: settings, data source, cache store and API key, built once per container
at cold start. Reading the environment happens here and nowhere else; no network at import."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from model_catalog.api.delivery import HttpPolicy
from model_catalog.api.errors import Dialect
from model_catalog.domain.backoff import BackoffPolicy
from model_catalog.domain.facts import bundled_facts
from model_catalog.domain.routes import MCP_PATH, RouteTable
from model_catalog.errors import ConfigurationError
from model_catalog.ports import ApiKeyProvider, CacheStore, CatalogObserver, CatalogSource
from model_catalog.service import CatalogService, CatalogState
from model_catalog.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    routes: RouteTable
    service: CatalogService
    api_keys: ApiKeyProvider
    observer: CatalogObserver

    def state(self) -> CatalogState:
        return self.service.current()

    @property
    def http_policy(self) -> HttpPolicy:
        s = self.settings
        return HttpPolicy(s.cors_allow_origins, s.http_max_age_seconds, s.gzip_min_bytes)

    def before_snapshot(self) -> None:
        """SnapStart: runs once, after the cold start of the function version, before its snapshot."""
        self.service.connect_store()
        bundled_facts()  # the model facts read once, into the snapshot

    def after_restore(self) -> None:
        """SnapStart: runs in each container restored from the function version's snapshot."""
        self.service.forget_restored_state()

    def dialect_of(self, path: str) -> Dialect:
        """Anthropic models routes answer in Anthropic's dialect, the MCP endpoint in JSON-RPC (also
        to a method no route takes), every other route in OpenAI's."""
        if path == MCP_PATH:
            return Dialect.JSONRPC
        if not self.routes.anthropic_models_enabled:
            return Dialect.OPENAI
        anthropic, openai = self.routes.anthropic_prefix, self.routes.openai_prefix
        # A path under both (``/x/v1/models/...`` with prefixes ``/x`` and ``""``) belongs to the
        # longer, more specific prefix, as API Gateway's routing would have it.
        if _under(path, f"{anthropic}/v1/models") and not (
            _under(path, f"{openai}/v1/models") and len(openai) > len(anthropic)
        ):
            return Dialect.ANTHROPIC
        return Dialect.OPENAI


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base + "/")


def build_runtime(environ: Mapping[str, str]) -> Runtime:
    settings = Settings.from_environ(environ)
    source = _source(settings)
    regions = settings.configured_regions or getattr(source, "regions", ())
    if not regions:
        raise ConfigurationError("no regions: set AWS_BEDROCK_REGIONS (e.g. us-east-1,us-west-2)")
    routes = RouteTable.build(settings.anthropic_routes_prefix, settings.openai_routes_prefix)
    observer = _observer()
    service = CatalogService(
        regions=regions,
        routes=routes,
        source=source,
        store=_store(settings),
        fresh_seconds=settings.model_cache_seconds,
        max_stale_seconds=settings.max_stale_seconds,
        lease_seconds=settings.refresh_lease_seconds,
        stale_wait_seconds=settings.model_cache_stale_wait_seconds,
        cold_wait_seconds=settings.model_cache_cold_wait_seconds,
        backoff=BackoffPolicy(settings.refresh_backoff_seconds, settings.refresh_backoff_max_seconds),
        observer=observer,
    )
    logger.info(
        "catalog source: %s; regions: %s; cache table: %s",
        source.name,
        ",".join(regions),
        settings.cache_table_name or "none (memory only)",
    )
    return Runtime(settings, routes, service, _api_keys(settings), observer)


@functools.cache
def runtime() -> Runtime:
    """The container's runtime, built on first use (cold start) from the process environment."""
    built = build_runtime(os.environ)
    register_snapshot_hooks(built.before_snapshot, built.after_restore)
    return built


def register_snapshot_hooks(before_snapshot: Callable[[], None], after_restore: Callable[[], None]) -> bool:
    """Run the hooks around SnapStart's snapshot. The library ships in Lambda's Python runtimes (3.12+);
    elsewhere there is no snapshot, and so nothing to do."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot  # noqa: PLC0415
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def _observer() -> CatalogObserver:
    from model_catalog.adapters.metrics import EmfObserver  # noqa: PLC0415
    from model_catalog.observability import metrics, tracer  # noqa: PLC0415

    return EmfObserver(metrics, tracer)


def _source(settings: Settings) -> CatalogSource:
    if settings.catalog_snapshot is not None:
        from model_catalog.adapters.snapshot import SnapshotSource  # noqa: PLC0415

        return SnapshotSource(settings.catalog_snapshot, required=settings.regions)
    from model_catalog.adapters.bedrock import BedrockSource  # noqa: PLC0415

    return BedrockSource()


def _store(settings: Settings) -> CacheStore | None:
    if settings.cache_table_name is None:
        return None
    from model_catalog.adapters.dynamodb import DynamoDBStore  # noqa: PLC0415

    return DynamoDBStore(settings.cache_table_name, retention_seconds=settings.max_stale_seconds)


def _api_keys(settings: Settings) -> ApiKeyProvider:
    from model_catalog.adapters.api_key import ParameterApiKey, StaticApiKey  # noqa: PLC0415

    if settings.api_key_ssm_parameter:
        return ParameterApiKey("ssm", settings.api_key_ssm_parameter, settings.api_key_cache_seconds)
    if settings.api_key_secretsmanager_secret:
        return ParameterApiKey("secretsmanager", settings.api_key_secretsmanager_secret, settings.api_key_cache_seconds)
    return StaticApiKey(settings.api_key.get_secret_value() if settings.api_key else None)
