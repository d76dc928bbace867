"""The shared cache in DynamoDB: one item per region holding its compressed data (a region of 125 models
is 7 KB), so a cold start reads every region and its access answers in one BatchGetItem. A region too
big for one item (400 KB) has its manifest name a generation of compressed chunks instead, written
before it: a reader never sees half of a write. Items carry a TTL; readers check ages themselves (TTL
deletion is lazy)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from model_catalog.adapters.clients import create_client
from model_catalog.domain.access import Availability
from model_catalog.domain.backoff import RegionBackoff
from model_catalog.domain.records import RegionSnapshot
from model_catalog.errors import CacheStoreError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

# 2: the data inside the manifest when it fits (1 kept it in chunk items always: three round trips).
SCHEMA_VERSION = 2
CHUNK_BYTES = 300_000  # well under 400 KB with the key and attributes; more than this goes to chunks
LEASE_KEY = "lease#refresh"
# A region's data compresses to well under one chunk; more than this many is a corrupt manifest.
MAX_CHUNKS = 100
# Clocks of Lambda hosts agree within seconds; an item fetched further in the future is not trusted.
MAX_CLOCK_SKEW_SECONDS = 300
_BATCH_GET_MAX = 100
_BATCH_WRITE_MAX = 25

# The cache is an optimisation: fail fast and let the service go on from the source.
CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 3})


# Access answers (GetFoundationModelAvailability) live one item per region beside its data: a few KB
# compressed for a hundred models, so one item holds them; an item past CHUNK_BYTES is refused.
ACCESS_SCHEMA_VERSION = 1
ACCESS_RETENTION_SECONDS = 7 * 86400  # rewritten by every check that brings news; gone if checks stop


def _access_key(region: str) -> str:
    return f"access#{region}"


def _manifest_key(region: str) -> str:
    return f"region#{region}"


def _chunk_key(region: str, generation: str, index: int) -> str:
    return f"region#{region}#{generation}#{index}"


def _backoff_key(region: str) -> str:
    return f"backoff#{region}"


class DynamoDBStore:
    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        retention_seconds: int = 86400,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self.retention_seconds = retention_seconds
        self._clock = clock

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = cast("DynamoDBClient", create_client("dynamodb", config=CLIENT_CONFIG))
        return self._client

    def connect(self) -> None:
        _ = self.client

    # --- read ------------------------------------------------------------------------------------

    def load(self, regions: Sequence[str]) -> dict[str, RegionSnapshot]:
        """The regions whose items are whole and current. Anything else reads as missing, so the
        service fetches that region from the source and the next save rewrites it."""
        return self._load(regions, with_access=False)[0]

    def load_with_access(
        self, regions: Sequence[str]
    ) -> tuple[dict[str, RegionSnapshot], dict[str, dict[str, Availability]]]:
        """``load`` and ``load_access`` in one round trip (two when a region is in chunks)."""
        return self._load(regions, with_access=True)

    def _load(
        self, regions: Sequence[str], with_access: bool
    ) -> tuple[dict[str, RegionSnapshot], dict[str, dict[str, Availability]]]:
        keys = [_manifest_key(r) for r in regions]
        items = self._batch_get(keys + [_access_key(r) for r in regions] if with_access else keys)
        now = self._clock()
        wanted: dict[str, _Manifest] = {}
        for region in regions:
            item = items.get(_manifest_key(region))
            manifest = _Manifest.parse(region, item, now) if item is not None else None
            if manifest is not None:
                wanted[region] = manifest
        chunk_keys = [key for manifest in wanted.values() for key in manifest.chunk_keys]
        chunks = self._batch_get(chunk_keys) if chunk_keys else {}
        found: dict[str, RegionSnapshot] = {}
        for region, manifest in wanted.items():
            snapshot = manifest.assemble(chunks)
            if snapshot is not None:
                found[region] = snapshot
        return found, _access_of(regions, items, now) if with_access else {}

    def _batch_get(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), _BATCH_GET_MAX):
            request: Any = {self.table_name: {"Keys": [{"pk": {"S": k}} for k in keys[start : start + _BATCH_GET_MAX]]}}
            while request:
                with _translated("read"):
                    response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    found[item["pk"]["S"]] = item
                request = response.get("UnprocessedKeys") or None
        return found

    # --- write -----------------------------------------------------------------------------------

    def save(self, snapshots: Sequence[RegionSnapshot]) -> None:
        for snapshot in snapshots:
            self._save_one(snapshot)

    def _save_one(self, snapshot: RegionSnapshot) -> None:
        document = {"models": list(snapshot.model_summaries), "profiles": list(snapshot.profile_summaries)}
        blob = zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)
        expires = str(int(snapshot.fetched_at + self.retention_seconds))
        manifest: dict[str, Any] = {
            "pk": {"S": _manifest_key(snapshot.region)},
            "schema": {"N": str(SCHEMA_VERSION)},
            "digest": {"S": hashlib.sha256(blob).hexdigest()},
            "fetched_at": {"N": repr(snapshot.fetched_at)},
            "expires_at": {"N": expires},
        }
        if len(blob) <= CHUNK_BYTES:
            manifest["data"] = {"B": blob}
        else:
            generation = uuid.uuid4().hex[:12]
            chunks = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)]
            writes = [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": {"S": _chunk_key(snapshot.region, generation, i)},
                            "data": {"B": chunk},
                            "expires_at": {"N": expires},
                        }
                    }
                }
                for i, chunk in enumerate(chunks)
            ]
            self._batch_write(writes)
            manifest.update(generation={"S": generation}, chunks={"N": str(len(chunks))})
        # The manifest goes last: until it is written, readers keep the previous generation.
        with _translated("write"):
            self.client.put_item(TableName=self.table_name, Item=manifest)

    # --- account access ----------------------------------------------------------------------------

    def load_access(self, regions: Sequence[str]) -> dict[str, dict[str, Availability]]:
        """Each region's last access answers (model id -> answer); a region without any is left out."""
        return _access_of(regions, self._batch_get([_access_key(r) for r in regions]), self._clock())

    def save_access(self, answers: Mapping[str, Mapping[str, Availability]]) -> None:
        """Write each region's answers (all of that region's, not only the new ones) as its one item."""
        for region, models in answers.items():
            document = {
                model_id: [a.authorization, a.entitlement, a.region, a.agreement, a.checked_at]
                for model_id, a in sorted(models.items())
            }
            blob = zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)
            if len(blob) > CHUNK_BYTES:
                raise CacheStoreError(f"DynamoDB write: access answers of {region} are {len(blob)} bytes compressed")
            with _translated("write"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item={
                        "pk": {"S": _access_key(region)},
                        "schema": {"N": str(ACCESS_SCHEMA_VERSION)},
                        "data": {"B": blob},
                        "expires_at": {"N": str(int(self._clock() + ACCESS_RETENTION_SECONDS))},
                    },
                )

    # --- one refresher at a time ------------------------------------------------------------------

    def acquire_refresh_lease(self, owner: str, seconds: int) -> bool:
        now = self._clock()
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "pk": {"S": LEASE_KEY},
                    "owner": {"S": owner},
                    "lease_until": {"N": repr(now + seconds)},
                    "expires_at": {"N": str(int(now + seconds + 3600))},
                },
                ConditionExpression="attribute_not_exists(pk) OR lease_until < :now OR #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":now": {"N": repr(now)}, ":owner": {"S": owner}},
            )
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise CacheStoreError(f"lease: {e.response.get('Error', {}).get('Code', 'error')}") from e
        except BotoCoreError as e:
            raise CacheStoreError(f"lease: {type(e).__name__}") from e

    def release_refresh_lease(self, owner: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key={"pk": {"S": LEASE_KEY}},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return  # expired and taken by another: nothing of ours to release
            raise CacheStoreError(f"lease release: {e.response.get('Error', {}).get('Code', 'error')}") from e
        except BotoCoreError as e:
            raise CacheStoreError(f"lease release: {type(e).__name__}") from e

    # --- regions failing lately: when they may be asked again ------------------------------------------

    def load_backoff(self, regions: Sequence[str]) -> dict[str, RegionBackoff]:
        found: dict[str, RegionBackoff] = {}
        items = self._batch_get([_backoff_key(r) for r in regions])
        for region in regions:
            item = items.get(_backoff_key(region))
            if item is None:
                continue
            try:
                found[region] = RegionBackoff(
                    region, int(item["failures"]["N"]), float(item["not_before"]["N"]), item["reason"]["S"]
                )
            except (KeyError, ValueError, TypeError) as e:
                logger.warning("back-off item for %s is corrupt (%s: %s); ignored", region, _kind(e), e)
        return found

    def save_backoff(self, backoffs: Sequence[RegionBackoff], cleared: Sequence[str]) -> None:
        writes: list[Any] = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": _backoff_key(b.region)},
                        "failures": {"N": str(b.failures)},
                        "not_before": {"N": repr(b.not_before)},
                        "reason": {"S": b.reason[:500]},
                        "expires_at": {"N": str(int(b.not_before + 3600))},
                    }
                }
            }
            for b in backoffs
        ]
        writes += [{"DeleteRequest": {"Key": {"pk": {"S": _backoff_key(r)}}}} for r in cleared]
        self._batch_write(writes)

    def _batch_write(self, writes: Sequence[Any]) -> None:
        for start in range(0, len(writes), _BATCH_WRITE_MAX):
            request: Any = {self.table_name: writes[start : start + _BATCH_WRITE_MAX]}
            while request:
                with _translated("write"):
                    response = self.client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or None


