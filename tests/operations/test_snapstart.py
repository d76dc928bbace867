"""SnapStart: what a restored container must not take from the snapshot. The hook is registered with
snapshot_restore_py (in Lambda's runtime; in .venv from PyPI) and run here as Lambda runs it."""

from __future__ import annotations

from typing import Any

import snapshot_restore_py

from model_catalog import runtime as runtime_module
from model_catalog.adapters.dynamodb import DynamoDBStore
from model_catalog.domain.facts import bundled_facts
from tests.conftest import HandlerLoader
from tests.operations.conftest import call, http_event


def run_after_restore_hooks() -> None:
    for hook, args, kwargs in snapshot_restore_py.get_after_restore():
        hook(*args, **kwargs)


def test_cold_start_registers_both_hooks(load_handler: HandlerLoader) -> None:
    before = len(snapshot_restore_py.get_before_snapshot()), len(snapshot_restore_py.get_after_restore())
    load_handler("list_models")
    built = runtime_module.runtime()
    assert [hook for hook, _, _ in snapshot_restore_py.get_before_snapshot()[before[0] :]] == [built.before_snapshot]
    assert [hook for hook, _, _ in snapshot_restore_py.get_after_restore()[before[1] :]] == [built.after_restore]


def test_before_the_snapshot_the_dynamodb_client_and_the_facts_are_made_without_a_call(
    load_handler: HandlerLoader,
) -> None:
    # Nothing listens there: a call would fail the hook.
    load_handler("list_models", CACHE_TABLE_NAME="model-catalog-cache", AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:9")
    store = runtime_module.runtime().service.store
    assert isinstance(store, DynamoDBStore)
    assert store._client is None  # the cold start itself makes no client: a request may not need one

    bundled_facts.cache_clear()
    runtime_module.runtime().before_snapshot()

    assert store._client is not None  # in the snapshot: a restored container's first read does not make it
    assert bundled_facts.cache_info().currsize == 1  # the model facts too


def test_a_restored_container_checks_again_and_owns_its_lease(load_handler: HandlerLoader, snapshot_doc: Any) -> None:
    api = load_handler("list_models")
    service = runtime_module.runtime().service
    assert call(api, http_event("openai_list_models")).status == 200
    assert service._serve_until > 0  # warm: memory answers without any I/O
    owner = service._owner

    run_after_restore_hooks()

    assert service._serve_until == 0.0  # the next request reads the store before trusting memory
    assert service._owner != owner  # every restored copy of the snapshot gets a lease id of its own
    assert call(api, http_event("openai_list_models")).status == 200
    assert service._serve_until > 0


def test_without_the_library_nothing_is_registered(monkeypatch: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def no_snapshot_library(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "snapshot_restore_py":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_snapshot_library)
    assert runtime_module.register_snapshot_hooks(lambda: None, lambda: None) is False
