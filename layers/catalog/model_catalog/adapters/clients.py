"""Every AWS client of the container comes from one botocore session, made on first use.

botocore reads its service and endpoint data once per session, and that is most of what the first client
costs (a tenth of a second): sharing the session pays it once per container, not once per adapter or per
refresh. A low-level client needs botocore only; boto3 (resources, s3transfer) is never imported. A
session is not thread-safe, so clients are created one at a time; created, they are thread-safe.

botocore also gives every client it makes a method, with its own operation model, for each operation of
the service: for a large API the layer calls little of (Bedrock: 2 operations of 108, one client per
region), that was a third of the cost of each client. Such a client is made from the service's model cut
down to the operations the layer calls (``create_client(..., operations=...)``)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.loaders import Loader
    from botocore.session import Session

_LOCK = threading.Lock()


@functools.cache
def session() -> Session:
    """The container's session (``session.cache_clear()`` starts a new one, as a new container would)."""
    import botocore.session  # noqa: PLC0415 - a warm request never creates a client

    new = botocore.session.get_session()
    new.register_component("data_loader", _CutModels(new.get_component("data_loader")))
    return new


def create_client(service_name: str, operations: Iterable[str] | None = None, **kwargs: Any) -> BaseClient:
    """A client of the container's session. With ``operations`` (names as in the API, ``ListFoundationModels``)
    it offers those only, and so does every client of that service in this session."""
    with _LOCK:
        current = session()
        if operations is not None:
            cast("_CutModels", current.get_component("data_loader")).cut(service_name, frozenset(operations))
        return current.create_client(service_name, **kwargs)


class _CutModels:
    """The session's loader, but a service cut down to some operations is loaded with just those and the
    shapes they use. Everything else is the loader's own."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._operations: dict[str, frozenset[str]] = {}
        self._cut_models: dict[tuple[str, str | None], dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def cut(self, service_name: str, operations: frozenset[str]) -> None:
        known = self._operations.setdefault(service_name, operations)
        if known != operations:
            raise ValueError(f"{service_name} clients of this session offer {sorted(known)}, not {sorted(operations)}")

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        model = self._loader.load_service_model(service_name, type_name, api_version)
        operations = self._operations.get(service_name)
        if type_name != "service-2" or operations is None:
            return model
        key = (service_name, api_version)
        if key not in self._cut_models:
            self._cut_models[key] = _cut_model(model, operations)
        return self._cut_models[key]


def _cut_model(model: dict[str, Any], operations: frozenset[str]) -> dict[str, Any]:
    """``model`` with ``operations`` only (an unknown name is an error) and the shapes they reach."""
    unknown = operations - model["operations"].keys()
    if unknown:
        raise ValueError(f"not operations of {model['metadata'].get('serviceId')}: {sorted(unknown)}")
    kept = {name: model["operations"][name] for name in sorted(operations)}
    shapes = model["shapes"]
    reached: set[str] = set()
    to_visit = [
        ref["shape"]
        for operation in kept.values()
        for ref in (operation.get("input"), operation.get("output"), *operation.get("errors", ()))
        if ref
    ]
    while to_visit:
        name = to_visit.pop()
        if name not in reached:
            reached.add(name)
            shape = shapes[name]
            to_visit.extend(shape[part]["shape"] for part in ("member", "key", "value") if part in shape)
            to_visit.extend(member["shape"] for member in shape.get("members", {}).values())
    return {**model, "operations": kept, "shapes": {name: shapes[name] for name in reached}}
