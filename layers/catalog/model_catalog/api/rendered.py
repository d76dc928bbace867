"""Response bodies rendered once per catalog.

A catalog never changes once built, and the views render each model the same way every time. So each
model's part of a body is rendered by the views and serialised once, the first time a catalog serves
it; a request then picks the parts of its page and joins their JSON, in time proportional to the page.
The bodies stay plain dicts and lists (MCP reads them as data); HTTP sends the JSON text they carry.

Each part also carries a digest of its JSON, and a body's digest is a hash of its parts' digests: a
validator (the ETag) that follows the body exactly, in time proportional to the number of parts rather
than to the size of the body."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from model_catalog.api import views
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.pagination import Page
from model_catalog.domain.records import ModelRecord


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class RenderedObject(dict[str, Any]):
    """A JSON object that carries its JSON text and its digest. Shared between requests: never mutate it."""

    __slots__ = ("digest", "json_text")

    def __init__(self, value: Mapping[str, Any], json_text: str, digest: bytes | None = None) -> None:
        super().__init__(value)
        self.json_text = json_text
        self.digest = _sha256(json_text.encode()) if digest is None else digest


class RenderedArray(list[Any]):
    """A JSON array that carries its JSON text and its digest: the hash of its parts' digests."""

    __slots__ = ("digest", "json_text")

    def __init__(self, value: Sequence[RenderedObject], json_text: str) -> None:
        super().__init__(value)
        self.json_text = json_text
        self.digest = _sha256(b"[" + b"".join(part.digest for part in value))


def to_json(body: Any) -> str:
    """The API's JSON: compact, UTF-8 as is. A rendered body is not serialised again."""
    if isinstance(body, RenderedObject | RenderedArray):
        return body.json_text
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _object(value: Mapping[str, Any]) -> RenderedObject:
    return RenderedObject(value, to_json(value))


def _array(parts: Sequence[RenderedObject]) -> RenderedArray:
    return RenderedArray(parts, "[" + ",".join(p.json_text for p in parts) + "]")


def _with_parts(envelope: Mapping[str, Any], key: str) -> RenderedObject:
    """``envelope`` whose ``key`` holds rendered parts: its JSON is the rest serialised, the parts joined in."""
    parts: list[RenderedObject] = envelope[key]
    rest = to_json({**envelope, key: []})
    # Inside a JSON string every quote is escaped, so this text can only be the key itself.
    empty = f'"{key}":[]'
    text = rest.replace(empty, f'"{key}":[{",".join(p.json_text for p in parts)}]', 1)
    # Fixed-length fields (the rest's digest, then each part's): no two bodies hash the same bytes.
    return RenderedObject(envelope, text, _sha256(_sha256(rest.encode()) + b"".join(p.digest for p in parts)))


class RenderedCatalog:
    """The rendered parts of one catalog, each made on first use: a container renders what it serves."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @functools.cached_property
    def _anthropic_models(self) -> dict[str, RenderedObject]:
        view = self.catalog.anthropic
        return {r.id: _object(views.anthropic_model(r)) for r in (view.ordered if view else ())}

    @functools.cached_property
    def _openai_models(self) -> dict[str, RenderedObject]:
        return {r.id: _object(views.openai_model(r)) for r in self.catalog.models}

    @functools.cached_property
    def _model_details(self) -> dict[str, RenderedObject]:
        # Every available model: search's callable=false and callable=any list those not served too.
        return {r.id: _object(views.model_details(r, self.catalog)) for r in self.catalog.available.ordered}

    @functools.cached_property
    def openai_list(self) -> RenderedObject:
        return _object(views.openai_list(self.catalog.models))

    def anthropic_page(self, page: Page[ModelRecord]) -> RenderedObject:
        return _with_parts(views.anthropic_page(page, self.anthropic_model), "data")

    def anthropic_model(self, record: ModelRecord) -> RenderedObject:
        return self._anthropic_models[record.id]

    def openai_model(self, record: ModelRecord) -> RenderedObject:
        return self._openai_models[record.id]

    def model_details(self, records: Iterable[ModelRecord]) -> RenderedArray:
        details = self._model_details
        return _array([details[r.id] for r in records])


@functools.lru_cache(maxsize=2)
def rendered(catalog: Catalog) -> RenderedCatalog:
    """The rendered parts of ``catalog``; the service serves one catalog at a time, so two slots keep the
    current one across a refresh without holding old ones."""
    return RenderedCatalog(catalog)