@dataclass(frozen=True, slots=True)
class _Manifest:
    region: str
    inline: bytes | None  # the data itself; None: in ``chunks`` items of ``generation``
    generation: str
    chunks: int
    digest: str
    fetched_at: float

    @classmethod
    def parse(cls, region: str, item: dict[str, Any], now: float) -> _Manifest | None:
        try:
            schema = int(item["schema"]["N"])
            if schema != SCHEMA_VERSION:
                logger.warning("cache item for %s has schema version %s; it will be rewritten", region, schema)
                return None
            inline = item["data"]["B"] if "data" in item else None
            manifest = cls(
                region=region,
                inline=inline,
                generation="" if inline is not None else item["generation"]["S"],
                chunks=0 if inline is not None else int(item["chunks"]["N"]),
                digest=item["digest"]["S"],
                fetched_at=float(item["fetched_at"]["N"]),
            )
            expires_at = float(item["expires_at"]["N"])
        except (KeyError, ValueError, TypeError) as e:
            logger.warning("cache item for %s is corrupt (%s: %s); it will be rewritten", region, _kind(e), e)
            return None
        if not (inline is not None or 0 < manifest.chunks <= MAX_CHUNKS) or not math.isfinite(manifest.fetched_at):
            logger.warning("cache item for %s is corrupt (implausible fields); it will be rewritten", region)
            return None
        if expires_at <= now:
            # TTL deletion runs up to days late: an expired item DynamoDB still returns is gone.
            logger.info("cache item for %s expired at %.0f, not deleted yet: read as missing", region, expires_at)
            return None
        if manifest.fetched_at > now + MAX_CLOCK_SKEW_SECONDS:
            # Written by a clock far ahead (or corrupt): trusting it would keep the region "fresh" for that long.
            logger.warning(
                "cache item for %s was fetched %.0f s in the future; clock skew, it will be rewritten",
                region,
                manifest.fetched_at - now,
            )
            return None
        return manifest

    @property
    def chunk_keys(self) -> list[str]:
        return [_chunk_key(self.region, self.generation, i) for i in range(self.chunks)]

    def assemble(self, chunks: dict[str, dict[str, Any]]) -> RegionSnapshot | None:
        try:
            blob = self.inline if self.inline is not None else b"".join(chunks[k]["data"]["B"] for k in self.chunk_keys)
            if hashlib.sha256(blob).hexdigest() != self.digest:
                raise ValueError("digest mismatch")
            document = json.loads(zlib.decompress(blob))
            return RegionSnapshot(
                region=self.region,
                model_summaries=tuple(document["models"]),
                profile_summaries=tuple(document["profiles"]),
                fetched_at=self.fetched_at,
            )
        except (KeyError, ValueError, TypeError, zlib.error) as e:
            logger.warning("cache item for %s is corrupt (%s: %s); it will be rewritten", self.region, _kind(e), e)
            return None


def _access_of(
    regions: Sequence[str], items: Mapping[str, dict[str, Any]], now: float
) -> dict[str, dict[str, Availability]]:
    found: dict[str, dict[str, Availability]] = {}
    for region in regions:
        item = items.get(_access_key(region))
        answers = _parse_access(region, item, now) if item is not None else None
        if answers:
            found[region] = answers
    return found


def _parse_access(region: str, item: dict[str, Any], now: float) -> dict[str, Availability] | None:
    try:
        if int(item["schema"]["N"]) != ACCESS_SCHEMA_VERSION or float(item["expires_at"]["N"]) <= now:
            return None
        document = json.loads(zlib.decompress(item["data"]["B"]))
        return {
            str(model_id): Availability(str(auth), str(entitlement), str(in_region), str(agreement), float(at))
            for model_id, (auth, entitlement, in_region, agreement, at) in document.items()
        }
    except (KeyError, ValueError, TypeError, AttributeError, zlib.error) as e:
        logger.warning("access item for %s is corrupt (%s: %s); the next check rewrites it", region, _kind(e), e)
        return None


def _kind(error: Exception) -> str:
    return type(error).__name__


class _translated:
    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "error")
            raise CacheStoreError(f"DynamoDB {self.what}: {code}") from error
        if isinstance(error, BotoCoreError):
            raise CacheStoreError(f"DynamoDB {self.what}: {type(error).__name__}") from error
